package managementapi

import (
	"net/http"

	"github.com/moniker-svc/moniker/internal/catalogedit"
)

// Limits of the /config routes.
const (
	// configMaxLimit bounds GET /config/nodes?limit (HEAD's bound).
	configMaxLimit = 50000
	// configSearchMax is how many search results are returned by default.
	configSearchMax = 50
	// configSearchLimit bounds GET /config/search?limit.
	configSearchLimit = 2000
)

// configVersionHeader carries the working copy's disk version on /config
// reads.
const configVersionHeader = "X-Moniker-Catalog-Version"

// withEditor runs h with the catalog editor, the working copy's disk
// version in the configVersionHeader of the answer; 503 without an editor.
func (s *Server) withEditor(h func(*catalogedit.Editor, http.ResponseWriter, *http.Request)) http.Handler {
	return needs(s.c.Catalog, "Config UI", func(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
		w.Header().Set(configVersionHeader, ed.Version())
		h(ed, w, r)
	})
}
