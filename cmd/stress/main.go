// Command stress drives a running monikerd (or any HTTP server on
// loopback) with closed-loop load and reports throughput, latency
// percentiles and errors. It is step 5 of the process-split plan:
//
//	stress --workers 1 --duration 30 --port 8051
//
// By default it cycles through the bound monikers of the demo catalog
// (monikers.txt, embedded) on /resolve/. Other sources:
//
//	stress --monikers FILE              monikers from a file, one a line
//	stress --distinct                   a new moniker every request (cache misses),
//	                                    from --template (default prices.equity/SYM{n}@20260115)
//	stress --path /health               one fixed path (any route)
//	stress --discover 1000 > FILE       no load: list monikers the server resolves
//	                                    (read from its /catalog), for --monikers
//
// It prints a human summary, or one JSON object with -json, and exits 1
// when any request failed (non-2xx or transport error), 2 on bad usage.
// Flags take one or two dashes.
package main

import (
	"bufio"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/moniker-svc/moniker/client"
	"github.com/moniker-svc/moniker/internal/loadgen"
)

//go:embed monikers.txt
var defaultMonikers string

const (
	exitOK     = 0
	exitFailed = 1
	exitUsage  = 2
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// options are the parsed command line.
type options struct {
	workers     int
	duration    seconds
	warmup      seconds
	requests    int64
	timeout     seconds
	host        string
	port        int
	monikers    string
	pathPrefix  string
	path        string
	distinct    bool
	template    string
	client      string
	allowRemote bool
	jsonOut     bool
	discover    int
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{duration: seconds(10 * time.Second), timeout: seconds(5 * time.Second)}
	fs := flag.NewFlagSet("stress", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.IntVar(&o.workers, "workers", 8, "concurrent workers, one keep-alive connection each")
	fs.Var(&o.duration, "duration", "measured time: seconds (30) or a Go duration (1m30s)")
	fs.Var(&o.warmup, "warmup", "unmeasured load before the measurement, same connections")
	fs.Int64Var(&o.requests, "requests", 0, "stop after this many measured requests (0 = duration only)")
	fs.Var(&o.timeout, "timeout", "per-request timeout; a slower request is a transport error")
	fs.StringVar(&o.host, "host", "127.0.0.1", "server host (loopback only unless -allow-remote)")
	fs.IntVar(&o.port, "port", 8051, "server port")
	fs.StringVar(&o.monikers, "monikers", "", "file of monikers, one a line (default: the embedded sample list)")
	fs.StringVar(&o.pathPrefix, "path-prefix", "/resolve/", "route the monikers are appended to")
	fs.StringVar(&o.path, "path", "", "send every request to this fixed path (with query), e.g. /health")
	fs.BoolVar(&o.distinct, "distinct", false, "a new moniker every request, from -template")
	fs.StringVar(&o.template, "template", "prices.equity/SYM{n}@20260115", "moniker template for -distinct; {n} is the request number")
	fs.StringVar(&o.client, "client", string(loadgen.ModeRaw), "HTTP client: raw (lean HTTP/1.1) or http (net/http)")
	fs.BoolVar(&o.allowRemote, "allow-remote", false, "allow a host that is not a loopback address")
	fs.BoolVar(&o.jsonOut, "json", false, "print one JSON object instead of the summary")
	fs.IntVar(&o.discover, "discover", 0, "no load: print up to this many monikers the server resolves (from its /catalog), one a line, for -monikers")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	switch {
	case fs.NArg() > 0:
		return nil, fmt.Errorf("unexpected arguments: %q", fs.Args())
	case o.path != "" && (o.distinct || o.monikers != ""):
		return nil, errors.New("-path excludes -monikers and -distinct")
	case o.distinct && o.monikers != "":
		return nil, errors.New("-distinct excludes -monikers")
	case o.path != "" && !strings.HasPrefix(o.path, "/"):
		return nil, fmt.Errorf("-path %q must start with /", o.path)
	case o.discover < 0:
		return nil, fmt.Errorf("-discover %d must not be negative", o.discover)
	case o.port < 1 || o.port > 65535:
		return nil, fmt.Errorf("-port %d out of range", o.port)
	}
	return o, nil
}

// run is the whole command; it returns the exit code.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	o, err := parseFlags(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "stress:", err)
		return exitUsage
	}
	target := "http://" + net.JoinHostPort(o.host, strconv.Itoa(o.port))
	if o.discover > 0 {
		if err := loadgen.CheckTarget(ctx, target, o.allowRemote); err != nil {
			fmt.Fprintln(stderr, "stress:", err)
			return exitUsage
		}
		n, err := discover(ctx, client.New(target), o.discover, stdout)
		if err != nil {
			fmt.Fprintln(stderr, "stress: discover:", err)
			return exitFailed
		}
		fmt.Fprintf(stderr, "stress: %d monikers resolve\n", n)
		return exitOK
	}
	src, desc, err := o.source()
	if err != nil {
		fmt.Fprintln(stderr, "stress:", err)
		return exitUsage
	}
	res, err := loadgen.Run(ctx, loadgen.Config{
		Target:      target,
		Source:      src,
		Workers:     o.workers,
		Duration:    time.Duration(o.duration),
		Warmup:      time.Duration(o.warmup),
		MaxRequests: o.requests,
		Timeout:     time.Duration(o.timeout),
		Mode:        loadgen.Mode(o.client),
		AllowRemote: o.allowRemote,
	})
	if res == nil {
		fmt.Fprintln(stderr, "stress:", err)
		return exitUsage
	}
	if err != nil {
		fmt.Fprintln(stderr, "stress: interrupted:", err)
	}
	rep := newReport(target, desc, o, res)
	if o.jsonOut {
		enc := json.NewEncoder(stdout)
		if err := enc.Encode(rep); err != nil {
			fmt.Fprintln(stderr, "stress:", err)
			return exitFailed
		}
	} else {
		rep.print(stdout)
	}
	if err != nil || res.Errors() > 0 || res.Requests == 0 {
		return exitFailed
	}
	return exitOK
}

