package domains

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
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/store"
)

// ErrPrecondition: an If-Match value does not match the domain's current
// ETag. 412.
var ErrPrecondition = errors.New("precondition failed")

// Registry is the domain registry of one domains.yaml. It is safe for
// concurrent use; *Registry satisfies resolve.Domains.
type Registry struct {
	path  string
	audit *audit.Log
	log   *slog.Logger

	mu  sync.Mutex // serialises writes and reloads
	cur atomic.Pointer[snapshot]
}

// snapshot is one immutable state of the registry.
type snapshot struct {
	list    []*moniker.DomainRecord // by name
	byName  map[string]*moniker.DomainRecord
	base    map[string][]byte // each domain's entry text in the file as last read
	version string            // hash of the file as last read
}

// Option configures a Registry.
type Option func(*Registry)

// WithAudit records every change in l: action domain_created,
// domain_updated or domain_deleted, path "domain:<name>", the actor, and
// the entry text before and after.
func WithAudit(l *audit.Log) Option { return func(r *Registry) { r.audit = l } }

// WithLogger logs what cannot be returned (an audit append that failed
// after the change was saved).
func WithLogger(l *slog.Logger) Option { return func(r *Registry) { r.log = l } }

// Open reads the domains file at path with catalog.LoadDomainsBytes
// (strict: unknown keys and type errors are errors). A missing file is an
// empty registry; the first change creates the file, starting with Header.
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
	doms, err := catalog.LoadDomainsBytes(path, data)
	if err != nil {
		return nil, err
	}
	k, err := store.SplitKeyed(data)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot edit entries in place: %w", path, err)
	}
	s := &snapshot{
		list:    slices.Clone(doms.All()),
		byName:  make(map[string]*moniker.DomainRecord, doms.Len()),
		base:    make(map[string][]byte, doms.Len()),
		version: k.Hash,
	}
	slices.SortFunc(s.list, func(a, b *moniker.DomainRecord) int { return cmp.Compare(a.Name, b.Name) })
	for _, d := range s.list {
		s.byName[d.Name] = d
		if t, ok := k.Get(d.Name); ok {
			s.base[d.Name] = t
		}
	}
	return s, nil
}

// Path returns the domains file.
func (r *Registry) Path() string { return r.path }

// Version returns the content hash of the file as the registry last read
// or wrote it.
func (r *Registry) Version() string { return r.cur.Load().version }

// List returns every domain, sorted by name. Neither the slice nor the
// records may be modified.
func (r *Registry) List() []*moniker.DomainRecord { return r.cur.Load().list }

// Len returns the number of domains.
func (r *Registry) Len() int { return len(r.cur.Load().list) }

// Get returns the domain named name, or nil. The record must not be
// modified.
func (r *Registry) Get(name string) *moniker.DomainRecord { return r.cur.Load().byName[name] }

// Lookup is Get, for call sites that read better with it.
func (r *Registry) Lookup(name string) *moniker.DomainRecord { return r.Get(name) }

// Entry returns the domain named name and its ETag, from one state of the
// registry; nil and "" when there is none.
func (r *Registry) Entry(name string) (*moniker.DomainRecord, string) {
	s := r.cur.Load()
	d := s.byName[name]
	if d == nil {
		return nil, ""
	}
	return d, etag(s.base[name])
}

