// Package resolverapi is the HTTP surface of the resolver (data plane):
// every read route of reference §3, in one table.
package resolverapi

import (
	"fmt"
	"net/http"
	"strings"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// Routes returns the resolver's route table (the plan's "Resolver process"
// routes). /health, /metrics, /openapi.json and /docs are served by every
// target and are wired in cmd/monikerd.
func (s *Server) Routes() []httpapi.Route {
	rs := []httpapi.Route{
		{Method: "GET", Pattern: "/resolve", Doc: "/resolve/{path}", Handler: s.handleResolve()},
		{Method: "GET", Pattern: "/resolve/{path...}", Doc: "/resolve/{path}", Handler: s.handleResolve()},
		{Method: "POST", Pattern: "/resolve/batch", Doc: "/resolve/batch", Handler: s.handleBatch()},
		{Method: "GET", Pattern: "/describe", Doc: "/describe/{path}", Handler: s.handleDescribe()},
		{Method: "GET", Pattern: "/describe/{path...}", Doc: "/describe/{path}", Handler: s.handleDescribe()},
		{Method: "GET", Pattern: "/lineage", Doc: "/lineage/{path}", Handler: s.handleLineage()},
		{Method: "GET", Pattern: "/lineage/{path...}", Doc: "/lineage/{path}", Handler: s.handleLineage()},
		{Method: "GET", Pattern: "/list", Doc: "/list/{path}", Handler: s.handleList()},
		{Method: "GET", Pattern: "/list/{path...}", Doc: "/list/{path}", Handler: s.handleList()},
		{Method: "GET", Pattern: "/metadata", Doc: "/metadata/{path}", Handler: s.handleMetadata()},
		{Method: "GET", Pattern: "/metadata/{path...}", Doc: "/metadata/{path}", Handler: s.handleMetadata()},
		{Method: "GET", Pattern: "/fetch/{path...}", Doc: "/fetch/{path}", Handler: s.handleFetch()},
		{Method: "GET", Pattern: "/catalog", Doc: "/catalog", Handler: s.handleCatalog()},
		{Method: "GET", Pattern: "/catalog/search", Doc: "/catalog/search", Handler: s.handleSearch()},
		{Method: "GET", Pattern: "/catalog/stats", Doc: "/catalog/stats", Handler: s.handleStats()},
		{Method: "GET", Pattern: "/catalog/{path...}", Doc: "/catalog/{path}/audit", Handler: s.handleAudit()},
		{Method: "PUT", Pattern: "/catalog/{path...}", Doc: "/catalog/{path}/status", Handler: s.handleStatus()},
		{Method: "GET", Pattern: "/tree", Doc: "/tree", Handler: s.handleTree()},
		{Method: "GET", Pattern: "/tree/{path...}", Doc: "/tree/{path}", Handler: s.handleTree()},
		{Method: "GET", Pattern: "/cache/status", Doc: "/cache/status", Handler: notYet("GET /cache/status is not implemented yet")},
		{Method: "POST", Pattern: "/cache/refresh/{path...}", Doc: "/cache/refresh/{path}", Handler: notYet("POST /cache/refresh is not implemented yet")},
		{Method: "POST", Pattern: "/telemetry/access", Doc: "/telemetry/access", Handler: s.handleAccess()},
		{Method: "GET", Pattern: "/ui", Doc: "/ui", Handler: s.handleUI(s.project, s.managementPages)},
	}
	if s.reload != nil {
		rs = append(rs, httpapi.Route{Method: "POST", Pattern: "/config/reload", Doc: "/config/reload", Handler: s.handleReload()})
	}
	return rs
}

// handleReload re-reads the catalog files now. A file that does not load
// leaves the current catalog serving and answers 422 with the reason.
func (s *Server) handleReload() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, version, err := s.reload(r.Context())
		if err != nil {
			httpapi.WriteReloadError(w, err)
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Success      bool   `json:"success"`
			MonikerCount int    `json:"moniker_count"`
			Version      string `json:"version"`
			Message      string `json:"message"`
		}{true, n, version, fmt.Sprintf("Reloaded %d monikers (catalog version %s)", n, version)})
	})
}

// notYet answers 501 for routes of the plan that later work delivers.
func notYet(msg string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteError(w, nil, moniker.Errorf(moniker.ErrNotImplemented, "%s", msg))
	})
}

// handleStatus changes a node's lifecycle status (reference §3.11),
// durably and for every replica: the StatusWriter persists it with the
// catalog editor (catalogedit.Editor.SetStatus: directly in the monolith,
// through the management API on a resolver). The actor is the
// authenticated caller when known, else the body's actor.
func (s *Server) handleStatus() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		path, ok := strings.CutSuffix(httpapi.TrimPrefix(r, "/catalog/"), "/status")
		if !ok || path == "" {
			httpapi.WriteDetail(w, http.StatusNotFound, httpapi.CodeNoRoute, "Not Found")
			return
		}
		if s.status == nil {
			httpapi.WriteError(w, s.log, moniker.Errorf(moniker.ErrNotImplemented, "status changes are not available on this target"))
			return
		}
		c, ok := httpapi.DecodeJSON[moniker.StatusChange](w, r, httpapi.MaxBody)
		if !ok {
			return
		}
		if p := httpapi.CallerFrom(r.Context()).Principal; p != "" {
			c.Actor = p
		}
		if err := c.Validate(); err != nil {
			httpapi.WriteError(w, s.log, err)
			return
		}
		res, err := s.status.SetStatus(r.Context(), path, c)
		if err != nil {
			httpapi.WriteError(w, s.log, err)
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, res)
	})
}
