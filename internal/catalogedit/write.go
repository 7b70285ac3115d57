package catalogedit

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// Patch is a partial node: the fields listed in Set take their values
// from Node, every other field of the node is kept. A listed field whose
// value in Node is the zero value (nil, "") is cleared. Objects are
// replaced whole: a patch of "ownership" replaces all ten ownership
// fields. Set holds keys of Fields.
type Patch struct {
	Set  []string
	Node moniker.Node
}

// apply returns a copy of n with p applied.
func (p *Patch) apply(n *moniker.Node) (*moniker.Node, error) {
	out := *n
	for _, k := range p.Set {
		f, ok := field(k)
		switch {
		case !ok:
			return nil, moniker.Invalid(k, "unknown field", nil)
		case f == nil:
			out.Extra = p.Node.Extra
		default:
			f.Copy(&out, &p.Node)
		}
	}
	return &out, nil
}

// Create adds n to the working copy and returns its ETag. It fails with
// moniker.ErrConflict when the path exists in the working copy, and with
// a *moniker.ValidationError when n is invalid (its path included). The editor
// keeps a copy of n normalised to what a save will write; n must not be
// modified afterwards (its maps and slices are shared).
func (e *Editor) Create(_ context.Context, n *moniker.Node, actor string) (etag string, err error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if _, _, ok := e.current(n.Path); ok {
		return "", moniker.Errorf(moniker.ErrConflict, "Node already exists: %s", n.Path)
	}
	m := *n
	normalize(&m)
	if err := validate(nil, &m); err != nil {
		return "", err
	}
	c, err := e.record(n.Path, &m, actor)
	if err != nil {
		return "", err
	}
	return c.etag, nil
}

// Update applies patch to the working copy's node at path and returns the
// node and its ETag. ifMatch is an If-Match header value ("" = no check);
// a mismatch fails with moniker.ErrPrecondition. A missing node fails with
// moniker.ErrNotFound, an invalid result with a *moniker.ValidationError naming
// the field. Only the values the patch changes are validated. A patch
// that changes nothing records no change.
func (e *Editor) Update(_ context.Context, path string, patch Patch, ifMatch, actor string) (*moniker.Node, string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	cur, etag, ok := e.current(path)
	if !ok {
		return nil, "", notFound(path)
	}
	if !moniker.MatchETag(ifMatch, etag) {
		return nil, "", preconditionFailed(path, ifMatch, etag)
	}
	m, err := patch.apply(cur)
	if err != nil {
		return nil, "", err
	}
	normalize(m)
	if len(changedFields(cur, m)) == 0 {
		return cur, etag, nil
	}
	if err := validate(cur, m); err != nil {
		return nil, "", err
	}
	c, err := e.record(path, m, actor)
	if err != nil {
		return nil, "", err
	}
	if c == nil { // back to the disk state
		n, t, _ := e.current(path)
		return n, t, nil
	}
	return c.node, c.etag, nil
}

// Delete removes the node at path from the working copy. It fails with
// moniker.ErrNotFound when there is none, moniker.ErrPrecondition when ifMatch
// does not match, and a *moniker.ChildrenError (moniker.ErrInvalid) when the node
// has children in the working copy.
func (e *Editor) Delete(_ context.Context, path, ifMatch, actor string) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	_, etag, ok := e.current(path)
	if !ok {
		return notFound(path)
	}
	if !moniker.MatchETag(ifMatch, etag) {
		return preconditionFailed(path, ifMatch, etag)
	}
	if kids := e.children(path); len(kids) > 0 {
		return &moniker.ChildrenError{Path: path, Children: kids}
	}
	_, err := e.record(path, nil, actor)
	return err
}

// normalize puts n's fields into the form the loader gives them.
func normalize(n *moniker.Node) {
	if n.Binding != nil {
		b := *n.Binding
		b.Type = strings.ToLower(strings.TrimSpace(b.Type))
		n.Binding = &b
	}
	if len(n.Tags) > 0 {
		tags := slices.Clone(n.Tags)
		slices.Sort(tags)
		n.Tags = slices.Compact(tags)
	} else {
		n.Tags = nil
	}
	if len(n.Extra) == 0 {
		n.Extra = nil
	}
}

// canonical returns n as the loader reads it back from its marshalled
// text, and that text. A node the loader refuses (an unknown extra key, a
// column without a name) gives a *moniker.ValidationError.
func canonical(n *moniker.Node, file string) (*moniker.Node, []byte, error) {
	text := catalog.MarshalNode(nil, n)
	cat, _, err := catalog.LoadBytes("node.yaml", text)
	if err != nil {
		var errs []moniker.FieldError
		for _, le := range yamlfile.AsLoadErrors(err) {
			field := le.Key
			top, _, _ := strings.Cut(field, ".")
			if !IsField(top) && field != "" {
				field = "extra." + field
			}
			if field == "" {
				field = "path"
			}
			errs = append(errs, moniker.Field(field, le.Message, nil))
		}
		if len(errs) == 0 {
			return nil, nil, fmt.Errorf("node %q does not read back: %w", n.Path, err)
		}
		return nil, nil, &moniker.ValidationError{Fields: errs}
	}
	if cat.Len() != 1 || cat.Nodes()[0].Path != n.Path {
		return nil, nil, fmt.Errorf("node %q does not read back as itself", n.Path)
	}
	c := *cat.Nodes()[0]
	c.File, c.Line, c.Index = file, 0, 0
	return &c, catalog.MarshalNode(nil, &c), nil
}

// record makes node (nil: a deletion) the working copy's value for path.
// It returns the change, or nil when the path is back to its disk state
// (the change is dropped). e.mu is held.
func (e *Editor) record(path string, node *moniker.Node, actor string) (*change, error) {
	old := e.changes[path]
	var entries []entry
	if old != nil {
		entries = old.entries
	} else {
		entries = e.base.entries(path)
	}
	for _, en := range entries {
		if err := e.base.file(en.file).editable(); err != nil {
			return nil, err
		}
	}
	target := e.base.newFile.name
	if len(entries) > 0 {
		target = entries[len(entries)-1].file
	}
	c := &change{entries: entries, actor: actor}
	if node != nil {
		n, text, err := canonical(node, target)
		if err != nil {
			return nil, err
		}
		c.node, c.text, c.etag = n, text, yamlfile.Hash(text)
		if bn := e.base.byPath[path]; bn != nil && sameNode(bn, n) {
			c = nil
		}
	} else if len(entries) == 0 {
		c = nil // a node created and deleted before a save
	}
	e.view = nil
	if c == nil {
		delete(e.changes, path)
		return nil, nil
	}
	e.changes[path] = c
	return c, nil
}

// sameNode reports whether a and b are equal but for where they were
// loaded from.
func sameNode(a, b *moniker.Node) bool {
	x, y := *a, *b
	x.File, x.Line, x.Index = "", 0, 0
	y.File, y.Line, y.Index = "", 0, 0
	return reflect.DeepEqual(x, y)
}
