package managementapi_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/moniker-svc/moniker/internal/browsertest"
	"github.com/moniker-svc/moniker/internal/catalog/gen"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/domains"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/models"
	"github.com/moniker-svc/moniker/internal/requests"
)

// scaleNodes is the catalog size the pages must stay fast on.
const scaleNodes = 100_000

// bigEditor generates a scaleNodes catalog with internal/catalog/gen into
// a temporary file and opens a catalog editor on it.
func bigEditor(tb testing.TB) *catalogedit.Editor {
	tb.Helper()
	p := filepath.Join(tb.TempDir(), "catalog.yaml")
	f, err := os.Create(p)
	if err != nil {
		tb.Fatal(err)
	}
	w := bufio.NewWriter(f)
	if err := gen.Write(w, gen.Options{Nodes: scaleNodes, Seed: 1}); err != nil {
		tb.Fatal(err)
	}
	if err := w.Flush(); err != nil {
		tb.Fatal(err)
	}
	if err := f.Close(); err != nil {
		tb.Fatal(err)
	}
	ed, err := catalogedit.Open(p, catalogedit.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	if n := ed.View().Len(); n != scaleNodes {
		tb.Fatalf("%d nodes, want %d", n, scaleNodes)
	}
	return ed
}

// TestPagesScale opens every management page in the browser against a
// 100,000-node catalog (our test domains and models, the demo
// requests) and checks the server time each page costs until it has
// rendered its main content: under a second, all its requests included.
// The page must stay responsive too.
func TestPagesScale(t *testing.T) {
	if testing.Short() {
		t.Skip("generates a 100,000-node catalog")
	}
	dir := t.TempDir()
	ed := bigEditor(t)
	dr, err := domains.Open(fixtures.Copy(t, "domains.yaml", dir, "domains.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	mr, err := models.Open(fixtures.Copy(t, "models.yaml", dir, "models.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	wf, err := requests.Open(filepath.Join(dir, "requests.yaml"), requests.Options{})
	if err != nil {
		t.Fatal(err)
	}
	demo, err := os.ReadFile(fixtures.File(t, "demo_requests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := wf.ImportScenario(context.Background(), demo, ""); err != nil {
		t.Fatal(err)
	}
	clock := browsertest.NewServerClock(pagesMux(t, managementapi.Config{Catalog: ed, Domains: dr, Models: mr, Requests: wf}))
	srv := httptest.NewServer(clock)
	t.Cleanup(srv.Close)
	node := ed.View().Nodes()[scaleNodes/2].Path

	// Each page and what shows that it has rendered its main content;
	// every page must also have stopped being busy.
	const notBusy = `!document.querySelector('main [aria-busy="true"]')`
	pages := []struct {
		path, ready string
	}{
		{"/", `document.querySelectorAll('main .cards a').length > 0`},
		{"/dashboard", `['chart-status', 'chart-requests', 'chart-domains'].every(id => ['ready', 'empty'].includes(document.getElementById(id).dataset.state))
			&& document.querySelector('#total-nodes').textContent === '` + fmt.Sprint(scaleNodes) + `'`},
		{"/config/ui", `document.querySelectorAll('#tree [role=treeitem]').length > 0`},
		{"/config/ui#" + node, `document.querySelectorAll('#tree [role=treeitem]').length > 0 && document.getElementById('node-title').textContent.trim() !== ''`},
		{"/requests/ui", `document.querySelector('#req-list[data-state="ready"] [data-id]')`},
		{"/domains/ui", `document.querySelector('main tbody tr, main [role=treeitem]')`},
		{"/models/ui", `document.querySelectorAll('#tree [role=treeitem]').length > 0`},
		{"/models/ui#market.prices/mid", `document.querySelectorAll('#tree [role=treeitem]').length > 0 && document.querySelector('main h2, main h3') &&
			Array.from(document.querySelectorAll('main')).some(m => m.textContent.includes('Halfway between the best bid'))`},
	}
	tab := browsertest.New(t)
	var report []string
	for _, p := range pages {
		tab.Do(chromedp.Navigate("about:blank")) // a fresh load each time, also for a hash
		clock.Take()
		tab.Do(chromedp.Navigate(srv.URL + p.path))
		tab.WaitFor(p.ready + " && " + notBusy)
		total, by, n := clock.Take()
		var parts []string
		for path, d := range by {
			parts = append(parts, fmt.Sprintf("%s %v", path, d.Round(time.Microsecond)))
		}
		sort.Strings(parts)
		report = append(report, fmt.Sprintf("%-44s %9v server time in %2d requests", p.path, total.Round(10*time.Microsecond), n))
		t.Logf("%s: %v server time in %d requests (%s)", p.path, total.Round(10*time.Microsecond), n, strings.Join(parts, ", "))
		if total > time.Second {
			t.Errorf("%s on %d nodes: %v of server time, want under 1s", p.path, scaleNodes, total)
		}
		if strings.HasPrefix(p.path, "/config/ui#") {
			tab.Screenshot("config-ui-100k")
		}
		// Responsive: a task queued now runs promptly.
		if d := tab.TaskDelay(); d > 200*time.Millisecond {
			t.Errorf("%s: the page took %v to run a queued task", p.path, d)
		}
	}
	t.Logf("server time per page on %d nodes:\n%s", scaleNodes, strings.Join(report, "\n"))
}
