// Package openapitest is what the route-table tests of both planes share
// to hold their handlers to the served OpenAPI document.
package openapitest

import (
	"context"
	"mime"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/moniker-svc/moniker/internal/httpapi"
)

// Strict forbids, in every component schema of doc, properties the
// schema does not list, so a field a handler adds without documenting it
// fails response validation.
func Strict(doc *openapi3.T) {
	seen := map[*openapi3.Schema]bool{}
	for _, s := range doc.Components.Schemas {
		strict(s.Value, seen)
	}
}

func strict(s *openapi3.Schema, seen map[*openapi3.Schema]bool) {
	if s == nil || seen[s] {
		return
	}
	seen[s] = true
	if len(s.Properties) > 0 && s.AdditionalProperties.Has == nil && s.AdditionalProperties.Schema == nil {
		no := false
		s.AdditionalProperties.Has = &no
	}
	for _, p := range s.Properties {
		strict(p.Value, seen)
	}
	if s.Items != nil {
		strict(s.Items.Value, seen)
	}
	if s.AdditionalProperties.Schema != nil {
		strict(s.AdditionalProperties.Schema.Value, seen)
	}
	for _, list := range [][]*openapi3.SchemaRef{s.AllOf, s.AnyOf, s.OneOf} {
		for _, r := range list {
			strict(r.Value, seen)
		}
	}
}

// OperationKeys returns doc's operations as sorted "METHOD path" keys.
func OperationKeys(doc *openapi3.T) []string {
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// MatchRoutes fails t unless the served document doc and a plane's route
// table agree in both directions: the document holds exactly the routes'
// operations (HEAD and undocumented routes aside), none of them a
// stand-in for a route the spec source lacks, and every spec-source
// operation of plane has a route.
func MatchRoutes(t *testing.T, doc *openapi3.T, routes []httpapi.Route, plane string) {
	t.Helper()
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
	got := OperationKeys(doc)
	if !slices.Equal(got, want) {
		t.Errorf("document operations:\n got %v\nwant %v", got, want)
	}
	for _, k := range got {
		method, path, _ := strings.Cut(k, " ")
		if doc.Paths.Value(path).GetOperation(method).Extensions["x-moniker-undocumented"] != nil {
			t.Errorf("%s: route has no operation in internal/httpapi/openapi/", k)
		}
	}
	ops, err := httpapi.SpecOperations()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, op := range ops {
		if !slices.Contains(op.Planes, plane) {
			continue
		}
		n++
		if k := op.Method + " " + op.Path; !slices.Contains(want, k) {
			t.Errorf("%s: documented for the %s plane, but no %s route serves it", k, plane, plane)
		}
	}
	if n < len(want) {
		t.Errorf("%d spec operations on the %s plane, %d routes", n, plane, len(want))
	}
}

// Served fetches /openapi.json through h and loads and validates it with
// kin-openapi; it fails t when the document is not served, not valid, or
// lacks openapi, info or paths.
func Served(t *testing.T, h http.Handler) *openapi3.T {
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
	if doc.OpenAPI == "" || doc.Info == nil || doc.Info.Title == "" || doc.Paths.Len() == 0 {
		t.Fatalf("GET /openapi.json lacks openapi, info or paths")
	}
	return doc
}

// Operation returns the operation method path of doc as a route; it fails
// t when the document has none.
func Operation(t *testing.T, doc *openapi3.T, method, path string) *routers.Route {
	t.Helper()
	item := doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("%s %s is not in the document", method, path)
	}
	return &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: item.GetOperation(method)}
}

// CheckAnswer fails t unless the answer rec to req is one route's
// operation documents: the status, the headers and the body (a page's
// body, text/html, and a binary stream such as Arrow or NDJSON are not
// checked: kin-openapi has no decoder for them; their media type must
// still be documented).
func CheckAnswer(t *testing.T, route *routers.Route, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	opts := &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true}
	ct, _, _ := mime.ParseMediaType(rec.Header().Get("Content-Type"))
	opts.ExcludeResponseBody = ct == "text/html" || (ct != "" && openapi3filter.RegisteredBodyDecoder(ct) == nil)
	if opts.ExcludeResponseBody && ct != "text/html" {
		if resp := route.Operation.Responses.Status(rec.Code); resp == nil || resp.Value.Content.Get(ct) == nil {
			t.Errorf("%s %s: %d answer's media type %s is not documented", req.Method, req.URL, rec.Code, ct)
		}
	}
	opts.WithCustomSchemaErrorFunc(func(err *openapi3.SchemaError) string {
		return "/" + strings.Join(err.JSONPointer(), "/") + ": " + err.Reason
	})
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Options:                opts,
	}
	in.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%s %s: %d answer does not match the document: %v\nbody: %s", req.Method, req.URL, rec.Code, err, rec.Body)
	}
}
