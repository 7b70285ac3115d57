package resolverapi_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-zeromq/zmq4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/resolverapi"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// tee writes every batch to all its sinks.
type tee []telemetry.Sink

func (t tee) Write(ctx context.Context, events []telemetry.Event) error {
	var errs []error
	for _, s := range t {
		errs = append(errs, s.Write(ctx, events))
	}
	return errors.Join(errs...)
}

func (t tee) Close() error {
	var errs []error
	for _, s := range t {
		errs = append(errs, s.Close())
	}
	return errors.Join(errs...)
}

// richServer serves the rich test catalog with deprecation redirects
// and the resolve cache on, emitting to em.
func richServer(t *testing.T, em *telemetry.Emitter) (http.Handler, *resolve.Snapshot) {
	t.Helper()
	cat, _, err := catalog.LoadBytes("rich.yaml", []byte(richCatalog))
	if err != nil {
		t.Fatal(err)
	}
	doms, err := catalog.LoadDomainsBytes("domains.yaml", []byte(richDomains))
	if err != nil {
		t.Fatal(err)
	}
	snap := resolve.NewSnapshot(cat, doms, resolve.Options{DeprecationEnabled: true, RedirectOnResolve: true, CacheEnabled: true})
	srv := resolverapi.New(resolverapi.Config{Snapshot: func() *resolve.Snapshot { return snap }, Telemetry: em, DeprecationTelemetry: true})
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), srv.Routes())
	return mux, snap
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

