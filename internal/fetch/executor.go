package fetch

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/moniker-svc/moniker/internal/governance"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/source"
)

// Request is one fetch: a moniker's resolution, exactly as /resolve
// answers it, and what the caller asked for.
type Request struct {
	// Resolution is the moniker's resolution; its Query is the text the
	// source runs, unchanged.
	Resolution *moniker.Resolution
	// Binding is the source binding of the node at Resolution.BindingPath.
	Binding *moniker.SourceBinding
	// Limit is the most rows the caller wants; the source reads Limit+1
	// to tell whether there were more.
	Limit int
	// BypassCache asks for a fresh execution (a result cache in front of
	// the executor must not answer it).
	BypassCache bool
	// Format is the answer's format (a result cache may key on it).
	Format Format
}

// Result is a fetch's answer: the rows, read one at a time.
type Result struct {
	// Rows holds at most Limit+1 rows; the caller must Close it. Nil
	// only when Cache.Status is CacheLoading.
	Rows Rows
	// Cached is true when the rows come from a result cache.
	Cached bool
	// Cache describes the cached entry; nil when the rows were read from
	// the source now.
	Cache *CacheInfo
}

// Cache statuses (upstream's cache_status values).
const (
	CacheFresh   = "fresh"
	CacheStale   = "stale"
	CacheLoading = "loading" // no rows yet: /fetch answers 202
)

// CacheInfo is what a result cache says about the entry it answered from.
type CacheInfo struct {
	Status string
	// Age is how old the rows are; 0 is answered as null (as upstream).
	Age         time.Duration
	LastRefresh time.Time // zero: null
	NextRefresh time.Time // zero: null
	Message     string
}

// Fetcher answers fetches: the Executor runs them on their sources, and a
// result cache can sit in front of it (answering with buffered rows, see
// Buffer) behind the same interface.
type Fetcher interface {
	Fetch(ctx context.Context, req *Request) (*Result, error)
}

// DefaultTimeout bounds an execution when Options.Timeout is not set
// (config fetch.timeout_seconds).
const DefaultTimeout = 30 * time.Second

// TimeoutKey is the binding config key that overrides the execution
// timeout for one binding, in seconds: upstream's key (its SQL adapters
// documented and ignored it; its REST adapter used it for the HTTP call).
const TimeoutKey = "timeout"

// Options configure an Executor.
type Options struct {
	// Adapters are the source types the executor can run; a type without
	// one is ErrNotImplemented.
	Adapters Adapters
	// Breaker guards every source connection with a circuit of its own
	// (nil: none).
	Breaker *governance.Breaker
	// Env is given to every adapter (secrets, the catalog's folder, pool
	// bounds).
	Env Env
	// Timeout bounds one execution: running the query and reading its
	// rows (0: DefaultTimeout).
	Timeout time.Duration
	// Metrics receives the executor's counts (nil: none).
	Metrics *Metrics
	// Log receives sources opened and closed and close errors (nil:
	// discarded).
	Log *slog.Logger
}

// Executor runs fetches on their sources: one Source per distinct
// connection (an adapter's Key), opened at its first use and shared by
// every binding with that key, closed when a catalog reload leaves no
// binding that refers to it (Retain) and no fetch uses it. It is safe for
// concurrent use.
type Executor struct {
	adapters Adapters
	breaker  *governance.Breaker
	env      Env
	timeout  time.Duration
	metrics  *Metrics
	log      *slog.Logger

	mu      sync.Mutex
	sources map[string]*entry // by sourceKey
	names   map[string]string // sourceKey -> name, from the last Retain
	closed  bool
}

// entry is one source: being opened until ready is closed, then src or
// err.
type entry struct {
	key   string
	name  string // type:binding path, the breaker key and the log name
	ready chan struct{}
	src   Source
	err   error
	// refs counts the fetches using src; retired says no binding refers
	// to it any more, so it is closed when refs reaches 0. Both are
	// guarded by Executor.mu.
	refs    int
	retired bool
}

