package managementapi

import (
	"net/http"

	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// setStatus is PUT /config/status/{path}: a lifecycle status change,
// applied to the catalog files by catalogedit.Editor.SetStatus (the
// resolvers forward theirs here). The actor is the authenticated caller
// when known, else the body's actor.
func (s *Server) setStatus(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	c, ok := httpapi.DecodeJSON[moniker.StatusChange](w, r, httpapi.MaxBody)
	if !ok {
		return
	}
	if p := httpapi.CallerFrom(r.Context()).Principal; p != "" {
		c.Actor = p
	}
	res, err := ed.SetStatus(r.Context(), httpapi.TrimPrefix(r, "/config/status/"), c)
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}
