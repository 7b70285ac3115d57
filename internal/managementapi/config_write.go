package managementapi

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

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
		s.configError(w, err)
		return
	}
	created, _, _ := ed.Get(path)
	w.Header().Set("ETag", `"`+etag+`"`)
	httpapi.WriteJSON(w, http.StatusOK, toNodeJSON(created))
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
		httpapi.WriteDetail(w, http.StatusNotFound, httpapi.CodeNotFound, "Node not found: "+path)
		return
	}
	_, patch, ok := s.decodeNode(w, r, cur, path)
	if !ok {
		return
	}
	n, etag, err := ed.Update(r.Context(), path, patch, r.Header.Get("If-Match"), registryActor(r))
	if err != nil {
		s.configError(w, err)
		return
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	httpapi.WriteJSON(w, http.StatusOK, toNodeJSON(n))
}

// configDelete is DELETE /config/nodes/{path}: removes the node from the
// working copy; a node with children is refused (400, listing them).
func (s *Server) configDelete(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	path := r.PathValue("path")
	if err := ed.Delete(r.Context(), path, r.Header.Get("If-Match"), registryActor(r)); err != nil {
		s.configError(w, err)
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

// configConflictJSON is a 409 answer that lists node paths.
type configConflictJSON struct {
	Detail     string   `json:"detail"`
	Code       string   `json:"code"`
	Paths      []string `json:"paths"`
	SavedPaths []string `json:"saved_paths"`
	// Current is, for a save conflict, each path's node as it is on disk
	// now (null: deleted there), so that a client can show what changed.
	Current map[string]*nodeJSON `json:"current,omitempty"`
}

// onDisk reads the catalog files afresh and returns the nodes at paths as
// they are there (nil: no such node); nil when the files do not load. It
// costs a full read, which only a save conflict pays.
func onDisk(ed *catalogedit.Editor, paths []string) map[string]*nodeJSON {
	disk, err := catalogedit.Open(ed.Path(), catalogedit.Options{})
	if err != nil {
		return nil
	}
	out := make(map[string]*nodeJSON, len(paths))
	for _, p := range paths {
		out[p] = nil
		if n, _, ok := disk.Get(p); ok {
			j := toNodeJSON(n)
			out[p] = &j
		}
	}
	return out
}

// configSave is POST /config/save: writes this process's changed nodes
// (catalogedit.Editor.Save). 409 lists the nodes changed on disk since
// they were read; those stay unsaved. A catalog file that no longer loads
// (a broken hand edit) is not written over: 400 with the load errors.
func (s *Server) configSave(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	res, err := ed.Save(r.Context(), registryActor(r))
	w.Header().Set(configVersionHeader, ed.Version())
	var ce *moniker.ConflictError
	if errors.As(err, &ce) {
		httpapi.WriteJSON(w, http.StatusConflict, configConflictJSON{Detail: ce.Error(), Code: httpapi.CodeConflict,
			Paths: ce.Paths, SavedPaths: res.Saved, Current: onDisk(ed, ce.Paths)})
		return
	}
	if err != nil {
		s.configError(w, err)
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
	discard := false
	if v := r.URL.Query().Get("discard"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			httpapi.WriteValidation(w, httpapi.FieldError{Type: "bool_parsing", Loc: []string{"query", "discard"},
				Msg: "Input should be a valid boolean", Input: v})
			return
		}
		discard = b
	}
	if err := ed.Reload(r.Context()); err != nil {
		if errors.Is(err, moniker.ErrInvalid) {
			httpapi.WriteDetail(w, http.StatusUnprocessableEntity, httpapi.CodeReloadFailed, "Failed to reload: "+err.Error())
			return
		}
		s.configError(w, err)
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

// configError answers an editor error: validation 422 naming each field,
// If-Match mismatch 412, a node with children 400 listing them, the rest
// by error kind (not found 404, exists or conflict 409).
func (s *Server) configError(w http.ResponseWriter, err error) {
	var (
		ve *moniker.ValidationError
		ce *moniker.ChildrenError
		cf *moniker.ConflictError
	)
	switch {
	case errors.As(err, &ve):
		writeFieldErrors(w, ve)
	case errors.Is(err, moniker.ErrPrecondition):
		httpapi.WriteDetail(w, http.StatusPreconditionFailed, httpapi.CodePrecondition, err.Error())
	case errors.As(err, &ce):
		httpapi.WriteJSON(w, http.StatusBadRequest, struct {
			Detail   string   `json:"detail"`
			Code     string   `json:"code"`
			Children []string `json:"children"`
		}{ce.Error(), httpapi.CodeInvalidRequest, ce.Children})
	case errors.As(err, &cf):
		httpapi.WriteJSON(w, http.StatusConflict, configConflictJSON{Detail: cf.Error(), Code: httpapi.CodeConflict, Paths: cf.Paths, SavedPaths: []string{}})
	default:
		httpapi.WriteError(w, s.log, err)
	}
}

// writeFieldErrors answers the invalid fields of a management write
// (catalog node, domain, model): 422 in upstream's validation shape, each
// field's JSON path in loc after "body".
func writeFieldErrors(w http.ResponseWriter, ve *moniker.ValidationError) {
	fields := make([]httpapi.FieldError, len(ve.Fields))
	for i, f := range ve.Fields {
		fields[i] = httpapi.FieldError{Type: "value_error", Loc: append([]string{"body"}, f.Loc...), Msg: f.Msg, Input: f.Input}
	}
	httpapi.WriteValidation(w, fields...)
}

// splitField turns "a.b[2].c" into ["a", "b", "2", "c"].
func splitField(f string) []string {
	var out []string
	for part := range strings.SplitSeq(f, ".") {
		for {
			i := strings.IndexByte(part, '[')
			j := strings.IndexByte(part, ']')
			if i < 0 || j < i {
				break
			}
			if i > 0 {
				out = append(out, part[:i])
			}
			out = append(out, part[i+1:j])
			part = part[j+1:]
		}
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}