// NewExecutor returns an executor.
func NewExecutor(o Options) *Executor {
	x := &Executor{adapters: o.Adapters, breaker: o.Breaker, env: o.Env, timeout: o.Timeout, metrics: o.Metrics, log: o.Log,
		sources: map[string]*entry{}, names: map[string]string{}}
	if x.timeout <= 0 {
		x.timeout = DefaultTimeout
	}
	if x.log == nil {
		x.log = slog.New(slog.DiscardHandler)
	}
	if x.adapters == nil {
		x.adapters = Adapters{}
	}
	return x
}

// sourceKey is the identity of a source across types.
func sourceKey(typ, key string) string { return typ + "\x00" + key }

// Fetch runs req's query on its source. The error is of one of the kinds
// moniker defines: ErrNotImplemented for a type without an adapter,
// ErrUnavailable (an *governance.OpenError) while the source's circuit is
// open, ErrTimeout when the source did not answer within the timeout,
// ErrSource when it refused (or the binding's connection settings are
// invalid), ErrNotFound when it has no such data. The rows' Err tells the
// same of a failure while they are read.
func (x *Executor) Fetch(ctx context.Context, req *Request) (*Result, error) {
	b, res := req.Binding, req.Resolution
	typ := b.Type
	a := x.adapters[typ]
	if a == nil {
		err := noAdapter(typ)
		x.metrics.failed(typ, err)
		return nil, err
	}
	timeout, err := BindingTimeout(b, x.timeout)
	if err != nil {
		x.metrics.failed(typ, err)
		return nil, err
	}
	e, err := x.acquire(ctx, typ, a, b.Config, res.BindingPath)
	if err != nil {
		x.metrics.failed(typ, err)
		return nil, err
	}
	end, err := x.breaker.Begin(e.name)
	if err != nil {
		x.release(e)
		x.metrics.failed(typ, err)
		return nil, err
	}
	start := time.Now()
	qctx, cancel := context.WithTimeout(ctx, timeout)
	q := &Query{Text: res.Query, Connection: res.Connection, Params: res.Params, Config: b.Config, MaxRows: req.Limit + 1}
	rows, err := e.src.Query(qctx, q)
	if err != nil {
		err = sourceError(ctx, qctx, err, timeout)
		cancel()
		end(breakerOutcome(err))
		x.release(e)
		x.metrics.done(typ, time.Since(start), 0, err)
		return nil, err
	}
	return &Result{Rows: &liveRows{Rows: rows, x: x, e: e, typ: typ, ctx: ctx, qctx: qctx, cancel: cancel,
		end: end, timeout: timeout, max: req.Limit + 1, limit: req.Limit, start: start}}, nil
}

// noAdapter is the error of a source type the service cannot read: the
// message names the type and says why, from the source-type registry.
func noAdapter(typ string) error {
	why := "This service cannot read it yet: read it in the client with the connection /resolve returns."
	if st := source.Lookup(typ); st != nil && st.NoFetch != "" {
		why = st.NoFetch
	}
	return moniker.Errorf(moniker.ErrNotImplemented, "No adapter available for source type: %s. %s", typ, why)
}

// BindingTimeout is the execution timeout of binding b: its config key
// timeout (seconds), else def. An invalid value is a source error naming
// the key.
func BindingTimeout(b *moniker.SourceBinding, def time.Duration) (time.Duration, error) {
	v, ok := b.Config[TimeoutKey]
	if !ok || v == nil {
		return def, nil
	}
	s, err := Float(TimeoutKey, v, 0)
	if err == nil && s <= 0 {
		err = moniker.Errorf(moniker.ErrInvalid, "%s: must be > 0 seconds", TimeoutKey)
	}
	if err != nil {
		return 0, moniker.Errorf(moniker.ErrSource, "source binding config %w", err)
	}
	return time.Duration(s * float64(time.Second)), nil
}

