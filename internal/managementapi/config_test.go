package managementapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/query"
	"github.com/moniker-svc/moniker/internal/source"
)

// The helpers of the /config handler tests are prefixed "cfg"; they run on
// regEnv (domains_test.go) with the catalog replaced.

// cfgCatalog is the handler tests' catalog: an ownership chain with a
// domain fallback (benchmarks is a domain of testdata/domains.yaml), a
// node with every governance field, a JSON-unfriendly float and a secret.
const cfgCatalog = `# Config test catalog
benchmarks:
  display_name: Benchmarks
  ownership:
    accountable_owner: bench-owner@firm.com
benchmarks.corporate:
  description: Corporate bond indices
benchmarks.corporate/ig:
  ownership:
    data_specialist: ig@firm.com
  source_binding:
    type: snowflake
    config:
      account: acct
      warehouse: WH
      database: BENCH
      query: SELECT * FROM IG WHERE sector = '{segments[0]}'
      password: hunter2
      limit: .inf
  tags: [ig, corporate]
prices.equity:
  description: Equity prices
  domain: prices
  ownership:
    adop: adop@firm.com
    adop_name: Ada
    ui: https://ui.firm.com/eq
  source_binding:
    type: rest
    config:
      base_url: https://api.firm.com
      path_template: /eq/{segments[0]}
      headers:
        Authorization: Bearer abc
        Accept: application/json
    cache:
      enabled: true
      ttl_seconds: 60
  data_quality:
    quality_score: 0.9
    validation_rules: []
  schema:
    columns:
      - name: SYM
        primary_key: true
  access_policy:
    min_filters: 1
    allowed_hours: [8, 18]
  documentation:
    glossary: https://wiki.firm.com/g
  status: deprecated
  deprecation_message: use prices.equity2
  successor: prices.equity2
  sunset_deadline: 2026-06-30
  migration_guide_url: https://wiki.firm.com/m
  vendor: Acme
  metadata:
    owner_team: eq
prices.equity2: {}
`

type cfgEnv struct {
	*regEnv
	path string // the catalog file
	ed   *catalogedit.Editor
}

func newCfgEnv(t *testing.T, cov map[string]bool) *cfgEnv {
	t.Helper()
	p := filepath.Join(t.TempDir(), "catalog.yaml")
	if err := os.WriteFile(p, []byte(cfgCatalog), 0o644); err != nil {
		t.Fatal(err)
	}
	ed, err := catalogedit.Open(p, catalogedit.Options{Audit: audit.New(filepath.Join(filepath.Dir(p), audit.FileName))})
	if err != nil {
		t.Fatal(err)
	}
	e := newRegEnv(t, func(c *managementapi.Config) { c.Catalog = ed })
	e.covered = cov
	return &cfgEnv{regEnv: e, path: p, ed: ed}
}

// node returns the "node" object of a GET /config/nodes/{path} answer.
func (r regResp) node() map[string]any {
	n, _ := r.body["node"].(map[string]any)
	return n
}

func cfgKeys(m map[string]any) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// TestConfigRoutes runs the handler tests of every /config route (each on
// a fresh copy of the catalog) and checks that each documented operation
// had its answers checked against the OpenAPI document.
func TestConfigRoutes(t *testing.T) {
	cov := map[string]bool{}
	for _, tt := range []struct {
		name string
		fn   func(*testing.T, map[string]bool)
	}{
		{"list", testConfigList}, {"list large", testConfigListLarge}, {"search", testConfigSearch}, {"get", testConfigGet},
		{"create", testConfigCreate}, {"update", testConfigUpdate}, {"delete", testConfigDelete}, {"save and reload", testConfigSave},
		{"show file paths", testConfigShowFilePaths}, {"source types", testConfigSourceTypes},
		{"not initialized", testConfigNotInitialized}, {"not editable", testConfigNotEditable},
		{"status", testConfigStatus},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, cov) })
	}
	// The operations of this area (GET /config/ui is a page; other
	// /config/ routes belong to other areas and check themselves).
	for _, op := range []string{
		"GET /config/nodes", "POST /config/nodes", "GET /config/search", "GET /config/nodes/{path}",
		"PUT /config/nodes/{path}", "DELETE /config/nodes/{path}", "POST /config/save", "POST /config/reload",
		"GET /config/source-types", "PUT /config/status/{path}",
	} {
		if !cov[op] {
			t.Errorf("%s: no response checked", op)
		}
	}
}

