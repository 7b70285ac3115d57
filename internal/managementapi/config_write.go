package managementapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// ---- writes ----

// configCreate is POST /config/nodes: adds a node to the working copy
// (200, as upstream; the node and its ETag). 409 when the path exists.
func (s *Server) configCreate(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	path, patch, ok := s.decodeNode(w, r, nil, "")
	if !ok {
		return
	}
	n := patch.Node
	n.Path = path
	etag, err := ed.Create(r.Context(), &n, registryActor(r))
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	created, _, _ := ed.Get(path)
	w.Header().Set("ETag", `"`+etag+`"`)
	httpapi.WriteRaw(w, http.StatusOK, append(appendNode(nil, created), '\n'))
}

// configUpdate is PUT /config/nodes/{path}: a partial update of the
// working copy's node. An absent key keeps the field, null clears it, a
// value replaces it (objects whole); every other field of the node is
// kept. A key whose value equals what GET shows for it changes nothing, so
// a client may send back the whole node. Checked against If-Match.
func (s *Server) configUpdate(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	path := r.PathValue("path")
	cur, _, ok := ed.Get(path)
	if !ok {
		httpapi.WriteError(w, s.log, moniker.Errorf(moniker.ErrNotFound, "Node not found: %s", path))
		return
	}
	_, patch, ok := s.decodeNode(w, r, cur, path)
	if !ok {
		return
	}
	n, etag, err := ed.Update(r.Context(), path, patch, r.Header.Get("If-Match"), registryActor(r))
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	httpapi.WriteRaw(w, http.StatusOK, append(appendNode(nil, n), '\n'))
}

// configDelete is DELETE /config/nodes/{path}: removes the node from the
// working copy; a node with children is refused (400, listing them).
func (s *Server) configDelete(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	path := r.PathValue("path")
	if err := ed.Delete(r.Context(), path, r.Header.Get("If-Match"), registryActor(r)); err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Success bool   `json:"success"`
		Path    string `json:"path"`
		Message string `json:"message"`
	}{true, path, "Node deleted: " + path})
}

// configSaveJSON is the POST /config/save answer.
type configSaveJSON struct {
	Success      bool     `json:"success"`
	Path         string   `json:"path"`
	MonikerCount int      `json:"moniker_count"`
	Message      string   `json:"message"`
	SavedPaths   []string `json:"saved_paths"`
}

// onDisk reads the catalog files afresh and returns the nodes at paths as
// they are there (nil: no such node); nil when the files do not load. It
// costs a full read, which only a save conflict pays.
func onDisk(ed *catalogedit.Editor, paths []string) map[string]json.RawMessage {
	disk, err := catalogedit.Open(ed.Path(), catalogedit.Options{})
	if err != nil {
		return nil
	}
	out := make(map[string]json.RawMessage, len(paths))
	for _, p := range paths {
		out[p] = nil // null: deleted there
		if n, _, ok := disk.Get(p); ok {
			out[p] = appendNode(nil, n)
		}
	}
	return out
}

// configSave is POST /config/save: writes this process's changed nodes
// (catalogedit.Editor.Save). 409 lists the nodes changed on disk since
// they were read (paths; those stay unsaved), the nodes of a catalog
// folder written anyway (saved_paths) and each conflicting node as it is
// on disk now (current, null: deleted there), so that a client can show
// what changed. A catalog file that no longer loads (a broken hand edit)
// is not written over: 400 with the load errors.
func (s *Server) configSave(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	res, err := ed.Save(r.Context(), registryActor(r))
	w.Header().Set(configVersionHeader, ed.Version())
	if ce, ok := errors.AsType[*moniker.ConflictError](err); ok {
		extra := []httpapi.Member{{Key: "saved_paths", Value: res.Saved}}
		if cur := onDisk(ed, ce.Paths); cur != nil {
			extra = append(extra, httpapi.Member{Key: "current", Value: cur})
		}
		httpapi.WriteError(w, s.log, err, extra...)
		return
	}
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	shown, abs := s.filePath(ed.Path())
	out := configSaveJSON{Success: true, MonikerCount: res.Count, SavedPaths: res.Saved,
		Message: fmt.Sprintf("Saved %d monikers to %s (%d changed)", res.Count, shown, len(res.Saved))}
	if abs != nil {
		out.Path = *abs
	}
	httpapi.WriteJSON(w, http.StatusOK, out)
}

// configReload is POST /config/reload: re-reads the catalog files. This
// process's unsaved changes stay on top of the new base unless
// discard=true drops them. A file that does not load changes nothing
// (422).
func (s *Server) configReload(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	discard, ok := httpapi.QueryBool(w, r, "discard")
	if !ok {
		return
	}
	if err := ed.Reload(r.Context()); err != nil {
		httpapi.WriteReloadError(w, err)
		return
	}
	if discard {
		ed.Discard()
	}
	w.Header().Set(configVersionHeader, ed.Version())
	n := ed.View().Len()
	shown, _ := s.filePath(ed.Path())
	msg := fmt.Sprintf("Reloaded %d monikers from %s", n, shown)
	if p := len(ed.Pending()); p > 0 {
		msg += fmt.Sprintf(" (%d unsaved changes kept; reload with discard=true to drop them)", p)
	}
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Success      bool   `json:"success"`
		MonikerCount int    `json:"moniker_count"`
		Version      string `json:"version"`
		Message      string `json:"message"`
	}{true, n, ed.Version(), msg})
}
