package managementapi_test

import (
	"context"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/models"
)

// regPaths returns the "path" of each object in the list at key.
func regPaths(r regResp, key string) []string {
	var out []string
	list, _ := r.body[key].([]any)
	for _, it := range list {
		m, _ := it.(map[string]any)
		s, _ := m["path"].(string)
		out = append(out, s)
	}
	return out
}

func TestModelRoutes(t *testing.T) {
	e := newRegEnv(t, nil)

	// Reads.
	r := e.do("GET", "/models", "/models", "").want(t, 200, "")
	if r.body["count"] != float64(11) || len(regPaths(r, "models")) != 11 || regPaths(r, "models")[0] != "market.prices" {
		t.Fatalf("list: %s", r.raw)
	}
	if r := e.do("GET", "/models/", "", ""); r.code != http.StatusTemporaryRedirect || r.hdr.Get("Location") != "/models" {
		t.Errorf("GET /models/: %d", r.code)
	}
	r = e.do("GET", "/models/tree", "/models/tree", "").want(t, 200, "")
	if r.body["total_count"] != float64(11) || strings.Join(regPaths(r, "tree"), ",") != "market.prices,return.attribution,risk.analytics" {
		t.Errorf("tree: %s", r.raw)
	}
	r = e.do("GET", "/models/for-moniker/prices.equity/AAPL", "/models/for-moniker/{path}", "").want(t, 200, "")
	if r.body["moniker_path"] != "prices.equity/AAPL" || strings.Join(regPaths(r, "models"), ",") != "market.prices/mid,market.prices/spread" {
		t.Errorf("for-moniker (prices.*/* must match): %s", r.raw)
	}
	r = e.do("GET", "/models/for-moniker/prices.equity%2FAAPL", "/models/for-moniker/{path}", "").want(t, 200, "")
	if r.body["count"] != float64(2) {
		t.Errorf("for-moniker with %%2F: %s", r.raw)
	}
	if r := e.do("GET", "/models/for-moniker/nothing/here", "/models/for-moniker/{path}", "").want(t, 200, ""); r.body["count"] != float64(0) {
		t.Errorf("for-moniker, no match: %s", r.raw)
	}
	r = e.do("GET", "/models/market.prices/mid", "/models/{path}", "").want(t, 200, "")
	tag := r.hdr.Get("ETag")
	m := r.body["model"].(map[string]any)
	if tag == "" || m["data_type"] != "decimal" || m["formula"] != "(bid + ask) / 2" || m["ownership"] != nil || r.body["moniker_count"] != float64(2) {
		t.Errorf("get: %s", r.raw)
	}
	if r := e.do("GET", "/models/market.prices%2Fmid", "/models/{path}", "").want(t, 200, ""); r.hdr.Get("ETag") != tag {
		t.Errorf("get with %%2F: %s", r.raw)
	}
	r = e.do("GET", "/models/market.prices/mid/monikers", "/models/{path}/monikers", "").want(t, 200, "")
	if r.body["model_path"] != "market.prices/mid" || r.body["count"] != float64(2) {
		t.Errorf("monikers: %s", r.raw)
	}
	if r := e.do("GET", "/models/nope/monikers", "/models/{path}/monikers", "").want(t, 404, "not_found"); r.detail() != "Model not found: nope" {
		t.Errorf("monikers 404: %s", r.raw)
	}
	if r := e.do("GET", "/models/no/such", "/models/{path}", "").want(t, 404, "not_found"); r.detail() != "Model not found: no/such" {
		t.Errorf("get 404: %s", r.raw)
	}

	// Create.
	r = e.do("POST", "/models", "/models", `{"path":"risk.analytics/pv01","display_name":"PV01","unit":"USD",
		"appears_in":["risk.cvar/*/*",{"moniker_pattern":"portfolios/*/risk/**","column_name":"PV01"}],
		"aliases":["PVBP",{"name":"DV01","type":"abbreviation"}],"tags":["b","a"]}`).want(t, 201, "")
	if r.body["path"] != "risk.analytics/pv01" || r.body["data_type"] != "float" || r.hdr.Get("ETag") == "" || len(r.body["appears_in"].([]any)) != 2 {
		t.Errorf("create: %s", r.raw)
	}
	if got := e.do("GET", "/models/for-moniker/portfolios/p1/risk/a/b", "/models/for-moniker/{path}", "").want(t, 200, ""); !strings.Contains(got.raw, "risk.analytics/pv01") {
		t.Errorf("the new model's ** pattern does not match: %s", got.raw)
	}
	if again, err := models.Open(e.models.Path()); err != nil || again.Get("risk.analytics/pv01") == nil {
		t.Errorf("not on disk: %v", err)
	}
	if r := e.do("POST", "/models", "/models", `{"path":"risk.analytics/pv01"}`).want(t, 409, "conflict"); r.detail() != "Model already exists: risk.analytics/pv01" {
		t.Errorf("409: %s", r.raw)
	}
	for _, tc := range []struct{ body, field string }{
		{`{"path":"tree"}`, "path"},
		{`{"path":"ui"}`, "path"},
		{`{"path":"for-moniker/x"}`, "path"},
		{`{"path":"risk.analytics/monikers"}`, "path"},
		{`{"path":"a b"}`, "path"},
		{`{"path":"x","appears_in":[{"moniker_pattern":"a b"}]}`, "appears_in[0].moniker_pattern"},
		{`{"path":"x","appears_in":[""]}`, "appears_in[0].moniker_pattern"},
		{`{"path":"x","aliases":[{"name":"a","type":"nick"}]}`, "aliases[0].type"},
		{`{"path":"x","documentation_url":"wiki/x"}`, "documentation_url"},
		{`{"path":"x","ownership":{"methodology_owner":"Quant team"}}`, "ownership.methodology_owner"},
		{`{"path":"x","data_type":""}`, "data_type"},
	} {
		if r := e.do("POST", "/models", "/models", tc.body).want(t, 422, "validation_error"); r.fieldLoc() != fieldLoc(tc.field) {
			t.Errorf("%s: loc %q does not name %s (%s)", tc.body, r.fieldLoc(), tc.field, r.raw)
		}
	}
	for _, tc := range []struct{ body, loc string }{
		{`{"display_name":"x"}`, "body.path"},
		{`{"path":"x","unit":["USD"]}`, "body.unit"},
		{`{"path":"x","ownership":{"owner":"x"}}`, "body.ownership.owner"},
		{`{"path":"x","appears_in":[{"pattern":"x"}]}`, "body.appears_in.pattern"},
		{`{"path":"x","extra":1}`, "body.extra"},
		{`not json`, "body"},
	} {
		if r := e.do("POST", "/models", "/models", tc.body).want(t, 422, "validation_error"); r.fieldLoc() != tc.loc {
			t.Errorf("%s: loc %q, want %q (%s)", tc.body, r.fieldLoc(), tc.loc, r.raw)
		}
	}
	e.do("POST", "/models", "/models", `{"path":"x","description":"`+strings.Repeat("a", 1<<20)+`"}`).want(t, 413, "body_too_large")

	// Update.
	r = e.do("PUT", "/models/market.prices/mid", "/models/{path}", `{"unit":null,"appears_in":[],"ownership":{"support_channel":"#md"}}`, "If-Match", tag).want(t, 200, "")
	if r.body["unit"] != nil || len(r.body["appears_in"].([]any)) != 0 || r.body["formula"] != "(bid + ask) / 2" || r.hdr.Get("ETag") == tag {
		t.Errorf("update: %s", r.raw)
	}
	if own := r.body["ownership"].(map[string]any); own["support_channel"] != "#md" || own["methodology_owner"] != nil {
		t.Errorf("ownership: %v", own)
	}
	e.do("PUT", "/models/market.prices/mid", "/models/{path}", `{"unit":"x"}`, "If-Match", tag).want(t, 412, "precondition_failed")
	e.do("PUT", "/models/nope", "/models/{path}", `{"unit":"x"}`).want(t, 404, "not_found")
	e.do("PUT", "/models/market.prices/mid", "/models/{path}", `{"path":"elsewhere"}`).want(t, 422, "validation_error")
	e.do("PUT", "/models/market.prices/mid", "/models/{path}", `{"wiki_link":"x"}`).want(t, 422, "validation_error")
	e.do("PUT", "/models/market.prices/mid", "/models/{path}", `{"units":"x"}`).want(t, 422, "validation_error")
	e.do("PUT", "/models/market.prices/mid", "/models/{path}", `{"description":"`+strings.Repeat("a", 1<<20)+`"}`).want(t, 413, "body_too_large")
	other, err := models.Open(e.models.Path())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Update(context.Background(), "market.prices/spread", models.Patch{Unit: models.Some("bps")}, "", "other"); err != nil {
		t.Fatal(err)
	}
	r = e.do("PUT", "/models/market.prices/spread", "/models/{path}", `{"unit":"pct"}`).want(t, 409, "conflict")
	if c, _ := r.body["conflicts"].([]any); len(c) != 1 || c[0] != "market.prices/spread" {
		t.Errorf("conflict: %s", r.raw)
	}
	if got := e.do("GET", "/models/market.prices/spread", "/models/{path}", "").want(t, 200, ""); got.body["model"].(map[string]any)["unit"] != "bps" {
		t.Errorf("after the conflict: %s", got.raw)
	}

	// Delete.
	if r := e.do("DELETE", "/models/market.prices", "/models/{path}", "").want(t, 400, "invalid_request"); !strings.Contains(r.detail(), "Delete children first: [market.prices/mid, market.prices/spread]") {
		t.Errorf("delete with children: %s", r.raw)
	}
	e.do("DELETE", "/models/risk.analytics/pv01", "/models/{path}", "", "If-Match", `"stale"`).want(t, 412, "precondition_failed")
	r = e.do("DELETE", "/models/risk.analytics/pv01", "/models/{path}", "", "If-Match", e.models.ETag("risk.analytics/pv01")).want(t, 200, "")
	if r.body["message"] != "Model 'risk.analytics/pv01' deleted" {
		t.Errorf("delete: %s", r.raw)
	}
	e.do("DELETE", "/models/risk.analytics/pv01", "/models/{path}", "").want(t, 404, "not_found")
	if _, err := other.Update(context.Background(), "return.attribution/sharpe", models.Patch{Unit: models.Some("x")}, "", "other"); err != nil {
		t.Fatal(err)
	}
	e.do("DELETE", "/models/return.attribution/sharpe", "/models/{path}", "").want(t, 409, "conflict")

	// Save and reload.
	if r := e.do("POST", "/models/save", "/models/save", "").want(t, 200, ""); r.body["message"] != "Saved 11 models to models.yaml" || r.body["file_path"] != nil {
		t.Errorf("save: %s", r.raw)
	}
	if r := e.do("POST", "/models/reload", "/models/reload", "").want(t, 200, ""); r.body["models_loaded"] != float64(11) {
		t.Errorf("reload: %s", r.raw)
	}
	good, err := os.ReadFile(e.models.Path())
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(e.models.Path(), append(good, "broken:\n  appears_in: {}\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := e.do("POST", "/models/reload", "/models/reload", "").want(t, 400, "invalid_request"); !strings.Contains(r.detail(), `model "broken": appears_in: expected a list`) {
		t.Errorf("reload of a broken file: %s", r.raw)
	}
	if e.models.Len() != 11 {
		t.Errorf("%d models after a failed reload", e.models.Len())
	}
	if err := os.Remove(e.models.Path()); err != nil {
		t.Fatal(err)
	}
	e.do("POST", "/models/reload", "/models/reload", "").want(t, 404, "not_found")
	e.do("POST", "/models/save", "/models/save", "").want(t, 200, "")
	if again, err := models.Open(e.models.Path()); err != nil || again.Len() != 11 {
		t.Errorf("save after the file was removed: %v", err)
	}

	e.checkCovered("/models")
}

func TestModelRoutesNotInitialized(t *testing.T) {
	e := newRegEnv(t, func(c *managementapi.Config) { c.Models = nil })
	for _, tc := range []struct{ method, target, doc, body string }{
		{"GET", "/models", "/models", ""},
		{"GET", "/models/tree", "/models/tree", ""},
		{"GET", "/models/for-moniker/x", "/models/for-moniker/{path}", ""},
		{"GET", "/models/x/monikers", "/models/{path}/monikers", ""},
		{"GET", "/models/x", "/models/{path}", ""},
		{"POST", "/models", "/models", `{"path":"x"}`},
		{"PUT", "/models/x", "/models/{path}", `{}`},
		{"DELETE", "/models/x", "/models/{path}", ""},
		{"POST", "/models/save", "/models/save", ""},
		{"POST", "/models/reload", "/models/reload", ""},
	} {
		r := e.do(tc.method, tc.target, tc.doc, tc.body).want(t, 503, "not_initialized")
		if r.detail() != "Model configuration not initialized" {
			t.Errorf("%s %s: %s", tc.method, tc.target, r.raw)
		}
	}
}
