package resolverapi_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/resolverapi"
	"github.com/moniker-svc/moniker/internal/sqlite"
)

// countingWriter is a ResponseWriter that keeps nothing but the number
// of bytes written (a client that reads at once).
type countingWriter struct {
	h      http.Header
	n      int
	status int
}

func (w *countingWriter) Header() http.Header         { return w.h }
func (w *countingWriter) Write(b []byte) (int, error) { w.n += len(b); return len(b), nil }
func (w *countingWriter) WriteHeader(s int)           { w.status = s }
func (w *countingWriter) Flush()                      {}

// sqliteFetchHandler serves /fetch on a SQLite file of rows rows
// (sym, close, vol, d, ts), bound at bench.px.
func sqliteFetchHandler(b *testing.B, rows int) http.Handler {
	b.Helper()
	dir := b.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "bench.sqlite"))
	if err != nil {
		b.Fatal(err)
	}
	stmts := []string{"CREATE TABLE px (sym text, close real, vol integer, d date, ts timestamp)", "BEGIN"}
	for i := range rows {
		stmts = append(stmts, fmt.Sprintf("INSERT INTO px VALUES ('S%05d', %g, %d, '2026-01-15', '2026-01-15 10:00:%02d')", i, 100+float64(i)/8, i*100, i%60))
	}
	for _, s := range append(stmts, "COMMIT") {
		if _, err := db.Exec(s); err != nil {
			b.Fatal(err)
		}
	}
	db.Close()
	yaml := "bench.px:\n  source_binding:\n    type: sqlite\n    config: {path: bench.sqlite, query: \"SELECT sym, close, vol, d, ts FROM px ORDER BY sym\"}\n"
	cat, _, err := catalog.LoadBytes(filepath.Join(dir, "catalog.yaml"), []byte(yaml))
	if err != nil {
		b.Fatal(err)
	}
	snap := resolve.NewSnapshot(cat, nil, resolve.Options{CacheEnabled: true})
	x := fetch.NewExecutor(fetch.Options{Adapters: fetch.Adapters{"sqlite": sqlite.Adapter(nil)}, Env: fetch.Env{Dir: dir}, Timeout: time.Minute})
	b.Cleanup(x.Close)
	srv := resolverapi.New(resolverapi.Config{Snapshot: func() *resolve.Snapshot { return snap }, Fetcher: x})
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), srv.Routes())
	return mux
}

// BenchmarkFetchHandler measures GET /fetch in the handler, through the
// executor and the sqlite adapter: 100 and 10,000 rows in each format.
// answer-B is the size of one encoded answer; B/op against it says how
// much the handler allocates per byte it answers (every allocation, most
// of it garbage of one row: the most the server holds at once is less).
func BenchmarkFetchHandler(b *testing.B) {
	for _, rows := range []int{100, 10000} {
		h := sqliteFetchHandler(b, rows)
		for _, f := range fetch.Formats {
			b.Run(fmt.Sprintf("rows=%d/%s", rows, f), func(b *testing.B) {
				req, _ := http.NewRequest("GET", fmt.Sprintf("/fetch/bench.px?limit=%d&format=%s", rows, f), nil)
				w := &countingWriter{h: http.Header{}}
				b.ReportAllocs()
				b.ResetTimer()
				for b.Loop() {
					clear(w.h)
					w.n = 0
					h.ServeHTTP(w, req)
				}
				if w.status != 200 || w.n == 0 {
					b.Fatalf("status %d, %d bytes", w.status, w.n)
				}
				b.ReportMetric(float64(w.n), "answer-B")
				if w.h.Get("Content-Type") == "application/json" && w.h.Get("Content-Length") == "" {
					b.Fatal("a JSON answer without Content-Length")
				}
			})
		}
	}
}

// bufferFetcher answers every fetch with the same buffered rows: a result
// cache's hit, and the handler's own cost without a source.
type bufferFetcher struct{ b *fetch.Buffer }

func (f bufferFetcher) Fetch(_ context.Context, req *fetch.Request) (*fetch.Result, error) {
	return &fetch.Result{Rows: f.b.Open(), Cached: true, Cache: &fetch.CacheInfo{Status: fetch.CacheFresh}}, nil
}

// BenchmarkFetchBuffered measures the handler alone (resolution, the
// answer's encoding) on 100 buffered rows of five columns: what /fetch
// adds to a source's own time, and the cost of a result-cache hit.
func BenchmarkFetchBuffered(b *testing.B) {
	buf := &fetch.Buffer{Columns: testColumns}
	for i := range 100 {
		buf.Rows = append(buf.Rows, testRow(i))
	}
	cat, _, err := catalog.LoadBytes("bench.yaml", []byte(fetchCatalog))
	if err != nil {
		b.Fatal(err)
	}
	snap := resolve.NewSnapshot(cat, nil, resolve.Options{CacheEnabled: true})
	srv := resolverapi.New(resolverapi.Config{Snapshot: func() *resolve.Snapshot { return snap }, Fetcher: bufferFetcher{buf}})
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), srv.Routes())
	for _, f := range fetch.Formats {
		b.Run(string(f), func(b *testing.B) {
			req, _ := http.NewRequest("GET", "/fetch/fetchdemo/rows?format="+string(f), nil)
			w := &countingWriter{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.h)
				w.n = 0
				mux.ServeHTTP(w, req)
			}
			if w.status != 200 {
				b.Fatalf("status %d", w.status)
			}
			b.ReportMetric(float64(w.n), "answer-B")
		})
	}
}
