package managementapi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/registry"
	"github.com/moniker-svc/moniker/internal/resolve"
)

// configRoutes is the /config area (reference §3): the catalog working
// copy of this process (catalogedit.Editor). Node writes change the
// working copy; POST /config/save writes the changed nodes to the catalog
// file, conflict-checked. GET /config/ui is a page (pages.go).
func (s *Server) configRoutes() []httpapi.Route {
	ed := s.withEditor
	return []httpapi.Route{
		{Method: http.MethodGet, Pattern: "/config/nodes", Doc: "/config/nodes", Handler: ed(s.configList(&childIndex{}))},
		{Method: http.MethodGet, Pattern: "/config/search", Doc: "/config/search", Handler: ed(s.configSearch)},
		{Method: http.MethodGet, Pattern: "/config/nodes/{path...}", Doc: "/config/nodes/{path}", Handler: ed(s.configGet)},
		{Method: http.MethodPost, Pattern: "/config/nodes", Doc: "/config/nodes", Handler: ed(s.configCreate)},
		{Method: http.MethodPut, Pattern: "/config/nodes/{path...}", Doc: "/config/nodes/{path}", Handler: ed(s.configUpdate)},
		{Method: http.MethodDelete, Pattern: "/config/nodes/{path...}", Doc: "/config/nodes/{path}", Handler: ed(s.configDelete)},
		{Method: http.MethodPost, Pattern: "/config/save", Doc: "/config/save", Handler: ed(s.configSave)},
		{Method: http.MethodPost, Pattern: "/config/reload", Doc: "/config/reload", Handler: ed(s.configReload)},
		{Method: http.MethodGet, Pattern: "/config/source-types", Doc: "/config/source-types", Handler: s.configSourceTypes()},
	}
}

// Limits of the /config routes.
const (
	// configMaxBody bounds a node body.
	configMaxBody = 1 << 20
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

// ---- reads ----

// configList is GET /config/nodes: every node of the working copy in
// path order, `{"nodes": [...], "total": N}`; offset and limit (0 = all,
// at most 50000) page it, summary=true gives light rows (HEAD). With
// parent (summary rows only) it lists the direct children of that path
// instead ("" = the top level), virtual ones included, each with its
// child count: what the Config UI's tree opens with and expands on.
func (s *Server) configList(idx *childIndex) func(*catalogedit.Editor, http.ResponseWriter, *http.Request) {
	return func(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
		offset, ok := configQueryInt(w, r, "offset", 0, math.MaxInt32)
		if !ok {
			return
		}
		limit, ok := configQueryInt(w, r, "limit", 0, configMaxLimit)
		if !ok {
			return
		}
		summary := false
		if v := r.URL.Query().Get("summary"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				httpapi.WriteValidation(w, httpapi.FieldError{Type: "bool_parsing", Loc: []string{"query", "summary"},
					Msg: "Input should be a valid boolean", Input: v})
				return
			}
			summary = b
		}
		cat := ed.View()
		var paths []string
		var kids map[string][]string
		children := r.URL.Query().Has("parent")
		if children {
			kids = idx.get(cat)
			paths = kids[r.URL.Query().Get("parent")]
			summary = true
		} else {
			paths, _ = cat.Page("", cat.Len(), "")
		}
		total := len(paths)
		end := total
		if limit > 0 {
			end = min(total, offset+limit)
		}
		paths = paths[min(offset, end):end]
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusOK)
		bw := bufio.NewWriterSize(w, 64<<10)
		bw.WriteString(`{"nodes":[`)
		for i, p := range paths {
			if i > 0 {
				bw.WriteByte(',')
			}
			n := cat.Get(p)
			var v any
			switch {
			case children:
				row := treeRow{ChildCount: len(kids[p])}
				if n != nil {
					row.nodeSummary = toNodeSummary(n)
				} else {
					row.nodeSummary = nodeSummary{Path: p, Tags: []string{}}
					row.Virtual = true
				}
				v = row
			case summary:
				v = toNodeSummary(n)
			default:
				v = toNodeJSON(n)
			}
			b, err := json.Marshal(v)
			if err != nil {
				s.log.Error("encoding a node", "path", p, "err", err)
				b = []byte("null")
			}
			bw.Write(b)
		}
		fmt.Fprintf(bw, `],"total":%d}`+"\n", total)
		if err := bw.Flush(); err != nil {
			s.log.Debug("writing /config/nodes", "err", err)
		}
	}
}

// treeRow is a GET /config/nodes?parent= row: a summary, or for a path
// that is only the prefix of nodes a virtual row (path only).
type treeRow struct {
	nodeSummary
	Virtual    bool `json:"virtual"`
	ChildCount int  `json:"child_count"`
}

// childIndex caches the parent -> children paths of the working copy's
// latest view (every ancestor of a node is listed under its own parent,
// whether it is a node or not), children sorted case-insensitively. It is
// rebuilt when the view changes: one pass over the nodes.
type childIndex struct {
	mu   sync.Mutex
	cat  *catalog.Catalog
	kids map[string][]string
}

func (x *childIndex) get(cat *catalog.Catalog) map[string][]string {
	x.mu.Lock()
	defer x.mu.Unlock()
	if x.cat == cat {
		return x.kids
	}
	kids := make(map[string][]string)
	listed := make(map[string]bool, cat.Len())
	for _, n := range cat.Nodes() {
		for child := n.Path; child != "" && !listed[child]; child = moniker.Parent(child) {
			listed[child] = true
			par := moniker.Parent(child)
			kids[par] = append(kids[par], child)
		}
	}
	for _, list := range kids {
		slices.SortFunc(list, func(a, b string) int {
			if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
	}
	x.cat, x.kids = cat, kids
	return kids
}

// configQueryInt reads an optional integer query parameter within
// [lo, hi], answering 422 and false when it is malformed or out of range.
func configQueryInt(w http.ResponseWriter, r *http.Request, name string, lo, hi int) (int, bool) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return lo, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		httpapi.WriteValidation(w, httpapi.FieldError{Type: "int_parsing", Loc: []string{"query", name},
			Msg: "Input should be a valid integer", Input: raw})
		return 0, false
	}
	if n < lo || n > hi {
		httpapi.WriteValidation(w, httpapi.FieldError{Type: "range", Loc: []string{"query", name},
			Msg: fmt.Sprintf("Input should be between %d and %d", lo, hi), Input: raw})
		return 0, false
	}
	return n, true
}

// searchHit is one GET /config/search result.
type searchHit struct {
	Path        string `json:"path"`
	Match       string `json:"match"`
	DisplayName string `json:"display_name"`
}

