package models

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/store"
)

// ErrPrecondition: an If-Match value does not match the model's current
// ETag. 412.
var ErrPrecondition = errors.New("precondition failed")

// Registry is the model registry of one models.yaml. It is safe for
// concurrent use.
type Registry struct {
	path  string
	audit *audit.Log
	log   *slog.Logger

	mu  sync.Mutex // serialises writes and reloads
	cur atomic.Pointer[snapshot]
}

// snapshot is one immutable state of the registry.
type snapshot struct {
	list    []*Model // by path
	byPath  map[string]*entry
	base    map[string][]byte // each model's entry text in the file as last read
	version string            // hash of the file as last read
}

// entry is a model with its patterns compiled once.
type entry struct {
	m        *Model
	patterns []*Pattern
}

// Option configures a Registry.
type Option func(*Registry)

// WithAudit records every change in l: action model_created,
// model_updated or model_deleted, path "model:<path>", the actor, and the
// entry text before and after.
func WithAudit(l *audit.Log) Option { return func(r *Registry) { r.audit = l } }

// WithLogger logs what cannot be returned (an audit append that failed
// after the change was saved).
func WithLogger(l *slog.Logger) Option { return func(r *Registry) { r.log = l } }

// New returns a model at path with every field at its default.
func New(path string) *Model { return &Model{Path: path, DataType: DefaultDataType} }

// Open reads the models file at path with LoadBytes. A missing file is an
// empty registry; the first change creates the file, starting with
// Header.
func Open(path string, opts ...Option) (*Registry, error) {
	r := &Registry{path: path}
	for _, o := range opts {
		o(r)
	}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	data, _, _, err := store.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := parse(path, data)
	if err != nil {
		return nil, err
	}
	r.cur.Store(s)
	return r, nil
}

// parse builds a snapshot from the file's content.
func parse(path string, data []byte) (*snapshot, error) {
	ms, err := LoadBytes(path, data)
	if err != nil {
		return nil, err
	}
	k, err := store.SplitKeyed(data)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot edit entries in place: %w", path, err)
	}
	s := &snapshot{
		list:    ms,
		byPath:  make(map[string]*entry, len(ms)),
		base:    make(map[string][]byte, len(ms)),
		version: k.Hash,
	}
	slices.SortFunc(s.list, func(a, b *Model) int { return cmp.Compare(a.Path, b.Path) })
	for _, m := range s.list {
		e := &entry{m: m, patterns: make([]*Pattern, len(m.AppearsIn))}
		for i, l := range m.AppearsIn {
			e.patterns[i], _ = Compile(l.MonikerPattern) // LoadBytes compiled each one
		}
		s.byPath[m.Path] = e
		if t, ok := k.Get(m.Path); ok {
			s.base[m.Path] = t
		}
	}
	return s, nil
}

// Path returns the models file.
func (r *Registry) Path() string { return r.path }

// Version returns the content hash of the file as the registry last read
// or wrote it.
func (r *Registry) Version() string { return r.cur.Load().version }

// List returns every model, sorted by path. Neither the slice nor the
// models may be modified.
func (r *Registry) List() []*Model { return r.cur.Load().list }

// Len returns the number of models.
func (r *Registry) Len() int { return len(r.cur.Load().list) }

// Get returns the model at path, or nil. It must not be modified.
func (r *Registry) Get(path string) *Model {
	if e := r.cur.Load().byPath[path]; e != nil {
		return e.m
	}
	return nil
}

// Entry returns the model at path and its ETag, from one state of the
// registry; nil and "" when there is none.
func (r *Registry) Entry(path string) (*Model, string) {
	s := r.cur.Load()
	e := s.byPath[path]
	if e == nil {
		return nil, ""
	}
	return e.m, etag(s.base[path])
}

// ETag returns the model's entity tag (the quoted hash of its entry in the
// file), or "" when there is no such model.
func (r *Registry) ETag(path string) string {
	_, t := r.Entry(path)
	return t
}

func etag(entry []byte) string { return `"` + store.Hash(entry) + `"` }

// matchETag reports whether an If-Match header value allows a write to
// an entity whose tag is current: "" (no header) and "*" match, and so
// does a list containing current (weak tags compare by their opaque part).
func matchETag(ifMatch, current string) bool {
	if ifMatch == "" {
		return true
	}
	for t := range strings.SplitSeq(ifMatch, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == "*" || t == current {
			return true
		}
	}
	return false
}

