package resolverapi

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/browsertest"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/catalog/gen"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/resolve"
)

// serveResolver serves the resolver's route table (as cmd/monikerd
// registers it) over a real listener for snap.
func serveResolver(t *testing.T, snap *resolve.Snapshot) *httptest.Server {
	t.Helper()
	s := New(Config{Snapshot: func() *resolve.Snapshot { return snap }})
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), s.Routes())
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// TestUIPage checks the page's HTTP answer: HTML, a strict CSP whose
// hashes match the inline script and style, revalidation by ETag.
func TestUIPage(t *testing.T) {
	srv := serveResolver(t, sampleSnapshot(t))
	res, err := http.Get(srv.URL + "/ui")
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var body strings.Builder
	if _, err := bufio.NewReader(res.Body).WriteTo(&body); err != nil {
		t.Fatal(err)
	}
	if res.StatusCode != http.StatusOK || res.Header.Get("Content-Type") != "text/html; charset=utf-8" {
		t.Fatalf("GET /ui: %d %s", res.StatusCode, res.Header.Get("Content-Type"))
	}
	csp := res.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "connect-src 'self'", "frame-ancestors 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	if strings.Contains(csp, "unsafe") {
		t.Errorf("CSP %q allows unsafe sources", csp)
	}
	inline := map[string]*regexp.Regexp{
		"script-src": regexp.MustCompile(`(?s)<script>(.*?)</script>`),
		"style-src":  regexp.MustCompile(`(?s)<style>(.*?)</style>`),
	}
	for directive, re := range inline {
		m := re.FindAllStringSubmatch(body.String(), -1)
		if len(m) != 1 {
			t.Fatalf("%d inline elements for %s, want 1", len(m), directive)
		}
		if want := directive + " " + cspHash(m[0][1]) + ";"; !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}

	req, _ := http.NewRequest(http.MethodGet, srv.URL+"/ui", nil)
	req.Header.Set("If-None-Match", res.Header.Get("ETag"))
	res2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res2.Body.Close()
	if res2.StatusCode != http.StatusNotModified {
		t.Errorf("GET /ui with its ETag: %d, want 304", res2.StatusCode)
	}
}

