package resolverapi_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/httpapi/openapitest"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/resolverapi"
)

// resolverTable is the resolver target's route table as cmd/monikerd
// builds it: the resolver routes, /health and /metrics, and the
// documentation routes. The catalog is empty.
func resolverTable(t *testing.T) (routes []httpapi.Route, h http.Handler) {
	t.Helper()
	snap := resolve.NewSnapshot(nil, nil, resolve.Options{})
	srv := resolverapi.New(resolverapi.Config{Snapshot: func() *resolve.Snapshot { return snap },
		Reload: func(context.Context) (int, string, error) { return snap.Catalog().Len(), snap.Catalog().Version(), nil }})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {})
	routes = append(srv.Routes(),
		httpapi.Route{Method: "GET", Pattern: "/health", Doc: "/health", Handler: ok},
		httpapi.Route{Method: "GET", Pattern: "/metrics", Doc: "/metrics", Handler: ok},
	)
	routes = append(routes, httpapi.DocRoutes(routes)...)
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), routes)
	return routes, mux
}

// TestOpenAPIMatchesRoutes fails when the resolver's route table and its
// OpenAPI document disagree, in either direction.
func TestOpenAPIMatchesRoutes(t *testing.T) {
	routes, h := resolverTable(t)
	openapitest.MatchRoutes(t, openapitest.Served(t, h), routes, httpapi.PlaneResolver)
}

// TestOpenAPIQueryParameters checks the documented query parameters
// against the handlers: integer bounds, required parameters and enums. An
// operation documented as not implemented yet is skipped.
func TestOpenAPIQueryParameters(t *testing.T) {
	_, h := resolverTable(t)
	doc := openapitest.Served(t, h)
	checked := 0
	for path, item := range doc.Paths.Map() {
		op := item.Get
		if op == nil || strings.Contains(op.Summary, "not implemented yet") {
			continue
		}
		target := strings.ReplaceAll(path, "{path}", "prices.equity")
		// Required parameters get a value unless the case is about them.
		base := url.Values{}
		for _, p := range op.Parameters {
			if p.Value.In == "query" && p.Value.Required {
				base.Set(p.Value.Name, "x")
			}
		}
		status := func(name, value string, omit bool) int {
			q := url.Values{}
			for k, v := range base {
				q[k] = v
			}
			if omit {
				q.Del(name)
			} else {
				q.Set(name, value)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, target+"?"+q.Encode(), nil))
			return rec.Code
		}
		for _, p := range op.Parameters {
			pv := p.Value
			if pv.In != "query" || pv.Schema == nil {
				continue
			}
			s := pv.Schema.Value
			name := "GET " + path + " " + pv.Name
			type tcase struct {
				value  string
				omit   bool
				reject bool
			}
			var cases []tcase
			if pv.Required {
				cases = append(cases, tcase{omit: true, reject: true})
			}
			if s.Type.Is("integer") {
				checked++
				cases = append(cases, tcase{value: "abc", reject: true})
				if s.Min != nil {
					lo := int(*s.Min)
					cases = append(cases, tcase{value: strconv.Itoa(lo)}, tcase{value: strconv.Itoa(lo - 1), reject: true})
				}
				if s.Max != nil {
					hi := int(*s.Max)
					cases = append(cases, tcase{value: strconv.Itoa(hi)}, tcase{value: strconv.Itoa(hi + 1), reject: true})
				}
				if s.Default != nil {
					cases = append(cases, tcase{value: strconv.Itoa(int(s.Default.(float64)))})
				}
			}
			if len(s.Enum) > 0 {
				checked++
				cases = append(cases, tcase{value: "not-a-" + pv.Name, reject: true})
				for _, e := range s.Enum {
					cases = append(cases, tcase{value: e.(string)})
				}
			}
			for _, c := range cases {
				code := status(pv.Name, c.value, c.omit)
				rejected := code == http.StatusUnprocessableEntity || code == http.StatusBadRequest
				if rejected != c.reject {
					t.Errorf("%s=%q (omitted %v): status %d, documented as rejected=%v", name, c.value, c.omit, code, c.reject)
				}
			}
		}
	}
	// /catalog, /catalog/search (limit, status), /catalog/{path}/audit,
	// /tree, /tree/{path} and /fetch/{path} (limit, format).
	if checked < 9 {
		t.Errorf("checked %d query parameters; the document lost some", checked)
	}
}

