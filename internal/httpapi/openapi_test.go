package httpapi

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// docServer serves the routes DocRoutes returns for routes (handlers of
// routes themselves are not needed).
func docServer(t *testing.T, routes []Route) *http.ServeMux {
	t.Helper()
	mux := http.NewServeMux()
	for _, rt := range DocRoutes(routes) {
		mux.Handle(rt.Method+" "+rt.Pattern, rt.Handler)
	}
	return mux
}

func get(t *testing.T, h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// document is the part of an OpenAPI document the tests read.
type document struct {
	OpenAPI    string                               `json:"openapi"`
	Info       map[string]any                       `json:"info"`
	Tags       []struct{ Name string }              `json:"tags"`
	Paths      map[string]map[string]map[string]any `json:"paths"`
	Components map[string]map[string]json.RawMessage
}

// operations returns the "METHOD path" keys of d.
func (d *document) operations() []string {
	var out []string
	for path, item := range d.Paths {
		for method := range item {
			if isMethod(method) {
				out = append(out, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(out)
	return out
}

func fetchDocument(t *testing.T, h http.Handler) (*document, []byte) {
	t.Helper()
	rec := get(t, h, "/openapi.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /openapi.json: status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
		t.Errorf("GET /openapi.json: Content-Type %q", ct)
	}
	var d document
	if err := json.Unmarshal(rec.Body.Bytes(), &d); err != nil {
		t.Fatalf("GET /openapi.json: %v", err)
	}
	return &d, rec.Body.Bytes()
}

// allRoutes is a route for every operation of the spec source.
func allRoutes(t *testing.T) []Route {
	t.Helper()
	ops, err := SpecOperations()
	if err != nil {
		t.Fatal(err)
	}
	var routes []Route
	for _, op := range ops {
		routes = append(routes, Route{Method: op.Method, Pattern: op.Path, Doc: op.Path})
	}
	return routes
}

// TestSpecSourceValid builds the document of every operation in the spec
// source and validates it with kin-openapi.
func TestSpecSourceValid(t *testing.T) {
	routes := allRoutes(t)
	if len(routes) < 20 {
		t.Fatalf("spec source has %d operations, want the resolver's at least", len(routes))
	}
	d, body := fetchDocument(t, docServer(t, routes))
	var want []string
	for _, rt := range routes {
		want = append(want, rt.Method+" "+rt.Doc)
	}
	slices.Sort(want)
	if got := d.operations(); !slices.Equal(got, want) {
		t.Errorf("operations:\n got %v\nwant %v", got, want)
	}
	for _, op := range d.operations() {
		method, path, _ := strings.Cut(op, " ")
		o := d.Paths[path][strings.ToLower(method)]
		if o[extUndocumented] != nil {
			t.Errorf("%s: undocumented", op)
		}
		if o["operationId"] == nil || o["summary"] == nil {
			t.Errorf("%s: no operationId or summary", op)
		}
	}
	validate(t, body)
}

// validate loads and validates an OpenAPI document with kin-openapi.
func validate(t *testing.T, body []byte) {
	t.Helper()
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(body)
	if err != nil {
		t.Fatalf("kin-openapi load: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("kin-openapi validate: %v", err)
	}
}

func TestDocRoutesFiltering(t *testing.T) {
	own := []string{"GET /docs", "GET /openapi.json"}
	tests := []struct {
		name   string
		routes []Route
		want   []string // operations besides own
		// schemas that must and must not be in components.
		schemas, noSchemas []string
		tags               []string // the top-level tags, in order
		undocumented       []string
	}{
		{
			name:      "common only",
			routes:    []Route{{Method: "GET", Pattern: "/health", Doc: "/health"}, {Method: "GET", Pattern: "/metrics", Doc: "/metrics"}},
			want:      []string{"GET /health", "GET /metrics"},
			schemas:   []string{"HealthResponse"},
			noSchemas: []string{"ResolveResponse", "Ownership", "ErrorDetail", "Status"},
			tags:      []string{"operations"},
		},
		{
			name: "two patterns, one operation; HEAD and empty Doc ignored",
			routes: []Route{
				{Method: "GET", Pattern: "/resolve", Doc: "/resolve/{path}"},
				{Method: "GET", Pattern: "/resolve/{path...}", Doc: "/resolve/{path}"},
				{Method: "HEAD", Pattern: "/resolve/{path...}", Doc: "/resolve/{path}"},
				{Method: "GET", Pattern: "/static/x.js"},
			},
			want:      []string{"GET /resolve/{path}"},
			schemas:   []string{"ResolveResponse", "Ownership", "ResolutionError", "AccessDenied", "Status", "ErrorCode"},
			noSchemas: []string{"HealthResponse", "BatchRequest", "TreeNode", "ValidationError"},
			tags:      []string{"resolve", "operations"},
		},
		{
			name: "recursive schema",
			routes: []Route{
				{Method: "GET", Pattern: "/tree/{path...}", Doc: "/tree/{path}"},
			},
			want:      []string{"GET /tree/{path}"},
			schemas:   []string{"TreeNode", "TreeOwnership", "ValidationError", "FieldError", "ErrorDetail"},
			noSchemas: []string{"ResolveResponse"},
			tags:      []string{"browse", "operations"},
		},
		{
			name: "route without operation gets a stand-in",
			routes: []Route{
				{Method: "GET", Pattern: "/catalog", Doc: "/catalog"},
				{Method: "DELETE", Pattern: "/catalog", Doc: "/catalog"},
				{Method: "POST", Pattern: "/widgets/{id}/{part...}", Doc: "/widgets/{id}/{part}"},
			},
			want:         []string{"GET /catalog", "DELETE /catalog", "POST /widgets/{id}/{part}"},
			schemas:      []string{"CatalogPage", "Status"},
			tags:         []string{"catalog", "operations"},
			undocumented: []string{"DELETE /catalog", "POST /widgets/{id}/{part}"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, body := fetchDocument(t, docServer(t, tt.routes))
			want := append(slices.Clone(tt.want), own...)
			slices.Sort(want)
			if got := d.operations(); !slices.Equal(got, want) {
				t.Errorf("operations:\n got %v\nwant %v", got, want)
			}
			for _, s := range tt.schemas {
				if d.Components["schemas"][s] == nil {
					t.Errorf("schema %s missing", s)
				}
			}
			for _, s := range tt.noSchemas {
				if d.Components["schemas"][s] != nil {
					t.Errorf("schema %s not pruned", s)
				}
			}
			var tags []string
			for _, tg := range d.Tags {
				tags = append(tags, tg.Name)
			}
			if !slices.Equal(tags, tt.tags) {
				t.Errorf("tags %v, want %v", tags, tt.tags)
			}
			var undoc []string
			for _, op := range d.operations() {
				method, path, _ := strings.Cut(op, " ")
				if d.Paths[path][strings.ToLower(method)][extUndocumented] == true {
					undoc = append(undoc, op)
				}
			}
			slices.Sort(undoc)
			wantUndoc := slices.Sorted(slices.Values(tt.undocumented))
			if !slices.Equal(undoc, wantUndoc) {
				t.Errorf("undocumented %v, want %v", undoc, wantUndoc)
			}
			validate(t, body)
		})
	}
}

// TestDocumentKeepsSourceOrder checks the served JSON lists paths in the
// spec source's order (Swagger UI shows them in document order).
func TestDocumentKeepsSourceOrder(t *testing.T) {
	_, body := fetchDocument(t, docServer(t, allRoutes(t)))
	ops, err := SpecOperations()
	if err != nil {
		t.Fatal(err)
	}
	last := -1
	for _, op := range ops {
		i := bytes.Index(body, []byte(`"`+op.Path+`":{`))
		if i < 0 {
			t.Fatalf("%s not found", op.Path)
		}
		if i < last {
			t.Errorf("%s is out of source order", op.Path)
		}
		last = i
	}
	if !bytes.HasPrefix(body, []byte(`{"openapi":"3.0.3","info":{`)) {
		t.Errorf("document starts %.40s", body)
	}
}

// TestSpecEnums keeps the spec's enums equal to the Go constants.
func TestSpecEnums(t *testing.T) {
	d, _ := fetchDocument(t, docServer(t, allRoutes(t)))
	enum := func(schema string) []string {
		var s struct{ Enum []string }
		if err := json.Unmarshal(d.Components["schemas"][schema], &s); err != nil {
			t.Fatal(err)
		}
		return s.Enum
	}
	var statuses []string
	for _, s := range moniker.Statuses {
		statuses = append(statuses, string(s))
	}
	if got := enum("Status"); !slices.Equal(got, statuses) {
		t.Errorf("Status enum %v, want %v", got, statuses)
	}
	codes := []string{CodeInvalidMoniker, CodeInvalidRequest, CodeValidation, CodeNotFound, CodeNoRoute, CodeMethodNotAllowed,
		CodeAccessDenied, CodeConflict, CodePrecondition, CodeNotInitialized, CodeReloadFailed, CodeBatchTooLarge, CodeBodyTooLarge, CodeNotImplemented, CodeUnavailable, CodeInternal,
		CodeRateLimited, CodeCircuitOpen, CodeSourceError, CodeSourceTimeout, CodeUnauthenticated, CodeForbidden}
	if got := enum("ErrorCode"); !slices.Equal(got, codes) {
		t.Errorf("ErrorCode enum %v, want %v", got, codes)
	}
}

func TestDocsPage(t *testing.T) {
	mux := docServer(t, nil)
	rec := get(t, mux, "/docs")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /docs: status %d", rec.Code)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("GET /docs: Content-Type %q", ct)
	}
	if csp := rec.Header().Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'self'") {
		t.Errorf("GET /docs: Content-Security-Policy %q", csp)
	}
	page := rec.Body.String()
	if !strings.Contains(page, "<title>Moniker API</title>") {
		t.Errorf("GET /docs: no title in\n%s", page)
	}
	if regexp.MustCompile(`(src|href)="(https?:)?//`).MatchString(page) {
		t.Errorf("GET /docs loads from another origin:\n%s", page)
	}
	refs := regexp.MustCompile(`(?:src|href)="([^"]+)"`).FindAllStringSubmatch(page, -1)
	assets := map[string]string{
		"/docs/swagger-ui-bundle.js": "text/javascript; charset=utf-8",
		"/docs/swagger-ui.css":       "text/css; charset=utf-8",
		"/docs/init.js":              "text/javascript; charset=utf-8",
	}
	seen := map[string]bool{}
	for _, ref := range refs {
		if strings.HasPrefix(ref[1], "data:") {
			continue // the empty favicon
		}
		// The page is /docs: relative references resolve against /.
		target := "/" + ref[1]
		path, _, _ := strings.Cut(target, "?")
		ct, ok := assets[path]
		if !ok {
			t.Errorf("GET /docs references %s, not a known asset", ref[1])
			continue
		}
		seen[path] = true
		rec := get(t, mux, target)
		if rec.Code != http.StatusOK {
			t.Errorf("GET %s: status %d", target, rec.Code)
			continue
		}
		if got := rec.Header().Get("Content-Type"); got != ct {
			t.Errorf("GET %s: Content-Type %q, want %q", target, got, ct)
		}
		if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
			t.Errorf("GET %s: Cache-Control %q", target, cc)
		}
		if rec.Body.Len() == 0 {
			t.Errorf("GET %s: empty body", target)
		}
	}
	for a := range assets {
		if !seen[a] {
			t.Errorf("GET /docs does not load %s", a)
		}
	}
	init := get(t, mux, "/docs/init.js").Body.String()
	if !strings.Contains(init, `url: "openapi.json"`) || !strings.Contains(init, "validatorUrl: null") {
		t.Errorf("init.js does not load openapi.json without the validator:\n%s", init)
	}
}

func TestStaticHandler(t *testing.T) {
	mux := docServer(t, nil)
	plain := get(t, mux, "/docs/swagger-ui-bundle.js")
	if plain.Code != http.StatusOK || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("plain: status %d, Content-Encoding %q", plain.Code, plain.Header().Get("Content-Encoding"))
	}
	if !strings.Contains(plain.Header().Get("Vary"), "Accept-Encoding") {
		t.Errorf("plain: Vary %q", plain.Header().Get("Vary"))
	}
	etag := plain.Header().Get("ETag")
	if etag == "" {
		t.Fatal("no ETag")
	}
	if rec := get(t, mux, "/docs/swagger-ui-bundle.js", "If-None-Match", etag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match: status %d, want 304", rec.Code)
	}

	gz := get(t, mux, "/docs/swagger-ui-bundle.js", "Accept-Encoding", "br, gzip;q=0.8")
	if gz.Header().Get("Content-Encoding") != "gzip" {
		t.Fatalf("gzip: Content-Encoding %q", gz.Header().Get("Content-Encoding"))
	}
	if gz.Header().Get("ETag") == etag {
		t.Error("gzip: same ETag as the identity encoding")
	}
	if gz.Body.Len() >= plain.Body.Len()/2 {
		t.Errorf("gzip: %d bytes for %d", gz.Body.Len(), plain.Body.Len())
	}
	zr, err := gzip.NewReader(gz.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unzipped, plain.Body.Bytes()) {
		t.Error("gzip: decompressed body differs")
	}

	doc := get(t, mux, "/openapi.json")
	if cc := doc.Header().Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("/openapi.json: Cache-Control %q", cc)
	}
}

func TestAcceptsGzip(t *testing.T) {
	tests := []struct {
		header string
		want   bool
	}{
		{"", false},
		{"gzip", true},
		{"GZIP", true},
		{"deflate, gzip", true},
		{"br;q=1.0, gzip;q=0.5", true},
		{"gzip;q=0", false},
		{"gzip; q=0.000", false},
		{"gzip;q=x", false},
		{"identity", false},
		{"x-gzip", false},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		if tt.header != "" {
			req.Header.Set("Accept-Encoding", tt.header)
		}
		if got := acceptsGzip(req); got != tt.want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", tt.header, got, tt.want)
		}
	}
}

