package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/moniker-svc/moniker/internal/browsertest"
)

// uiDomain is a domain as GET /domains answers it (the fields the page
// test looks at).
type uiDomain struct {
	Name            string `json:"name"`
	DisplayName     string `json:"display_name"`
	ShortCode       string `json:"short_code"`
	DataCategory    string `json:"data_category"`
	Color           string `json:"color"`
	Owner           string `json:"owner"`
	TechCustodian   string `json:"tech_custodian"`
	BusinessSteward string `json:"business_steward"`
	Confidentiality string `json:"confidentiality"`
	PII             bool   `json:"pii"`
	Notes           string `json:"notes"`
}

// uiDomains reads GET /domains.
func uiDomains(t *testing.T, base string) []uiDomain {
	t.Helper()
	r := get(t, base+"/domains")
	if r.status != 200 {
		t.Fatalf("GET /domains: %d %s", r.status, r.body)
	}
	var body struct {
		Domains []uiDomain `json:"domains"`
	}
	if err := json.Unmarshal(r.body, &body); err != nil {
		t.Fatal(err)
	}
	return body.Domains
}

// uiDomainNames returns the names of the domains keep accepts, in the
// page's order: category, then name, both case-insensitive.
func uiDomainNames(ds []uiDomain, keep func(uiDomain) bool) []string {
	ds = slices.Clone(ds)
	slices.SortStableFunc(ds, func(a, b uiDomain) int {
		if c := strings.Compare(strings.ToLower(a.DataCategory), strings.ToLower(b.DataCategory)); c != 0 {
			return c
		}
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	var out []string
	for _, d := range ds {
		if keep(d) {
			out = append(out, d.Name)
		}
	}
	return out
}

// textMatch is the page's text filter: a case-insensitive substring of
// any of the searched fields.
func textMatch(q string) func(uiDomain) bool {
	q = strings.ToLower(q)
	return func(d uiDomain) bool {
		for _, v := range []string{d.Name, d.DisplayName, d.ShortCode, d.DataCategory, d.Owner, d.TechCustodian, d.BusinessSteward, d.Notes} {
			if strings.Contains(strings.ToLower(v), q) {
				return true
			}
		}
		return false
	}
}

const jsRowNames = `[...document.querySelectorAll('#domains-body tr')].map((r) => r.dataset.name)`

// waitRows waits until the table shows exactly want (in order).
func waitRows(t *testing.T, tab *browsertest.Tab, want []string) {
	t.Helper()
	w, _ := json.Marshal(want)
	tab.WaitFor(fmt.Sprintf(`JSON.stringify(%s) === %q`, jsRowNames, w))
}

// clearInput empties the input with the id as a user would (an input
// event follows); chromedp.SetValue cannot set "".
func clearInput(tab *browsertest.Tab, id string) {
	browsertest.Eval[bool](tab, fmt.Sprintf(`((e) => { e.value = ''; e.dispatchEvent(new Event('input', { bubbles: true })); return true; })(document.getElementById(%q))`, id))
}

// press focuses the button and presses Enter: the keyboard way, and a
// toast over the row's end cannot take the click.
func press(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(chromedp.Focus(chromedp.CSS(sel)), chromedp.KeyEvent(kb.Enter))
}

// waitFocus waits until the element sel has the focus: a dialog gives it
// back to its opener in its close event, after it lost [open], and a key
// pressed before then would go to the opener.
func waitFocus(tab *browsertest.Tab, sel string) {
	tab.WaitFor(fmt.Sprintf(`document.activeElement === document.querySelector(%q)`, sel))
}

// TestDomainsUI drives /domains/ui against monikerd -target=all on the
// our test fixtures: tiles and rows against GET /domains, the text and
// category filters, creating, editing (only the changed field, with
// If-Match), a refused colour, a stale edit, deleting, and a deep link.
func TestDomainsUI(t *testing.T) {
	env := startUI(t)
	tab := env.tab
	file := filepath.Join(filepath.Dir(env.cfg), "domains.yaml")
	all := uiDomains(t, env.base)
	if len(all) < 5 {
		t.Fatalf("fixture has %d domains", len(all))
	}

	t.Log("step: open the page")
	env.open("/domains/ui")
	tab.Do(chromedp.WaitVisible(chromedp.CSS(`#domains-table[data-state="ready"] #domains-body tr`)))
	everyone := uiDomainNames(all, func(uiDomain) bool { return true })
	waitRows(t, tab, everyone)
	conf, pii := 0, 0
	for _, d := range all {
		if d.Confidentiality == "confidential" || d.Confidentiality == "strictly_confidential" {
			conf++
		}
		if d.PII {
			pii++
		}
	}
	tiles := func() [3]string {
		return browsertest.Eval[[3]string](tab, `['tile-domains', 'tile-confidential', 'tile-pii'].map((id) => document.getElementById(id).textContent)`)
	}
	if got, want := tiles(), [3]string{fmt.Sprint(len(all)), fmt.Sprint(conf), fmt.Sprint(pii)}; got != want {
		t.Errorf("tiles = %v, want %v", got, want)
	}
	if got, want := browsertest.Eval[string](tab, `document.getElementById('shown').textContent`), fmt.Sprintf("%d of %d domains", len(all), len(all)); got != want {
		t.Errorf("count = %q, want %q", got, want)
	}
	// one request for the whole table: none per row.
	if got := browsertest.Eval[[]string](tab, `performance.getEntriesByType('resource').filter((e) => e.initiatorType === 'fetch').map((e) => new URL(e.name).pathname)`); !slices.Equal(got, []string{"/domains"}) {
		t.Errorf("requests on load = %v, want only /domains", got)
	}
	tab.Screenshot("domains-ui")

	t.Log("step: text filter")
	const q = "MARKET"
	byText := uiDomainNames(all, textMatch(q))
	if len(byText) == 0 || len(byText) == len(all) {
		t.Fatalf("filter %q matches %d of %d domains: not a useful check", q, len(byText), len(all))
	}
	tab.Do(chromedp.SendKeys(chromedp.CSS(`#filter`), q))
	waitRows(t, tab, byText)
	if got, want := browsertest.Eval[string](tab, `document.getElementById('shown').textContent`), fmt.Sprintf("%d of %d domains", len(byText), len(all)); got != want {
		t.Errorf("count = %q, want %q", got, want)
	}
	tab.Do(chromedp.Focus(chromedp.CSS(`#filter`)), chromedp.KeyEvent(kb.Escape))
	waitRows(t, tab, everyone)

	t.Log("step: category chip")
	cat := all[0].DataCategory
	byCat := uiDomainNames(all, func(d uiDomain) bool { return d.DataCategory == cat })
	tab.Do(chromedp.Click(chromedp.CSS(fmt.Sprintf(`#chips button[data-category=%q]`, cat))))
	waitRows(t, tab, byCat)
	if !browsertest.Eval[bool](tab, fmt.Sprintf(`document.querySelector('#chips button[data-category=%q]').getAttribute('aria-pressed') === 'true'`, cat)) {
		t.Error("the chosen chip is not pressed")
	}
	// text and chip together; then nothing matches: the empty state.
	tab.Do(chromedp.SendKeys(chromedp.CSS(`#filter`), "no-such-domain-text"))
	tab.Do(chromedp.WaitVisible(chromedp.CSS(`#empty`)))
	if browsertest.Eval[bool](tab, `!document.getElementById('table-wrap').hidden`) {
		t.Error("the table shows beside the empty state")
	}
	tab.Do(chromedp.Click(chromedp.CSS(`#empty-clear`)))
	waitRows(t, tab, everyone)
	if !browsertest.Eval[bool](tab, `document.querySelector('#chips button[data-chip="all"]').getAttribute('aria-pressed') === 'true'`) {
		t.Error("Clear filters did not select All")
	}

	// record what the page sends.
	browsertest.Eval[bool](tab, `(() => {
		window.__sent = [];
		const f = window.fetch;
		window.fetch = (u, init) => {
			init = init || {};
			window.__sent.push({ method: init.method || 'GET', url: String(u), body: init.body || '', ifMatch: (init.headers || {})['If-Match'] || '' });
			if (window.__failList && String(u) === '/domains') {
				return Promise.resolve(new Response('{"detail": "list unavailable"}', { status: 503 }));
			}
			return f(u, init);
		};
		return true;
	})()`)
	type sent struct {
		Method, URL, Body, IfMatch string
	}
	writes := func() []sent {
		all := browsertest.Eval[[]sent](tab, `window.__sent`)
		return slices.DeleteFunc(all, func(s sent) bool { return s.Method == "GET" })
	}

	t.Log("step: reload from file; a failing list shows the error state")
	browsertest.Eval[bool](tab, `window.__failList = true`)
	tab.Do(
		chromedp.Click(chromedp.CSS(`#reload`)),
		chromedp.WaitVisible(chromedp.CSS(`#reload-dialog[open]`)),
		chromedp.Click(chromedp.CSS(`#reload-confirm`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#reload-dialog[open]`)),
		chromedp.WaitVisible(chromedp.CSS(`#error`)),
	)
	if got := browsertest.Eval[string](tab, `document.getElementById('error-text').textContent`); !strings.Contains(got, "list unavailable") {
		t.Errorf("error state = %q", got)
	}
	if w := writes(); len(w) != 1 || w[0].Method != "POST" || w[0].URL != "/domains/reload" {
		t.Errorf("reload sent %+v, want one POST /domains/reload", w)
	}
	browsertest.Eval[bool](tab, `!(window.__failList = false)`)
	tab.Do(chromedp.Click(chromedp.CSS(`#retry`)), chromedp.WaitNotVisible(chromedp.CSS(`#error`)))
	waitRows(t, tab, everyone)

	t.Log("step: the server's refusal names the field")
	tab.Do(
		chromedp.Click(chromedp.CSS(`#add-domain`)),
		chromedp.WaitVisible(chromedp.CSS(`#domain-dialog[open] #df-name`)),
		chromedp.SendKeys(chromedp.CSS(`#df-name`), "bad--name"), // "--" passes the page, not the server
		chromedp.Click(chromedp.CSS(`#domain-save`)),
		chromedp.WaitVisible(chromedp.CSS(`#df-name-error`)),
	)
	if got := browsertest.Eval[string](tab, `document.getElementById('domain-error').textContent`); !strings.Contains(got, "Name: ") || !strings.Contains(got, "--") {
		t.Errorf("dialog error = %q, want the server's reason for the name", got)
	}
	if r := get(t, env.base+"/domains/bad--name"); r.status != 404 {
		t.Errorf("GET /domains/bad--name: %d", r.status)
	}
	tab.Do(chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(chromedp.CSS(`#domain-dialog[open]`)))
	waitFocus(tab, `#add-domain`)

	t.Log("step: create through the dialog")
	tab.Do(
		chromedp.Click(chromedp.CSS(`#add-domain`)),
		chromedp.WaitVisible(chromedp.CSS(`#domain-dialog[open] #df-name`)),
		chromedp.SendKeys(chromedp.CSS(`#df-name`), "uitest"),
		chromedp.SendKeys(chromedp.CSS(`#df-display-name`), "UI Test Domain"),
		chromedp.SendKeys(chromedp.CSS(`#df-id`), "99"),
		chromedp.SendKeys(chromedp.CSS(`#df-short-code`), "UIT"),
		chromedp.SendKeys(chromedp.CSS(`#df-category`), "Testing"),
		chromedp.SetValue(chromedp.CSS(`#df-color-text`), "#"), // SetValue cannot set ""
		chromedp.SendKeys(chromedp.CSS(`#df-color-text`), "123ABC"),
		chromedp.SendKeys(chromedp.CSS(`#df-owner`), "ui-owner@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#df-tech-custodian`), "ui-tech@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#df-business-steward`), "ui-steward@example.com"),
		chromedp.SetValue(chromedp.CSS(`#df-confidentiality`), "strictly_confidential"),
		chromedp.Click(chromedp.CSS(`#df-pii`)),
		chromedp.SendKeys(chromedp.CSS(`#df-help-channel`), "#ui-test"),
		chromedp.SendKeys(chromedp.CSS(`#df-wiki-link`), "https://wiki.example.com/ui-test"),
		chromedp.SendKeys(chromedp.CSS(`#df-notes`), "Created by the browser test"),
	)
	tab.Screenshot("domains-ui-dialog")
	tab.Do(
		chromedp.Click(chromedp.CSS(`#domain-save`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#domain-dialog[open]`)),
		chromedp.WaitVisible(chromedp.CSS(`#domains-body tr[data-name="uitest"]`)),
	)
	if got := browsertest.Eval[string](tab, `document.getElementById('df-color').value`); got != "#123abc" {
		t.Errorf("colour picker = %q, want the typed #123abc", got)
	}
	r := get(t, env.base+"/domains/uitest")
	if r.status != 200 {
		t.Fatalf("GET /domains/uitest: %d %s", r.status, r.body)
	}
	d := r.json(t)
	for key, want := range map[string]any{
		"domain.display_name": "UI Test Domain", "domain.id": 99.0, "domain.short_code": "UIT", "domain.data_category": "Testing",
		"domain.color": "#123ABC", "domain.owner": "ui-owner@example.com", "domain.tech_custodian": "ui-tech@example.com",
		"domain.business_steward": "ui-steward@example.com", "domain.confidentiality": "strictly_confidential", "domain.pii": true,
		"domain.help_channel": "#ui-test", "domain.wiki_link": "https://wiki.example.com/ui-test", "domain.notes": "Created by the browser test",
	} {
		if got := field(t, d, key); got != want {
			t.Errorf("%s = %v, want %v", key, got, want)
		}
	}
	if disk := mustRead(t, file); !strings.Contains(disk, "uitest:") || !strings.Contains(disk, "UI Test Domain") {
		t.Errorf("domains.yaml has no uitest:\n%s", disk)
	}
	if got, want := tiles(), [3]string{fmt.Sprint(len(all) + 1), fmt.Sprint(conf + 1), fmt.Sprint(pii + 1)}; got != want {
		t.Errorf("tiles after create = %v, want %v", got, want)
	}
	if !browsertest.Eval[bool](tab, `document.querySelector('#chips button[data-category="Testing"]') !== null`) {
		t.Error("no chip for the new category")
	}

	t.Log("step: edit the owner")
	before := len(writes())
	tab.Do(
		press(`#domains-body tr[data-name="uitest"] button[data-action="edit"]`),
		chromedp.WaitVisible(chromedp.CSS(`#domain-dialog[open][data-mode="edit"]`)),
	)
	if !browsertest.Eval[bool](tab, `document.getElementById('df-name').disabled && document.getElementById('df-name').value === 'uitest'`) {
		t.Error("the name is not shown disabled when editing")
	}
	clearInput(tab, "df-owner")
	tab.Do(
		chromedp.SendKeys(chromedp.CSS(`#df-owner`), "new-owner@example.com"),
		chromedp.Click(chromedp.CSS(`#domain-save`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#domain-dialog[open]`)),
	)
	tab.WaitFor(`document.querySelector('#domains-body tr[data-name="uitest"]').textContent.includes('new-owner@example.com')`)
	w := writes()
	if len(w) != before+1 {
		t.Fatalf("writes = %+v, want one PUT", w[before:])
	}
	if put := w[before]; put.Method != "PUT" || put.URL != "/domains/uitest" || put.Body != `{"owner":"new-owner@example.com"}` || put.IfMatch == "" {
		t.Errorf("edit sent %+v, want PUT /domains/uitest of the owner only, with If-Match", put)
	}
	if got := field(t, get(t, env.base+"/domains/uitest").json(t), "domain.owner"); got != "new-owner@example.com" {
		t.Errorf("owner = %v", got)
	}
	if disk := mustRead(t, file); !strings.Contains(disk, "new-owner@example.com") {
		t.Errorf("domains.yaml has not the new owner:\n%s", disk)
	}

	t.Log("step: an invalid colour is refused in the dialog")
	before = len(writes())
	tab.Do(
		press(`#domains-body tr[data-name="uitest"] button[data-action="edit"]`),
		chromedp.WaitVisible(chromedp.CSS(`#domain-dialog[open][data-mode="edit"]`)),
	)
	clearInput(tab, "df-color-text")
	tab.Do(
		chromedp.SendKeys(chromedp.CSS(`#df-color-text`), "#12345G"),
		chromedp.Click(chromedp.CSS(`#domain-save`)),
		chromedp.WaitVisible(chromedp.CSS(`#df-color-text-error`)),
	)
	if !browsertest.Eval[bool](tab, `document.getElementById('df-color-text').getAttribute('aria-invalid') === 'true' && document.getElementById('domain-dialog').open`) {
		t.Error("the colour is not marked invalid, or the dialog closed")
	}
	if got := browsertest.Eval[string](tab, `document.getElementById('df-color-text-error').textContent`); !strings.Contains(got, "#RRGGBB") {
		t.Errorf("colour error = %q", got)
	}
	if w := writes(); len(w) != before {
		t.Errorf("an invalid colour was sent: %+v", w[before:])
	}
	if got := field(t, get(t, env.base+"/domains/uitest").json(t), "domain.color"); got != "#123ABC" {
		t.Errorf("color = %v after a refused edit", got)
	}
	tab.Do(chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(chromedp.CSS(`#domain-dialog[open]`)))
	waitFocus(tab, `#domains-body tr[data-name="uitest"] button[data-action="edit"]`)
	tab.WaitFor(`location.hash === ''`) // closing forgets the deep link

	t.Log("step: a stale edit shows the conflict")
	tab.Do(
		press(`#domains-body tr[data-name="uitest"] button[data-action="edit"]`),
		chromedp.WaitVisible(chromedp.CSS(`#domain-dialog[open][data-mode="edit"]`)),
	)
	if r := do(t, "PUT", env.base+"/domains/uitest", `{"notes": "changed elsewhere"}`); r.status != 200 {
		t.Fatalf("PUT: %d %s", r.status, r.body)
	}
	tab.Do(
		chromedp.SendKeys(chromedp.CSS(`#df-help-channel`), "-x"),
		chromedp.Click(chromedp.CSS(`#domain-save`)),
		chromedp.WaitVisible(chromedp.CSS(`#domain-conflict-reload`)),
	)
	if got := browsertest.Eval[string](tab, `document.getElementById('domain-conflict').innerText`); !strings.Contains(got, "changed elsewhere") || !strings.Contains(got, "not saved") {
		t.Errorf("conflict = %q, want what changed and that nothing was saved", got)
	}
	tab.Do(chromedp.Click(chromedp.CSS(`#domain-conflict-reload`)))
	tab.WaitFor(`document.getElementById('df-notes').value === 'changed elsewhere' && document.getElementById('domain-conflict').hidden`)
	tab.Do(chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(chromedp.CSS(`#domain-dialog[open]`)))
	waitFocus(tab, `#domains-body tr[data-name="uitest"] button[data-action="edit"]`)
	if got := field(t, get(t, env.base+"/domains/uitest").json(t), "domain.help_channel"); got != "#ui-test" {
		t.Errorf("help_channel = %v after a refused stale edit", got)
	}

	t.Log("step: the delete dialog counts the monikers")
	ref := ""
	for _, d := range all {
		if n := field(t, get(t, env.base+"/domains/"+d.Name).json(t), "moniker_count").(float64); n > 1 {
			ref = d.Name
			want := fmt.Sprintf("%d catalog monikers reference domain %s.", int(n), d.Name)
			tab.Do(
				press(fmt.Sprintf(`#domains-body tr[data-name=%q] button[data-action="delete"]`, d.Name)),
				chromedp.WaitVisible(chromedp.CSS(`#delete-dialog[open]`)),
			)
			if got := browsertest.Eval[string](tab, `document.getElementById('delete-text').textContent`); got != want {
				t.Errorf("delete text = %q, want %q", got, want)
			}
			tab.Do(chromedp.Click(chromedp.CSS(`#delete-cancel`)), chromedp.WaitNotPresent(chromedp.CSS(`#delete-dialog[open]`)))
			waitFocus(tab, fmt.Sprintf(`#domains-body tr[data-name=%q] button[data-action="delete"]`, d.Name))
			break
		}
	}
	if ref == "" {
		t.Error("no fixture domain has monikers")
	}

	t.Log("step: delete through the dialog")
	tab.Do(
		press(`#domains-body tr[data-name="uitest"] button[data-action="delete"]`),
		chromedp.WaitVisible(chromedp.CSS(`#delete-dialog[open]`)),
	)
	if got := browsertest.Eval[string](tab, `document.getElementById('delete-dialog').textContent`); !strings.Contains(got, "No catalog monikers reference domain uitest") || !strings.Contains(got, "not changed") {
		t.Errorf("delete dialog = %q", got)
	}
	tab.Do(
		chromedp.Click(chromedp.CSS(`#delete-confirm`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#delete-dialog[open]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#domains-body tr[data-name="uitest"]`)),
	)
	if r := get(t, env.base+"/domains/uitest"); r.status != 404 {
		t.Errorf("GET /domains/uitest after delete: %d", r.status)
	}
	if disk := mustRead(t, file); strings.Contains(disk, "uitest:") {
		t.Errorf("domains.yaml still has uitest:\n%s", disk)
	}
	if _, err := os.Stat(file); err != nil {
		t.Fatal(err)
	}
	waitRows(t, tab, everyone)

	t.Log("step: deep link")
	deep := everyone[len(everyone)-1]
	tab.Do(chromedp.Navigate("about:blank")) // a new document, not a hash change
	env.open("/domains/ui#" + deep)
	tab.Do(chromedp.WaitVisible(chromedp.CSS(`#domain-dialog[open][data-mode="edit"]`)))
	if got := browsertest.Eval[string](tab, `document.getElementById('df-name').value`); got != deep {
		t.Errorf("deep link opened %q, want %q", got, deep)
	}
	tab.Do(chromedp.KeyEvent(kb.Escape), chromedp.WaitNotPresent(chromedp.CSS(`#domain-dialog[open]`)))
}