func notFound(path string) error {
	return moniker.Errorf(moniker.ErrNotFound, "Model not found: %s", path)
}

// ForMoniker returns the summaries of the models with an appears_in
// pattern that matches the moniker path (surrounding "/" ignored), sorted
// by path; empty, never nil, when none does.
func (r *Registry) ForMoniker(path string) []Summary {
	path = strings.Trim(path, "/")
	out := []Summary{}
	s := r.cur.Load()
	for _, m := range s.list {
		for _, p := range s.byPath[m.Path].patterns {
			if p.Match(path) {
				out = append(out, m.Summary())
				break
			}
		}
	}
	return out
}

// Monikers returns the moniker patterns of the model at path; ok is false
// when there is no such model.
func (r *Registry) Monikers(path string) (patterns []string, ok bool) {
	m := r.Get(path)
	if m == nil {
		return nil, false
	}
	return m.Patterns(), true
}

// Tree returns the model hierarchy: the roots, each with its children,
// sorted by name. A model whose parent path is not a model is not lost (as
// it was upstream): each missing ancestor appears as a Virtual node, so
// the tree mirrors the paths exactly.
func (r *Registry) Tree() []*TreeNode {
	nodes := map[string]*TreeNode{}
	var roots []*TreeNode
	var node func(path string) *TreeNode
	node = func(path string) *TreeNode {
		if n := nodes[path]; n != nil {
			return n
		}
		name := path[strings.LastIndexByte(path, '/')+1:]
		n := &TreeNode{Path: path, Name: name, DisplayName: name, IsContainer: true, Virtual: true}
		nodes[path] = n
		if i := strings.LastIndexByte(path, '/'); i >= 0 {
			parent := node(path[:i])
			parent.Children = append(parent.Children, n)
		} else {
			roots = append(roots, n)
		}
		return n
	}
	for _, m := range r.cur.Load().list {
		n := node(m.Path)
		n.DisplayName, n.IsContainer, n.Virtual = m.DisplayName, m.IsContainer(), false
	}
	byName := func(a, b *TreeNode) int { return cmp.Compare(a.Name, b.Name) }
	for _, n := range nodes {
		slices.SortFunc(n.Children, byName)
	}
	slices.SortFunc(roots, byName)
	if roots == nil {
		roots = []*TreeNode{}
	}
	return roots
}

// Create adds m (validated with Validate) and saves it. It fails with
// moniker.ErrConflict when the model exists, or was created on disk by
// another writer meanwhile (*store.ConflictError). actor is recorded in
// the audit log.
func (r *Registry) Create(ctx context.Context, m *Model, actor string) (*Model, error) {
	if err := Validate(m); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur.Load().byPath[m.Path] != nil {
		return nil, moniker.Errorf(moniker.ErrConflict, "Model already exists: %s", m.Path)
	}
	text := MarshalModel(nil, m)
	s, err := r.write(ctx, []store.Change{{Key: m.Path, Text: text}})
	if err != nil {
		return nil, err
	}
	r.record(ctx, "model_created", m.Path, actor, nil, text)
	return s.byPath[m.Path].m, nil
}

// Update applies p to the model at path and saves it. ifMatch is the
// request's If-Match header ("" = none); a mismatch fails with
// ErrPrecondition. The fields p sets are validated. A patch that changes
// nothing writes nothing. It fails with *store.ConflictError when the
// model changed on disk since the registry read it; the registry then
// re-reads the file.
func (r *Registry) Update(ctx context.Context, path string, p Patch, ifMatch, actor string) (*Model, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.cur.Load()
	e := cur.byPath[path]
	if e == nil {
		return nil, notFound(path)
	}
	base := cur.base[path]
	if !matchETag(ifMatch, etag(base)) {
		return nil, fmt.Errorf("%w: model %s has changed (ETag %s)", ErrPrecondition, path, etag(base))
	}
	if err := p.checkMove(path); err != nil {
		return nil, err
	}
	m, keys := p.Apply(e.m)
	if err := validate(m, keys); err != nil {
		return nil, err
	}
	text := MarshalModel(nil, m)
	if bytes.Equal(text, MarshalModel(nil, e.m)) {
		return e.m, nil
	}
	s, err := r.write(ctx, []store.Change{{Key: path, Text: text, Base: base}})
	if err != nil {
		return nil, err
	}
	r.record(ctx, "model_updated", path, actor, base, text)
	return s.byPath[path].m, nil
}