// source builds the request source from the options and describes it.
func (o *options) source() (loadgen.Source, string, error) {
	switch {
	case o.path != "":
		return loadgen.Fixed(o.path), o.path, nil
	case o.distinct:
		if !strings.Contains(o.template, loadgen.Placeholder) {
			return nil, "", fmt.Errorf("-template %q has no %s", o.template, loadgen.Placeholder)
		}
		t := o.pathPrefix + o.template
		return loadgen.Distinct(t), t + " (distinct)", nil
	}
	text, from := defaultMonikers, "embedded sample list"
	if o.monikers != "" {
		b, err := os.ReadFile(o.monikers)
		if err != nil {
			return nil, "", err
		}
		text, from = string(b), o.monikers
	}
	list, err := parseMonikers(text)
	if err != nil {
		return nil, "", fmt.Errorf("%s: %w", from, err)
	}
	paths := make([]string, len(list))
	for i, m := range list {
		paths[i] = o.pathPrefix + m
	}
	return loadgen.Cycle(paths), fmt.Sprintf("%s{%d monikers from %s}", o.pathPrefix, len(list), from), nil
}

// parseMonikers reads one moniker a line, skipping blank lines and #
// comments and dropping a moniker:// scheme.
func parseMonikers(text string) ([]string, error) {
	var list []string
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		line = strings.TrimPrefix(line, "moniker://")
		if strings.ContainsAny(line, " \t#") {
			return nil, fmt.Errorf("line %d: %q is not one moniker", n, line)
		}
		list = append(list, line)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, errors.New("no monikers")
	}
	return list, nil
}

