package catalogedit

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// SaveResult says what a Save wrote.
type SaveResult struct {
	// Saved are the node paths written (created, updated or deleted),
	// sorted; empty when there was nothing to save.
	Saved []string
	// Files are the files written, in load order.
	Files []string
	// Count is the number of nodes in the working copy afterwards.
	Count int
}

// conflict refuses changes of the nodes at paths (sorted), which changed
// on disk since this instance read them (another instance or a hand edit
// wrote them): a *moniker.ConflictError (409).
func conflict(paths []string) error {
	return &moniker.ConflictError{Paths: paths, Message: "changed on disk since they were read: " + strings.Join(paths, ", ") +
		" (reload to see the current version; POST /config/reload?discard=true drops the unsaved changes)"}
}

// fileWrite is the entry changes one save makes to one file.
type fileWrite struct {
	name    string
	changes []yamlfile.Change
	paths   []string
}

// writeFiles applies the writes file by file through yamlfile.SaveKeyed (the
// result must load with catalog.LoadBytes, entry by entry). It returns the files written,
// the paths written, and the paths refused as conflicts; err is the first
// other failure, after which it stops.
func writeFiles(ctx context.Context, writes []*fileWrite) (written map[string]*file, saved, conflicts []string, err error) {
	written = map[string]*file{}
	for _, w := range writes {
		var parsed *catalog.Catalog
		k, err := yamlfile.SaveKeyed(ctx, w.name, w.changes, yamlfile.SaveOptions{Validate: func(data []byte) error {
			cat, _, err := catalog.LoadBytes(w.name, data)
			if err == nil && !splitByLoader(cat) {
				return fmt.Errorf("the result could no longer be edited node by node: %w", errNotSplitByLoader)
			}
			parsed = cat
			return err
		}})
		var ce *moniker.ConflictError
		if errors.As(err, &ce) {
			for _, k := range ce.Paths {
				conflicts = append(conflicts, strings.Trim(k, "/"))
			}
			continue
		}
		if err != nil {
			return written, saved, conflicts, fmt.Errorf("saving %s: %w", filepath.Base(w.name), err)
		}
		f, err := parseFile(w.name, k.Data, true, parsed, k)
		if err != nil {
			return written, saved, conflicts, err
		}
		written[w.name] = f
		saved = append(saved, w.paths...)
	}
	return written, saved, conflicts, nil
}

// group collects per-file writes in load order.
type group struct {
	byName map[string]*fileWrite
}

func (g *group) add(name, path string, c yamlfile.Change) {
	w := g.byName[name]
	if w == nil {
		w = &fileWrite{name: name}
		g.byName[name] = w
	}
	w.changes = append(w.changes, c)
	if !slices.Contains(w.paths, path) {
		w.paths = append(w.paths, path)
	}
}

func (g *group) writes() []*fileWrite {
	out := make([]*fileWrite, 0, len(g.byName))
	for _, w := range g.byName {
		out = append(out, w)
	}
	slices.SortFunc(out, func(a, b *fileWrite) int { return compareLoadOrder(a.name, b.name) })
	return out
}

// Save writes this instance's unsaved changes (see the package comment).
// On a conflict it returns a *moniker.ConflictError listing the refused paths: for
// a single file nothing is written and every change stays unsaved; for a
// folder the files without conflicts are written (a save is atomic per
// file) and only the refused changes stay. Each node written gets an
// audit entry; actor is recorded for changes that carry none.
func (e *Editor) Save(ctx context.Context, actor string) (SaveResult, error) {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()

	e.mu.Lock()
	b := e.base
	pending := make(map[string]*change, len(e.changes))
	for p, c := range e.changes {
		pending[p] = c
	}
	e.mu.Unlock()
	if len(pending) == 0 {
		return SaveResult{Saved: []string{}, Count: e.View().Len()}, nil
	}

	g := &group{byName: map[string]*fileWrite{}}
	for _, p := range sortedKeys(pending) {
		c := pending[p]
		switch {
		case c.node == nil:
			for _, en := range c.entries {
				g.add(en.file, p, yamlfile.Change{Key: en.key, Base: en.text})
			}
		case len(c.entries) == 0:
			g.add(b.newFile.name, p, yamlfile.Change{Key: p, Text: c.text})
		default:
			live := c.entries[len(c.entries)-1]
			g.add(live.file, p, yamlfile.Change{Key: live.key, Text: c.text, Base: live.text})
		}
	}
	writes := g.writes()
	written, saved, conflicts, err := writeFiles(ctx, writes)

	e.mu.Lock()
	if len(written) > 0 {
		e.base = e.base.withFiles(written)
		for _, p := range saved {
			switch c := e.changes[p]; {
			case c == nil:
			case c == pending[p]:
				delete(e.changes, p)
			default:
				// Changed again while the save ran: it now builds on
				// what this save wrote.
				c.entries = e.base.entries(p)
			}
		}
		e.view = nil
	}
	res := SaveResult{Saved: saved, Count: e.viewLocked().Len()}
	e.mu.Unlock()
	slices.Sort(res.Saved)
	if res.Saved == nil {
		res.Saved = []string{}
	}
	for _, w := range writes {
		if written[w.name] != nil {
			res.Files = append(res.Files, w.name)
		}
	}

	var entries []audit.Entry
	for _, p := range res.Saved {
		c := pending[p]
		entries = append(entries, e.auditEntry(p, b.byPath[p], c.node, len(c.entries) == 0, orDefault(c.actor, actor)))
	}
	e.appendAudit(ctx, entries)

	if err != nil {
		return res, err
	}
	if len(conflicts) > 0 {
		slices.Sort(conflicts)
		return res, conflict(slices.Compact(conflicts))
	}
	return res, nil
}

