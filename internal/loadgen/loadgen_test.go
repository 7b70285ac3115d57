package loadgen

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var modes = []Mode{ModeRaw, ModeHTTP}

// countingServer answers 200 with a small body, except 404 for paths
// under /missing/, and counts the requests per path.
type countingServer struct {
	*httptest.Server
	mu    sync.Mutex
	paths map[string]int
}

func newCountingServer(t *testing.T) *countingServer {
	s := &countingServer{paths: make(map[string]int)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.paths[r.URL.RequestURI()]++
		s.mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/missing/") {
			http.Error(w, `{"detail":"not found"}`, http.StatusNotFound)
			return
		}
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *countingServer) total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, c := range s.paths {
		n += c
	}
	return n
}

func TestRunCounts(t *testing.T) {
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			srv := newCountingServer(t)
			res, err := Run(context.Background(), Config{
				Target:      srv.URL,
				Source:      Cycle([]string{"/ok/a", "/missing/b", "/ok/c", "/ok/d?q=1"}),
				Workers:     3,
				Duration:    10 * time.Second,
				MaxRequests: 400,
				Mode:        mode,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.Requests != 400 || srv.total() != 400 {
				t.Fatalf("requests: result %d, server %d, want 400", res.Requests, srv.total())
			}
			want := map[int]int64{200: 300, 404: 100}
			if len(res.Status) != 2 || res.Status[200] != want[200] || res.Status[404] != want[404] {
				t.Errorf("status = %v, want %v", res.Status, want)
			}
			if res.Non2xx != 100 || res.TransportErrors != 0 || res.Errors() != 100 {
				t.Errorf("non2xx %d transport %d errors %d, want 100 0 100", res.Non2xx, res.TransportErrors, res.Errors())
			}
			for _, p := range []string{"/ok/a", "/missing/b", "/ok/c", "/ok/d?q=1"} {
				if srv.paths[p] != 100 {
					t.Errorf("server saw %q %d times, want 100", p, srv.paths[p])
				}
			}
			if res.Connects != 3 {
				t.Errorf("connects = %d, want 3 (one keep-alive connection per worker)", res.Connects)
			}
			if res.Latency.Count() != 400 || res.Latency.Quantile(0.5) <= 0 {
				t.Errorf("latency count %d p50 %v", res.Latency.Count(), res.Latency.Quantile(0.5))
			}
			if wantBytes := int64(300*len(`{"ok":true}`) + 100*len("{\"detail\":\"not found\"}\n")); res.BodyBytes != wantBytes {
				t.Errorf("body bytes = %d, want %d", res.BodyBytes, wantBytes)
			}
		})
	}
}

func TestRunDurationBound(t *testing.T) {
	srv := newCountingServer(t)
	const d = 300 * time.Millisecond
	start := time.Now()
	res, err := Run(context.Background(), Config{
		Target: srv.URL, Source: Fixed("/ok"), Workers: 2, Duration: d, Warmup: 100 * time.Millisecond,
	})
	took := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if took < d || took > d+100*time.Millisecond+2*time.Second {
		t.Errorf("Run took %v for a %v run with 100ms warmup", took, d)
	}
	if res.Elapsed < d || res.Elapsed > d+2*time.Second {
		t.Errorf("Elapsed = %v, want about %v", res.Elapsed, d)
	}
	if res.Requests == 0 || int(res.Requests) >= srv.total() {
		t.Errorf("measured %d of %d requests: want some, and fewer than the server saw (warmup)", res.Requests, srv.total())
	}
	if got := res.Throughput(); got <= 0 {
		t.Errorf("throughput = %v", got)
	}
}

