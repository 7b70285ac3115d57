package managementapi

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"
	"weak"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/requests"
	"github.com/moniker-svc/moniker/internal/webui"
)

// assetPrefix is where the pages' scripts and styles are served (an
// undocumented route, like /docs/<file>).
const assetPrefix = "/static/management/"

// pageCSP is the Content-Security-Policy of every page and asset: scripts,
// styles and fetches only from this origin, no inline script or style, no
// plugins, no framing.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// The embedded pages: layout.html wraps each page template; *.js and *.css
// are the assets.
//
//go:embed web
var webFiles embed.FS

// navLink is one entry of the pages' navigation (and a landing card).
type navLink struct {
	Key, Href, Title, Text string
}

// navLinks returns the pages every page links to: the management pages,
// and the resolver's catalog browser when this process serves it too
// (withResolver), so the links work on a management-only target.
func navLinks(withResolver bool) []navLink {
	var ls []navLink
	if withResolver {
		ls = append(ls, navLink{"ui", "/ui", "Catalog Browser", "Browse the catalog the resolver serves: owners, status, example queries."})
	}
	return append(ls, []navLink{
		{"config", "/config/ui", "Catalog Config", "Browse, search and edit catalog nodes; save them to the catalog file."},
		{"domains", "/domains/ui", "Domains", "The governance domains: owners, stewards, confidentiality."},
		{"models", "/models/ui", "Business Models", "Measures and fields, and the monikers they appear in."},
		{"requests", "/requests/ui", "Review Queue", "Moniker requests and their approval workflow."},
		{"dashboard", "/dashboard", "Dashboard", "Catalog and request statistics at a glance."},
		{"docs", "/docs", "API Documentation", "The OpenAPI document of this service, in Swagger UI."},
	}...)
}

// pages renders the embedded page templates.
type pages struct {
	project string
	nav     []navLink
	assets  map[string]asset // by file name
}

// asset is one embedded script or stylesheet.
type asset struct {
	body        []byte
	hash        string
	contentType string
}

// newPages reads the embedded assets; pages are rendered by page.
func newPages(project string, withResolver bool) *pages {
	p := &pages{project: project, nav: navLinks(withResolver), assets: map[string]asset{}}
	names, err := fs.Glob(webFiles, "web/*")
	if err != nil {
		panic(err) // a malformed pattern: a programming error
	}
	shared, err := fs.Glob(webui.Files(), "*")
	if err != nil {
		panic(err)
	}
	for _, n := range append(names, shared...) {
		var ct string
		switch path.Ext(n) {
		case ".js":
			ct = "text/javascript; charset=utf-8"
		case ".css":
			ct = "text/css; charset=utf-8"
		default:
			continue
		}
		b, err := webFiles.ReadFile(n)
		if !strings.HasPrefix(n, "web/") {
			b, err = fs.ReadFile(webui.Files(), n) // the shared look
		}
		if err != nil {
			panic(err) // embedded: cannot fail
		}
		p.assets[path.Base(n)] = asset{body: b, hash: shortHash(b), contentType: ct}
	}
	return p
}

// shortHash is a short hex SHA-256 of b, for ETags and asset URLs.
func shortHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// pageData is what every page template sees.
type pageData struct {
	Project string
	Title   string
	Active  string // key of the current navLinks entry
	Nav     []navLink
	Scripts []string // page scripts after common.js
	Styles  []string // page stylesheets after style.css
}

// page renders web/<file> inside web/layout.html once and returns its
// handler. It panics when the embedded templates are malformed, which
// the package's tests rule out.
func (p *pages) page(file, title, active string, scripts []string) http.Handler {
	tmpl := template.New("layout.html").Funcs(template.FuncMap{"asset": p.assetURL})
	tmpl, err := tmpl.ParseFS(webFiles, "web/layout.html", "web/"+file)
	if err != nil {
		panic(fmt.Sprintf("managementapi: page %s: %v", file, err))
	}
	var buf bytes.Buffer
	data := pageData{Project: p.project, Title: title, Active: active, Nav: p.nav, Scripts: scripts}
	// A page's own stylesheet, web/<page>.css, follows the shared one.
	if css := strings.TrimSuffix(file, ".html") + ".css"; p.assets[css].body != nil {
		data.Styles = []string{css}
	}
	if err := tmpl.Execute(&buf, data); err != nil {
		panic(fmt.Sprintf("managementapi: page %s: %v", file, err))
	}
	body := buf.Bytes()
	return serveBytes(body, `"`+shortHash(body)+`"`, "text/html; charset=utf-8", "no-cache")
}

// assetURL is the URL of an embedded asset, versioned by its content so
// that it may be cached for good.
func (p *pages) assetURL(name string) (string, error) {
	a, ok := p.assets[name]
	if !ok {
		return "", fmt.Errorf("no asset %q", name)
	}
	return assetPrefix + name + "?v=" + a.hash, nil
}

// assetHandler serves the embedded scripts and styles: immutable when asked
// for with the current version, revalidated otherwise.
func (p *pages) assetHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a, ok := p.assets[r.PathValue("name")]
		if !ok {
			httpapi.WriteError(w, nil, moniker.Errorf(moniker.ErrNotFound, "Not Found"))
			return
		}
		cache := "no-cache"
		if r.URL.Query().Get("v") == a.hash {
			cache = "public, max-age=31536000, immutable"
		}
		serveBytes(a.body, `"`+a.hash+`"`, a.contentType, cache).ServeHTTP(w, r)
	})
}

