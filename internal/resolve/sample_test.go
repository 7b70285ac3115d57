package resolve

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// sampleDomains says which domains file goes with each sample catalog:
// ours for "testdata"; for a compat catalog its generation's (6c1a393 has
// none of its own; f206ffd's is the nearest).
var sampleDomains = map[string]string{"testdata": "testdata", "f206ffd": "f206ffd", "6c1a393": "f206ffd", "head": "head"}

// loadSample loads a sample catalog and its domains into a Snapshot: our
// test catalog for "testdata", else a compat generation's.
func loadSample(t testing.TB, version string, opts Options) *Snapshot {
	t.Helper()
	catPath, domPath := fixtures.File(t, "catalog.yaml"), fixtures.File(t, "domains.yaml")
	if version != "testdata" {
		catPath = fixtures.Compat(t, version, "sample_catalog.yaml")
		domPath = fixtures.Compat(t, sampleDomains[version], "sample_domains.yaml")
	}
	cat, _, err := catalog.Load(catPath)
	if err != nil {
		t.Fatalf("load %s catalog: %v", version, err)
	}
	doms, err := catalog.LoadDomains(domPath)
	if err != nil {
		t.Fatalf("load %s domains: %v", version, err)
	}
	if doms.Len() == 0 {
		t.Fatalf("%s: no domains loaded", version)
	}
	return NewSnapshot(cat, doms, opts)
}

// ownership18 returns the 18-key ownership object with the given values
// (key -> [value, source]); the other keys are null.
func ownership18(set map[string][2]string) map[string]any {
	o := map[string]any{}
	for f := moniker.OwnerField(0); f < moniker.UI; f++ {
		o[f.Key()], o[f.Key()+"_source"] = nil, nil
		if v, ok := set[f.Key()]; ok {
			o[f.Key()], o[f.Key()+"_source"] = v[0], v[1]
		}
	}
	return o
}

// TestSampleReferenceExample is the example of reference §3.2, with our
// {version_date} expansion: on our test catalog, and on the previous
// service's samples (f206ffd in full, HEAD's shape).
func TestSampleReferenceExample(t *testing.T) {
	tests := []struct {
		version    string
		connection map[string]any
		query      string
		owners     map[string][2]string
	}{
		{"testdata",
			map[string]any{"account": "mk-analytics.eu-west-1", "warehouse": "MARKET_WH", "database": "PRICING", "schema": "EQUITY", "role": nil},
			"SELECT ticker, open_px, high_px, low_px, close_px, volume, vwap_px\n" +
				"FROM EQUITY_CLOSE\nWHERE ticker = 'AAPL'\n  AND price_date = CASE\n" +
				"    WHEN false = 'true' THEN (SELECT MAX(price_date) FROM EQUITY_CLOSE)\n" +
				"    ELSE TO_DATE('20260115', 'YYYYMMDD')\n  END\n",
			map[string][2]string{
				"accountable_owner": {"pricing-owners@firm.com", "prices"},
				"data_specialist":   {"pricing-ops@firm.com", "prices"},
				"support_channel":   {"#pricing-help", "prices"},
			}},
		{"f206ffd",
			map[string]any{"account": "firm-prod.us-east-1", "warehouse": "MARKET_DATA_WH", "database": "PRICES", "schema": "EQUITY", "role": nil},
			"SELECT symbol, open_price, high_price, low_price, close_price, volume, vwap\n" +
				"FROM EQUITY_EOD\nWHERE symbol = 'AAPL'\n  AND trade_date = CASE\n" +
				"    WHEN false = 'true' THEN (SELECT MAX(trade_date) FROM EQUITY_EOD)\n" +
				"    ELSE TO_DATE('20260115', 'YYYYMMDD')\n  END\n",
			map[string][2]string{
				"accountable_owner": {"market-data-governance@firm.com", "prices"},
				"data_specialist":   {"market-data-ops@firm.com", "prices"},
				"support_channel":   {"#market-data", "prices"},
			}},
		// HEAD's sample moved the owners onto prices.equity and adds
		// governance roles; the shape check only.
		{"head", nil, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			s := loadSample(t, tt.version, Options{CacheEnabled: true})
			got := resolveBody(t, s, "prices.equity/AAPL@20260115")
			want := map[string]any{
				"moniker":      "moniker://prices.equity/AAPL@20260115",
				"path":         "prices.equity/AAPL",
				"source_type":  "snowflake",
				"connection":   tt.connection,
				"query":        tt.query,
				"params":       map[string]any{"moniker_version": "20260115", "moniker_revision": nil, "moniker_namespace": nil},
				"schema_info":  nil,
				"read_only":    true,
				"ownership":    ownership18(tt.owners),
				"binding_path": "prices.equity", "sub_path": "AAPL",
				"status": nil, "deprecation_message": nil, "successor": nil, "sunset_deadline": nil,
				"migration_guide_url": nil, "redirected_from": nil,
				"cache_ttl_hint": json.Number("300"),
			}
			if tt.connection == nil {
				for _, k := range []string{"ownership", "query", "connection", "status"} {
					delete(want, k)
					delete(got, k)
				}
			}
			if !reflect.DeepEqual(got, want) {
				for k := range want {
					if !reflect.DeepEqual(got[k], want[k]) {
						t.Errorf("%s:\n got %#v\nwant %#v", k, got[k], want[k])
					}
				}
				if len(got) != len(want) {
					t.Errorf("got %d keys, want %d", len(got), len(want))
				}
			}
		})
	}
}

