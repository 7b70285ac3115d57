package main

// Browser tests of the web pages against a real monikerd process: each
// page is loaded from `monikerd -target=all` on a temp copy of the f206ffd
// fixtures (catalog, domains, models, requests) and driven by headless
// Chromium (internal/browsertest). Page-specific scenarios live in
// ui_<page>_e2e_test.go files; screenshots go to artifacts/screenshots/.

import (
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

// startUI starts monikerd -target=all on the f206ffd fixtures (no reload
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