func testConfigList(t *testing.T, cov map[string]bool) {
	e := newCfgEnv(t, cov)
	r := e.do("GET", "/config/nodes", "/config/nodes", "").want(t, 200, "")
	nodes, _ := r.body["nodes"].([]any)
	if r.body["total"] != float64(5) || len(nodes) != 5 {
		t.Fatalf("total %v, %d nodes", r.body["total"], len(nodes))
	}
	var paths []string
	for _, n := range nodes {
		paths = append(paths, n.(map[string]any)["path"].(string))
	}
	if !slices.IsSorted(paths) {
		t.Errorf("not sorted: %v", paths)
	}
	first := nodes[0].(map[string]any)
	want := []string{"access_policy", "classification", "data_quality", "deprecation_message", "description", "display_name",
		"documentation", "domain", "extra", "freshness", "is_leaf", "metadata", "migration_guide_url", "ownership", "path",
		"schema", "sla", "source_binding", "status", "successor", "sunset_deadline", "tags"}
	if got := cfgKeys(first); !slices.Equal(got, want) {
		t.Errorf("node keys %v", got)
	}
	if r.hdr.Get("X-Moniker-Catalog-Version") != e.ed.Version() {
		t.Error("no catalog version header")
	}

	r = e.do("GET", "/config/nodes?summary=true&offset=1&limit=2", "/config/nodes", "").want(t, 200, "")
	nodes, _ = r.body["nodes"].([]any)
	if len(nodes) != 2 || r.body["total"] != float64(5) {
		t.Fatalf("paged: %s", r.raw)
	}
	row := nodes[0].(map[string]any)
	if row["path"] != paths[1] || row["source_type"] != nil || len(row) != 9 {
		t.Errorf("summary row %v", row)
	}
	if row := nodes[1].(map[string]any); row["source_type"] != "snowflake" {
		t.Errorf("summary row %v", row)
	}
	r = e.do("GET", "/config/nodes?offset=10", "/config/nodes", "").want(t, 200, "")
	if nodes, _ := r.body["nodes"].([]any); len(nodes) != 0 {
		t.Errorf("past the end: %s", r.raw)
	}
	// parent= lists one level of the tree, virtual prefixes included.
	for _, tt := range []struct {
		parent string
		want   []string // path:virtual:child_count
	}{
		{"", []string{"benchmarks:false:1", "prices:true:2"}},
		{"benchmarks", []string{"benchmarks.corporate:false:1"}},
		{"prices", []string{"prices.equity:false:0", "prices.equity2:false:0"}},
		{"benchmarks.corporate/ig", nil},
	} {
		r := e.do("GET", "/config/nodes?summary=true&parent="+tt.parent, "/config/nodes", "").want(t, 200, "")
		var got []string
		for _, n := range r.body["nodes"].([]any) {
			m := n.(map[string]any)
			got = append(got, fmt.Sprintf("%s:%v:%v", m["path"], m["virtual"], m["child_count"]))
		}
		if !slices.Equal(got, tt.want) || r.body["total"] != float64(len(tt.want)) {
			t.Errorf("parent=%q: %v (total %v), want %v", tt.parent, got, r.body["total"], tt.want)
		}
	}
	r = e.do("GET", "/config/nodes?summary=true&parent=&limit=1&offset=1", "/config/nodes", "").want(t, 200, "")
	if nodes := r.body["nodes"].([]any); len(nodes) != 1 || nodes[0].(map[string]any)["path"] != "prices" || r.body["total"] != float64(2) {
		t.Errorf("paged children: %s", r.raw)
	}

	for _, q := range []string{"limit=50001", "limit=-1", "offset=x", "summary=maybe"} {
		r := e.do("GET", "/config/nodes?"+q, "/config/nodes", "").want(t, 422, "validation_error")
		if loc := r.fieldLoc(); !strings.HasPrefix(loc, "query.") {
			t.Errorf("%s: loc %s", q, loc)
		}
	}
}

