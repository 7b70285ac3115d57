package main

// TestNoStoredXSS stores markup in every text field the management APIs
// accept (a catalog node, a domain, a model, a request and its comment)
// and opens every page on the item: nothing may execute, no element may
// be created from the data, and the payload must show as text.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/moniker-svc/moniker/internal/browsertest"
)

// xssMarkup is stored in every free-text field: a script element, an
// image whose error handler runs, and an attribute break-out into an SVG
// whose load handler runs. Any of them executing sets window.__xss.
const xssMarkup = `<script>window.__xss=1</script><img src=x onerror="window.__xss=1">"><svg onload=window.__xss=1>`

// fieldKind says which hostile values a field gets, in order: the API may
// refuse a value (a validated e-mail address or URL), and then the field
// gets the next one.
type fieldKind int

const (
	textField fieldKind = iota
	emailField
	urlField
	colourField
	levelField // a confidentiality level
)

var candidates = map[fieldKind][]string{
	textField:   {"%s " + xssMarkup, "%s"},
	emailField:  {"%s " + xssMarkup, `'onclick=window.__xss=1'@evil.example`, "xss@evil.example"},
	colourField: {"%s " + xssMarkup, "#123456"},
	levelField:  {"%s " + xssMarkup, "internal"},
	urlField:    {"javascript:window.__xss=1", `https://evil.example/?q="><img src=x onerror=window.__xss=1>`, "https://evil.example/xss"},
}

// hostile builds a request body whose fields carry the payloads; the
// fields the server refused get their kind's next candidate.
type hostile struct {
	refused map[string]int // field (dotted, without list indexes) -> refusals
	used    map[string]string
}

// v is the value of field loc (labelled with label, so that a reader of
// a screenshot can tell the fields apart).
func (h *hostile) v(loc string, kind fieldKind, label string) string {
	c := candidates[kind]
	i := min(h.refused[loc], len(c)-1)
	s := c[i]
	if strings.Contains(s, "%s") {
		s = fmt.Sprintf(s, label)
	}
	h.used[loc] = s
	return s
}

var listIndex = regexp.MustCompile(`\[\d+\]|\.\d+\b`)

