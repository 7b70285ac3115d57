package managementapi_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/domains"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/httpapi/openapitest"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/models"
)

// The helpers of the domain and model handler tests are prefixed "reg"
// (registry).

// regEnv is a management server over temp copies of our test domains,
// models and catalog, with an audit log, checked against its OpenAPI
// document.
type regEnv struct {
	t       *testing.T
	dir     string
	domains *domains.Registry
	models  *models.Registry
	audit   *audit.Log
	mux     *http.ServeMux
	doc     *openapi3.T
	covered map[string]bool // "METHOD /doc/path" whose responses were checked
}

func newRegEnv(t *testing.T, mutate func(c *managementapi.Config)) *regEnv {
	t.Helper()
	dir := t.TempDir()
	log := audit.New(filepath.Join(dir, audit.FileName))
	dr, err := domains.Open(fixtures.Copy(t, "domains.yaml", dir, "domains.yaml"), domains.WithAudit(log))
	if err != nil {
		t.Fatal(err)
	}
	mr, err := models.Open(fixtures.Copy(t, "models.yaml", dir, "models.yaml"), models.WithAudit(log))
	if err != nil {
		t.Fatal(err)
	}
	cat, err := catalogedit.Open(fixtures.Copy(t, "catalog.yaml", dir, "catalog.yaml"), catalogedit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := managementapi.Config{Domains: dr, Models: mr, Catalog: cat, Audit: log}
	if mutate != nil {
		mutate(&c)
	}
	mux, doc := serveDocumented(t, c)
	return &regEnv{t: t, dir: dir, domains: dr, models: mr, audit: log, mux: mux, doc: doc, covered: map[string]bool{}}
}

// regResp is a response with its body decoded.
type regResp struct {
	code int
	hdr  http.Header
	raw  string
	body map[string]any
}

// detail returns the body's detail as a string ("" when it is not one).
func (r regResp) detail() string {
	s, _ := r.body["detail"].(string)
	return s
}

// do sends the request; doc is the OpenAPI path of the route ("" for an
// undocumented one) and the answer is checked against it. hdr holds
// request headers as name, value pairs.
func (e *regEnv) do(method, target, doc, body string, hdr ...string) regResp {
	return e.doCtx(context.Background(), method, target, doc, body, hdr...)
}

func (e *regEnv) doCtx(ctx context.Context, method, target, doc, body string, hdr ...string) regResp {
	t := e.t
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequestWithContext(ctx, method, target, rd)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	rec := httptest.NewRecorder()
	e.mux.ServeHTTP(rec, req)
	out := regResp{code: rec.Code, hdr: rec.Header(), raw: rec.Body.String()}
	if strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(rec.Body.Bytes(), &out.body); err != nil {
			t.Fatalf("%s %s: body is not a JSON object: %v\n%s", method, target, err, rec.Body)
		}
	}
	if doc == "" {
		return out
	}
	e.covered[method+" "+doc] = true
	route := openapitest.Operation(t, e.doc, method, doc)
	openapitest.CheckAnswer(t, route, req, rec)
	if rec.Header().Get("ETag") != "" && route.Operation.Responses.Status(rec.Code).Value.Headers["ETag"] == nil {
		t.Errorf("%s %s: ETag sent but not documented for %d", method, target, rec.Code)
	}
	return out
}

// want fails unless the response has the status (and, when code is not
// "", the error code).
func (r regResp) want(t *testing.T, status int, code string) regResp {
	t.Helper()
	if r.code != status {
		t.Fatalf("status %d, want %d: %s", r.code, status, r.raw)
	}
	if code != "" && r.body["code"] != code {
		t.Fatalf("code %v, want %s: %s", r.body["code"], code, r.raw)
	}
	return r
}

// checkCovered fails for every operation of the area (paths starting with
// prefix) whose responses no request checked.
func (e *regEnv) checkCovered(prefix string) {
	e.t.Helper()
	for path, item := range e.doc.Paths.Map() {
		if !strings.HasPrefix(path, prefix) || strings.HasSuffix(path, "/ui") {
			continue
		}
		for method := range item.Operations() {
			if !e.covered[method+" "+path] {
				e.t.Errorf("%s %s: no response checked", method, path)
			}
		}
	}
}

