package resolverapi_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/governance"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/resolverapi"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// fetchCatalog binds fetchdemo/* to the test adapter (type static) and
// bbg to bloomberg, which has no adapter.
const fetchCatalog = `
fetchdemo:
  source_binding:
    type: static
    config: {base_path: /data, file_pattern: "{path}"}
fetchslow:
  source_binding:
    type: static
    config: {base_path: /slow, file_pattern: "slow", timeout: 0.05}
bbg:
  source_binding:
    type: bloomberg
    config: {securities: "{path}"}
`

// testAdapter answers by the rendered file pattern (the query text).
type testAdapter struct {
	mu      sync.Mutex
	queries []string
}

func (a *testAdapter) Key(cfg map[string]any) (string, error) {
	s, _ := cfg["base_path"].(string)
	return s, nil
}

func (a *testAdapter) Open(context.Context, map[string]any, fetch.Env) (fetch.Source, error) {
	return testSource{a}, nil
}

type testSource struct{ a *testAdapter }

func (testSource) Close() error { return nil }

var testColumns = []fetch.Column{{Name: "symbol", Type: fetch.TypeString}, {Name: "close", Type: fetch.TypeFloat},
	{Name: "volume", Type: fetch.TypeInt}, {Name: "asof", Type: fetch.TypeDate}, {Name: "px", Type: fetch.TypeDecimal}}

func testRow(i int) []any {
	return []any{fmt.Sprintf("S%03d", i), 100.5 + float64(i), int64(1000 * i), time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), "187.25"}
}

func (s testSource) Query(ctx context.Context, q *fetch.Query) (fetch.Rows, error) {
	s.a.mu.Lock()
	s.a.queries = append(s.a.queries, q.Text)
	s.a.mu.Unlock()
	name, _, _ := strings.Cut(q.Text, "/")
	switch name {
	case "refuse":
		return nil, moniker.Errorf(moniker.ErrSource, `relation "nope" does not exist`)
	case "slow":
		<-ctx.Done()
		return nil, ctx.Err()
	case "broken":
		return &brokenRows{}, nil
	case "empty":
		return (&fetch.Buffer{Columns: testColumns}).Open(), nil
	}
	n := 3
	if name == "many" {
		n = 250
	}
	b := &fetch.Buffer{Columns: testColumns}
	for i := range min(n, q.MaxRows) {
		b.Rows = append(b.Rows, testRow(i))
	}
	if name == "nulls" {
		b.Rows[1] = []any{nil, nil, nil, nil, nil}
	}
	return b.Open(), nil
}

// brokenRows give one row, then fail.
type brokenRows struct{ i int }

func (r *brokenRows) Columns() []fetch.Column { return testColumns }
func (r *brokenRows) Next() bool              { r.i++; return r.i == 1 }
func (r *brokenRows) Row() []any              { return testRow(0) }
func (r *brokenRows) Err() error {
	if r.i > 1 {
		return moniker.Errorf(moniker.ErrSource, "connection lost")
	}
	return nil
}
func (r *brokenRows) Close() error { return nil }

// testFetcher is the executor over the test adapter, with two answers of
// a result cache in front: fetchdemo/loading is loading, fetchdemo/open
// finds its circuit open.
type testFetcher struct{ x *fetch.Executor }

func (f testFetcher) Fetch(ctx context.Context, req *fetch.Request) (*fetch.Result, error) {
	switch req.Resolution.Path {
	case "fetchdemo/loading":
		return &fetch.Result{Cache: &fetch.CacheInfo{Status: fetch.CacheLoading, Message: "Data is loading, please try again shortly"}}, nil
	case "fetchdemo/open":
		return nil, &governance.OpenError{Key: "static:fetchdemo", RetryAfter: 12 * time.Second}
	case "fetchdemo/cached":
		b := &fetch.Buffer{Columns: testColumns, Rows: [][]any{testRow(1)}}
		now := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
		return &fetch.Result{Rows: b.Open(), Cached: true, Cache: &fetch.CacheInfo{Status: fetch.CacheFresh, Age: 1250 * time.Millisecond,
			LastRefresh: now, NextRefresh: now.Add(10 * time.Minute), Message: "fresh"}}, nil
	}
	return f.x.Fetch(ctx, req)
}

