package main

// Browser tests of the pages that are not edit forms: the landing page,
// the dashboard, the resolver's catalog browser (/ui) and the review
// queue, each against monikerd run in process (startUI).

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/moniker-svc/moniker/internal/browsertest"
)

// pageReady is a JavaScript expression that is true once a management
// page has rendered its heading and is not loading any more.
const pageReady = `document.readyState === 'complete' &&
	Array.from(document.querySelectorAll('main h1, main h2')).some(h => h.textContent.trim() !== '') &&
	!document.querySelector('main [aria-busy="true"]')`

// TestLandingUI: GET / has a card for every management page, and each
// card's link answers 200 and renders its page in the browser.
func TestLandingUI(t *testing.T) {
	env := startUI(t)
	env.open("/")
	env.tab.WaitFor(`document.querySelectorAll('main .cards a').length > 0`)
	hrefs := browsertest.Eval[[]string](env.tab, `Array.from(document.querySelectorAll('main .cards a')).map(a => a.getAttribute('href'))`)
	want := []string{"/ui", "/config/ui", "/domains/ui", "/models/ui", "/requests/ui", "/dashboard", "/docs"}
	for _, w := range want {
		if !slices.Contains(hrefs, w) {
			t.Errorf("the landing page has no card for %s (cards: %v)", w, hrefs)
		}
	}
	// Every card has a title and a description a reader can see.
	if n := browsertest.Eval[int](env.tab, `Array.from(document.querySelectorAll('main .cards a')).filter(a =>
		a.querySelector('.card-title').textContent.trim() === '' || a.querySelector('.card-text').textContent.trim() === '').length`); n != 0 {
		t.Errorf("%d cards without a title or a text", n)
	}
	env.tab.Screenshot("landing")

	for _, href := range hrefs {
		// Follow the card, as a reader does: the navigation it starts
		// answers 200 and the page renders.
		t.Logf("step: follow %s", href)
		env.open("/")
		status := follow(t, env.tab, chromedp.Click(chromedp.CSS(fmt.Sprintf(`main .cards a[href=%q]`, href))))
		if status != 200 {
			t.Errorf("following %s: status %d", href, status)
			continue
		}
		if got := browsertest.Eval[string](env.tab, `location.pathname`); got != href {
			t.Errorf("following %s led to %s", href, got)
		}
		if href == "/docs" {
			env.tab.WaitFor(`document.querySelector('#swagger-ui .info .title')`)
			continue
		}
		env.tab.WaitFor(pageReady)
		if got := browsertest.Eval[string](env.tab, `document.querySelector('header nav a[aria-current="page"]')?.getAttribute('href') ?? ''`); got != href {
			t.Errorf("%s: the navigation marks %q as the current page", href, got)
		}
	}
}

// follow runs an action that navigates (a click on a link) and returns
// the HTTP status of the document it loads.
func follow(t *testing.T, tab *browsertest.Tab, a chromedp.Action[chromedp.Void]) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(tab.Context(), browsertest.StepTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(ctx, a)
	if err != nil {
		t.Fatalf("browser: %v", err)
	}
	return resp.Status
}

// dashboardNumbers reads what the dashboard shows: each chart's bars
// (label and value) and the tiles.
type dashboardNumbers struct {
	Status, Requests, Domains map[string]float64
	Tiles                     map[string]string
}

const readDashboard = `(() => {
	const bars = (id) => Object.fromEntries(Array.from(document.querySelectorAll('#' + id + ' svg g[data-key]'))
		.map(g => [g.dataset.key, Number(g.dataset.value)]));
	const tiles = Object.fromEntries(Array.from(document.querySelectorAll('.tile-value')).map(e => [e.id, e.textContent]));
	return {Status: bars('chart-status'), Requests: bars('chart-requests'), Domains: bars('chart-domains'), Tiles: tiles};
})()`

// wantDashboard is what the dashboard must show for the stats body s.
func wantDashboard(t *testing.T, s map[string]any) dashboardNumbers {
	t.Helper()
	counts := func(v any, nonZero bool) map[string]float64 {
		m := map[string]float64{}
		for k, n := range v.(map[string]any) {
			if n.(float64) != 0 || !nonZero {
				m[k] = n.(float64)
			}
		}
		return m
	}
	n := func(path string) string { return fmt.Sprint(field(t, s, path)) }
	byStatus := counts(field(t, s, "catalog.by_status"), false)
	reqs := counts(field(t, s, "requests.by_status"), false)
	return dashboardNumbers{
		Status:   byStatus,
		Requests: counts(field(t, s, "requests.by_status"), true),
		Domains:  counts(field(t, s, "active_by_domain"), false),
		Tiles: map[string]string{
			"total-nodes":      n("catalog.total"),
			"active-nodes":     fmt.Sprint(byStatus["active"]),
			"total-requests":   n("requests.total"),
			"pending-requests": fmt.Sprint(reqs["pending_review"]),
		},
	}
}

