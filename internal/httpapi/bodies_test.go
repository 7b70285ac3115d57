package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/domains"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/httpapi/openapitest"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/models"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/requests"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/resolverapi"
)

// bodyRoutes are the routes of both planes that read a request body, by
// plane and "METHOD doc path", with the path each is called at here (an
// entry that exists: some routes look it up before they read the body).
// raw marks a body that is not JSON (checked for its size limit only).
var bodyRoutes = map[string]map[string]struct {
	target string
	raw    bool
}{
	"resolver": {
		"POST /resolve/batch":        {target: "/resolve/batch"},
		"PUT /catalog/{path}/status": {target: "/catalog/benchmarks/status"},
		"POST /telemetry/access":     {target: "/telemetry/access"},
	},
	"management": {
		"POST /config/nodes":                  {target: "/config/nodes"},
		"PUT /config/nodes/{path}":            {target: "/config/nodes/benchmarks"},
		"PUT /config/status/{path}":           {target: "/config/status/benchmarks"},
		"POST /domains":                       {target: "/domains"},
		"PUT /domains/{name}":                 {target: "/domains/portfolios"},
		"POST /models":                        {target: "/models"},
		"PUT /models/{path}":                  {target: "/models/risk.analytics/dv01"},
		"POST /requests":                      {target: "/requests"},
		"PUT /requests/{id}":                  {target: "/requests/REQ-0001"},
		"POST /requests/{id}/approve":         {target: "/requests/REQ-0001/approve"},
		"POST /requests/{id}/reject":          {target: "/requests/REQ-0001/reject"},
		"POST /requests/{id}/request-changes": {target: "/requests/REQ-0001/request-changes"},
		"POST /requests/{id}/comment":         {target: "/requests/REQ-0001/comment"},
		"POST /requests/import":               {target: "/requests/import", raw: true},
	},
}

// noBody are the POST and PUT routes that read no body.
var noBody = map[string][]string{
	"resolver":   {"POST /cache/refresh/{path}", "POST /config/reload"},
	"management": {"POST /config/save", "POST /config/reload", "POST /domains/save", "POST /domains/reload", "POST /models/save", "POST /models/reload", "POST /requests/save", "POST /requests/reload"},
}