// acquire returns the source of cfg, opening it at its first use, with
// one more reference (release it).
func (x *Executor) acquire(ctx context.Context, typ string, a Adapter, cfg map[string]any, bindingPath string) (*entry, error) {
	k, err := a.Key(cfg)
	if err != nil {
		return nil, configError(err)
	}
	key := sourceKey(typ, k)
	x.mu.Lock()
	if x.closed {
		x.mu.Unlock()
		return nil, moniker.Errorf(moniker.ErrUnavailable, "the service is stopping")
	}
	e := x.sources[key]
	if e != nil {
		e.refs++
		x.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			x.release(e)
			return nil, sourceError(ctx, ctx, ctx.Err(), 0)
		}
		if e.err != nil {
			x.release(e)
			return nil, e.err
		}
		return e, nil
	}
	name := x.names[key]
	if name == "" {
		name = typ + ":" + bindingPath
	}
	e = &entry{key: key, name: name, ready: make(chan struct{}), refs: 1}
	x.sources[key] = e
	x.mu.Unlock()

	// The source outlives this request: it opens without the request's
	// cancellation, within the execution timeout.
	octx, cancel := context.WithTimeout(context.WithoutCancel(ctx), x.timeout)
	src, err := a.Open(octx, cfg, x.env)
	cancel()
	if err != nil {
		e.err = configError(err)
		x.mu.Lock()
		if x.sources[key] == e {
			delete(x.sources, key) // the next fetch tries again
		}
		x.mu.Unlock()
		close(e.ready)
		x.release(e)
		return nil, e.err
	}
	e.src = src
	close(e.ready)
	x.metrics.opened(1)
	x.log.Info("source opened", "source", e.name)
	return e, nil
}

// release drops a reference to e, closing its source when it was the
// last one of a retired entry.
func (x *Executor) release(e *entry) {
	x.mu.Lock()
	e.refs--
	last := e.refs == 0 && e.retired && e.src != nil
	x.mu.Unlock()
	if last {
		x.closeSource(e)
	}
}

func (x *Executor) closeSource(e *entry) {
	x.metrics.opened(-1)
	if err := e.src.Close(); err != nil {
		x.log.Warn("closing a source", "source", e.name, "err", err)
		return
	}
	x.log.Info("source closed", "source", e.name)
}

// Retain keeps open the sources the bindings of nodes refer to and closes
// the others (each once no fetch uses it): call it with every node of
// the catalog after each reload. It also names each source after the
// first, in path order, of the bindings that share it, so a source's
// breaker, metrics and log lines keep one name across replicas.
func (x *Executor) Retain(nodes []*moniker.Node) {
	names := map[string]string{}
	for _, n := range nodes {
		b := n.Binding
		if b == nil {
			continue
		}
		a := x.adapters[b.Type]
		if a == nil {
			continue
		}
		k, err := a.Key(b.Config)
		if err != nil {
			continue
		}
		key := sourceKey(b.Type, k)
		if old, ok := names[key]; !ok || n.Path < old[len(b.Type)+1:] {
			names[key] = b.Type + ":" + n.Path
		}
	}
	var closing []*entry
	x.mu.Lock()
	x.names = names
	for key, e := range x.sources {
		if _, ok := names[key]; ok {
			continue
		}
		delete(x.sources, key)
		e.retired = true
		if e.refs == 0 && e.src != nil {
			closing = append(closing, e)
		}
	}
	x.mu.Unlock()
	for _, e := range closing {
		x.closeSource(e)
	}
}

// Close closes every source; fetches still running keep theirs until
// they finish, and new ones fail.
func (x *Executor) Close() {
	var closing []*entry
	x.mu.Lock()
	x.closed = true
	for key, e := range x.sources {
		delete(x.sources, key)
		e.retired = true
		if e.refs == 0 && e.src != nil {
			closing = append(closing, e)
		}
	}
	x.mu.Unlock()
	for _, e := range closing {
		x.closeSource(e)
	}
}

// Stats is the executor's part of /health: the source types it can run
// and the sources open now, by name (never a connection string).
type Stats struct {
	Adapters       []string `json:"adapters"`
	TimeoutSeconds float64  `json:"timeout_seconds"`
	Sources        []string `json:"sources"`
}

