package catalogedit

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// file is one catalog file as last read or written.
type file struct {
	name   string
	data   []byte
	exists bool
	// keyed is the file split into entries; nil when it cannot be split
	// (splitErr says why), and then its nodes cannot be edited.
	keyed    *yamlfile.Keyed
	splitErr error
	cat      *catalog.Catalog
	// keys maps a node path to the file's top-level keys for it, in file
	// order (a key may carry a leading or trailing "/" the loader trims).
	keys map[string][]string
}

// readFile reads and parses one catalog file; a missing file is empty.
func readFile(name string) (*file, error) {
	data, _, exists, err := yamlfile.ReadFile(name)
	if err != nil {
		return nil, err
	}
	return parseFile(name, data, exists, nil, nil)
}

// parseFile builds a file from its bytes; cat and k, when not nil, are
// data already parsed and split.
func parseFile(name string, data []byte, exists bool, cat *catalog.Catalog, k *yamlfile.Keyed) (*file, error) {
	f := &file{name: name, data: data, exists: exists}
	if cat == nil {
		var err error
		if cat, _, err = catalog.LoadBytes(name, data); err != nil {
			return nil, err
		}
	}
	f.cat = cat
	if k != nil {
		f.keyed = k
	} else {
		f.keyed, f.splitErr = yamlfile.SplitKeyed(data)
	}
	if f.splitErr == nil && !splitByLoader(cat) {
		f.splitErr = errNotSplitByLoader
	}
	if f.splitErr != nil {
		f.keyed = nil
		return f, nil
	}
	// keys: per path its distinct raw keys, ordered by their last entry
	// (so the last is the live entry's key).
	f.keys = make(map[string][]string, len(f.keyed.Entries))
	for i := len(f.keyed.Entries) - 1; i >= 0; i-- {
		k := f.keyed.Entries[i].Key
		if p := strings.Trim(k, "/"); p != "" && !slices.Contains(f.keys[p], k) {
			f.keys[p] = append(f.keys[p], k)
		}
	}
	for _, ks := range f.keys {
		slices.Reverse(ks)
	}
	return f, nil
}

// errNotSplitByLoader: the loader parsed the file whole because an entry
// does not parse on its own (an anchor defined in another entry, a quoted
// scalar continued at column 0), so the entries the keyed save would
// replace are not the nodes the loader read.
var errNotSplitByLoader = errors.New("its entries do not parse on their own")

// splitByLoader reports whether the loader read cat (one file) entry by
// entry: then its nodes have spans, and the loader and the keyed save
// (both cut the file with yamlfile's splitter) see the same entries.
func splitByLoader(cat *catalog.Catalog) bool {
	return cat.Len() == 0 || cat.Spans(cat.Nodes()[0].Path) != nil
}

// editable reports why the file's nodes cannot be edited, or nil.
func (f *file) editable() error {
	if f.keyed == nil {
		return moniker.Errorf(moniker.ErrNotImplemented,
			"%s cannot be edited node by node (%v); convert it to a plain YAML block mapping", filepath.Base(f.name), f.splitErr)
	}
	return nil
}

// entry is one top-level entry of a file for a node path.
type entry struct {
	file string // file name
	key  string // the raw top-level key
	text []byte // the entry text (nil for a file that cannot be split)
}

// base is the catalog as on disk: its files, merged as catalog.Load
// merges them.
type base struct {
	dir   bool
	files []*file // load order
	// newFile is the file new nodes go to.
	newFile *file
	nodes   []*moniker.Node // merged, load order (never handed out to be indexed)
	byPath  map[string]*moniker.Node
	live    map[string]*file // path -> the file of its live entry
	version string
	// view is the base as a catalog: the single file's own catalog, or
	// for a folder the merged nodes indexed (built on first use).
	view *catalog.Catalog
}

// readBase reads the catalog at path: a folder when path is a folder,
// otherwise one file (which may not exist yet).
func readBase(path string) (*base, error) {
	st, err := os.Stat(path)
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err == nil && st.IsDir() {
		names, err := dirFiles(path)
		if err != nil {
			return nil, err
		}
		files := make([]*file, 0, len(names))
		var errs []error
		for _, n := range names {
			f, err := readFile(n)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			files = append(files, f)
		}
		if len(errs) > 0 {
			return nil, errors.Join(errs...)
		}
		return newBase(true, files, filepath.Join(path, "catalog.yaml")), nil
	}
	f, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return newBase(false, []*file{f}, path), nil
}

