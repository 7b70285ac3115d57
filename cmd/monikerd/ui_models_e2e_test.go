package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/moniker-svc/moniker/internal/browsertest"
)

// The helpers of TestModelsUI are prefixed "mui".

// muiVisible is the paths of the tree items a reader sees, in order.
const muiVisible = `[...document.querySelectorAll('#tree [role="treeitem"]')].filter((li) => !li.closest('[hidden]')).map((li) => li.dataset.path)`

// muiWaitVisible waits until the tree shows exactly want (in order).
func muiWaitVisible(t *testing.T, tab *browsertest.Tab, want []string) {
	t.Helper()
	w, _ := json.Marshal(want)
	tab.WaitFor(fmt.Sprintf(`JSON.stringify(%s) === %q`, muiVisible, w))
}

// muiFocused is the path of the focused tree item ("" when none is).
func muiFocused(tab *browsertest.Tab) string {
	return browsertest.Eval[string](tab, `document.activeElement?.dataset?.path ?? ''`)
}

// muiMatches reads GET /config/matches for pattern.
func muiMatches(t *testing.T, base, pattern string) (matches []string, count int) {
	t.Helper()
	r := get(t, base+"/config/matches?pattern="+url.QueryEscape(pattern))
	if r.status != 200 {
		t.Fatalf("GET /config/matches?pattern=%s: %d %s", pattern, r.status, r.body)
	}
	var body struct {
		Matches []string `json:"matches"`
		Count   int      `json:"count"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Matches, body.Count
}

// muiPatternMatches is the JS list of the paths the details panel links
// for the pattern with index i, once loaded.
func muiPatternMatches(i int) string {
	return fmt.Sprintf(`[...document.querySelectorAll('#detail ol.links > li')][%d]?.querySelector('.matches:not([aria-busy])')`, i)
}

// muiSet replaces an input's value as a reader typing would: emptied,
// then typed (chromedp.SetValue cannot set "").
func muiSet(tab *browsertest.Tab, sel, value string) {
	browsertest.Eval[bool](tab, fmt.Sprintf(`(document.querySelector(%q).value = '', true)`, sel))
	tab.Do(chromedp.SendKeys(chromedp.CSS(sel), value))
}

// TestModelsUI drives /models/ui against monikerd -target=all on the
// our test fixtures: the tree's roots against GET /models/tree, the filter,
// arrow-key navigation, a model's pattern matches against
// GET /config/matches, creating (seen in the tree, GET /models and
// models.yaml), a refused edit, editing, deleting, a refused delete of a
// category with models below, and a deep link.
func TestModelsUI(t *testing.T) {
	env := startUI(t)
	tab := env.tab
	file := filepath.Join(filepath.Dir(env.cfg), "models.yaml")

	t.Log("step: open the page; the tree shows the roots")
	env.open("/models/ui")
	tab.WaitFor(`document.querySelectorAll('#tree [role="treeitem"]').length > 0 && !document.querySelector('#tree[aria-busy]')`)
	var tree struct {
		Tree []struct {
			Path        string `json:"path"`
			Name        string `json:"name"`
			DisplayName string `json:"display_name"`
		} `json:"tree"`
	}
	if err := json.Unmarshal(get(t, env.base+"/models/tree").body, &tree); err != nil {
		t.Fatal(err)
	}
	var wantRoots []string
	for _, r := range tree.Tree {
		label := r.DisplayName
		if label == "" {
			label = r.Name
		}
		wantRoots = append(wantRoots, label)
	}
	roots := browsertest.Eval[[]string](tab, `[...document.querySelectorAll('#tree > [role="treeitem"] > .row .name')].map((e) => e.textContent)`)
	if !slices.Equal(roots, wantRoots) || len(roots) != 3 {
		t.Fatalf("tree roots %q, want %q", roots, wantRoots)
	}
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#tree [role="treeitem"][tabindex="0"]').length`); n != 1 {
		t.Errorf("%d tab stops in the tree, want 1 (roving tabindex)", n)
	}

	t.Log("step: filter")
	tab.Do(chromedp.SendKeys(chromedp.CSS(`#filter`), "convex"))
	muiWaitVisible(t, tab, []string{"risk.analytics", "risk.analytics/convexity"})
	tab.Do(chromedp.SendKeys(chromedp.CSS(`#filter`), "zzz"))
	tab.WaitFor(`!document.getElementById('tree-empty').hidden && document.getElementById('tree-empty').textContent.includes('No models match')`)
	tab.Do(chromedp.Focus(chromedp.CSS(`#filter`)), chromedp.KeyEvent(kb.Escape))
	tab.WaitFor(`document.getElementById('tree-empty').hidden`)
	all := browsertest.Eval[[]string](tab, muiVisible)
	if len(all) != 11 {
		t.Fatalf("after clearing the filter the tree shows %q, want the 11 models", all)
	}

	t.Log("step: keyboard navigation")
	tab.Do(chromedp.Focus(chromedp.CSS(`#tree [role="treeitem"][tabindex="0"]`)), chromedp.KeyEvent(kb.Home))
	if got := muiFocused(tab); got != all[0] {
		t.Fatalf("focus on %q, want the first item %q", got, all[0])
	}
	for _, step := range []struct {
		key  string
		want string
	}{
		{kb.ArrowDown, all[1]},
		{kb.ArrowDown, all[2]},
		{kb.ArrowUp, all[1]},
		{kb.ArrowLeft, all[0]}, // a child's parent
		{kb.End, all[len(all)-1]},
		{kb.Home, all[0]},
	} {
		tab.Do(chromedp.KeyEvent(step.key))
		if got := muiFocused(tab); got != step.want {
			t.Fatalf("after %q focus is on %q, want %q", step.key, got, step.want)
		}
	}
	tab.Do(chromedp.KeyEvent(kb.ArrowLeft)) // collapse the first root
	muiWaitVisible(t, tab, slices.DeleteFunc(slices.Clone(all), func(p string) bool { return strings.HasPrefix(p, all[0]+"/") }))
	tab.Do(chromedp.KeyEvent(kb.ArrowRight))
	muiWaitVisible(t, tab, all)
	if n := browsertest.Eval[int](tab, `document.querySelectorAll('#tree [role="treeitem"][tabindex="0"]').length`); n != 1 {
		t.Errorf("%d tab stops in the tree after moving, want 1", n)
	}

	t.Log("step: select a model and see its pattern matches")
	// convexity's second pattern, fixed_income/*/*, matches four nodes of
	// our test catalog.
	wantMatches, wantCount := muiMatches(t, env.base, "fixed_income/*/*")
	if wantCount != 4 || len(wantMatches) != 4 {
		t.Fatalf("fixture: fixed_income/*/* matches %q (%d)", wantMatches, wantCount)
	}
	tab.Do(chromedp.Focus(chromedp.CSS(`#tree [data-path="risk.analytics/convexity"]`)), chromedp.KeyEvent(kb.Enter))
	tab.WaitFor(`document.querySelector('#detail .uri')?.textContent === 'risk.analytics/convexity' && location.hash === '#risk.analytics/convexity'`)
	patterns := browsertest.Eval[[]string](tab, `[...document.querySelectorAll('#detail ol.links .pattern')].map((e) => e.textContent)`)
	i := slices.Index(patterns, "fixed_income/*/*")
	if i < 0 {
		t.Fatalf("the details list patterns %q, not fixed_income/*/*", patterns)
	}
	tab.WaitFor(muiPatternMatches(i))
	links := browsertest.Eval[[]string](tab, `Array.from(`+muiPatternMatches(i)+`.querySelectorAll('a'), (a) => a.getAttribute('href'))`)
	var wantLinks []string
	for _, p := range wantMatches {
		wantLinks = append(wantLinks, "/config/ui#"+p)
	}
	if !slices.Equal(links, wantLinks) {
		t.Errorf("match links %q, want %q", links, wantLinks)
	}
	if got := browsertest.Eval[string](tab, muiPatternMatches(i)+`.dataset.count`); got != "4" {
		t.Errorf("match count %q, want 4", got)
	}
	if sel := browsertest.Eval[string](tab, `document.querySelector('#tree [aria-selected="true"]')?.dataset.path ?? ''`); sel != "risk.analytics/convexity" {
		t.Errorf("selected tree item %q", sel)
	}
	tab.Screenshot("models-ui")

	t.Log("step: create a model through the dialog")
	const path = "risk.analytics/pv01_ui"
	tab.Do(
		chromedp.Click(chromedp.CSS(`#new-model`)),
		chromedp.WaitVisible(chromedp.CSS(`#model-dialog[open] #m-path`)),
		chromedp.SendKeys(chromedp.CSS(`#m-path`), path),
		chromedp.SendKeys(chromedp.CSS(`#m-display-name`), "PV01 (UI test)"),
		chromedp.SendKeys(chromedp.CSS(`#m-unit`), "USD"),
		chromedp.SendKeys(chromedp.CSS(`#m-formula`), "∂PV / ∂y × 0.0001"),
		chromedp.SendKeys(chromedp.CSS(`#m-links .link-pattern`), "fixed_income/govies/*"),
		chromedp.SendKeys(chromedp.CSS(`#m-links .link-column`), "PV01"),
	)
	tab.WaitFor(`document.querySelector('#m-links .hint')?.textContent === 'Matches 2 catalog nodes.'`)
	tab.Do(chromedp.Click(chromedp.CSS(`#model-submit`)))
	tab.WaitFor(fmt.Sprintf(`!document.getElementById('model-dialog').open && document.querySelector('#tree [data-path=%q][aria-selected="true"]')`, path))
	tab.WaitFor(`[...document.querySelectorAll('#toasts .toast.success')].some((t) => t.textContent.includes('Created model'))`)
	tab.WaitFor(muiPatternMatches(0) + `?.dataset.count === '2'`)
	r := get(t, env.base+"/models")
	if !strings.Contains(string(r.body), `"path":"`+path+`"`) {
		t.Fatalf("GET /models has no %s", path)
	}
	m := get(t, env.base+"/models/"+path).json(t)
	if field(t, m, "model.unit") != "USD" || field(t, m, "model.appears_in.0.moniker_pattern") != "fixed_income/govies/*" ||
		field(t, m, "model.appears_in.0.column_name") != "PV01" || field(t, m, "model.formula") != "∂PV / ∂y × 0.0001" {
		t.Errorf("created model: %v", m["model"])
	}
	if disk := mustRead(t, file); !strings.Contains(disk, path+":") || !strings.Contains(disk, "fixed_income/govies/*") {
		t.Errorf("models.yaml does not have the new model:\n%s", disk)
	}

	t.Log("step: a refused edit names the field")
	tab.Do(chromedp.Click(chromedp.CSS(`#edit-model`)), chromedp.WaitVisible(chromedp.CSS(`#model-dialog[open] #m-display-name`)))
	if ro := browsertest.Eval[bool](tab, `document.getElementById('m-path').readOnly`); !ro {
		t.Error("the path is editable when editing")
	}
	browsertest.Eval[bool](tab, `document.querySelectorAll('#model-dialog details').forEach((d) => { d.open = true; }), true`)
	muiSet(tab, `#m-documentation-url`, "wiki/pv01")
	tab.Do(chromedp.Click(chromedp.CSS(`#model-submit`)))
	tab.WaitFor(`!document.getElementById('model-error').hidden && document.getElementById('model-error').textContent.includes('documentation_url') && document.getElementById('m-documentation-url').getAttribute('aria-invalid') === 'true'`)

	t.Log("step: edit")
	muiSet(tab, `#m-documentation-url`, "https://wiki.firm.com/pv01")
	muiSet(tab, `#m-display-name`, "PV01 edited")
	tab.Do(chromedp.Click(chromedp.CSS(`#model-submit`)))
	tab.WaitFor(`!document.getElementById('model-dialog').open && document.querySelector('#detail .model-title')?.textContent === 'PV01 edited'`)
	m = get(t, env.base+"/models/"+path).json(t)
	if field(t, m, "model.display_name") != "PV01 edited" || field(t, m, "model.documentation_url") != "https://wiki.firm.com/pv01" ||
		field(t, m, "model.unit") != "USD" || field(t, m, "model.appears_in.0.column_name") != "PV01" {
		t.Errorf("edited model: %v", m["model"])
	}
	if label := browsertest.Eval[string](tab, fmt.Sprintf(`document.querySelector('#tree [data-path=%q] .name').textContent`, path)); label != "PV01 edited" {
		t.Errorf("tree label %q after the edit", label)
	}
	if href := browsertest.Eval[string](tab, `[...document.querySelectorAll('#detail a')].find((a) => a.textContent === 'https://wiki.firm.com/pv01')?.getAttribute('href') ?? ''`); href != "https://wiki.firm.com/pv01" {
		t.Errorf("documentation link %q", href)
	}

	t.Log("step: aliases: a refused row is marked, a good one is saved")
	tab.Do(chromedp.Click(chromedp.CSS(`#edit-model`)), chromedp.WaitVisible(chromedp.CSS(`#model-dialog[open] #m-display-name`)))
	browsertest.Eval[bool](tab, `document.querySelectorAll('#model-dialog details').forEach((d) => { d.open = true; }), true`)
	tab.Do(chromedp.Click(chromedp.CSS(`#m-add-alias`)))
	muiSet(tab, `#m-aliases li:last-child .alias-context`, "risk reports")
	tab.Do(chromedp.Click(chromedp.CSS(`#model-submit`)))
	tab.WaitFor(`document.querySelector('#m-aliases li:last-child .alias-name').getAttribute('aria-invalid') === 'true' && !document.getElementById('model-error').hidden`)
	muiSet(tab, `#m-aliases li:last-child .alias-name`, "PV01-R")
	tab.Do(chromedp.SetValue(`#m-aliases li:last-child .alias-type`, "abbreviation"), chromedp.Click(chromedp.CSS(`#model-submit`)))
	tab.WaitFor(`!document.getElementById('model-dialog').open && document.getElementById('detail').textContent.includes('PV01-R')`)
	m = get(t, env.base+"/models/"+path).json(t)
	if field(t, m, "model.aliases.0.name") != "PV01-R" || field(t, m, "model.aliases.0.type") != "abbreviation" || field(t, m, "model.aliases.0.context") != "risk reports" {
		t.Errorf("aliases after the edit: %v", field(t, m, "model.aliases"))
	}

	t.Log("step: a stale edit lists what changed meanwhile")
	tab.Do(chromedp.Click(chromedp.CSS(`#edit-model`)), chromedp.WaitVisible(chromedp.CSS(`#model-dialog[open] #m-display-name`)))
	if r := do(t, "PUT", env.base+"/models/"+path, `{"description":"changed elsewhere"}`); r.status != 200 {
		t.Fatalf("PUT /models/%s: %d %s", path, r.status, r.body)
	}
	muiSet(tab, `#m-display-name`, "PV01 stale")
	tab.Do(chromedp.Click(chromedp.CSS(`#model-submit`)))
	tab.WaitFor(`!document.getElementById('model-conflict').hidden && !document.getElementById('model-reload').hidden`)
	if got := browsertest.Eval[string](tab, `document.getElementById('model-conflict-list').textContent`); !strings.Contains(got, "description") || !strings.Contains(got, "changed elsewhere") {
		t.Errorf("conflict list %q does not show the description changed elsewhere", got)
	}
	if got := field(t, get(t, env.base+"/models/"+path).json(t), "model.display_name"); got != "PV01 edited" {
		t.Errorf("display_name = %v after a refused stale edit", got)
	}
	tab.Do(chromedp.Click(chromedp.CSS(`#model-reload`)))
	tab.WaitFor(`document.getElementById('model-dialog').open && document.getElementById('m-description').value === 'changed elsewhere'`)
	tab.Do(chromedp.Click(chromedp.CSS(`#model-cancel`)))
	tab.WaitFor(`!document.getElementById('model-dialog').open`)

	t.Log("step: delete")
	tab.Do(chromedp.Click(chromedp.CSS(`#delete-model`)), chromedp.WaitVisible(chromedp.CSS(`#delete-dialog[open]`)),
		chromedp.Click(chromedp.CSS(`#delete-confirm`)))
	tab.WaitFor(fmt.Sprintf(`!document.getElementById('delete-dialog').open && !document.querySelector('#tree [data-path=%q]')`, path))
	if r := get(t, env.base+"/models/"+path); r.status != 404 {
		t.Errorf("GET /models/%s after delete: %d", path, r.status)
	}
	if disk := mustRead(t, file); strings.Contains(disk, path) {
		t.Errorf("models.yaml still has %s", path)
	}

	t.Log("step: a category with models below cannot be deleted")
	tab.WaitFor(`document.querySelector('#detail .uri')?.textContent === 'risk.analytics'`) // the parent is shown
	tab.Do(chromedp.Click(chromedp.CSS(`#delete-model`)), chromedp.WaitVisible(chromedp.CSS(`#delete-dialog[open]`)),
		chromedp.Click(chromedp.CSS(`#delete-confirm`)))
	tab.WaitFor(`!document.getElementById('delete-error').hidden && document.getElementById('delete-error').textContent.includes('Delete children first')`)
	tab.Do(chromedp.Click(chromedp.CSS(`#delete-cancel`)))
	if r := get(t, env.base+"/models/risk.analytics"); r.status != 200 {
		t.Errorf("risk.analytics after a refused delete: %d", r.status)
	}

	t.Log("step: deep link")
	env.open("/models/ui#market.prices/mid")
	tab.WaitFor(`document.querySelector('#detail .uri')?.textContent === 'market.prices/mid' && document.querySelector('#tree [data-path="market.prices/mid"][aria-selected="true"]')`)
}