func TestRunCancel(t *testing.T) {
	srv := newCountingServer(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := Run(ctx, Config{Target: srv.URL, Source: Fixed("/ok"), Workers: 2, Duration: time.Hour})
	if !errors.Is(err, context.Canceled) || res == nil {
		t.Fatalf("Run on a cancelled context = %v, %v; want a result and context.Canceled", res, err)
	}
}

func TestRunDistinct(t *testing.T) {
	srv := newCountingServer(t)
	res, err := Run(context.Background(), Config{
		Target: srv.URL + "/resolve/", Source: Distinct("/prices.equity/SYM{n}@20260115"),
		Workers: 4, Duration: 10 * time.Second, MaxRequests: 200,
	})
	if err != nil || res.Requests != 200 {
		t.Fatalf("Run = %d requests, %v", res.Requests, err)
	}
	if len(srv.paths) != 200 {
		t.Errorf("server saw %d distinct paths, want 200", len(srv.paths))
	}
	for i := range 200 {
		if p := fmt.Sprintf("/resolve/prices.equity/SYM%d@20260115", i); srv.paths[p] != 1 {
			t.Errorf("path %q seen %d times, want 1", p, srv.paths[p])
		}
	}
}

func TestRunTransportErrors(t *testing.T) {
	// The server drops the connection of every request to /drop without
	// answering.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/drop" {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				_ = conn.Close()
			}
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	for _, mode := range modes {
		t.Run(string(mode), func(t *testing.T) {
			res, err := Run(context.Background(), Config{
				Target: srv.URL, Source: Cycle([]string{"/ok", "/drop"}), Workers: 1,
				Duration: 10 * time.Second, MaxRequests: 10, Mode: mode,
			})
			if err != nil {
				t.Fatal(err)
			}
			if res.TransportErrors != 5 || res.Requests != 5 || res.Status[204] != 5 || res.Non2xx != 0 {
				t.Errorf("transport %d, responses %d (status %v, non2xx %d); want 5, 5 (204: 5), 0",
					res.TransportErrors, res.Requests, res.Status, res.Non2xx)
			}
			if len(res.ErrorSamples) == 0 {
				t.Error("no error sample")
			}
			if res.Latency.Count() != 5 {
				t.Errorf("latency recorded %d times, want 5 (responses only)", res.Latency.Count())
			}
		})
	}
}

func TestRunConnectionRefused(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	res, err := Run(context.Background(), Config{
		Target: "http://" + addr, Source: Fixed("/"), Workers: 1, Duration: 10 * time.Second, MaxRequests: 3,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.TransportErrors != 3 || res.Requests != 0 || res.Errors() != 3 {
		t.Errorf("transport %d responses %d, want 3 and 0", res.TransportErrors, res.Requests)
	}
}

func TestRawRetriesIdleClose(t *testing.T) {
	// A server that answers one request per connection and then closes it
	// without saying so (no "Connection: close"), as a server whose idle
	// timeout fired does. The next request on that connection fails
	// before any response byte: the client reconnects and retries once,
	// so no request fails.
	addr := cannedServer(t, 1, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
	res, err := Run(context.Background(), Config{
		Target: "http://" + addr, Source: Fixed("/"), Workers: 1, Duration: 10 * time.Second, MaxRequests: 20,
	})
	if err != nil {
		t.Fatal(err)
	}
	if res.TransportErrors != 0 || res.Requests != 20 || res.Connects != 20 {
		t.Errorf("transport %d responses %d connects %d; want 0, 20, 20 (%v)", res.TransportErrors, res.Requests, res.Connects, res.ErrorSamples)
	}
}

func TestRunRejectsConfig(t *testing.T) {
	ok := Config{Target: "http://127.0.0.1:1", Source: Fixed("/"), Workers: 1, Duration: time.Second}
	tests := []struct {
		name string
		edit func(*Config)
		want string
	}{
		{"no source", func(c *Config) { c.Source = nil }, "no request source"},
		{"no workers", func(c *Config) { c.Workers = 0 }, "workers"},
		{"no duration", func(c *Config) { c.Duration = 0 }, "duration"},
		{"negative max", func(c *Config) { c.MaxRequests = -1 }, "max requests"},
		{"bad mode", func(c *Config) { c.Mode = "h2" }, "unknown mode"},
		{"https raw", func(c *Config) { c.Target = "https://127.0.0.1:1" }, "scheme must be http"},
		{"query in base", func(c *Config) { c.Target = "http://127.0.0.1:1/?a=b" }, "query"},
		{"remote IPv4", func(c *Config) { c.Target = "http://192.0.2.10:8051" }, "not a loopback address"},
		{"remote IPv6", func(c *Config) { c.Target = "http://[2001:db8::1]:8051" }, "not a loopback address"},
		{"unspecified", func(c *Config) { c.Target = "http://0.0.0.0:8051" }, "not a loopback address"},
		{"no host", func(c *Config) { c.Target = "http:///x" }, "no host"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := ok
			tt.edit(&cfg)
			res, err := Run(context.Background(), cfg)
			if err == nil || !strings.Contains(err.Error(), tt.want) || res != nil {
				t.Errorf("Run = %v, %v; want nil and an error containing %q", res, err, tt.want)
			}
		})
	}
}

func TestResolveTarget(t *testing.T) {
	tests := []struct {
		raw, dial string
		remote    bool
		wantErr   bool
	}{
		{raw: "http://127.0.0.1:8051", dial: "127.0.0.1:8051"},
		{raw: "http://127.9.9.9", dial: "127.9.9.9:80"},
		{raw: "http://[::1]:8051/base/", dial: "[::1]:8051"},
		{raw: "http://localhost:8051", dial: ""}, // 127.0.0.1 or ::1, whichever resolves first
		{raw: "http://192.0.2.10:8051", wantErr: true},
		{raw: "http://192.0.2.10:8051", remote: true, dial: "192.0.2.10:8051"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.raw, tt.remote), func(t *testing.T) {
			got, err := resolveTarget(context.Background(), tt.raw, ModeRaw, tt.remote)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, want error %v", err, tt.wantErr)
			}
			if err != nil {
				return
			}
			if tt.dial != "" && got.dialAddr != tt.dial {
				t.Errorf("dial address %q, want %q", got.dialAddr, tt.dial)
			}
			host, _, _ := net.SplitHostPort(got.dialAddr)
			if ip := net.ParseIP(host); !tt.remote && (ip == nil || !ip.IsLoopback()) {
				t.Errorf("dial address %q is not a loopback IP", got.dialAddr)
			}
			if strings.HasSuffix(got.base.Path, "/") {
				t.Errorf("base path %q keeps its trailing slash", got.base.Path)
			}
		})
	}
}