// checkDashboard loads /dashboard and compares its charts and tiles with
// GET /dashboard/api/stats.
func checkDashboard(t *testing.T, env *uiEnv) map[string]any {
	t.Helper()
	stats := get(t, env.base+"/dashboard/api/stats").json(t)
	env.open("/dashboard")
	env.tab.WaitFor(`['chart-status', 'chart-requests', 'chart-domains'].every(id => ['ready', 'empty'].includes(document.getElementById(id).dataset.state))`)
	got := browsertest.Eval[dashboardNumbers](env.tab, readDashboard)
	want := wantDashboard(t, stats)
	if len(want.Domains) > 20 {
		t.Fatalf("%d domains: the chart folds those after the 19th; the test expects our test fixture", len(want.Domains))
	}
	for _, c := range []struct {
		name      string
		got, want map[string]float64
	}{{"nodes by status", got.Status, want.Status}, {"requests by status", got.Requests, want.Requests}, {"active per domain", got.Domains, want.Domains}} {
		if !maps.Equal(c.got, c.want) {
			t.Errorf("chart %s shows %v, the stats say %v", c.name, c.got, c.want)
		}
	}
	if !maps.Equal(got.Tiles, want.Tiles) {
		t.Errorf("tiles show %v, the stats say %v", got.Tiles, want.Tiles)
	}
	return stats
}

// TestDashboardUI: the charts show the numbers of GET /dashboard/api/stats,
// carry a text alternative, and show a submitted and approved request
// after a reload.
func TestDashboardUI(t *testing.T) {
	env := startUI(t)
	before := checkDashboard(t, env)

	checkChartsAccessible(t, env)
	if field(t, before, "requests.total").(float64) == 0 {
		if got := browsertest.Eval[string](env.tab, `document.querySelector('#chart-requests .empty-state')?.textContent ?? ''`); got != "No requests yet." {
			t.Errorf("requests chart without requests shows %q, want its empty state", got)
		}
	}
	// A recent request links to the review queue.
	if got := browsertest.Eval[string](env.tab, `document.querySelector('#recent tr[data-id] a')?.getAttribute('href') ?? ''`); got != "" && !strings.HasPrefix(got, "/requests/ui#") {
		t.Errorf("recent request link %q", got)
	}

	// Submit and approve a request: one more node, one more approved
	// request.
	body := `{"path":"prices.equity/dashboard_e2e","display_name":"Dashboard E2E","description":"d","justification":"needed",
	  "requester":{"name":"P","email":"p@firm.com"},"adop":"owner@firm.com",
	  "source_binding_type":"snowflake","source_binding_config":{"database":"X","query":"SELECT 1"},"tags":["e2e"]}`
	r := do(t, "POST", env.base+"/requests", body)
	if r.status != 200 && r.status != 201 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	id, _ := r.json(t)["request_id"].(string)
	if r := do(t, "POST", env.base+"/requests/"+id+"/approve", `{"actor":"approver@firm.com","reason":"ok"}`); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	after := checkDashboard(t, env)
	checkChartsAccessible(t, env)
	for _, c := range []struct {
		path  string
		delta float64
	}{{"catalog.total", 1}, {"requests.total", 1}, {"requests.by_status.approved", 1}} {
		if d := field(t, after, c.path).(float64) - field(t, before, c.path).(float64); d != c.delta {
			t.Errorf("%s changed by %v, want %v", c.path, d, c.delta)
		}
	}
	if got := browsertest.Eval[string](env.tab, `document.querySelector('#recent tr[data-id="`+id+`"] td:nth-child(2)')?.textContent ?? ''`); got != "prices.equity/dashboard_e2e" {
		t.Errorf("recent requests show %q for %s", got, id)
	}
	env.tab.Screenshot("dashboard")
}

