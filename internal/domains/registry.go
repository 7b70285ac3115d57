package domains

import (
	"context"
	"log/slog"
	"slices"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/registry"
)

// Registry is the domain registry of one domains.yaml. It is safe for
// concurrent use; *Registry satisfies resolve.Domains. Path, Version,
// List (sorted by name), Len, Get, Entry, ETag, Save (POST /domains/save)
// and Reload are those of the registry.Registry it embeds.
type Registry struct {
	*base
}

// base is the shared keyed-file registry, embedded under an unexported
// name so that only its methods are promoted.
type base = registry.Registry[moniker.DomainRecord]

// kind is how the registry reads and writes domains.yaml.
func kind() registry.Kind[moniker.DomainRecord] {
	return registry.Kind[moniker.DomainRecord]{
		Noun:   "domain",
		Header: Header,
		Parse: func(name string, data []byte) ([]*moniker.DomainRecord, error) {
			doms, err := catalog.LoadDomainsBytes(name, data)
			if err != nil {
				return nil, err
			}
			return slices.Clone(doms.All()), nil
		},
		Key:     func(d *moniker.DomainRecord) string { return d.Name },
		Marshal: func(d *moniker.DomainRecord) []byte { return MarshalDomain(nil, d) },
	}
}

// Option configures a Registry.
type Option = registry.Option

// WithAudit records every change in l: action domain_created,
// domain_updated or domain_deleted, path "domain:<name>", the actor, and
// the entry text before and after.
func WithAudit(l *audit.Log) Option { return registry.WithAudit(l) }

// WithLogger logs what cannot be returned (an audit append that failed
// after the change was saved).
func WithLogger(l *slog.Logger) Option { return registry.WithLogger(l) }

// Open reads the domains file at path with catalog.LoadDomainsBytes
// (strict: unknown keys and type errors are errors). A missing file is an
// empty registry; the first change creates the file, starting with Header.
func Open(path string, opts ...Option) (*Registry, error) {
	r, err := registry.Open(path, kind(), opts...)
	if err != nil {
		return nil, err
	}
	return &Registry{r}, nil
}

// Lookup is Get, for call sites that read better with it.
func (r *Registry) Lookup(name string) *moniker.DomainRecord { return r.Get(name) }

// Create adds d (validated with Validate; an empty display_name becomes
// the name) and saves it. It fails with moniker.ErrConflict when the
// domain exists, or was created on disk by another writer meanwhile
// (*moniker.ConflictError). actor is recorded in the audit log.
func (r *Registry) Create(ctx context.Context, d *moniker.DomainRecord, actor string) (*moniker.DomainRecord, error) {
	rec := *d
	if rec.DisplayName == "" {
		rec.DisplayName = rec.Name
	}
	if err := Validate(&rec); err != nil {
		return nil, err
	}
	return r.base.Create(ctx, &rec, actor)
}

// Update applies p to the domain named name and saves it. ifMatch is the
// request's If-Match header ("" = none); a mismatch fails with
// moniker.ErrPrecondition. The fields p sets are validated (a record that was
// already on disk with, say, a bad colour can still get a new owner). A
// patch that changes nothing writes nothing. It fails with
// *moniker.ConflictError when the domain changed on disk since the registry
// read it; the registry then re-reads the file.
func (r *Registry) Update(ctx context.Context, name string, p Patch, ifMatch, actor string) (*moniker.DomainRecord, error) {
	return r.base.Update(ctx, name, ifMatch, actor, registry.Change(p.checkRename(name), p.Apply, validate))
}

// Delete removes the domain named name from the file. ifMatch and the
// conflict check work as for Update. Catalog nodes that name the domain
// keep their domain field (as upstream).
func (r *Registry) Delete(ctx context.Context, name, ifMatch, actor string) error {
	return r.base.Delete(ctx, name, ifMatch, actor, nil)
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
