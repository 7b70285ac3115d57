package models

import (
	"cmp"
	"context"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/registry"
)

// Registry is the model registry of one models.yaml. It is safe for
// concurrent use. Path, Version, List (sorted by path), Len, Get, Entry,
// ETag, Save (POST /models/save) and Reload are those of the
// registry.Registry it embeds.
type Registry struct {
	*base
	compiled atomic.Pointer[compiled]
}

// base is the shared keyed-file registry, embedded under an unexported
// name so that only its methods are promoted.
type base = registry.Registry[Model]

// compiled is the appears_in patterns of one state of the registry,
// compiled once.
type compiled struct {
	state    *registry.Snapshot[Model]
	patterns map[string][]*Pattern // by model path
}

// kind is how the registry reads and writes models.yaml.
func kind() registry.Kind[Model] {
	return registry.Kind[Model]{
		Noun:    "model",
		Header:  Header,
		Parse:   LoadBytes,
		Key:     func(m *Model) string { return m.Path },
		Marshal: func(m *Model) []byte { return MarshalModel(nil, m) },
	}
}

// Option configures a Registry.
type Option = registry.Option

// WithAudit records every change in l: action model_created,
// model_updated or model_deleted, path "model:<path>", the actor, and the
// entry text before and after.
func WithAudit(l *audit.Log) Option { return registry.WithAudit(l) }

// WithLogger logs what cannot be returned (an audit append that failed
// after the change was saved).
func WithLogger(l *slog.Logger) Option { return registry.WithLogger(l) }

// New returns a model at path with every field at its default.
func New(path string) *Model { return &Model{Path: path, DataType: DefaultDataType} }

// Open reads the models file at path with LoadBytes. A missing file is an
// empty registry; the first change creates the file, starting with
// Header.
func Open(path string, opts ...Option) (*Registry, error) {
	r, err := registry.Open(path, kind(), opts...)
	if err != nil {
		return nil, err
	}
	return &Registry{base: r}, nil
}

// patterns returns the compiled patterns of the registry's current state,
// compiling them on first use after a change.
func (r *Registry) patterns() *compiled {
	s := r.Snapshot()
	if c := r.compiled.Load(); c != nil && c.state == s {
		return c
	}
	c := &compiled{state: s, patterns: make(map[string][]*Pattern, len(s.List()))}
	for _, m := range s.List() {
		ps := make([]*Pattern, len(m.AppearsIn))
		for i, l := range m.AppearsIn {
			ps[i], _ = Compile(l.MonikerPattern) // LoadBytes compiled each one
		}
		c.patterns[m.Path] = ps
	}
	r.compiled.Store(c)
	return c
}

// ForMoniker returns the summaries of the models with an appears_in
// pattern that matches the moniker path (surrounding "/" ignored), sorted
// by path; empty, never nil, when none does.
func (r *Registry) ForMoniker(path string) []Summary {
	path = strings.Trim(path, "/")
	out := []Summary{}
	c := r.patterns()
	for _, m := range c.state.List() {
		for _, p := range c.patterns[m.Path] {
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
	for _, m := range r.List() {
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
// another writer meanwhile (*moniker.ConflictError). actor is recorded in
// the audit log.
func (r *Registry) Create(ctx context.Context, m *Model, actor string) (*Model, error) {
	if err := Validate(m); err != nil {
		return nil, err
	}
	return r.base.Create(ctx, m, actor)
}

// Update applies p to the model at path and saves it. ifMatch is the
// request's If-Match header ("" = none); a mismatch fails with
// moniker.ErrPrecondition. The fields p sets are validated. A patch that changes
// nothing writes nothing. It fails with *moniker.ConflictError when the
// model changed on disk since the registry read it; the registry then
// re-reads the file.
func (r *Registry) Update(ctx context.Context, path string, p Patch, ifMatch, actor string) (*Model, error) {
	return r.base.Update(ctx, path, ifMatch, actor, registry.Change(p.checkMove(path), p.Apply, validate))
}

// Delete removes the model at path from the file. A model with models
// below it cannot be deleted (moniker.ErrInvalid, listing them). ifMatch
// and the conflict check work as for Update.
func (r *Registry) Delete(ctx context.Context, path, ifMatch, actor string) error {
	return r.base.Delete(ctx, path, ifMatch, actor, func(s *registry.Snapshot[Model]) error {
		var below []string
		for _, m := range s.List() {
			if strings.HasPrefix(m.Path, path+"/") {
				below = append(below, m.Path)
			}
		}
		if below != nil {
			return moniker.Errorf(moniker.ErrInvalid, "Cannot delete model with children. Delete children first: [%s]", strings.Join(below, ", "))
		}
		return nil
	})
}