// TestUIBrowser drives the page in headless Chromium against our test
// catalog: the tree by keyboard and mouse, search with highlighted
// matches, the node panel (owners and where they are inherited from, the
// rendered query, the JSON links, copy), and the error state of an
// unknown path.
func TestUIBrowser(t *testing.T) {
	srv := serveResolver(t, sampleSnapshot(t))
	tab := browsertest.New(t)
	tab.Do(chromedp.Navigate(srv.URL + "/ui"))
	tab.WaitFor(`document.querySelector('#tree [data-path="prices"]')`)
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#tree > [role=treeitem]').length`); n < 5 {
		t.Fatalf("%d roots in the tree, want the sample's roots", n)
	}

	// Keyboard: focus prices, ArrowRight expands it (children fetched
	// now), ArrowDown moves to its first child, Enter selects it.
	tab.Do(chromedp.Focus(`#tree [data-path="prices"]`), chromedp.KeyEvent(kb.ArrowRight))
	tab.WaitFor(`document.querySelector('[data-path="prices"]').getAttribute('aria-expanded') === 'true' && document.querySelector('[data-path="prices"] [data-path="prices.equity"]')`)
	tab.Do(chromedp.KeyEvent(kb.ArrowDown))
	if got := browsertest.Eval[string](tab, `document.activeElement.dataset.path`); got != "prices.equity" {
		t.Fatalf("ArrowDown focused %q, want prices.equity", got)
	}
	tab.Do(chromedp.KeyEvent(kb.Enter))
	tab.WaitFor(`document.querySelector('#ownership') && document.querySelector('#query')`)

	owner := browsertest.Eval[string](tab, `document.querySelector('#ownership tr[data-field=accountable_owner]').textContent`)
	if !strings.Contains(owner, "pricing-owners@firm.com") || !strings.Contains(owner, "inherited from prices") {
		t.Errorf("accountable owner row %q, want the value inherited from prices", owner)
	}
	query := browsertest.Eval[string](tab, `document.querySelector('#query').textContent`)
	if !strings.Contains(query, "FROM EQUITY_CLOSE") {
		t.Errorf("rendered query %q, want the EQUITY_CLOSE query", query)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('#node-title').textContent`); got != "Equity Closes" {
		t.Errorf("title %q, want Equity Closes", got)
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('#panel').textContent`); strings.Contains(got, "null") || strings.Contains(got, "undefined") {
		t.Errorf("panel shows a missing value as text: %q", got)
	}
	links := browsertest.Eval[[]string](tab, `Array.from(document.querySelectorAll('.node-links a')).map(a => a.getAttribute('href'))`)
	if strings.Join(links, " ") != "/resolve/prices.equity /describe/prices.equity /lineage/prices.equity /metadata/prices.equity" {
		t.Errorf("JSON links %v", links)
	}
	if sel := browsertest.Eval[string](tab, `document.querySelector('[aria-selected=true]').dataset.path`); sel != "prices.equity" {
		t.Errorf("selected tree item %q", sel)
	}
	// Copy: the Clipboard API, or the selection fallback; either toasts.
	tab.Do(chromedp.Click(`#copy-query`))
	tab.WaitFor(`document.querySelector('#toasts .toast')`)

	// ArrowLeft from the child goes to its parent; ArrowLeft there collapses.
	tab.Do(chromedp.Focus(`#tree [data-path="prices.equity"]`), chromedp.KeyEvent(kb.ArrowLeft), chromedp.KeyEvent(kb.ArrowLeft))
	if got := browsertest.Eval[string](tab, `document.activeElement.dataset.path + ' ' + document.activeElement.getAttribute('aria-expanded')`); got != "prices false" {
		t.Errorf("after ArrowLeft twice: focus and state %q, want prices collapsed", got)
	}
	// Mouse: the twisty of a root expands it.
	tab.Do(chromedp.Click(`#tree [data-path="fixed_income"] > .row .twisty`))
	tab.WaitFor(`document.querySelector('[data-path="fixed_income"]').getAttribute('aria-expanded') === 'true'`)

	// Search: matches highlighted with <mark>.
	tab.Do(chromedp.SendKeys(`#q`, "treasury"), chromedp.Click(`#search-form button`))
	tab.WaitFor(`document.querySelector('#results mark')`)
	marks := browsertest.Eval[[]string](tab, `Array.from(document.querySelectorAll('#results mark')).map(m => m.textContent)`)
	for _, m := range marks {
		if strings.ToLower(m) != "treasury" {
			t.Errorf("highlighted %q, want treasury", m)
		}
	}
	if len(marks) < 2 {
		t.Errorf("highlights %v, want the name and the path", marks)
	}
	tab.Screenshot("resolver-ui")

	// A result selects its node.
	tab.Do(chromedp.Click(`#results li > button`))
	tab.WaitFor(`document.querySelector('#node-title') && document.querySelector('#node-title').textContent === 'US Treasury Bonds'`)

	// Error state: an unknown path.
	tab.Do(chromedp.Navigate(srv.URL + "/ui#nothing.here"))
	tab.WaitFor(`document.querySelector('#panel .banner.error')`)
	if got := browsertest.Eval[string](tab, `document.querySelector('#panel .banner.error').textContent`); !strings.Contains(got, "no node nothing.here") {
		t.Errorf("error banner %q", got)
	}
}

// xss is stored in every text field of the XSS test's catalog.
const xss = `<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>`

