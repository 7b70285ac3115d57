package catalogedit

import (
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// Options configure an Editor.
type Options struct {
	// Audit receives a node_created, node_updated or node_deleted entry
	// per node a Save or Commit wrote; nil records nothing.
	Audit *audit.Log
	// Log is the logger; nil discards.
	Log *slog.Logger
	// Now is the clock of the audit entries and of a status change's
	// updated_at; nil means time.Now.
	Now func() time.Time
}

// Editor is the management working copy of the catalog. It is safe for
// concurrent use.
type Editor struct {
	path string
	opts Options
	log  *slog.Logger

	// writeMu serialises the file writers (Save, Commit, Reload); mu
	// guards the state below and is never held during file I/O by them.
	writeMu sync.Mutex
	mu      sync.Mutex
	base    *base
	changes map[string]*change
	view    *catalog.Catalog // the working copy; nil: build on next use
}

// change is this instance's unsaved change of one node.
type change struct {
	node *moniker.Node // nil: deleted
	text []byte        // catalog.MarshalNode(node); nil for a deletion
	etag string
	// entries are the node's disk entries when it was first changed (the
	// live one last); none for a node that did not exist on disk. A save
	// refuses the change when the disk no longer has them.
	entries []entry
	actor   string
}

// Open reads the catalog at path: a catalog file, or a folder of them
// (see the package comment). A file that does not exist is an empty
// catalog, created by the first save. It fails when a file does not load.
func Open(path string, opts Options) (*Editor, error) {
	b, err := readBase(path)
	if err != nil {
		return nil, err
	}
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	return &Editor{path: path, opts: opts, log: log.With("component", "catalogedit"), base: b, changes: map[string]*change{}}, nil
}

// Path returns the catalog path the editor was opened with.
func (e *Editor) Path() string { return e.path }

// Files returns the catalog files (a file that does not exist yet
// included), in load order.
func (e *Editor) Files() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([]string, 0, len(e.base.files)+1)
	for _, f := range e.base.files {
		out = append(out, f.name)
	}
	if !slices.Contains(out, e.base.newFile.name) {
		out = append(out, e.base.newFile.name)
	}
	return out
}

// Version identifies the disk base: yamlfile.Hash of the catalog file, or
// for a folder a hash over its files' names and hashes. It changes with
// every save, commit or reload that sees different files.
func (e *Editor) Version() string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.base.version
}

// View returns the working copy (the base with this instance's unsaved
// changes) as an immutable catalog. Without unsaved changes it is the
// base catalog itself. After a change it is rebuilt on the next call:
// every node is copied and re-indexed (catalog.New), which for a
// 100,000-node catalog costs about 0.4 s and 77 MB of garbage on a
// two-core machine (BenchmarkView100k); reads by path (Get) never need
// it, and a save makes the saved file the base again.
func (e *Editor) View() *catalog.Catalog {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.viewLocked()
}

func (e *Editor) viewLocked() *catalog.Catalog {
	if e.view != nil {
		return e.view
	}
	if len(e.changes) == 0 {
		e.view = e.base.catalog()
		return e.view
	}
	var added []*moniker.Node
	for p, c := range e.changes {
		if c.node != nil && e.base.byPath[p] == nil {
			added = append(added, c.node)
		}
	}
	slices.SortFunc(added, func(a, b *moniker.Node) int { return strings.Compare(a.Path, b.Path) })
	e.view = catalog.New(copyNodes(e.base.nodes, e.changes, added))
	return e.view
}

// Get returns the working copy's node at exactly path and its ETag. The
// node must not be modified.
func (e *Editor) Get(path string) (n *moniker.Node, etag string, ok bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.current(path)
}

// current is Get with e.mu held.
func (e *Editor) current(path string) (*moniker.Node, string, bool) {
	if c, ok := e.changes[path]; ok {
		if c.node == nil {
			return nil, "", false
		}
		return c.node, c.etag, true
	}
	n := e.base.byPath[path]
	if n == nil {
		return nil, "", false
	}
	if t, ok := e.base.liveText(path); ok {
		return n, yamlfile.Hash(t), true
	}
	return n, yamlfile.Hash(catalog.MarshalNode(nil, n)), true
}

// Pending returns the paths with unsaved changes, sorted.
func (e *Editor) Pending() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return sortedKeys(e.changes)
}

// Discard drops the unsaved changes of paths (of every path when none is
// given) and returns the paths it dropped, sorted.
func (e *Editor) Discard(paths ...string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(paths) == 0 {
		paths = sortedKeys(e.changes)
	}
	var out []string
	for _, p := range paths {
		if _, ok := e.changes[p]; ok {
			delete(e.changes, p)
			out = append(out, p)
		}
	}
	if len(out) > 0 {
		e.view = nil
	}
	slices.Sort(out)
	return out
}

// Children returns the paths of the working copy's direct children of
// path (under moniker.Parent), sorted.
func (e *Editor) Children(path string) []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.children(path)
}

func (e *Editor) children(path string) []string {
	var out []string
	for _, n := range e.base.catalog().Children(path) {
		if c, ok := e.changes[n.Path]; ok && c.node == nil {
			continue
		}
		out = append(out, n.Path)
	}
	for p, c := range e.changes {
		if c.node != nil && e.base.byPath[p] == nil && moniker.Parent(p) == path {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// preconditionFailed is the moniker.ErrPrecondition error of an If-Match
// value that does not match the node's current ETag.
func preconditionFailed(path, ifMatch, etag string) error {
	return moniker.Errorf(moniker.ErrPrecondition, "If-Match %s does not match the current ETag %q of %s", ifMatch, etag, path)
}

func notFound(path string) error {
	return moniker.Errorf(moniker.ErrNotFound, "Node not found: %s", path)
}