// newBase merges files. For a folder, new nodes go to the last YAML file
// that can be split into entries, else to fallback (created on save).
func newBase(dir bool, files []*file, fallback string) *base {
	b := &base{dir: dir, files: files, byPath: map[string]*moniker.Node{}, live: map[string]*file{}}
	if !dir {
		b.newFile = files[0]
	} else {
		for i := len(files) - 1; i >= 0; i-- {
			if f := files[i]; f.keyed != nil && isYAML(f.name) {
				b.newFile = f
				break
			}
		}
		if b.newFile == nil {
			b.newFile = &file{name: fallback, keyed: &yamlfile.Keyed{}, keys: map[string][]string{}}
		}
	}
	pos := map[string]int{}
	for _, f := range files {
		for _, n := range f.cat.Nodes() {
			if i, ok := pos[n.Path]; ok {
				b.nodes[i] = n
			} else {
				pos[n.Path] = len(b.nodes)
				b.nodes = append(b.nodes, n)
			}
			b.byPath[n.Path] = n
			b.live[n.Path] = f
		}
	}
	if !dir {
		b.version = yamlfile.Hash(files[0].data)
		b.view = files[0].cat
	} else {
		var sb strings.Builder
		for _, f := range files {
			fmt.Fprintf(&sb, "%s\x00%s\n", filepath.Base(f.name), yamlfile.Hash(f.data))
		}
		b.version = yamlfile.Hash([]byte(sb.String()))
	}
	return b
}

// withFiles returns a base with some files replaced (by name) by newer
// versions; a replacement for a file the base does not list (the folder's
// new catalog.yaml) is added in load order.
func (b *base) withFiles(repl map[string]*file) *base {
	files := slices.Clone(b.files)
	for name, f := range repl {
		i := slices.IndexFunc(files, func(x *file) bool { return x.name == name })
		if i >= 0 {
			files[i] = f
			continue
		}
		files = append(files, f)
	}
	if b.dir {
		slices.SortStableFunc(files, func(x, y *file) int { return compareLoadOrder(x.name, y.name) })
	}
	fallback := b.newFile.name
	return newBase(b.dir, files, fallback)
}

// file returns the base's file called name, or nil.
func (b *base) file(name string) *file {
	for _, f := range b.files {
		if f.name == name {
			return f
		}
	}
	if b.newFile.name == name {
		return b.newFile
	}
	return nil
}

// entries returns every entry for path on disk, in load order (the live
// one last).
func (b *base) entries(path string) []entry {
	var out []entry
	for _, f := range b.files {
		if f.keyed == nil {
			if f.cat.Get(path) != nil {
				out = append(out, entry{file: f.name, key: path})
			}
			continue
		}
		for _, k := range f.keys[path] {
			t, _ := f.keyed.Get(k)
			out = append(out, entry{file: f.name, key: k, text: t})
		}
	}
	return out
}

// liveText returns the text of path's live entry; ok is false when the
// node is not on disk or its file cannot be split.
func (b *base) liveText(path string) ([]byte, bool) {
	f := b.live[path]
	if f == nil || f.keyed == nil {
		return nil, false
	}
	ks := f.keys[path]
	if len(ks) == 0 {
		return nil, false
	}
	return f.keyed.Get(ks[len(ks)-1])
}

// catalog returns the base as a catalog.
func (b *base) catalog() *catalog.Catalog {
	if b.view == nil {
		b.view = catalog.New(copyNodes(b.nodes, nil, nil))
	}
	return b.view
}

// copyNodes returns shallow copies of nodes (catalog.New sets Index on
// the nodes it indexes, and the originals are shared with readers of
// earlier catalogs), with changed nodes replaced or dropped and added
// nodes appended.
func copyNodes(nodes []*moniker.Node, changed map[string]*change, added []*moniker.Node) []*moniker.Node {
	out := make([]*moniker.Node, 0, len(nodes)+len(added))
	all := make([]moniker.Node, 0, len(nodes)+len(added))
	for _, n := range nodes {
		if c, ok := changed[n.Path]; ok {
			if c.node == nil {
				continue
			}
			n = c.node
		}
		all = append(all, *n)
		out = append(out, &all[len(all)-1])
	}
	for _, n := range added {
		all = append(all, *n)
		out = append(out, &all[len(all)-1])
	}
	return out
}

// dirFiles lists a catalog folder as catalog.Load does: *.yaml sorted,
// then *.yml, then *.json.
func dirFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if e.Type().IsRegular() && loadRank(e.Name()) >= 0 {
			out = append(out, filepath.Join(dir, e.Name()))
		}
	}
	slices.SortFunc(out, compareLoadOrder)
	return out, nil
}

// loadRank orders files by extension as catalog.Load does; -1 for a file
// it does not load.
func loadRank(name string) int {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".yaml":
		return 0
	case ".yml":
		return 1
	case ".json":
		return 2
	}
	return -1
}

func compareLoadOrder(a, b string) int {
	if d := loadRank(a) - loadRank(b); d != 0 {
		return d
	}
	return strings.Compare(filepath.Base(a), filepath.Base(b))
}

func isYAML(name string) bool { r := loadRank(name); return r == 0 || r == 1 }
