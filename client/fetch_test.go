package client

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/catalog"
	ifetch "github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/resolverapi"
	"github.com/moniker-svc/moniker/internal/sqlite"
)

// fetchServer serves the resolver's routes with a real executor and the
// sqlite adapter over a database holding one column of every type, as
// monikerd wires them: the client's fetches go through the real /fetch.
func fetchServer(t *testing.T) *httptest.Server {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "t.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{
		`CREATE TABLE px (sym VARCHAR(8), close DECIMAL(12,4), ratio REAL, vol INTEGER, d DATE, ts DATETIME, ok BOOLEAN, raw BLOB, doc JSON)`,
		`INSERT INTO px VALUES ('AAPL', 187.25, 0.5, 1000, '2026-01-15', '2026-01-15T14:30:00Z', 1, x'00ff', '{"a":[1,2]}')`,
		`INSERT INTO px VALUES ('MSFT', 402.1, -2.25, 9007199254740993, '2026-01-16', '2026-01-16T09:00:00Z', 0, NULL, 'null')`,
		`INSERT INTO px (sym) VALUES ('NULLS')`,
	} {
		if _, err := db.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	db.Close()
	catYAML := `
px:
  source_binding:
    type: sqlite
    config:
      path: t.sqlite
      query: "SELECT * FROM px WHERE {filter[0]:sym} ORDER BY sym"
missing:
  source_binding:
    type: sqlite
    config:
      path: t.sqlite
      query: "SELECT * FROM no_such_table"
bbg:
  source_binding:
    type: bloomberg
    config: {securities: "{path}"}
`
	if err := os.WriteFile(filepath.Join(dir, "catalog.yaml"), []byte(catYAML), 0o644); err != nil {
		t.Fatal(err)
	}
	cat, _, err := catalog.Load(filepath.Join(dir, "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	snap := resolve.NewSnapshot(cat, nil, resolve.Options{})
	x := ifetch.NewExecutor(ifetch.Options{Adapters: ifetch.Adapters{"sqlite": sqlite.Adapter(nil)}, Env: ifetch.Env{Dir: dir}})
	t.Cleanup(func() { x.Close() })
	s := resolverapi.New(resolverapi.Config{Snapshot: func() *resolve.Snapshot { return snap }, Fetcher: x})
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), s.Routes())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestFetch: Fetch decodes every column into its type, NULLs as nil,
// with the answer's metadata; limit and truncated; a source's refusal
// and a type without an adapter are *Errors with their codes.
func TestFetch(t *testing.T) {
	srv := fetchServer(t)
	c := New(srv.URL)
	res, err := c.Fetch(ctx(), "moniker://px/ALL", FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	wantCols := []FetchColumn{{"sym", "string"}, {"close", "decimal"}, {"ratio", "float64"}, {"vol", "int64"},
		{"d", "date"}, {"ts", "timestamp"}, {"ok", "bool"}, {"raw", "bytes"}, {"doc", "json"}}
	if !reflect.DeepEqual(res.Columns, wantCols) {
		t.Errorf("columns %v\nwant    %v", res.Columns, wantCols)
	}
	want := [][]any{
		{"AAPL", "187.25", 0.5, int64(1000), time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 15, 14, 30, 0, 0, time.UTC),
			true, []byte{0, 0xff}, map[string]any{"a": []any{1.0, 2.0}}},
		// An int64 beyond float64's exact range stays exact.
		{"MSFT", "402.1", -2.25, int64(9007199254740993), time.Date(2026, 1, 16, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 16, 9, 0, 0, 0, time.UTC),
			false, nil, nil},
		{"NULLS", nil, nil, nil, nil, nil, nil, nil, nil},
	}
	for i := range want {
		if i >= len(res.Rows) || !reflect.DeepEqual(res.Rows[i], want[i]) {
			t.Errorf("rows %#v\nwant row %d %#v", res.Rows, i, want[i])
			break
		}
	}
	if res.Moniker != "moniker://px/ALL" || res.Path != "px/ALL" || res.SourceType != "sqlite" || res.Truncated || res.Cached ||
		res.QueryExecuted != "SELECT * FROM px WHERE 1=1 ORDER BY sym" || res.CatalogVersion == "" || res.Column("vol") != 3 || res.Column("x") != -1 {
		t.Errorf("result %+v", res)
	}

	res, err = c.Fetch(ctx(), "px/ALL", FetchOptions{Limit: 2, BypassCache: true})
	if err != nil || len(res.Rows) != 2 || !res.Truncated {
		t.Errorf("limit 2: %v %+v", err, res)
	}
	res, err = c.Fetch(ctx(), "px/MSFT", FetchOptions{})
	if err != nil || len(res.Rows) != 1 || res.Rows[0][0] != "MSFT" {
		t.Errorf("px/MSFT: %v %+v", err, res)
	}

	for _, tt := range []struct {
		moniker string
		status  int
		code    string
	}{
		{"missing", 502, "source_error"},
		{"bbg/AAPL", 501, "not_implemented"},
		{"nothing/here", 404, "not_found"},
	} {
		_, err := c.Fetch(ctx(), tt.moniker, FetchOptions{})
		var e *Error
		if !errors.As(err, &e) || e.Status != tt.status || e.Code != tt.code || e.Detail == "" {
			t.Errorf("%s: %v, want %d %s", tt.moniker, err, tt.status, tt.code)
		}
	}
	var e *Error
	if _, err := c.Fetch(ctx(), "px", FetchOptions{Limit: 100000}); !errors.As(err, &e) || e.Status != 422 {
		t.Errorf("limit 100000: %v, want a 422", err)
	}
}

// TestFetchArrow reads FetchArrow's stream back with arrow-go: the rows,
// the logical types in the field metadata, and the trailers once read.
func TestFetchArrow(t *testing.T) {
	srv := fetchServer(t)
	s, err := New(srv.URL).FetchArrow(ctx(), "px/ALL", FetchOptions{Limit: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if s.ContentType != "application/vnd.apache.arrow.stream" {
		t.Errorf("content type %q", s.ContentType)
	}
	if _, ok := s.Truncated(); ok {
		t.Error("Truncated known before the stream was read")
	}
	rd, err := ipc.NewReader(s)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	var syms []string
	for rd.Next() {
		rec := rd.RecordBatch()
		col := rec.Column(0).(*array.String)
		for i := range col.Len() {
			syms = append(syms, col.Value(i))
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(syms, ",") != "AAPL,MSFT" {
		t.Errorf("symbols %v", syms)
	}
	if typ, ok := rd.Schema().Field(1).Metadata.GetValue("moniker.type"); !ok || typ != "decimal" {
		t.Errorf("close's moniker.type %q", typ)
	}
	if _, err := io.Copy(io.Discard, s); err != nil {
		t.Fatal(err)
	}
	if tr, ok := s.Truncated(); !ok || !tr {
		t.Errorf("Truncated() = %v, %v; want true, true", tr, ok)
	}
	if n, ok := s.RowCount(); !ok || n != 2 {
		t.Errorf("RowCount() = %d, %v", n, ok)
	}
}

// TestFetchStream: CSV as the server writes it, and errors before the
// first row as *Error.
func TestFetchStream(t *testing.T) {
	srv := fetchServer(t)
	c := New(srv.URL)
	s, err := c.FetchStream(ctx(), "px/AAPL", FormatCSV, FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(s)
	s.Close()
	if err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil || len(recs) != 2 || recs[0][0] != "sym" || recs[1][0] != "AAPL" {
		t.Errorf("CSV %q: %v", body, err)
	}
	var e *Error
	if _, err := c.FetchStream(ctx(), "missing", FormatNDJSON, FetchOptions{}); !errors.As(err, &e) || e.Code != "source_error" {
		t.Errorf("missing table: %v", err)
	}
}

// TestFetchLoading: a 202 (the result cache is loading) is a result
// without rows for Fetch and ErrLoading for a stream.
func TestFetchLoading(t *testing.T) {
	rec := newRecorder(t, 202, `{"moniker":"moniker://px","path":"px","source_type":"sqlite","row_count":0,"columns":[],"data":[],
	  "truncated":false,"query_executed":"SELECT 1","execution_time_ms":0,"cached":false,"cache_status":"loading",
	  "cache_age_seconds":null,"cache_last_refresh":null,"cache_next_refresh":"2026-01-15T10:00:00Z","cache_message":"first load",
	  "schema":[],"catalog_version":"v1"}`)
	c := New(rec.srv.URL)
	res, err := c.Fetch(ctx(), "px", FetchOptions{Limit: 5})
	if err != nil || res.CacheStatus != "loading" || len(res.Rows) != 0 || res.CacheMessage != "first load" ||
		!res.CacheNextRefresh.Equal(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)) {
		t.Errorf("loading: %v %+v", err, res)
	}
	if rec.gotRaw != "/fetch/px?limit=5" {
		t.Errorf("sent %s", rec.gotRaw)
	}
	if _, err := c.FetchArrow(ctx(), "px?as_of=x", FetchOptions{BypassCache: true}); !errors.Is(err, ErrLoading) {
		t.Errorf("stream while loading: %v", err)
	}
	if rec.gotRaw != "/fetch/px?as_of=x&bypass_cache=true&format=arrow" {
		t.Errorf("sent %s", rec.gotRaw)
	}
}
