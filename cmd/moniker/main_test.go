package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/fixtures"
)

// Canned answers in the server's shapes (reference §3).
const (
	resolveJSON = `{"moniker":"moniker://prices.equity/AAPL@20260115","path":"prices.equity/AAPL","source_type":"snowflake",
"connection":{"account":"northwind.eu-west-1","warehouse":"MARKET_WH","database":"PRICES","schema":"EQUITY","role":null},
"query":"SELECT ticker FROM EQUITY_CLOSE\nWHERE ticker = 'AAPL'\n","params":{"moniker_version":"20260115","moniker_revision":null,"moniker_namespace":null},
"schema_info":null,"read_only":true,
"ownership":{"accountable_owner":"pricing-owners@firm.com","accountable_owner_source":"prices",
"data_specialist":"pricing-ops@firm.com","data_specialist_source":"prices","support_channel":"#pricing-help","support_channel_source":"prices",
"adop":null,"adop_source":null,"adop_name":null,"adop_name_source":null,"ads":null,"ads_source":null,"ads_name":null,"ads_name_source":null,
"adal":null,"adal_source":null,"adal_name":null,"adal_name_source":null},
"binding_path":"prices.equity","sub_path":"AAPL","status":null,"deprecation_message":null,"successor":null,"sunset_deadline":null,
"migration_guide_url":null,"redirected_from":null,"cache_ttl_hint":300}`
	notFoundJSON = `{"error":"Not found","detail":"No source binding for: prices","code":"not_found","domain":"prices",` +
		`"documentation":"https://docs.firm.com/domains/prices","help_channel":"#pricing-help"}`
	treeJSON = `[{"path":"prices","name":"prices","children":[
{"path":"prices.equity","name":"prices.equity","children":[],"ownership":{},"source_type":"snowflake","has_source_binding":true,"description":"","domain":null},
{"path":"prices.fx","name":"prices.fx","children":[{"path":"prices.fx/spot","name":"spot","children":[],"ownership":{},"source_type":"rest","has_source_binding":true,"description":"","domain":null}],
 "ownership":{},"source_type":null,"has_source_binding":false,"description":"","domain":null}],
"ownership":{"accountable_owner":"gov@firm.com"},"source_type":null,"has_source_binding":false,"description":"Prices","domain":"prices"}]`
	searchJSON = `{"results":[
{"path":"fixed_income/govies/treasury","display_name":"US Treasury Securities","description":"x","status":"active","has_source_binding":true,"classification":"internal","tags":[]},
{"path":"rates","display_name":"Rates","description":"y","status":"draft","has_source_binding":false,"classification":"confidential","tags":["a"]}],
"query":"treasury","total_results":2}`
	describeJSON = `{"path":"credit.exposures","display_name":"Credit Exposures","description":"Daily counterparty\ncredit exposure",
"ownership":{"accountable_owner":"credit-risk-governance@firm.com","accountable_owner_source":"credit","support_channel":"#credit-risk-data","support_channel_source":"credit"},
"has_source_binding":true,"source_type":"mssql","classification":"confidential","tags":["credit","risk"],
"data_quality":{"dq_owner":"dq@firm.com","quality_score":97.5,"validation_rules":["not null"],"known_issues":[],"last_validated":null},
"sla":{"freshness":"T+1 07:00","availability":"99.9%","support_hours":null,"escalation_contact":null},
"freshness":null,"schema":{"description":"exposures","granularity":"daily","columns":[{"name":"cpty_id","type":"string","description":"Counterparty"}]},
"documentation":{"runbook":"https://wiki/runbook","additional":{"dashboard":"https://dash"}},"models":null,"status":"active"}`
	lineageJSON = `{"moniker":"moniker://prices.equity/AAPL","path":"prices.equity/AAPL",
"ownership":{"accountable_owner":"pricing-owners@firm.com","accountable_owner_defined_at":"prices","data_specialist":null,"data_specialist_defined_at":null,"support_channel":"#pricing-help","support_channel_defined_at":"prices"},
"source":{"type":"snowflake","binding_defined_at":"prices.equity"},"path_hierarchy":["","prices.equity","prices.equity/AAPL"]}`
	statsJSON = `{"total_monikers":62,"by_status":{"active":60,"draft":2},"by_source_type":{"snowflake":23,"rest":7},
"by_classification":{"internal":54},"ownership_coverage":{"has_ownership":17,"has_governance_roles":3,"coverage_percent":27.4}}`
	metadataJSON = `{"moniker":"moniker://credit.exposures","path":"credit.exposures","display_name":"Credit Exposures","description":null,
"data_profile":{"estimated_total_rows":5000000,"base_row_count":100,"cardinality_by_dimension":[],"max_rows_warn":100000,"max_rows_block":null},
"temporal_coverage":null,"relationships":{"related_monikers":["credit.limits"],"upstream_dependencies":[],"foreign_keys":[]},
"schema":null,"semantic_tags":["credit"],"use_cases":[],"nl_description":"Exposure per counterparty","data_quality":null,
"ownership":{"accountable_owner":"credit-risk-governance@firm.com","adop":null},"documentation":null,
"query_patterns":{"blocked_patterns":[],"min_filters_required":2,"suggested_queries":[]},"cost_indicators":{"query_complexity":"medium","estimated_latency":"medium"}}`
	healthJSON = `{"status":"healthy","target":"all","components":["catalog","resolver"],"catalog_counts":{"active":62,"total":62}}`
)

