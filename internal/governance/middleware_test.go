package governance

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"

	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/httpapi"
)

// echo answers 200 with the request body it read.
func echo(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func request(method, target, body string, c httpapi.Caller) *http.Request {
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	r := httptest.NewRequest(method, target, rd)
	return r.WithContext(httpapi.WithCaller(r.Context(), c))
}

func TestLimiterKey(t *testing.T) {
	tests := []struct {
		name           string
		headerIdentity bool
		caller         httpapi.Caller
		want           string
	}{
		{"principal", false, httpapi.Caller{Principal: "alice", AppID: "app1"}, "alice"},
		{"principal beats the hint with auth off", true, httpapi.Caller{Principal: "alice", AppID: "app1"}, "alice"},
		{"hint with auth off", true, httpapi.Caller{AppID: "app1", Team: "rates"}, "app1"},
		{"hint ignored with auth on", false, httpapi.Caller{AppID: "app1"}, Anonymous},
		{"nobody, auth off", true, httpapi.Caller{}, Anonymous},
		{"nobody, auth on", false, httpapi.Caller{Team: "rates"}, Anonymous},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := NewLimiter(gov(1, 1, 1, 1), LimiterOptions{HeaderIdentity: tt.headerIdentity})
			if err != nil {
				t.Fatal(err)
			}
			if got := l.Key(tt.caller); got != tt.want {
				t.Errorf("Key = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMiddleware(t *testing.T) {
	clk := &fakeClock{}
	var limited []string
	l, err := NewLimiter(gov(2, 2, 1000, 1000), LimiterOptions{HeaderIdentity: true, Now: clk.now,
		OnLimited: func(r *http.Request, key, reason string) { limited = append(limited, r.URL.Path+" "+key+": "+reason) }})
	if err != nil {
		t.Fatal(err)
	}
	h := l.Middleware(nil)(http.HandlerFunc(echo))
	alice := httpapi.Caller{Principal: "alice", AppID: "app1"}
	app1 := httpapi.Caller{AppID: "app1"}
	tests := []struct {
		caller     httpapi.Caller
		status     int
		retryAfter string
		detail     string
	}{
		{alice, 200, "", ""},
		{alice, 200, "", ""},
		{alice, 429, "1", "Rate limit exceeded for alice (2 req/s)"}, // 0.5 s, rounded up
		{app1, 200, "", ""}, // its own bucket: keyed by the hint, not alice's
		{app1, 200, "", ""},
		{app1, 429, "1", "Rate limit exceeded for app1 (2 req/s)"},
	}
	for i, tt := range tests {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, request("GET", "/resolve/x", "", tt.caller))
		if rec.Code != tt.status || rec.Header().Get("Retry-After") != tt.retryAfter {
			t.Fatalf("request %d: status %d, Retry-After %q; want %d, %q", i, rec.Code, rec.Header().Get("Retry-After"), tt.status, tt.retryAfter)
		}
		if tt.status != 429 {
			continue
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("request %d: Content-Type %q", i, ct)
		}
		var body map[string]string
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
			t.Fatalf("request %d: body %s: %v", i, rec.Body, err)
		}
		if want := map[string]string{"detail": tt.detail, "code": "rate_limited"}; body["detail"] != want["detail"] || body["code"] != want["code"] || len(body) != 2 {
			t.Errorf("request %d: body %v, want %v", i, body, want)
		}
	}

	wantLimited := []string{"/resolve/x alice: Rate limit exceeded for alice (2 req/s)", "/resolve/x app1: Rate limit exceeded for app1 (2 req/s)"}
	if !slices.Equal(limited, wantLimited) {
		t.Errorf("OnLimited saw %q, want %q", limited, wantLimited)
	}

	// Retry-After is whole seconds, rounded up.
	slow, _ := NewLimiter(gov(0.4, 1, 1000, 1000), LimiterOptions{Now: clk.now})
	hs := slow.Middleware(nil)(http.HandlerFunc(echo))
	hs.ServeHTTP(httptest.NewRecorder(), request("GET", "/", "", alice))
	clk.advance(100_000_000) // 0.1 s: 2.4 s to go
	rec := httptest.NewRecorder()
	hs.ServeHTTP(rec, request("GET", "/", "", alice))
	if rec.Code != 429 || rec.Header().Get("Retry-After") != "3" {
		t.Errorf("2.4 s to wait: status %d, Retry-After %q; want 429, 3", rec.Code, rec.Header().Get("Retry-After"))
	}
}

func TestMiddlewareDisabled(t *testing.T) {
	l, _ := NewLimiter(config.Governance{RateLimiterEnabled: false, RequestsPerSecond: 1, BurstCapacity: 1}, LimiterOptions{})
	h := l.Middleware(nil)(http.HandlerFunc(echo))
	for range 5 {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, request("GET", "/", "", httpapi.Caller{}))
		if rec.Code != 200 {
			t.Fatalf("disabled limiter answered %d", rec.Code)
		}
	}
}

func TestBatchCost(t *testing.T) {
	big := `{"monikers":["` + strings.Repeat("a", BatchBodyLimit) + `"]}`
	tests := []struct {
		name string
		body string
		want int
	}{
		{"three", `{"monikers":["a","moniker://b",{"x":[1,2]}]}`, 3},
		{"one", `{"monikers":["a"]}`, 1},
		{"empty list costs 1", `{"monikers":[]}`, 1},
		{"missing list costs 1", `{}`, 1},
		{"not JSON costs 1", `{"monikers":[`, 1},
		{"capped at the batch limit", `{"monikers":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 250), ",") + `]}`, 100},
		{"too large to count costs 1", big, 1},
		{"no body costs 1", "", 1},
	}
	cost := BatchCost(100)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := request("POST", "/resolve/batch", tt.body, httpapi.Caller{})
			if got := cost(r); got != tt.want {
				t.Errorf("cost = %d, want %d", got, tt.want)
			}
			// The handler reads the body exactly as sent.
			got, err := io.ReadAll(r.Body)
			if err != nil || string(got) != tt.body {
				t.Errorf("body after cost: %d bytes (err %v), want the %d sent", len(got), err, len(tt.body))
			}
			if err := r.Body.Close(); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestMiddlewareBatch: a batch takes one token per moniker, all or none.
func TestMiddlewareBatch(t *testing.T) {
	clk := &fakeClock{}
	l, _ := NewLimiter(gov(1, 5, 1000, 1000), LimiterOptions{Now: clk.now})
	h := l.Middleware(BatchCost(100))(http.HandlerFunc(echo))
	alice := httpapi.Caller{Principal: "alice"}
	for i, tt := range []struct {
		body   string
		status int
	}{
		{`{"monikers":["a","b","c"]}`, 200},
		{`{"monikers":["a","b","c"]}`, 429},
		{`{"monikers":["a","b"]}`, 200},
		{`{"monikers":["a"]}`, 429},
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, request("POST", "/resolve/batch", tt.body, alice))
		if rec.Code != tt.status {
			t.Fatalf("batch %d: status %d, want %d", i, rec.Code, tt.status)
		}
		if tt.status == 200 && rec.Body.String() != tt.body {
			t.Errorf("batch %d: the handler read %q", i, rec.Body)
		}
	}
}

// resolverRoutes stand in for the resolver's route table: the same
// methods, patterns and Doc paths, each answering 200.
func resolverRoutes() []httpapi.Route {
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusOK) })
	return []httpapi.Route{
		{Method: "GET", Pattern: "/resolve", Doc: "/resolve/{path}", Handler: ok},
		{Method: "GET", Pattern: "/resolve/{path...}", Doc: "/resolve/{path}", Handler: ok},
		{Method: "POST", Pattern: "/resolve/batch", Doc: "/resolve/batch", Handler: ok},
		{Method: "GET", Pattern: "/describe/{path...}", Doc: "/describe/{path}", Handler: ok},
		{Method: "GET", Pattern: "/fetch/{path...}", Doc: "/fetch/{path}", Handler: ok},
		{Method: "GET", Pattern: "/catalog", Doc: "/catalog", Handler: ok},
		{Method: "GET", Pattern: "/catalog/search", Doc: "/catalog/search", Handler: ok},
		{Method: "GET", Pattern: "/catalog/{path...}", Doc: "/catalog/{path}/audit", Handler: ok},
		{Method: "PUT", Pattern: "/catalog/{path...}", Doc: "/catalog/{path}/status", Handler: ok},
	}
}

// TestProtect checks which routes Protect limits, and that every 429 it
// sends matches the OpenAPI document (status, body schema, a documented
// integer Retry-After).
func TestProtect(t *testing.T) {
	l, _ := NewLimiter(gov(1, 1, 1000, 1000), LimiterOptions{})
	routes := l.Protect(resolverRoutes(), 100)
	mux := http.NewServeMux()
	routes = append(routes, httpapi.DocRoutes(routes)...)
	httpapi.Register(mux, nil, routes)
	doc := loadDocument(t, mux)

	tests := []struct {
		method, doc, target, body string
		limited                   bool
	}{
		{"GET", "/resolve/{path}", "/resolve/prices/AAPL", "", true},
		{"GET", "/resolve/{path}", "/resolve", "", true},
		{"POST", "/resolve/batch", "/resolve/batch", `{"monikers":["a"]}`, true},
		{"GET", "/fetch/{path}", "/fetch/prices", "", true},
		{"GET", "/catalog", "/catalog", "", true},
		{"GET", "/describe/{path}", "/describe/prices", "", false},
		{"GET", "/catalog/search", "/catalog/search?q=x", "", false},
		{"GET", "/catalog/{path}/audit", "/catalog/prices/audit", "", false},
		{"PUT", "/catalog/{path}/status", "/catalog/prices/status", `{"status":"active"}`, false},
	}
	for i, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			// A caller of its own per case: one token each.
			caller := httpapi.Caller{Principal: "user" + strconv.Itoa(i)}
			for n := range 2 {
				req := request(tt.method, tt.target, tt.body, caller)
				rec := httptest.NewRecorder()
				mux.ServeHTTP(rec, req)
				want := http.StatusOK
				if n == 1 && tt.limited {
					want = http.StatusTooManyRequests
				}
				if rec.Code != want {
					t.Fatalf("request %d: status %d, want %d", n+1, rec.Code, want)
				}
				if rec.Code == http.StatusTooManyRequests {
					checkAnswer(t, doc, tt.method, tt.doc, req, rec)
				}
			}
		})
	}
}

// loadDocument fetches /openapi.json from h and loads it with kin-openapi.
func loadDocument(t *testing.T, h http.Handler) *openapi3.T {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/openapi.json", nil))
	doc, err := openapi3.NewLoader().LoadFromData(rec.Body.Bytes())
	if err != nil {
		t.Fatalf("GET /openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the OpenAPI document is not valid: %v", err)
	}
	return doc
}

// checkAnswer validates an answer against the document's operation and
// checks that every header sent (but Content-Type) is documented.
func checkAnswer(t *testing.T, doc *openapi3.T, method, path string, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	item := doc.Paths.Value(path)
	if item == nil || item.GetOperation(method) == nil {
		t.Fatalf("%s %s is not in the document", method, path)
	}
	op := item.GetOperation(method)
	route := &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op}
	req.Body = io.NopCloser(bytes.NewReader(nil))
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: route},
		Status:                 rec.Code,
		Header:                 rec.Header(),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true, MultiError: true},
	}
	in.SetBodyBytes(rec.Body.Bytes())
	if err := openapi3filter.ValidateResponse(context.Background(), in); err != nil {
		t.Errorf("%d answer does not match the document: %v\nbody: %s", rec.Code, err, rec.Body)
	}
	resp := op.Responses.Status(rec.Code)
	if resp == nil {
		t.Fatalf("%d is not documented for %s %s", rec.Code, method, path)
	}
	for name := range rec.Header() {
		if name != "Content-Type" && resp.Value.Headers[name] == nil {
			t.Errorf("header %s is sent but not documented for %d", name, rec.Code)
		}
	}
}

func BenchmarkMiddleware(b *testing.B) {
	l, _ := NewLimiter(gov(1e9, 1e9, 1e9, 1e9), LimiterOptions{})
	h := l.Middleware(nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	req := request("GET", "/resolve/prices", "", httpapi.Caller{Principal: "alice"})
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, req)
	}
}

// TestOpenErrorMatchesDocument: the 503 an open management circuit gives
// a status change matches the document, Retry-After included.
func TestOpenErrorMatchesDocument(t *testing.T) {
	routes := resolverRoutes()
	for i, rt := range routes {
		if rt.Method == "PUT" {
			routes[i].Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				httpapi.WriteError(w, nil, fmt.Errorf("management is unavailable; the status was not changed: %w", &OpenError{Key: "management", RetryAfter: 12 * time.Second}))
			})
		}
	}
	mux := http.NewServeMux()
	routes = append(routes, httpapi.DocRoutes(routes)...)
	httpapi.Register(mux, nil, routes)
	doc := loadDocument(t, mux)
	req := request("PUT", "/catalog/prices/status", `{"status":"active"}`, httpapi.Caller{})
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "12" {
		t.Fatalf("status %d, Retry-After %q", rec.Code, rec.Header().Get("Retry-After"))
	}
	checkAnswer(t, doc, "PUT", "/catalog/{path}/status", req, rec)
}