// configSearch is GET /config/search?q= (reference §3.3): a
// case-insensitive substring search of path, display name, description
// and tags, the first of them that matches named in "match"; results in
// path order, at most limit (default 50, at most 2000), with the total
// before the cut. A q of fewer
// than 2 characters finds nothing.
func (s *Server) configSearch(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	hits := []searchHit{}
	if len([]rune(q)) < 2 {
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Results []searchHit `json:"results"`
			Total   int         `json:"total"`
			Query   string      `json:"query"`
		}{hits, 0, q})
		return
	}
	limit, ok := configQueryInt(w, r, "limit", 0, configSearchLimit)
	if !ok {
		return
	}
	if limit == 0 {
		limit = configSearchMax
	}
	cat := ed.View()
	lq := strings.ToLower(q)
	for _, n := range cat.Search(q, "", cat.Len()) {
		hits = append(hits, searchHit{Path: n.Path, Match: matchKind(n, lq), DisplayName: n.EffectiveDisplayName()})
	}
	slices.SortFunc(hits, func(a, b searchHit) int { return strings.Compare(a.Path, b.Path) })
	total := len(hits)
	hits = hits[:min(total, limit)]
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Results []searchHit `json:"results"`
		Total   int         `json:"total"`
		Query   string      `json:"query"`
	}{hits, total, q})
}

// matchKind says which field of n contains lq (lower-cased), in upstream's
// order: path, display_name, description, tag.
func matchKind(n *moniker.Node, lq string) string {
	has := func(s string) bool { return strings.Contains(strings.ToLower(s), lq) }
	switch {
	case has(n.Path):
		return "path"
	case has(n.EffectiveDisplayName()):
		return "display_name"
	case has(n.Description):
		return "description"
	}
	return "tag"
}

// configGet is GET /config/nodes/{path}: the working copy's node, its
// resolved ownership (inherited down the hierarchy, then the domain's
// contacts) and its ETag.
func (s *Server) configGet(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	path := r.PathValue("path")
	n, etag, ok := ed.Get(path)
	if !ok {
		httpapi.WriteDetail(w, http.StatusNotFound, httpapi.CodeNotFound, "Node not found: "+path)
		return
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Node              nodeJSON                        `json:"node"`
		ResolvedOwnership httpapi.ResolvedOwnershipWithUI `json:"resolved_ownership"`
	}{toNodeJSON(n), s.resolvedOwnership(ed, path)})
}

// resolvedOwnership resolves path's ownership in the working copy as the
// resolver does (resolve.Snapshot.Ownership), over the node and its
// ancestors only, so that it costs no more than the path's depth.
func (s *Server) resolvedOwnership(ed *catalogedit.Editor, path string) httpapi.ResolvedOwnershipWithUI {
	var nodes []*moniker.Node
	add := func(p string) bool {
		if n, _, ok := ed.Get(p); ok {
			c := *n // catalog.New sets Index on what it indexes
			nodes = append(nodes, &c)
		}
		return true
	}
	add(path)
	moniker.Ancestors(path, add)
	var doms resolve.Domains
	if s.c.Domains != nil {
		doms = s.c.Domains
	}
	o := resolve.NewSnapshot(catalog.New(nodes), doms, resolve.Options{}).Ownership(path)
	return httpapi.NewResolvedOwnershipWithUI(&o)
}

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
	var ce *catalogedit.ConflictError
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
		ve *catalogedit.ValidationError
		ce *catalogedit.ChildrenError
		cf *catalogedit.ConflictError
	)
	switch {
	case errors.As(err, &ve):
		writeFieldErrors(w, ve)
	case errors.Is(err, catalogedit.ErrPrecondition):
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
func writeFieldErrors(w http.ResponseWriter, ve *registry.ValidationError) {
	fields := make([]httpapi.FieldError, len(ve.Errs))
	for i, f := range ve.Errs {
		fields[i] = httpapi.FieldError{Type: "value_error", Loc: append([]string{"body"}, splitField(f.Field)...), Msg: f.Msg, Input: f.Input}
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

// ---- request bodies ----

// decodeNode reads a create (cur nil) or update body into a Patch. A
// create body must carry "path"; an update body may, but it must be the
// node's path. "is_leaf" (derived) is accepted and ignored, so a node as
// GET shows it can be sent back. For an update, a key whose value equals
// what GET shows for it is left out of the patch. It answers 413 or 422
// itself and returns ok=false then.
func (s *Server) decodeNode(w http.ResponseWriter, r *http.Request, cur *moniker.Node, urlPath string) (path string, p catalogedit.Patch, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, configMaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			httpapi.WriteDetail(w, http.StatusRequestEntityTooLarge, httpapi.CodeBodyTooLarge,
				fmt.Sprintf("request body larger than %d bytes", configMaxBody))
			return "", p, false
		}
		httpapi.WriteValidation(w, httpapi.FieldError{Type: "json_invalid", Loc: []string{"body"}, Msg: "could not read the body: " + err.Error()})
		return "", p, false
	}
	raw, fe := configObject(body)
	if fe != nil {
		httpapi.WriteValidation(w, *fe)
		return "", p, false
	}
	var current map[string]json.RawMessage
	if cur != nil {
		b, _ := json.Marshal(toNodeJSON(cur))
		_ = json.Unmarshal(b, &current)
	}
	var errs []httpapi.FieldError
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		v := raw[k]
		switch k {
		case "path":
			if err := json.Unmarshal(v, &path); err != nil || path == "" && cur == nil {
				errs = append(errs, httpapi.FieldError{Type: "string_type", Loc: []string{"body", "path"}, Msg: "Input should be a non-empty string", Input: rawInput(v)})
				continue
			}
			if cur != nil && path != urlPath {
				errs = append(errs, httpapi.FieldError{Type: "value_error", Loc: []string{"body", "path"},
					Msg: fmt.Sprintf("a node cannot be renamed (%q to %q); create the new path and delete the old one", urlPath, path), Input: path})
			}
			continue
		case "is_leaf":
			var b *bool
			if err := json.Unmarshal(v, &b); err != nil {
				errs = append(errs, httpapi.FieldError{Type: "bool_type", Loc: []string{"body", "is_leaf"}, Msg: "Input should be a valid boolean", Input: rawInput(v)})
			}
			continue
		}
		if !slices.Contains(catalogedit.Fields[:], k) {
			errs = append(errs, httpapi.FieldError{Type: "extra_forbidden", Loc: []string{"body", k}, Msg: "Extra inputs are not permitted", Input: rawInput(v)})
			continue
		}
		if cur != nil && jsonEqual(v, current[k]) {
			continue // what GET shows: no change
		}
		if fe := decodeField(&p.Node, k, v, cur); fe != nil {
			errs = append(errs, *fe)
			continue
		}
		p.Set = append(p.Set, k)
	}
	if cur == nil && raw["path"] == nil {
		errs = append(errs, httpapi.FieldError{Type: "missing", Loc: []string{"body", "path"}, Msg: "Field required"})
	}
	if len(errs) > 0 {
		httpapi.WriteValidation(w, errs...)
		return "", p, false
	}
	return path, p, true
}

