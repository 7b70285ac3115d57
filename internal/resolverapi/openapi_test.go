package resolverapi_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/resolverapi"
)

// resolverTable is the resolver target's route table as cmd/monikerd
// builds it: the resolver routes, /health and /metrics, and the
// documentation routes. The catalog is empty.
func resolverTable(t *testing.T) (routes []httpapi.Route, h http.Handler) {
	t.Helper()
	snap := resolve.NewSnapshot(nil, nil, resolve.Options{})
	srv := resolverapi.New(resolverapi.Config{Snapshot: func() *resolve.Snapshot { return snap }})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	routes = append(srv.Routes(),
		httpapi.Route{Method: "GET", Pattern: "/health", Doc: "/health", Handler: ok},
		httpapi.Route{Method: "GET", Pattern: "/metrics", Doc: "/metrics", Handler: ok},
	)
	routes = append(routes, httpapi.DocRoutes(routes)...)
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), routes)
	return routes, mux
}

// servedDocument fetches /openapi.json through h and loads and validates
// it with kin-openapi.
func servedDocument(t *testing.T, h http.Handler) *openapi3.T {
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

func operationKeys(doc *openapi3.T) []string {
	var out []string
	for path, item := range doc.Paths.Map() {
		for method := range item.Operations() {
			out = append(out, method+" "+path)
		}
	}
	slices.Sort(out)
	return out
}

// TestOpenAPIMatchesRoutes fails when the resolver's route table and its
// OpenAPI document disagree, in either direction.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	routes, h := resolverTable(t)
	doc := servedDocument(t, h)

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
	got := operationKeys(doc)
	if !slices.Equal(got, want) {
		t.Errorf("document operations:\n got %v\nwant %v", got, want)
	}

	// Every route is documented in the spec source (not a stand-in).
	for _, k := range got {
		method, path, _ := strings.Cut(k, " ")
		op := doc.Paths.Value(path).GetOperation(method)
		if op.Extensions["x-moniker-undocumented"] != nil {
			t.Errorf("%s: route has no operation in internal/httpapi/openapi/operations.yaml", k)
		}
	}

	// Every operation of the spec source the resolver serves has a route.
	ops, err := httpapi.SpecOperations()
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, op := range ops {
		if !slices.Contains(op.Planes, httpapi.PlaneResolver) {
			continue
		}
		n++
		if k := op.Method + " " + op.Path; !slices.Contains(want, k) {
			t.Errorf("%s: documented for the resolver, but no resolver route serves it", k)
		}
	}
	if n < len(want) {
		t.Errorf("%d spec operations on the resolver plane, %d routes", n, len(want))
	}
}

// TestOpenAPIQueryParameters checks the documented query parameters
// against the handlers: integer bounds, required parameters and enums. A
// 501 operation is skipped until it is implemented.
func TestOpenAPIQueryParameters(t *testing.T) {
	_, h := resolverTable(t)
	doc := servedDocument(t, h)
	checked := 0
	for path, item := range doc.Paths.Map() {
		op := item.Get
		if op == nil || op.Responses.Value("501") != nil {
			continue
		}
		target := strings.ReplaceAll(path, "{path}", "prices.equity")
		// Required parameters get a value unless the case is about them.
		base := url.Values{}
		for _, p := range op.Parameters {
			if p.Value.In == "query" && p.Value.Required {
				base.Set(p.Value.Name, "x")
			}
		}
		status := func(name, value string, omit bool) int {
			q := url.Values{}
			for k, v := range base {
				q[k] = v
			}
			if omit {
				q.Del(name)
			} else {
				q.Set(name, value)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target+"?"+q.Encode(), nil))
			return rec.Code
		}
		for _, p := range op.Parameters {
			pv := p.Value
			if pv.In != "query" || pv.Schema == nil {
				continue
			}
			s := pv.Schema.Value
			name := "GET " + path + " " + pv.Name
			type tcase struct {
				value  string
				omit   bool
				reject bool
			}
			var cases []tcase
			if pv.Required {
				cases = append(cases, tcase{omit: true, reject: true})
			}
			if s.Type.Is("integer") {
				checked++
				cases = append(cases, tcase{value: "abc", reject: true})
				if s.Min != nil {
					lo := int(*s.Min)
					cases = append(cases, tcase{value: strconv.Itoa(lo)}, tcase{value: strconv.Itoa(lo - 1), reject: true})
				}
				if s.Max != nil {
					hi := int(*s.Max)
					cases = append(cases, tcase{value: strconv.Itoa(hi)}, tcase{value: strconv.Itoa(hi + 1), reject: true})
				}
				if s.Default != nil {
					cases = append(cases, tcase{value: strconv.Itoa(int(s.Default.(float64)))})
				}
			}
			if len(s.Enum) > 0 {
				checked++
				cases = append(cases, tcase{value: "not-a-" + pv.Name, reject: true})
				for _, e := range s.Enum {
					cases = append(cases, tcase{value: e.(string)})
				}
			}
			for _, c := range cases {
				code := status(pv.Name, c.value, c.omit)
				rejected := code == http.StatusUnprocessableEntity || code == http.StatusBadRequest
				if rejected != c.reject {
					t.Errorf("%s=%q (omitted %v): status %d, documented as rejected=%v", name, c.value, c.omit, code, c.reject)
				}
			}
		}
	}
	// /catalog, /catalog/search (limit, status), /catalog/{path}/audit,
	// /tree and /tree/{path}.
	if checked < 7 {
		t.Errorf("checked %d query parameters; the document lost some", checked)
	}
}
