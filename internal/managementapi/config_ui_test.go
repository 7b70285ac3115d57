package managementapi_test

import (
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/moniker-svc/moniker/internal/browsertest"
	"github.com/moniker-svc/moniker/internal/managementapi"
)

// TestConfigUIScale opens /config/ui on a 100,000-node catalog in headless
// Chromium and measures the server time of everything the page asks for
// while opening (the page, its assets, the /config/nodes summary pages,
// the source types): under a second. The tree then renders only the top
// level, expands on demand, and the page stays responsive.
func TestConfigUIScale(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 100,000-node catalog")
	}
	ed := bigEditor(t)
	clock := browsertest.NewServerClock(pagesMux(t, managementapi.Config{Catalog: ed}))
	srv := httptest.NewServer(clock)
	t.Cleanup(srv.Close)

	tab := browsertest.New(t)
	tab.Do(chromedp.Navigate(srv.URL + "/config/ui"))
	tab.WaitFor(`document.querySelectorAll('#tree > [role=treeitem]').length > 0 && /entr/.test(document.getElementById('tree-count').textContent)`)
	open, served, _ := clock.Take()
	var parts []string
	for path, d := range served {
		parts = append(parts, path+" "+d.Round(time.Millisecond).String())
	}
	t.Logf("server time to open /config/ui on 100,000 nodes: %v (%s)", open, strings.Join(parts, ", "))
	if open > time.Second {
		t.Errorf("server time to open /config/ui on 100,000 nodes: %v, want under 1s", open)
	}
	roots := browsertest.Eval[int](tab, `document.querySelectorAll('#tree > [role=treeitem]').length`)
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#tree [role=treeitem]').length`); n != roots {
		t.Errorf("%d tree items after opening, want the %d top-level ones only", n, roots)
	}

	// Expanding the first entry renders its children only.
	tab.Do(chromedp.Focus(`#tree > [role=treeitem]`), chromedp.KeyEvent(kb.ArrowRight))
	tab.WaitFor(`document.querySelector('#tree > [role=treeitem]').getAttribute('aria-expanded') === 'true'`)
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#tree [role=treeitem]').length`); n <= roots || n > roots+400 {
		t.Errorf("%d tree items after expanding one entry of %d", n, roots)
	}
	// Responsive: a task queued now runs promptly.
	if d := tab.TaskDelay(); d > 200*time.Millisecond {
		t.Errorf("the page took %v to run a queued task", d)
	}
	tab.Screenshot("config-ui-100k")
}