// configObject parses body as one JSON object into its raw members.
func configObject(body []byte) (map[string]json.RawMessage, *httpapi.FieldError) {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		return nil, &httpapi.FieldError{Type: "missing", Loc: []string{"body"}, Msg: "Field required"}
	}
	if trimmed[0] != '{' {
		return nil, &httpapi.FieldError{Type: "model_attributes_type", Loc: []string{"body"}, Msg: "Input should be a JSON object"}
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	var raw map[string]json.RawMessage
	err := dec.Decode(&raw)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON object")
	}
	if err != nil {
		return nil, &httpapi.FieldError{Type: "json_invalid", Loc: []string{"body"}, Msg: "JSON decode error: " + err.Error()}
	}
	return raw, nil
}

// rawInput is a raw JSON value as a 422 entry's input.
func rawInput(v json.RawMessage) any {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return nil
	}
	return x
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(a, b json.RawMessage) bool {
	if b == nil {
		return false
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// decodeStrict decodes one member strictly (unknown keys are errors;
// numbers in free-form values stay exact, see freeForm).
func decodeStrict(v json.RawMessage, dst any) error {
	dec := json.NewDecoder(bytes.NewReader(v))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	return dec.Decode(dst)
}

// fieldError turns a decoding error of member key into a 422 entry.
func fieldError(key string, v json.RawMessage, err error) *httpapi.FieldError {
	var te *json.UnmarshalTypeError
	loc := []string{"body", key}
	switch {
	case errors.As(err, &te):
		if te.Field != "" {
			loc = append(loc, strings.Split(te.Field, ".")...)
		}
		return &httpapi.FieldError{Type: "type_error", Loc: loc, Msg: "must be " + reqTypeName(te.Type.Kind().String()) + ", got a JSON " + te.Value, Input: rawInput(v)}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &httpapi.FieldError{Type: "extra_forbidden", Loc: append(loc, name), Msg: "Extra inputs are not permitted", Input: nil}
	}
	return &httpapi.FieldError{Type: "value_error", Loc: loc, Msg: err.Error(), Input: rawInput(v)}
}

// decodeField decodes member key into its field of n (null clears it).
func decodeField(n *moniker.Node, key string, v json.RawMessage, cur *moniker.Node) *httpapi.FieldError {
	fail := func(err error) *httpapi.FieldError { return fieldError(key, v, err) }
	text := func(dst *string) *httpapi.FieldError {
		var s *string
		if err := decodeStrict(v, &s); err != nil {
			return fail(err)
		}
		*dst = deref(s)
		return nil
	}
	switch key {
	case "display_name":
		return text(&n.DisplayName)
	case "description":
		return text(&n.Description)
	case "domain":
		return text(&n.Domain)
	case "classification":
		return text(&n.Classification)
	case "deprecation_message":
		return text(&n.DeprecationMessage)
	case "successor":
		return text(&n.Successor)
	case "sunset_deadline":
		return text(&n.SunsetDeadline)
	case "migration_guide_url":
		return text(&n.MigrationGuideURL)
	case "status":
		var st string
		if fe := text(&st); fe != nil {
			return fe
		}
		n.Status = moniker.Status(st)
	case "tags":
		if err := decodeStrict(v, &n.Tags); err != nil {
			return fail(err)
		}
	case "metadata", "extra":
		var m map[string]any
		if err := decodeStrict(v, &m); err != nil {
			return fail(err)
		}
		if m != nil {
			m = freeForm(m).(map[string]any)
		}
		if key == "metadata" {
			n.Metadata = m
		} else {
			n.Extra = m
		}
	case "ownership":
		var o *ownershipJSON
		if err := decodeStrict(v, &o); err != nil {
			return fail(err)
		}
		n.Ownership = o.ownership()
	case "source_binding":
		var b *bindingJSON
		if err := decodeStrict(v, &b); err != nil {
			return fail(err)
		}
		if b == nil {
			n.Binding = nil
			return nil
		}
		if strings.TrimSpace(b.Type) == "" {
			return &httpapi.FieldError{Type: "missing", Loc: []string{"body", "source_binding", "type"}, Msg: "Field required"}
		}
		var old map[string]any
		if cur != nil && cur.Binding != nil {
			old = cur.Binding.Config
		}
		var cfg any
		if b.Config != nil {
			var err *secretError
			if cfg, err = unmaskSecrets(b.Config, old, "source_binding.config"); err != nil {
				return &httpapi.FieldError{Type: "value_error", Loc: append([]string{"body"}, splitField(err.field)...), Msg: err.msg, Input: secretMask}
			}
		}
		n.Binding = b.binding(cfg)
	case "data_quality":
		var d *dataQualityJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		n.DataQuality = d.dataQuality()
	case "sla":
		var d *slaJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		n.SLA = d.sla()
	case "freshness":
		var d *freshnessJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		n.Freshness = d.freshness()
	case "schema":
		var d *schemaJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		sc, fe := d.nodeSchema()
		if fe != nil {
			return fe
		}
		n.Schema = sc
	case "access_policy":
		var d *policyJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		n.AccessPolicy = d.policy()
	case "documentation":
		var d *documentationJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		n.Documentation = d.documentation()
	}
	return nil
}

// freeForm converts a decoded free-form JSON value (numbers as
// json.Number) to the values the catalog loader produces: an integer
// becomes int (uint64 above the int range), any other number float64.
func freeForm(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := x.String()
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return int(i)
			}
			if u, err := strconv.ParseUint(s, 10, 64); err == nil {
				return u
			}
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = freeForm(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = freeForm(e)
		}
		return out
	}
	return v
}

// ---- secrets ----

// secretMask replaces the value of a secret key of source_binding.config
// in answers (DESIGN §7: no secret is ever returned). Sent back unchanged
// in a write, it keeps the stored value.
const secretMask = "********"

