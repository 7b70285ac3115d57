package managementapi_test

import (
	"net/http"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/httpapi/openapitest"
	"github.com/moniker-svc/moniker/internal/managementapi"
)

// The handler tests of every area serve the routes with these helpers and
// check each answer against the served OpenAPI document.

// serveDocumented registers the management routes of c and the
// documentation routes on a mux, and returns it with the document it
// serves (managementDocument), every schema made strict (strictSchemas).
func serveDocumented(t *testing.T, c managementapi.Config) (*http.ServeMux, *openapi3.T) {
	t.Helper()
	routes := managementapi.New(c).Routes()
	routes = append(routes, httpapi.DocRoutes(routes)...)
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), routes)
	doc := openapitest.Served(t, mux)
	openapitest.Strict(doc)
	return mux, doc
}