// ETag returns the domain's entity tag (the quoted hash of its entry in
// the file), or "" when there is no such domain.
func (r *Registry) ETag(name string) string {
	_, t := r.Entry(name)
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

func notFound(name string) error {
	return moniker.Errorf(moniker.ErrNotFound, "Domain not found: %s", name)
}

// Create adds d (validated with Validate; an empty display_name becomes
// the name) and saves it. It fails with moniker.ErrConflict when the
// domain exists, or was created on disk by another writer meanwhile
// (*store.ConflictError). actor is recorded in the audit log.
func (r *Registry) Create(ctx context.Context, d *moniker.DomainRecord, actor string) (*moniker.DomainRecord, error) {
	rec := *d
	if rec.DisplayName == "" {
		rec.DisplayName = rec.Name
	}
	if err := Validate(&rec); err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur.Load().byName[rec.Name] != nil {
		return nil, moniker.Errorf(moniker.ErrConflict, "Domain already exists: %s", rec.Name)
	}
	text := MarshalDomain(nil, &rec)
	s, err := r.write(ctx, []store.Change{{Key: rec.Name, Text: text}})
	if err != nil {
		return nil, err
	}
	r.record(ctx, "domain_created", rec.Name, actor, nil, text)
	return s.byName[rec.Name], nil
}

// Update applies p to the domain named name and saves it. ifMatch is the
// request's If-Match header ("" = none); a mismatch fails with
// ErrPrecondition. The fields p sets are validated (a record that was
// already on disk with, say, a bad colour can still get a new owner). A
// patch that changes nothing writes nothing. It fails with
// *store.ConflictError when the domain changed on disk since the registry
// read it; the registry then re-reads the file.
func (r *Registry) Update(ctx context.Context, name string, p Patch, ifMatch, actor string) (*moniker.DomainRecord, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.cur.Load()
	old := cur.byName[name]
	if old == nil {
		return nil, notFound(name)
	}
	base := cur.base[name]
	if !matchETag(ifMatch, etag(base)) {
		return nil, fmt.Errorf("%w: domain %s has changed (ETag %s)", ErrPrecondition, name, etag(base))
	}
	if err := p.checkRename(name); err != nil {
		return nil, err
	}
	rec, keys := p.Apply(old)
	if err := validate(rec, keys); err != nil {
		return nil, err
	}
	text := MarshalDomain(nil, rec)
	if bytes.Equal(text, MarshalDomain(nil, old)) {
		return old, nil
	}
	s, err := r.write(ctx, []store.Change{{Key: name, Text: text, Base: base}})
	if err != nil {
		return nil, err
	}
	r.record(ctx, "domain_updated", name, actor, base, text)
	return s.byName[name], nil
}

// Delete removes the domain named name from the file. ifMatch and the
// conflict check work as for Update. Catalog nodes that name the domain
// keep their domain field (as upstream).
func (r *Registry) Delete(ctx context.Context, name, ifMatch, actor string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.cur.Load()
	if cur.byName[name] == nil {
		return notFound(name)
	}
	base := cur.base[name]
	if !matchETag(ifMatch, etag(base)) {
		return fmt.Errorf("%w: domain %s has changed (ETag %s)", ErrPrecondition, name, etag(base))
	}
	if _, err := r.write(ctx, []store.Change{{Key: name, Base: base}}); err != nil {
		return err
	}
	r.record(ctx, "domain_deleted", name, actor, base, nil)
	return nil
}

// Save is POST /domains/save. Every change is already on disk (each one
// writes through), so when the file exists Save writes nothing; when it
// does not (never created, or removed behind the registry's back) Save
// writes every domain to a new file. It returns the number of domains.
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
	for i, d := range cur.list {
		changes[i] = store.Change{Key: d.Name, Text: MarshalDomain(nil, d)}
	}
	s, err := r.write(ctx, changes)
	if err != nil {
		return 0, err
	}
	return len(s.list), nil
}

// Reload re-reads the file. The whole file is parsed before the registry
// changes: on any error the registry keeps what it had. A missing file is
// a moniker.ErrNotFound error. It returns the number of domains loaded.
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
		return 0, moniker.Errorf(moniker.ErrNotFound, "Domains file not found: %s", r.path)
	}
	s, err := parse(r.path, data)
	if err != nil {
		return 0, fmt.Errorf("%s does not load; the %d domains loaded before are kept: %w", r.path, len(r.cur.Load().list), err)
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
func (r *Registry) record(ctx context.Context, action, name, actor string, before, after []byte) {
	if r.audit == nil {
		return
	}
	e := audit.Entry{Path: "domain:" + name, Action: action, Actor: actor}
	if before != nil {
		e.OldValue = string(before)
	}
	if after != nil {
		e.NewValue = string(after)
	}
	if err := r.audit.Append(context.WithoutCancel(ctx), e); err != nil {
		r.log.Error("audit append failed", "action", action, "domain", name, "err", err)
	}
}

// MonikerPaths returns the paths of the catalog nodes whose effective
// domain is name, sorted. A node's effective domain is the domain field
// of the nearest node that sets one (the node itself, then its ancestors
// under moniker.Parent), else the root of its path (moniker.Root): the
// rule resolve uses for ownership and 404 hints. cat may be nil.
func MonikerPaths(cat *catalog.Catalog, name string) []string {
	paths := []string{}
	if cat == nil {
		return paths
	}
	memo := map[string]string{}
	var effective func(p string) string
	effective = func(p string) string {
		if d, ok := memo[p]; ok {
			return d
		}
		var d string
		if n := cat.Get(p); n != nil && n.Domain != "" {
			d = n.Domain
		} else if parent := moniker.Parent(p); parent == "" {
			d = p
		} else {
			d = effective(parent)
		}
		memo[p] = d
		return d
	}
	for _, n := range cat.Nodes() {
		if effective(n.Path) == name {
			paths = append(paths, n.Path)
		}
	}
	slices.Sort(paths)
	return paths
}
