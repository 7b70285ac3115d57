package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/auth"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/demo"
	"github.com/moniker-svc/moniker/internal/governance"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/mgmtclient"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/reload"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/resolverapi"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// Targets.
const (
	targetResolver   = "resolver"
	targetManagement = "management"
	targetAll        = "all"
)

// defaultPorts are the listen ports when neither -listen nor server.port
// says otherwise.
var defaultPorts = map[string]int{targetResolver: 8051, targetManagement: 8052, targetAll: 8050}

// options are the command-line flags.
type options struct {
	target     string
	listen     string
	configFile string
	dataDir    string
	logLevel   string
	logFormat  string
	shutdown   time.Duration
}

func parseFlags(args []string, stderr io.Writer) (options, error) {
	var o options
	fs := flag.NewFlagSet("monikerd", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.target, "target", targetAll, "which plane to run: resolver, management or all")
	fs.StringVar(&o.listen, "listen", "", "listen address (default :8051 resolver, :8052 management, :8050 all; server.port in the config file applies when this is not set)")
	fs.StringVar(&o.configFile, "config.file", "", "config file (default $MONIKER_CONFIG, else ./config.yaml if it exists, else the embedded demo)")
	fs.StringVar(&o.dataDir, "data.dir", "", "where the embedded demo is seeded when there is no config file (default $MONIKER_DATA_DIR, $XDG_DATA_HOME/moniker, ~/.local/share/moniker)")
	fs.StringVar(&o.logLevel, "log.level", "info", "log level: debug, info, warn, error")
	fs.StringVar(&o.logFormat, "log.format", "text", "log format: text or json")
	fs.DurationVar(&o.shutdown, "shutdown.timeout", 15*time.Second, "how long to drain in-flight requests on SIGTERM/SIGINT")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	if fs.NArg() > 0 {
		return o, fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if _, ok := defaultPorts[o.target]; !ok {
		return o, fmt.Errorf("-target=%q: must be resolver, management or all", o.target)
	}
	return o, nil
}

func newLogger(o options, w io.Writer) (*slog.Logger, error) {
	var level slog.Level
	if err := level.UnmarshalText([]byte(o.logLevel)); err != nil {
		return nil, fmt.Errorf("-log.level: %w", err)
	}
	hopts := &slog.HandlerOptions{Level: level}
	switch o.logFormat {
	case "text":
		return slog.New(slog.NewTextHandler(w, hopts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, hopts)), nil
	}
	return nil, fmt.Errorf("-log.format=%q: must be text or json", o.logFormat)
}

// run is monikerd: it returns when ctx is cancelled (after draining) or on
// a startup error. End-to-end tests call it with -listen=127.0.0.1:0.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	o, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	log, err := newLogger(o, stderr)
	if err != nil {
		return err
	}
	cfg, err := loadConfig(o, getenv, log)
	if err != nil {
		return err
	}

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	metrics := httpapi.NewMetrics(reg)
	health := httpapi.NewHealth(o.target)
	mux := http.NewServeMux()

	// Background work (reload loops) stops with bg; the server drains first.
	bg, stopBG := context.WithCancel(context.Background())
	defer stopBG()
	var routes []httpapi.Route
	// In the monolith the resolver's status writes go straight through the
	// management plane's catalog editor.
	var localStatus resolverapi.StatusWriter
	var mgmtRoutes []httpapi.Route
	if o.target == targetManagement || o.target == targetAll {
		ms, editor, err := buildManagement(cfg, o.target == targetAll, getenv, log, health)
		if err != nil {
			return err
		}
		mgmtRoutes = ms
		if editor != nil {
			localStatus = managementapi.StatusWriter{Editor: editor}
		}
	}
	if o.target == targetResolver || o.target == targetAll {
		// Access telemetry (nil when telemetry.enabled is false); closed
		// (flushed) after the server has drained.
		env := telemetry.Env{Stdout: stdout, Stderr: stderr}
		if f := cfg.File(); f != "" {
			env.BaseDir = filepath.Dir(f)
		}
		tel, err := telemetry.FromConfig(cfg.Telemetry, env, log)
		if err != nil {
			return err
		}
		defer func() {
			cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := tel.Close(cctx); err != nil {
				log.Error("flushing telemetry", "err", err)
			}
		}()
		rs, rl, err := buildResolver(bg, o.target == targetResolver, localStatus, tel, cfg, getenv, log, reg, health)
		if err != nil {
			return err
		}
		routes = append(routes, rs...)
		// In the monolith, a management write reloads the resolver's
		// snapshot before the answer goes out: read-your-writes.
		for i, rt := range mgmtRoutes {
			if rt.Method != http.MethodGet {
				mgmtRoutes[i].Handler = afterWrite(rt.Handler, func(ctx context.Context) { rl.ReloadIfChanged(ctx, "management") })
			}
		}
		hup := make(chan os.Signal, 1)
		signal.Notify(hup, syscall.SIGHUP)
		defer signal.Stop(hup)
		go func() {
			for {
				select {
				case <-bg.Done():
					return
				case <-hup:
					rl.Reload(bg, "sighup")
				}
			}
		}()
	}
	routes = append(routes, mgmtRoutes...)
	routes = append(routes,
		httpapi.Route{Method: "GET", Pattern: "/health", Doc: "/health", Handler: health.Handler()},
		httpapi.Route{Method: "GET", Pattern: "/metrics", Doc: "/metrics", Handler: promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg})},
	)
	// Every write route requires its role when auth is enabled (a write
	// route the role table does not know is a startup error).
	authSvc, err := auth.New(cfg.Auth, auth.Options{Log: log})
	if err != nil {
		return err
	}
	if routes, err = authSvc.Protect(routes); err != nil {
		return err
	}
	if authSvc.Enabled() {
		health.Component("auth")
	}
	routes = append(routes, httpapi.DocRoutes(routes)...)
	httpapi.Register(mux, metrics, routes)
	mux.Handle("/", httpapi.Fallback(mux))
	// Authentication runs before the routes (and so before the rate
	// limiter, which keys on the principal it finds).
	handler := httpapi.Chain(mux, httpapi.Recover(log), httpapi.PathGuard(), authSvc.Middleware())

	addr := listenAddr(o, cfg)
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("listening", "target", o.target, "addr", ln.Addr().String())
	fmt.Fprintf(stdout, "monikerd %s listening on %s\n", o.target, ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", o.shutdown)
	sctx, cancel := context.WithTimeout(context.Background(), o.shutdown)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// loadConfig finds and loads the config file, or seeds the embedded demo
// when there is none.
func loadConfig(o options, getenv func(string) string, log *slog.Logger) (*config.Config, error) {
	path, err := config.Find(o.configFile, getenv)
	if err != nil {
		return nil, err
	}
	var cfg *config.Config
	if path == "" {
		dir := o.dataDir
		if dir == "" {
			dir = demo.DefaultDir(getenv)
		}
		if cfg, err = demo.Seed(dir); err != nil {
			return nil, fmt.Errorf("seeding the demo data directory: %w", err)
		}
		log.Info("no config file: serving the embedded demo", "data_dir", dir)
	} else {
		if cfg, err = config.LoadEnv(path, getenv); err != nil {
			return nil, err
		}
		log.Info("config loaded", "file", path)
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	for _, w := range cfg.Warnings() {
		log.Warn("config", "warning", w)
	}
	log.Debug("effective config", "config", cfg.Redacted())
	return cfg, nil
}

// listenAddr: -listen, else server.port from the config file, else the
// target's default port.
func listenAddr(o options, cfg *config.Config) string {
	if o.listen != "" {
		return o.listen
	}
	if cfg.IsSet("server.port") {
		return cfg.Server.Addr()
	}
	return ":" + strconv.Itoa(defaultPorts[o.target])
}

// buildResolver builds the data plane: catalog and domains (read-only) in
// a reloaded snapshot with its resolve cache, the audit log reader, and
// the resolver routes. The reload loop runs until ctx is done.
func buildResolver(ctx context.Context, withReloadRoute bool, localStatus resolverapi.StatusWriter, tel *telemetry.Emitter, cfg *config.Config, getenv func(string) string, log *slog.Logger, reg prometheus.Registerer, health *httpapi.Health) ([]httpapi.Route, *reload.Reloader, error) {
	files := func() []string {
		var fs []string
		if p := cfg.CatalogPath(); p != "" {
			fs = append(fs, p)
		}
		return append(fs, cfg.DomainsPath(getenv))
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
	rl, err := reload.New(ctx, func(context.Context) (*resolve.Snapshot, error) { return loadSnapshot(cfg, getenv, log) },
		reload.Options{Files: files, Check: check, Log: log})
	if err != nil {
		return nil, nil, err
	}
	go rl.Run(ctx, cfg.Catalog.ReloadInterval(), cfg.Catalog.Watch)
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
		reg.MustRegister(tel.Collectors()...)
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
		return nil, nil, err
	}
	br, err := governance.NewBreaker(cfg.Governance.CircuitBreaker, governance.BreakerOptions{Log: log.With("component", "governance")})
	if err != nil {
		return nil, nil, err
	}
	go lim.Run(ctx)
	reg.MustRegister(lim, br)
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

	// A resolver forwards status changes to the management plane and
	// reloads at once, so this replica shows the change without waiting
	// for the poll; the others pick it up from the file.
	var status resolverapi.StatusWriter
	switch {
	case localStatus != nil:
		status = reloadAfter{localStatus, rl}
	case withReloadRoute && cfg.Management.URL != "":
		mc, err := mgmtclient.New(cfg.Management.URL, 10*time.Second, mgmtclient.WithBreaker(br))
		if err != nil {
			return nil, nil, err
		}
		status = reloadAfter{mc, rl}
		health.Component("management_client")
	}
	var auditReader resolverapi.AuditReader
	if auditLog != nil {
		auditReader = auditLog
		health.Component("audit_log")
	}
	rc := resolverapi.Config{Snapshot: get, Audit: auditReader, Status: status, Log: log, Telemetry: tel,
		DeprecationTelemetry: cfg.Deprecation.Enabled && cfg.Deprecation.DeprecationTelemetry,
		ManagementPages:      !withReloadRoute, // the all target: management serves its pages here too
		ProjectName:          cfg.ProjectName}
	if withReloadRoute {
		rc.Reload = func(ctx context.Context) (int, string, error) {
			err := rl.Reload(ctx, "http")
			c := get().Catalog()
			return c.Len(), c.Version(), err
		}
	}
	srv := resolverapi.New(rc)
	onLimited = srv.RateLimited
	return lim.Protect(srv.Routes(), resolverapi.MaxBatch), rl, nil
}

// afterWrite runs fn after h served a request (whatever its outcome: fn
// only acts when files changed).
func afterWrite(h http.Handler, fn func(ctx context.Context)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		fn(r.Context())
	})
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