// Delete removes the model at path from the file. A model with models
// below it cannot be deleted (moniker.ErrInvalid, listing them). ifMatch
// and the conflict check work as for Update.
func (r *Registry) Delete(ctx context.Context, path, ifMatch, actor string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.cur.Load()
	if cur.byPath[path] == nil {
		return notFound(path)
	}
	var below []string
	for _, m := range cur.list {
		if strings.HasPrefix(m.Path, path+"/") {
			below = append(below, m.Path)
		}
	}
	if below != nil {
		return moniker.Errorf(moniker.ErrInvalid, "Cannot delete model with children. Delete children first: [%s]", strings.Join(below, ", "))
	}
	base := cur.base[path]
	if !matchETag(ifMatch, etag(base)) {
		return fmt.Errorf("%w: model %s has changed (ETag %s)", ErrPrecondition, path, etag(base))
	}
	if _, err := r.write(ctx, []store.Change{{Key: path, Base: base}}); err != nil {
		return err
	}
	r.record(ctx, "model_deleted", path, actor, base, nil)
	return nil
}

// Save is POST /models/save. Every change is already on disk (each one
// writes through), so when the file exists Save writes nothing; when it
// does not (never created, or removed behind the registry's back) Save
// writes every model to a new file. It returns the number of models.
func (r *Registry) Save(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.cur.Load()
	_, _, exists, err := store.ReadFile(r.path)
	if err != nil {
		return 0, err
	}
	if exists {
		return len(cur.list), nil
	}
	changes := make([]store.Change, len(cur.list))
	for i, m := range cur.list {
		changes[i] = store.Change{Key: m.Path, Text: MarshalModel(nil, m)}
	}
	s, err := r.write(ctx, changes)
	if err != nil {
		return 0, err
	}
	return len(s.list), nil
}

// Reload re-reads the file. The whole file is parsed before the registry
// changes: on any error the registry keeps what it had. A missing file is
// a moniker.ErrNotFound error. It returns the number of models loaded.
func (r *Registry) Reload(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	data, _, exists, err := store.ReadFile(r.path)
	if err != nil {
		return 0, err
	}
	if !exists {
		return 0, moniker.Errorf(moniker.ErrNotFound, "Models file not found: %s", r.path)
	}
	s, err := parse(r.path, data)
	if err != nil {
		return 0, fmt.Errorf("%s does not load; the %d models loaded before are kept: %w", r.path, len(r.cur.Load().list), err)
	}
	r.cur.Store(s)
	return len(s.list), nil
}

// write saves changes under the file's lock and re-bases the registry on
// the file as written. On a conflict it re-bases on the file as it is on
// disk and returns the *store.ConflictError. r.mu must be held.
func (r *Registry) write(ctx context.Context, changes []store.Change) (*snapshot, error) {
	var (
		parsed   *snapshot
		parseErr error
	)
	_, err := store.SaveKeyed(ctx, r.path, changes, store.SaveOptions{
		Header: []byte(Header),
		Validate: func(data []byte) error {
			parsed, parseErr = parse(r.path, data)
			return parseErr
		},
	})
	var conflict *store.ConflictError
	switch {
	case errors.As(err, &conflict):
		if data, _, _, rerr := store.ReadFile(r.path); rerr == nil {
			if s, perr := parse(r.path, data); perr == nil {
				r.cur.Store(s)
			}
		}
		return nil, err
	case err != nil && parseErr != nil:
		// Our entries are valid, so someone else's edit broke the file.
		return nil, moniker.Errorf(moniker.ErrConflict, "%s was changed on disk and no longer loads, nothing was saved: %v", r.path, parseErr)
	case err != nil:
		return nil, err
	}
	r.cur.Store(parsed)
	return parsed, nil
}

// record appends an audit entry for a saved change. The change is on
// disk, so a failure is logged, not returned.
func (r *Registry) record(ctx context.Context, action, path, actor string, before, after []byte) {
	if r.audit == nil {
		return
	}
	e := audit.Entry{Path: "model:" + path, Action: action, Actor: actor}
	if before != nil {
		e.OldValue = string(before)
	}
	if after != nil {
		e.NewValue = string(after)
	}
	if err := r.audit.Append(context.WithoutCancel(ctx), e); err != nil {
		r.log.Error("audit append failed", "action", action, "model", path, "err", err)
	}
}
