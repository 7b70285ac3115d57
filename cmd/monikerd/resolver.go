package main

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/demo"
	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/governance"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/mgmtclient"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/reload"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/resolverapi"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// resolverOptions say what else the process serves beside the resolver.
type resolverOptions struct {
	// local is the management plane of the same process (the all
	// target), nil for a resolver alone. With it, status writes go
	// through its catalog editor, /ui links to its pages, and it owns
	// POST /config/reload; without it, the resolver serves that route
	// and forwards status writes to management.url.
	local *management
}

// resolver is the data plane as built.
type resolver struct {
	routes []httpapi.Route
	rl     *reload.Reloader
	tel    *telemetry.Emitter
	exec   *fetch.Executor
	log    *slog.Logger
}

// buildResolver builds the data plane: catalog and domains (read-only) in
// a reloaded snapshot with its resolve cache, the audit log reader,
// access telemetry, the rate limiter and circuit breaker, and the
// resolver routes. Its reload loop runs until d.bg is done.
func buildResolver(d deps, o resolverOptions) (_ *resolver, err error) {
	cfg, log, health := d.cfg, d.log, d.health
	// Access telemetry (nil when telemetry.enabled is false); closed
	// (flushed) after the server has drained.
	env := telemetry.Env{Stdout: d.stdout, Stderr: d.stderr}
	if f := cfg.File(); f != "" {
		env.BaseDir = filepath.Dir(f)
	}
	tel, err := telemetry.FromConfig(cfg.Telemetry, env, log)
	if err != nil {
		return nil, err
	}
	r := &resolver{tel: tel, log: log}
	defer func() {
		if err != nil {
			r.close()
		}
	}()

	files := func() []string {
		var fs []string
		if p := cfg.CatalogPath(); p != "" {
			fs = append(fs, p)
		}
		return append(fs, cfg.DomainsPath(d.getenv))
	}
	var check reload.Check
	var auditLog *audit.Log
	if p := cfg.CatalogPath(); p != "" {
		auditLog = audit.ForCatalog(p)
	}
	if cfg.Deprecation.Enabled && cfg.Deprecation.ValidatedReload {
		host, _ := os.Hostname()
		check = reload.ValidatedCheck(auditLog, cfg.Deprecation.BlockBreakingReload, "reload:"+host)
	}
	rl, err := reload.New(d.bg, func(context.Context) (*resolve.Snapshot, error) { return loadSnapshot(cfg, d.getenv, log) },
		reload.Options{Files: files, Check: check, Log: log})
	if err != nil {
		return nil, err
	}
	r.rl = rl
	d.wg.Go(func() { rl.Run(d.bg, cfg.Catalog.ReloadInterval(), cfg.Catalog.Watch) })
	get := rl.Current
	// Cache counters are per snapshot; the exported counters carry the
	// totals of the snapshots swapped out, so they never go down.
	var hitsBefore, missesBefore atomic.Uint64
	prev := get()
	rl.OnSwap(func(s *resolve.Snapshot) {
		st := prev.CacheStats()
		hitsBefore.Add(st.Hits)
		missesBefore.Add(st.Misses)
		prev = s
	})

	health.Component("catalog")
	health.Component("domains")
	health.Component("resolve_cache")
	health.Component("reloader")
	health.Component("resolver_api")
	if tel != nil {
		health.Component("telemetry")
		d.reg.MustRegister(tel.Collectors()...)
	}
	health.Section("telemetry", func() any { return tel.Stats() })
	health.Section("cache", func() any {
		st := get().CacheStats()
		rate := 0.0
		if n := st.Hits + st.Misses; n > 0 {
			rate = float64(int(float64(st.Hits)/float64(n)*1000+0.5)) / 10
		}
		return cacheHealth{st.Size, st.MaxSize, st.Hits, st.Misses, rate}
	})
	// The limiter reports refusals as rate_limited access events.
	var onLimited func(r *http.Request, key, reason string)
	lim, err := governance.NewLimiter(cfg.Governance, governance.LimiterOptions{HeaderIdentity: !cfg.Auth.Enabled,
		OnLimited: func(r *http.Request, key, reason string) {
			if onLimited != nil {
				onLimited(r, key, reason)
			}
		}})
	if err != nil {
		return nil, err
	}
	br, err := governance.NewBreaker(cfg.Governance.CircuitBreaker, governance.BreakerOptions{Log: log.With("component", "governance")})
	if err != nil {
		return nil, err
	}
	d.wg.Go(func() { lim.Run(d.bg) })
	d.reg.MustRegister(lim, br)

	// /fetch: one source per distinct connection, kept open while a
	// binding of the served catalog refers to it.
	x := buildExecutor(cfg, d.getenv, br, d)
	r.exec = x
	x.Retain(get().Catalog().Nodes())
	rl.OnSwap(func(s *resolve.Snapshot) { x.Retain(s.Catalog().Nodes()) })
	health.Component("fetch")
	health.Section("fetch", func() any { return x.Stats() })
	health.Component("rate_limiter")
	health.Component("circuit_breaker")
	health.Section("rate_limiter", func() any { return lim.Stats() })
	health.Section("circuit_breaker", func() any { return br.Stats() })
	health.Section("catalog_counts", func() any { return get().Catalog().StatusCounts() })
	health.Section("catalog", func() any {
		st := rl.Status()
		c := get().Catalog()
		return catalogHealth{Status: st, Nodes: c.Len(), Files: c.Files(),
			ReloadIntervalSeconds: cfg.Catalog.ReloadIntervalSeconds, Watch: cfg.Catalog.Watch}
	})
	registerCatalogMetrics(d.reg, rl, &hitsBefore, &missesBefore)

	rc := resolverapi.Config{Snapshot: get, Telemetry: tel, Log: log,
		DeprecationTelemetry: cfg.Deprecation.Enabled && cfg.Deprecation.DeprecationTelemetry,
		ProjectName:          cfg.ProjectName,
		Fetcher:              x, FetchMaxRows: cfg.Fetch.MaxRows, FetchTimeout: cfg.Fetch.Timeout()}
	// Status changes reload at once, so this replica shows the change
	// without waiting for the poll; the others pick it up from the file.
	if m := o.local; m != nil {
		if m.editor != nil {
			rc.Status = reloadAfter{m.editor, rl}
		}
		rc.ManagementPages = true
	} else {
		// A resolver alone forwards status changes to the management
		// plane and serves POST /config/reload itself.
		if cfg.Management.URL != "" {
			mc, err := mgmtclient.New(cfg.Management.URL, 10*time.Second, mgmtclient.WithBreaker(br))
			if err != nil {
				return nil, err
			}
			rc.Status = reloadAfter{mc, rl}
			health.Component("management_client")
		}
		rc.Reload = func(ctx context.Context) (int, string, error) {
			err := rl.Reload(ctx, "http")
			c := get().Catalog()
			return c.Len(), c.Version(), err
		}
	}
	if auditLog != nil {
		rc.Audit = auditLog
		health.Component("audit_log")
	}
	srv := resolverapi.New(rc)
	onLimited = srv.RateLimited
	r.routes = lim.Protect(srv.Routes(), resolverapi.MaxBatch)
	return r, nil
}

