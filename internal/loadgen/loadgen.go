// Package loadgen is a closed-loop HTTP load generator: a fixed number of
// workers, each with its own keep-alive connection, send GET requests
// back to back for a fixed time (optionally up to a request count) and
// record every response's latency in a log-linear histogram.
//
// It is built to share a small machine with the server it measures: the
// default client (ModeRaw) speaks just enough HTTP/1.1 to send a request
// and skip the response body, without allocating per request. ModeHTTP
// uses net/http instead, as a cross-check. By default only loopback
// targets are accepted.
package loadgen

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Mode selects the HTTP client the workers use.
type Mode string

// The client modes.
const (
	// ModeRaw is a minimal HTTP/1.1 client over net.Conn (http only):
	// it parses the status line and the headers that frame the body.
	ModeRaw Mode = "raw"
	// ModeHTTP is net/http's client, one Transport per worker.
	ModeHTTP Mode = "http"
)

// Config describes one run. Target, Source, Workers and Duration are
// required.
type Config struct {
	// Target is the base URL, e.g. "http://127.0.0.1:8051". Paths from
	// Source are appended to its path.
	Target string
	// Source gives the path of each request.
	Source Source
	// Workers is the number of concurrent workers (= connections).
	Workers int
	// Duration is how long requests are measured.
	Duration time.Duration
	// Warmup is run before the measurement, on the same connections;
	// its requests are not counted.
	Warmup time.Duration
	// MaxRequests, when > 0, ends the measurement after that many
	// requests, even before Duration.
	MaxRequests int64
	// Timeout bounds each request (default 5s); a request that takes
	// longer counts as a transport error.
	Timeout time.Duration
	// Mode is the client; default ModeRaw.
	Mode Mode
	// AllowRemote permits a target that is not a loopback address.
	AllowRemote bool
}

// Result is what a run measured. Requests that started during the warmup
// are not in it.
type Result struct {
	// Requests counts responses received, whatever their status.
	Requests int64
	// Non2xx counts responses whose status is not 2xx.
	Non2xx int64
	// TransportErrors counts requests that got no complete response
	// (connection refused or reset, timeout, malformed response).
	TransportErrors int64
	// Status counts responses by status code.
	Status map[int]int64
	// BodyBytes is the total of response body bytes read.
	BodyBytes int64
	// Connects counts connections opened, warmup included.
	Connects int64
	// Elapsed is from the start of the measurement to the last response.
	Elapsed time.Duration
	// Latency holds the latency of every response counted in Requests.
	Latency *Histogram
	// ErrorSamples holds up to a few distinct transport error messages.
	ErrorSamples []string
}

// Errors returns the number of failed requests: non-2xx responses plus
// transport errors.
func (r *Result) Errors() int64 { return r.Non2xx + r.TransportErrors }

// Throughput returns responses per second over Elapsed.
func (r *Result) Throughput() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Requests) / r.Elapsed.Seconds()
}

const maxErrorSamples = 5

// errorPause slows a worker down after a transport error, so that a dead
// server gives a few errors per millisecond instead of a busy loop.
const errorPause = 10 * time.Millisecond

// Run performs the load test described by cfg and returns its result.
// It returns an error without sending anything when cfg is invalid or
// the target is not allowed. When ctx ends early, Run stops between
// requests (an in-flight request is bounded by Timeout) and returns the
// partial result together with ctx.Err().
func Run(ctx context.Context, cfg Config) (*Result, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 5 * time.Second
	}
	if cfg.Mode == "" {
		cfg.Mode = ModeRaw
	}
	switch {
	case cfg.Source == nil:
		return nil, errors.New("loadgen: no request source")
	case cfg.Workers < 1:
		return nil, fmt.Errorf("loadgen: workers must be at least 1, got %d", cfg.Workers)
	case cfg.Duration <= 0:
		return nil, fmt.Errorf("loadgen: duration must be positive, got %v", cfg.Duration)
	case cfg.Warmup < 0:
		return nil, fmt.Errorf("loadgen: warmup must not be negative, got %v", cfg.Warmup)
	case cfg.MaxRequests < 0:
		return nil, fmt.Errorf("loadgen: max requests must not be negative, got %d", cfg.MaxRequests)
	case cfg.Mode != ModeRaw && cfg.Mode != ModeHTTP:
		return nil, fmt.Errorf("loadgen: unknown mode %q (want %q or %q)", cfg.Mode, ModeRaw, ModeHTTP)
	}
	t, err := resolveTarget(ctx, cfg.Target, cfg.Mode, cfg.AllowRemote)
	if err != nil {
		return nil, err
	}

	r := &runner{cfg: cfg}
	start := time.Now()
	r.measureStart = start.Add(cfg.Warmup)
	r.end = r.measureStart.Add(cfg.Duration)
	stopOnCancel := context.AfterFunc(ctx, func() { r.stop.Store(true) })
	defer stopOnCancel()

	workers := make([]*worker, cfg.Workers)
	var wg sync.WaitGroup
	for i := range workers {
		w := &worker{status: make(map[int]int64)}
		if cfg.Mode == ModeRaw {
			w.client = newRawDoer(t)
		} else {
			w.client = newHTTPDoer(t, cfg.Timeout)
		}
		workers[i] = w
		wg.Go(func() { r.work(w) })
	}
	wg.Wait()
	return r.collect(workers), ctx.Err()
}