// TestUIStoredXSS loads a catalog whose every text field is markup and
// checks that nothing of it runs: the tree, a search, the node panel and
// its deprecation banner render it as text. It also checks the successor
// link and the empty state.
func TestUIStoredXSS(t *testing.T) {
	q := strconv.Quote(xss)
	yaml := `xss:
  display_name: ` + q + `
  description: ` + q + `
  domain: ` + q + `
  classification: ` + q + `
  tags: [` + q + `]
  status: deprecated
  deprecation_message: ` + q + `
  successor: xss.next
  sunset_deadline: ` + q + `
  migration_guide_url: ` + q + `
  ownership:
    accountable_owner: ` + q + `
    data_specialist: ` + q + `
    support_channel: ` + q + `
    adop: ` + q + `
    adop_name: ` + q + `
    ads: ` + q + `
    ads_name: ` + q + `
    adal: ` + q + `
    adal_name: ` + q + `
  source_binding:
    type: snowflake
    config:
      account: ` + q + `
      query: ` + q + `
xss.next:
  display_name: ` + q + `
  description: ` + q + `
`
	cat, _, err := catalog.LoadBytes("xss.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	srv := serveResolver(t, resolve.NewSnapshot(cat, nil, resolve.Options{}))
	tab := browsertest.New(t)
	tab.Do(chromedp.Navigate(srv.URL + "/ui"))
	tab.WaitFor(`document.querySelector('#tree [data-path="xss"]')`)
	tab.Do(chromedp.Click(`#tree [data-path="xss"] > .row .name`))
	tab.WaitFor(`document.querySelector('#status-banner') && document.querySelector('#query')`)
	tab.Do(chromedp.SendKeys(`#q`, "img"), chromedp.Click(`#search-form button`))
	tab.WaitFor(`document.querySelector('#results mark')`)
	tab.Screenshot("resolver-ui-xss")

	checks := []struct{ name, expr, want string }{
		{"no script ran", `String(window.__xss)`, "undefined"},
		{"no element from data", `String(document.querySelectorAll('main img, main script').length)`, "0"},
		{"title is text", `document.querySelector('#node-title').textContent`, xss},
		{"query is text", `document.querySelector('#query').textContent`, xss},
		{"owner is text", `document.querySelector('#ownership tr[data-field=adal_name] td').textContent`, xss},
		{"successor link", `document.querySelector('#successor-link').textContent`, "xss.next"},
		{"migration guide is not a link", `document.querySelector('#migration-guide').tagName`, "SPAN"},
	}
	for _, c := range checks {
		if got := browsertest.Eval[string](tab, c.expr); got != c.want {
			t.Errorf("%s: %s = %q, want %q", c.name, c.expr, got, c.want)
		}
	}
	banner := browsertest.Eval[string](tab, `document.querySelector('#status-banner').textContent`)
	if !strings.Contains(banner, "deprecated") || !strings.Contains(banner, xss) {
		t.Errorf("deprecation banner %q", banner)
	}

	// The successor link selects the successor.
	tab.Do(chromedp.Click(`#successor-link`))
	tab.WaitFor(`location.hash === '#xss.next' && document.querySelector('#node-title') && !document.querySelector('#status-banner')`)
	if got := browsertest.Eval[string](tab, `String(window.__xss)`); got != "undefined" {
		t.Errorf("after following the successor: window.__xss = %s", got)
	}

	// Empty state: a catalog with no nodes.
	empty := serveResolver(t, resolve.NewSnapshot(nil, nil, resolve.Options{}))
	tab.Do(chromedp.Navigate(empty.URL + "/ui"))
	tab.WaitFor(`document.querySelector('#tree-empty')`)
}

// TestUIScale opens the browser on a 100,000-node catalog: the server
// spends under a second on the page and its roots, the tree holds only
// what was expanded (children are fetched lazily), and expanding answers
// at once. Skipped with -short.
func TestUIScale(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 100,000-node catalog")
	}
	cat := bigCatalog(t)
	snap := resolve.NewSnapshot(cat, nil, resolve.Options{})
	s := New(Config{Snapshot: func() *resolve.Snapshot { return snap }})
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), s.Routes())
	clock := browsertest.NewServerClock(mux)
	srv := httptest.NewServer(clock)
	t.Cleanup(srv.Close)

	tab := browsertest.New(t)
	tab.Do(chromedp.Navigate(srv.URL + "/ui"))
	tab.WaitFor(`document.querySelectorAll('#tree > [role=treeitem]').length > 0`)
	roots := cat.Roots()
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#tree [role=treeitem]').length`); n != len(roots) {
		t.Errorf("%d tree items after opening, want the %d roots only", n, len(roots))
	}
	open, served, _ := clock.Take()
	if served["/ui"] == 0 || served["/tree"] == 0 {
		t.Errorf("opening the page did not ask for /ui and /tree: %v", served)
	}
	t.Logf("%d roots; server time to open the page: %v", len(roots), open)
	if open > time.Second {
		t.Errorf("server time to open the page on 100,000 nodes: %v, want under 1s", open)
	}

	first := roots[0].Path
	kids := len(cat.Children(first))
	tab.Do(chromedp.Focus(`#tree > [role=treeitem]`), chromedp.KeyEvent(kb.ArrowRight))
	tab.WaitFor(`document.querySelector('#tree > [role=treeitem]').getAttribute('aria-expanded') === 'true'`)
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#tree [role=treeitem]').length`); n != len(roots)+kids {
		t.Errorf("%d tree items after expanding %s, want %d roots + %d children", n, first, len(roots), kids)
	}
	// Responsive: a task queued now runs promptly.
	if d := tab.TaskDelay(); d > 200*time.Millisecond {
		t.Errorf("the page took %v to run a queued task", d)
	}
	tab.Screenshot("resolver-ui-100k")
}