// planes builds the route tables of both planes over copies of our test
// files, every component on, so that each route reaches its body.
func planes(t *testing.T) map[string][]httpapi.Route {
	t.Helper()
	dir := t.TempDir()
	ed, err := catalogedit.Open(fixtures.Copy(t, "catalog.yaml", dir, "catalog.yaml"), catalogedit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	dr, err := domains.Open(fixtures.Copy(t, "domains.yaml", dir, "domains.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mr, err := models.Open(fixtures.Copy(t, "models.yaml", dir, "models.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	wf, err := requests.Open(fixtures.Copy(t, "requests.yaml", dir, "requests.yaml"), requests.Options{Catalog: ed})
	if err != nil {
		t.Fatal(err)
	}
	snap := resolve.NewSnapshot(ed.View(), dr, resolve.Options{})
	res := resolverapi.New(resolverapi.Config{Snapshot: func() *resolve.Snapshot { return snap }, Status: refuse{},
		Reload: func(context.Context) (int, string, error) { return 0, "", nil }})
	mgmt := managementapi.New(managementapi.Config{Catalog: ed, Domains: dr, Models: mr, Requests: wf})
	return map[string][]httpapi.Route{"resolver": res.Routes(), "management": mgmt.Routes()}
}

// refuse is a status writer the tests never reach.
type refuse struct{}

func (refuse) SetStatus(context.Context, string, moniker.StatusChange) (moniker.StatusResult, error) {
	return moniker.StatusResult{}, moniker.Errorf(moniker.ErrUnavailable, "not in this test")
}

// TestBodyRoutesListed: every POST, PUT and PATCH route of both route
// tables is either a body route of bodyRoutes or in noBody, and every
// route those lists name exists, so a new route that reads a body cannot
// miss TestBodies.
func TestBodyRoutesListed(t *testing.T) {
	for plane, routes := range planes(t) {
		have := map[string]bool{}
		for _, rt := range routes {
			k := rt.Method + " " + rt.Doc
			have[k] = true
			switch rt.Method {
			case http.MethodPost, http.MethodPut, http.MethodPatch:
			default:
				continue
			}
			if _, ok := bodyRoutes[plane][k]; !ok && !slices.Contains(noBody[plane], k) {
				t.Errorf("%s %s: neither in bodyRoutes (it reads a body) nor in noBody", plane, k)
			}
		}
		for k := range bodyRoutes[plane] {
			if !have[k] {
				t.Errorf("bodyRoutes: %s has no route %s", plane, k)
			}
		}
		for _, k := range noBody[plane] {
			if !have[k] {
				t.Errorf("noBody: %s has no route %s", plane, k)
			}
		}
	}
}

// TestBodies: every route of both planes that reads a body answers the
// same to a body over 1 MiB (413), and to an empty body, one that is not
// an object, malformed JSON, trailing data and an unknown key (422 in
// upstream's validation shape, naming what is wrong); the answers are
// pinned (the first 422 entry: a route may list more, such as a node
// create's missing path) and documented in each plane's OpenAPI document.
func TestBodies(t *testing.T) {
	const tooLarge = `{"detail":"request body exceeds 1048576 bytes","code":"body_too_large"}`
	cases := []struct {
		name, body string
		status     int
		want       string // the whole body (413), or the first 422 entry
	}{
		{"oversized", `{"description":"` + strings.Repeat("x", httpapi.MaxBody) + `"}`, 413, tooLarge},
		{"empty", ``, 422, `{"type":"missing","loc":["body"],"msg":"Field required","input":null}`},
		{"not an object", `["a"]`, 422, `{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a JSON object","input":null}`},
		{"malformed", `{"description":`, 422, `{"type":"json_invalid","loc":["body"],"msg":"JSON decode error: unexpected EOF","input":null}`},
		{"syntax", `{"description" "x"}`, 422, `{"type":"json_invalid","loc":["body"],"msg":"JSON decode error: invalid character '\"' after object key","input":null}`},
		{"trailing data", `{} {}`, 422, `{"type":"json_invalid","loc":["body"],"msg":"JSON decode error: trailing data after the JSON value","input":null}`},
		{"unknown key", `{"no_such_key":1}`, 422, `{"type":"extra_forbidden","loc":["body","no_such_key"],"msg":"Extra inputs are not permitted","input":1}`},
	}
	for plane, routes := range planes(t) {
		routes = append(routes, httpapi.DocRoutes(routes)...)
		mux := http.NewServeMux()
		httpapi.Register(mux, nil, routes)
		doc := openapitest.Served(t, mux)
		openapitest.Strict(doc)
		for k, br := range bodyRoutes[plane] {
			method, path, _ := strings.Cut(k, " ")
			for _, c := range cases {
				if br.raw && c.status != 413 {
					continue
				}
				t.Run(plane+" "+k+" "+c.name, func(t *testing.T) {
					rec := httptest.NewRecorder()
					req := httptest.NewRequest(method, br.target, strings.NewReader(c.body))
					mux.ServeHTTP(rec, req)
					if rec.Code != c.status {
						t.Fatalf("status %d, want %d: %s", rec.Code, c.status, rec.Body)
					}
					openapitest.CheckAnswer(t, openapitest.Operation(t, doc, method, path), req, rec)
					got := strings.TrimSuffix(rec.Body.String(), "\n")
					if c.status == 422 {
						var b struct {
							Detail []json.RawMessage `json:"detail"`
							Code   string            `json:"code"`
						}
						if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || len(b.Detail) == 0 || b.Code != "validation_error" {
							t.Fatalf("not a validation error (%v): %s", err, rec.Body)
						}
						got = string(b.Detail[0])
					}
					if !jsonEqual(got, c.want) {
						t.Errorf("answer\n %s\nwant\n %s", got, c.want)
					}
				})
			}
		}
	}
}

func jsonEqual(a, b string) bool {
	var x, y any
	return json.Unmarshal([]byte(a), &x) == nil && json.Unmarshal([]byte(b), &y) == nil && reflect.DeepEqual(x, y)
}