// cannedServer accepts connections on loopback and answers each request
// (read up to the blank line) with resp; after perConn requests it closes
// the connection. It returns the address.
func cannedServer(tb testing.TB, perConn int, resp string) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var wg sync.WaitGroup
	tb.Cleanup(func() { _ = ln.Close(); wg.Wait() })
	out := []byte(resp)
	wg.Go(func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Go(func() {
				defer conn.Close()
				br := bufio.NewReader(conn)
				for i := 0; perConn <= 0 || i < perConn; i++ {
					for {
						line, err := br.ReadSlice('\n')
						if err != nil {
							return
						}
						if len(line) <= 2 {
							break
						}
					}
					if _, err := conn.Write(out); err != nil {
						return
					}
				}
			})
		}
	})
	return ln.Addr().String()
}

var benchSink atomic.Int64

// The client benchmarks run one worker against a canned responder, so
// they compare what each client costs per request (CPU and allocations)
// with a server that costs almost nothing.
func benchmarkClient(b *testing.B, mode Mode) {
	body := strings.Repeat("x", 600)
	addr := cannedServer(b, 0, fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", len(body), body))
	t, err := resolveTarget(context.Background(), "http://"+addr, mode, false)
	if err != nil {
		b.Fatal(err)
	}
	var d doer
	if mode == ModeRaw {
		d = newRawDoer(t)
	} else {
		d = newHTTPDoer(t, 5*time.Second)
	}
	defer d.close()
	path := []byte("/resolve/prices.equity/AAPL@20260115")
	b.ReportAllocs()
	for b.Loop() {
		status, n, err := d.do(path, time.Now().Add(5*time.Second))
		if err != nil || status != 200 {
			b.Fatal(status, err)
		}
		benchSink.Add(n)
	}
}

func BenchmarkClientRaw(b *testing.B)     { benchmarkClient(b, ModeRaw) }
func BenchmarkClientNetHTTP(b *testing.B) { benchmarkClient(b, ModeHTTP) }