type runner struct {
	cfg          Config
	measureStart time.Time
	end          time.Time
	stop         atomic.Bool
	seq          atomic.Uint64 // request numbers handed to Source
	measured     atomic.Int64  // measured requests started, for MaxRequests
}

// doer sends one GET for path and discards the body.
type doer interface {
	do(path []byte, deadline time.Time) (status int, body int64, err error)
	close()
	connects() int64
}

type worker struct {
	client   doer
	hist     Histogram
	status   map[int]int64
	requests int64
	non2xx   int64
	errs     int64
	body     int64
	last     time.Time
	samples  []string
}

func (r *runner) work(w *worker) {
	defer w.client.close()
	path := make([]byte, 0, 256)
	for !r.stop.Load() {
		t0 := time.Now()
		if !t0.Before(r.end) {
			return
		}
		measure := !t0.Before(r.measureStart)
		if measure && r.cfg.MaxRequests > 0 && r.measured.Add(1) > r.cfg.MaxRequests {
			return
		}
		path = r.cfg.Source.AppendPath(path[:0], r.seq.Add(1)-1)
		status, body, err := w.client.do(path, t0.Add(r.cfg.Timeout))
		t1 := time.Now()
		if err != nil {
			if measure {
				w.errs++
				w.sample(err)
				w.last = t1
			}
			time.Sleep(errorPause)
			continue
		}
		if !measure {
			continue
		}
		w.last = t1
		w.requests++
		w.hist.Record(t1.Sub(t0))
		w.status[status]++
		w.body += body
		if status < 200 || status > 299 {
			w.non2xx++
		}
	}
}