func testConfigSearch(t *testing.T, cov map[string]bool) {
	e := newCfgEnv(t, cov)
	r := e.do("GET", "/config/search?q=e", "/config/search", "").want(t, 200, "")
	if r.body["total"] != float64(0) || r.body["query"] != "e" {
		t.Errorf("short query: %s", r.raw)
	}
	r = e.do("GET", "/config/search?q=CORPORATE", "/config/search", "").want(t, 200, "")
	var got []string
	for _, h := range r.body["results"].([]any) {
		m := h.(map[string]any)
		got = append(got, m["path"].(string)+":"+m["match"].(string))
	}
	if want := []string{"benchmarks.corporate:path", "benchmarks.corporate/ig:path"}; !slices.Equal(got, want) {
		t.Errorf("results %v", got)
	}
	r = e.do("GET", "/config/search?q=equity%20prices", "/config/search", "").want(t, 200, "")
	if res := r.body["results"].([]any); len(res) != 1 || res[0].(map[string]any)["match"] != "description" {
		t.Errorf("description match: %s", r.raw)
	}
	r = e.do("GET", "/config/search?q=ig", "/config/search", "").want(t, 200, "")
	for _, h := range r.body["results"].([]any) {
		if m := h.(map[string]any); m["path"] == "benchmarks.corporate/ig" && m["match"] != "path" {
			t.Errorf("first hit is the path: %v", m)
		}
	}

	// 50 at most, total counts all.
	for i := range 60 {
		if _, err := e.ed.Create(t.Context(), &moniker.Node{Path: "many/n" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + string(rune('a'+i/26)), Tags: []string{"bulk"}}, ""); err != nil {
			t.Fatal(err)
		}
	}
	r = e.do("GET", "/config/search?q=bulk", "/config/search", "").want(t, 200, "")
	if res := r.body["results"].([]any); len(res) != 50 || r.body["total"] != float64(60) || res[0].(map[string]any)["match"] != "tag" {
		t.Errorf("%d results, total %v", len(res), r.body["total"])
	}
	r = e.do("GET", "/config/search?q=bulk&limit=55", "/config/search", "").want(t, 200, "")
	if res := r.body["results"].([]any); len(res) != 55 || r.body["total"] != float64(60) {
		t.Errorf("limit=55: %d results, total %v", len(res), r.body["total"])
	}
	e.do("GET", "/config/search?q=bulk&limit=2001", "/config/search", "").want(t, 422, "validation_error")
}

func testConfigGet(t *testing.T, cov map[string]bool) {
	e := newCfgEnv(t, cov)
	r := e.do("GET", "/config/nodes/benchmarks.corporate/ig", "/config/nodes/{path}", "").want(t, 200, "")
	_, etag, _ := e.ed.Get("benchmarks.corporate/ig")
	if r.hdr.Get("ETag") != `"`+etag+`"` {
		t.Errorf("ETag %q, want %q", r.hdr.Get("ETag"), etag)
	}
	ro, _ := r.body["resolved_ownership"].(map[string]any)
	if len(ro) != 20 {
		t.Errorf("resolved ownership has %d keys", len(ro))
	}
	for k, want := range map[string]any{
		"accountable_owner": "bench-owner@firm.com", "accountable_owner_source": "benchmarks",
		"data_specialist": "ig@firm.com", "data_specialist_source": "benchmarks.corporate/ig",
		"support_channel": "#index-data", "support_channel_source": "domain:benchmarks",
		"adop": nil, "ui_source": nil,
	} {
		if ro[k] != want {
			t.Errorf("resolved %s = %v, want %v", k, ro[k], want)
		}
	}
	n := r.node()
	sb := n["source_binding"].(map[string]any)
	cfg := sb["config"].(map[string]any)
	if cfg["password"] != "********" || cfg["limit"] != ".inf" || cfg["account"] != "acct" {
		t.Errorf("config %v", cfg)
	}
	if n["is_leaf"] != true || n["status"] != "active" || n["classification"] != "internal" || n["display_name"] != "ig" {
		t.Errorf("node %v", n)
	}

	// Percent-encoded slashes work like slashes.
	e.do("GET", "/config/nodes/benchmarks.corporate%2Fig", "/config/nodes/{path}", "").want(t, 200, "")
	e.do("GET", "/config/nodes/nothing/here", "/config/nodes/{path}", "").want(t, 404, "not_found")

	// Every field the node has is shown.
	n = e.do("GET", "/config/nodes/prices.equity", "/config/nodes/{path}", "").want(t, 200, "").node()
	own := n["ownership"].(map[string]any)
	if own["adop_name"] != "Ada" || own["ui"] != "https://ui.firm.com/eq" || own["accountable_owner"] != nil || len(own) != 10 {
		t.Errorf("ownership %v", own)
	}
	sb = n["source_binding"].(map[string]any)
	if c := sb["cache"].(map[string]any); c["ttl_seconds"] != float64(60) || c["refresh_on_startup"] != true {
		t.Errorf("cache %v", c)
	}
	if h := sb["config"].(map[string]any)["headers"].(map[string]any); h["Authorization"] != "********" || h["Accept"] != "application/json" {
		t.Errorf("headers %v", h)
	}
	if n["status"] != "deprecated" || n["successor"] != "prices.equity2" || n["sunset_deadline"] != "2026-06-30" ||
		n["documentation"].(map[string]any)["glossary"] != "https://wiki.firm.com/g" || n["extra"].(map[string]any)["vendor"] != "Acme" ||
		n["access_policy"].(map[string]any)["allowed_hours"] == nil {
		t.Errorf("node %v", n)
	}
}

