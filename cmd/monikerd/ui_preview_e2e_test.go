package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/moniker-svc/moniker/internal/browsertest"
)

// TestCatalogBrowserPreview: /ui's "Preview data" on monikerd serving the
// embedded demo (no config, a fresh data folder): a loading state while
// /fetch runs, then the first 20 rows with each column's type, numbers
// right-aligned and NULL marked; a source type without an adapter shows
// the server's reason. The screenshot is the README's /ui picture.
func TestCatalogBrowserPreview(t *testing.T) {
	tab := browsertest.New(t)
	base := start(t)
	tab.Do(chromedp.Navigate(base + "/ui#prices.equity"))
	tab.WaitFor(`document.querySelector('#preview-moniker') && document.querySelector('#query')`)
	if got := browsertest.Eval[string](tab, `document.getElementById('preview-moniker').value`); got != "prices.equity" {
		t.Errorf("preview moniker %q, want the node's path", got)
	}
	// Nothing runs until asked.
	if n := browsertest.Eval[int](tab, `document.getElementById('preview-out').childElementCount`); n != 0 {
		t.Errorf("the preview ran before it was asked for (%d elements)", n)
	}

	// Hold /fetch's answer to see the loading state.
	browsertest.Eval[bool](tab, `(() => {
		window.__hold = new Promise((r) => { window.__release = r; });
		const f = window.fetch;
		window.fetch = async (...a) => { if (String(a[0]).startsWith('/fetch/')) await window.__hold; return f(...a); };
		return true;
	})()`)
	tab.Do(chromedp.SetValue(`#preview-moniker`, "prices.equity/ALL@20260115"), chromedp.Click(`#preview-run`))
	tab.WaitFor(`document.getElementById('preview-status')`)
	if got := browsertest.Eval[string](tab, `document.getElementById('preview-out').getAttribute('aria-busy') + ' ' + document.getElementById('preview-run').disabled + ' ' + document.getElementById('preview-status').textContent`); !strings.HasPrefix(got, "true true Running the query for prices.equity/ALL@20260115") {
		t.Errorf("loading state %q", got)
	}
	browsertest.Eval[bool](tab, `(window.__release(), true)`)
	tab.WaitFor(`document.getElementById('preview-table')`)

	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#preview-table tbody tr').length`); n != 20 {
		t.Errorf("%d rows, want 20", n)
	}
	heads := browsertest.Eval[[]string](tab, `Array.from(document.querySelectorAll('#preview-table thead th')).map((th) => th.querySelector('.col-name').textContent + ':' + th.querySelector('.col-type').textContent)`)
	if strings.Join(heads, " ") != "ticker:string trade_date:date open:decimal high:decimal low:decimal close:decimal adj_close:decimal volume:int64 dividend:decimal" {
		t.Errorf("columns %v", heads)
	}
	first := browsertest.Eval[[]string](tab, `Array.from(document.querySelectorAll('#preview-table tbody tr:first-child td')).map((td) => td.className + '|' + td.textContent)`)
	if len(first) != 9 || first[0] != "|AAPL" || first[1] != "|2026-01-15" || first[7] != "num|43867635" || first[8] != "null|NULL" {
		t.Errorf("first row %v", first)
	}
	if got := browsertest.Eval[string](tab, `getComputedStyle(document.querySelector('#preview-table tbody td.num')).textAlign`); got != "right" {
		t.Errorf("a number is aligned %q", got)
	}
	if got := browsertest.Eval[string](tab, `document.getElementById('preview-summary').textContent`); !strings.HasPrefix(got, "20 rows") {
		t.Errorf("summary %q", got)
	}
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#preview-out .banner.error').length`); n != 0 {
		t.Errorf("%d error banners next to the rows", n)
	}
	tab.Screenshot("ui-preview")

	// A bound node whose type the service cannot read: the reason.
	tab.Do(chromedp.Navigate("about:blank"), chromedp.Navigate(base+"/ui#prices.equity.realtime"))
	tab.WaitFor(`document.querySelector('#preview-run')`)
	tab.Do(chromedp.Click(`#preview-run`))
	tab.WaitFor(`document.getElementById('preview-error')`)
	msg := browsertest.Eval[string](tab, `document.getElementById('preview-error').textContent`)
	for _, want := range []string{"cannot be read by the service", "bloomberg", "HTTP 501, not_implemented"} {
		if !strings.Contains(msg, want) {
			t.Errorf("501 message %q lacks %q", msg, want)
		}
	}
	if errs := tab.Errors(); len(errs) != 0 {
		t.Errorf("page errors: %v", errs)
	}
}

// TestCatalogBrowserPreviewErrors: on a resolver alone, a source that
// refuses the query (a missing table) shows the driver's message, a
// moniker that is not valid its reason, and values and column names made
// of markup stay text.
func TestCatalogBrowserPreviewErrors(t *testing.T) {
	tab := browsertest.New(t)
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "x.sqlite"))
	if err != nil {
		t.Fatal(err)
	}
	for _, st := range []string{
		`CREATE TABLE t ("<b>col</b>" TEXT, n INTEGER)`,
		`INSERT INTO t VALUES ('<img src=x onerror="window.__xss=1">', 1)`,
	} {
		if _, err := db.Exec(st); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	cat := `
bound:
  source_binding:
    type: sqlite
    config:
      path: x.sqlite
      query: SELECT * FROM t
broken:
  source_binding:
    type: sqlite
    config:
      path: x.sqlite
      query: SELECT * FROM no_such_table
`
	cfg := filepath.Join(dir, "config.yaml")
	for name, body := range map[string]string{"catalog.yaml": cat, "config.yaml": "catalog:\n  definition_file: catalog.yaml\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	base := start(t, "-target=resolver", "-config.file="+cfg)

	tab.Do(chromedp.Navigate(base + "/ui#broken"))
	tab.WaitFor(`document.querySelector('#preview-run')`)
	tab.Do(chromedp.Click(`#preview-run`))
	tab.WaitFor(`document.getElementById('preview-error')`)
	msg := browsertest.Eval[string](tab, `document.getElementById('preview-error').textContent`)
	for _, want := range []string{"The source refused the query.", "no such table", "HTTP 502, source_error"} {
		if !strings.Contains(msg, want) {
			t.Errorf("502 message %q lacks %q", msg, want)
		}
	}
	tab.Screenshot("ui-preview-error")

	tab.Do(chromedp.SetValue(`#preview-moniker`, "broken/a b"), chromedp.Click(`#preview-run`))
	tab.WaitFor(`document.getElementById('preview-error') && document.getElementById('preview-error').textContent.includes('HTTP 400')`)

	tab.Do(chromedp.Navigate("about:blank"), chromedp.Navigate(base+"/ui#bound"))
	tab.WaitFor(`document.querySelector('#preview-run')`)
	tab.Do(chromedp.Click(`#preview-run`))
	tab.WaitFor(`document.getElementById('preview-table')`)
	if got := browsertest.Eval[string](tab, `document.querySelector('#preview-table .col-name').textContent + '|' + document.querySelector('#preview-table tbody td').textContent`); got != `<b>col</b>|<img src=x onerror="window.__xss=1">` {
		t.Errorf("markup cells %q", got)
	}
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#preview img, #preview b').length`); n != 0 {
		t.Errorf("%d elements made from the data", n)
	}
	if browsertest.Eval[bool](tab, `window.__xss === 1`) {
		t.Error("a value's markup ran")
	}
	if errs := tab.Errors(); len(errs) != 0 {
		t.Errorf("page errors: %v", errs)
	}
}