type fetchServer struct {
	mux     http.Handler
	adapter *testAdapter
	events  *eventLog
}

// eventLog is a telemetry sink that keeps the events.
type eventLog struct {
	mu     sync.Mutex
	events []map[string]any
}

func (l *eventLog) Write(_ context.Context, batch []telemetry.Event) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	for i := range batch {
		var m map[string]any
		if err := json.Unmarshal(batch[i].AppendJSON(nil), &m); err != nil {
			return err
		}
		l.events = append(l.events, m)
	}
	return nil
}

func (l *eventLog) Close() error { return nil }

func (l *eventLog) wait(t *testing.T, n int) []map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		l.mu.Lock()
		got := append([]map[string]any(nil), l.events...)
		l.mu.Unlock()
		if len(got) >= n || time.Now().After(deadline) {
			return got
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// newFetchServer serves the resolver routes on catalog yaml (with the
// fetch nodes added) with the test fetcher.
func newFetchServer(t *testing.T, yaml string, opts resolve.Options) *fetchServer {
	t.Helper()
	cat, _, err := catalog.LoadBytes("fetch.yaml", []byte(yaml+fetchCatalog))
	if err != nil {
		t.Fatal(err)
	}
	snap := resolve.NewSnapshot(cat, nil, opts)
	a := &testAdapter{}
	x := fetch.NewExecutor(fetch.Options{Adapters: fetch.Adapters{"static": a}, Timeout: 5 * time.Second})
	t.Cleanup(x.Close)
	events := &eventLog{}
	tel := telemetry.New(telemetry.Options{Sink: events, BatchSize: 1, FlushInterval: time.Millisecond, MaxQueue: 100})
	t.Cleanup(func() { _ = tel.Close(context.Background()) })
	srv := resolverapi.New(resolverapi.Config{Snapshot: func() *resolve.Snapshot { return snap }, Telemetry: tel,
		Fetcher: testFetcher{x}, FetchMaxRows: 1000, Log: slog.New(slog.DiscardHandler)})
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), srv.Routes())
	return &fetchServer{mux: httpapi.Chain(mux, httpapi.Recover(slog.New(slog.DiscardHandler))), adapter: a, events: events}
}

