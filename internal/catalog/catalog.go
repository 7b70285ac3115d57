// Package catalog loads catalog and domain YAML files into an immutable,
// indexed snapshot of moniker.Node values.
//
// Load and LoadBytes read catalog files (streamed, split into top-level
// entries and parsed in parallel, so a million-node file loads in bounded
// memory); New indexes nodes built in code. A Catalog answers, without a
// scan of all nodes per request: Get, Children and ChildNames (hierarchy
// under moniker.Parent), Roots, Page (the /catalog listing), Search (an
// n-gram index), Stats and StatusCounts. LoadDomains reads domains.yaml.
// Check validates files for `moniker catalog check`.
package catalog

import (
	"sync"
	"time"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// Catalog is an immutable, indexed set of nodes. It is safe for concurrent
// use by any number of readers; nothing mutates it after New returns.
type Catalog struct {
	nodes  []*moniker.Node          // load order; nodes[i].Index == i
	byPath map[string]*moniker.Node // exact path -> node

	tree   map[string]*childList // parent path -> its node children
	paging pageIndex
	search *searchIndex
	stats  Stats

	// Set by the loader; zero for catalogs built with New.
	version  string
	loadedAt time.Time
	files    []string
	spans    []spanRec         // parallel to nodes; nil for New
	shadow   map[string][]Span // earlier entries of duplicated keys
}

// New indexes nodes (already de-duplicated, in load order). It sets each
// node's Index. Building the indexes is O(n log n); nodes must not be
// changed afterwards.
func New(nodes []*moniker.Node) *Catalog {
	byPath := make(map[string]*moniker.Node, len(nodes))
	for i, n := range nodes {
		n.Index = i
		byPath[n.Path] = n
	}
	return build(nodes, byPath)
}

// build indexes nodes whose Index fields are set, with byPath already
// mapping each path to its node.
func build(nodes []*moniker.Node, byPath map[string]*moniker.Node) *Catalog {
	c := &Catalog{nodes: nodes, byPath: byPath}
	var wg sync.WaitGroup
	wg.Go(func() { c.search = buildSearch(nodes) })
	c.tree = buildTree(nodes)
	c.paging = buildPaging(nodes)
	c.stats = buildStats(nodes)
	wg.Wait()
	return c
}

// Get returns the node at exactly path, or nil.
func (c *Catalog) Get(path string) *moniker.Node { return c.byPath[path] }

// Nodes returns every node in load order. The slice must not be modified.
func (c *Catalog) Nodes() []*moniker.Node { return c.nodes }

// Len returns the number of nodes.
func (c *Catalog) Len() int { return len(c.nodes) }

// Version identifies the loaded content: the first 12 hex digits of the
// SHA-256 of all loaded files' bytes, in load order. It is "" for a
// catalog built with New.
func (c *Catalog) Version() string { return c.version }

// LoadedAt is when the load that built the catalog started (zero for New).
func (c *Catalog) LoadedAt() time.Time { return c.loadedAt }

// Files lists the files loaded, in load order (a directory gives its
// files). The slice must not be modified.
func (c *Catalog) Files() []string { return c.files }

// Span locates the text of one top-level entry in its source file, for a
// writer that rewrites only changed nodes and keeps everything else of the
// file byte for byte.
//
// [Start, End) covers the key line through the entry's last content line
// (its line break included). Blank lines and column-0 comments after
// that, up to the next key, are outside every span: they belong to no
// node (a comment that introduces the next entry stays where it is).
type Span struct {
	File  string
	Line  int   // 1-based line of the key
	Start int64 // byte offset of the key line
	End   int64 // byte offset just past the entry's last content line
}

// spanRec is Span stored compactly (one per node).
type spanRec struct {
	start, end int64 // start < 0: no span
	file       int32 // index into Catalog.files
}

// Spans returns where the entries for path are in the files: every entry
// with this key, in load order, the last one being the live node (earlier
// ones were overridden by a duplicate key or a later file). It returns
// nil when the node has no span: built with New, or from a file that had
// to be parsed whole (JSON, flow style, anchors used across entries),
// which a writer must rewrite whole.
func (c *Catalog) Spans(path string) []Span {
	n := c.byPath[path]
	if n == nil || c.spans == nil {
		return nil
	}
	r := c.spans[n.Index]
	if r.start < 0 {
		return nil
	}
	out := append([]Span(nil), c.shadow[path]...)
	return append(out, Span{File: c.files[r.file], Line: n.Line, Start: r.start, End: r.end})
}
