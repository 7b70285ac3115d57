package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestResolverEndToEnd runs monikerd -target=resolver on our test catalog
// and domains and checks every read route.
func TestResolverEndToEnd(t *testing.T) {
	base := start(t, "-target=resolver", "-config.file="+fixtureConfig(t, ""))

	t.Run("health", func(t *testing.T) {
		r := get(t, base+"/health")
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		h := r.json(t)
		if h["status"] != "healthy" || h["target"] != "resolver" {
			t.Errorf("health = %v", h)
		}
		if got := field(t, h, "catalog_counts.total"); got != 62.0 {
			t.Errorf("catalog_counts.total = %v, want 62", got)
		}
	})

	t.Run("deep snowflake moniker with a version", func(t *testing.T) {
		r := get(t, base+"/resolve/benchmarks.sovereign/developed/EU.GovBondAgg/EUR@20260115")
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		if r.header.Get("X-Moniker-Catalog-Version") == "" {
			t.Error("no X-Moniker-Catalog-Version header")
		}
		v := r.json(t)
		q, _ := v["query"].(string)
		for _, want := range []string{"index_family = 'EU.GovBondAgg'", "currency = 'EUR'", "as_of_date = TO_DATE('20260115', 'YYYYMMDD')", "FROM DM_GOVT_INDEX"} {
			if !strings.Contains(q, want) {
				t.Errorf("query lacks %q:\n%s", want, q)
			}
		}
		if v["source_type"] != "snowflake" || v["binding_path"] != "benchmarks.sovereign/developed" || v["sub_path"] != "EU.GovBondAgg/EUR" {
			t.Errorf("source_type/binding_path/sub_path = %v/%v/%v", v["source_type"], v["binding_path"], v["sub_path"])
		}
		if got := field(t, v, "params.moniker_version"); got != "20260115" {
			t.Errorf("moniker_version = %v", got)
		}
		if got := field(t, v, "connection.schema"); got != "GOVT" {
			t.Errorf("connection.schema = %v", got)
		}
		if v["moniker"] != "moniker://benchmarks.sovereign/developed/EU.GovBondAgg/EUR@20260115" {
			t.Errorf("moniker = %v", v["moniker"])
		}
	})

	t.Run("ownership with sources", func(t *testing.T) {
		v := get(t, base+"/resolve/prices.equity/AAPL@20260115").json(t)
		for k, want := range map[string]any{
			"ownership.accountable_owner":        "pricing-owners@firm.com",
			"ownership.accountable_owner_source": "prices",
			"ownership.data_specialist":          "pricing-ops@firm.com",
			"ownership.support_channel_source":   "prices",
			"ownership.adop":                     nil,
			"binding_path":                       "prices.equity",
			"sub_path":                           "AAPL",
		} {
			if got := field(t, v, k); got != want {
				t.Errorf("%s = %v, want %v", k, got, want)
			}
		}
		if q := v["query"].(string); !strings.Contains(q, "ticker = 'AAPL'") || !strings.Contains(q, "TO_DATE('20260115', 'YYYYMMDD')") {
			t.Errorf("query = %s", q)
		}
		d := get(t, base+"/describe/prices.equity/AAPL").json(t)
		if field(t, d, "ownership.accountable_owner_source") != "prices" || d["has_source_binding"] != true || d["source_type"] != "snowflake" {
			t.Errorf("describe = %v", d)
		}
	})

	t.Run("versions are not confused by the cache", func(t *testing.T) {
		a := get(t, base+"/resolve/prices.equity/AAPL@20260115").json(t)
		b := get(t, base+"/resolve/prices.equity/AAPL@20260116").json(t)
		if a["query"] == b["query"] || field(t, b, "params.moniker_version") != "20260116" {
			t.Errorf("second version answered from the first's cache entry: %v", b["query"])
		}
	})

	t.Run("lineage", func(t *testing.T) {
		v := get(t, base+"/lineage/prices.equity/AAPL").json(t)
		if field(t, v, "source.binding_defined_at") != "prices.equity" || field(t, v, "ownership.accountable_owner_defined_at") != "prices" {
			t.Errorf("lineage = %v", v)
		}
		if h := v["path_hierarchy"].([]any); len(h) != 3 || h[0] != "" || h[2] != "prices.equity/AAPL" {
			t.Errorf("path_hierarchy = %v", h)
		}
	})

	t.Run("list", func(t *testing.T) {
		v := get(t, base+"/list/reports").json(t)
		got := strings.Join(toStrings(v["children"]), ",")
		if got != "regulatory,reports.client,reports.daily,reports.regulatory" {
			t.Errorf("children = %s", got)
		}
	})

	t.Run("tree", func(t *testing.T) {
		r := get(t, base+"/tree/benchmarks?depth=1")
		v := r.json(t)
		if v["path"] != "benchmarks" || len(v["children"].([]any)) == 0 {
			t.Fatalf("tree = %s", r.body)
		}
		for _, c := range v["children"].([]any) {
			if len(c.(map[string]any)["children"].([]any)) != 0 {
				t.Errorf("depth=1 returned grandchildren under %v", c.(map[string]any)["path"])
			}
		}
		all := get(t, base+"/tree")
		if all.status != 200 || !strings.HasPrefix(string(all.body), "[") {
			t.Fatalf("/tree = %d %.100s", all.status, all.body)
		}
		if r := get(t, base+"/tree/no.such.node"); r.status != 404 || r.json(t)["detail"] != "Path not found: no.such.node" {
			t.Errorf("missing tree node: %d %s", r.status, r.body)
		}
	})

	t.Run("search", func(t *testing.T) {
		v := get(t, base+"/catalog/search?q=treasury").json(t)
		res := v["results"].([]any)
		if len(res) == 0 || field(t, res[0], "path") != "fixed_income/govies/treasury" {
			t.Errorf("search = %v", v)
		}
		if r := get(t, base+"/catalog/search"); r.status != 422 {
			t.Errorf("search without q: %d", r.status)
		}
	})

	t.Run("stats", func(t *testing.T) {
		v := get(t, base+"/catalog/stats").json(t)
		for k, want := range map[string]any{
			"total_monikers":                      62.0,
			"by_source_type.snowflake":            16.0,
			"by_source_type.rest":                 5.0,
			"by_source_type.sqlite":               1.0,
			"by_status.deprecated":                2.0,
			"by_classification.confidential":      6.0,
			"ownership_coverage.has_ownership":    16.0,
			"ownership_coverage.coverage_percent": 25.8,
		} {
			if got := field(t, v, k); got != want {
				t.Errorf("%s = %v, want %v", k, got, want)
			}
		}
	})

	t.Run("catalog paging", func(t *testing.T) {
		v := get(t, base+"/catalog?limit=50").json(t)
		if len(v["paths"].([]any)) != 50 || v["has_more"] != true || v["total_count"] != 62.0 {
			t.Fatalf("page 1 = %v", v)
		}
		v2 := get(t, base+"/catalog?limit=50&cursor="+v["next_cursor"].(string)).json(t)
		if len(v2["paths"].([]any)) != 12 || v2["has_more"] != false || v2["next_cursor"] != nil {
			t.Errorf("page 2 = %v", v2)
		}
		for _, bad := range []string{"limit=0", "limit=1001", "limit=x"} {
			if r := get(t, base+"/catalog?"+bad); r.status != 422 {
				t.Errorf("%s: status %d", bad, r.status)
			}
		}
		if r := get(t, base+"/catalog?status=bogus"); r.status != 400 || r.json(t)["detail"] != "Invalid status: bogus" {
			t.Errorf("bad status: %d %s", r.status, r.body)
		}
	})

	t.Run("batch with one bad item", func(t *testing.T) {
		r := do(t, "POST", base+"/resolve/batch", `{"monikers":["prices.equity/AAPL@20260115","prices.equity//AAPL","moniker://fixed_income/govies/treasury/10Y"]}`)
		if r.status != 200 {
			t.Fatalf("status %d: %s", r.status, r.body)
		}
		v := r.json(t)
		res := v["results"].([]any)
		if len(res) != 2 || field(t, res[0], "path") != "prices.equity/AAPL" {
			t.Errorf("results = %v", res)
		}
		errs := v["errors"].(map[string]any)
		if len(errs) != 1 || errs["prices.equity//AAPL"] == nil {
			t.Errorf("errors = %v", errs)
		}
		big := `{"monikers":[` + strings.TrimSuffix(strings.Repeat(`"a",`, 101), ",") + `]}`
		if r := do(t, "POST", base+"/resolve/batch", big); r.status != 400 || r.json(t)["detail"] != "Maximum 100 monikers per batch request" {
			t.Errorf("101 monikers: %d %s", r.status, r.body)
		}
		if r := do(t, "POST", base+"/resolve/batch", `{"monikers":"x"}`); r.status != 422 {
			t.Errorf("bad body: %d %s", r.status, r.body)
		}
	})

	t.Run("bad and unknown monikers", func(t *testing.T) {
		r := get(t, base+"/resolve/prices.equity/_AAPL")
		v := r.json(t)
		if r.status != 400 || v["error"] != "Invalid moniker" || v["code"] != "invalid_moniker" || !strings.Contains(v["detail"].(string), "_AAPL") {
			t.Errorf("bad moniker: %d %s", r.status, r.body)
		}
		r = get(t, base+"/resolve/prices")
		v = r.json(t)
		if r.status != 404 || v["error"] != "Not found" || v["detail"] != "No source binding for: prices" ||
			v["domain"] != "prices" || v["help_channel"] != "#pricing-help" || v["documentation"] == nil {
			t.Errorf("unknown moniker: %d %s", r.status, r.body)
		}
		for _, p := range []string{"/resolve/a//b", "/resolve/a/../b", "/resolve/a/b%3Fx=1", "/resolve/%2E%2E/x", "/resolve/a%2F%2Fb"} {
			r := get(t, base+p)
			if r.status != 400 || r.header.Get("Location") != "" {
				t.Errorf("%s: %d %s (Location %q)", p, r.status, r.body, r.header.Get("Location"))
			}
			r.json(t)
		}
		if r := get(t, base+"/resolve/prices.equity%2FAAPL@20260115"); r.status != 200 || r.json(t)["path"] != "prices.equity/AAPL" {
			t.Errorf("encoded slash: %d %s", r.status, r.body)
		}
	})

	t.Run("routes of later work and a type without an adapter answer 501 in JSON, /ui is a page, unknown routes 404 in JSON", func(t *testing.T) {
		for _, c := range []struct{ method, path string }{
			{"GET", "/fetch/benchmarks.returns/SPX"}, {"GET", "/cache/status"}, {"POST", "/cache/refresh/x"},
			{"PUT", "/catalog/prices.equity/status"},
		} {
			r := do(t, c.method, base+c.path, "")
			if r.status != http.StatusNotImplemented || r.json(t)["code"] != "not_implemented" {
				t.Errorf("%s %s: %d %s", c.method, c.path, r.status, r.body)
			}
		}
		if r := get(t, base+"/ui"); r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("/ui on the resolver: %d %s", r.status, r.header.Get("Content-Type"))
		}
		if r := get(t, base+"/config/ui"); r.status != 404 || r.json(t)["code"] == nil {
			t.Errorf("/config/ui on the resolver: %d %s", r.status, r.body)
		}
		if r := do(t, "DELETE", base+"/health", ""); r.status != 405 || r.header.Get("Allow") == "" {
			t.Errorf("DELETE /health: %d %s", r.status, r.body)
		}
	})

	t.Run("metrics", func(t *testing.T) {
		body := string(get(t, base+"/metrics").body)
		for _, want := range []string{"moniker_http_requests_total", "moniker_resolve_cache_hits_total", "moniker_catalog_nodes 62", "moniker_catalog_info{version="} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
	})
}