// Stats returns the executor's state.
func (x *Executor) Stats() Stats {
	st := Stats{TimeoutSeconds: x.timeout.Seconds(), Adapters: []string{}, Sources: []string{}}
	for t := range x.adapters {
		st.Adapters = append(st.Adapters, t)
	}
	slices.Sort(st.Adapters)
	x.mu.Lock()
	for _, e := range x.sources {
		if e.src != nil {
			st.Sources = append(st.Sources, e.name)
		}
	}
	x.mu.Unlock()
	slices.Sort(st.Sources)
	return st
}

// configError is an error of an adapter's Key or Open: invalid
// connection settings are the binding's fault, not the caller's, so they
// are a source error (502) rather than a 400.
func configError(err error) error {
	if moniker.KindOf(err) == moniker.ErrInvalid {
		return moniker.Errorf(moniker.ErrSource, "source binding config: %w", err)
	}
	return sourceError(context.Background(), context.Background(), err, 0)
}

// sourceError gives err, an error of a source while running a query
// under qctx (derived from the request's ctx with the timeout), the kind
// the caller answers by: ErrTimeout when the timeout passed, an error
// wrapping context.Canceled when the caller gave up, else the adapter's
// kind (ErrSource for invalid and unknown ones: what the source refused
// is never the caller's request and never a 500).
func sourceError(ctx, qctx context.Context, err error, timeout time.Duration) error {
	switch {
	case ctx.Err() != nil:
		return moniker.Errorf(moniker.ErrUnavailable, "the request was cancelled: %w", context.Canceled)
	case moniker.KindOf(err) == moniker.ErrTimeout:
		return err
	case errors.Is(qctx.Err(), context.DeadlineExceeded):
		return moniker.Errorf(moniker.ErrTimeout, "the source did not answer within %s", timeout)
	}
	switch moniker.KindOf(err) {
	case moniker.ErrSource, moniker.ErrNotFound, moniker.ErrNotImplemented, moniker.ErrUnavailable:
		return err
	}
	return moniker.Errorf(moniker.ErrSource, "%w", err)
}

// breakerOutcome is what err says about the source's health, as the
// breaker's end function reads it: a failure (the source is down, fails
// or is too slow: a timeout, an unavailable source, a source error whose
// cause is a broken connection) as it is; nil when the source answered,
// if only with a refusal (a bad table, no such file); context.Canceled
// when the caller gave up.
func breakerOutcome(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, context.Canceled):
		return context.Canceled
	}
	switch moniker.KindOf(err) {
	case moniker.ErrTimeout, moniker.ErrUnavailable:
		return err
	case moniker.ErrSource:
		if IsConnectionFailure(err) {
			return err
		}
		return nil
	case moniker.ErrNotFound, moniker.ErrNotImplemented, moniker.ErrInvalid:
		return nil
	}
	return err
}

// liveRows are a source's rows as the executor hands them out: at most
// max of them, the error given its kind, and on Close the source released,
// the breaker told and the metrics counted.
type liveRows struct {
	Rows
	x       *Executor
	e       *entry
	typ     string
	ctx     context.Context // the request's
	qctx    context.Context // with the timeout
	cancel  context.CancelFunc
	end     func(error)
	timeout time.Duration
	max     int
	limit   int
	start   time.Time

	n      int
	err    error
	ended  bool
	closed bool
}

func (r *liveRows) Next() bool {
	if r.ended || r.n >= r.max {
		r.ended = true
		return false
	}
	if !r.Rows.Next() {
		r.ended = true
		if err := r.Rows.Err(); err != nil {
			r.err = sourceError(r.ctx, r.qctx, err, r.timeout)
		}
		return false
	}
	r.n++
	return true
}

func (r *liveRows) Err() error { return r.err }

func (r *liveRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	cerr := r.Rows.Close()
	r.cancel()
	r.end(breakerOutcome(r.err))
	r.x.release(r.e)
	r.x.metrics.done(r.typ, time.Since(r.start), min(r.n, r.limit), r.err)
	if cerr != nil && r.err == nil {
		r.x.log.Debug("closing rows", "source", r.e.name, "err", cerr)
	}
	return nil
}