// fakeServer answers the resolver routes with the canned bodies above and
// records the requests it got.
type fakeServer struct {
	*httptest.Server
	requests []string // method + request URI
	headers  []http.Header
	bodies   []string
}

func newFakeServer(t *testing.T) *fakeServer {
	t.Helper()
	f := &fakeServer{}
	answer := func(status int, body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			io.WriteString(w, body)
		}
	}
	mux := http.NewServeMux()
	mux.Handle("GET /resolve/prices.equity/AAPL@20260115", answer(200, resolveJSON))
	mux.Handle("GET /resolve/prices", answer(404, notFoundJSON))
	mux.Handle("GET /resolve/bad", answer(500, `{"detail":"internal error","code":"internal_error"}`))
	mux.Handle("POST /resolve/batch", answer(200, `{"results":[`+resolveJSON+`],"errors":{"nope":"No source binding for: nope"}}`))
	mux.Handle("GET /tree", answer(200, treeJSON))
	mux.Handle("GET /catalog/search", answer(200, searchJSON))
	mux.Handle("GET /list/prices", answer(200, `{"children":["prices.equity","prices.fx"],"moniker":"moniker://prices","path":"prices"}`))
	mux.Handle("GET /list/", answer(200, `{"children":["credit","prices"],"moniker":"moniker://","path":""}`))
	mux.Handle("GET /describe/credit.exposures", answer(200, describeJSON))
	mux.Handle("GET /lineage/prices.equity/AAPL", answer(200, lineageJSON))
	mux.Handle("GET /metadata/credit.exposures", answer(200, metadataJSON))
	mux.Handle("GET /catalog/stats", answer(200, statsJSON))
	mux.Handle("GET /health", answer(200, healthJSON))
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		f.requests = append(f.requests, r.Method+" "+r.URL.RequestURI())
		f.headers = append(f.headers, r.Header.Clone())
		f.bodies = append(f.bodies, string(b))
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

type result struct {
	code           int
	stdout, stderr string
}

func runCLI(t *testing.T, env map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errOut bytes.Buffer
	code := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return result{code, out.String(), errOut.String()}
}

// contains fails the test for each want missing from got.
func contains(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(got, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, got)
		}
	}
}