// TestAccessPolicyEndToEnd checks the risk.cvar policy of our test
// catalog through a real resolver.
func TestAccessPolicyEndToEnd(t *testing.T) {
	base := start(t, "-target=resolver", "-config.file="+fixtureConfig(t, ""))
	// The policy: base 100 rows, multipliers 1000/50/20000 per ALL,
	// blocked pattern ALL/ALL/ALL, min_filters 1, block above 1e9 rows.
	r := get(t, base+"/resolve/risk.cvar/ALL/ALL/ALL")
	v := r.json(t)
	if r.status != 403 || v["error"] != "Access denied" || v["estimated_rows"] != 1e11 || v["code"] != "access_denied" ||
		!strings.HasPrefix(v["detail"].(string), "Refused: expected shortfall has billions of rows.") {
		t.Errorf("risk.cvar/ALL/ALL/ALL: %d %s", r.status, r.body)
	}
	// Two ALLs (1000 books x 20,000 instruments x 100 rows) are over
	// max_rows_block; one book with all its instruments is not.
	if r := get(t, base+"/resolve/risk.cvar/ALL/USD/ALL"); r.status != 403 || r.json(t)["estimated_rows"] != 2e9 {
		t.Errorf("risk.cvar/ALL/USD/ALL: %d %s", r.status, r.body)
	}
	if r := get(t, base+"/resolve/risk.cvar/758-A/USD/ALL"); r.status != 200 {
		t.Errorf("risk.cvar/758-A/USD/ALL: %d %s", r.status, r.body)
	}
	// The bare binding path has no filters: min_filters denies it.
	if r := get(t, base+"/resolve/risk.cvar"); r.status != 403 {
		t.Errorf("risk.cvar: %d %s", r.status, r.body)
	}
	ok := get(t, base+"/resolve/risk.cvar/758-A/USD/US0378331005")
	if ok.status != 200 {
		t.Fatalf("risk.cvar/758-A/USD/US0378331005: %d %s", ok.status, ok.body)
	}
	// A cache hit must not skip the policy: after the allowed moniker is
	// cached, the denied ones are still denied.
	get(t, base+"/resolve/risk.cvar/758-A/USD/US0378331005")
	if r := get(t, base+"/resolve/risk.cvar/ALL/ALL/ALL"); r.status != 403 {
		t.Errorf("denied after cache warm-up: %d", r.status)
	}
}