func (w *worker) sample(err error) {
	msg := err.Error()
	if len(w.samples) < maxErrorSamples && !contains(w.samples, msg) {
		w.samples = append(w.samples, msg)
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (r *runner) collect(workers []*worker) *Result {
	res := &Result{Status: make(map[int]int64), Latency: new(Histogram)}
	last := r.measureStart
	for _, w := range workers {
		res.Requests += w.requests
		res.Non2xx += w.non2xx
		res.TransportErrors += w.errs
		res.BodyBytes += w.body
		res.Connects += w.client.connects()
		res.Latency.Merge(&w.hist)
		for s, n := range w.status {
			res.Status[s] += n
		}
		for _, m := range w.samples {
			if len(res.ErrorSamples) < maxErrorSamples && !contains(res.ErrorSamples, m) {
				res.ErrorSamples = append(res.ErrorSamples, m)
			}
		}
		if w.last.After(last) {
			last = w.last
		}
	}
	sort.Strings(res.ErrorSamples)
	res.Elapsed = last.Sub(r.measureStart)
	return res
}

// CheckTarget reports whether Run would accept target as its base URL
// (an http URL on a loopback address unless allowRemote), for tools that
// send other requests to the same server.
func CheckTarget(ctx context.Context, target string, allowRemote bool) error {
	_, err := resolveTarget(ctx, target, ModeRaw, allowRemote)
	return err
}

// target is a validated base URL.
type target struct {
	base     *url.URL
	dialAddr string // host:port to connect to (a checked IP unless remote)
}

// resolveTarget parses raw and checks that it may be loaded: only
// loopback addresses (an IP literal, or a name all of whose addresses
// are loopback) unless allowRemote.
func resolveTarget(ctx context.Context, raw string, mode Mode, allowRemote bool) (target, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return target{}, fmt.Errorf("loadgen: target: %w", err)
	}
	switch {
	case u.Scheme == "https" && mode == ModeHTTP:
	case u.Scheme != "http":
		return target{}, fmt.Errorf("loadgen: target %q: scheme must be http (https only with mode %q)", raw, ModeHTTP)
	case u.RawQuery != "" || u.Fragment != "":
		return target{}, fmt.Errorf("loadgen: target %q: base URL must not have a query or fragment", raw)
	}
	host, port := u.Hostname(), u.Port()
	if host == "" {
		return target{}, fmt.Errorf("loadgen: target %q has no host", raw)
	}
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	u.Path = trimTrailingSlash(u.Path)
	u.RawPath = ""
	if allowRemote {
		return target{base: u, dialAddr: net.JoinHostPort(host, port)}, nil
	}
	ips := []net.IP{net.ParseIP(host)}
	if ips[0] == nil {
		addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
		if err != nil {
			return target{}, fmt.Errorf("loadgen: target %q: %w", raw, err)
		}
		ips = ips[:0]
		for _, a := range addrs {
			ips = append(ips, a.IP)
		}
	}
	for _, ip := range ips {
		if !ip.IsLoopback() {
			return target{}, fmt.Errorf("loadgen: target %q is not a loopback address (%v); refusing without allow-remote", raw, ip)
		}
	}
	return target{base: u, dialAddr: net.JoinHostPort(ips[0].String(), port)}, nil
}

func trimTrailingSlash(p string) string {
	for len(p) > 0 && p[len(p)-1] == '/' {
		p = p[:len(p)-1]
	}
	return p
}

// rawDoer formats requests for a rawClient into a reused buffer.
type rawDoer struct {
	rawClient
	prefix []byte // "GET " + base path
	suffix []byte // " HTTP/1.1\r\nHost: ...\r\n\r\n"
	req    []byte
}

func newRawDoer(t target) *rawDoer {
	return &rawDoer{
		rawClient: rawClient{addr: t.dialAddr},
		prefix:    []byte("GET " + t.base.EscapedPath()),
		suffix:    []byte(" HTTP/1.1\r\nHost: " + t.base.Host + "\r\nUser-Agent: moniker-loadgen\r\nAccept: */*\r\n\r\n"),
		req:       make([]byte, 0, 512),
	}
}

func (d *rawDoer) do(path []byte, deadline time.Time) (int, int64, error) {
	d.req = append(append(append(d.req[:0], d.prefix...), path...), d.suffix...)
	return d.rawClient.do(d.req, deadline)
}

func (d *rawDoer) connects() int64 { return d.dials }

// httpDoer uses net/http with a Transport of its own, so each worker has
// exactly one keep-alive connection.
type httpDoer struct {
	client *http.Client
	base   string
	dials  atomic.Int64
	buf    []byte
}

func newHTTPDoer(t target, timeout time.Duration) *httpDoer {
	d := &httpDoer{base: t.base.Scheme + "://" + t.base.Host + t.base.EscapedPath(), buf: make([]byte, 32<<10)}
	dialer := &net.Dialer{Timeout: timeout}
	tr := &http.Transport{
		Proxy: nil,
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			d.dials.Add(1)
			return dialer.DialContext(ctx, network, t.dialAddr)
		},
		MaxIdleConns:          1,
		MaxIdleConnsPerHost:   1,
		MaxConnsPerHost:       1,
		DisableCompression:    true,
		ResponseHeaderTimeout: timeout,
	}
	d.client = &http.Client{
		Transport:     tr,
		Timeout:       timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return d
}

func (d *httpDoer) do(path []byte, _ time.Time) (int, int64, error) {
	req, err := http.NewRequest(http.MethodGet, d.base+string(path), nil)
	if err != nil {
		return 0, 0, err
	}
	req.Header.Set("User-Agent", "moniker-loadgen")
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	n, err := io.CopyBuffer(onlyWriter{io.Discard}, resp.Body, d.buf)
	if cerr := resp.Body.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, 0, fmt.Errorf("reading body: %w", err)
	}
	return resp.StatusCode, n, nil
}

func (d *httpDoer) close()          { d.client.CloseIdleConnections() }
func (d *httpDoer) connects() int64 { return d.dials.Load() }

// onlyWriter hides io.Discard's ReadFrom so that io.CopyBuffer uses the
// worker's buffer.
type onlyWriter struct{ io.Writer }
