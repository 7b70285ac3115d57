// Package managementapi is the HTTP surface of the management (control)
// plane: catalog, domain and model CRUD, the request workflow, the
// dashboard and the pages. routes.go lists every route in one table; each
// area keeps its handlers in a file of its own.
package managementapi

import (
	"log/slog"
	"net/http"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/domains"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/models"
	"github.com/moniker-svc/moniker/internal/requests"
)

// Config holds the management plane's components. A nil component turns
// its routes into 503 answers ("... not initialized"), as upstream did
// when a feature was disabled.
type Config struct {
	Catalog  *catalogedit.Editor
	Domains  *domains.Registry
	Models   *models.Registry
	Requests *requests.Workflow
	Audit    *audit.Log
	// ProjectName brands the pages (config project_name).
	ProjectName string
	// ResolverPages says this process also serves the resolver's catalog
	// browser (/ui, the all target): the pages' navigation links to it.
	ResolverPages bool
	// ShowFilePaths includes absolute file paths in save answers
	// (config_ui.show_file_paths).
	ShowFilePaths bool
	Log           *slog.Logger
}

// Server serves the management routes.
type Server struct {
	c   Config
	log *slog.Logger
}

// New returns the management server.
func New(c Config) *Server {
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if c.ProjectName == "" {
		c.ProjectName = "Moniker Service"
	}
	return &Server{c: c, log: log.With("component", "managementapi")}
}

// needs returns a handler that answers 503 "<name> not initialized" when
// the component c is nil (its feature is off, as upstream answered), and
// otherwise calls h with c.
func needs[C any](c *C, name string, h func(*C, http.ResponseWriter, *http.Request)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c == nil {
			httpapi.WriteDetail(w, http.StatusServiceUnavailable, httpapi.CodeNotInitialized, name+" not initialized")
			return
		}
		h(c, w, r)
	})
}