// plane is the resolver's part of the target: SIGHUP reloads the
// snapshot (as a poll or POST /config/reload would).
func (r *resolver) plane() plane {
	return plane{
		routes: r.routes,
		reload: func(ctx context.Context) {
			if err := r.rl.Reload(ctx, "sighup"); err == nil {
				st := r.rl.Status()
				r.log.Info("SIGHUP: catalog snapshot reloaded", "version", st.Version, "nodes", r.rl.Current().Catalog().Len())
			}
			// A failure is logged by the reloader; the old snapshot serves.
		},
		close: r.close,
	}
}

// close closes /fetch's sources and flushes the access events still
// queued.
func (r *resolver) close() {
	if r.exec != nil {
		r.exec.Close()
	}
	if r.tel == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := r.tel.Close(ctx); err != nil {
		r.log.Error("flushing telemetry", "err", err)
	}
}

// reloadAfterWrites wraps the management routes of the all target: after
// every write the resolver's snapshot is reloaded if the files changed,
// before the answer goes out.
func (r *resolver) reloadAfterWrites(routes []httpapi.Route) []httpapi.Route {
	out := make([]httpapi.Route, len(routes))
	for i, rt := range routes {
		if rt.Method != http.MethodGet {
			h := rt.Handler
			rt.Handler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
				h.ServeHTTP(w, req)
				// Whatever the outcome: it only acts when files changed.
				r.rl.ReloadIfChanged(req.Context(), "management")
			})
		}
		out[i] = rt
	}
	return out
}