// checkChartsAccessible: each drawn chart is an image with a text
// alternative naming its numbers, and a data table with the same numbers.
func checkChartsAccessible(t *testing.T, env *uiEnv) {
	t.Helper()
	for _, id := range []string{"chart-status", "chart-requests", "chart-domains"} {
		if browsertest.Eval[string](env.tab, `document.getElementById('`+id+`').dataset.state`) == "empty" {
			continue // no requests yet: an empty state, checked after the approval
		}
		label := browsertest.Eval[string](env.tab, `document.querySelector('#`+id+` svg').getAttribute('role') + '|' + document.querySelector('#`+id+` svg').getAttribute('aria-label')`)
		if !strings.HasPrefix(label, "img|") || !strings.ContainsAny(label, "0123456789") {
			t.Errorf("%s: role|aria-label = %q, want an img labelled with its numbers", id, label)
		}
		if ok := browsertest.Eval[bool](env.tab, `Array.from(document.querySelectorAll('#`+id+` svg g[data-key]')).every(g =>
			document.querySelector('#`+id+` table tr[data-key="' + CSS.escape(g.dataset.key) + '"] td').textContent === g.dataset.value)`); !ok {
			t.Errorf("%s: the data table does not match the bars", id)
		}
	}
}

// TestCatalogBrowserUI: /ui on the all target and on a resolver alone:
// the tree's roots, a node's children fetched on expand, a search with
// its matches highlighted, and a selected node's rendered query.
func TestCatalogBrowserUI(t *testing.T) {
	env := startUI(t)
	resolver := start(t, "-target=resolver", "-config.file="+env.cfg)
	for _, c := range []struct {
		name, base, shot string
		management       bool
	}{
		{"all", env.base, "ui", true},
		{"resolver", resolver, "ui-resolver", false},
	} {
		t.Run(c.name, func(t *testing.T) {
			checkCatalogBrowser(t, env.tab, c.base)
			checkCatalogDeepLink(t, env.tab, c.base, c.management)
			env.tab.Screenshot(c.shot)
		})
	}
}

// checkCatalogDeepLink opens /ui#<a node three levels down>: the tree is
// expanded down to it and it is selected. With the management pages in
// the process (the all target) the panel links to the Config UI and lists
// the business models whose patterns match; on a resolver alone neither.
func checkCatalogDeepLink(t *testing.T, tab *browsertest.Tab, base string, management bool) {
	const node = "fixed_income/govies/treasury"
	tab.Do(chromedp.Navigate("about:blank"), chromedp.Navigate(base+"/ui#"+node))
	tab.WaitFor(`document.querySelector('#tree [role=treeitem][data-path="` + node + `"][aria-selected="true"]') && document.getElementById('query')`)
	for _, a := range []string{"fixed_income", "fixed_income/govies"} {
		if got := browsertest.Eval[string](tab, `document.querySelector('#tree [data-path="`+a+`"]').getAttribute('aria-expanded')`); got != "true" {
			t.Errorf("ancestor %s: aria-expanded %q, want true", a, got)
		}
	}
	if !management {
		if n := browsertest.Eval[int](tab, `document.querySelectorAll('#edit-link, #models').length`); n != 0 {
			t.Errorf("a resolver alone links to management pages (%d elements)", n)
		}
		return
	}
	var models struct {
		Models []struct {
			DisplayName string `json:"display_name"`
		} `json:"models"`
	}
	if err := json.Unmarshal(get(t, base+"/models/for-moniker/"+node).body, &models); err != nil || len(models.Models) == 0 {
		t.Fatalf("GET /models/for-moniker/%s: %v (%d models)", node, err, len(models.Models))
	}
	tab.WaitFor(`document.querySelectorAll('#models .model-card').length === ` + fmt.Sprint(len(models.Models)))
	cards := browsertest.Eval[[]string](tab, `Array.from(document.querySelectorAll('#models .model-card a')).map(a => a.textContent)`)
	for i, m := range models.Models {
		if i >= len(cards) || cards[i] != m.DisplayName {
			t.Errorf("model cards %v, /models/for-moniker says %v", cards, models.Models)
			break
		}
	}
	if href := browsertest.Eval[string](tab, `document.getElementById('edit-link').getAttribute('href')`); href != "/config/ui#"+url.QueryEscape(node) {
		t.Errorf("edit link %q", href)
	}
}