// secretKey reports whether a config key names a secret (the resolver's
// rule, resolve's secretKey).
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range [...]string{"password", "passwd", "secret", "token", "credential", "private_key",
		"api_key", "apikey", "api-key", "authorization", "cookie"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// maskSecrets returns v with the values of secret keys (at any depth)
// replaced by secretMask; v itself when it has none.
func maskSecrets(v any) any {
	switch x := v.(type) {
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			m := e
			if secretKey(k) && e != nil {
				m = secretMask
			} else {
				m = maskSecrets(e)
			}
			if out == nil && !reflect.DeepEqual(m, e) {
				out = make(map[string]any, len(x))
				for k2, e2 := range x {
					out[k2] = e2
				}
			}
			if out != nil {
				out[k] = m
			}
		}
		if out != nil {
			return out
		}
	case []any:
		var out []any
		for i, e := range x {
			m := maskSecrets(e)
			if out == nil && !reflect.DeepEqual(m, e) {
				out = slices.Clone(x)
			}
			if out != nil {
				out[i] = m
			}
		}
		if out != nil {
			return out
		}
	}
	return v
}

type secretError struct{ field, msg string }

// unmaskSecrets puts the stored values back where a write sent secretMask
// for a secret key; old is the stored value at the same place.
func unmaskSecrets(v, old any, at string) (any, *secretError) {
	switch x := v.(type) {
	case map[string]any:
		om, _ := old.(map[string]any)
		out := make(map[string]any, len(x))
		for k, e := range x {
			if s, ok := e.(string); ok && s == secretMask && secretKey(k) {
				prev, found := om[k]
				if !found {
					return nil, &secretError{at + "." + k, "the masked value " + secretMask + " stands for a stored secret, but none is stored here; send the value"}
				}
				out[k] = prev
				continue
			}
			u, err := unmaskSecrets(e, om[k], at+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = u
		}
		return out, nil
	case []any:
		ol, _ := old.([]any)
		out := make([]any, len(x))
		for i, e := range x {
			var o any
			if i < len(ol) {
				o = ol[i]
			}
			u, err := unmaskSecrets(e, o, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			out[i] = u
		}
		return out, nil
	}
	return v, nil
}

// jsonSafe returns v with the floats JSON cannot carry (NaN, ±Inf, which
// YAML can) written as YAML spells them (".nan", ".inf", "-.inf").
func jsonSafe(v any) any {
	switch x := v.(type) {
	case float64:
		switch {
		case math.IsNaN(x):
			return ".nan"
		case math.IsInf(x, 1):
			return ".inf"
		case math.IsInf(x, -1):
			return "-.inf"
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = jsonSafe(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonSafe(e)
		}
		return out
	}
	return v
}

// ---- the node JSON (reference §3.1, plus the fields upstream dropped) ----

// nodeJSON is a node in /config answers: every key always present.
type nodeJSON struct {
	Path               string             `json:"path"`
	DisplayName        string             `json:"display_name"`
	Description        string             `json:"description"`
	Domain             *string            `json:"domain"`
	Ownership          *ownershipJSON     `json:"ownership"`
	SourceBinding      *bindingJSON       `json:"source_binding"`
	DataQuality        *dataQualityJSON   `json:"data_quality"`
	SLA                *slaJSON           `json:"sla"`
	Freshness          *freshnessJSON     `json:"freshness"`
	Schema             *schemaJSON        `json:"schema"`
	AccessPolicy       *policyJSON        `json:"access_policy"`
	Documentation      *documentationJSON `json:"documentation"`
	Classification     string             `json:"classification"`
	Tags               []string           `json:"tags"`
	Metadata           map[string]any     `json:"metadata"`
	IsLeaf             bool               `json:"is_leaf"`
	Status             string             `json:"status"`
	DeprecationMessage *string            `json:"deprecation_message"`
	Successor          *string            `json:"successor"`
	SunsetDeadline     *string            `json:"sunset_deadline"`
	MigrationGuideURL  *string            `json:"migration_guide_url"`
	Extra              map[string]any     `json:"extra"`
}

func toNodeJSON(n *moniker.Node) nodeJSON {
	out := nodeJSON{
		Path: n.Path, DisplayName: n.EffectiveDisplayName(), Description: n.Description, Domain: strPtr(n.Domain),
		Ownership: toOwnershipJSON(&n.Ownership), SourceBinding: toBindingJSON(n.Binding),
		DataQuality: toDataQualityJSON(n.DataQuality), SLA: toSLAJSON(n.SLA), Freshness: toFreshnessJSON(n.Freshness),
		Schema: toSchemaJSON(n.Schema), AccessPolicy: toPolicyJSON(n.AccessPolicy), Documentation: toDocumentationJSON(n.Documentation),
		Classification: n.EffectiveClassification(), Tags: n.Tags, Metadata: map[string]any{}, IsLeaf: n.Binding != nil,
		Status: string(n.EffectiveStatus()), DeprecationMessage: strPtr(n.DeprecationMessage), Successor: strPtr(n.Successor),
		SunsetDeadline: strPtr(n.SunsetDeadline), MigrationGuideURL: strPtr(n.MigrationGuideURL), Extra: map[string]any{},
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if n.Metadata != nil {
		out.Metadata = jsonSafe(n.Metadata).(map[string]any)
	}
	if n.Extra != nil {
		out.Extra = jsonSafe(n.Extra).(map[string]any)
	}
	return out
}

// nodeSummary is a light GET /config/nodes?summary=true row.
type nodeSummary struct {
	Path           string   `json:"path"`
	DisplayName    string   `json:"display_name"`
	Description    string   `json:"description"`
	Domain         *string  `json:"domain"`
	Status         string   `json:"status"`
	Classification string   `json:"classification"`
	Tags           []string `json:"tags"`
	IsLeaf         bool     `json:"is_leaf"`
	SourceType     *string  `json:"source_type"`
}

func toNodeSummary(n *moniker.Node) nodeSummary {
	out := nodeSummary{Path: n.Path, DisplayName: n.EffectiveDisplayName(), Description: n.Description,
		Domain: strPtr(n.Domain), Status: string(n.EffectiveStatus()), Classification: n.EffectiveClassification(),
		Tags: n.Tags, IsLeaf: n.Binding != nil}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if n.Binding != nil {
		out.SourceType = &n.Binding.Type
	}
	return out
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ownershipJSON is a node's own ownership: the ten fields, or null when
// none is set.
type ownershipJSON struct {
	AccountableOwner *string `json:"accountable_owner"`
	DataSpecialist   *string `json:"data_specialist"`
	SupportChannel   *string `json:"support_channel"`
	ADOP             *string `json:"adop"`
	ADS              *string `json:"ads"`
	ADAL             *string `json:"adal"`
	ADOPName         *string `json:"adop_name"`
	ADSName          *string `json:"ads_name"`
	ADALName         *string `json:"adal_name"`
	UI               *string `json:"ui"`
}

func toOwnershipJSON(o *moniker.Ownership) *ownershipJSON {
	if o.Empty() {
		return nil
	}
	return &ownershipJSON{
		AccountableOwner: strPtr(o[moniker.AccountableOwner]), DataSpecialist: strPtr(o[moniker.DataSpecialist]),
		SupportChannel: strPtr(o[moniker.SupportChannel]), ADOP: strPtr(o[moniker.ADOP]), ADS: strPtr(o[moniker.ADS]),
		ADAL: strPtr(o[moniker.ADAL]), ADOPName: strPtr(o[moniker.ADOPName]), ADSName: strPtr(o[moniker.ADSName]),
		ADALName: strPtr(o[moniker.ADALName]), UI: strPtr(o[moniker.UI]),
	}
}

func (o *ownershipJSON) ownership() moniker.Ownership {
	var out moniker.Ownership
	if o == nil {
		return out
	}
	out[moniker.AccountableOwner], out[moniker.DataSpecialist], out[moniker.SupportChannel] = deref(o.AccountableOwner), deref(o.DataSpecialist), deref(o.SupportChannel)
	out[moniker.ADOP], out[moniker.ADS], out[moniker.ADAL] = deref(o.ADOP), deref(o.ADS), deref(o.ADAL)
	out[moniker.ADOPName], out[moniker.ADSName], out[moniker.ADALName] = deref(o.ADOPName), deref(o.ADSName), deref(o.ADALName)
	out[moniker.UI] = deref(o.UI)
	return out
}

// bindingJSON is a source binding. config holds the source's settings,
// secret values masked.
type bindingJSON struct {
	Type              string         `json:"type"`
	Config            map[string]any `json:"config"`
	AllowedOperations []string       `json:"allowed_operations"`
	Schema            any            `json:"schema"`
	ReadOnly          *bool          `json:"read_only"`
	Cache             *cacheJSON     `json:"cache"`
}

type cacheJSON struct {
	Enabled                *bool `json:"enabled"`
	TTLSeconds             *int  `json:"ttl_seconds"`
	RefreshIntervalSeconds *int  `json:"refresh_interval_seconds"`
	RefreshOnStartup       *bool `json:"refresh_on_startup"`
}

func toBindingJSON(b *moniker.SourceBinding) *bindingJSON {
	if b == nil {
		return nil
	}
	ro := b.ReadOnly
	out := &bindingJSON{Type: b.Type, AllowedOperations: b.AllowedOperations, Schema: jsonSafe(b.Schema), ReadOnly: &ro}
	if b.Config != nil {
		out.Config = maskSecrets(jsonSafe(b.Config)).(map[string]any)
	}
	if c := b.Cache; c != nil {
		out.Cache = &cacheJSON{Enabled: &c.Enabled, TTLSeconds: &c.TTLSeconds, RefreshIntervalSeconds: &c.RefreshIntervalSeconds, RefreshOnStartup: &c.RefreshOnStartup}
	}
	return out
}

// binding builds the node's binding from a decoded body (cfg: the config
// with masked secrets restored). Absent or null values take the loader's
// defaults.
func (b *bindingJSON) binding(cfg any) *moniker.SourceBinding {
	out := &moniker.SourceBinding{Type: b.Type, AllowedOperations: b.AllowedOperations, ReadOnly: true}
	if m, ok := cfg.(map[string]any); ok && m != nil {
		out.Config = freeForm(m).(map[string]any)
	}
	if b.Schema != nil {
		out.Schema = freeForm(b.Schema)
	}
	if b.ReadOnly != nil {
		out.ReadOnly = *b.ReadOnly
	}
	if c := b.Cache; c != nil {
		bc := &moniker.BindingCache{TTLSeconds: 3600, RefreshIntervalSeconds: 600, RefreshOnStartup: true}
		if c.Enabled != nil {
			bc.Enabled = *c.Enabled
		}
		if c.TTLSeconds != nil {
			bc.TTLSeconds = *c.TTLSeconds
		}
		if c.RefreshIntervalSeconds != nil {
			bc.RefreshIntervalSeconds = *c.RefreshIntervalSeconds
		}
		if c.RefreshOnStartup != nil {
			bc.RefreshOnStartup = *c.RefreshOnStartup
		}
		out.Cache = bc
	}
	return out
}

type dataQualityJSON struct {
	DQOwner         *string  `json:"dq_owner"`
	QualityScore    *float64 `json:"quality_score"`
	ValidationRules []string `json:"validation_rules"`
	KnownIssues     []string `json:"known_issues"`
	LastValidated   *string  `json:"last_validated"`
}

func toDataQualityJSON(d *moniker.DataQuality) *dataQualityJSON {
	if d == nil {
		return nil
	}
	out := &dataQualityJSON{DQOwner: strPtr(d.DQOwner), ValidationRules: d.ValidationRules, KnownIssues: d.KnownIssues, LastValidated: strPtr(d.LastValidated)}
	if q := d.QualityScore; q != nil && !math.IsNaN(*q) && !math.IsInf(*q, 0) {
		out.QualityScore = q
	}
	return out
}

func (d *dataQualityJSON) dataQuality() *moniker.DataQuality {
	if d == nil {
		return nil
	}
	return &moniker.DataQuality{DQOwner: deref(d.DQOwner), QualityScore: d.QualityScore, ValidationRules: d.ValidationRules,
		KnownIssues: d.KnownIssues, LastValidated: deref(d.LastValidated)}
}

type slaJSON struct {
	Freshness         *string `json:"freshness"`
	Availability      *string `json:"availability"`
	SupportHours      *string `json:"support_hours"`
	EscalationContact *string `json:"escalation_contact"`
}

func toSLAJSON(s *moniker.SLA) *slaJSON {
	if s == nil {
		return nil
	}
	return &slaJSON{strPtr(s.Freshness), strPtr(s.Availability), strPtr(s.SupportHours), strPtr(s.EscalationContact)}
}

func (s *slaJSON) sla() *moniker.SLA {
	if s == nil {
		return nil
	}
	return &moniker.SLA{Freshness: deref(s.Freshness), Availability: deref(s.Availability), SupportHours: deref(s.SupportHours), EscalationContact: deref(s.EscalationContact)}
}

type freshnessJSON struct {
	LastLoaded           *string  `json:"last_loaded"`
	RefreshSchedule      *string  `json:"refresh_schedule"`
	SourceSystem         *string  `json:"source_system"`
	UpstreamDependencies []string `json:"upstream_dependencies"`
}

func toFreshnessJSON(f *moniker.Freshness) *freshnessJSON {
	if f == nil {
		return nil
	}
	return &freshnessJSON{strPtr(f.LastLoaded), strPtr(f.RefreshSchedule), strPtr(f.SourceSystem), f.UpstreamDependencies}
}

func (f *freshnessJSON) freshness() *moniker.Freshness {
	if f == nil {
		return nil
	}
	return &moniker.Freshness{LastLoaded: deref(f.LastLoaded), RefreshSchedule: deref(f.RefreshSchedule), SourceSystem: deref(f.SourceSystem), UpstreamDependencies: f.UpstreamDependencies}
}

type columnJSON struct {
	Name         string  `json:"name"`
	Type         *string `json:"type"`
	Description  *string `json:"description"`
	SemanticType *string `json:"semantic_type"`
	Example      any     `json:"example"`
	Nullable     *bool   `json:"nullable"`
	PrimaryKey   *bool   `json:"primary_key"`
	ForeignKey   *string `json:"foreign_key"`
}

type schemaJSON struct {
	Columns         []columnJSON `json:"columns"`
	Description     *string      `json:"description"`
	SemanticTags    []string     `json:"semantic_tags"`
	PrimaryKey      []string     `json:"primary_key"`
	UseCases        []string     `json:"use_cases"`
	Examples        []string     `json:"examples"`
	RelatedMonikers []string     `json:"related_monikers"`
	Granularity     *string      `json:"granularity"`
	TypicalRowCount any          `json:"typical_row_count"`
	UpdateFrequency *string      `json:"update_frequency"`
}

func toSchemaJSON(s *moniker.NodeSchema) *schemaJSON {
	if s == nil {
		return nil
	}
	out := &schemaJSON{Description: strPtr(s.Description), SemanticTags: s.SemanticTags, PrimaryKey: s.PrimaryKey,
		UseCases: s.UseCases, Examples: s.Examples, RelatedMonikers: s.RelatedMonikers, Granularity: strPtr(s.Granularity),
		TypicalRowCount: jsonSafe(s.TypicalRowCount), UpdateFrequency: strPtr(s.UpdateFrequency)}
	if s.Columns != nil {
		out.Columns = make([]columnJSON, len(s.Columns))
		for i, c := range s.Columns {
			out.Columns[i] = columnJSON{Name: c.Name, Type: &c.Type, Description: strPtr(c.Description), SemanticType: strPtr(c.SemanticType),
				Example: jsonSafe(c.Example), Nullable: &c.Nullable, PrimaryKey: &c.PrimaryKey, ForeignKey: strPtr(c.ForeignKey)}
		}
	}
	return out
}

func (s *schemaJSON) nodeSchema() (*moniker.NodeSchema, *httpapi.FieldError) {
	if s == nil {
		return nil, nil
	}
	out := &moniker.NodeSchema{Description: deref(s.Description), SemanticTags: s.SemanticTags, PrimaryKey: s.PrimaryKey,
		UseCases: s.UseCases, Examples: s.Examples, RelatedMonikers: s.RelatedMonikers, Granularity: deref(s.Granularity),
		TypicalRowCount: freeForm(s.TypicalRowCount), UpdateFrequency: deref(s.UpdateFrequency)}
	if s.Columns != nil {
		out.Columns = make([]moniker.Column, len(s.Columns))
		for i, c := range s.Columns {
			col := moniker.Column{Name: c.Name, Type: deref(c.Type), Description: deref(c.Description), SemanticType: deref(c.SemanticType),
				Example: freeForm(c.Example), Nullable: true, ForeignKey: deref(c.ForeignKey)}
			if col.Type == "" {
				col.Type = "string"
			}
			if c.Nullable != nil {
				col.Nullable = *c.Nullable
			}
			if c.PrimaryKey != nil {
				col.PrimaryKey = *c.PrimaryKey
			}
			out.Columns[i] = col
		}
	}
	return out, nil
}

type policyJSON struct {
	RequiredSegments         []int    `json:"required_segments"`
	MinFilters               *int     `json:"min_filters"`
	BlockedPatterns          []string `json:"blocked_patterns"`
	MaxRowsWarn              *int64   `json:"max_rows_warn"`
	MaxRowsBlock             *int64   `json:"max_rows_block"`
	CardinalityMultipliers   []int64  `json:"cardinality_multipliers"`
	BaseRowCount             *int64   `json:"base_row_count"`
	RequireConfirmationAbove *int64   `json:"require_confirmation_above"`
	DenialMessage            *string  `json:"denial_message"`
	AllowedRoles             []string `json:"allowed_roles"`
	AllowedHours             []any    `json:"allowed_hours"`
}

func i64Ptr(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func toPolicyJSON(p *moniker.AccessPolicy) *policyJSON {
	if p == nil {
		return nil
	}
	mf, brc := p.MinFilters, p.BaseRowCount
	out := &policyJSON{RequiredSegments: p.RequiredSegments, MinFilters: &mf, BlockedPatterns: p.BlockedPatterns,
		MaxRowsWarn: i64Ptr(p.MaxRowsWarn), MaxRowsBlock: i64Ptr(p.MaxRowsBlock), CardinalityMultipliers: p.CardinalityMultipliers,
		BaseRowCount: &brc, RequireConfirmationAbove: i64Ptr(p.RequireConfirmationAbove), DenialMessage: strPtr(p.DenialMessage),
		AllowedRoles: p.AllowedRoles}
	if p.AllowedHours != nil {
		out.AllowedHours = jsonSafe(p.AllowedHours).([]any)
	}
	return out
}

func (p *policyJSON) policy() *moniker.AccessPolicy {
	if p == nil {
		return nil
	}
	out := &moniker.AccessPolicy{RequiredSegments: p.RequiredSegments, BlockedPatterns: p.BlockedPatterns,
		CardinalityMultipliers: p.CardinalityMultipliers, BaseRowCount: 100, DenialMessage: deref(p.DenialMessage), AllowedRoles: p.AllowedRoles}
	if len(out.RequiredSegments) == 0 {
		out.RequiredSegments = nil // the loader keeps no empty list here
	}
	if len(out.BlockedPatterns) == 0 {
		out.BlockedPatterns = nil
	}
	if p.MinFilters != nil {
		out.MinFilters = *p.MinFilters
	}
	if p.MaxRowsWarn != nil {
		out.MaxRowsWarn = *p.MaxRowsWarn
	}
	if p.MaxRowsBlock != nil {
		out.MaxRowsBlock = *p.MaxRowsBlock
	}
	if p.BaseRowCount != nil {
		out.BaseRowCount = *p.BaseRowCount
	}
	if p.RequireConfirmationAbove != nil {
		out.RequireConfirmationAbove = *p.RequireConfirmationAbove
	}
	if p.AllowedHours != nil {
		out.AllowedHours = freeForm(p.AllowedHours).([]any)
	}
	return out
}

type documentationJSON struct {
	Glossary       *string           `json:"glossary"`
	Runbook        *string           `json:"runbook"`
	Onboarding     *string           `json:"onboarding"`
	DataDictionary *string           `json:"data_dictionary"`
	APIDocs        *string           `json:"api_docs"`
	Architecture   *string           `json:"architecture"`
	Changelog      *string           `json:"changelog"`
	Contact        *string           `json:"contact"`
	Additional     map[string]string `json:"additional"`
}

func toDocumentationJSON(d *moniker.Documentation) *documentationJSON {
	if d == nil {
		return nil
	}
	return &documentationJSON{strPtr(d.Glossary), strPtr(d.Runbook), strPtr(d.Onboarding), strPtr(d.DataDictionary),
		strPtr(d.APIDocs), strPtr(d.Architecture), strPtr(d.Changelog), strPtr(d.Contact), d.Additional}
}

func (d *documentationJSON) documentation() *moniker.Documentation {
	if d == nil {
		return nil
	}
	return &moniker.Documentation{Glossary: deref(d.Glossary), Runbook: deref(d.Runbook), Onboarding: deref(d.Onboarding),
		DataDictionary: deref(d.DataDictionary), APIDocs: deref(d.APIDocs), Architecture: deref(d.Architecture),
		Changelog: deref(d.Changelog), Contact: deref(d.Contact), Additional: d.Additional}
}

// ---- source types and placeholders ----

// configField is one field of a source type's config schema for the
// editor: type is string, number, sql, text, json or select.
type configField struct {
	Type        string   `json:"type"`
	Required    bool     `json:"required"`
	Description string   `json:"description"`
	Options     []string `json:"options,omitempty"`
}

// sourceType is one GET /config/source-types entry.
type sourceType struct {
	Type          string                 `json:"type"`
	DisplayName   string                 `json:"display_name"`
	ConfigSchema  map[string]configField `json:"config_schema"`
	ExecutionMode string                 `json:"execution_mode"`
	ExecutionHint string                 `json:"execution_hint"`
}

// Placeholder describes one query-template placeholder the resolver
// renders (internal/query): GET /config/source-types lists them for the
// Config UI's reference panel.
type Placeholder struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Example     string `json:"example"`
}

// TemplatePlaceholders returns every placeholder internal/query renders,
// in reference §6.7 order (a test checks the table against query.Compile
// and query's own list of names).
func TemplatePlaceholders() []Placeholder { return slices.Clone(placeholders) }

// placeholders is the table TemplatePlaceholders returns.
var placeholders = []Placeholder{
	{"{segments[N]}", "Path segment N below the bound node (0-based); empty when out of range.", "SELECT * FROM PRICES WHERE symbol = '{segments[0]}'"},
	{"{segments[N]:date}", "Segment N as YYYY-MM-DD when it is 8 digits, else as is.", "'{segments[1]:date}'"},
	{"{segment_date_sql[N]}", "Segment N as the dialect's date literal when it is 8 digits, else quoted; NULL when out of range.", "asof = {segment_date_sql[1]}"},
	{"{is_all[N]}", "true when segment N is ALL (any case), else false.", "{is_all[0]}"},
	{"{filter[N]:COL}", "COL = '<segment N>', or the dialect's no-filter (1=1) when the segment is ALL or missing.", "WHERE {filter[0]:currency}"},
	{"{date_filter:COL}", "A filter on COL from the version: a lookback start, a date, or no filter.", "WHERE {date_filter:ASOF_DATE}"},
	{"{path}", "The path below the bound node.", "/v1/{path}"},
	{"{version}", "The raw @version, or empty.", "'{version}'"},
	{"{version_date}", "The version as the dialect's date (no version: the current date; latest: '__LATEST__').", "asof = {version_date}"},
	{"{revision}", "The /vN revision number, or empty.", "rev = {revision}"},
	{"{namespace}", "The ns@ namespace, or empty.", "'{namespace}'"},
	{"{moniker}", "The canonical moniker string.", "'{moniker}'"},
	{"{sub_resource}", "The dotted part after @version/, or empty.", "'{sub_resource}'"},
	{"{version_type}", "date, latest, lookback, frequency, all, custom, previous, or empty.", "'{version_type}'"},
	{"{is_date}", "true when the version is a date.", "{is_date}"},
	{"{is_latest}", "true when the version is latest.", "{is_latest}"},
	{"{is_lookback}", "true when the version is a lookback (3M, 1Y). Alias {is_tenor}.", "{is_lookback}"},
	{"{is_tenor}", "Alias of {is_lookback}.", "{is_tenor}"},
	{"{is_frequency}", "true when the version is daily, weekly or monthly.", "{is_frequency}"},
	{"{is_all}", "true when the version is all.", "{is_all}"},
	{"{lookback_value}", "The lookback's number (3 of 3M), or empty. Alias {tenor_value}.", "{lookback_value}"},
	{"{tenor_value}", "Alias of {lookback_value}.", "{tenor_value}"},
	{"{lookback_unit}", "The lookback's unit (Y, M, W, D), or empty. Alias {tenor_unit}.", "'{lookback_unit}'"},
	{"{tenor_unit}", "Alias of {lookback_unit}.", "'{tenor_unit}'"},
	{"{frequency}", "The frequency version (daily, weekly, monthly), or empty.", "'{frequency}'"},
	{"{current_date}", "The dialect's current date.", "asof = {current_date}"},
	{"{lookback_start_sql}", "The dialect's start date of a lookback, or empty.", "asof >= {lookback_start_sql}"},
	{"{date_value}", "The raw date@ value, or empty.", "'{date_value}'"},
	{"{date_sql}", "The date@ value as the dialect's date expression, or empty.", "asof = {date_sql}"},
}

// Config schema field shorthands.
func cfgStr(desc string) configField { return configField{Type: "string", Description: desc} }
func cfgReq(desc string) configField {
	return configField{Type: "string", Required: true, Description: desc}
}
func cfgNum(desc string) configField  { return configField{Type: "number", Description: desc} }
func cfgJSON(desc string) configField { return configField{Type: "json", Description: desc} }
func cfgSel(desc string, opts ...string) configField {
	return configField{Type: "select", Description: desc, Options: opts}
}

var (
	cfgQuery    = configField{Type: "sql", Description: "Query template; placeholders such as {segments[0]} are rendered per moniker."}
	cfgTable    = cfgStr("Table to read (SELECT * FROM <table>) when there is no query.")
	cfgSegments = cfgStr("Comma-separated names of the path segments below the node (a hint for the placeholder helper).")
)

// sourceTypes is the GET /config/source-types table, one entry per
// moniker.SourceTypes value (a test checks that they agree).
var sourceTypes = map[string]sourceType{
	"snowflake": {"snowflake", "Snowflake", map[string]configField{
		"account": cfgReq("Snowflake account identifier"), "warehouse": cfgReq("Virtual warehouse"), "database": cfgReq("Database"),
		"schema": cfgStr("Schema (default PUBLIC)"), "role": cfgStr("Role"), "segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "client", "The client connects to Snowflake itself and runs the rendered query."},
	"oracle": {"oracle", "Oracle", map[string]configField{
		"dsn": cfgStr("Data source name (instead of host/port/service_name)"), "host": cfgStr("Host"), "port": cfgNum("Port (1521)"),
		"service_name": cfgStr("Service name"), "segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "client", "The client connects to Oracle itself and runs the rendered query."},
	"mssql": {"mssql", "Microsoft SQL Server", map[string]configField{
		"server": cfgReq("Server host name"), "port": cfgNum("Port (default 1433)"), "database": cfgReq("Database"),
		"driver": cfgStr("ODBC driver name (default ODBC Driver 18 for SQL Server)"), "segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "client", "The client connects to SQL Server itself and runs the rendered query (T-SQL date literals)."},
	"rest": {"rest", "REST API", map[string]configField{
		"base_url":      {Type: "string", Required: true, Description: "Absolute http(s) URL of the API"},
		"path_template": {Type: "string", Required: true, Description: "Path template appended to base_url (default /{path})"},
		"method":        cfgSel("HTTP method", "GET", "POST", "PUT", "DELETE"),
		"auth_type":     cfgSel("Authentication", "none", "bearer", "api_key", "basic"),
		"headers":       cfgJSON("Request headers (secret values are never returned)"),
		"query_params":  cfgJSON("Query parameters; string values are templates"),
		"response_path": cfgStr("Where the records are in the response"),
	}, "server", "The service calls the API with the rendered path and returns the records."},
	"static": {"static", "Static Files", map[string]configField{
		"base_path": cfgReq("Folder of the files"), "file_pattern": {Type: "string", Required: true, Description: "File name template (default {path}.json)"},
		"format": cfgSel("File format", "json", "csv", "parquet"), "encoding": cfgStr("Text encoding (utf-8)"),
	}, "server", "The service reads the file named by the rendered pattern."},
	"excel": {"excel", "Excel", map[string]configField{
		"base_path": cfgReq("Folder of the workbooks"), "file_pattern": {Type: "string", Required: true, Description: "Workbook name template (default {path}.xlsx)"},
		"sheet": cfgStr("Sheet name"), "header_row": cfgNum("Header row (1)"),
	}, "server", "The service reads the sheet of the workbook named by the rendered pattern."},
	"bloomberg": {"bloomberg", "Bloomberg", map[string]configField{
		"host": cfgStr("B-PIPE/Terminal host (localhost)"), "port": cfgNum("Port (8194)"), "api_type": cfgSel("API", "blpapi", "bqnt"),
		"securities": cfgStr("Securities template (default {path})"), "fields": cfgJSON("Fields to request (default [\"PX_LAST\"])"),
	}, "client", "The client requests the data through its own Bloomberg session."},
	"refinitiv": {"refinitiv", "Refinitiv", map[string]configField{
		"api_type": cfgSel("API", "eikon", "rdp"), "instruments": cfgStr("Instruments template (default {path})"), "fields": cfgJSON("Fields to request"),
	}, "client", "The client requests the data through its own Refinitiv session."},
	"opensearch": {"opensearch", "OpenSearch", map[string]configField{
		"hosts": {Type: "json", Required: true, Description: "Host URLs"}, "index": cfgReq("Index"),
		"query": {Type: "text", Description: "Query DSL template (JSON braces are kept as they are)"},
	}, "server", "The service runs the rendered query against the index."},
	"composite": {"composite", "Composite", map[string]configField{
		"sources": {Type: "json", Required: true, Description: "Monikers to combine"}, "join_strategy": cfgSel("How to combine", "merge", "union", "join"),
	}, "server", "The service combines the results of other monikers."},
	"derived": {"derived", "Derived", map[string]configField{
		"source_moniker": cfgReq("Moniker the data is derived from"), "transform": {Type: "text", Description: "Transformation"},
	}, "server", "The service derives the data from another moniker."},
	"fred": {"fred", "FRED (St. Louis Fed)", map[string]configField{
		"base_url": cfgStr("API URL (https://api.stlouisfed.org/fred/series/observations)"), "series_ids": cfgJSON("Series ids by name, e.g. {\"10Y\": \"DGS10\"}"),
		"auth": cfgSel("Authentication", "none", "api_key"), "docs": cfgStr("Documentation link"),
	}, "server", "The service fetches the series from the FRED API."},
	"yfinance": {"yfinance", "Yahoo Finance", map[string]configField{
		"tickers": cfgJSON("Ticker symbols, or a template such as {segments[0]}"), "interval": cfgSel("Bar interval", "1d", "1wk", "1mo"),
		"period": cfgStr("History period (e.g. 1y)"),
	}, "server", "The service fetches prices from Yahoo Finance."},
	"postgres": {"postgres", "PostgreSQL", map[string]configField{
		"host": cfgReq("Host"), "port": cfgNum("Port (5432)"), "database": cfgReq("Database"), "schema": cfgStr("Schema (public)"),
		"user":    cfgStr("User (the password comes from the service's secret store, never the catalog)"),
		"sslmode": cfgSel("TLS", "disable", "require", "verify-ca", "verify-full"), "segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "server", "The service runs the rendered query through its PostgreSQL driver."},
	"mysql": {"mysql", "MySQL / MariaDB", map[string]configField{
		"host": cfgReq("Host"), "port": cfgNum("Port (3306)"), "database": cfgReq("Database"),
		"user":          cfgStr("User (the password comes from the service's secret store, never the catalog)"),
		"segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "server", "The service runs the rendered query through its MySQL driver."},
	"sqlite": {"sqlite", "SQLite", map[string]configField{
		"path": cfgReq("Database file"), "segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "server", "The service runs the rendered query on the SQLite file."},
}

// configSourceTypes is GET /config/source-types (reference §3.10): the
// config schema of every source type, in moniker.SourceTypes order, and
// the placeholders query templates may use.
func (s *Server) configSourceTypes() http.Handler {
	list := make([]sourceType, 0, len(moniker.SourceTypes))
	for _, t := range moniker.SourceTypes {
		st, ok := sourceTypes[t]
		if !ok {
			st = sourceType{Type: t, DisplayName: t, ConfigSchema: map[string]configField{}, ExecutionMode: "server"}
		}
		list = append(list, st)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteJSON(w, http.StatusOK, struct {
			SourceTypes  []sourceType  `json:"source_types"`
			Placeholders []Placeholder `json:"placeholders"`
		}{list, placeholders})
	})
}