func (s *fetchServer) get(t *testing.T, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest("GET", target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	s.mux.ServeHTTP(rec, req)
	return rec
}

// fetchBody is the JSON answer, its members kept in order.
type fetchBody struct {
	keys []string
	m    map[string]json.RawMessage
}

func decodeFetch(t *testing.T, body []byte) fetchBody {
	t.Helper()
	fb := fetchBody{m: map[string]json.RawMessage{}}
	dec := json.NewDecoder(bytes.NewReader(body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", body)
	}
	for dec.More() {
		k, _ := dec.Token()
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		fb.keys = append(fb.keys, k.(string))
		fb.m[k.(string)] = v
	}
	return fb
}

func (fb fetchBody) get(t *testing.T, k string, v any) {
	t.Helper()
	if err := json.Unmarshal(fb.m[k], v); err != nil {
		t.Fatalf("%s: %v (%s)", k, err, fb.m[k])
	}
}

func TestFetchJSON(t *testing.T) {
	s := newFetchServer(t, "", resolve.Options{CacheEnabled: true})
	rec := s.get(t, "/fetch/fetchdemo/nulls?limit=2&x=1")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
	fb := decodeFetch(t, rec.Body.Bytes())
	want := []string{"moniker", "path", "source_type", "row_count", "columns", "data", "truncated", "query_executed",
		"execution_time_ms", "cached", "cache_status", "cache_age_seconds", "cache_last_refresh", "cache_next_refresh", "cache_message",
		"schema", "catalog_version"}
	if strings.Join(fb.keys, ",") != strings.Join(want, ",") {
		t.Errorf("members %v\nwant    %v", fb.keys, want)
	}
	var rowCount int
	var truncated, cached bool
	var moniker, query, version string
	fb.get(t, "row_count", &rowCount)
	fb.get(t, "truncated", &truncated)
	fb.get(t, "cached", &cached)
	fb.get(t, "moniker", &moniker)
	fb.get(t, "query_executed", &query)
	fb.get(t, "catalog_version", &version)
	if rowCount != 2 || !truncated || cached || moniker != "moniker://fetchdemo/nulls?x=1" || query != "nulls" || version == "" {
		t.Errorf("row_count %d truncated %v cached %v moniker %q query %q version %q", rowCount, truncated, cached, moniker, query, version)
	}
	// Rows keep the query's column order and their types.
	if got := string(fb.m["data"]); got != `[{"symbol":"S000","close":100.5,"volume":0,"asof":"2026-01-15","px":"187.25"},`+
		`{"symbol":null,"close":null,"volume":null,"asof":null,"px":null}]` {
		t.Errorf("data = %s", got)
	}
	if got := string(fb.m["schema"]); got != `[{"name":"symbol","type":"string"},{"name":"close","type":"float64"},{"name":"volume","type":"int64"},{"name":"asof","type":"date"},{"name":"px","type":"decimal"}]` {
		t.Errorf("schema = %s", got)
	}
	for _, k := range []string{"cache_status", "cache_age_seconds", "cache_last_refresh", "cache_next_refresh", "cache_message"} {
		if string(fb.m[k]) != "null" {
			t.Errorf("%s = %s, want null", k, fb.m[k])
		}
	}

	// query_executed is /resolve's query, byte for byte.
	res := s.get(t, "/resolve/fetchdemo/many?x=1")
	var r struct{ Query string }
	_ = json.Unmarshal(res.Body.Bytes(), &r)
	rec = s.get(t, "/fetch/fetchdemo/many?x=1&limit=1000&format=json&bypass_cache=true")
	fb = decodeFetch(t, rec.Body.Bytes())
	fb.get(t, "query_executed", &query)
	fb.get(t, "row_count", &rowCount)
	fb.get(t, "truncated", &truncated)
	if query != r.Query || query == "" || rowCount != 250 || truncated {
		t.Errorf("query %q (resolve %q), rows %d, truncated %v", query, r.Query, rowCount, truncated)
	}
	if n := len(s.adapter.queries); s.adapter.queries[n-1] != r.Query {
		t.Errorf("the source ran %q", s.adapter.queries[n-1])
	}

	// A result cache's answer.
	fb = decodeFetch(t, s.get(t, "/fetch/fetchdemo/cached").Body.Bytes())
	for k, want := range map[string]string{"cached": "true", "cache_status": `"fresh"`, "cache_age_seconds": "1.3",
		"cache_last_refresh": `"2026-01-15T10:00:00Z"`, "cache_next_refresh": `"2026-01-15T10:10:00Z"`, "cache_message": `"fresh"`} {
		if string(fb.m[k]) != want {
			t.Errorf("cached answer %s = %s, want %s", k, fb.m[k], want)
		}
	}
}

func TestFetchStreams(t *testing.T) {
	s := newFetchServer(t, "", resolve.Options{})
	rec := s.get(t, "/fetch/fetchdemo/many?format=csv&limit=100")
	if rec.Code != 200 || rec.Header().Get("Content-Type") != "text/csv; charset=utf-8" {
		t.Fatalf("%d %v", rec.Code, rec.Header())
	}
	recs, err := csv.NewReader(rec.Body).ReadAll()
	if err != nil || len(recs) != 101 || strings.Join(recs[0], ",") != "symbol,close,volume,asof,px" || recs[1][0] != "S000" {
		t.Fatalf("csv: %v, %d records", err, len(recs))
	}
	h := rec.Result().Trailer
	if h.Get("X-Moniker-Row-Count") != "100" || h.Get("X-Moniker-Truncated") != "true" || h.Get("X-Moniker-Execution-Time-Ms") == "" {
		t.Errorf("trailers %v", h)
	}
	if rec.Header().Get("X-Moniker-Limit") != "100" || rec.Header().Get("X-Moniker-Cached") != "false" {
		t.Errorf("headers %v", rec.Header())
	}

	rec = s.get(t, "/fetch/fetchdemo/rows", "Accept", "application/x-ndjson")
	lines := strings.Split(strings.TrimSpace(rec.Body.String()), "\n")
	if rec.Header().Get("Content-Type") != "application/x-ndjson" || len(lines) != 3 ||
		lines[0] != `{"symbol":"S000","close":100.5,"volume":0,"asof":"2026-01-15","px":"187.25"}` {
		t.Errorf("ndjson: %v\n%s", rec.Header(), rec.Body)
	}
	if tr := rec.Result().Trailer; tr.Get("X-Moniker-Truncated") != "false" || tr.Get("X-Moniker-Row-Count") != "3" {
		t.Errorf("ndjson trailers %v", tr)
	}

	rec = s.get(t, "/fetch/fetchdemo/many?limit=1000", "Accept", "application/vnd.apache.arrow.stream")
	rd, err := ipc.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rd.Next() {
		n += int(rd.RecordBatch().NumRows())
	}
	if rd.Err() != nil || n != 250 || rd.Schema().Field(3).Type.Name() != "date32" {
		t.Errorf("arrow: %v, %d rows, %v", rd.Err(), n, rd.Schema())
	}
	rd.Release()

	// No rows: the header line alone.
	if rec := s.get(t, "/fetch/fetchdemo/empty?format=csv"); rec.Body.String() != "symbol,close,volume,asof,px\n" {
		t.Errorf("empty csv: %q", rec.Body)
	}
}

// TestFetchBrokenStream: a source error after the first row cuts the
// stream (the handler aborts: no complete answer), and the event says
// error.
func TestFetchBrokenStream(t *testing.T) {
	s := newFetchServer(t, "", resolve.Options{})
	srv := httptest.NewServer(s.mux)
	defer srv.Close()
	resp, err := http.Get(srv.URL + "/fetch/fetchdemo/broken?format=ndjson")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || err == nil {
		t.Errorf("status %d, read error %v: the broken stream read as complete (%q)", resp.StatusCode, err, body)
	}
	// The JSON format reads every row first: the same failure is a 502.
	rec := s.get(t, "/fetch/fetchdemo/broken")
	if rec.Code != 502 || !strings.Contains(rec.Body.String(), `"code":"source_error"`) {
		t.Errorf("json: %d %s", rec.Code, rec.Body)
	}
	evs := s.events.wait(t, 2)
	if len(evs) < 2 || evs[0]["outcome"] != "error" || evs[0]["operation"] != "fetch" || evs[0]["result_count"] != 1.0 {
		t.Errorf("events %v", evs)
	}
}

func TestFetchErrors(t *testing.T) {
	yaml := `
guarded:
  source_binding:
    type: static
    config: {base_path: /data, file_pattern: "{path}"}
  access_policy:
    min_filters: 2
    denial_message: Add two filters
`
	s := newFetchServer(t, yaml, resolve.Options{})
	for _, tt := range []struct {
		target string
		status int
		code   string
		detail string
	}{
		{"/fetch/fetchdemo/rows?limit=0", 422, "validation_error", "Input should be between 1 and 1000"},
		{"/fetch/fetchdemo/rows?limit=1001", 422, "validation_error", ""},
		{"/fetch/fetchdemo/rows?format=xml", 422, "validation_error", "Input should be 'json', 'csv', 'ndjson' or 'arrow'"},
		{"/fetch/fetchdemo/rows?bypass_cache=maybe", 422, "validation_error", ""},
		{"/fetch/fetchdemo/A%20B", 400, "invalid_moniker", ""},
		{"/fetch/nothing/here", 404, "not_found", "No source binding for: nothing/here"},
		{"/fetch/guarded/x", 403, "access_denied", "requires at least 2 specific filters"},
		{"/fetch/bbg/IBM", 501, "not_implemented", "No adapter available for source type: bloomberg. Bloomberg data is read through Bloomberg's own SDK"},
		{"/fetch/fetchdemo/refuse", 502, "source_error", `relation \"nope\" does not exist`},
		{"/fetch/fetchdemo/refuse?format=arrow", 502, "source_error", ""},
		{"/fetch/fetchslow", 504, "source_timeout", "the source did not answer within 50ms"},
		{"/fetch/fetchslow?format=csv", 504, "source_timeout", ""},
		{"/fetch/fetchdemo/open", 503, "circuit_open", "circuit open for static:fetchdemo"},
	} {
		rec := s.get(t, tt.target)
		body := rec.Body.String()
		if rec.Code != tt.status || !strings.Contains(body, `"code":"`+tt.code+`"`) || !strings.Contains(body, tt.detail) ||
			!strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %s %s, want %d %s %q", tt.target, rec.Code, rec.Header().Get("Content-Type"), body, tt.status, tt.code, tt.detail)
		}
		if tt.status == 503 && rec.Header().Get("Retry-After") != "12" {
			t.Errorf("%s: Retry-After %q", tt.target, rec.Header().Get("Retry-After"))
		}
	}
	if rec := s.get(t, "/fetch/fetchdemo/loading"); rec.Code != 202 || !strings.Contains(rec.Body.String(), `"cache_status":"loading"`) ||
		!strings.Contains(rec.Body.String(), `"row_count":0,"columns":[],"data":[]`) {
		t.Errorf("loading: %d %s", rec.Code, rec.Body)
	}
}

// TestFetchDeprecated: /fetch of a deprecated node answers with the
// deprecation headers /resolve sends, and runs the successor's query
// when the redirect is on.
func TestFetchDeprecated(t *testing.T) {
	yaml := `
old:
  status: deprecated
  successor: fetchdemo/rows
  deprecation_message: use fetchdemo
  source_binding:
    type: static
    config: {base_path: /data, file_pattern: "old-{path}"}
`
	s := newFetchServer(t, yaml, resolve.Options{DeprecationEnabled: true, RedirectOnResolve: true})
	rec := s.get(t, "/fetch/old")
	if rec.Code != 200 || rec.Header().Get("X-Moniker-Deprecated") != "use fetchdemo" || rec.Header().Get("X-Moniker-Redirected-From") != "old" {
		t.Fatalf("%d %v %s", rec.Code, rec.Header(), rec.Body)
	}
	fb := decodeFetch(t, rec.Body.Bytes())
	var q string
	fb.get(t, "query_executed", &q)
	if q != "rows" {
		t.Errorf("query_executed %q, want the successor's", q)
	}
}

// TestFetchEvents: one access event per fetch, operation fetch, with the
// row count and the outcome.
func TestFetchEvents(t *testing.T) {
	s := newFetchServer(t, "", resolve.Options{CacheEnabled: true})
	s.get(t, "/fetch/fetchdemo/rows?limit=2")
	s.get(t, "/fetch/nothing")
	s.get(t, "/fetch/fetchdemo/refuse")
	s.get(t, "/fetch/fetchdemo/cached")
	evs := s.events.wait(t, 4)
	if len(evs) != 4 {
		t.Fatalf("%d events, want 4: %v", len(evs), evs)
	}
	for i, want := range []struct {
		outcome string
		rows    any
		cached  bool
	}{{"success", 2.0, false}, {"not_found", nil, false}, {"error", 0.0, false}, {"success", 1.0, true}} {
		e := evs[i]
		if e["operation"] != "fetch" || e["outcome"] != want.outcome || e["result_count"] != want.rows || e["cached"] != want.cached {
			t.Errorf("event %d: %v", i, e)
		}
	}
	if evs[0]["resolved_source_type"] != "static" || evs[0]["moniker"] != "moniker://fetchdemo/rows" {
		t.Errorf("event 0: %v", evs[0])
	}
}
