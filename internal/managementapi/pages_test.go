package managementapi_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/httpapi/openapitest"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/requests"
)

// pagesMux serves the management routes of c on a mux, as cmd/monikerd
// registers them.
func pagesMux(t testing.TB, c managementapi.Config) http.Handler {
	t.Helper()
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), managementapi.New(c).Routes())
	return mux
}

// pagesGet sends GET target to h.
func pagesGet(t *testing.T, h http.Handler, target string) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target, nil))
	return rec
}

// The pages every landing page links to.
var pagesLinks = []string{"/config/ui", "/domains/ui", "/models/ui", "/requests/ui", "/dashboard", "/docs"}

func TestLandingPage(t *testing.T) {
	const evil = `<script>alert(1)</script>`
	h := pagesMux(t, managementapi.Config{ProjectName: evil})
	rec := pagesGet(t, h, "/")
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	body := rec.Body.String()
	if strings.Contains(body, evil) {
		t.Error("the project name is not escaped")
	}
	if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
		t.Error("the escaped project name is missing")
	}
	for _, l := range pagesLinks {
		if !strings.Contains(body, `href="`+l+`"`) {
			t.Errorf("no link to %s", l)
		}
	}
	// No resolver-only page: a management-only target does not serve it.
	for _, l := range []string{`href="/ui"`, `href="/tree"`, `href="/catalog"`, `href="/resolve`} {
		if strings.Contains(body, l) {
			t.Errorf("links resolver route %s", l)
		}
	}
	// Only the root: other unknown paths are not the landing page.
	if rec := pagesGet(t, h, "/nothing-here"); rec.Code == http.StatusOK {
		t.Errorf("GET /nothing-here: status %d", rec.Code)
	}
}

func TestLandingDefaultName(t *testing.T) {
	body := pagesGet(t, pagesMux(t, managementapi.Config{}), "/").Body.String()
	if !strings.Contains(body, "<h1>Moniker Service</h1>") {
		t.Errorf("default project name missing:\n%s", body)
	}
}

// TestPagesServed checks every page: 200 HTML with the CSP, and every
// script and stylesheet it loads is served with its content type.
func TestPagesServed(t *testing.T) {
	h := pagesMux(t, managementapi.Config{ProjectName: "Acme"})
	ref := regexp.MustCompile(`(?:src|href)="(/static/management/[^"]+)"`)
	for _, page := range []string{"/", "/dashboard", "/config/ui", "/domains/ui", "/models/ui", "/requests/ui"} {
		t.Run(page, func(t *testing.T) {
			rec := pagesGet(t, h, page)
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
				t.Errorf("Content-Type %q", ct)
			}
			checkCSP(t, rec.Header())
			if !strings.Contains(rec.Body.String(), "Acme") {
				t.Error("no project name")
			}
			refs := ref.FindAllStringSubmatch(rec.Body.String(), -1)
			if len(refs) == 0 {
				t.Fatal("no stylesheet")
			}
			for _, m := range refs {
				url := strings.ReplaceAll(m[1], "&amp;", "&")
				a := pagesGet(t, h, url)
				if a.Code != http.StatusOK {
					t.Errorf("%s: status %d", url, a.Code)
					continue
				}
				want := "text/javascript; charset=utf-8"
				if strings.Contains(url, ".css") {
					want = "text/css; charset=utf-8"
				}
				if ct := a.Header().Get("Content-Type"); ct != want {
					t.Errorf("%s: Content-Type %q, want %q", url, ct, want)
				}
				if cc := a.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
					t.Errorf("%s: versioned asset not immutable: %q", url, cc)
				}
				if a.Header().Get("X-Content-Type-Options") != "nosniff" {
					t.Errorf("%s: no nosniff", url)
				}
			}
		})
	}
	if rec := pagesGet(t, h, "/static/management/nothing.js"); rec.Code != http.StatusNotFound {
		t.Errorf("unknown asset: status %d", rec.Code)
	}
	if rec := pagesGet(t, h, "/static/management/common.js?v=old"); rec.Header().Get("Cache-Control") != "no-cache" {
		t.Errorf("stale version cached: %q", rec.Header().Get("Cache-Control"))
	}
	if rec := pagesGet(t, h, "/dashboard/"); rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/dashboard" {
		t.Errorf("GET /dashboard/: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
}

