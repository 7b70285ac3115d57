package managementapi

import (
	"bufio"
	"fmt"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
)

// ---- reads ----

// configList is GET /config/nodes: every node of the working copy in
// path order, `{"nodes": [...], "total": N}`; offset and limit (0 = all,
// at most 50000) page it, summary=true gives light rows (HEAD). With
// parent (summary rows only) it lists the direct children of that path
// instead ("" = the top level), virtual ones included, each with its
// child count: what the Config UI's tree opens with and expands on.
func (s *Server) configList(idx *childIndex) func(*catalogedit.Editor, http.ResponseWriter, *http.Request) {
	return func(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
		offset, ok := httpapi.QueryInt(w, r, "offset", 0, 0, math.MaxInt32)
		if !ok {
			return
		}
		limit, ok := httpapi.QueryInt(w, r, "limit", 0, 0, configMaxLimit)
		if !ok {
			return
		}
		summary, ok := httpapi.QueryBool(w, r, "summary")
		if !ok {
			return
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
		var b []byte
		for i, p := range paths {
			b = b[:0]
			if i > 0 {
				b = append(b, ',')
			}
			n := cat.Get(p)
			switch {
			case children:
				b = appendSummary(b, p, n)
				b = append(b, `,"virtual":`...)
				b = appendBool(b, n == nil)
				b = append(b, `,"child_count":`...)
				b = strconv.AppendInt(b, int64(len(kids[p])), 10)
				b = append(b, '}')
			case summary:
				b = append(appendSummary(b, p, n), '}')
			default:
				b = appendNode(b, n)
			}
			bw.Write(b)
		}
		fmt.Fprintf(bw, `],"total":%d}`+"\n", total)
		if err := bw.Flush(); err != nil {
			s.log.Debug("writing /config/nodes", "err", err)
		}
	}
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
	limit, ok := httpapi.QueryInt(w, r, "limit", 0, 0, configSearchLimit)
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
		httpapi.WriteError(w, s.log, moniker.Errorf(moniker.ErrNotFound, "Node not found: %s", path))
		return
	}
	w.Header().Set("ETag", `"`+etag+`"`)
	b := appendNode(append(make([]byte, 0, 4096), `{"node":`...), n)
	b = appendMarshal(append(b, `,"resolved_ownership":`...), s.resolvedOwnership(ed, path))
	httpapi.WriteRaw(w, http.StatusOK, append(b, "}\n"...))
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
