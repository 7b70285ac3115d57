package resolverapi

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/resolve"
)

// sampleSnapshot loads the f206ffd sample catalog and domains.
func sampleSnapshot(tb testing.TB) *resolve.Snapshot {
	tb.Helper()
	wd, _ := os.Getwd()
	compat := filepath.Join(wd, "..", "..", "..", "shared", "compat", "f206ffd")
	cat, _, err := catalog.Load(filepath.Join(compat, "sample_catalog.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	doms, err := catalog.LoadDomains(filepath.Join(compat, "sample_domains.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	return resolve.NewSnapshot(cat, doms, resolve.Options{CacheEnabled: true, CacheMaxSize: 100000, CacheTTL: 300e9, RedirectOnResolve: true})
}

// discard is a ResponseWriter that keeps nothing, so the benchmark
// measures the handler, not a recorder.
type discard struct{ h http.Header }

func (d *discard) Header() http.Header         { return d.h }
func (d *discard) Write(b []byte) (int, error) { return len(b), nil }
func (d *discard) WriteHeader(int)             {}

func benchHandler(b *testing.B, h http.Handler, url func(i int) string) {
	b.Helper()
	reqs := make([]*http.Request, 1024)
	for i := range reqs {
		r, err := http.NewRequest("GET", url(i), nil)
		if err != nil {
			b.Fatal(err)
		}
		reqs[i] = r
	}
	w := &discard{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clear(w.h)
		h.ServeHTTP(w, reqs[i%len(reqs)])
	}
}

// BenchmarkResolveHandler measures GET /resolve end to end inside the
// handler: snapshot, parse, cache, policy, headers, body.
func BenchmarkResolveHandler(b *testing.B) {
	snap := sampleSnapshot(b)
	s := New(Config{Snapshot: func() *resolve.Snapshot { return snap }})
	b.Run("cached", func(b *testing.B) {
		benchHandler(b, s.handleResolve(), func(int) string { return "/resolve/prices.equity/AAPL@20260115" })
	})
	b.Run("distinct", func(b *testing.B) {
		// Every request a moniker not seen before (a cache miss), on a
		// fresh snapshot; the requests are built before the timer starts.
		snap2 := sampleSnapshot(b)
		h := New(Config{Snapshot: func() *resolve.Snapshot { return snap2 }}).handleResolve()
		reqs := make([]*http.Request, b.N)
		for i := range reqs {
			reqs[i], _ = http.NewRequest("GET", "/resolve/prices.equity/SYM"+strconv.Itoa(i)+"@20260115", nil)
		}
		w := &discard{h: http.Header{}}
		b.ReportAllocs()
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			clear(w.h)
			h.ServeHTTP(w, reqs[i])
		}
	})
	b.Run("describe", func(b *testing.B) {
		benchHandler(b, s.handleDescribe(), func(int) string { return "/describe/prices.equity/AAPL" })
	})
	b.Run("search", func(b *testing.B) {
		benchHandler(b, s.handleSearch(), func(int) string { return "/catalog/search?q=treasury" })
	})
}