// TestAccessEventStream sends a scripted sequence of requests and checks
// the access events, written by a real file sink and received by a real
// ZMQ subscriber: not found, denied, ok, cached, redirected, a parse
// error, a batch, describe, metadata, lineage, list and a client report.
func TestAccessEventStream(t *testing.T) {
	dir := t.TempDir()
	file, err := telemetry.Build(telemetryConfig("file", map[string]any{"directory": "events", "path_pattern": "access.jsonl"}), telemetry.Env{BaseDir: dir}, nil)
	if err != nil {
		t.Fatal(err)
	}
	z, err := telemetry.NewZMQ("tcp://127.0.0.1:0", "moniker", 1000)
	if err != nil {
		t.Fatal(err)
	}
	sub := subscriber(t, z, "moniker")
	em := telemetry.New(telemetry.Options{BatchSize: 1000, FlushInterval: time.Hour, Sink: tee{file, z}})
	h, snap := richServer(t, em)

	alice := httpapi.Caller{Principal: "alice", AppID: "etl", Team: "quant"}
	bot := httpapi.Caller{AppID: "etl-bot", Team: "ops"}
	steps := []struct {
		method, target, body string
		caller               httpapi.Caller
		status               int
	}{
		{"GET", "/resolve/prices", "", bot, 404},
		{"GET", "/resolve/risk.cvar", "", httpapi.Caller{}, 403},
		{"GET", "/resolve/prices.equity/AAPL@20260115", "", alice, 200},
		{"GET", "/resolve/prices.equity/AAPL@20260115", "", alice, 200},
		{"GET", "/resolve/prices.legacy", "", httpapi.Caller{}, 200},
		{"GET", "/resolve/prices.equity/A%20B", "", httpapi.Caller{}, 400},
		{"POST", "/resolve/batch", `{"monikers":["moniker://prices.equity/MSFT","nothing/here","a b"]}`, httpapi.Caller{}, 200},
		{"GET", "/describe/prices.equity", "", httpapi.Caller{}, 200},
		{"GET", "/metadata/prices.equity", "", httpapi.Caller{}, 200},
		{"GET", "/lineage/prices.equity/AAPL", "", httpapi.Caller{}, 200},
		{"GET", "/list/prices", "", httpapi.Caller{}, 200},
		{"GET", "/describe/A%20B", "", httpapi.Caller{}, 400},
		{"GET", "/catalog", "", httpapi.Caller{}, 200},     // no event
		{"GET", "/tree/prices", "", httpapi.Caller{}, 200}, // no event
		{"POST", "/telemetry/access", `{"moniker":"moniker://prices.equity/AAPL","outcome":"success","latency_ms":12.5,"source_type":"snowflake","row_count":42,"error_message":null,"deprecated":false,"successor":null}`, bot, 200},
		{"POST", "/telemetry/access", `{"moniker":"not a moniker","outcome":"weird","latency_ms":0}`, httpapi.Caller{}, 200},
	}
	for _, st := range steps {
		req := httptest.NewRequest(st.method, st.target, strings.NewReader(st.body))
		req = req.WithContext(httpapi.WithCaller(req.Context(), st.caller))
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != st.status {
			t.Fatalf("%s %s: status %d, want %d: %s", st.method, st.target, rec.Code, st.status, rec.Body)
		}
	}
	if err := em.Close(context.Background()); err != nil {
		t.Fatal(err)
	}

	// want lists the fields checked per event, in order; JSON null is nil.
	version := snap.Catalog().Version()
	type fields map[string]any
	want := []fields{
		{"operation": "read", "outcome": "not_found", "moniker": "moniker://prices", "moniker_path": "prices", "moniker_domain": "prices",
			"error_message": "No source binding for: prices", "cached": false, "resolved_source_type": nil,
			"caller": map[string]any{"principal": "etl-bot", "service_id": nil, "user_id": nil, "app_id": "etl-bot", "team": "ops"}},
		{"operation": "read", "outcome": "error", "moniker_path": "risk.cvar", "metadata": map[string]any{"event_type": "resolution", "outcome_detail": "denied"},
			"caller": map[string]any{"principal": "anonymous", "service_id": nil, "user_id": nil, "app_id": nil, "team": nil}},
		{"operation": "read", "outcome": "success", "moniker": "moniker://prices.equity/AAPL@20260115", "moniker_path": "prices.equity/AAPL",
			"moniker_domain": "prices.equity", "cached": false, "resolved_source_type": "snowflake", "owner_at_access": "owner@firm.com",
			"error_message": nil, "deprecated": false, "successor": nil, "redirected_from": nil,
			"metadata": map[string]any{"event_type": "resolution"},
			"caller":   map[string]any{"principal": "alice", "service_id": nil, "user_id": "alice", "app_id": "etl", "team": "quant"}},
		{"operation": "read", "outcome": "success", "moniker_path": "prices.equity/AAPL", "cached": true},
		{"operation": "read", "outcome": "success", "moniker_path": "prices.legacy", "resolved_source_type": "snowflake",
			"deprecated": true, "successor": "prices.equity", "redirected_from": "prices.legacy"},
		{"operation": "read", "outcome": "error", "moniker": "moniker://prices.equity/A B", "moniker_path": "prices.equity/A B",
			"metadata": map[string]any{"event_type": "resolution"}},
		{"operation": "read", "outcome": "success", "moniker": "moniker://prices.equity/MSFT", "moniker_path": "prices.equity/MSFT", "cached": false},
		{"operation": "read", "outcome": "not_found", "moniker_path": "nothing/here", "moniker_domain": "nothing"},
		{"operation": "read", "outcome": "error", "moniker": "a b", "moniker_path": "a b"},
		{"operation": "describe", "outcome": "success", "moniker": "moniker://prices.equity", "moniker_path": "prices.equity",
			"resolved_source_type": nil, "owner_at_access": nil, "error_message": nil},
		{"operation": "describe", "outcome": "success", "moniker_path": "prices.equity"},
		{"operation": "lineage", "outcome": "success", "moniker_path": "prices.equity/AAPL"},
		{"operation": "list", "outcome": "success", "moniker_path": "prices"},
		{"operation": "describe", "outcome": "error", "moniker_path": "A B"},
		{"operation": "read", "outcome": "success", "moniker": "moniker://prices.equity/AAPL", "moniker_path": "prices.equity/AAPL",
			"latency_ms": 12.5, "result_count": 42.0, "resolved_source_type": "snowflake", "owner_at_access": "owner@firm.com",
			"metadata": map[string]any{}, "cached": false, "caller": map[string]any{"principal": "etl-bot", "service_id": nil, "user_id": nil, "app_id": "etl-bot", "team": "ops"}},
		{"operation": "read", "outcome": "error", "moniker": "not a moniker", "moniker_path": "not a moniker", "latency_ms": 0.0,
			"result_count": nil, "owner_at_access": nil},
	}

	fileEvents := readLines(t, filepath.Join(dir, "events", "access.jsonl"))
	var zmqEvents []map[string]any
	for range want {
		topic, body, _ := bytes.Cut(recvMsg(t, sub), []byte(" "))
		if string(topic) != "moniker" {
			t.Fatalf("zmq topic %q", topic)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		zmqEvents = append(zmqEvents, m)
	}
	for name, events := range map[string][]map[string]any{"file": fileEvents, "zmq": zmqEvents} {
		if len(events) != len(want) {
			t.Fatalf("%s: %d events, want %d", name, len(events), len(want))
		}
		ids := map[any]bool{}
		for i, got := range events {
			for k, v := range want[i] {
				if !jsonEqual(got[k], v) {
					t.Errorf("%s event %d (%s %s): %s = %#v, want %#v", name, i, got["operation"], got["moniker_path"], k, got[k], v)
				}
			}
			if got["catalog_version"] != version {
				t.Errorf("%s event %d: catalog_version %v, want %s", name, i, got["catalog_version"], version)
			}
			if id, _ := got["request_id"].(string); !uuidV4.MatchString(id) || ids[id] {
				t.Errorf("%s event %d: request_id %q not a fresh UUID v4", name, i, id)
			}
			ids[got["request_id"]] = true
			if l, _ := got["latency_ms"].(float64); l < 0 {
				t.Errorf("%s event %d: latency %v", name, i, l)
			}
			if ts, err := time.Parse("2006-01-02T15:04:05.000000-07:00", got["timestamp"].(string)); err != nil || time.Since(ts) > time.Minute {
				t.Errorf("%s event %d: timestamp %v (%v)", name, i, got["timestamp"], err)
			}
			if len(got) != 20 {
				t.Errorf("%s event %d has %d fields, want 20", name, i, len(got))
			}
		}
		if !jsonEqual(events, fileEvents) {
			t.Errorf("%s events differ from the file's", name)
		}
	}
}

func jsonEqual(a, b any) bool {
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return bytes.Equal(ja, jb)
}

func readLines(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		var m map[string]any
		if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
			t.Fatalf("%s: %v: %s", path, err, sc.Text())
		}
		out = append(out, m)
	}
	return out
}

