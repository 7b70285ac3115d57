package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/moniker-svc/moniker/internal/auth"
	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/demo"
	"github.com/moniker-svc/moniker/internal/httpapi"
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
	// stopDelay is how long /health answers "stopping" before the drain.
	stopDelay time.Duration
	http      httpTimeouts
}

// httpTimeouts bound every request (a route that must stream longer opts
// out per request with httpapi.ExtendDeadlines).
type httpTimeouts struct {
	read  time.Duration // the whole request, headers and body
	write time.Duration // from the end of the headers to the end of the answer
	idle  time.Duration // a keep-alive connection between requests
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
	fs.DurationVar(&o.stopDelay, "shutdown.delay", 0, "after SIGTERM/SIGINT, how long to keep serving with /health answering 503 \"stopping\" before the drain starts (give a load balancer time to take the instance out)")
	fs.DurationVar(&o.http.read, "http.read-timeout", 30*time.Second, "the longest a client may take to send a whole request, body included (0 = no limit)")
	fs.DurationVar(&o.http.write, "http.write-timeout", 60*time.Second, "the longest a request may take from the end of its headers to the end of its answer (0 = no limit)")
	fs.DurationVar(&o.http.idle, "http.idle-timeout", 120*time.Second, "how long an idle keep-alive connection is kept open")
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

// deps are what every plane builder takes: built once in run, shared by
// the planes of the process.
type deps struct {
	cfg    *config.Config
	getenv func(string) string
	log    *slog.Logger
	reg    *prometheus.Registry
	health *httpapi.Health
	stdout io.Writer
	stderr io.Writer
	// bg is the context of background work (reload loops, sweeps); it is
	// cancelled after the server has drained. goroutines go on wg, which
	// run waits for before it returns.
	bg context.Context
	wg *sync.WaitGroup
}

// plane is what a target builds: its routes, what SIGHUP does, and what
// to close once the server has drained.
type plane struct {
	routes []httpapi.Route
	// reload re-reads the plane's files (SIGHUP); it logs the outcome.
	reload func(ctx context.Context)
	// close releases what the plane holds (flushes queued telemetry).
	close func()
}

// run is monikerd: it returns when ctx is cancelled (after draining) or on
// a startup error, once everything it started has stopped. End-to-end
// tests call it with -listen=127.0.0.1:0 and read the address from the
// "listening on" line it prints on stdout.
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

	// Background work stops with bg, after the server has drained; run
	// returns only once it has.
	bg, stopBG := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	defer wg.Wait()
	defer stopBG()
	d := deps{cfg: cfg, getenv: getenv, log: log, reg: reg, health: httpapi.NewHealth(o.target),
		stdout: stdout, stderr: stderr, bg: bg, wg: &wg}

	var p plane
	switch o.target {
	case targetResolver:
		r, err := buildResolver(d, resolverOptions{})
		if err != nil {
			return err
		}
		p = r.plane()
	case targetManagement:
		m, err := buildManagement(d, managementOptions{})
		if err != nil {
			return err
		}
		p = m.plane()
	case targetAll:
		// Both planes in one process: the resolver's status writes go
		// straight through the management plane's catalog editor, and a
		// management write reloads the resolver's snapshot before its
		// answer goes out (read-your-writes).
		m, err := buildManagement(d, managementOptions{resolverPages: true})
		if err != nil {
			return err
		}
		r, err := buildResolver(d, resolverOptions{local: m})
		if err != nil {
			return err
		}
		mp, rp := m.plane(), r.plane()
		p = plane{
			routes: append(rp.routes, r.reloadAfterWrites(mp.routes)...),
			reload: func(ctx context.Context) { mp.reload(ctx); rp.reload(ctx) },
			close:  rp.close,
		}
	}
	defer p.close()

	stopHUP := reloadOnSIGHUP(d, p.reload)
	defer stopHUP()

	handler, err := buildHandler(d, p.routes)
	if err != nil {
		return err
	}
	return serve(ctx, o, d, handler)
}

// reloadOnSIGHUP calls reload on every SIGHUP until d.bg is done; the
// returned function stops the notifications.
func reloadOnSIGHUP(d deps, reload func(context.Context)) (stop func()) {
	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	d.wg.Go(func() {
		for {
			select {
			case <-d.bg.Done():
				return
			case <-hup:
				d.log.Info("SIGHUP: reloading")
				began := time.Now()
				reload(d.bg)
				d.log.Info("SIGHUP: reload done", "took", time.Since(began))
			}
		}
	})
	return func() { signal.Stop(hup) }
}

// serve listens, prints the "listening on" line, and serves handler with
// the timeouts of o until ctx is done; then /health says stopping, the
// process keeps serving for -shutdown.delay, and drains for up to
// -shutdown.timeout.
func serve(ctx context.Context, o options, d deps, handler http.Handler) error {
	ln, err := net.Listen("tcp", listenAddr(o, d.cfg))
	if err != nil {
		return err
	}
	// Headers must come within 10s (or the read timeout, if shorter).
	header := 10 * time.Second
	if o.http.read > 0 {
		header = min(header, o.http.read)
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: header,
		ReadTimeout:       o.http.read,
		WriteTimeout:      o.http.write,
		IdleTimeout:       o.http.idle,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(d.log.Handler(), slog.LevelWarn),
	}
	d.log.Info("listening", "target", o.target, "addr", ln.Addr().String())
	fmt.Fprintf(d.stdout, "monikerd %s listening on %s\n", o.target, ln.Addr())

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	// Stopping: /health answers 503 so load balancers take this instance
	// out; it keeps serving for -shutdown.delay, without keep-alive so
	// clients reconnect elsewhere, then drains.
	d.health.Stopping()
	if o.stopDelay > 0 {
		srv.SetKeepAlivesEnabled(false)
		d.log.Info("stopping: /health answers 503 until the drain", "delay", o.stopDelay)
		select {
		case err := <-errc:
			return err
		case <-time.After(o.stopDelay):
		}
	}
	d.log.Info("shutting down", "timeout", o.shutdown)
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

// buildHandler adds the routes every target serves (/health, /metrics,
// the OpenAPI document and /docs) to the plane's, protects the write
// routes with their roles, and chains the middleware.
func buildHandler(d deps, routes []httpapi.Route) (http.Handler, error) {
	routes = append(routes,
		httpapi.Route{Method: "GET", Pattern: "/health", Doc: "/health", Handler: d.health.Handler()},
		httpapi.Route{Method: "GET", Pattern: "/metrics", Doc: "/metrics", Handler: promhttp.HandlerFor(d.reg, promhttp.HandlerOpts{Registry: d.reg})},
	)
	// Every write route requires its role when auth is enabled (a write
	// route the role table does not know is a startup error).
	authSvc, err := auth.New(d.cfg.Auth, auth.Options{Log: d.log})
	if err != nil {
		return nil, err
	}
	if routes, err = authSvc.Protect(routes); err != nil {
		return nil, err
	}
	if authSvc.Enabled() {
		d.health.Component("auth")
	}
	routes = append(routes, httpapi.DocRoutes(routes)...)
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(d.reg), routes)
	mux.Handle("/", httpapi.Fallback(mux))
	// Authentication runs before the routes (and so before the rate
	// limiter, which keys on the principal it finds).
	return httpapi.Chain(mux, httpapi.Recover(d.log), httpapi.PathGuard(), authSvc.Middleware()), nil
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
