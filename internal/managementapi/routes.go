package managementapi

import (
	"net/http"

	"github.com/moniker-svc/moniker/internal/domains"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/models"
)

// Routes returns the management plane's route table (the plan's
// "Management process" routes), every route in one list. Handlers live in
// the file of their area: pages.go, config_read.go and config_write.go
// (the catalog working copy), status.go, domains.go, models.go, match.go,
// requests.go.
//
// A component that is off (nil in Config) turns its routes into 503
// answers ("... not initialized"), as upstream did.
func (s *Server) Routes() []httpapi.Route {
	ui := newPages(s.c.ProjectName, s.c.ResolverPages)
	cfg := s.withEditor
	dom := func(h func(*domains.Registry, http.ResponseWriter, *http.Request)) http.Handler {
		return needs(s.c.Domains, "Domain configuration", h)
	}
	mod := func(h func(*models.Registry, http.ResponseWriter, *http.Request)) http.Handler {
		return needs(s.c.Models, "Model configuration", h)
	}
	req := s.reqHandler
	modelGet := mod(s.modelGet) // serves /models/{path} and /models/{path}/monikers
	const (
		get = http.MethodGet
		put = http.MethodPut
		pst = http.MethodPost
		del = http.MethodDelete
	)
	return []httpapi.Route{
		// Pages and the dashboard.
		{Method: get, Pattern: "/{$}", Doc: "/", Handler: ui.page("landing.html", "Home", "", nil)},
		{Method: get, Pattern: "/dashboard", Doc: "/dashboard", Handler: ui.page("dashboard.html", "Dashboard", "dashboard", []string{"dashboard.js"})},
		{Method: get, Pattern: "/dashboard/{$}", Handler: http.RedirectHandler("/dashboard", http.StatusMovedPermanently)},
		{Method: get, Pattern: "/dashboard/api/stats", Doc: "/dashboard/api/stats", Handler: s.dashboardStats(&domainCounts{})},
		{Method: get, Pattern: "/config/ui", Doc: "/config/ui", Handler: ui.page("config.html", "Catalog Config", "config", []string{"config.js"})},
		{Method: get, Pattern: "/domains/ui", Doc: "/domains/ui", Handler: ui.page("domains.html", "Domains", "domains", []string{"domains.js"})},
		{Method: get, Pattern: "/models/ui", Doc: "/models/ui", Handler: ui.page("models.html", "Business Models", "models", []string{"models.js"})},
		{Method: get, Pattern: "/requests/ui", Doc: "/requests/ui", Handler: ui.page("requests.html", "Review Queue", "requests", []string{"requests.js"})},
		{Method: get, Pattern: assetPrefix + "{name}", Handler: ui.assetHandler()},

		// The catalog working copy of this process (catalogedit.Editor):
		// node writes change the working copy; POST /config/save writes the
		// changed nodes to the catalog file, conflict-checked.
		{Method: get, Pattern: "/config/nodes", Doc: "/config/nodes", Handler: cfg(s.configList(&childIndex{}))},
		{Method: get, Pattern: "/config/search", Doc: "/config/search", Handler: cfg(s.configSearch)},
		{Method: get, Pattern: "/config/matches", Doc: "/config/matches", Handler: cfg(s.configMatches)},
		{Method: get, Pattern: "/config/nodes/{path...}", Doc: "/config/nodes/{path}", Handler: cfg(s.configGet)},
		{Method: pst, Pattern: "/config/nodes", Doc: "/config/nodes", Handler: cfg(s.configCreate)},
		{Method: put, Pattern: "/config/nodes/{path...}", Doc: "/config/nodes/{path}", Handler: cfg(s.configUpdate)},
		{Method: del, Pattern: "/config/nodes/{path...}", Doc: "/config/nodes/{path}", Handler: cfg(s.configDelete)},
		{Method: pst, Pattern: "/config/save", Doc: "/config/save", Handler: cfg(s.configSave)},
		{Method: pst, Pattern: "/config/reload", Doc: "/config/reload", Handler: cfg(s.configReload)},
		{Method: get, Pattern: "/config/source-types", Doc: "/config/source-types", Handler: s.configSourceTypes()},
		{Method: put, Pattern: "/config/status/{path...}", Doc: "/config/status/{path}", Handler: needs(s.c.Catalog, "Config UI", s.setStatus)},

		// Domains.
		{Method: get, Pattern: "/domains", Doc: "/domains", Handler: dom(s.domainList)},
		{Method: get, Pattern: "/domains/{$}", Handler: http.RedirectHandler("/domains", http.StatusTemporaryRedirect)},
		{Method: get, Pattern: "/domains/{name}", Doc: "/domains/{name}", Handler: dom(s.domainGet)},
		{Method: pst, Pattern: "/domains", Doc: "/domains", Handler: dom(s.domainCreate)},
		{Method: put, Pattern: "/domains/{name}", Doc: "/domains/{name}", Handler: dom(s.domainUpdate)},
		{Method: del, Pattern: "/domains/{name}", Doc: "/domains/{name}", Handler: dom(s.domainDelete)},
		{Method: pst, Pattern: "/domains/save", Doc: "/domains/save", Handler: dom(s.domainSave)},
		{Method: pst, Pattern: "/domains/reload", Doc: "/domains/reload", Handler: dom(s.domainReload)},

		// Business models.
		{Method: get, Pattern: "/models", Doc: "/models", Handler: mod(s.modelList)},
		{Method: get, Pattern: "/models/{$}", Handler: http.RedirectHandler("/models", http.StatusTemporaryRedirect)},
		{Method: get, Pattern: "/models/tree", Doc: "/models/tree", Handler: mod(s.modelTree)},
		{Method: get, Pattern: "/models/for-moniker/{path...}", Doc: "/models/for-moniker/{path}", Handler: mod(s.modelsForMoniker)},
		{Method: get, Pattern: "/models/{path...}", Doc: "/models/{path}/monikers", Handler: modelGet},
		{Method: get, Pattern: "/models/{path...}", Doc: "/models/{path}", Handler: modelGet},
		{Method: pst, Pattern: "/models", Doc: "/models", Handler: mod(s.modelCreate)},
		{Method: put, Pattern: "/models/{path...}", Doc: "/models/{path}", Handler: mod(s.modelUpdate)},
		{Method: del, Pattern: "/models/{path...}", Doc: "/models/{path}", Handler: mod(s.modelDelete)},
		{Method: pst, Pattern: "/models/save", Doc: "/models/save", Handler: mod(s.modelSave)},
		{Method: pst, Pattern: "/models/reload", Doc: "/models/reload", Handler: mod(s.modelReload)},

		// The access-request workflow.
		{Method: pst, Pattern: "/requests", Doc: "/requests", Handler: req(s.handleRequestSubmit)},
		{Method: get, Pattern: "/requests", Doc: "/requests", Handler: req(s.handleRequestList)},
		{Method: pst, Pattern: "/requests/save", Doc: "/requests/save", Handler: req(s.handleRequestSave)},
		{Method: pst, Pattern: "/requests/reload", Doc: "/requests/reload", Handler: req(s.handleRequestReload)},
		{Method: pst, Pattern: "/requests/import", Doc: "/requests/import", Handler: req(s.handleRequestImport)},
		{Method: get, Pattern: "/requests/{id}", Doc: "/requests/{id}", Handler: req(s.handleRequestGet)},
		{Method: put, Pattern: "/requests/{id}", Doc: "/requests/{id}", Handler: req(s.handleRequestAmend)},
		{Method: pst, Pattern: "/requests/{id}/approve", Doc: "/requests/{id}/approve", Handler: req(s.handleRequestReview(reqApprove))},
		{Method: pst, Pattern: "/requests/{id}/reject", Doc: "/requests/{id}/reject", Handler: req(s.handleRequestReview(reqReject))},
		{Method: pst, Pattern: "/requests/{id}/request-changes", Doc: "/requests/{id}/request-changes", Handler: req(s.handleRequestReview(reqRequestChanges))},
		{Method: pst, Pattern: "/requests/{id}/comment", Doc: "/requests/{id}/comment", Handler: req(s.handleRequestComment)},
	}
}