// checkCSP fails unless the CSP forbids inline and foreign scripts.
func checkCSP(t *testing.T, h http.Header) {
	t.Helper()
	csp := h.Get("Content-Security-Policy")
	if csp == "" {
		t.Fatal("no Content-Security-Policy")
	}
	var script string
	for d := range strings.SplitSeq(csp, ";") {
		d = strings.TrimSpace(d)
		if strings.HasPrefix(d, "script-src ") {
			script = d
		}
	}
	if script != "script-src 'self'" {
		t.Errorf("script-src is %q, want only 'self'", script)
	}
	if !strings.Contains(csp, "object-src") && !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP does not restrict other content: %q", csp)
	}
}

// TestPagesNoUnsafeDOM greps the embedded scripts and pages: no HTML
// parsing of strings in scripts (innerHTML and friends, eval), no inline
// script, style or event handler in the pages (the CSP would block them).
func TestPagesNoUnsafeDOM(t *testing.T) {
	var files []string
	for _, dir := range []string{"web", filepath.Join("..", "webui")} { // the pages and the shared assets
		names, err := fs.Glob(os.DirFS(dir), "*.*")
		if err != nil || len(names) == 0 {
			t.Fatalf("no files in %s: %v", dir, err)
		}
		for _, f := range names {
			files = append(files, filepath.Join(dir, f))
		}
	}
	badJS := regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write|\beval\(|new Function|setTimeout\(\s*['"]|srcdoc`)
	badHTML := []*regexp.Regexp{
		regexp.MustCompile(`<script(?:\s[^>]*)?>[^<]`), // inline script body
		regexp.MustCompile(`\sstyle=`),
		regexp.MustCompile(`<style`),
		regexp.MustCompile(`\son[a-z]+=`),
		regexp.MustCompile(`javascript:`),
	}
	scriptTag := regexp.MustCompile(`<script[^>]*>`)
	scripts := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		switch filepath.Ext(f) {
		case ".js":
			scripts++
			if m := badJS.Find(b); m != nil {
				t.Errorf("%s uses %s", f, m)
			}
		case ".html":
			for _, tag := range scriptTag.FindAll(b, -1) {
				if !strings.Contains(string(tag), ` src="`) {
					t.Errorf("%s: script without src: %s", f, tag)
				}
			}
			for _, re := range badHTML {
				if m := re.Find(b); m != nil {
					t.Errorf("%s: %q", f, m)
				}
			}
		}
	}
	if scripts < 4 {
		t.Errorf("checked %d scripts", scripts)
	}
}

// TestDashboardStatsNotInitialized: without a catalog and requests the
// stats answer 503 JSON.
func TestDashboardStatsNotInitialized(t *testing.T) {
	rec := pagesGet(t, pagesMux(t, managementapi.Config{}), "/dashboard/api/stats")
	if rec.Code != http.StatusServiceUnavailable {
		t.Fatalf("status %d", rec.Code)
	}
	var body httpapi.Detail
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatal(err)
	}
	if body.Code != httpapi.CodeNotInitialized || body.Detail != "Dashboard not initialized" {
		t.Errorf("body %+v", body)
	}
	// The page itself still renders (it shows the error).
	if rec := pagesGet(t, pagesMux(t, managementapi.Config{}), "/dashboard"); rec.Code != http.StatusOK {
		t.Errorf("GET /dashboard: status %d", rec.Code)
	}
}

// pagesComponents opens a temp copy of our test catalog and a request
// queue holding our request scenario (5 pending, 2 approved, 2
// rejected).
func pagesComponents(t *testing.T) (*catalogedit.Editor, *requests.Workflow) {
	t.Helper()
	ed, err := catalogedit.Open(fixtures.Copy(t, "catalog.yaml", "", "catalog.yaml"), catalogedit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wf, err := requests.Open(filepath.Join(t.TempDir(), "requests.yaml"), requests.Options{})
	if err != nil {
		t.Fatal(err)
	}
	demo, err := os.ReadFile(fixtures.File(t, "demo_requests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	res, err := wf.ImportScenario(context.Background(), demo, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Imported) != 9 {
		t.Fatalf("imported %d demo requests, skipped %+v", len(res.Imported), res.Skipped)
	}
	return ed, wf
}

// TestDashboardStats checks the numbers on our test catalog (62 nodes
// after its two duplicate keys, two deprecated, one node counted under
// the domain it names) and our request scenario, byte for byte (the count
// objects are ordered), and that an edit of the working copy shows at
// once.
func TestDashboardStats(t *testing.T) {
	ed, wf := pagesComponents(t)
	h := pagesMux(t, managementapi.Config{Catalog: ed, Requests: wf})

	type stats struct {
		Catalog        json.RawMessage `json:"catalog"`
		ActiveByDomain json.RawMessage `json:"active_by_domain"`
		Requests       json.RawMessage `json:"requests"`
		RecentRequests []struct {
			ID        string `json:"id"`
			Path      string `json:"path"`
			Status    string `json:"status"`
			Requester string `json:"requester"`
			CreatedAt string `json:"created_at"`
		} `json:"recent_requests"`
		Usage json.RawMessage `json:"usage"`
	}
	get := func() stats {
		t.Helper()
		rec := pagesGet(t, h, "/dashboard/api/stats")
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
			t.Errorf("Content-Type %q", ct)
		}
		var s stats
		dec := json.NewDecoder(strings.NewReader(rec.Body.String()))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			t.Fatalf("%v: %s", err, rec.Body)
		}
		return s
	}
	s := get()
	checks := []struct{ name, got, want string }{
		{"catalog", string(s.Catalog), `{"total":62,"by_status":{"active":60,"deprecated":2}}`},
		{"active_by_domain", string(s.ActiveByDomain), `{"benchmarks":7,"fixed_income":7,"portfolios":6,"reference":6,"risk":6,` +
			`"commodities":4,"flows":4,"prices":4,"rates":4,"credit":3,"nav":3,"reports":3,"securities":3}`},
		{"requests", string(s.Requests), `{"total":9,"by_status":{"draft":0,"pending_review":5,"changes_requested":0,"approved":2,"rejected":2,"active":0}}`},
		{"usage", string(s.Usage), `null`},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s:\n got %s\nwant %s", c.name, c.got, c.want)
		}
	}
	if len(s.RecentRequests) != 9 {
		t.Fatalf("%d recent requests, want all 9", len(s.RecentRequests))
	}
	list, _, err := wf.List("")
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range s.RecentRequests {
		want := list[i]
		if r.ID != want.RequestID || r.Path != want.Path || r.Status != string(want.Status) ||
			r.Requester != want.Requester.Name || r.CreatedAt != want.CreatedAt || r.Requester == "" {
			t.Errorf("recent[%d] = %+v, want %s %s %s %s", i, r, want.RequestID, want.Path, want.Status, want.Requester.Name)
		}
	}
	paths := map[string]string{}
	for _, r := range s.RecentRequests {
		paths[r.Path] = r.Status
	}
	if paths["infrastructure"] != "pending_review" || paths["rates/curves/inflation"] != "approved" || paths["prices/equity/unlisted-quotes"] != "rejected" {
		t.Errorf("recent statuses: %v", paths)
	}

	// Deprecating a node of the working copy (unsaved) shows at once:
	// the domain counts are recomputed for the new view.
	_, _, err = ed.Update(context.Background(), "rates.swap",
		catalogedit.Patch{Set: []string{"status"}, Node: moniker.Node{Status: moniker.StatusDeprecated}}, "", "test")
	if err != nil {
		t.Fatal(err)
	}
	s = get()
	if got, want := string(s.Catalog), `{"total":62,"by_status":{"active":59,"deprecated":3}}`; got != want {
		t.Errorf("after the edit, catalog %s, want %s", got, want)
	}
	if !strings.Contains(string(s.ActiveByDomain), `"rates":3`) {
		t.Errorf("after the edit, active_by_domain %s", s.ActiveByDomain)
	}
}