func testConfigCreate(t *testing.T, cov map[string]bool) {
	e := newCfgEnv(t, cov)
	body := `{"path":"rates.swap/usd","display_name":"USD swaps","ownership":{"accountable_owner":"rates@firm.com"},
		"source_binding":{"type":"Snowflake","config":{"account":"a","warehouse":"w","database":"d","query":"SELECT {segments[0]}","port":1433,"ratio":0.5}},
		"tags":["swaps","usd","swaps"],"status":"draft","extra":{"created_by":"alice"},"is_leaf":true}`
	r := e.do("POST", "/config/nodes", "/config/nodes", body).want(t, 200, "")
	if r.body["path"] != "rates.swap/usd" || r.body["status"] != "draft" || r.hdr.Get("ETag") == "" {
		t.Fatalf("created %s", r.raw)
	}
	n, _, _ := e.ed.Get("rates.swap/usd")
	if n.Binding.Type != "snowflake" || n.Binding.Config["port"] != 1433 || n.Binding.Config["ratio"] != 0.5 ||
		!slices.Equal(n.Tags, []string{"swaps", "usd"}) || n.Extra["created_by"] != "alice" {
		t.Errorf("stored %+v %+v", n, n.Binding)
	}
	e.do("POST", "/config/nodes", "/config/nodes", `{"path":"rates.swap/usd"}`).want(t, 409, "conflict")

	tests := []struct {
		name, body, loc string
		status          int
	}{
		{"missing path", `{"description":"x"}`, "body.path", 422},
		{"empty path", `{"path":""}`, "body.path", 422},
		{"bad path", `{"path":"a b"}`, "body.path", 422},
		{"versioned path", `{"path":"a@20260101"}`, "body.path", 422},
		{"unknown key", `{"path":"a","colour":"red"}`, "body.colour", 422},
		{"unknown nested key", `{"path":"a","sla":{"uptime":"99"}}`, "body.sla.uptime", 422},
		{"type error", `{"path":"a","tags":"x"}`, "body.tags", 422},
		{"nested type error", `{"path":"a","access_policy":{"min_filters":"one"}}`, "body.access_policy.min_filters", 422},
		{"binding without type", `{"path":"a","source_binding":{"config":{}}}`, "body.source_binding.type", 422},
		{"source type", `{"path":"a","source_binding":{"type":"nosuch"}}`, "body.source_binding.type", 422},
		{"status", `{"path":"a","status":"retired"}`, "body.status", 422},
		{"email", `{"path":"a","ownership":{"adop":"Ada"}}`, "body.ownership.adop", 422},
		{"url", `{"path":"a","documentation":{"runbook":"wiki/rb"}}`, "body.documentation.runbook", 422},
		{"placeholder", `{"path":"a","source_binding":{"type":"oracle","config":{"query":"SELECT {segmnts[0]}"}}}`, "body.source_binding.config.query", 422},
		{"blocked pattern", `{"path":"a","access_policy":{"blocked_patterns":["("]}}`, "body.access_policy.blocked_patterns.0", 422},
		{"extra key", `{"path":"a","extra":{"nope":1}}`, "body.extra.nope", 422},
		{"not an object", `[1]`, "body", 422},
		{"bad json", `{"path":`, "body", 422},
		{"empty body", ``, "body", 422},
		{"masked secret without a stored one", `{"path":"a","source_binding":{"type":"postgres","config":{"password":"********"}}}`, "body.source_binding.config.password", 422},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do("POST", "/config/nodes", "/config/nodes", tt.body).want(t, tt.status, "validation_error")
			if loc := r.fieldLoc(); loc != tt.loc {
				t.Errorf("loc %q, want %q: %s", loc, tt.loc, r.raw)
			}
		})
	}
	big := `{"path":"a","description":"` + strings.Repeat("x", 1<<20) + `"}`
	e.do("POST", "/config/nodes", "/config/nodes", big).want(t, 413, "body_too_large")
	if p := e.ed.Pending(); !slices.Equal(p, []string{"rates.swap/usd"}) {
		t.Errorf("pending %v", p)
	}
}