// TestAccessPolicyWithoutMultipliers: risk.greeks's policy has no
// multipliers, so each ALL counts 100 (reference §6.5), and its first
// segment is required.
func TestAccessPolicyWithoutMultipliers(t *testing.T) {
	base := start(t, "-target=resolver", "-config.file="+fixtureConfig(t, ""))
	r := get(t, base+"/resolve/risk.greeks/ALL/20260115")
	if r.status != 403 || r.json(t)["estimated_rows"] != 1e4 || r.json(t)["detail"] != "Access policy requires segment 0 to be specified (cannot use ALL)" {
		t.Errorf("risk.greeks/ALL/20260115: %d %s", r.status, r.body)
	}
	if r := get(t, base+"/resolve/risk.greeks/B1/ALL"); r.status != 200 {
		t.Errorf("risk.greeks/B1/ALL: %d %s", r.status, r.body)
	}
}

// TestDemoWithoutConfig starts monikerd with no config at all: it must
// seed and serve the embedded demo.
func TestDemoWithoutConfig(t *testing.T) {
	base := start(t)
	if r := get(t, base+"/resolve/prices.equity/AAPL"); r.status != 200 {
		t.Fatalf("demo resolve: %d %s", r.status, r.body)
	}
	if h := get(t, base+"/health").json(t); h["target"] != "all" {
		t.Errorf("default target = %v", h["target"])
	}
}

