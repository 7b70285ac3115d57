package managementapi_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/managementapi"
)

// BenchmarkConfigNodeJSON is the node JSON of the management plane on
// our test catalog: GET /config/nodes (every node, whole), one node with
// its resolved ownership (GET /config/nodes/{path}), and the summary rows.
func BenchmarkConfigNodeJSON(b *testing.B) {
	ed, err := catalogedit.Open(fixtures.Copy(b, "catalog.yaml", b.TempDir(), "catalog.yaml"), catalogedit.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := matchMux(b, managementapi.Config{Catalog: ed})
	for _, tc := range []struct{ name, target string }{
		{"list", "/config/nodes"},
		{"summary", "/config/nodes?summary=true"},
		{"node", "/config/nodes/prices.equity"},
	} {
		b.Run(tc.name, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, tc.target, nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}