// storeHostile sends build's body until the server takes it, each refusal of a
// field moving that field to its next candidate; it returns the decoded
// answer and logs the refused fields (the API's own defence).
func storeHostile(t *testing.T, method, target string, build func(h *hostile) any) map[string]any {
	t.Helper()
	h := &hostile{refused: map[string]int{}}
	for round := 0; round < 30; round++ {
		h.used = map[string]string{}
		b, err := json.Marshal(build(h))
		if err != nil {
			t.Fatal(err)
		}
		r := do(t, method, target, string(b))
		if r.status == 200 || r.status == 201 {
			for loc, n := range h.refused {
				t.Logf("%s %s: %s refused %d value(s), stored %q", method, target, loc, n, h.used[loc])
			}
			return r.json(t)
		}
		if r.status != 400 && r.status != 422 {
			t.Fatalf("%s %s: %d %s", method, target, r.status, r.body)
		}
		var body struct {
			Detail json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal(r.body, &body); err != nil {
			t.Fatalf("%s %s: %d %s", method, target, r.status, r.body)
		}
		var locs []string
		var list []struct {
			Loc []any `json:"loc"`
		}
		var one string
		if json.Unmarshal(body.Detail, &list) == nil {
			for _, d := range list {
				var parts []string
				for _, p := range d.Loc {
					if s, ok := p.(string); ok && s != "body" {
						parts = append(parts, s)
					}
				}
				locs = append(locs, strings.Join(parts, "."))
			}
		} else if json.Unmarshal(body.Detail, &one) == nil {
			for part := range strings.SplitSeq(one, "; ") {
				if field, _, ok := strings.Cut(part, ": "); ok {
					locs = append(locs, listIndex.ReplaceAllString(field, ""))
				}
			}
		}
		progress := false
		for _, loc := range locs {
			if _, known := h.used[loc]; known && h.refused[loc] < 3 {
				h.refused[loc]++
				progress = true
			}
		}
		if !progress {
			t.Fatalf("%s %s refused a field the test cannot vary: %d %s", method, target, r.status, r.body)
		}
	}
	t.Fatalf("%s %s: still refused after 30 rounds", method, target)
	return nil
}

// xssClean is true when nothing ran and no element came from the data:
// no script in the page's content, no image or SVG with a handler, no
// inline handler attribute at all (the pages use none: CSP forbids them),
// no javascript: link.
const xssClean = `(() => {
	const bad = document.querySelectorAll('main script, dialog script, img[src="x"], svg[onload], [onerror], [onload], [onclick], [onmouseover], a[href^="javascript:" i]');
	return {ran: window.__xss !== undefined, elements: Array.from(bad).map(e => e.outerHTML.slice(0, 120))};
})()`

// xssState is what xssClean reports.
type xssState struct {
	Ran      bool     `json:"ran"`
	Elements []string `json:"elements"`
}

// xssShown is true when the text of the field labelled label shows
// with its payload, as text: in the page's text or in a form field's
// value (the pages show the item a deep link names in a form).
func xssShown(label string) string {
	js, _ := json.Marshal(label + " " + xssMarkup[:len("<script>window.__xss")])
	return `(() => { const m = ` + string(js) + `;
	const texts = [document.body.innerText].concat(Array.from(document.querySelectorAll('input, textarea')).map(e => e.value));
	return texts.some(s => s.includes(m)); })()`
}

func TestNoStoredXSS(t *testing.T) {
	env := startUI(t)
	const (
		domain = "xss_domain"
		node   = "prices.equity/xss_node"
		model  = "xss.model/measure"
		reqFor = "prices.equity/xss_request"
	)

	t.Log("step: store the payloads")
	storeHostile(t, "POST", env.base+"/domains", func(h *hostile) any {
		return map[string]any{
			"name":             domain,
			"display_name":     h.v("display_name", textField, "DN"),
			"short_code":       h.v("short_code", textField, "SC"),
			"data_category":    h.v("data_category", textField, "CAT"),
			"color":            h.v("color", colourField, "COL"),
			"owner":            h.v("owner", emailField, "OWN"),
			"tech_custodian":   h.v("tech_custodian", emailField, "TC"),
			"business_steward": h.v("business_steward", emailField, "BS"),
			"confidentiality":  h.v("confidentiality", levelField, "CONF"),
			"help_channel":     h.v("help_channel", textField, "HC"),
			"wiki_link":        h.v("wiki_link", urlField, "WIKI"),
			"notes":            h.v("notes", textField, "NOTES"),
		}
	})
	storeHostile(t, "POST", env.base+"/config/nodes", func(h *hostile) any {
		return map[string]any{
			"path": node, "display_name": h.v("display_name", textField, "NODE"), "description": h.v("description", textField, "DESC"),
			"domain": domain,
			"ownership": map[string]any{
				"accountable_owner": h.v("ownership.accountable_owner", emailField, "AO"),
				"data_specialist":   h.v("ownership.data_specialist", emailField, "DS"),
				"support_channel":   h.v("ownership.support_channel", textField, "SUP"),
				"adop":              h.v("ownership.adop", emailField, "ADOP"), "adop_name": h.v("ownership.adop_name", textField, "ADOPN"),
				"ads": h.v("ownership.ads", emailField, "ADS"), "ads_name": h.v("ownership.ads_name", textField, "ADSN"),
				"adal": h.v("ownership.adal", emailField, "ADAL"), "adal_name": h.v("ownership.adal_name", textField, "ADALN"),
				"ui": h.v("ownership.ui", urlField, "UI"),
			},
			"source_binding": map[string]any{"type": "snowflake", "config": map[string]any{
				"account":  h.v("source_binding.config.account", textField, "ACCOUNT"),
				"database": h.v("source_binding.config.database", textField, "DB"),
				"query":    "SELECT '" + h.v("source_binding.config.query", textField, "Q") + "' FROM T",
			}},
			"data_quality": map[string]any{
				"dq_owner":         h.v("data_quality.dq_owner", textField, "DQ"),
				"validation_rules": []string{h.v("data_quality.validation_rules", textField, "VR")},
				"known_issues":     []string{h.v("data_quality.known_issues", textField, "KI")},
				"last_validated":   h.v("data_quality.last_validated", textField, "LV"),
			},
			"sla": map[string]any{
				"freshness": h.v("sla.freshness", textField, "SLAF"), "availability": h.v("sla.availability", textField, "SLAA"),
				"support_hours": h.v("sla.support_hours", textField, "SLAH"), "escalation_contact": h.v("sla.escalation_contact", textField, "SLAE"),
			},
			"freshness": map[string]any{
				"last_loaded": h.v("freshness.last_loaded", textField, "FL"), "refresh_schedule": h.v("freshness.refresh_schedule", textField, "FR"),
				"source_system": h.v("freshness.source_system", textField, "FS"), "upstream_dependencies": []string{h.v("freshness.upstream_dependencies", textField, "FU")},
			},
			"schema": map[string]any{
				"description": h.v("schema.description", textField, "SD"),
				"columns": []map[string]any{{"name": "C1", "description": h.v("schema.columns.description", textField, "CD"),
					"semantic_type": h.v("schema.columns.semantic_type", textField, "CST"), "example": h.v("schema.columns.example", textField, "CEX")}},
				"semantic_tags": []string{h.v("schema.semantic_tags", textField, "STAG")}, "use_cases": []string{h.v("schema.use_cases", textField, "UC")},
				"examples": []string{h.v("schema.examples", textField, "EX")}, "granularity": h.v("schema.granularity", textField, "GR"),
				"update_frequency": h.v("schema.update_frequency", textField, "UF"),
			},
			"access_policy": map[string]any{
				"denial_message": h.v("access_policy.denial_message", textField, "DENY"),
				"allowed_roles":  []string{h.v("access_policy.allowed_roles", textField, "ROLE")},
			},
			"documentation": map[string]any{
				"glossary": h.v("documentation.glossary", urlField, ""), "runbook": h.v("documentation.runbook", urlField, ""),
				"onboarding": h.v("documentation.onboarding", urlField, ""), "data_dictionary": h.v("documentation.data_dictionary", urlField, ""),
				"api_docs": h.v("documentation.api_docs", urlField, ""), "architecture": h.v("documentation.architecture", urlField, ""),
				"changelog": h.v("documentation.changelog", urlField, ""), "contact": h.v("documentation.contact", urlField, ""),
			},
			"classification":      h.v("classification", textField, "CLASS"),
			"tags":                []string{h.v("tags", textField, "tag")},
			"metadata":            map[string]any{"note": h.v("metadata.note", textField, "META")},
			"status":              "deprecated",
			"deprecation_message": h.v("deprecation_message", textField, "DEPR"),
			"successor":           "prices.equity",
			"sunset_deadline":     "2030-01-01",
			"migration_guide_url": h.v("migration_guide_url", urlField, ""),
		}
	})
	if r := do(t, "POST", env.base+"/config/save", `{}`); r.status != 200 {
		t.Fatalf("POST /config/save: %d %s", r.status, r.body)
	}
	storeHostile(t, "POST", env.base+"/models", func(h *hostile) any {
		return map[string]any{
			"path": model, "display_name": h.v("display_name", textField, "MODEL"), "description": h.v("description", textField, "MDESC"),
			"formula": h.v("formula", textField, "F"), "unit": h.v("unit", textField, "U"), "data_type": h.v("data_type", textField, "T"),
			"ownership": map[string]any{
				"methodology_owner": h.v("ownership.methodology_owner", emailField, "MO"),
				"business_steward":  h.v("ownership.business_steward", emailField, "MBS"),
				"support_channel":   h.v("ownership.support_channel", textField, "MSC"),
			},
			"documentation_url": h.v("documentation_url", urlField, ""), "methodology_url": h.v("methodology_url", urlField, ""),
			"wiki_link": h.v("wiki_link", urlField, ""),
			"appears_in": []map[string]any{{"moniker_pattern": "prices.equity/*",
				"column_name": h.v("appears_in.column_name", textField, "COLUMN"), "notes": h.v("appears_in.notes", textField, "APN")}},
			"aliases":       []string{h.v("aliases", textField, "ALIAS")},
			"semantic_tags": []string{h.v("semantic_tags", textField, "MSEM")},
			"tags":          []string{h.v("tags", textField, "MTAG")},
		}
	})
	sub := storeHostile(t, "POST", env.base+"/requests", func(h *hostile) any {
		return map[string]any{
			"path": reqFor, "display_name": h.v("display_name", textField, "RDN"), "description": h.v("description", textField, "RDESC"),
			"justification": h.v("justification", textField, "JUST"),
			"requester": map[string]any{"name": h.v("requester.name", textField, "RNAME"), "email": "requester@evil.example",
				"team": h.v("requester.team", textField, "TEAM"), "app_id": h.v("requester.app_id", textField, "APP")},
			"adop": h.v("adop", emailField, "RADOP"), "adop_name": h.v("adop_name", textField, "RADOPN"),
			"ads": h.v("ads", emailField, "RADS"), "ads_name": h.v("ads_name", textField, "RADSN"),
			"adal": h.v("adal", emailField, "RADAL"), "adal_name": h.v("adal_name", textField, "RADALN"),
			"source_binding_type":   "snowflake",
			"source_binding_config": map[string]any{"query": "SELECT '" + h.v("source_binding_config.query", textField, "RQ") + "'", "database": h.v("source_binding_config.database", textField, "RDB")},
			"tags":                  []string{h.v("tags", textField, "rtag")},
		}
	})
	id, _ := sub["request_id"].(string)
	if id == "" {
		t.Fatalf("no request_id in %v", sub)
	}
	storeHostile(t, "POST", env.base+"/requests/"+id+"/comment", func(h *hostile) any {
		return map[string]any{"author": "commenter@evil.example", "author_name": h.v("author_name", textField, "CA"), "content": h.v("content", textField, "COMMENT")}
	})

	pages := []struct {
		name, path string
		shows      []string // labels of fields whose stored text the page shows
	}{
		{"landing", "/", nil},
		{"dashboard", "/dashboard", []string{"RNAME"}}, // the recent request's requester
		{"config", "/config/ui#" + node, []string{"NODE", "DESC", "DEPR"}},
		{"domains", "/domains/ui#" + domain, []string{"DN", "NOTES", "HC"}},
		{"models", "/models/ui#" + model, []string{"MODEL", "F", "APN"}},
		{"requests", "/requests/ui#" + id, []string{"RDN", "JUST", "RNAME", "COMMENT"}},
		{"ui", "/ui#" + node, []string{"NODE", "DESC", "DEPR", "ADOPN"}},
		{"ui search", "/ui", []string{"NODE"}},
	}
	for _, p := range pages {
		t.Logf("step: %s (%s)", p.name, p.path)
		// A fresh document each time: a hash change alone would not reload.
		env.open("/dashboard/api/stats")
		env.open(p.path)
		if p.name == "ui search" {
			env.tab.Do(chromedp.SendKeys(chromedp.CSS(`#q`), "xss_node"), chromedp.Click(chromedp.CSS(`#search-form button[type=submit]`)))
		}
		for _, label := range p.shows {
			if !env.tab.WaitUntil(xssShown(label), 30*time.Second) {
				t.Errorf("%s: the stored %s text does not show (does the page open %s?)", p.name, label, p.path)
			}
		}
		if p.name == "ui" { // the whole panel, after every section loaded
			env.tab.WaitFor(`document.getElementById('ownership') && document.getElementById('example')`)
		}
		got := browsertest.Eval[xssState](env.tab, xssClean)
		if got.Ran {
			t.Errorf("%s: a payload executed (window.__xss is set)", p.name)
		}
		if len(got.Elements) > 0 {
			t.Errorf("%s: elements made from the data: %v", p.name, got.Elements)
		}
		env.tab.Screenshot("xss-" + strings.ReplaceAll(p.name, " ", "-"))
	}
}