func TestSampleResolve(t *testing.T) {
	type want struct {
		fields map[string]any       // expected top-level fields
		owners map[string][2]string // expected ownership fields (others unchecked)
	}
	tests := []struct {
		version, in string
		want        want
	}{
		{"testdata", "benchmarks.sovereign/developed/EU.GovBondAgg/EUR@20260115", want{
			fields: map[string]any{
				"source_type": "snowflake", "binding_path": "benchmarks.sovereign/developed", "sub_path": "EU.GovBondAgg/EUR",
				"query": "SELECT index_code, index_label, currency, weight, yield_pct, eff_duration\n" +
					"FROM DM_GOVT_INDEX\nWHERE index_family = 'EU.GovBondAgg'\n  AND currency = 'EUR'\n" +
					"  AND as_of_date = TO_DATE('20260115', 'YYYYMMDD')\n",
				"params": map[string]any{"moniker_version": "20260115", "moniker_revision": nil, "moniker_namespace": nil},
			},
			owners: map[string][2]string{
				"accountable_owner": {"index-owners@firm.com", "benchmarks"},
				"support_channel":   {"#index-data", "benchmarks"},
			},
		}},
		{"testdata", "benchmarks.sovereign/developed/ALL/ALL", want{fields: map[string]any{
			"query": "SELECT index_code, index_label, currency, weight, yield_pct, eff_duration\n" +
				"FROM DM_GOVT_INDEX\nWHERE 1=1\n  AND 1=1\n  AND as_of_date = CURRENT_DATE()\n",
		}}},
		// a dot-ancestor binding gives a clean sub-path (Q2b fixed)
		{"testdata", "prices.equity.intraday/AAPL", want{fields: map[string]any{
			"binding_path": "prices.equity", "sub_path": "intraday/AAPL", "path": "prices.equity.intraday/AAPL",
			"query": "SELECT ticker, open_px, high_px, low_px, close_px, volume, vwap_px\n" +
				"FROM EQUITY_CLOSE\nWHERE ticker = 'intraday'\n  AND price_date = CASE\n" +
				"    WHEN false = 'true' THEN (SELECT MAX(price_date) FROM EQUITY_CLOSE)\n    ELSE CURRENT_DATE()\n  END\n",
		}}},
		{"testdata", "commodities.crypto/BTC", want{
			fields: map[string]any{"source_type": "rest", "query": "/v1/coins/BTC",
				"connection": map[string]any{"base_url": "https://digital-assets.api.firm.com", "auth_type": "api_key", "headers": map[string]any{}},
				"params": map[string]any{"method": "GET", "response_path": nil, "moniker_version": nil,
					"moniker_revision": nil, "moniker_namespace": nil}},
			owners: map[string][2]string{
				"accountable_owner": {"commodity-owners@firm.com", "commodities"},
				"data_specialist":   {"digital-asset-desk@firm.com", "commodities.crypto"},
			},
		}},
		{"testdata", "fixed_income/mbs/pools/FNMA/30Y", want{fields: map[string]any{
			"source_type": "excel", "query": "pools_FNMA_30Y.xlsx", "binding_path": "fixed_income/mbs/pools",
			"connection": map[string]any{"base_path": "/srv/mbs/pools"},
			"params": map[string]any{"sheet": "Pools", "header_row": json.Number("2"), "moniker_version": nil,
				"moniker_revision": nil, "moniker_namespace": nil},
		}}},
		{"testdata", "securities/terms/US0378331005", want{fields: map[string]any{
			"source_type": "opensearch",
			"query":       "{\n  \"query\": {\n    \"bool\": {\n      \"filter\": [\n        {\"term\": {\"instrument_id\": \"US0378331005\"}}\n      ]\n    }\n  }\n}\n",
			"connection":  map[string]any{"hosts": []any{"https://search.firm.com:9200"}, "index": "instrument-terms"},
		}}},
		{"testdata", "credit.exposures", want{fields: map[string]any{
			"source_type": "mssql", "sub_path": nil, "status": "active", "schema_info": nil,
			"connection": map[string]any{"server": "credit-sql.firm.com", "port": json.Number("1433"),
				"database": "Credit", "driver": "ODBC Driver 18 for SQL Server"},
		}}},
		{"testdata", "risk.cvar/758-A/ALL/B0YHY8V7", want{
			fields: map[string]any{
				"source_type": "oracle", "binding_path": "risk.cvar", "sub_path": "758-A/ALL/B0YHY8V7",
				"connection": map[string]any{"dsn": "risk-db.firm.com:1521/RISK", "host": nil, "port": nil, "service_name": nil},
				"query": "SELECT calc_date, book, ccy, instrument_id, liquidity_bucket, es\nFROM risk_owner.expected_shortfall\n" +
					"WHERE ('758-A' = 'ALL' OR book = '758-A')\n" +
					"  AND ('ALL' = 'ALL' OR ccy = 'ALL')\n" +
					"  AND ('B0YHY8V7' = 'ALL' OR instrument_id = 'B0YHY8V7')\nORDER BY calc_date DESC, book, instrument_id\n",
			},
			owners: map[string][2]string{
				"accountable_owner": {"risk-owners@firm.com", "risk"},
				"adop":              {"risk-methods-lead@firm.com", "risk.cvar"},
			},
		}},
		// a fred binding (the fallback shape: every config key but query,
		// sorted, templated)
		{"testdata", "rates.sofr/ON", want{fields: map[string]any{
			"source_type": "fred", "query": nil, "connection": map[string]any{
				"auth": "api_key", "base_url": "https://api.stlouisfed.org/fred/series/observations", "series": "ON",
				"series_ids": map[string]any{"ON": "SOFR", "30D_AVG": "SOFR30DAYAVG", "90D_AVG": "SOFR90DAYAVG"}}},
		}},
		// {path}, {version}, {revision} and {namespace} (6c1a393's
		// placeholders) in a REST binding
		{"testdata", "risk.stress/X/Y@20260115/v2", want{fields: map[string]any{
			"query": "/v2/scenarios/X/Y",
			"params": map[string]any{"method": "GET", "response_path": nil, "moniker_version": "20260115",
				"moniker_revision": json.Number("2"), "moniker_namespace": nil,
				"query_params": map[string]any{"as_of": "20260115", "revision": "2", "book_set": ""}},
		}}},
		// owners from the domain: reports has no ownership block, and
		// reports.client names another domain
		{"testdata", "reports.daily/desk/20260115", want{owners: map[string][2]string{
			"accountable_owner": {"reporting-owners@firm.com", "domain:reports"},
			"support_channel":   {"#reports-help", "domain:reports"},
		}}},
		{"testdata", "reports.client/C1/20260115", want{owners: map[string][2]string{
			"accountable_owner": {"portfolio-owners@firm.com", "domain:portfolios"},
			"data_specialist":   {"portfolio-platform@firm.com", "domain:portfolios"},
		}}},
		{"6c1a393", "risk.cvar/758-A/ALL/B0YHY8V7", want{fields: map[string]any{
			"source_type": "oracle", "binding_path": "risk.cvar",
			"connection": map[string]any{"dsn": "proteus.firm.com:1521/RISKDB", "host": nil, "port": nil, "service_name": nil},
			"query": "SELECT asof_date, port_no, port_type, ssm_id, base_currency,\n" +
				"       acct_key, lt_id, lt_id_2, cvar_coeff, cvar\nFROM proteus_2_own.te_stress_tail_risk_pnl\n" +
				"WHERE ('758-A' = 'ALL' OR port_no || '-' || port_type = '758-A')\n" +
				"  AND ('ALL' = 'ALL' OR base_currency = 'ALL')\n" +
				"  AND ('B0YHY8V7' = 'ALL' OR ssm_id = 'B0YHY8V7')\nORDER BY asof_date DESC, port_no, ssm_id\n",
		}}},
		// HEAD: a fred binding (fallback shape) whose owners come from the
		// node's domain field.
		{"head", "macro.us.gdp", want{
			fields: map[string]any{"source_type": "fred", "query": nil, "connection": map[string]any{
				"auth": "api_key", "base_url": "https://api.stlouisfed.org/fred/series/observations",
				"docs": "https://fred.stlouisfed.org/docs/api/", "series_ids": map[string]any{"real_gdp": "GDPC1"}}},
			owners: map[string][2]string{
				"accountable_owner": {"rates-governance@firm.com", "domain:rates"},
				"data_specialist":   {"rates-tech@firm.com", "domain:rates"},
				"support_channel":   {"#rates-data", "domain:rates"},
			},
		}},
	}
	snaps := map[string]*Snapshot{}
	for _, tt := range tests {
		t.Run(tt.version+"/"+tt.in, func(t *testing.T) {
			s := snaps[tt.version]
			if s == nil {
				s = loadSample(t, tt.version, Options{CacheEnabled: true})
				snaps[tt.version] = s
			}
			got := resolveBody(t, s, tt.in)
			for k, v := range tt.want.fields {
				if !reflect.DeepEqual(got[k], v) {
					t.Errorf("%s:\n got %#v\nwant %#v", k, got[k], v)
				}
			}
			own := got["ownership"].(map[string]any)
			for k, v := range tt.want.owners {
				if own[k] != v[0] || own[k+"_source"] != v[1] {
					t.Errorf("ownership %s = %v from %v, want %v from %v", k, own[k], own[k+"_source"], v[0], v[1])
				}
			}
		})
	}
}

