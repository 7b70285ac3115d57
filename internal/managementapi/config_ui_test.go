package managementapi_test

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/moniker-svc/moniker/internal/browsertest"
	"github.com/moniker-svc/moniker/internal/catalog/gen"
	"github.com/moniker-svc/moniker/internal/catalogedit"
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
	p := filepath.Join(t.TempDir(), "catalog.yaml")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := gen.Write(f, gen.Options{Nodes: 100_000, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	ed, err := catalogedit.Open(p, catalogedit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ed.View() // index the catalog before timing, as a running server has
	mux := pagesMux(t, managementapi.Config{Catalog: ed})
	var mu sync.Mutex
	served := map[string]time.Duration{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		mux.ServeHTTP(w, r)
		mu.Lock()
		served[r.URL.Path] += time.Since(start)
		mu.Unlock()
	}))
	t.Cleanup(srv.Close)

	tab := browsertest.New(t)
	tab.Do(chromedp.Navigate(srv.URL + "/config/ui"))
	tab.WaitFor(`document.querySelectorAll('#tree > [role=treeitem]').length > 0 && /entr/.test(document.getElementById('tree-count').textContent)`)
	mu.Lock()
	var open time.Duration
	var parts []string
	for path, d := range served {
		open += d
		parts = append(parts, path+" "+d.Round(time.Millisecond).String())
	}
	mu.Unlock()
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
	if ms := browsertest.Eval[float64](tab, `new Promise(r => { const t0 = performance.now(); setTimeout(() => r(performance.now() - t0), 0); })`); ms > 200 {
		t.Errorf("the page took %.0f ms to run a queued task", ms)
	}
	tab.Screenshot("config-ui-100k")
}
