// Package registry is the write-through registry of one keyed YAML file
// (a mapping of top-level keys to entries, like domains.yaml and
// models.yaml): the mechanism the domain and model registries share.
//
// Every mutation (Create, Update, Delete) is saved at once with
// yamlfile.SaveKeyed: only the changed entry is replaced, every other byte of
// the file (comments, other entries, their formatting) is kept, and the
// change is refused with a *moniker.ConflictError (409) when that entry
// changed on disk since the registry read it. After each save, and after a
// conflict, the registry re-bases on the file as it is on disk, so changes
// other writers made to other entries show up.
//
// Reads take an immutable snapshot and never block on writers. Reload
// parses the whole file before it replaces the snapshot: a broken file
// leaves the registry as it was.
package registry

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
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// Kind describes the entries of one kind of registry file.
type Kind[T any] struct {
	// Noun names an entry in messages, audit actions and audit paths,
	// lower case and singular: "domain" gives "Domain not found: x",
	// "Domains file not found", action "domain_created", path "domain:x".
	Noun string
	// Header starts a file the registry creates.
	Header string
	// Parse reads a whole file (name is used in messages) strictly into
	// its entries; the registry owns the returned slice.
	Parse func(name string, data []byte) ([]*T, error)
	// Key returns an entry's top-level key in the file.
	Key func(*T) string
	// Marshal returns an entry's text in the file, key line included.
	Marshal func(*T) []byte
}

// Option configures a Registry.
type Option func(*options)

type options struct {
	audit *audit.Log
	log   *slog.Logger
}

// WithAudit records every change in l: action <noun>_created,
// <noun>_updated or <noun>_deleted, path "<noun>:<key>", the actor, and
// the entry text before and after.
func WithAudit(l *audit.Log) Option { return func(o *options) { o.audit = l } }

// WithLogger logs what cannot be returned (an audit append that failed
// after the change was saved).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// Registry is the registry of one keyed file of entries of type T. It is
// safe for concurrent use.
type Registry[T any] struct {
	path  string
	kind  Kind[T]
	audit *audit.Log
	log   *slog.Logger

	mu  sync.Mutex // serialises writes and reloads
	cur atomic.Pointer[Snapshot[T]]
}

// Snapshot is one immutable state of a registry: the file as the registry
// last read or wrote it.
type Snapshot[T any] struct {
	list    []*T // by key
	byKey   map[string]*T
	base    map[string][]byte // each entry's text in the file
	version string            // hash of the file
}

// List returns every entry, sorted by key. Neither the slice nor the
// entries may be modified.
func (s *Snapshot[T]) List() []*T { return s.list }

// Get returns the entry with key, or nil. It must not be modified.
func (s *Snapshot[T]) Get(key string) *T { return s.byKey[key] }

// Open reads the file at path with kind.Parse. A missing file is an empty
// registry; the first change creates the file, starting with kind.Header.
func Open[T any](path string, kind Kind[T], opts ...Option) (*Registry[T], error) {
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	r := &Registry[T]{path: path, kind: kind, audit: o.audit, log: o.log}
	if r.log == nil {
		r.log = slog.New(slog.DiscardHandler)
	}
	data, _, _, err := yamlfile.ReadFile(path)
	if err != nil {
		return nil, err
	}
	s, err := r.parse(data)
	if err != nil {
		return nil, err
	}
	r.cur.Store(s)
	return r, nil
}

// parse builds a snapshot from the file's content.
func (r *Registry[T]) parse(data []byte) (*Snapshot[T], error) {
	list, err := r.kind.Parse(r.path, data)
	if err != nil {
		return nil, err
	}
	k, err := yamlfile.SplitKeyed(data)
	if err == nil {
		err = k.Check()
	}
	if err != nil {
		return nil, fmt.Errorf("%s: cannot edit entries in place: %w", r.path, err)
	}
	s := &Snapshot[T]{
		list:    list,
		byKey:   make(map[string]*T, len(list)),
		base:    make(map[string][]byte, len(list)),
		version: k.Hash,
	}
	slices.SortFunc(s.list, func(a, b *T) int { return cmp.Compare(r.kind.Key(a), r.kind.Key(b)) })
	for _, v := range s.list {
		key := r.kind.Key(v)
		s.byKey[key] = v
		if t, ok := k.Get(key); ok {
			s.base[key] = t
		}
	}
	return s, nil
}

// Path returns the registry's file.
func (r *Registry[T]) Path() string { return r.path }