func TestSampleAccessPolicy(t *testing.T) {
	const f206Denial = "Query blocked: CVaR table is very large.\n" +
		"You must specify at least one filter (portfolio, currency, or security).\n" +
		"Example: risk.cvar/758-A/USD/ALL\n"
	const c6c1Denial = "Query blocked: CVaR table contains 9.5 billion rows.\n" +
		"You must specify at least one filter (portfolio, currency, or security).\n" +
		"Example: risk.cvar/758-A/USD/ALL (specific portfolio and currency)\n"
	const ourDenial = "Refused: expected shortfall has billions of rows.\n" +
		"Name at least one of book, currency or instrument,\n" +
		"e.g. risk.cvar/758-A/USD/ALL\n"
	tests := []struct {
		version, in string
		rows        int64
		msg         string // "" = allowed
	}{
		// ours: base 100, multipliers 1000/50/20000, warn above 1e7,
		// block above 1e9.
		{"testdata", "risk.cvar/ALL/ALL/ALL", 100 * 1000 * 50 * 20_000, ourDenial},
		{"testdata", "risk.cvar/all/All/ALL@20260115", 100 * 1000 * 50 * 20_000, ourDenial},
		{"testdata", "risk.cvar/ALL/USD/ALL", 2_000_000_000, ourDenial}, // max_rows_block
		{"testdata", "risk.cvar/758-A/USD/ALL", 2_000_000, ""},
		{"testdata", "risk.cvar/758-A/ALL/ALL", 100_000_000, ""}, // above max_rows_warn: allowed
		{"testdata", "risk.cvar/758-A/USD/B0YHY8V7", 100, ""},
		{"testdata", "risk.cvar", 100, "Access policy requires at least 1 specific filters, but only 0 provided"},
		// risk.greeks: no multipliers (100 per ALL), segment 0 required.
		{"testdata", "risk.greeks/ALL/ALL", 1_000_000, "Query pattern 'ALL/ALL' is blocked by access policy"},
		{"testdata", "risk.greeks/ALL/20260115", 10_000, "Access policy requires segment 0 to be specified (cannot use ALL)"},
		{"testdata", "risk.greeks/B1/ALL", 10_000, ""},
		// f206ffd: base 100, no multipliers (100 per ALL): the
		// reference's 100,000,000 for ALL/ALL/ALL.
		{"f206ffd", "risk.cvar/ALL/ALL/ALL", 100_000_000, f206Denial},
		{"f206ffd", "risk.cvar/all/All/ALL@20260115", 100_000_000, f206Denial},
		{"f206ffd", "risk.cvar/758-A/USD/ALL", 10_000, ""},
		{"f206ffd", "risk.cvar/758-A/ALL/ALL", 1_000_000, ""},
		{"f206ffd", "risk.cvar", 100, "Access policy requires at least 1 specific filters, but only 0 provided"},
		// 6c1a393: base 1000, multipliers 1000/50/200000, block above 1e8.
		{"6c1a393", "risk.cvar/ALL/ALL/ALL", 1000 * 1000 * 50 * 200_000, c6c1Denial},
		{"6c1a393", "risk.cvar/758-A/USD/ALL", 200_000_000, c6c1Denial},
		{"6c1a393", "risk.cvar/758-A/ALL/B0YHY8V7", 50_000, ""},
		{"6c1a393", "risk.cvar/758-A/USD/B0YHY8V7", 1000, ""},
		{"6c1a393", "risk.cvar", 1000, "Access policy requires at least 1 specific filters, but only 0 provided"},
	}
	snaps := map[string]*Snapshot{}
	for _, tt := range tests {
		t.Run(tt.version+"/"+tt.in, func(t *testing.T) {
			s := snaps[tt.version]
			if s == nil {
				s = loadSample(t, tt.version, Options{CacheEnabled: true})
				snaps[tt.version] = s
			}
			for round := range 2 { // a hit is checked like a miss
				e, cached, err := s.Resolve(mustParse(t, tt.in))
				if tt.msg == "" {
					if err != nil {
						t.Fatalf("denied: %v", err)
					}
					if e.Res.EstimatedRows != tt.rows || cached != (round == 1) {
						t.Errorf("estimated rows %d cached %v", e.Res.EstimatedRows, cached)
					}
					continue
				}
				d := asDenied(t, err)
				if d.Message != tt.msg || d.EstimatedRows != tt.rows || !d.HasEstimate || cached {
					t.Errorf("denial %+v cached %v, want %q with %d rows", d, cached, tt.msg, tt.rows)
				}
			}
		})
	}
}