func telemetryConfig(sinkType string, sc map[string]any) config.Telemetry {
	return config.Telemetry{Enabled: true, SinkType: sinkType, SinkConfig: sc, BatchSize: 1000, FlushIntervalSeconds: 1, MaxQueueSize: 10000}
}

// subscriber connects a SUB socket to z and waits until z knows the
// subscription.
func subscriber(t *testing.T, z *telemetry.ZMQ, topic string) zmq4.Socket {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	sub := zmq4.NewSub(ctx)
	t.Cleanup(func() {
		_ = sub.Close()
		cancel()
	})
	if err := sub.Dial("tcp://" + z.Publisher().Addr().String()); err != nil {
		t.Fatal(err)
	}
	if err := sub.SetOption(zmq4.OptionSubscribe, topic); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for !z.Publisher().Subscribed(topic + " ") {
		if time.Now().After(deadline) {
			t.Fatal("the subscription did not reach the publisher")
		}
		time.Sleep(time.Millisecond)
	}
	return sub
}

func recvMsg(t *testing.T, sub zmq4.Socket) []byte {
	t.Helper()
	c := make(chan zmq4.Msg, 1)
	go func() {
		m, _ := sub.Recv()
		c <- m
	}()
	select {
	case m := <-c:
		if len(m.Frames) != 1 {
			t.Fatalf("message with %d frames, want 1", len(m.Frames))
		}
		return m.Frames[0]
	case <-time.After(10 * time.Second):
		t.Fatal("no zmq message within 10s")
		return nil
	}
}