// Snapshot returns the registry's current state.
func (r *Registry[T]) Snapshot() *Snapshot[T] { return r.cur.Load() }

// Version returns the content hash of the file as the registry last read
// or wrote it.
func (r *Registry[T]) Version() string { return r.cur.Load().version }

// List returns every entry, sorted by key. Neither the slice nor the
// entries may be modified.
func (r *Registry[T]) List() []*T { return r.cur.Load().list }

// Len returns the number of entries.
func (r *Registry[T]) Len() int { return len(r.cur.Load().list) }

// Get returns the entry with key, or nil. It must not be modified.
func (r *Registry[T]) Get(key string) *T { return r.cur.Load().byKey[key] }

// Entry returns the entry with key and its ETag, from one state of the
// registry; nil and "" when there is none.
func (r *Registry[T]) Entry(key string) (*T, string) {
	s := r.cur.Load()
	v := s.byKey[key]
	if v == nil {
		return nil, ""
	}
	return v, etag(s.base[key])
}

// ETag returns the entry's entity tag (the quoted hash of its text in the
// file), or "" when there is no such entry.
func (r *Registry[T]) ETag(key string) string {
	_, t := r.Entry(key)
	return t
}

func etag(entry []byte) string { return `"` + yamlfile.Hash(entry) + `"` }

// title is the noun with its first letter in upper case.
func (r *Registry[T]) title() string {
	return strings.ToUpper(r.kind.Noun[:1]) + r.kind.Noun[1:]
}

func (r *Registry[T]) notFound(key string) error {
	return moniker.Errorf(moniker.ErrNotFound, "%s not found: %s", r.title(), key)
}

// checkETag fails with moniker.ErrPrecondition unless ifMatch allows a write to
// the entry whose text is base.
func (r *Registry[T]) checkETag(key, ifMatch string, base []byte) error {
	if !moniker.MatchETag(ifMatch, yamlfile.Hash(base)) {
		return moniker.Errorf(moniker.ErrPrecondition, "precondition failed: %s %s has changed (ETag %s)", r.kind.Noun, key, etag(base))
	}
	return nil
}

// Create adds v, which the caller has validated, and saves it. It fails
// with moniker.ErrConflict when the entry exists, or was created on disk
// by another writer meanwhile (*moniker.ConflictError). actor is recorded in
// the audit log. It returns the entry as read back from the file.
func (r *Registry[T]) Create(ctx context.Context, v *T, actor string) (*T, error) {
	key := r.kind.Key(v)
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cur.Load().byKey[key] != nil {
		return nil, moniker.Errorf(moniker.ErrConflict, "%s already exists: %s", r.title(), key)
	}
	text := r.kind.Marshal(v)
	s, err := r.write(ctx, []yamlfile.Change{{Key: key, Text: text}})
	if err != nil {
		return nil, err
	}
	r.record(ctx, "created", key, actor, nil, text)
	return s.byKey[key], nil
}

// Update replaces the entry with key by change(old) and saves it. ifMatch
// is the request's If-Match header ("" = none); a mismatch fails with
// moniker.ErrPrecondition before change is called. change returns the new entry
// (validated) or an error, which Update returns. A change that marshals
// like the old entry writes nothing. It fails with *moniker.ConflictError
// when the entry changed on disk since the registry read it; the registry
// then re-reads the file.
func (r *Registry[T]) Update(ctx context.Context, key, ifMatch, actor string, change func(old *T) (*T, error)) (*T, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.cur.Load()
	old := cur.byKey[key]
	if old == nil {
		return nil, r.notFound(key)
	}
	base := cur.base[key]
	if err := r.checkETag(key, ifMatch, base); err != nil {
		return nil, err
	}
	v, err := change(old)
	if err != nil {
		return nil, err
	}
	text := r.kind.Marshal(v)
	if bytes.Equal(text, r.kind.Marshal(old)) {
		return old, nil
	}
	s, err := r.write(ctx, []yamlfile.Change{{Key: key, Text: text, Base: base}})
	if err != nil {
		return nil, err
	}
	r.record(ctx, "updated", key, actor, base, text)
	return s.byKey[key], nil
}