// registerCatalogMetrics exports the served catalog and its reloads.
func registerCatalogMetrics(reg prometheus.Registerer, rl *reload.Reloader, hitsBefore, missesBefore *atomic.Uint64) {
	get := rl.Current
	reg.MustRegister(
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "moniker_catalog_nodes", Help: "Nodes in the loaded catalog."},
			func() float64 { return float64(get().Catalog().Len()) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "moniker_catalog_loaded_timestamp_seconds", Help: "When the served catalog was read."},
			func() float64 { return float64(get().Catalog().LoadedAt().UnixNano()) / 1e9 }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "moniker_catalog_last_reload_ok", Help: "1 when the last reload attempt succeeded."},
			func() float64 {
				if rl.Status().OK {
					return 1
				}
				return 0
			}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "moniker_catalog_last_reload_timestamp_seconds", Help: "When the last reload was attempted."},
			func() float64 { return float64(rl.Status().AttemptedAt.UnixNano()) / 1e9 }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "moniker_catalog_reloads_total", Help: "Successful catalog reloads."},
			func() float64 { return float64(rl.Status().Reloads) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "moniker_catalog_reload_failures_total", Help: "Failed catalog reloads (the previous catalog kept serving)."},
			func() float64 { return float64(rl.Status().Failures) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "moniker_resolve_cache_hits_total", Help: "Resolve cache hits (of the current snapshot)."},
			func() float64 { return float64(hitsBefore.Load() + get().CacheStats().Hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "moniker_resolve_cache_misses_total", Help: "Resolve cache misses (of the current snapshot)."},
			func() float64 { return float64(missesBefore.Load() + get().CacheStats().Misses) }),
		newCatalogInfo(get),
	)
}

// cacheHealth is /health's upstream "cache" section.
type cacheHealth struct {
	Size           int     `json:"size"`
	MaxSize        int     `json:"max_size"`
	Hits           uint64  `json:"hits"`
	Misses         uint64  `json:"misses"`
	HitRatePercent float64 `json:"hit_rate_percent"`
}

// catalogHealth is /health's "catalog" section: the served generation
// and the last reload's outcome.
type catalogHealth struct {
	reload.Status
	Nodes                 int      `json:"nodes"`
	Files                 []string `json:"files"`
	ReloadIntervalSeconds float64  `json:"reload_interval_seconds"`
	Watch                 bool     `json:"watch"`
}

// reloadAfter reloads the resolver's snapshot after a successful status
// change.
type reloadAfter struct {
	w  resolverapi.StatusWriter
	rl *reload.Reloader
}

func (r reloadAfter) SetStatus(ctx context.Context, path string, c moniker.StatusChange) (moniker.StatusResult, error) {
	res, err := r.w.SetStatus(ctx, path, c)
	if err == nil {
		r.rl.Reload(ctx, "status")
	}
	return res, err
}

// loadSnapshot reads the catalog and domains the config names (or the
// embedded demo catalog) and builds the resolve snapshot.
func loadSnapshot(cfg *config.Config, getenv func(string) string, log *slog.Logger) (*resolve.Snapshot, error) {
	var (
		cat      *catalog.Catalog
		warnings []catalog.Warning
		err      error
	)
	if p := cfg.CatalogPath(); p != "" {
		cat, warnings, err = catalog.Load(p)
	} else {
		var data []byte
		if data, err = fs.ReadFile(demo.Files(), "catalog.yaml"); err == nil {
			cat, warnings, err = catalog.LoadBytes("embedded demo catalog", data)
		}
	}
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		log.Warn("catalog", "warning", w.String())
	}
	domains, err := catalog.LoadDomains(cfg.DomainsPath(getenv))
	if err != nil {
		return nil, err
	}
	log.Info("catalog loaded", "nodes", cat.Len(), "version", cat.Version(), "domains", len(domains.All()))
	return resolve.NewSnapshot(cat, domains, resolve.Options{
		DeprecationEnabled: cfg.Deprecation.Enabled,
		RedirectOnResolve:  cfg.Deprecation.RedirectOnResolve,
		CacheEnabled:       cfg.Cache.Enabled,
		CacheMaxSize:       cfg.Cache.MaxSize,
		CacheTTL:           cfg.Cache.TTL(),
	}), nil
}

// catalogInfo exports moniker_catalog_info{version="..."} 1 for the loaded
// catalog, so dashboards can see which replica serves which generation.
type catalogInfo struct {
	desc *prometheus.Desc
	get  func() *resolve.Snapshot
}

func newCatalogInfo(get func() *resolve.Snapshot) *catalogInfo {
	return &catalogInfo{
		desc: prometheus.NewDesc("moniker_catalog_info", "The loaded catalog generation (version label).", []string{"version"}, nil),
		get:  get,
	}
}

func (c *catalogInfo) Describe(ch chan<- *prometheus.Desc) { ch <- c.desc }

func (c *catalogInfo) Collect(ch chan<- prometheus.Metric) {
	ch <- prometheus.MustNewConstMetric(c.desc, prometheus.GaugeValue, 1, c.get().Catalog().Version())
}