func checkCatalogBrowser(t *testing.T, tab *browsertest.Tab, base string) {
	var roots []struct {
		Path       string `json:"path"`
		ChildCount int    `json:"child_count"`
	}
	if err := json.Unmarshal(get(t, base+"/tree?depth=0").body, &roots); err != nil || len(roots) == 0 {
		t.Fatalf("GET /tree: %v (%d roots)", err, len(roots))
	}
	tab.Do(chromedp.Navigate(base + "/ui"))
	tab.WaitFor(`document.querySelectorAll('#tree > [role=treeitem]').length > 0`)
	got := browsertest.Eval[[]string](tab, `Array.from(document.querySelectorAll('#tree > [role=treeitem]')).map(li => li.dataset.path)`)
	var want []string
	for _, r := range roots {
		want = append(want, r.Path)
	}
	if !slices.Equal(got, want) {
		t.Errorf("tree roots %v, GET /tree says %v", got, want)
	}

	// Expand "prices": its children are fetched and shown one level down.
	const parent = "prices"
	var sub struct {
		Children []struct {
			Path string `json:"path"`
		} `json:"children"`
	}
	if err := json.Unmarshal(get(t, base+"/tree/"+parent+"?depth=1").body, &sub); err != nil || len(sub.Children) == 0 {
		t.Fatalf("GET /tree/%s: %v (%d children)", parent, err, len(sub.Children))
	}
	item := `#tree > [role=treeitem][data-path="` + parent + `"]`
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('`+item+` [role=treeitem]').length`); n != 0 {
		t.Fatalf("%d children rendered before expanding", n)
	}
	tab.Do(chromedp.Click(chromedp.CSS(item + ` > .row > .twisty`)))
	tab.WaitFor(`document.querySelector('` + item + `').getAttribute('aria-expanded') === 'true'`)
	kids := browsertest.Eval[[]string](tab, `Array.from(document.querySelectorAll('`+item+` > ul > [role=treeitem]')).map(li => li.dataset.path)`)
	var wantKids []string
	for _, c := range sub.Children {
		wantKids = append(wantKids, c.Path)
	}
	if !slices.Equal(kids, wantKids) {
		t.Errorf("children of %s: %v, GET /tree says %v", parent, kids, wantKids)
	}
	if lvl := browsertest.Eval[string](tab, `document.querySelector('`+item+` > ul > [role=treeitem]').getAttribute('aria-level')`); lvl != "2" {
		t.Errorf("a child's aria-level = %q, want 2", lvl)
	}

	// Search: results as the API returns them, every match marked.
	const q = "prices"
	var found struct {
		Results []struct {
			Path string `json:"path"`
		} `json:"results"`
	}
	if err := json.Unmarshal(get(t, base+"/catalog/search?limit=50&q="+q).body, &found); err != nil || len(found.Results) == 0 {
		t.Fatalf("GET /catalog/search: %v (%d results)", err, len(found.Results))
	}
	tab.Do(
		chromedp.SendKeys(chromedp.CSS(`#q`), q),
		chromedp.Click(chromedp.CSS(`#search-form button[type=submit]`)),
	)
	tab.WaitFor(fmt.Sprintf(`document.querySelectorAll('#results button').length === %d`, len(found.Results)))
	marks := browsertest.Eval[[]string](tab, `Array.from(document.querySelectorAll('#results mark')).map(m => m.textContent)`)
	if len(marks) < len(found.Results) {
		t.Errorf("%d highlighted matches for %d results", len(marks), len(found.Results))
	}
	for _, m := range marks {
		if strings.ToLower(m) != q {
			t.Errorf("highlighted %q, want only %q", m, q)
		}
	}
	if status := browsertest.Eval[string](tab, `document.getElementById('search-status').textContent`); !strings.HasPrefix(status, fmt.Sprint(len(found.Results))+" result") {
		t.Errorf("search status %q", status)
	}

	// Select prices.equity from the results: its rendered query shows.
	const node = "prices.equity"
	resolved := get(t, base+"/resolve/"+node).json(t)
	if !browsertest.Eval[bool](tab, `(() => { const b = Array.from(document.querySelectorAll('#results button')).find(b => b.querySelector('.r-path').textContent === '`+node+`'); if (b) b.click(); return !!b; })()`) {
		t.Fatalf("no search result for %s", node)
	}
	tab.WaitFor(`location.hash === '#` + url.PathEscape(node) + `' && document.getElementById('query') !== null`)
	if got, want := browsertest.Eval[string](tab, `document.getElementById('query').textContent`), resolved["query"]; got != want {
		t.Errorf("the page shows query %q, /resolve renders %q", got, want)
	}
	if got := browsertest.Eval[string](tab, `document.getElementById('node-title').textContent`); got != "Equity Closes" {
		t.Errorf("node title %q", got)
	}
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#tree [aria-selected="true"]').length`); n != 1 {
		t.Errorf("%d tree items selected, want the shown node", n)
	}
}