// Delete removes the entry with key from the file. refuse, when not nil,
// may refuse the deletion given the registry's state (its error is
// returned); it is asked after the entry is found and before ifMatch is
// checked. ifMatch and the conflict check work as for Update.
func (r *Registry[T]) Delete(ctx context.Context, key, ifMatch, actor string, refuse func(*Snapshot[T]) error) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.cur.Load()
	if cur.byKey[key] == nil {
		return r.notFound(key)
	}
	if refuse != nil {
		if err := refuse(cur); err != nil {
			return err
		}
	}
	base := cur.base[key]
	if err := r.checkETag(key, ifMatch, base); err != nil {
		return err
	}
	if _, err := r.write(ctx, []yamlfile.Change{{Key: key, Base: base}}); err != nil {
		return err
	}
	r.record(ctx, "deleted", key, actor, base, nil)
	return nil
}

// Save writes every entry to a new file when the file is missing (never
// created, or removed behind the registry's back); when it exists every
// change is already on disk (each one writes through) and Save writes
// nothing. It returns the number of entries.
func (r *Registry[T]) Save(ctx context.Context) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	cur := r.cur.Load()
	_, _, exists, err := yamlfile.ReadFile(r.path)
	if err != nil {
		return 0, err
	}
	if exists {
		return len(cur.list), nil
	}
	changes := make([]yamlfile.Change, len(cur.list))
	for i, v := range cur.list {
		changes[i] = yamlfile.Change{Key: r.kind.Key(v), Text: r.kind.Marshal(v)}
	}
	s, err := r.write(ctx, changes)
	if err != nil {
		return 0, err
	}
	return len(s.list), nil
}

// Reload re-reads the file. The whole file is parsed before the registry
// changes: on any error the registry keeps what it had. A missing file is
// a moniker.ErrNotFound error. It returns the number of entries loaded.
func (r *Registry[T]) Reload(ctx context.Context) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	data, _, exists, err := yamlfile.ReadFile(r.path)
	if err != nil {
		return 0, err
	}
	if !exists {
		return 0, moniker.Errorf(moniker.ErrNotFound, "%ss file not found: %s", r.title(), r.path)
	}
	s, err := r.parse(data)
	if err != nil {
		return 0, fmt.Errorf("%s does not load; the %d %ss loaded before are kept: %w", r.path, len(r.cur.Load().list), r.kind.Noun, err)
	}
	r.cur.Store(s)
	return len(s.list), nil
}

// write saves changes under the file's lock and re-bases the registry on
// the file as written. On a conflict it re-bases on the file as it is on
// disk and returns the *moniker.ConflictError. r.mu must be held.
func (r *Registry[T]) write(ctx context.Context, changes []yamlfile.Change) (*Snapshot[T], error) {
	var (
		parsed   *Snapshot[T]
		parseErr error
	)
	_, err := yamlfile.SaveKeyed(ctx, r.path, changes, yamlfile.SaveOptions{
		Header: []byte(r.kind.Header),
		Validate: func(data []byte) error {
			parsed, parseErr = r.parse(data)
			return parseErr
		},
	})
	var conflict *moniker.ConflictError
	switch {
	case errors.As(err, &conflict):
		if data, _, _, rerr := yamlfile.ReadFile(r.path); rerr == nil {
			if s, perr := r.parse(data); perr == nil {
				r.cur.Store(s)
			}
		}
		return nil, &moniker.ConflictError{Paths: conflict.Paths,
			Message: fmt.Sprintf("%s changed on disk since it was read (reload and retry): %s", r.title(), strings.Join(conflict.Paths, ", "))}
	case err != nil && parseErr != nil:
		// Our entries are valid, so someone else's edit broke the file.
		return nil, moniker.Errorf(moniker.ErrConflict, "%s was changed on disk and no longer loads, nothing was saved: %w", r.path, parseErr)
	case err != nil:
		return nil, err
	}
	r.cur.Store(parsed)
	return parsed, nil
}

// record appends an audit entry for a saved change (what is "created",
// "updated" or "deleted"). The change is on disk, so a failure is logged,
// not returned.
func (r *Registry[T]) record(ctx context.Context, what, key, actor string, before, after []byte) {
	if r.audit == nil {
		return
	}
	action := r.kind.Noun + "_" + what
	e := audit.Entry{Path: r.kind.Noun + ":" + key, Action: action, Actor: actor}
	if before != nil {
		e.OldValue = string(before)
	}
	if after != nil {
		e.NewValue = string(after)
	}
	if err := r.audit.Append(context.WithoutCancel(ctx), e); err != nil {
		r.log.Error("audit append failed", "action", action, r.kind.Noun, key, "err", err)
	}
}