func TestBuildDocumentErrors(t *testing.T) {
	const head = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
	tests := []struct {
		name, src, want string
	}{
		{"not YAML", "a: [", "did not find expected"},
		{"not a mapping", "- a\n", "not a YAML mapping"},
		{"no paths", head, `no "paths" key`},
		{"paths not a mapping", head + "paths: []\n", "paths: not a mapping"},
		{"path item not a mapping", head + "paths: {/a: 1}\n", "/a: not a mapping"},
		{"duplicate key", head + "paths:\n  /a: {}\n  /a: {}\n", `duplicate key "/a"`},
		{"merge key", head + "x: &x {a: 1}\npaths:\n  /a:\n    <<: *x\n", "merge keys"},
		{"no planes", head + "paths:\n  /a:\n    get: {responses: {}}\n", "get /a: no x-moniker-planes"},
		{"empty planes", head + "paths:\n  /a:\n    get: {x-moniker-planes: [], responses: {}}\n", "must list planes"},
		{"unknown plane", head + "paths:\n  /a:\n    get: {x-moniker-planes: [resolvr], responses: {}}\n", `unknown plane "resolvr"`},
		{"binary scalar", head + "x: !!binary aGk=\npaths: {}\n", "unsupported YAML tag !!binary"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := buildFromSource([]byte(tt.src), nil)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestAppendNodeJSON(t *testing.T) {
	const src = `openapi: 3.0.3
info: {title: "T <&>", version: 1}
paths:
  /b:
    get:
      x-moniker-planes: [resolver]
      responses:
        200: {description: ok}
      x-list: [1, 2.5, true, null, ~, 2026-01-15, "007", yes]
      x-alias: &a {z: 1, a: 2}
      x-again: *a
  /a: {}
`
	got, title, err := buildFromSource([]byte(src), []Route{{Method: "GET", Doc: "/b"}})
	if err != nil {
		t.Fatal(err)
	}
	if title != "T <&>" {
		t.Errorf("title %q", title)
	}
	const want = `{"openapi":"3.0.3","info":{"title":"T \u003c\u0026\u003e","version":1},"paths":{"/b":{"get":{` +
		`"x-moniker-planes":["resolver"],"responses":{"200":{"description":"ok"}},` +
		`"x-list":[1,2.5,true,null,null,"2026-01-15","007","yes"],"x-alias":{"z":1,"a":2},"x-again":{"z":1,"a":2}}}}}` + "\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestSpecOperations(t *testing.T) {
	ops, err := SpecOperations()
	if err != nil {
		t.Fatal(err)
	}
	byKey := map[string]SpecOperation{}
	for _, op := range ops {
		byKey[op.Method+" "+op.Path] = op
	}
	for _, tt := range []struct {
		key    string
		planes []string
	}{
		{"GET /resolve/{path}", []string{PlaneResolver}},
		{"PUT /catalog/{path}/status", []string{PlaneResolver}},
		{"GET /health", []string{PlaneResolver, PlaneManagement}},
		{"GET /docs", []string{PlaneResolver, PlaneManagement}},
	} {
		op, ok := byKey[tt.key]
		if !ok {
			t.Errorf("%s: not in the spec source", tt.key)
			continue
		}
		if !slices.Equal(op.Planes, tt.planes) {
			t.Errorf("%s: planes %v, want %v", tt.key, op.Planes, tt.planes)
		}
	}
}

// BenchmarkDocRoutes measures the startup cost of the documentation
// routes (parse, filter and encode the spec source; hash the assets).
func BenchmarkDocRoutes(b *testing.B) {
	ops, err := SpecOperations()
	if err != nil {
		b.Fatal(err)
	}
	var routes []Route
	for _, op := range ops {
		routes = append(routes, Route{Method: op.Method, Pattern: op.Path, Doc: op.Path})
	}
	b.ReportAllocs()
	for b.Loop() {
		DocRoutes(routes)
	}
}

// buildFromSource parses one complete spec source and builds the document.
func buildFromSource(src []byte, routes []Route) ([]byte, string, error) {
	root, err := parseSpec(src)
	if err != nil {
		return nil, "", err
	}
	return buildDocument(root, routes)
}

func TestMergeFragment(t *testing.T) {
	root, err := parseYAMLMapping([]byte("openapi: 3.0.3\ninfo: {title: T}\npaths:\n  /a:\n    get: {x: 1}\ncomponents:\n  schemas:\n    A: {type: string}\n"))
	if err != nil {
		t.Fatal(err)
	}
	frag, _ := parseYAMLMapping([]byte("paths:\n  /a:\n    put: {x: 2}\n  /b:\n    get: {x: 3}\ncomponents:\n  schemas:\n    B: {type: string}\n"))
	if err := mergeFragment(root, frag); err != nil {
		t.Fatal(err)
	}
	a := mapGet(mapGet(root, "paths"), "/a")
	if mapGet(a, "get") == nil || mapGet(a, "put") == nil || mapGet(mapGet(root, "paths"), "/b") == nil {
		t.Error("paths not merged method by method")
	}
	if mapGet(mapGet(mapGet(root, "components"), "schemas"), "B") == nil {
		t.Error("schemas not merged")
	}
	dup, _ := parseYAMLMapping([]byte("paths:\n  /a:\n    get: {x: 9}\n"))
	if err := mergeFragment(root, dup); err == nil || !strings.Contains(err.Error(), "paths./a.get is defined twice") {
		t.Errorf("duplicate operation: %v", err)
	}
	bad, _ := parseYAMLMapping([]byte("info: {title: X}\n"))
	if err := mergeFragment(root, bad); err == nil {
		t.Error("a fragment with info was accepted")
	}
}

// TestDocumentRoles checks that a route with a Role is documented with
// its role, the security schemes and the 401/403 answers, that the
// document stays valid, and that without roles none of it appears.
func TestDocumentRoles(t *testing.T) {
	routes := allRoutes(t)
	for i, rt := range routes {
		if rt.Method == http.MethodPost && rt.Doc == "/config/save" {
			routes[i].Role = "editor"
		}
	}
	d, body := fetchDocument(t, docServer(t, routes))
	validate(t, body)
	op := d.Paths["/config/save"]["post"]
	resp, _ := op["responses"].(map[string]any)
	if op[extRole] != "editor" || op["security"] == nil || resp["401"] == nil || resp["403"] == nil {
		t.Errorf("POST /config/save with role editor: %v", op)
	}
	if other := d.Paths["/resolve/{path}"]["get"]; other[extRole] != nil || other["security"] != nil {
		t.Errorf("GET /resolve/{path} has a role or security: %v", other)
	}
	var raw map[string]any
	if err := json.Unmarshal(body, &raw); err != nil {
		t.Fatal(err)
	}
	if raw["security"] == nil {
		t.Error("no top-level (optional) security requirement with a protected route")
	}

	_, plain := fetchDocument(t, docServer(t, allRoutes(t)))
	if strings.Contains(string(plain), extRole) || strings.Contains(string(plain), `"security":`) {
		t.Error("a document without protected routes mentions roles or security")
	}
}