func testConfigUpdate(t *testing.T, cov map[string]bool) {
	e := newCfgEnv(t, cov)
	get := func(path string) regResp {
		return e.do("GET", "/config/nodes/"+path, "/config/nodes/{path}", "").want(t, 200, "")
	}
	before := get("prices.equity")
	etag := before.hdr.Get("ETag")

	// One field changes; every other key of the node is as it was.
	r := e.do("PUT", "/config/nodes/prices.equity", "/config/nodes/{path}", `{"description":"Equity closes"}`, "If-Match", etag).want(t, 200, "")
	if r.body["description"] != "Equity closes" || r.hdr.Get("ETag") == etag {
		t.Fatalf("updated %s", r.raw)
	}
	after := get("prices.equity").node()
	for k, v := range before.node() {
		if k == "description" {
			continue
		}
		a, _ := json.Marshal(v)
		b, _ := json.Marshal(after[k])
		if string(a) != string(b) {
			t.Errorf("%s changed: %s -> %s", k, a, b)
		}
	}

	// The stale ETag is refused; the node as GET shows it, sent back,
	// changes nothing (masked secrets included).
	e.do("PUT", "/config/nodes/prices.equity", "/config/nodes/{path}", `{"description":"x"}`, "If-Match", etag).want(t, 412, "precondition_failed")
	cur := get("prices.equity")
	whole, _ := json.Marshal(cur.node())
	r = e.do("PUT", "/config/nodes/prices.equity", "/config/nodes/{path}", string(whole), "If-Match", cur.hdr.Get("ETag")).want(t, 200, "")
	if r.hdr.Get("ETag") != cur.hdr.Get("ETag") {
		t.Error("sending the node back changed it")
	}
	// Another config value changes; the masked secret keeps its value.
	node := cur.node()
	sb := node["source_binding"].(map[string]any)
	sb["config"].(map[string]any)["path_template"] = "/equities/{segments[0]}"
	body, _ := json.Marshal(map[string]any{"source_binding": sb})
	e.do("PUT", "/config/nodes/prices.equity", "/config/nodes/{path}", string(body)).want(t, 200, "")
	n, _, _ := e.ed.Get("prices.equity")
	headers := n.Binding.Config["headers"].(map[string]any)
	if headers["Authorization"] != "Bearer abc" || n.Binding.Config["path_template"] != "/equities/{segments[0]}" || n.Binding.Cache.TTLSeconds != 60 {
		t.Errorf("binding %+v", n.Binding)
	}
	if n.Status != moniker.StatusDeprecated || n.AccessPolicy == nil || n.Ownership[moniker.ADOPName] != "Ada" {
		t.Errorf("node %+v", n)
	}

	// null clears; an object replaces the old one whole.
	r = e.do("PUT", "/config/nodes/prices.equity", "/config/nodes/{path}", `{"domain":null,"ownership":{"ads":"ads@firm.com"},"access_policy":null}`).want(t, 200, "")
	if r.body["domain"] != nil || r.body["access_policy"] != nil {
		t.Errorf("not cleared: %s", r.raw)
	}
	if own := r.body["ownership"].(map[string]any); own["ads"] != "ads@firm.com" || own["adop_name"] != nil {
		t.Errorf("ownership %v", own)
	}
	// Status may be set explicitly.
	e.do("PUT", "/config/nodes/prices.equity", "/config/nodes/{path}", `{"status":"archived"}`).want(t, 200, "")

	e.do("PUT", "/config/nodes/nothing", "/config/nodes/{path}", `{"description":"x"}`).want(t, 404, "not_found")
	r = e.do("PUT", "/config/nodes/prices.equity", "/config/nodes/{path}", `{"path":"prices.other"}`).want(t, 422, "validation_error")
	if r.fieldLoc() != "body.path" {
		t.Errorf("rename: %s", r.raw)
	}
	r = e.do("PUT", "/config/nodes/prices.equity", "/config/nodes/{path}", `{"successor":"not a path"}`).want(t, 422, "validation_error")
	if r.fieldLoc() != "body.successor" {
		t.Errorf("successor: %s", r.raw)
	}
	e.do("PUT", "/config/nodes/prices.equity", "/config/nodes/{path}", `{"description":`+`"`+strings.Repeat("x", 1<<20)+`"}`).want(t, 413, "body_too_large")
	e.do("PUT", "/config/nodes/prices.equity", "/config/nodes/{path}", `{"is_leaf":"yes"}`).want(t, 422, "validation_error")
}

