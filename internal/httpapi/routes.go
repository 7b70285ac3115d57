package httpapi

import (
	"net/http"
	"strings"
)

// Route is one entry of a surface's route table. The table is the single
// place a surface's routes are listed; the OpenAPI test compares it with
// the published document.
type Route struct {
	// Method is the HTTP method ("GET", "POST", ...).
	Method string
	// Pattern is the ServeMux path pattern, e.g. "/resolve/{path...}".
	Pattern string
	// Doc is the path as the OpenAPI document spells it, e.g.
	// "/resolve/{path}". Several routes may share one mux pattern and
	// split by suffix inside the handler ("/catalog/{path}/audit").
	Doc string
	// Handler serves the route.
	Handler http.Handler
	// Role is the role a caller needs, set by the auth layer when it
	// protects the route (empty: none). The OpenAPI document lists such
	// an operation's security schemes, role and 401/403 answers.
	Role string
}

// Register adds routes to mux, each instrumented under its Doc path.
// Routes sharing a mux pattern and method must share a handler; the first
// one registers it.
func Register(mux *http.ServeMux, m *Metrics, routes []Route) {
	seen := map[string]bool{}
	for _, rt := range routes {
		key := rt.Method + " " + rt.Pattern
		if seen[key] {
			continue
		}
		seen[key] = true
		label := rt.Doc
		if label == "" {
			label = rt.Pattern
		}
		mux.Handle(key, m.Instrument(rt.Method+" "+label, rt.Handler))
	}
}

// TrimPrefix returns the request path after prefix ("/resolve/"), the
// decoded moniker path as upstream computed it. The exact path without the
// trailing slash ("/resolve") gives "".
func TrimPrefix(r *http.Request, prefix string) string {
	p := r.URL.Path
	if len(p) < len(prefix) {
		return ""
	}
	return strings.TrimPrefix(p, prefix)
}
