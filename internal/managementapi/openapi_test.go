package managementapi_test

import (
	"net/http"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/httpapi/openapitest"
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
	openapitest.MatchRoutes(t, openapitest.Served(t, h), routes, httpapi.PlaneManagement)
}
