package managementapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
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
	doc := managementDocument(t, mux)
	openapitest.Strict(doc)
	return mux, doc
}

// managementDocument fetches /openapi.json through h and loads and
// validates it with kin-openapi.
func managementDocument(t *testing.T, h http.Handler) *openapi3.T {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/openapi.json", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /openapi.json: status %d", rec.Code)
	}
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("GET /openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("GET /openapi.json is not a valid OpenAPI document: %v", err)
	}
	return doc
}

// docRoute returns the route of the operation method path of doc; the
// test fails when the document has none.
func docRoute(t *testing.T, doc *openapi3.T, method, path string) *routers.Route {
	t.Helper()
	item := doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("%s %s is not in the document", method, path)
	}
	return &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: item.GetOperation(method)}
}

// checkAnswer validates the answer rec to req against route's operation:
// the status documented, body and headers as documented. A mismatch fails
// the test.
func checkAnswer(t *testing.T, route *routers.Route, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s: %d answer does not match the document: %v\nbody: %s", req.Method, req.URL, rec.Code, err, rec.Body)
	}
}