// NodeChange is one node write of Commit.
type NodeChange struct {
	Path string
	// Node is the node's new value; nil deletes the node (unless Update
	// is set).
	Node *moniker.Node
	// Update, when set instead of Node, computes the node's new value
	// from its disk entry as Commit reads it, under the write lock (the
	// node must exist; not with Create); it must not modify its argument.
	Update func(disk *moniker.Node) *moniker.Node
	// IfMatch guards the write with the ETag of the node's disk entry (as
	// Get reports it for a node without unsaved changes): "" writes
	// whatever is on disk now, "*" requires the node to exist, anything
	// else must match the entry's ETag (moniker.ErrPrecondition otherwise).
	IfMatch string
	// Create requires that the node does not exist on disk
	// (moniker.ErrConflict otherwise). Without it, writing a node that
	// does not exist fails with moniker.ErrNotFound.
	Create bool
}

// Commit writes changes to disk at once, through the same conflict-safe
// path as Save, without touching this instance's unsaved changes (an
// unsaved change of the same node stays, and conflicts when it is saved).
//
// Commit reads each node's current disk entry itself, checks the
// change's IfMatch and Create against it, validates what the change
// alters relative to that entry (a new node is validated whole, its path
// included), and writes with that entry as the base: a writer that
// changes the entry between this read and the write makes Commit fail
// with a *moniker.ConflictError. With changes in several files of a folder, each
// file is written atomically on its own. A change that leaves the node as
// it is on disk writes nothing. Each node written gets an audit entry by
// actor.
func (e *Editor) Commit(ctx context.Context, changes []NodeChange, actor string) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	e.mu.Lock()
	b := e.base
	e.mu.Unlock()

	// The current disk entries of the files involved, split, not parsed.
	fresh := map[string]*yamlfile.Keyed{}
	readKeyed := func(name string) (*yamlfile.Keyed, error) {
		if k := fresh[name]; k != nil {
			return k, nil
		}
		data, _, _, err := yamlfile.ReadFile(name)
		if err != nil {
			return nil, err
		}
		k, err := yamlfile.SplitKeyed(data)
		if err != nil {
			return nil, moniker.Errorf(moniker.ErrNotImplemented, "%s cannot be edited node by node (%w)", filepath.Base(name), err)
		}
		fresh[name] = k
		return k, nil
	}
	names := make([]string, 0, len(b.files)+1)
	for _, f := range b.files {
		names = append(names, f.name)
	}
	if !slices.Contains(names, b.newFile.name) {
		names = append(names, b.newFile.name)
	}

	g := &group{byName: map[string]*fileWrite{}}
	var audits []audit.Entry
	for _, nc := range changes {
		if nc.Node != nil && nc.Node.Path != nc.Path {
			return moniker.Invalid("path", fmt.Sprintf("the node's path %q is not the change's path %q", nc.Node.Path, nc.Path), nc.Node.Path)
		}
		var entries []entry
		for _, name := range names {
			if !b.dir && name != b.newFile.name {
				continue
			}
			k, err := readKeyed(name)
			if err != nil {
				if b.live[nc.Path] != nil && b.live[nc.Path].name == name || name == b.newFile.name {
					return err
				}
				continue // a JSON or flow-style file of a folder: not involved
			}
			// Distinct keys for the path, ordered by their last entry.
			var fe []entry
			for i := len(k.Entries) - 1; i >= 0; i-- {
				key := k.Entries[i].Key
				if strings.Trim(key, "/") == nc.Path && !slices.ContainsFunc(fe, func(x entry) bool { return x.key == key }) {
					t, _ := k.Get(key)
					fe = append(fe, entry{file: name, key: key, text: t})
				}
			}
			slices.Reverse(fe)
			entries = append(entries, fe...)
		}
		// The live entry is the last one of the last file (load order).
		slices.SortStableFunc(entries, func(x, y entry) int { return compareLoadOrder(x.file, y.file) })
		exists := len(entries) > 0
		var disk *moniker.Node
		etag := ""
		if exists {
			live := entries[len(entries)-1]
			etag = yamlfile.Hash(live.text)
			n, err := parseEntry(live)
			if err != nil {
				return err
			}
			disk = n
		}
		switch {
		case nc.Create && exists:
			return moniker.Errorf(moniker.ErrConflict, "Node already exists: %s", nc.Path)
		case !nc.Create && !exists:
			return notFound(nc.Path)
		case nc.IfMatch != "" && !moniker.MatchETag(nc.IfMatch, etag):
			return preconditionFailed(nc.Path, nc.IfMatch, etag)
		}
		if nc.Update != nil {
			if disk == nil {
				return notFound(nc.Path)
			}
			if nc.Node = nc.Update(disk); nc.Node == nil || nc.Node.Path != nc.Path {
				return fmt.Errorf("the update of %s did not return a node at that path", nc.Path)
			}
		}
		if nc.Node == nil {
			for _, en := range entries {
				g.add(en.file, nc.Path, yamlfile.Change{Key: en.key, Base: en.text})
			}
			audits = append(audits, e.auditEntry(nc.Path, disk, nil, false, actor))
			continue
		}
		m := *nc.Node
		normalize(&m)
		if err := validate(disk, &m); err != nil {
			return err
		}
		target := b.newFile.name
		if exists {
			target = entries[len(entries)-1].file
		}
		n, text, err := canonical(&m, target)
		if err != nil {
			return err
		}
		if exists && sameNode(disk, n) {
			continue // already so on disk: nothing to write
		}
		if exists {
			live := entries[len(entries)-1]
			g.add(live.file, nc.Path, yamlfile.Change{Key: live.key, Text: text, Base: live.text})
		} else {
			g.add(target, nc.Path, yamlfile.Change{Key: nc.Path, Text: text})
		}
		audits = append(audits, e.auditEntry(nc.Path, disk, n, !exists, actor))
	}

	written, saved, conflicts, err := writeFiles(ctx, g.writes())
	if len(written) > 0 {
		e.mu.Lock()
		e.base = e.base.withFiles(written)
		e.view = nil
		e.mu.Unlock()
	}
	var done []audit.Entry
	for _, a := range audits {
		if slices.Contains(saved, a.Path) {
			done = append(done, a)
		}
	}
	e.appendAudit(ctx, done)
	if err != nil {
		return err
	}
	if len(conflicts) > 0 {
		slices.Sort(conflicts)
		return conflict(slices.Compact(conflicts))
	}
	return nil
}