func TestSampleNotFoundAndDomain(t *testing.T) {
	s := loadSample(t, "testdata", Options{})
	_, _, err := s.Resolve(mustParse(t, "prices"))
	var nf *moniker.NotFoundError
	if !errors.As(err, &nf) || nf.Path != "prices" || nf.Error() != "No source binding for: prices" {
		t.Fatalf("err = %v", err)
	}
	d := s.Domain("prices")
	if d == nil || d.Name != "prices" || d.WikiLink != "https://docs.firm.com/domains/prices" ||
		d.HelpChannel != "#pricing-help" {
		t.Errorf("Domain(prices) = %+v", d)
	}
	// The same rule for a dotted path (Q25 fixed), and none for an unknown root.
	if d := s.Domain("prices.bonds/X"); d == nil || d.Name != "prices" {
		t.Errorf("Domain(prices.bonds/X) = %+v", d)
	}
	if d := s.Domain("nosuch.thing/X"); d != nil {
		t.Errorf("Domain(nosuch.thing/X) = %+v", d)
	}
}

// TestSampleEveryBoundNode resolves every bound node of our test catalog
// and of every compat sample, at its own path and one level below, with
// and without a version, and checks the body is valid JSON that agrees
// with the Resolution.
func TestSampleEveryBoundNode(t *testing.T) {
	for _, version := range []string{"testdata", "f206ffd", "head", "6c1a393"} {
		t.Run(version, func(t *testing.T) { resolveEveryBoundNode(t, version) })
	}
}