func toStrings(v any) []string {
	var out []string
	for _, x := range v.([]any) {
		out = append(out, x.(string))
	}
	return out
}

// TestRateLimit: the per-caller bucket answers 429 with an integer
// Retry-After once its burst is spent; another caller is unaffected.
func TestRateLimit(t *testing.T) {
	cfg := fixtureConfig(t, "governance:\n  requests_per_second: 1\n  burst_capacity: 5\n")
	base := start(t, "-target=resolver", "-config.file="+cfg)
	hit := func(app string) response {
		req, _ := http.NewRequest("GET", base+"/resolve/prices.equity/AAPL", nil)
		req.Header.Set("X-App-ID", app)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return response{resp.StatusCode, resp.Header, b}
	}
	var limited response
	for i := 0; i < 10; i++ {
		if r := hit("greedy"); r.status == 429 {
			limited = r
			break
		}
	}
	if limited.status != 429 || limited.json(t)["code"] != "rate_limited" {
		t.Fatalf("no 429 after the burst: %d %s", limited.status, limited.body)
	}
	if ra := limited.header.Get("Retry-After"); ra == "" || strings.ContainsAny(ra, ".") {
		t.Errorf("Retry-After %q is not an integer", ra)
	}
	if r := hit("polite"); r.status != 200 {
		t.Errorf("another caller was limited: %d", r.status)
	}
	h := get(t, base+"/health").json(t)
	if n, _ := field(t, h, "rate_limiter.total_limited").(float64); n < 1 {
		t.Errorf("health rate_limiter = %v", h["rate_limiter"])
	}
}
