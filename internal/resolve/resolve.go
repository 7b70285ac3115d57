// Package resolve implements the resolution algorithm (reference §6 with
// the fixes of DESIGN §4): a moniker is resolved against an immutable
// Snapshot of the catalog and the domains to its source binding, rendered
// connection and query, inherited ownership and lifecycle status.
//
// A Snapshot is built once per catalog generation (NewSnapshot): it
// compiles every bound node's templates and access policy up front and
// owns its resolve cache, so a reload, which builds a new Snapshot,
// invalidates the cache for free. Resolve takes no locks.
//
// Decisions that differ from upstream (reference §10):
//
//   - Cache (Q3): the key is the full canonical moniker (moniker.CacheKey:
//     namespace, version, sub-resource, revision, params), the access
//     policy is checked on every request, hit or miss, and denials and
//     not-found results are not cached. Because results are shared by
//     every caller of the same canonical moniker, the "moniker" field of a
//     response is the canonical string (moniker.String), not the caller's
//     raw text.
//   - Redirect (Q17b): after a successor redirect the binding, sub-path,
//     template segments and access policy are those of the successor (the
//     last one of the chain that has a binding); path, ownership, status
//     and the deprecation fields stay those of the requested path.
//     redirected_from is set only when a successor binding was found. A
//     deprecated node with a successor redirects even when it has no
//     binding of its own (upstream answered 404 before looking at it).
//   - Sub-path (Q2b): a binding found through a "." ancestor gives a clean
//     sub-path ("equity/AAPL", not ".equity/AAPL").
//   - Domain (Q25): one rule says which domain a path belongs to, for the
//     ownership fallback and the 404 hint alike (Snapshot.DomainName).
//   - cache_ttl_hint is the configured cache TTL in seconds (default 300)
//     instead of a constant 300. A cached entry is served until its TTL
//     ends, so a REST query rendered with today's date ({current_date}, a
//     lookback) may name yesterday for up to one TTL after midnight (UTC
//     unless Options.Now says otherwise).
//   - Connections never include secrets: REST header names and config keys
//     of fallback-shape bindings (composite, derived, ...) that name a
//     password, token, secret, credential, API key, authorization or
//     cookie are left out (DESIGN §7; upstream passed them through, Q-sec).
//
// Reproduced on purpose: draft, pending_review and archived bindings are
// skipped in favour of an ancestor's binding (Q17); an exact binding match
// renders {path} and {segments[N]} from the full path while the access
// policy sees no segments (Q18); every source type of upstream's other
// than oracle, mssql and rest uses the Snowflake dialect (Q20), while
// postgres, mysql and sqlite, which upstream lacked, have their own.
package resolve

import (
	"log/slog"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/query"
)

// Defaults of the Options that configure the cache.
const (
	DefaultCacheMaxSize = 10000
	DefaultCacheTTL     = 300 * time.Second
)

// maxScratch bounds the scratch buffers kept for reuse by build.
const maxScratch = 64 << 10

// maxRedirectHops is how many successors a redirect follows (reference §6.3).
const maxRedirectHops = 5

// Domains looks up a governance domain by name. nil means no domains.
type Domains interface {
	Get(name string) *moniker.DomainRecord
}

// Options configure a Snapshot.
type Options struct {
	// DeprecationEnabled and RedirectOnResolve are config
	// deprecation.enabled and deprecation.redirect_on_resolve; successor
	// redirects happen only when both are true.
	DeprecationEnabled, RedirectOnResolve bool
	// CacheEnabled, CacheMaxSize and CacheTTL are config cache.enabled,
	// cache.max_size and cache.default_ttl_seconds. A MaxSize or TTL <= 0
	// means the default (DefaultCacheMaxSize, DefaultCacheTTL).
	CacheEnabled bool
	CacheMaxSize int
	CacheTTL     time.Duration
	// Now is the clock: cache expiry, and the "today" of REST dates. nil
	// means time.Now().UTC().
	Now func() time.Time
	// Logger receives the warnings of resolution (a broken successor
	// chain, a query above max_rows_warn), logged when an entry is built,
	// not on cache hits. nil discards them.
	Logger *slog.Logger
}

// Entry is one resolution: the Resolution and the exact JSON body of the
// 200 /resolve response (AppendResolutionJSON). Entries are shared through
// the resolve cache: neither may be modified.
type Entry struct {
	Res  *moniker.Resolution
	Body []byte

	key       string // cache key
	expires   int64  // Unix nanoseconds
	policy    *policy
	policySub string // the segments the policy is checked against, "/"-joined
}