func resolveEveryBoundNode(t *testing.T, version string) {
	t.Helper()
	s := loadSample(t, version, Options{CacheEnabled: true})
	bound := 0
	for _, n := range s.Catalog().Nodes() {
		if n.Binding == nil || !n.EffectiveStatus().Resolvable() {
			continue
		}
		bound++
		for _, in := range []string{n.Path, n.Path + "/X1@20260115", n.Path + "/ABC/DEF@3M/v2?k=v"} {
			m, err := moniker.Parse(in)
			if err != nil {
				continue // e.g. a key that is not a valid moniker path
			}
			e, _, err := s.Resolve(&m)
			if errors.Is(err, moniker.ErrDenied) {
				continue
			}
			if err != nil {
				t.Errorf("%s %s: %v", version, in, err)
				continue
			}
			got := decodeBody(t, e.Body)
			if got["binding_path"] != n.Path || got["path"] != m.Path || got["source_type"] != n.Binding.Type {
				t.Errorf("%s %s: binding_path %v path %v source_type %v", version, in,
					got["binding_path"], got["path"], got["source_type"])
			}
			if again := AppendResolutionJSON(nil, e.Res); string(again) != string(e.Body) {
				t.Errorf("%s %s: body differs from a fresh encoding", version, in)
			}
		}
	}
	if bound < 25 {
		t.Errorf("%s: only %d bound nodes", version, bound)
	}
}