// TestReviewQueueUI: a request submitted through the page's form and
// approved in its dialog becomes a node the same process resolves, and
// /ui shows it.
func TestReviewQueueUI(t *testing.T) {
	env := startUI(t)
	const path = "commodities.energy/review_e2e_feed"
	if r := get(t, env.base+"/tree/"+path+"?depth=0"); r.status != 404 {
		t.Fatalf("%s is in the catalog before the request: %d", path, r.status)
	}
	t.Log("step: submit through the form")
	env.open("/requests/ui")
	env.tab.Do(
		chromedp.WaitVisible(chromedp.CSS(`#req-list[data-state="ready"]`)),
		chromedp.Click(chromedp.CSS(`.cfg-side details > summary`)),
		chromedp.SendKeys(chromedp.CSS(`#actor`), "reviewer@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#actor-name`), "Rita Reviewer"),
		chromedp.Click(chromedp.CSS(`#new-request`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-dialog[open] #nr-path`)),
		chromedp.SendKeys(chromedp.CSS(`#nr-path`), path),
		chromedp.SendKeys(chromedp.CSS(`#nr-display-name`), "Review E2E feed"),
		chromedp.SendKeys(chromedp.CSS(`#nr-justification`), "Needed by the e2e test"),
		chromedp.SendKeys(chromedp.CSS(`#nr-req-name`), "Ann Requester"),
		chromedp.SendKeys(chromedp.CSS(`#nr-req-email`), "ann@example.com"),
		chromedp.SetValue(chromedp.CSS(`#nr-adop`), "owner@example.com"),
		chromedp.SetValue(chromedp.CSS(`#nr-source-type`), "snowflake"),
		chromedp.SetValue(chromedp.CSS(`#nr-source-config`), `{"database": "ENERGY", "query": "SELECT * FROM FEED"}`),
		chromedp.Click(chromedp.CSS(`#new-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#detail[data-status="pending_review"] #btn-approve`)),
	)
	id := browsertest.Eval[string](env.tab, `document.getElementById('detail').dataset.id`)
	if !strings.HasSuffix(browsertest.Eval[string](env.tab, `location.hash`), id) {
		t.Errorf("the URL does not deep-link the shown request %s", id)
	}
	if r := get(t, env.base+"/tree/"+path+"?depth=0"); r.status != 404 {
		t.Fatalf("a pending request is in the catalog: %d %s", r.status, r.body)
	}

	t.Log("step: approve in the dialog")
	env.tab.Do(
		chromedp.Click(chromedp.CSS(`#btn-approve`)),
		chromedp.WaitVisible(chromedp.CSS(`#review-dialog[open] #review-reason`)),
		chromedp.SendKeys(chromedp.CSS(`#review-reason`), "Approved by the e2e test"),
		chromedp.Click(chromedp.CSS(`#review-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`#detail[data-status="approved"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#review-dialog[open]`)),
	)
	env.tab.Screenshot("requests-ui")
	if r := get(t, env.base+"/requests/"+id).json(t); r["status"] != "approved" || r["reviewed_by"] != "reviewer@example.com" {
		t.Errorf("request %s after approval: status %v reviewed_by %v", id, r["status"], r["reviewed_by"])
	}

	t.Log("step: the node resolves and /ui shows it")
	eventually(t, 10*time.Second, "the approved node in the catalog", func() bool {
		return get(t, env.base+"/tree/"+path+"?depth=0").status == 200
	})
	v := get(t, env.base+"/resolve/"+path).json(t)
	if v["query"] != "SELECT * FROM FEED" || field(t, v, "ownership.adop") != "owner@example.com" {
		t.Errorf("the approved node resolves to %v", v)
	}
	env.open("/ui#" + path)
	env.tab.WaitFor(`document.getElementById('node-title')?.textContent === 'Review E2E feed' && document.getElementById('query') !== null`)
	if got := browsertest.Eval[string](env.tab, `document.getElementById('query').textContent`); got != "SELECT * FROM FEED" {
		t.Errorf("/ui shows query %q", got)
	}
}