// Snapshot resolves monikers against one catalog generation. It is
// immutable apart from its cache and safe for concurrent use.
type Snapshot struct {
	cat      *catalog.Catalog
	domains  Domains
	bindings []*compiledBinding // by Node.Index; nil when not bound or not resolvable
	redirect bool
	now      func() time.Time
	ttl      time.Duration
	ttlHint  int
	cache    *cache // nil when disabled
	log      *slog.Logger
	scratch  sync.Pool // *[]byte, build's scratch space
}

// NewSnapshot prepares cat and domains for resolving: it compiles the
// templates and access policy of every bound node with a resolvable status.
// domains may be nil.
func NewSnapshot(cat *catalog.Catalog, domains Domains, opts Options) *Snapshot {
	if cat == nil {
		cat = catalog.New(nil)
	}
	if domains != nil {
		// A typed nil (a nil *catalog.Domains) is no domains, too.
		if v := reflect.ValueOf(domains); v.Kind() == reflect.Pointer && v.IsNil() {
			domains = nil
		}
	}
	s := &Snapshot{
		cat:      cat,
		domains:  domains,
		redirect: opts.DeprecationEnabled && opts.RedirectOnResolve,
		now:      opts.Now,
		ttl:      opts.CacheTTL,
		log:      opts.Logger,
	}
	s.scratch.New = func() any {
		b := make([]byte, 0, 4096)
		return &b
	}
	if s.now == nil {
		s.now = func() time.Time { return time.Now().UTC() }
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.ttl <= 0 {
		s.ttl = DefaultCacheTTL
	}
	s.ttlHint = int((s.ttl + time.Second - 1) / time.Second)
	if opts.CacheEnabled {
		size := opts.CacheMaxSize
		if size <= 0 {
			size = DefaultCacheMaxSize
		}
		s.cache = newCache(size)
	}
	nodes := cat.Nodes()
	s.bindings = make([]*compiledBinding, len(nodes))
	for i, n := range nodes {
		if n.Binding != nil && n.EffectiveStatus().Resolvable() {
			s.bindings[i] = compileBinding(n)
		}
	}
	return s
}

// Catalog returns the catalog the snapshot resolves against.
func (s *Snapshot) Catalog() *catalog.Catalog { return s.cat }

// CacheStats reports the snapshot's resolve cache; all zero when it is
// disabled.
func (s *Snapshot) CacheStats() CacheStats {
	if s.cache == nil {
		return CacheStats{}
	}
	return s.cache.stats()
}

// bindingAt returns the compiled binding of the node at exactly path, or
// nil when there is no such node, it has no binding, or its status is not
// resolvable.
func (s *Snapshot) bindingAt(path string) *compiledBinding {
	n := s.cat.Get(path)
	if n == nil || n.Index < 0 || n.Index >= len(s.bindings) {
		return nil
	}
	if cb := s.bindings[n.Index]; cb != nil && cb.node == n {
		return cb
	}
	return nil
}

// findBinding implements reference §6.2: the exact node's binding, else the
// nearest ancestor's, skipping draft, pending_review and archived nodes.
func (s *Snapshot) findBinding(path string) *compiledBinding {
	cb := s.bindingAt(path)
	if cb == nil {
		moniker.Ancestors(path, func(a string) bool {
			cb = s.bindingAt(a)
			return cb == nil
		})
	}
	return cb
}

// FindBinding returns the node whose binding resolves path (reference
// §6.2): the node at path when it has a binding and a resolvable status,
// else the nearest such ancestor, else nil.
func (s *Snapshot) FindBinding(path string) *moniker.Node {
	if cb := s.findBinding(path); cb != nil {
		return cb.node
	}
	return nil
}

// Ownership resolves the ownership of path (reference §6.9): each field
// from the deepest existing node on the way from the root to path that
// sets it, its source that node's path; then accountable_owner,
// data_specialist and support_channel, when still unset, from the domain
// of path (DomainName) with source "domain:<name>".
func (s *Snapshot) Ownership(path string) moniker.ResolvedOwnership {
	var o moniker.ResolvedOwnership
	domain := "" // the nearest node's domain field
	visit := func(p string) bool {
		n := s.cat.Get(p)
		if n == nil {
			return true
		}
		if domain == "" {
			domain = n.Domain
		}
		for f, v := range n.Ownership {
			if v != "" && o[f].Value == "" {
				o[f] = moniker.OwnerValue{Value: v, Source: n.Path}
			}
		}
		return true
	}
	visit(path)
	moniker.Ancestors(path, visit)

	if s.domains == nil || (o[moniker.AccountableOwner].Value != "" &&
		o[moniker.DataSpecialist].Value != "" && o[moniker.SupportChannel].Value != "") {
		return o
	}
	if domain == "" {
		domain = moniker.Root(path)
	}
	d := s.domains.Get(domain)
	if d == nil {
		return o
	}
	source := "domain:" + domain
	fill := func(f moniker.OwnerField, v string) {
		if v != "" && o[f].Value == "" {
			o[f] = moniker.OwnerValue{Value: v, Source: source}
		}
	}
	fill(moniker.AccountableOwner, d.Owner)
	fill(moniker.DataSpecialist, d.TechCustodian)
	fill(moniker.SupportChannel, d.HelpChannel)
	return o
}

// DomainName returns the name of the domain path belongs to: the domain
// field of the nearest node that sets one (path itself, then its
// ancestors), else the root of path's hierarchy (moniker.Root:
// "prices.equity/AAPL" gives "prices"). This one rule serves the
// ownership fallback and the 404 hint (fixing Q25, where upstream used
// the first "/"-segment for one and split it on "." for the other).
func (s *Snapshot) DomainName(path string) string {
	domain := ""
	find := func(p string) bool {
		if n := s.cat.Get(p); n != nil {
			domain = n.Domain
		}
		return domain == ""
	}
	if find(path) {
		moniker.Ancestors(path, find)
	}
	if domain == "" {
		domain = moniker.Root(path)
	}
	return domain
}

// Domain returns the domain record of path (DomainName), or nil when there
// is none.
func (s *Snapshot) Domain(path string) *moniker.DomainRecord {
	if s.domains == nil {
		return nil
	}
	return s.domains.Get(s.DomainName(path))
}

// Resolve resolves m. cached reports whether the entry came from the
// resolve cache. The error is a *moniker.NotFoundError when no binding
// applies, or a *moniker.DeniedError when the access policy refuses m;
// the policy is checked on cache hits too.
func (s *Snapshot) Resolve(m *moniker.Moniker) (e *Entry, cached bool, err error) {
	now := s.now()
	if s.cache == nil {
		e, err = s.build(m, nil, now)
		return e, false, err
	}
	var kb [256]byte
	key := m.CacheKey(kb[:0])
	if e = s.cache.get(key, now.UnixNano()); e != nil {
		if e.policy != nil {
			if _, err := e.policy.check(e.policySub); err != nil {
				return nil, false, err
			}
		}
		return e, true, nil
	}
	if e, err = s.build(m, key, now); err != nil {
		return nil, false, err
	}
	e.expires = now.Add(s.ttl).UnixNano()
	s.cache.put(e)
	return e, false, nil
}

// build resolves m without the cache (reference §6.2-6.9). key is m's
// cache key, or nil when the cache is off.
func (s *Snapshot) build(m *moniker.Moniker, key []byte, now time.Time) (*Entry, error) {
	path := m.Path
	exact := s.cat.Get(path)
	cb := s.findBinding(path)
	target, redirectedFrom := path, ""
	if s.redirect && exact != nil && exact.EffectiveStatus() == moniker.StatusDeprecated && exact.Successor != "" {
		if rcb, rpath := s.followSuccessors(exact); rcb != nil {
			cb, target, redirectedFrom = rcb, rpath, path
		}
	}
	if cb == nil {
		return nil, &moniker.NotFoundError{Path: path}
	}
	sub, _ := moniker.SubPath(target, cb.node.Path) // cb is target's or an ancestor's

	var rows int64
	if cb.policy != nil {
		var err error
		if rows, err = cb.policy.check(sub); err != nil {
			return nil, err
		}
		if cb.policy.warn(rows) {
			s.log.Warn("large query allowed by access policy", "path", path,
				"binding_path", cb.node.Path, "estimated_rows", rows, "max_rows_warn", cb.policy.p.MaxRowsWarn)
		}
	}

	// Template path and segments: the sub-path, or the full path on an
	// exact match (Q18).
	tpath := sub
	if sub == "" {
		tpath = target
	}
	var segs []string
	if target == path {
		segs = tailSegments(m.Segments, tpath)
	} else {
		segs = strings.Split(tpath, "/")
	}
	ctx := query.Context{M: m, Segments: segs, Path: tpath, Dialect: cb.dialect, Now: now}

	// One allocation holds the entry and its resolution, and one string
	// the cache key, the canonical moniker (usually the same text) and
	// the rendered query.
	block := &struct {
		e   Entry
		res moniker.Resolution
	}{
		e: Entry{policy: cb.policy, policySub: sub},
		res: moniker.Resolution{
			Path:           path,
			SourceType:     cb.node.Binding.Type,
			SchemaInfo:     cb.node.Binding.Schema,
			ReadOnly:       cb.node.Binding.ReadOnly,
			Ownership:      s.Ownership(path),
			BindingPath:    cb.node.Path,
			SubPath:        sub,
			RedirectedFrom: redirectedFrom,
			CacheTTLHint:   s.ttlHint,
			EstimatedRows:  rows,
		},
	}
	e, res := &block.e, &block.res
	e.Res = res
	bp := s.scratch.Get().(*[]byte)
	defer s.scratch.Put(bp)
	text := append((*bp)[:0], key...)
	canonStart := len(text)
	text = m.AppendString(text)
	canon := text[canonStart:]
	if string(canon) == string(key) {
		text, canonStart = text[:canonStart], 0
	}
	canonEnd, queryStart := len(text), len(text)
	if cb.query != nil {
		if cb.selectFrom {
			text = append(text, "SELECT * FROM "...)
		}
		text = cb.query.Append(text, &ctx)
		res.HasQuery = true
	}
	all := string(text)
	e.key, res.Moniker, res.Query = all[:len(key)], all[canonStart:canonEnd], all[queryStart:]

	cb.render(res, &ctx, text[:0])
	if exact != nil {
		res.Status = exact.EffectiveStatus()
		res.DeprecationMessage = exact.DeprecationMessage
		res.Successor = exact.Successor
		res.SunsetDeadline = exact.SunsetDeadline
		res.MigrationGuideURL = exact.MigrationGuideURL
	}
	body := AppendResolutionJSON(text[:0], res)
	e.Body = slices.Clone(body)
	if cap(body) <= maxScratch {
		*bp = body[:0] // keep a buffer that grew, within reason
	}
	return e, nil
}

// render fills the connection and params of res (reference §6.6): the
// source's params, then the moniker_* params. scratch is scratch space for
// templated values.
func (cb *compiledBinding) render(res *moniker.Resolution, ctx *query.Context, scratch []byte) {
	if cb.connStatic != nil {
		res.Connection = cb.connStatic
	} else {
		res.Connection = make([]moniker.KV, len(cb.conn))
		for i := range cb.conn {
			res.Connection[i] = moniker.KV{Key: cb.conn[i].key, Value: cb.conn[i].render(ctx, scratch)}
		}
	}
	m := ctx.M
	n := len(cb.params) + 3
	if len(m.Params) > 0 {
		n++
	}
	params := make([]moniker.KV, len(cb.params), n)
	for i := range cb.params {
		params[i] = moniker.KV{Key: cb.params[i].key, Value: cb.params[i].render(ctx, scratch)}
	}
	var version, revision, namespace any
	if m.HasVersion {
		version = m.Version
	}
	if m.HasRevision {
		revision = m.Revision
	}
	if m.Namespace != "" {
		namespace = m.Namespace
	}
	params = append(params,
		moniker.KV{Key: "moniker_version", Value: version},
		moniker.KV{Key: "moniker_revision", Value: revision},
		moniker.KV{Key: "moniker_namespace", Value: namespace})
	if len(m.Params) > 0 {
		mp := make(map[string]string, len(m.Params))
		for _, p := range m.Params {
			mp[p.Key] = p.Value
		}
		params = append(params, moniker.KV{Key: "moniker_params", Value: mp})
	}
	res.Params = params
}

// tailSegments returns the segments of tpath, a "/"-suffix of the path
// whose segments are segs (a sub-path, or the whole path): a sub-slice of
// segs when tpath starts at a segment boundary, which it does unless the
// binding was found through a "." ancestor.
func tailSegments(segs []string, tpath string) []string {
	n := strings.Count(tpath, "/") + 1
	first, _, _ := strings.Cut(tpath, "/")
	if n <= len(segs) && segs[len(segs)-n] == first {
		return segs[len(segs)-n:]
	}
	return strings.Split(tpath, "/")
}

// followSuccessors follows the successor chain of the deprecated node n
// (reference §6.3): up to maxRedirectHops successors, each found with
// ancestor fallback, continuing while the successor's own node is
// deprecated with a successor, stopping at a successor already visited (a
// loop) or without a binding. It returns the last successor that has a
// binding and that binding, or nil when the first one has none.
func (s *Snapshot) followSuccessors(n *moniker.Node) (cb *compiledBinding, path string) {
	var visited [maxRedirectHops + 1]string
	visited[0] = n.Path
	for hop := 1; hop <= maxRedirectHops && n != nil &&
		n.EffectiveStatus() == moniker.StatusDeprecated && n.Successor != ""; hop++ {
		next := n.Successor
		if slices.Contains(visited[:hop], next) {
			s.log.Warn("successor chain loops", "path", visited[0], "successor", next)
			break
		}
		b := s.findBinding(next)
		if b == nil {
			s.log.Warn("successor has no source binding", "path", visited[0], "successor", next)
			break
		}
		cb, path, visited[hop] = b, next, next
		n = s.cat.Get(next)
	}
	return cb, path
}
