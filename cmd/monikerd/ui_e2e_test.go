package main

// Browser tests of the web pages against monikerd run in process: each
// page is loaded from `monikerd -target=all` on a temp copy of our test
// fixtures (testdata/: catalog, domains, models, requests) and driven by headless
// Chromium (internal/browsertest). Page-specific scenarios live in
// ui_<page>_e2e_test.go files; screenshots go to artifacts/screenshots/.

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/moniker-svc/moniker/internal/browsertest"
)

// uiEnv is one monikerd -target=all and a browser tab.
type uiEnv struct {
	base string // http://127.0.0.1:port
	cfg  string // the config file; its folder holds the YAML files
	tab  *browsertest.Tab
}

// startUI starts monikerd -target=all on our test fixtures (no reload
// polling: management writes reload the resolver at once in this target)
// and a browser.
func startUI(t *testing.T, args ...string) *uiEnv {
	t.Helper()
	tab := browsertest.New(t) // skips (or fails on CI) before starting anything
	cfg := planeConfig(t, "0", false)
	base := start(t, append([]string{"-target=all", "-config.file=" + cfg}, args...)...)
	return &uiEnv{base: base, cfg: cfg, tab: tab}
}

// open navigates the tab to base+path and waits until the page has loaded.
func (e *uiEnv) open(path string) {
	e.tab.Do(chromedp.Navigate(e.base + path))
}

// TestPagesNavigation checks that each target's pages link to the pages
// that target serves: in the all target the resolver's catalog browser
// and the management pages link to each other; alone, neither links to
// pages its process does not serve.
func TestPagesNavigation(t *testing.T) {
	cfg := planeConfig(t, "0", false)
	all := start(t, "-target=all", "-config.file="+cfg)
	resolver := start(t, "-target=resolver", "-config.file="+cfg)
	mgmt := start(t, "-target=management", "-config.file="+cfg)
	cases := []struct {
		base, page, link string
		want             bool
	}{
		{all, "/ui", `href="/config/ui"`, true},
		{all, "/ui", `href="/requests/ui"`, true},
		{all, "/config/ui", `href="/ui"`, true},
		{all, "/", `href="/ui"`, true},
		{resolver, "/ui", `href="/config/ui"`, false},
		{mgmt, "/config/ui", `href="/ui"`, false},
		{mgmt, "/", `href="/ui"`, false},
		{mgmt, "/", `href="/domains/ui"`, true},
	}
	for _, c := range cases {
		r := get(t, c.base+c.page)
		if r.status != 200 {
			t.Errorf("%s%s: %d", c.base, c.page, r.status)
			continue
		}
		if got := strings.Contains(string(r.body), c.link); got != c.want {
			t.Errorf("%s%s links %s: %v, want %v", c.base, c.page, c.link, got, c.want)
		}
	}
}