func TestHTTPCommands(t *testing.T) {
	srv := newFakeServer(t)
	cases := []struct {
		name    string
		args    []string
		stdin   string
		code    int
		request string // first request the server must get
		stdout  []string
		stderr  []string
	}{
		{name: "resolve human",
			args:    []string{"-server", srv.URL, "resolve", "prices.equity/AAPL@20260115"},
			request: "GET /resolve/prices.equity/AAPL@20260115",
			stdout: []string{
				"moniker:     moniker://prices.equity/AAPL@20260115\n",
				"source_type: snowflake\n",
				"binding:     prices.equity  (sub_path AAPL)\n",
				"connection:\n  account:   northwind.eu-west-1\n",
				"  role:      null\n",
				"query:\n  SELECT ticker FROM EQUITY_CLOSE\n  WHERE ticker = 'AAPL'\n",
				"  moniker_version:   20260115\n",
				"ownership:\n  accountable_owner: pricing-owners@firm.com  (from prices)\n",
			}},
		{name: "resolve not found shows detail and domain hint",
			args: []string{"-server", srv.URL, "resolve", "prices"}, code: 1, request: "GET /resolve/prices",
			stderr: []string{"moniker resolve: No source binding for: prices (HTTP 404, not_found)", "help_channel:  #pricing-help", "domain:"}},
		{name: "server 500",
			args: []string{"-server", srv.URL, "resolve", "bad"}, code: 1,
			stderr: []string{"internal error (HTTP 500, internal_error)"}},
		{name: "batch from stdin with a failure",
			args: []string{"-server", srv.URL, "resolve", "-"}, stdin: "prices.equity/AAPL@20260115\n# comment\n\nnope\n",
			code: 1, request: "POST /resolve/batch",
			stdout: []string{"source_type: snowflake"},
			stderr: []string{"1 of 2 monikers failed:\n  nope: No source binding for: nope"}},
		{name: "tree indents children",
			args: []string{"-server", srv.URL, "tree", "-depth", "2"}, request: "GET /tree?depth=2",
			stdout: []string{"prices\n  prices.equity  [snowflake]\n  prices.fx\n    spot  [rest]\n"}},
		{name: "search table",
			args:    []string{"-server", srv.URL, "search", "-status", "active", "-limit", "5", "treasury"},
			request: "GET /catalog/search?limit=5&q=treasury&status=active",
			stdout: []string{"PATH                          STATUS  BINDING  CLASSIFICATION  DISPLAY NAME\n",
				"fixed_income/govies/treasury  active  yes      internal        US Treasury Securities\n",
				"rates                         draft   -        confidential    Rates\n", "2 results\n"}},
		{name: "list",
			args: []string{"-server", srv.URL, "list", "prices"}, request: "GET /list/prices",
			stdout: []string{"prices.equity\nprices.fx\n"}},
		{name: "list root",
			args: []string{"-server", srv.URL, "list"}, request: "GET /list/",
			stdout: []string{"credit\nprices\n"}},
		{name: "describe",
			args: []string{"-server", srv.URL, "describe", "credit.exposures"}, request: "GET /describe/credit.exposures",
			stdout: []string{"description:    Daily counterparty credit exposure\n", "source_type:    mssql\n", "tags:           credit, risk\n",
				"support_channel:   #credit-risk-data  (from credit)", "sla:\n  freshness:    T+1 07:00\n", "quality_score:    97.5",
				"runbook:   https://wiki/runbook", "dashboard: https://dash", "    cpty_id  string  Counterparty\n"}},
		{name: "lineage",
			args: []string{"-server", srv.URL, "lineage", "prices.equity/AAPL"}, request: "GET /lineage/prices.equity/AAPL",
			stdout: []string{"source:  snowflake  (binding at prices.equity)\n", "hierarchy:\n  (root)\n    prices.equity\n      prices.equity/AAPL\n",
				"accountable_owner: pricing-owners@firm.com  (defined at prices)"}},
		{name: "metadata",
			args: []string{"-server", srv.URL, "metadata", "credit.exposures"}, request: "GET /metadata/credit.exposures",
			stdout: []string{"nl_description: Exposure per counterparty", "estimated_total_rows: 5000000", "min_filters_required: 2", "related_monikers: credit.limits"}},
		{name: "stats",
			args: []string{"-server", srv.URL, "stats"}, request: "GET /catalog/stats",
			stdout: []string{"total_monikers:     62\n", "27.4%  (17 nodes with ownership, 3 with governance roles)", "by_status:\n  active: 60\n  draft:  2\n"}},
		{name: "health",
			args: []string{"-server", srv.URL, "health"}, request: "GET /health",
			stdout: []string{"status:         healthy\n", "components:     catalog, resolver\n", `catalog_counts: {"active":62,"total":62}`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv.requests = nil
			r := runCLI(t, nil, tc.stdin, tc.args...)
			if r.code != tc.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", r.code, tc.code, r.stdout, r.stderr)
			}
			if tc.request != "" && (len(srv.requests) == 0 || srv.requests[0] != tc.request) {
				t.Errorf("server got %q, want %q", srv.requests, tc.request)
			}
			contains(t, "stdout", r.stdout, tc.stdout...)
			contains(t, "stderr", r.stderr, tc.stderr...)
			if tc.code == 0 && r.stderr != "" {
				t.Errorf("unexpected stderr: %s", r.stderr)
			}
		})
	}
	// The batch request carried the stdin monikers, comments and blanks dropped.
	runCLI(t, nil, "a/b\n# x\n\nc\n", "-server", srv.URL, "resolve", "-")
	if got := srv.bodies[len(srv.bodies)-1]; got != `{"monikers":["a/b","c"]}` {
		t.Errorf("batch body = %s", got)
	}
}