// richCatalog exercises every optional part of the response schemas:
// ownership with governance roles, a binding with a schema, an access
// policy, node schema, data quality, SLA, freshness, documentation, a
// deprecated node with a successor, and a policy that denies.
const richCatalog = `
prices:
  display_name: Prices
  domain: prices
  ownership:
    accountable_owner: owner@firm.com
    data_specialist: ds@firm.com
    support_channel: "#prices"
    adop: adop@firm.com
    adop_name: Ada Op
prices.equity:
  description: Equity end-of-day prices
  tags: [eod, equity]
  classification: confidential
  source_binding:
    type: snowflake
    config:
      account: acct
      warehouse: WH
      database: PRICES
      schema: EQUITY
      query: SELECT * FROM EOD
    schema:
      columns: [symbol, close]
  access_policy:
    max_rows_warn: 1000
    max_rows_block: 1000000000
    cardinality_multipliers: [10, 5]
    base_row_count: 100
    blocked_patterns: ["^nothing$"]
  schema:
    description: End-of-day prices
    semantic_tags: [prices]
    granularity: daily
    typical_row_count: 5000
    update_frequency: daily
    primary_key: [symbol]
    columns:
      - {name: symbol, type: string, description: Ticker, semantic_type: identifier, example: AAPL, primary_key: true}
      - {name: issuer, foreign_key: reference.issuers}
    use_cases: [backtest]
    examples: [prices.equity/AAPL]
    related_monikers: [reference.issuers]
  data_quality: {dq_owner: dq@firm.com, quality_score: 97.5, validation_rules: [not_null], known_issues: [], last_validated: "2026-01-01"}
  sla: {freshness: T+1, availability: "99.9%", support_hours: 24x7, escalation_contact: oncall@firm.com}
  freshness: {last_loaded: "2026-01-14T22:00:00Z", refresh_schedule: daily, source_system: exchange, upstream_dependencies: [vendor.feed]}
  documentation: {glossary: "https://wiki.example/g", runbook: "https://wiki.example/r", additional: {faq: "https://wiki.example/faq"}}
prices.legacy:
  status: deprecated
  deprecation_message: |
    Use prices.equity
    (retired)
  successor: prices.equity
  sunset_deadline: "2026-06-30"
  migration_guide_url: https://wiki.example/migrate
  source_binding:
    type: static
    config: {base_path: /data, file_pattern: legacy.csv}
risk:
  ownership: {ads: ads@firm.com, adal: adal@firm.com}
risk.cvar:
  source_binding:
    type: snowflake
    config: {query: SELECT 1}
  access_policy:
    min_filters: 1
    denial_message: Add a desk filter
`

const richDomains = `
prices:
  display_name: Prices
  owner: owner@firm.com
  wiki_link: https://wiki.example/prices
  help_channel: "#prices"
`

// oneEntryAudit is an audit log with one entry for every path.
type oneEntryAudit struct{}

func (oneEntryAudit) Entries(path string, limit int) ([]audit.Entry, error) {
	return []audit.Entry{{Timestamp: "2026-01-15T10:00:00Z", Path: path, Action: "status_changed", Actor: "alice",
		OldValue: "active", NewValue: "deprecated", Details: nil}}, nil
}