// TestDashboardStatsPartial: a missing component's section is null.
func TestDashboardStatsPartial(t *testing.T) {
	ed, wf := pagesComponents(t)
	tests := []struct {
		name string
		c    managementapi.Config
		want []string // substrings of the body
	}{
		{"catalog only", managementapi.Config{Catalog: ed}, []string{`"requests":null`, `"recent_requests":[]`, `"total":62`}},
		{"requests only", managementapi.Config{Requests: wf}, []string{`"catalog":null`, `"active_by_domain":null`, `"total":9`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := pagesGet(t, pagesMux(t, tt.c), "/dashboard/api/stats")
			if rec.Code != http.StatusOK {
				t.Fatalf("status %d", rec.Code)
			}
			for _, w := range tt.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("body lacks %s: %s", w, rec.Body)
				}
			}
		})
	}
}

// TestPagesOpenAPIResponses checks each answer of the pages' routes
// against the served document: status documented, body and headers as
// documented (undocumented object properties rejected).
func TestPagesOpenAPIResponses(t *testing.T) {
	ed, wf := pagesComponents(t)
	// The route tables, each built (with its document) once.
	const (
		full = iota
		catalogOnly
		requestsOnly
		none
	)
	configs := []managementapi.Config{
		full:         {Catalog: ed, Requests: wf},
		catalogOnly:  {Catalog: ed},
		requestsOnly: {Requests: wf},
		none:         {},
	}
	type served struct {
		mux *http.ServeMux
		doc *openapi3.T
	}
	built := map[int]served{}
	serve := func(t *testing.T, i int) served {
		if s, ok := built[i]; ok {
			return s
		}
		mux, doc := serveDocumented(t, configs[i])
		built[i] = served{mux, doc}
		return built[i]
	}
	tests := []struct {
		name, doc, target string
		config            int
		status            int
	}{
		{"landing", "/", "/", full, 200},
		{"dashboard", "/dashboard", "/dashboard", full, 200},
		{"stats", "/dashboard/api/stats", "/dashboard/api/stats", full, 200},
		{"stats catalog only", "/dashboard/api/stats", "/dashboard/api/stats", catalogOnly, 200},
		{"stats requests only", "/dashboard/api/stats", "/dashboard/api/stats", requestsOnly, 200},
		{"stats not initialized", "/dashboard/api/stats", "/dashboard/api/stats", none, 503},
		{"config ui", "/config/ui", "/config/ui", full, 200},
		{"domains ui", "/domains/ui", "/domains/ui", full, 200},
		{"models ui", "/models/ui", "/models/ui", full, 200},
		{"requests ui", "/requests/ui", "/requests/ui", full, 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := serve(t, tt.config)
			mux, doc := srv.mux, srv.doc
			req := httptest.NewRequest(http.MethodGet, tt.target, nil)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d", rec.Code, tt.status)
			}
			route := openapitest.Operation(t, doc, http.MethodGet, tt.doc)
			resp := route.Operation.Responses.Status(rec.Code)
			if resp == nil {
				t.Fatalf("status %d is not documented", rec.Code)
			}
			if strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
				// kin-openapi has no text/html body decoder: check the
				// documented media type and headers here.
				if resp.Value.Content.Get("text/html") == nil {
					t.Error("text/html is not documented")
				}
				for name := range resp.Value.Headers {
					if rec.Header().Get(name) == "" {
						t.Errorf("documented header %s is not sent", name)
					}
				}
				return
			}
			openapitest.CheckAnswer(t, route, req, rec)
		})
	}
}