// bigCatalog generates a 100,000-node catalog with internal/catalog/gen
// into a temporary file and loads it.
func bigCatalog(tb testing.TB) *catalog.Catalog {
	tb.Helper()
	file := filepath.Join(tb.TempDir(), "catalog.yaml")
	f, err := os.Create(file)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := gen.Write(w, gen.Options{Nodes: 100_000, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	cat, _, err := catalog.Load(file)
	if err != nil {
		tb.Fatal(err)
	}
	if cat.Len() != 100_000 {
		tb.Fatalf("%d nodes, want 100000", cat.Len())
	}
	return cat
}

// BenchmarkTreeChildren measures what the page asks of the server on a
// 100,000-node catalog: the roots (opening the page) and one node's
// children (expanding it).
func BenchmarkTreeChildren(b *testing.B) {
	cat := bigCatalog(b)
	snap := resolve.NewSnapshot(cat, nil, resolve.Options{})
	h := New(Config{Snapshot: func() *resolve.Snapshot { return snap }}).handleTree()
	roots := cat.Roots()
	b.Run("roots", func(b *testing.B) {
		benchHandler(b, h, func(int) string { return "/tree?depth=0" })
	})
	b.Run("children", func(b *testing.B) {
		benchHandler(b, h, func(i int) string { return "/tree/" + roots[i%len(roots)].Path + "?depth=1" })
	})
}

// TestTreeChildCount checks child_count: the number of children also
// below depth (where children is empty), 0 for a leaf, so the lazy tree
// shows leaves without asking.
func TestTreeChildCount(t *testing.T) {
	snap := sampleSnapshot(t)
	srv := serveResolver(t, snap)
	cat := snap.Catalog()
	var leaf string
	for _, n := range cat.Nodes() {
		if len(cat.Children(n.Path)) == 0 {
			leaf = n.Path
			break
		}
	}
	for _, p := range []string{"prices", leaf} {
		res, err := http.Get(srv.URL + "/tree/" + p + "?depth=0")
		if err != nil {
			t.Fatal(err)
		}
		var got struct {
			ChildCount *int  `json:"child_count"`
			Children   []any `json:"children"`
		}
		err = json.NewDecoder(res.Body).Decode(&got)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		want := len(cat.Children(p))
		if got.ChildCount == nil || *got.ChildCount != want || len(got.Children) != 0 {
			t.Errorf("/tree/%s?depth=0: child_count %v, %d children; want %d and none listed", p, got.ChildCount, len(got.Children), want)
		}
	}
	if len(cat.Children("prices")) == 0 || leaf == "" {
		t.Fatal("the sample catalog lost its shape: want prices with children and a leaf")
	}
}