func TestJSONOutput(t *testing.T) {
	srv := newFakeServer(t)
	for _, args := range [][]string{
		{"-server", srv.URL, "-json", "resolve", "prices.equity/AAPL@20260115"},
		{"-server", srv.URL, "resolve", "-json", "prices.equity/AAPL@20260115"}, // flags after the command
	} {
		r := runCLI(t, nil, "", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d: %s", args, r.code, r.stderr)
		}
		var got, want any
		if err := json.Unmarshal([]byte(r.stdout), &got); err != nil {
			t.Fatalf("stdout is not JSON: %v\n%s", err, r.stdout)
		}
		json.Unmarshal([]byte(resolveJSON), &want)
		gotB, _ := json.Marshal(got)
		wantB, _ := json.Marshal(want)
		if !bytes.Equal(gotB, wantB) {
			t.Errorf("JSON differs from the server's body:\n%s", r.stdout)
		}
		if !strings.Contains(r.stdout, "\n  \"source_type\": \"snowflake\",\n") {
			t.Errorf("JSON not pretty-printed:\n%s", r.stdout)
		}
	}
	// -json on an error prints the error body and still exits 1.
	r := runCLI(t, nil, "", "-server", srv.URL, "-json", "resolve", "prices")
	if r.code != 1 || !strings.Contains(r.stdout, `"code": "not_found"`) || !strings.Contains(r.stderr, "No source binding") {
		t.Errorf("exit %d stdout %q stderr %q", r.code, r.stdout, r.stderr)
	}
}

