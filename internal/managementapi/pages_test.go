package managementapi_test

import (
	"encoding/json"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/managementapi"
)

// pagesMux serves the management routes of c on a mux, as cmd/monikerd
// registers them.
func pagesMux(t *testing.T, c managementapi.Config) http.Handler {
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

// pagesSharedDir is the shared/ folder beside the repository (the compat
// files live there): found by walking up to go.mod.
func pagesSharedDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return filepath.Join(dir, "..", "shared")
		}
		up := filepath.Dir(dir)
		if up == dir {
			t.Fatal("no go.mod above the package folder")
		}
		dir = up
	}
}

// pagesCopy copies a compat file into a temp folder and returns the copy's
// path.
func pagesCopy(t *testing.T, rel string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(pagesSharedDir(t), "compat", rel))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), filepath.Base(rel))
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
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
	webDir := "web"
	files, err := fs.Glob(os.DirFS(webDir), "*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no files in %s: %v", webDir, err)
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
		b, err := os.ReadFile(filepath.Join(webDir, f))
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