// fieldLoc returns the loc of the first 422 entry, joined with ".".
// fieldLoc is the loc a registry field error gives field
// ("appears_in[0].moniker_pattern" -> "body.appears_in.0.moniker_pattern").
func fieldLoc(field string) string {
	return "body." + strings.NewReplacer("[", ".", "]", "").Replace(field)
}

func (r regResp) fieldLoc() string {
	list, _ := r.body["detail"].([]any)
	if len(list) == 0 {
		return ""
	}
	entry, _ := list[0].(map[string]any)
	loc, _ := entry["loc"].([]any)
	var parts []string
	for _, p := range loc {
		s, _ := p.(string)
		parts = append(parts, s)
	}
	return strings.Join(parts, ".")
}

func TestDomainRoutes(t *testing.T) {
	e := newRegEnv(t, nil)

	// List, get.
	r := e.do("GET", "/domains", "/domains", "").want(t, 200, "")
	if r.body["count"] != float64(12) || len(r.body["domains"].([]any)) != 12 {
		t.Fatalf("list: %s", r.raw)
	}
	first := r.body["domains"].([]any)[0].(map[string]any)
	if first["name"] != "benchmarks" || len(first) != 14 {
		t.Errorf("first domain (sorted by name, 14 keys): %v", first)
	}
	if r := e.do("GET", "/domains/", "", ""); r.code != http.StatusTemporaryRedirect || r.hdr.Get("Location") != "/domains" {
		t.Errorf("GET /domains/: %d %s", r.code, r.hdr.Get("Location"))
	}
	r = e.do("GET", "/domains/rates", "/domains/{name}", "").want(t, 200, "")
	tag := r.hdr.Get("ETag")
	if tag == "" || tag != e.domains.ETag("rates") {
		t.Errorf("ETag %q, registry %q", tag, e.domains.ETag("rates"))
	}
	d := r.body["domain"].(map[string]any)
	if d["owner"] != "rates-owners@firm.com" || d["id"] != float64(5) || d["pii"] != false {
		t.Errorf("rates: %v", d)
	}
	var paths []string
	for _, p := range r.body["moniker_paths"].([]any) {
		paths = append(paths, p.(string))
	}
	if !slices.Contains(paths, "rates") || !slices.Contains(paths, "rates.swap") || slices.ContainsFunc(paths, func(p string) bool { return strings.HasPrefix(p, "risk") }) ||
		r.body["moniker_count"] != float64(len(paths)) || !slices.IsSorted(paths) {
		t.Errorf("moniker_paths %v, count %v", paths, r.body["moniker_count"])
	}
	e.do("GET", "/domains/nope", "/domains/{name}", "").want(t, 404, "not_found")

	// Create.
	r = e.do("POST", "/domains", "/domains", `{"name":"credit","owner":"credit@firm.com","pii":true,"id":13}`).want(t, 201, "")
	if r.body["display_name"] != "credit" || r.body["color"] != "#6B7280" || r.body["confidentiality"] != "internal" ||
		r.body["pii"] != true || r.hdr.Get("ETag") == "" {
		t.Errorf("created: %s", r.raw)
	}
	if e.domains.Get("credit") == nil {
		t.Error("not in the registry")
	}
	if again, err := domains.Open(e.domains.Path()); err != nil || again.Get("credit") == nil {
		t.Errorf("not on disk: %v", err)
	}
	if r := e.do("POST", "/domains", "/domains", `{"name":"credit"}`).want(t, 409, "conflict"); r.detail() != "Domain already exists: credit" {
		t.Errorf("409 detail %q", r.detail())
	}
	for _, tc := range []struct {
		body, loc string
	}{
		{`{"display_name":"x"}`, "body.name"},
		{`{"name":null}`, "body.name"},
		{`{"name":"x","colour":"red"}`, "body.colour"},
		{`{"name":5}`, "body.name"},
		{`{"name":"x","id":"seven"}`, "body.id"},
		{`{"name":"x","pii":"yes"}`, "body.pii"},
		{`{"name":"x"`, "body"},
		{`{"name":"x"} {}`, "body"},
		{`["x"]`, "body"},
		{``, "body"},
	} {
		if r := e.do("POST", "/domains", "/domains", tc.body).want(t, 422, "validation_error"); r.fieldLoc() != tc.loc {
			t.Errorf("%s: loc %q, want %q (%s)", tc.body, r.fieldLoc(), tc.loc, r.raw)
		}
	}
	for _, tc := range []struct {
		body, field string
	}{
		{`{"name":"ui"}`, "name"},
		{`{"name":"a/b"}`, "name"},
		{`{"name":"x","color":"red"}`, "color"},
		{`{"name":"x","confidentiality":"restricted"}`, "confidentiality"},
		{`{"name":"x","owner":"Team X"}`, "owner"},
		{`{"name":"x","wiki_link":"javascript:alert(1)"}`, "wiki_link"},
	} {
		if r := e.do("POST", "/domains", "/domains", tc.body).want(t, 422, "validation_error"); r.fieldLoc() != fieldLoc(tc.field) {
			t.Errorf("%s: loc %q does not name %s (%s)", tc.body, r.fieldLoc(), tc.field, r.raw)
		}
	}
	e.do("POST", "/domains", "/domains", `{"name":"x","notes":"`+strings.Repeat("a", 1<<20)+`"}`).want(t, 413, "body_too_large")

	// Update.
	r = e.do("PUT", "/domains/rates", "/domains/{name}", `{"notes":"Curves","wiki_link":null}`, "If-Match", tag).want(t, 200, "")
	if r.body["notes"] != "Curves" || r.body["wiki_link"] != "" || r.body["owner"] != "rates-owners@firm.com" || r.hdr.Get("ETag") == tag {
		t.Errorf("updated: %s", r.raw)
	}
	e.do("PUT", "/domains/rates", "/domains/{name}", `{"notes":"x"}`, "If-Match", tag).want(t, 412, "precondition_failed")
	e.do("PUT", "/domains/nope", "/domains/{name}", `{"notes":"x"}`).want(t, 404, "not_found")
	e.do("PUT", "/domains/rates", "/domains/{name}", `{"name":"rates2"}`).want(t, 422, "validation_error")
	e.do("PUT", "/domains/rates", "/domains/{name}", `{"color":"#12345"}`).want(t, 422, "validation_error")
	e.do("PUT", "/domains/rates", "/domains/{name}", `{"notez":"x"}`).want(t, 422, "validation_error")
	e.do("PUT", "/domains/rates", "/domains/{name}", `{"notes":"`+strings.Repeat("a", 1<<20)+`"}`).want(t, 413, "body_too_large")
	// Another writer changed rates on disk: 409 naming it; after a fresh
	// GET the retry works.
	other, err := domains.Open(e.domains.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Update(context.Background(), "rates", domains.Patch{Notes: domains.Some("other")}, "", "other"); err != nil {
		t.Fatal(err)
	}
	r = e.do("PUT", "/domains/rates", "/domains/{name}", `{"notes":"mine"}`).want(t, 409, "conflict")
	if c, _ := r.body["conflicts"].([]any); len(c) != 1 || c[0] != "rates" || !strings.Contains(r.detail(), "rates") || strings.Contains(r.detail(), e.dir) {
		t.Errorf("conflict body: %s", r.raw)
	}
	fresh := e.do("GET", "/domains/rates", "/domains/{name}", "").want(t, 200, "")
	if fresh.body["domain"].(map[string]any)["notes"] != "other" {
		t.Errorf("after the conflict: %s", fresh.raw)
	}
	e.do("PUT", "/domains/rates", "/domains/{name}", `{"notes":"mine"}`, "If-Match", fresh.hdr.Get("ETag")).want(t, 200, "")

	// Delete.
	e.do("DELETE", "/domains/credit", "/domains/{name}", "", "If-Match", `"stale"`).want(t, 412, "precondition_failed")
	r = e.do("DELETE", "/domains/credit", "/domains/{name}", "", "If-Match", e.domains.ETag("credit")).want(t, 200, "")
	if r.body["message"] != "Domain 'credit' deleted" || r.body["success"] != true {
		t.Errorf("delete: %s", r.raw)
	}
	e.do("DELETE", "/domains/credit", "/domains/{name}", "").want(t, 404, "not_found")
	if _, err := other.Update(context.Background(), "nav", domains.Patch{Notes: domains.Some("other")}, "", "other"); err != nil {
		t.Fatal(err)
	}
	e.do("DELETE", "/domains/nav", "/domains/{name}", "").want(t, 409, "conflict")

	// Save and reload.
	r = e.do("POST", "/domains/save", "/domains/save", "").want(t, 200, "")
	if r.body["message"] != "Saved 12 domains to domains.yaml" || r.body["file_path"] != nil {
		t.Errorf("save: %s", r.raw)
	}
	r = e.do("POST", "/domains/reload", "/domains/reload", "").want(t, 200, "")
	if r.body["message"] != "Reloaded 12 domains from domains.yaml" || r.body["domains_loaded"] != float64(12) {
		t.Errorf("reload: %s", r.raw)
	}
	good, err := os.ReadFile(e.domains.Path())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.domains.Path(), append(good, "bad:\n  colour: red\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := e.do("POST", "/domains/reload", "/domains/reload", "").want(t, 400, "invalid_request"); !strings.Contains(r.detail(), "colour") {
		t.Errorf("reload of a broken file: %s", r.raw)
	}
	e.do("PUT", "/domains/rates", "/domains/{name}", `{"notes":"x"}`).want(t, 409, "conflict") // the file no longer loads
	if e.domains.Len() != 12 {
		t.Errorf("%d domains after a failed reload", e.domains.Len())
	}
	if err := os.Remove(e.domains.Path()); err != nil {
		t.Fatal(err)
	}
	e.do("POST", "/domains/reload", "/domains/reload", "").want(t, 404, "not_found")
	e.do("POST", "/domains/save", "/domains/save", "").want(t, 200, "")
	if again, err := domains.Open(e.domains.Path()); err != nil || again.Len() != 12 {
		t.Errorf("save after the file was removed: %v", err)
	}

	// Every change is in the audit log with its actor.
	ctx := httpapi.WithCaller(context.Background(), httpapi.Caller{Principal: "alice@firm.com"})
	e.doCtx(ctx, "PUT", "/domains/risk", "/domains/{name}", `{"notes":"by alice"}`).want(t, 200, "")
	entries, err := e.audit.Entries("domain:risk", 1)
	if err != nil || len(entries) != 1 || entries[0].Actor != "alice@firm.com" || entries[0].Action != "domain_updated" {
		t.Errorf("audit: %+v, %v", entries, err)
	}
	entries, err = e.audit.Entries("domain:credit", 0)
	if err != nil || len(entries) != 2 || entries[0].Actor != "anonymous" {
		t.Errorf("audit of credit: %+v, %v", entries, err)
	}

	e.checkCovered("/domains")
}

func TestDomainRoutesShowFilePaths(t *testing.T) {
	e := newRegEnv(t, func(c *managementapi.Config) { c.ShowFilePaths = true })
	r := e.do("POST", "/domains/save", "/domains/save", "").want(t, 200, "")
	abs, _ := filepath.Abs(e.domains.Path())
	if r.body["file_path"] != abs || r.body["message"] != "Saved 12 domains to "+abs {
		t.Errorf("save: %s", r.raw)
	}
}

func TestDomainRoutesWithoutCatalog(t *testing.T) {
	e := newRegEnv(t, func(c *managementapi.Config) { c.Catalog = nil })
	r := e.do("GET", "/domains/rates", "/domains/{name}", "").want(t, 200, "")
	if p, _ := r.body["moniker_paths"].([]any); p == nil || len(p) != 0 || r.body["moniker_count"] != float64(0) {
		t.Errorf("without a catalog: %s", r.raw)
	}
}

func TestDomainRoutesNotInitialized(t *testing.T) {
	e := newRegEnv(t, func(c *managementapi.Config) { c.Domains = nil })
	for _, tc := range []struct{ method, target, doc, body string }{
		{"GET", "/domains", "/domains", ""},
		{"GET", "/domains/rates", "/domains/{name}", ""},
		{"POST", "/domains", "/domains", `{"name":"x"}`},
		{"PUT", "/domains/rates", "/domains/{name}", `{}`},
		{"DELETE", "/domains/rates", "/domains/{name}", ""},
		{"POST", "/domains/save", "/domains/save", ""},
		{"POST", "/domains/reload", "/domains/reload", ""},
	} {
		r := e.do(tc.method, tc.target, tc.doc, tc.body).want(t, 503, "not_initialized")
		if r.detail() != "Domain configuration not initialized" {
			t.Errorf("%s %s: %s", tc.method, tc.target, r.raw)
		}
	}
}