// TestQueueOverflowKeepsRequestsFast blocks the sink: the queue fills,
// every further event is dropped and counted, and the requests are
// answered regardless.
func TestQueueOverflowKeepsRequestsFast(t *testing.T) {
	sink := &memorySink{gate: make(chan struct{})}
	em := telemetry.New(telemetry.Options{Sink: sink, BatchSize: 4, MaxQueue: 8, FlushInterval: time.Millisecond})
	h, _ := richServer(t, em)
	const n = 2000
	start := time.Now()
	for i := range n {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("GET", "/resolve/prices.equity/AAPL@20260115", nil))
		if rec.Code != 200 {
			t.Fatalf("request %d: status %d", i, rec.Code)
		}
	}
	elapsed := time.Since(start)
	st := em.Stats()
	// At most one queue's worth is held by the blocked consumer and 8
	// wait in the queue.
	if st.Dropped < n-8-8 || st.Emitted+st.Dropped != n || st.QueueDepth > 8 {
		t.Errorf("stats with a blocked sink: %+v", st)
	}
	if elapsed > 10*time.Second {
		t.Errorf("%d requests took %v with a blocked sink", n, elapsed)
	}
	close(sink.gate)
	if err := em.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := em.Stats(); int(st.EventsSent) != len(sink.events) || st.EventsSent+st.Dropped != n {
		t.Errorf("after release: %d written, stats %+v", len(sink.events), st)
	}
}

func TestRateLimitedEvents(t *testing.T) {
	sink := &memorySink{}
	em := telemetry.New(telemetry.Options{Sink: sink, FlushInterval: time.Hour})
	cat, _, err := catalog.LoadBytes("rich.yaml", []byte(richCatalog))
	if err != nil {
		t.Fatal(err)
	}
	snap := resolve.NewSnapshot(cat, nil, resolve.Options{})
	srv := resolverapi.New(resolverapi.Config{Snapshot: func() *resolve.Snapshot { return snap }, Telemetry: em})
	tests := []struct {
		method, target string
		op, path       string
	}{
		{"GET", "/resolve/prices.equity/AAPL@20260115?x=1", "read", "prices.equity/AAPL"},
		{"POST", "/resolve/batch", "read", ""},
		{"GET", "/catalog?limit=5", "list", ""},
		{"GET", "/fetch/a%20b", "fetch", "a b"},
		{"GET", "/fetch/prices.equity/AAPL?limit=5&x=1&format=csv", "fetch", "prices.equity/AAPL"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.target, nil)
		r = r.WithContext(httpapi.WithCaller(r.Context(), httpapi.Caller{Principal: "alice"}))
		srv.RateLimited(r, "alice", "Rate limit exceeded")
	}
	if err := em.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if len(sink.events) != len(tests) {
		t.Fatalf("%d events, want %d", len(sink.events), len(tests))
	}
	if m := sink.events[4].Moniker; m != "moniker://prices.equity/AAPL?x=1" {
		t.Errorf("a rate-limited fetch's moniker %q keeps /fetch's own parameters", m)
	}
	for i, tt := range tests {
		e := sink.events[i]
		if e.Outcome != telemetry.OutcomeRateLimited || string(e.Operation) != tt.op || e.MonikerPath != tt.path ||
			e.ErrorMessage != "Rate limit exceeded" || e.Caller.Principal() != "alice" || e.CatalogVersion != snap.Catalog().Version() {
			t.Errorf("%s %s: %+v", tt.method, tt.target, e)
		}
	}
	resolverapi.New(resolverapi.Config{Snapshot: func() *resolve.Snapshot { return snap }}).
		RateLimited(httptest.NewRequest("GET", "/resolve/x", nil), "k", "r") // telemetry off: no effect, no panic
}
