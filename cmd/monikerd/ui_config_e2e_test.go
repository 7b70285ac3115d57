package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/moniker-svc/moniker/internal/browsertest"
)

// TestConfigUI drives /config/ui against monikerd -target=all on the
// our test fixtures: keyboard navigation of the tree, search, an edit of a
// query template that /resolve shows at once, live validation of the
// query, a new bound node created through the form, a save conflict with
// the catalog file changed behind the page, and a delete.
func TestConfigUI(t *testing.T) {
	env := startUI(t)
	tab := env.tab
	step := func(s string) { t.Helper(); t.Logf("step: %s", s) }
	loaded := func(p string) string {
		return `document.getElementById('f-path').value === ` + jsString(p) + ` && !document.getElementById('node-form').hidden`
	}
	focused := `document.activeElement && document.activeElement.dataset ? document.activeElement.dataset.path : ''`

	step("open the page")
	env.open("/config/ui")
	tab.WaitFor(`document.querySelectorAll('#tree > [role=treeitem]').length > 0`)
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#tree [role=treeitem][tabindex="0"]').length`); n != 1 {
		t.Errorf("%d tree items in the tab order, want 1 (roving tabindex)", n)
	}
	if got := browsertest.Eval[string](tab, `(document.querySelector('#tree [data-path="benchmarks"] .domain-badge') || {}).textContent || ''`); got != "BMK" {
		t.Errorf("benchmarks domain badge %q, want BMK", got)
	}

	step("keyboard navigation")
	first := browsertest.Eval[string](tab, `document.querySelector('#tree > [role=treeitem]').dataset.path`)
	tab.Do(chromedp.Focus(`#tree > [role=treeitem][tabindex="0"]`))
	if got := browsertest.Eval[string](tab, focused); got != first {
		t.Fatalf("focused %q, want the first entry %q", got, first)
	}
	tab.Do(chromedp.KeyEvent(kb.End))
	last := browsertest.Eval[string](tab, `Array.from(document.querySelectorAll('#tree > [role=treeitem]')).pop().dataset.path`)
	if got := browsertest.Eval[string](tab, focused); got != last {
		t.Errorf("End focused %q, want %q", got, last)
	}
	tab.Do(chromedp.KeyEvent(kb.Home))
	if got := browsertest.Eval[string](tab, focused); got != first {
		t.Errorf("Home focused %q, want %q", got, first)
	}
	// Down to "benchmarks", Right opens it, Right enters it, Enter opens the node.
	for i := 0; i < 50 && browsertest.Eval[string](tab, focused) != "benchmarks"; i++ {
		tab.Do(chromedp.KeyEvent(kb.ArrowDown))
	}
	if got := browsertest.Eval[string](tab, focused); got != "benchmarks" {
		t.Fatalf("ArrowDown never reached benchmarks (at %q)", got)
	}
	tab.Do(chromedp.KeyEvent(kb.ArrowRight))
	tab.WaitFor(`document.querySelector('#tree [data-path="benchmarks"]').getAttribute('aria-expanded') === 'true'`)
	tab.Do(chromedp.KeyEvent(kb.ArrowRight))
	child := browsertest.Eval[string](tab, focused)
	if !strings.HasPrefix(child, "benchmarks.") {
		t.Fatalf("ArrowRight on an open entry focused %q, want its first child", child)
	}
	tab.Do(chromedp.KeyEvent(kb.Enter))
	tab.WaitFor(loaded(child))
	if got := browsertest.Eval[string](tab, `document.querySelector('#tree [aria-selected="true"]').dataset.path`); got != child {
		t.Errorf("selected %q, want %q", got, child)
	}
	tab.Do(chromedp.Focus(`#tree [aria-selected="true"]`), chromedp.KeyEvent(kb.ArrowLeft))
	if got := browsertest.Eval[string](tab, focused); got != "benchmarks" {
		t.Errorf("ArrowLeft focused %q, want the parent", got)
	}

	step("category chip and text filter combine")
	tab.Do(chromedp.Click(`//div[@id="chips"]/button[text()="Market"]`))
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#tree > [role=treeitem]:not([data-cat-hidden])').length`); n == 0 {
		t.Error("the Market chip hides every entry")
	}
	if browsertest.Eval[bool](tab, `!!document.querySelector('#tree > [data-path="benchmarks"][data-cat-hidden]')`) {
		t.Error("the Market chip hides benchmarks (a Market domain)")
	}
	tab.Do(chromedp.SendKeys(`#search`, "constituents"+kb.Enter))
	tab.WaitFor(`!document.getElementById('filter-bar').hidden`)
	if got := browsertest.Eval[string](tab, `document.getElementById('filter-text').textContent`); !strings.Contains(got, "Filtered: constituents (") {
		t.Errorf("filter bar %q", got)
	}
	if browsertest.Eval[string](tab, `document.querySelector('#chips [aria-pressed="true"]').textContent`) != "Market" {
		t.Error("the text filter reset the chip")
	}
	tab.Do(chromedp.Click(`#filter-clear`))
	tab.WaitFor(`document.getElementById('filter-bar').hidden`)
	tab.Do(chromedp.Click(`//div[@id="chips"]/button[text()="All"]`))

	step("search and select")
	const node = "benchmarks.constituents"
	tab.Do(chromedp.SendKeys(`#search`, "constituents"))
	tab.WaitFor(`!document.getElementById('search-results').hidden`)
	tab.Do(chromedp.Click(`//ul[@id="search-results"]//button[.//span[text()="` + node + ` · path"]]`))
	tab.WaitFor(loaded(node))

	step("edit the query template and save; /resolve shows it")
	tab.Do(chromedp.Focus(`#f-binding_query`))
	tab.WaitFor(`!document.getElementById('ph-panel').hidden`)
	browsertest.Eval[bool](tab, `(() => { const q = document.getElementById('f-binding_query');
		q.value = q.value.replace('FROM INDEX_MEMBERS', 'FROM INDEX_WEIGHTS');
		q.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`)
	tab.Do(chromedp.Click(`#save`))
	tab.WaitFor(`document.getElementById('dirty-note').hidden && document.querySelector('#toasts .toast.success')`)
	r := get(t, env.base+"/resolve/"+node+"/SP500/20260115")
	if r.status != 200 || !strings.Contains(string(r.body), "INDEX_WEIGHTS") {
		t.Errorf("resolve after the edit: %d %.300s", r.status, r.body)
	}

	step("live validation of the query")
	tab.Do(chromedp.Focus(`#f-binding_query`), chromedp.KeyEvent(kb.End), chromedp.SendKeys(`#f-binding_query`, " {segment[0]}"))
	tab.WaitFor(`document.getElementById('query-msg').textContent.includes('unknown placeholder {segment[0]}')`)
	if browsertest.Eval[string](tab, `document.getElementById('f-binding_query').getAttribute('aria-invalid')`) != "true" {
		t.Error("the query box is not marked invalid")
	}
	// A placeholder from the panel goes in at the cursor.
	tab.Do(chromedp.Click(`//aside[@id="ph-panel"]//button[.//code[text()="{version_date}"]]`))
	if q := browsertest.Eval[string](tab, `document.getElementById('f-binding_query').value`); !strings.HasSuffix(q, "{segment[0]}{version_date}") {
		t.Errorf("inserted placeholder: query ends %q", q[max(0, len(q)-40):])
	}
	tab.Screenshot("config-ui")
	tab.Do(chromedp.Click(`#save`))
	tab.WaitFor(`Array.from(document.querySelectorAll('#toasts .toast.error')).some(t => t.textContent.includes('unknown placeholder {segment[0]}'))`)
	if r := get(t, env.base+"/config/nodes/"+node); strings.Contains(string(r.body), "segment[0]") {
		t.Error("a query with an unknown placeholder was sent")
	}
	tab.Do(chromedp.Click(`#revert`))
	tab.WaitFor(`document.getElementById('query-msg').textContent === ''`)

	step("save conflict: the catalog file changes behind the page")
	cat := filepath.Join(filepath.Dir(env.cfg), "catalog.yaml")
	data := mustRead(t, cat)
	if !strings.Contains(data, "Members of an index and their weights on a given day") {
		t.Fatal("the fixture description is missing")
	}
	writeFile(t, cat, strings.Replace(data, "Members of an index and their weights on a given day", "Edited on disk", 1))
	browsertest.Eval[bool](tab, `(() => { const f = document.getElementById('f-display_name');
		f.value = 'Constituents (page)'; f.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`)
	tab.Do(chromedp.Click(`#save`))
	tab.WaitFor(`document.getElementById('conflict-dialog').open`)
	row := browsertest.Eval[[]string](tab, `Array.from(document.querySelectorAll('#conflict-detail tr[data-field="description"] > *')).map(c => c.textContent)`)
	if len(row) != 4 || row[1] != "Members of an index and their weights on a given day" || row[3] != "Edited on disk" {
		t.Errorf("conflict row for description: %q", row)
	}
	if got := browsertest.Eval[string](tab, `document.getElementById('conflict-detail').textContent`); !strings.Contains(got, node) {
		t.Errorf("conflict dialog does not name %s: %q", node, got)
	}
	tab.Screenshot("config-ui-conflict")
	tab.Do(chromedp.Click(`#conflict-reload`))
	tab.WaitFor(`document.getElementById('f-description').value === 'Edited on disk' && document.getElementById('f-display_name').value !== 'Constituents (page)'`)

	step("create a bound node through the form")
	const created = "benchmarks.e2e_created"
	tab.Do(chromedp.Click(`#new-node`))
	tab.WaitFor(`document.getElementById('create-dialog').open`)
	browsertest.Eval[bool](tab, `(() => { document.getElementById('create-path').value = ''; return true; })()`)
	tab.Do(chromedp.SendKeys(`#create-path`, created), chromedp.Click(`#create-ok`))
	tab.WaitFor(loaded(created))
	tab.Do(chromedp.Click(chromedp.CSS(`#sec-binding > summary`)))
	browsertest.Eval[bool](tab, `(() => { const s = document.getElementById('f-source_type');
		s.value = 'snowflake'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()`)
	tab.WaitFor(`document.getElementById('f-cfg-account') && !document.getElementById('query-box').hidden`)
	if browsertest.Eval[string](tab, `document.getElementById('f-cfg-account').getAttribute('aria-required')`) != "true" {
		t.Error("account is not marked required")
	}
	tab.Do(
		chromedp.SendKeys(`#f-cfg-account`, "firm-e2e"),
		chromedp.SendKeys(`#f-cfg-warehouse`, "WH"),
		chromedp.SendKeys(`#f-cfg-database`, "E2E"),
		chromedp.SendKeys(`#f-binding_query`, "SELECT * FROM E2E_TABLE WHERE id = '{segments[0]}'"),
		chromedp.SendKeys(`#f-tags`, "e2e,"),
	)
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#tag-list .tag-chip').length`); n != 1 {
		t.Errorf("%d tag chips after typing a comma", n)
	}
	browsertest.Eval[bool](tab, `(() => { document.getElementById('toasts').replaceChildren(); return true; })()`)
	tab.Do(chromedp.Click(`#save`))
	tab.WaitFor(`document.querySelector('#toasts .toast')`)
	if msg := browsertest.Eval[string](tab, `document.getElementById('toasts').textContent`); !strings.Contains(msg, "Saved") {
		t.Fatalf("saving the new node: %q", msg)
	}
	r = get(t, env.base+"/resolve/"+created+"/ABC")
	if r.status != 200 || !strings.Contains(string(r.body), "FROM E2E_TABLE WHERE id = 'ABC'") {
		t.Errorf("resolve the created node: %d %.300s", r.status, r.body)
	}

	step("delete the node")
	browsertest.Eval[bool](tab, `(() => { window.confirm = () => true; return true; })()`)
	tab.Do(chromedp.Click(`#delete`))
	tab.WaitFor(`document.getElementById('node-form').hidden && document.getElementById('empty').textContent.includes('Deleted')`)
	if r := get(t, env.base+"/config/nodes/"+created); r.status != 404 {
		t.Errorf("GET the deleted node: %d", r.status)
	}
	if r := get(t, env.base+"/resolve/"+created+"/ABC"); r.status != 404 {
		t.Errorf("resolve the deleted node: %d %.200s", r.status, r.body)
	}
	if data := mustRead(t, cat); strings.Contains(data, created) {
		t.Error("the deleted node is still in catalog.yaml")
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