// serveBytes serves body with a strong ETag (conditional and range
// requests through http.ServeContent) and the page security headers.
func serveBytes(body []byte, etag, contentType, cacheControl string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Cache-Control", cacheControl)
		h.Set("Content-Security-Policy", pageCSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("ETag", etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
	})
}

// recentRequests is how many requests the dashboard lists.
const recentRequests = 10

// Sections of the GET /dashboard/api/stats body.
type (
	statsBody struct {
		Catalog        *statsCatalog   `json:"catalog"`
		ActiveByDomain *catalog.Counts `json:"active_by_domain"`
		Requests       *statsRequests  `json:"requests"`
		RecentRequests []statsRecent   `json:"recent_requests"`
		Usage          *struct{}       `json:"usage"`
	}
	statsCatalog struct {
		Total    int            `json:"total"`
		ByStatus catalog.Counts `json:"by_status"`
	}
	statsRequests struct {
		Total    int            `json:"total"`
		ByStatus catalog.Counts `json:"by_status"`
	}
	statsRecent struct {
		ID        string `json:"id"`
		Path      string `json:"path"`
		Status    string `json:"status"`
		Requester string `json:"requester"`
		CreatedAt string `json:"created_at"`
	}
)

// dashboardStats is GET /dashboard/api/stats: catalog counts by status and
// active nodes per top-level domain (of the working copy), requests by
// status and the most recent requests; usage is always null (no
// telemetry store on the management plane). A section whose component is
// not configured is null (active_by_domain too); with neither the catalog
// nor the requests the route answers 503.
func (s *Server) dashboardStats(dc *domainCounts) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.c.Catalog == nil && s.c.Requests == nil {
			httpapi.WriteDetail(w, http.StatusServiceUnavailable, httpapi.CodeNotInitialized, "Dashboard not initialized")
			return
		}
		out := statsBody{RecentRequests: []statsRecent{}}
		if s.c.Catalog != nil {
			cat := s.c.Catalog.View()
			st := cat.Stats()
			out.Catalog = &statsCatalog{Total: st.Total, ByStatus: st.ByStatus}
			byDomain := dc.get(cat)
			out.ActiveByDomain = &byDomain
		}
		if s.c.Requests != nil {
			out.Requests, out.RecentRequests = s.requestStats()
		}
		w.Header().Set("Cache-Control", "no-store")
		httpapi.WriteJSON(w, http.StatusOK, out)
	})
}

// requestStats is the requests part of the dashboard: counts per status
// in workflow order (zeros included, as GET /requests reports them) and
// the newest requests.
func (s *Server) requestStats() (*statsRequests, []statsRecent) {
	list, counts, err := s.c.Requests.List("")
	if err != nil { // only an invalid status filter fails
		s.log.Error("dashboard: listing requests", "err", err)
		return nil, []statsRecent{}
	}
	sec := &statsRequests{Total: counts.Total, ByStatus: make(catalog.Counts, 0, len(requests.Statuses))}
	for _, st := range requests.Statuses {
		sec.ByStatus = append(sec.ByStatus, catalog.Count{Key: string(st), N: counts.ByStatus[st]})
	}
	recent := make([]statsRecent, 0, min(len(list), recentRequests))
	for _, r := range list[:min(len(list), recentRequests)] {
		who := r.Requester.Name
		if who == "" {
			who = r.Requester.Email
		}
		recent = append(recent, statsRecent{ID: r.RequestID, Path: r.Path, Status: string(r.Status), Requester: who, CreatedAt: r.CreatedAt})
	}
	return sec, recent
}

// domainCounts caches the active-nodes-per-domain counts of the last
// catalog snapshot asked about. The snapshot is immutable, so its
// identity is the cache key; the key is a weak pointer so that the cache
// does not keep a replaced working copy alive.
type domainCounts struct {
	mu     sync.Mutex
	cat    weak.Pointer[catalog.Catalog]
	counts catalog.Counts
}

// get returns the counts for cat, computing them on the first call for a
// snapshot (one pass over its nodes).
func (d *domainCounts) get(cat *catalog.Catalog) catalog.Counts {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.cat.Value() != cat || d.counts == nil {
		d.counts = activeByDomain(cat)
		d.cat = weak.Make(cat)
	}
	return d.counts
}

// activeByDomain counts the active nodes of each top-level domain: the
// node's own domain when it sets one, else the root of its path (the
// first segment, cut at the first "." — "prices.equity/AAPL" counts for
// "prices"), as upstream's pages derived a node's domain. Highest count
// first; equal counts by name.
func activeByDomain(cat *catalog.Catalog) catalog.Counts {
	counts := map[string]int{}
	for _, n := range cat.Nodes() {
		if n.EffectiveStatus() != moniker.StatusActive {
			continue
		}
		d := n.Domain
		if d == "" {
			d = moniker.Root(n.Path)
		}
		counts[d]++
	}
	out := make(catalog.Counts, 0, len(counts))
	for k, n := range counts {
		out = append(out, catalog.Count{Key: k, N: n})
	}
	slices.SortFunc(out, func(a, b catalog.Count) int {
		if a.N != b.N {
			return b.N - a.N
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out
}