// report is the -json output; the summary prints the same fields.
type report struct {
	Target          string           `json:"target"`
	Source          string           `json:"source"`
	Client          string           `json:"client"`
	Workers         int              `json:"workers"`
	Requests        int64            `json:"requests"`
	ElapsedSeconds  float64          `json:"elapsed_s"`
	ReqPerSec       float64          `json:"req_per_sec"`
	Latency         latencyMS        `json:"latency_ms"`
	Errors          int64            `json:"errors"`
	Non2xx          int64            `json:"non_2xx"`
	TransportErrors int64            `json:"transport_errors"`
	Status          map[string]int64 `json:"status"`
	ErrorSamples    []string         `json:"error_samples"`
	Connects        int64            `json:"connects"`
	BodyBytes       int64            `json:"body_bytes"`
}

type latencyMS struct {
	Min  float64 `json:"min"`
	Mean float64 `json:"mean"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P95  float64 `json:"p95"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p999"`
	Max  float64 `json:"max"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func newReport(target, source string, o *options, res *loadgen.Result) *report {
	h := res.Latency
	r := &report{
		Target:   target,
		Source:   source,
		Client:   o.client,
		Workers:  o.workers,
		Requests: res.Requests,
		// Rounded to what the summary shows, so both agree.
		ElapsedSeconds: float64(res.Elapsed.Milliseconds()) / 1000,
		ReqPerSec:      math.Round(res.Throughput()*10) / 10,
		Latency: latencyMS{
			Min: ms(h.Min()), Mean: ms(h.Mean()),
			P50: ms(h.Quantile(0.50)), P90: ms(h.Quantile(0.90)), P95: ms(h.Quantile(0.95)),
			P99: ms(h.Quantile(0.99)), P999: ms(h.Quantile(0.999)), Max: ms(h.Max()),
		},
		Errors:          res.Errors(),
		Non2xx:          res.Non2xx,
		TransportErrors: res.TransportErrors,
		Status:          make(map[string]int64, len(res.Status)),
		ErrorSamples:    res.ErrorSamples,
		Connects:        res.Connects,
		BodyBytes:       res.BodyBytes,
	}
	if r.ErrorSamples == nil {
		r.ErrorSamples = []string{}
	}
	for code, n := range res.Status {
		r.Status[strconv.Itoa(code)] = n
	}
	return r
}

func (r *report) print(w io.Writer) {
	fmt.Fprintf(w, "target    %s%s (%s client, %d workers)\n", r.Target, r.Source, r.Client, r.Workers)
	fmt.Fprintf(w, "requests  %d in %.3fs = %.1f req/s\n", r.Requests, r.ElapsedSeconds, r.ReqPerSec)
	l := r.Latency
	fmt.Fprintf(w, "latency   p50 %.3fms  p90 %.3fms  p95 %.3fms  p99 %.3fms  p99.9 %.3fms  max %.3fms  mean %.3fms\n",
		l.P50, l.P90, l.P95, l.P99, l.P999, l.Max, l.Mean)
	fmt.Fprintf(w, "errors    %d (non-2xx %d, transport %d)\n", r.Errors, r.Non2xx, r.TransportErrors)
	codes := make([]string, 0, len(r.Status))
	for c := range r.Status {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	for i, c := range codes {
		codes[i] = fmt.Sprintf("%s: %d", c, r.Status[c])
	}
	fmt.Fprintf(w, "status    %s\n", strings.Join(codes, ", "))
	for _, m := range r.ErrorSamples {
		fmt.Fprintf(w, "error     %s\n", m)
	}
}

// seconds is a duration flag that also takes a plain number of seconds,
// as the upstream harness did (--duration 30).
type seconds time.Duration

func (s *seconds) String() string { return time.Duration(*s).String() }

func (s *seconds) Set(v string) error {
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if f < 0 {
			return fmt.Errorf("negative duration %q", v)
		}
		*s = seconds(f * float64(time.Second))
		return nil
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		return fmt.Errorf("%q is neither seconds nor a duration", v)
	}
	if d < 0 {
		return fmt.Errorf("negative duration %q", v)
	}
	*s = seconds(d)
	return nil
}
