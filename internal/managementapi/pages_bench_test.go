package managementapi_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"

	"github.com/moniker-svc/moniker/internal/catalog/gen"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/managementapi"
)

// BenchmarkDashboardStats is GET /dashboard/api/stats on a 100,000-node
// catalog: the domain counts are computed once per working copy, so a
// request costs the encoding of the counts, not a pass over the nodes.
func BenchmarkDashboardStats(b *testing.B) {
	p := filepath.Join(b.TempDir(), "catalog.yaml")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if err := gen.Write(f, gen.Options{Nodes: 100_000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	ed, err := catalogedit.Open(p, catalogedit.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := pagesMux(b, managementapi.Config{Catalog: ed})
	req := httptest.NewRequest(http.MethodGet, "/dashboard/api/stats", nil)
	b.ReportAllocs()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			b.Fatalf("status %d", rec.Code)
		}
	}
}