// parseEntry reads one entry's node.
func parseEntry(en entry) (*moniker.Node, error) {
	cat, _, err := catalog.LoadBytes(en.file, en.text)
	if err != nil {
		return nil, err
	}
	if cat.Len() != 1 {
		return nil, fmt.Errorf("entry %q of %s does not read as one node", en.key, filepath.Base(en.file))
	}
	return cat.Nodes()[0], nil
}

// Reload re-reads the catalog files and makes them the base. Unsaved
// changes are kept on top of the new base (those now equal to the disk
// drop out); a change of a node that changed on disk meanwhile conflicts
// when saved. A file that does not load leaves everything as it was and
// returns the load errors (moniker.ErrInvalid).
func (e *Editor) Reload(_ context.Context) error {
	e.writeMu.Lock()
	defer e.writeMu.Unlock()
	nb, err := readBase(e.path)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.base = nb
	for p, c := range e.changes {
		if bn := nb.byPath[p]; c.node != nil && bn != nil && sameNode(bn, c.node) ||
			c.node == nil && bn == nil {
			delete(e.changes, p)
		}
	}
	e.view = nil
	return nil
}

// auditEntry describes one node write.
func (e *Editor) auditEntry(path string, old, n *moniker.Node, created bool, actor string) audit.Entry {
	en := audit.Entry{Timestamp: e.opts.Now().UTC().Format(time.RFC3339Nano), Path: path, Actor: actor}
	switch {
	case n == nil:
		en.Action = "node_deleted"
	case created || old == nil:
		en.Action = "node_created"
	default:
		en.Action = "node_updated"
		en.Details = map[string]any{"fields": changedFields(old, n)}
		if old.EffectiveStatus() != n.EffectiveStatus() {
			en.OldValue, en.NewValue = string(old.EffectiveStatus()), string(n.EffectiveStatus())
		}
	}
	return en
}

func (e *Editor) appendAudit(ctx context.Context, entries []audit.Entry) {
	if e.opts.Audit == nil || len(entries) == 0 {
		return
	}
	if err := e.opts.Audit.Append(context.WithoutCancel(ctx), entries...); err != nil {
		e.log.Error("audit log append failed", "err", err, "entries", len(entries))
	}
}

func orDefault(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
