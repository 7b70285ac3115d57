package managementapi_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/managementapi"
)

// managementTable is the management target's route table as cmd/monikerd
// builds it: the management routes, /health and /metrics, and the
// documentation routes. No component is configured (every area still
// registers its routes).
func managementTable(t *testing.T) (routes []httpapi.Route, h http.Handler) {
	t.Helper()
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	routes = append(managementapi.New(managementapi.Config{}).Routes(),
		httpapi.Route{Method: "GET", Pattern: "/health", Doc: "/health", Handler: ok},
		httpapi.Route{Method: "GET", Pattern: "/metrics", Doc: "/metrics", Handler: ok},
	)
	routes = append(routes, httpapi.DocRoutes(routes)...)
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), routes)
	return routes, mux
}

// TestOpenAPIMatchesRoutes fails when the management route table and its
// OpenAPI document disagree, in either direction: every route has an
// operation in the spec source (internal/httpapi/openapi/*.yaml), and
// every operation of the management plane has a route.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	routes, h := managementTable(t)
	doc := managementDocument(t, h)

	var want []string
	for _, rt := range routes {
		if rt.Doc == "" || rt.Method == http.MethodHead {
			continue
		}
		if k := rt.Method + " " + rt.Doc; !slices.Contains(want, k) {
			want = append(want, k)
		}
	}
	slices.Sort(want)
	var got []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			got = append(got, method+" "+path)
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("document operations:\n got %v\nwant %v", got, want)
	}

	// Every route is documented in the spec source (not a stand-in).
	for _, k := range got {
		method, path, _ := strings.Cut(k, " ")
		if doc.Paths.Value(path).GetOperation(method).Extensions["x-moniker-undocumented"] != nil {
			t.Errorf("%s: route has no operation in internal/httpapi/openapi/", k)
		}
	}

	// Every operation of the spec source the management plane serves has
	// a route.
	ops, err := httpapi.SpecOperations()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, op := range ops {
		if !slices.Contains(op.Planes, httpapi.PlaneManagement) {
			continue
		}
		n++
		if k := op.Method + " " + op.Path; !slices.Contains(want, k) {
			t.Errorf("%s: documented for the management plane, but no management route serves it", k)
		}
	}
	if n < len(want) {
		t.Errorf("%d spec operations on the management plane, %d routes", n, len(want))
	}
}