func testConfigDelete(t *testing.T, cov map[string]bool) {
	e := newCfgEnv(t, cov)
	r := e.do("DELETE", "/config/nodes/benchmarks.corporate", "/config/nodes/{path}", "").want(t, 400, "invalid_request")
	if kids, _ := r.body["children"].([]any); len(kids) != 1 || kids[0] != "benchmarks.corporate/ig" {
		t.Errorf("children: %s", r.raw)
	}
	e.do("DELETE", "/config/nodes/benchmarks.corporate/ig", "/config/nodes/{path}", "", "If-Match", `"stale"`).want(t, 412, "precondition_failed")
	r = e.do("DELETE", "/config/nodes/benchmarks.corporate%2Fig", "/config/nodes/{path}", "").want(t, 200, "")
	if r.body["message"] != "Node deleted: benchmarks.corporate/ig" || r.body["success"] != true {
		t.Errorf("deleted: %s", r.raw)
	}
	e.do("DELETE", "/config/nodes/benchmarks.corporate/ig", "/config/nodes/{path}", "").want(t, 404, "not_found")
	e.do("DELETE", "/config/nodes/benchmarks.corporate", "/config/nodes/{path}", "").want(t, 200, "")
}

func testConfigSave(t *testing.T, cov map[string]bool) {
	e := newCfgEnv(t, cov)
	r := e.do("POST", "/config/save", "/config/save", "").want(t, 200, "")
	if paths := r.body["saved_paths"].([]any); len(paths) != 0 || r.body["moniker_count"] != float64(5) || r.body["path"] != "" {
		t.Errorf("empty save: %s", r.raw)
	}
	if readFileT(t, e.path) != cfgCatalog {
		t.Fatal("a save without changes changed the file")
	}
	e.do("PUT", "/config/nodes/prices.equity2", "/config/nodes/{path}", `{"description":"next"}`).want(t, 200, "")
	e.do("POST", "/config/nodes", "/config/nodes", `{"path":"benchmarks.new"}`).want(t, 200, "")
	r = e.do("POST", "/config/save", "/config/save", "").want(t, 200, "")
	if got := r.body["saved_paths"].([]any); len(got) != 2 || r.body["moniker_count"] != float64(6) {
		t.Errorf("save: %s", r.raw)
	}
	disk, _, err := catalog.Load(e.path)
	if err != nil {
		t.Fatal(err)
	}
	if disk.Get("prices.equity2").Description != "next" || disk.Get("benchmarks.new") == nil {
		t.Error("the file does not have the changes")
	}
	// The rest of the file kept its bytes.
	if data := readFileT(t, e.path); !strings.HasPrefix(data, cfgCatalog[:strings.Index(cfgCatalog, "prices.equity2: {}")]) {
		t.Errorf("other bytes changed:\n%s", data)
	}
	entries, err := audit.New(filepath.Join(filepath.Dir(e.path), audit.FileName)).Entries("", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range entries {
		got = append(got, en.Action+" "+en.Path+" "+en.Actor)
	}
	if want := []string{"node_created benchmarks.new anonymous", "node_updated prices.equity2 anonymous"}; !slices.Equal(got, want) {
		t.Errorf("audit %v", got)
	}

	// Another writer changes the same node on disk: 409 with the path,
	// the change stays unsaved.
	other, err := catalogedit.Open(e.path, catalogedit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	patch := catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: "by the other"}}
	if _, _, err := other.Update(t.Context(), "benchmarks", patch, "", "other"); err != nil {
		t.Fatal(err)
	}
	if _, err := other.Save(t.Context(), "other"); err != nil {
		t.Fatal(err)
	}
	e.do("PUT", "/config/nodes/benchmarks", "/config/nodes/{path}", `{"description":"mine"}`).want(t, 200, "")
	r = e.do("POST", "/config/save", "/config/save", "").want(t, 409, "conflict")
	if paths := r.body["paths"].([]any); len(paths) != 1 || paths[0] != "benchmarks" {
		t.Errorf("conflict: %s", r.raw)
	}
	// current has the node as the other writer left it on disk.
	if cur, _ := r.body["current"].(map[string]any); cur == nil || cur["benchmarks"].(map[string]any)["description"] != "by the other" {
		t.Errorf("conflict current: %s", r.raw)
	}
	if !slices.Equal(e.ed.Pending(), []string{"benchmarks"}) {
		t.Errorf("pending %v", e.ed.Pending())
	}

	// Reload keeps the unsaved change; discard=true drops it.
	r = e.do("POST", "/config/reload", "/config/reload", "").want(t, 200, "")
	if !strings.Contains(r.body["message"].(string), "1 unsaved") || r.body["version"] != e.ed.Version() {
		t.Errorf("reload: %s", r.raw)
	}
	r = e.do("POST", "/config/reload?discard=true", "/config/reload", "").want(t, 200, "")
	if len(e.ed.Pending()) != 0 || r.body["moniker_count"] != float64(6) {
		t.Errorf("reload with discard: %s, pending %v", r.raw, e.ed.Pending())
	}
	if d := e.do("GET", "/config/nodes/benchmarks", "/config/nodes/{path}", "").node()["description"]; d != "by the other" {
		t.Errorf("after reload: %v", d)
	}
	e.do("POST", "/config/reload?discard=maybe", "", "").want(t, 422, "validation_error")
	// A file that does not load changes nothing.
	broken := readFileT(t, e.path) + "hand_edit:\n  bogus: 1\n"
	if err := os.WriteFile(e.path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	r = e.do("POST", "/config/reload", "/config/reload", "").want(t, 422, "reload_failed")
	if !strings.Contains(r.detail(), "bogus") {
		t.Errorf("reload failure: %s", r.raw)
	}
	e.do("GET", "/config/nodes/benchmarks", "/config/nodes/{path}", "").want(t, 200, "")
	// Nor is a broken file written over by a save.
	e.do("PUT", "/config/nodes/benchmarks.new", "/config/nodes/{path}", `{"description":"x"}`).want(t, 200, "")
	r = e.do("POST", "/config/save", "/config/save", "").want(t, 400, "invalid_request")
	if !strings.Contains(r.detail(), "bogus") || readFileT(t, e.path) != broken {
		t.Errorf("save over a broken file: %s", r.raw)
	}
}

func testConfigShowFilePaths(t *testing.T, cov map[string]bool) {
	e := newCfgEnv(t, cov)
	env := newRegEnv(t, func(c *managementapi.Config) { c.Catalog = e.ed; c.ShowFilePaths = true })
	env.covered = cov
	r := env.do("POST", "/config/save", "/config/save", "").want(t, 200, "")
	if abs, _ := filepath.Abs(e.path); r.body["path"] != abs || !strings.Contains(r.body["message"].(string), abs) {
		t.Errorf("save with show_file_paths: %s", r.raw)
	}
}

func testConfigSourceTypes(t *testing.T, cov map[string]bool) {
	e := newCfgEnv(t, cov)
	r := e.do("GET", "/config/source-types", "/config/source-types", "").want(t, 200, "")
	var types []string
	for _, st := range r.body["source_types"].([]any) {
		m := st.(map[string]any)
		types = append(types, m["type"].(string))
		if len(m["config_schema"].(map[string]any)) == 0 || m["execution_hint"] == "" {
			t.Errorf("%s has no config schema or hint", m["type"])
		}
	}
	if !slices.Equal(types, source.Names()) {
		t.Errorf("types %v", types)
	}
	if n := len(r.body["placeholders"].([]any)); n != len(query.Placeholders()) {
		t.Errorf("%d placeholders", n)
	}
}

func testConfigNotInitialized(t *testing.T, cov map[string]bool) {
	e := newRegEnv(t, func(c *managementapi.Config) { c.Catalog = nil })
	e.covered = cov
	for _, rt := range []struct{ method, target, doc string }{
		{"GET", "/config/nodes", "/config/nodes"},
		{"GET", "/config/search?q=ab", "/config/search"},
		{"GET", "/config/nodes/a", "/config/nodes/{path}"},
		{"POST", "/config/nodes", "/config/nodes"},
		{"PUT", "/config/nodes/a", "/config/nodes/{path}"},
		{"DELETE", "/config/nodes/a", "/config/nodes/{path}"},
		{"POST", "/config/save", "/config/save"},
		{"POST", "/config/reload", ""}, // 503 is not in operations.yaml's shared operation
	} {
		r := e.do(rt.method, rt.target, rt.doc, `{"path":"a"}`).want(t, 503, "not_initialized")
		if r.detail() != "Config UI not initialized" {
			t.Errorf("%s %s: %s", rt.method, rt.target, r.raw)
		}
	}
	// The source types need no catalog.
	e.do("GET", "/config/source-types", "/config/source-types", "").want(t, 200, "")
}

// TestConfigNotEditable: a node of a JSON catalog cannot be written.
func testConfigNotEditable(t *testing.T, cov map[string]bool) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "c.json"), []byte(`{"j": {"description": "d"}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	ed, err := catalogedit.Open(dir, catalogedit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	e := newRegEnv(t, func(c *managementapi.Config) { c.Catalog = ed })
	e.covered = cov
	e.do("PUT", "/config/nodes/j", "/config/nodes/{path}", `{"description":"x"}`).want(t, 501, "not_implemented")
	e.do("DELETE", "/config/nodes/j", "/config/nodes/{path}", "").want(t, 501, "not_implemented")
	e.do("POST", "/config/nodes", "/config/nodes", `{"path":"k"}`).want(t, 200, "")
}

// TestConfigListLarge: paging a bigger working copy returns every node
// once, in order.
func testConfigListLarge(t *testing.T, cov map[string]bool) {
	e := newCfgEnv(t, cov)
	for i := range 120 {
		if _, err := e.ed.Create(t.Context(), &moniker.Node{Path: "bulk/n" + string(rune('a'+i%26)) + string(rune('a'+i/26))}, ""); err != nil {
			t.Fatal(err)
		}
	}
	var all []string
	for offset := 0; ; offset += 50 {
		rec := httptest.NewRecorder()
		e.mux.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/config/nodes?summary=true&limit=50&offset="+itoa(offset), nil))
		var page struct {
			Nodes []struct{ Path string }
			Total int
		}
		if err := json.Unmarshal(rec.Body.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
		for _, n := range page.Nodes {
			all = append(all, n.Path)
		}
		if len(page.Nodes) < 50 {
			if page.Total != 125 {
				t.Errorf("total %d", page.Total)
			}
			break
		}
	}
	if len(all) != 125 || !slices.IsSorted(all) || len(slices.Compact(slices.Clone(all))) != 125 {
		t.Errorf("%d paths", len(all))
	}
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func readFileT(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