func TestIdentityAndServerFromEnv(t *testing.T) {
	srv := newFakeServer(t)
	env := map[string]string{"MONIKER_SERVER": srv.URL, "MONIKER_APP_ID": "env-app", "MONIKER_TEAM": "env-team", "MONIKER_JWT": "tok"}
	if r := runCLI(t, env, "", "stats"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	h := srv.headers[len(srv.headers)-1]
	if h.Get("X-App-ID") != "env-app" || h.Get("X-Team") != "env-team" || h.Get("Authorization") != "Bearer tok" {
		t.Errorf("headers from env = %v", h)
	}
	// Flags beat the environment.
	if r := runCLI(t, env, "", "-app-id", "flag-app", "stats", "-team", "flag-team"); r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	h = srv.headers[len(srv.headers)-1]
	if h.Get("X-App-ID") != "flag-app" || h.Get("X-Team") != "flag-team" {
		t.Errorf("headers from flags = %v", h)
	}
	// MONIKER_SERVICE_URL (the Python client's variable) is the fallback.
	if r := runCLI(t, map[string]string{"MONIKER_SERVICE_URL": srv.URL}, "", "health"); r.code != 0 {
		t.Errorf("MONIKER_SERVICE_URL not used: exit %d: %s", r.code, r.stderr)
	}
}

func TestUnreachableServer(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	r := runCLI(t, nil, "", "-server", url, "resolve", "x")
	if r.code != 1 || !strings.Contains(r.stderr, "moniker resolve:") {
		t.Errorf("exit %d, stderr %q", r.code, r.stderr)
	}
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		args   []string
		code   int
		stderr string
	}{
		{nil, 2, "usage: moniker"},
		{[]string{"-h"}, 0, "Commands"},
		{[]string{"frobnicate"}, 2, `unknown command "frobnicate"`},
		{[]string{"-nosuchflag", "resolve", "x"}, 2, "flag provided but not defined"},
		{[]string{"resolve"}, 2, "want at least one moniker"},
		{[]string{"describe", "a", "b"}, 2, "want exactly one moniker, got 2"},
		{[]string{"lineage"}, 2, "want exactly one moniker, got 0"},
		{[]string{"search"}, 2, "want exactly one query"},
		{[]string{"tree", "a", "b"}, 2, "want at most one path"},
		{[]string{"tree", "-depth", "x"}, 2, "invalid value"},
		{[]string{"stats", "extra"}, 2, "takes no arguments"},
		{[]string{"catalog"}, 2, "usage: moniker catalog check FILE..."},
		{[]string{"catalog", "lint"}, 2, "usage: moniker catalog check FILE..."},
		{[]string{"catalog", "check"}, 2, "usage: moniker catalog check FILE..."},
	}
	for _, tc := range cases {
		r := runCLI(t, nil, "", tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.stderr) {
			t.Errorf("moniker %q: exit %d stderr %q; want exit %d and %q", tc.args, r.code, r.stderr, tc.code, tc.stderr)
		}
	}
}

func TestCatalogCheck(t *testing.T) {
	demo := filepath.Join(fixtures.ModuleRoot(t), "internal", "demo", "data", "catalog.yaml")
	ours := fixtures.File(t, "catalog.yaml")
	check := func(t *testing.T, files ...string) string {
		t.Helper()
		r := runCLI(t, nil, "", append([]string{"catalog", "check"}, files...)...)
		if r.code != 0 {
			t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
		}
		for _, f := range files {
			if !regexp.MustCompile(regexp.QuoteMeta(f) + `: ok \(\d+ nodes`).MatchString(r.stdout) {
				t.Errorf("no ok line for %s:\n%s", f, r.stdout)
			}
		}
		return r.stdout
	}

	t.Run("good files", func(t *testing.T) {
		out := check(t, demo, ours, filepath.Join("testdata", "good_catalog.yaml"))
		contains(t, "stdout", out, "good_catalog.yaml: ok (2 nodes", "testdata/catalog.yaml: ok (62 nodes, 0 warnings")
	})
	t.Run("compat files", func(t *testing.T) {
		compat, err := filepath.Glob(filepath.Join(fixtures.CompatDir(t), "*", "sample_catalog.yaml"))
		if err != nil || len(compat) != 3 {
			t.Fatalf("compat catalogs: %v %v", compat, err)
		}
		contains(t, "stdout", check(t, compat...), "f206ffd/sample_catalog.yaml: ok (62 nodes")
	})
	t.Run("bad file", func(t *testing.T) {
		bad := filepath.Join("testdata", "bad_catalog.yaml")
		r := runCLI(t, nil, "", "catalog", "check", filepath.Join("testdata", "good_catalog.yaml"), bad)
		if r.code != 1 {
			t.Errorf("exit %d, want 1", r.code)
		}
		contains(t, "stdout", r.stdout,
			bad+`:9: node "prices.equity": descripton: unknown key`,
			bad+`:17: node "risk.cvar": access_policy.min_filters:`,
			"good_catalog.yaml: ok (2 nodes")
		// One error per line.
		for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
			if strings.Count(line, bad+":") > 1 {
				t.Errorf("two errors on one line: %q", line)
			}
		}
	})
	t.Run("missing file", func(t *testing.T) {
		r := runCLI(t, nil, "", "catalog", "check", filepath.Join(t.TempDir(), "nope.yaml"))
		if r.code != 1 || !strings.Contains(r.stdout, "nope.yaml") {
			t.Errorf("exit %d stdout %q", r.code, r.stdout)
		}
	})
}