// TestOpenAPIResponses sends requests to every resolver route and checks
// each response (status, body, headers) against the served document.
func TestOpenAPIResponses(t *testing.T) {
	cat, _, err := catalog.LoadBytes("rich.yaml", []byte(richCatalog+fetchCatalog))
	if err != nil {
		t.Fatal(err)
	}
	doms, err := catalog.LoadDomainsBytes("domains.yaml", []byte(richDomains))
	if err != nil {
		t.Fatal(err)
	}
	snap := resolve.NewSnapshot(cat, doms, resolve.Options{DeprecationEnabled: true})
	x := fetch.NewExecutor(fetch.Options{Adapters: fetch.Adapters{"static": &testAdapter{}}})
	defer x.Close()
	srv := resolverapi.New(resolverapi.Config{Snapshot: func() *resolve.Snapshot { return snap }, Audit: oneEntryAudit{},
		Reload:  func(context.Context) (int, string, error) { return snap.Catalog().Len(), snap.Catalog().Version(), nil },
		Fetcher: testFetcher{x}})
	health := httpapi.NewHealth("resolver")
	health.Component("catalog")
	health.Section("catalog_counts", func() any { return map[string]int{"active": 4, "deprecated": 1} })
	routes := append(srv.Routes(), httpapi.Route{Method: "GET", Pattern: "/health", Doc: "/health", Handler: health.Handler()})
	routes = append(routes, httpapi.DocRoutes(routes)...)
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), routes)
	doc := openapitest.Served(t, mux)
	openapitest.Strict(doc)

	many := `{"monikers":[` + strings.Repeat(`"a",`, resolverapi.MaxBatch) + `"a"]}`
	tests := []struct {
		method, doc, target, body string
		status                    int
		headers                   []string // response headers that must be set
	}{
		{"GET", "/resolve/{path}", "/resolve/prices.equity/AAPL@20260115?ccy=USD", "", 200, []string{"X-Moniker-Catalog-Version"}},
		{"GET", "/resolve/{path}", "/resolve/prices.legacy", "", 200, []string{"X-Moniker-Deprecated", "X-Moniker-Successor", "Deprecation", "Sunset", "Link"}},
		{"GET", "/resolve/{path}", "/resolve/prices", "", 404, []string{"X-Moniker-Catalog-Version"}},
		{"GET", "/resolve/{path}", "/resolve", "", 404, nil},
		{"GET", "/resolve/{path}", "/resolve/prices.equity/A%20B", "", 400, nil},
		{"GET", "/resolve/{path}", "/resolve/risk.cvar", "", 403, nil},
		{"POST", "/resolve/batch", "/resolve/batch", `{"monikers":["prices.equity/AAPL","moniker://prices.legacy","nothing/here","a b"]}`, 200, nil},
		{"POST", "/resolve/batch", "/resolve/batch", many, 400, nil},
		{"POST", "/resolve/batch", "/resolve/batch", `{}`, 422, nil},
		{"POST", "/resolve/batch", "/resolve/batch", `{"monikers":`, 422, nil},
		{"GET", "/describe/{path}", "/describe/prices.equity", "", 200, []string{"X-Moniker-Catalog-Version"}},
		{"GET", "/describe/{path}", "/describe/prices.equity/AAPL@20260101", "", 200, nil},
		{"GET", "/describe/{path}", "/describe/nothing/here", "", 200, nil},
		{"GET", "/describe/{path}", "/describe", "", 200, nil},
		{"GET", "/describe/{path}", "/describe/A%20B", "", 400, nil},
		{"GET", "/lineage/{path}", "/lineage/prices.equity/AAPL", "", 200, nil},
		{"GET", "/lineage/{path}", "/lineage/nothing", "", 200, nil},
		{"GET", "/list/{path}", "/list/prices", "", 200, nil},
		{"GET", "/list/{path}", "/list", "", 200, nil},
		{"GET", "/metadata/{path}", "/metadata/prices.equity", "", 200, nil},
		{"GET", "/metadata/{path}", "/metadata/prices", "", 200, nil},
		{"GET", "/metadata/{path}", "/metadata/nothing", "", 200, nil},
		{"GET", "/catalog", "/catalog?limit=2", "", 200, []string{"X-Moniker-Catalog-Version"}},
		{"GET", "/catalog", "/catalog?status=deprecated", "", 200, nil},
		{"GET", "/catalog", "/catalog?status=retired", "", 400, nil},
		{"GET", "/catalog", "/catalog?limit=0", "", 422, nil},
		{"GET", "/catalog/search", "/catalog/search?q=equity", "", 200, nil},
		{"GET", "/catalog/search", "/catalog/search", "", 422, nil},
		{"GET", "/catalog/stats", "/catalog/stats", "", 200, nil},
		{"GET", "/catalog/{path}/audit", "/catalog/prices.legacy/audit?limit=5", "", 200, nil},
		{"GET", "/tree", "/tree", "", 200, nil},
		{"GET", "/tree", "/tree?depth=0", "", 200, nil},
		{"GET", "/tree/{path}", "/tree/prices?depth=1", "", 200, nil},
		{"GET", "/tree/{path}", "/tree/nothing", "", 404, nil},
		{"GET", "/fetch/{path}", "/fetch/fetchdemo/rows?limit=2", "", 200, []string{"X-Moniker-Catalog-Version"}},
		{"GET", "/fetch/{path}", "/fetch/fetchdemo/nulls", "", 200, nil},
		{"GET", "/fetch/{path}", "/fetch/fetchdemo/cached", "", 200, nil},
		{"GET", "/fetch/{path}", "/fetch/prices.legacy", "", 200, []string{"X-Moniker-Deprecated", "Deprecation", "Sunset", "Link"}},
		{"GET", "/fetch/{path}", "/fetch/fetchdemo/rows?format=csv", "", 200, []string{"X-Moniker-Limit", "Trailer"}},
		{"GET", "/fetch/{path}", "/fetch/fetchdemo/rows?format=ndjson", "", 200, []string{"X-Moniker-Cached"}},
		{"GET", "/fetch/{path}", "/fetch/fetchdemo/rows?format=arrow", "", 200, nil},
		{"GET", "/fetch/{path}", "/fetch/fetchdemo/loading", "", 202, nil},
		{"GET", "/fetch/{path}", "/fetch/A%20B", "", 400, nil},
		{"GET", "/fetch/{path}", "/fetch/risk.cvar", "", 403, nil},
		{"GET", "/fetch/{path}", "/fetch/prices", "", 404, nil},
		{"GET", "/fetch/{path}", "/fetch/fetchdemo/rows?limit=0", "", 422, nil},
		{"GET", "/fetch/{path}", "/fetch/fetchdemo/rows?format=xml", "", 422, nil},
		{"GET", "/fetch/{path}", "/fetch/prices.equity/AAPL", "", 501, nil},
		{"GET", "/fetch/{path}", "/fetch/fetchdemo/refuse", "", 502, nil},
		{"GET", "/fetch/{path}", "/fetch/fetchdemo/open", "", 503, []string{"Retry-After"}},
		{"GET", "/fetch/{path}", "/fetch/fetchslow", "", 504, nil},
		{"PUT", "/catalog/{path}/status", "/catalog/prices/status", `{"status":"deprecated","actor":"alice"}`, 501, nil},
		{"GET", "/cache/status", "/cache/status", "", 501, nil},
		{"POST", "/cache/refresh/{path}", "/cache/refresh/prices.equity", "", 501, nil},
		{"POST", "/telemetry/access", "/telemetry/access", `{"moniker":"prices","outcome":"success","latency_ms":1}`, 200, []string{"X-Moniker-Catalog-Version"}},
		{"POST", "/telemetry/access", "/telemetry/access", `{"moniker":"moniker://prices.equity/AAPL","outcome":"error","latency_ms":2.5,"source_type":"snowflake","row_count":null,"error_message":"boom","deprecated":false,"successor":null}`, 200, nil},
		{"POST", "/telemetry/access", "/telemetry/access", `{}`, 422, nil},
		{"POST", "/telemetry/access", "/telemetry/access", `{"moniker":"prices","outcome":"success","latency_ms":-1}`, 422, nil},
		{"POST", "/telemetry/access", "/telemetry/access", `{"moniker":"prices","outcome":"success","latency_ms":1,"rows":3}`, 422, nil},
		{"GET", "/ui", "/ui", "", 200, nil},
		{"GET", "/health", "/health", "", 200, nil},
		{"POST", "/config/reload", "/config/reload", "", 200, nil},
		{"GET", "/openapi.json", "/openapi.json", "", 200, nil},
	}
	covered := map[string]bool{}
	for _, tt := range tests {
		t.Run(tt.method+" "+tt.target, func(t *testing.T) {
			covered[tt.method+" "+tt.doc] = true
			var body io.Reader
			if tt.body != "" {
				body = strings.NewReader(tt.body)
			}
			req := httptest.NewRequest(tt.method, tt.target, body)
			rec := httptest.NewRecorder()
			mux.ServeHTTP(rec, req)
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			route := openapitest.Operation(t, doc, tt.method, tt.doc)
			op := route.Operation
			openapitest.CheckAnswer(t, route, req, rec)
			documented := op.Responses.Status(rec.Code).Value.Headers
			for _, hd := range tt.headers {
				if rec.Header().Get(hd) == "" {
					t.Errorf("header %s not sent", hd)
				}
			}
			for name := range rec.Header() {
				if name == "Content-Type" || name == "Content-Length" || name == "Vary" || name == "Cache-Control" ||
					name == "Etag" || name == "Accept-Ranges" || name == "X-Content-Type-Options" {
					continue
				}
				if documented[name] == nil {
					t.Errorf("header %s is sent but not documented for %d", name, rec.Code)
				}
			}
		})
	}
	for _, k := range openapitest.OperationKeys(doc) {
		if !covered[k] && k != "GET /docs" {
			t.Errorf("%s: no response checked", k)
		}
	}
}
