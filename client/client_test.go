package client

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"
	"time"
)

// resolveBody is reference §3.2's example answer.
const resolveBody = `{
  "moniker": "moniker://prices.equity/AAPL@20260115",
  "path": "prices.equity/AAPL",
  "source_type": "snowflake",
  "connection": {"account": "northwind.eu-west-1", "warehouse": "MARKET_WH",
                 "database": "PRICES", "schema": "EQUITY", "role": null},
  "query": "SELECT 1",
  "params": {"moniker_version": "20260115", "moniker_revision": null, "moniker_namespace": null},
  "schema_info": null,
  "read_only": true,
  "ownership": {"accountable_owner": "pricing-owners@firm.com",
                "accountable_owner_source": "prices",
                "data_specialist": "pricing-ops@firm.com", "data_specialist_source": "prices",
                "support_channel": "#pricing-help", "support_channel_source": "prices",
                "adop": null, "adop_source": null, "adop_name": null, "adop_name_source": null,
                "ads": null, "ads_source": null, "ads_name": null, "ads_name_source": null,
                "adal": "risk@firm.com", "adal_source": "domain:prices", "adal_name": null, "adal_name_source": null},
  "binding_path": "prices.equity",
  "sub_path": "AAPL",
  "status": null, "deprecation_message": null, "successor": null, "sunset_deadline": null,
  "migration_guide_url": null, "redirected_from": null,
  "cache_ttl_hint": 300
}`

// recorder is an httptest server that answers every request with one
// canned response and records what it received.
type recorder struct {
	srv    *httptest.Server
	status int
	body   string
	got    *http.Request
	gotRaw string // the escaped path and query as sent
	gotIn  []byte
}

func newRecorder(t *testing.T, status int, body string) *recorder {
	t.Helper()
	r := &recorder{status: status, body: body}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.got = req
		r.gotRaw = req.URL.RequestURI()
		r.gotIn, _ = io.ReadAll(req.Body)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(r.status)
		_, _ = io.WriteString(w, r.body)
	}))
	t.Cleanup(r.srv.Close)
	return r
}

func TestResolve(t *testing.T) {
	rec := newRecorder(t, 200, resolveBody)
	c := New(rec.srv.URL+"/", WithAppID("etl-bot"), WithTeam("risk"), WithToken("tok123"))
	res, err := c.Resolve(context.Background(), "moniker://prices.equity/AAPL@20260115")
	if err != nil {
		t.Fatal(err)
	}
	if rec.gotRaw != "/resolve/prices.equity/AAPL@20260115" {
		t.Errorf("request URI = %q", rec.gotRaw)
	}
	h := rec.got.Header
	if h.Get("X-App-ID") != "etl-bot" || h.Get("X-Team") != "risk" || h.Get("Authorization") != "Bearer tok123" {
		t.Errorf("identity headers = %v", h)
	}
	if res.Path != "prices.equity/AAPL" || res.SourceType != "snowflake" || res.BindingPath != "prices.equity" ||
		res.SubPath != "AAPL" || !res.ReadOnly || res.CacheTTLHint != 300 || res.Query != "SELECT 1" {
		t.Errorf("decoded %+v", res)
	}
	if res.Connection["warehouse"] != "MARKET_WH" || res.Params["moniker_version"] != "20260115" {
		t.Errorf("connection/params = %v %v", res.Connection, res.Params)
	}
	if res.Status != "" || res.Successor != "" {
		t.Errorf("null fields decoded as %q %q", res.Status, res.Successor)
	}
	o := res.Ownership
	if o.AccountableOwner != "pricing-owners@firm.com" || o.AccountableOwnerSource != "prices" ||
		o.ADAL != "risk@firm.com" || o.ADALSource != "domain:prices" || o.ADOP != "" {
		t.Errorf("ownership = %+v", o)
	}
	if f := o.Fields(); len(f) != 9 || f[7] != (OwnerField{"adal", "risk@firm.com", "domain:prices"}) {
		t.Errorf("Fields() = %v", f)
	}
}

// TestOwnershipHas18Keys pins the struct to the 18-key wire object.
func TestOwnershipHas18Keys(t *testing.T) {
	b, err := json.Marshal(Ownership{})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	want := []string{"accountable_owner", "data_specialist", "support_channel", "adop", "adop_name", "ads", "ads_name", "adal", "adal_name"}
	if len(m) != 18 {
		t.Errorf("Ownership encodes %d keys, want 18", len(m))
	}
	for _, k := range want {
		if _, ok := m[k]; !ok {
			t.Errorf("missing %s", k)
		}
		if _, ok := m[k+"_source"]; !ok {
			t.Errorf("missing %s_source", k)
		}
	}
}

func TestEscaping(t *testing.T) {
	cases := []struct {
		call func(*Client) error
		want string
	}{
		{func(c *Client) error { _, err := c.Resolve(ctx(), "prices.equity/AAPL@latest"); return err }, "/resolve/prices.equity/AAPL@latest"},
		{func(c *Client) error { _, err := c.Resolve(ctx(), "a/b c/d#e"); return err }, "/resolve/a/b%20c/d%23e"},
		{func(c *Client) error { _, err := c.Resolve(ctx(), "a/100%/x;y"); return err }, "/resolve/a/100%25/x%3By"},
		{func(c *Client) error { _, err := c.Resolve(ctx(), "moniker://a/b?x=1&y=a b&z=%26&flag"); return err },
			"/resolve/a/b?x=1&y=a+b&z=%26&flag"},
		{func(c *Client) error { _, err := c.Resolve(ctx(), "a/b?"); return err }, "/resolve/a/b"},
		{func(c *Client) error { _, err := c.Describe(ctx(), "moniker://risk.cvar/DESK_A?x=1"); return err }, "/describe/risk.cvar/DESK_A"},
		{func(c *Client) error { _, err := c.Lineage(ctx(), "a//b"); return err }, "/lineage/a//b"},
		{func(c *Client) error { _, err := c.List(ctx(), ""); return err }, "/list/"},
		{func(c *Client) error { _, err := c.Metadata(ctx(), "credit.exposures"); return err }, "/metadata/credit.exposures"},
		{func(c *Client) error { _, err := c.Tree(ctx(), "", nil); return err }, "/tree"},
		{func(c *Client) error { d := 0; _, err := c.Tree(ctx(), "", &d); return err }, "/tree?depth=0"},
		{func(c *Client) error { d := 2; _, err := c.Tree(ctx(), "reference.calendars/exchange", &d); return err },
			"/tree/reference.calendars/exchange?depth=2"},
		{func(c *Client) error { _, err := c.Search(ctx(), "us treasury", "", 0); return err }, "/catalog/search?q=us+treasury"},
		{func(c *Client) error { _, err := c.Search(ctx(), "", "active", 20); return err }, "/catalog/search?limit=20&q=&status=active"},
		{func(c *Client) error { _, err := c.Catalog(ctx(), "", 0, ""); return err }, "/catalog"},
		{func(c *Client) error { _, err := c.Catalog(ctx(), "prices/x", 100, "draft"); return err },
			"/catalog?cursor=prices%2Fx&limit=100&status=draft"},
		{func(c *Client) error { _, err := c.Stats(ctx()); return err }, "/catalog/stats"},
		{func(c *Client) error { _, err := c.Health(ctx()); return err }, "/health"},
	}
	for _, tc := range cases {
		// Answer with an object or an array as the route expects.
		body := `{}`
		if strings.HasPrefix(tc.want, "/tree?") || tc.want == "/tree" {
			body = `[]`
		}
		rec := newRecorder(t, 200, body)
		if err := tc.call(New(rec.srv.URL)); err != nil {
			t.Errorf("%s: %v", tc.want, err)
			continue
		}
		if rec.gotRaw != tc.want {
			t.Errorf("sent %q, want %q", rec.gotRaw, tc.want)
		}
	}
}

func ctx() context.Context { return context.Background() }

func TestBaseURLPrefix(t *testing.T) {
	rec := newRecorder(t, 200, `{"children":["a","b"],"moniker":"moniker://x","path":"x"}`)
	res, err := New(rec.srv.URL+"/api/").List(ctx(), "x")
	if err != nil {
		t.Fatal(err)
	}
	if rec.gotRaw != "/api/list/x" || !reflect.DeepEqual(res.Children, []string{"a", "b"}) {
		t.Errorf("sent %q, decoded %+v", rec.gotRaw, res)
	}
}

func TestResolveBatch(t *testing.T) {
	rec := newRecorder(t, 200, `{"results":[`+resolveBody+`],"errors":{"nope":"No source binding for: nope"}}`)
	res, err := New(rec.srv.URL).ResolveBatch(ctx(), []string{"prices.equity/AAPL@20260115", "nope"})
	if err != nil {
		t.Fatal(err)
	}
	if rec.got.Method != http.MethodPost || rec.gotRaw != "/resolve/batch" || rec.got.Header.Get("Content-Type") != "application/json" {
		t.Errorf("request %s %s %v", rec.got.Method, rec.gotRaw, rec.got.Header)
	}
	if string(rec.gotIn) != `{"monikers":["prices.equity/AAPL@20260115","nope"]}` {
		t.Errorf("body = %s", rec.gotIn)
	}
	if len(res.Results) != 1 || res.Results[0].SourceType != "snowflake" || res.Errors["nope"] == "" {
		t.Errorf("decoded %+v", res)
	}
	// nil is sent as an empty list, not null.
	if _, err := New(rec.srv.URL).ResolveBatch(ctx(), nil); err != nil {
		t.Fatal(err)
	}
	if string(rec.gotIn) != `{"monikers":[]}` {
		t.Errorf("nil batch body = %s", rec.gotIn)
	}
}

func TestTreeShapes(t *testing.T) {
	node := `{"path":"prices","name":"prices","children":[{"path":"prices.equity","name":"prices.equity","children":[],
	  "ownership":{"accountable_owner":null,"data_specialist":"ops@firm.com","support_channel":null},
	  "source_type":"snowflake","has_source_binding":true,"description":"","domain":null}],
	  "ownership":{"accountable_owner":"gov@firm.com","data_specialist":null,"support_channel":null},
	  "source_type":null,"has_source_binding":false,"description":"Prices","domain":"prices"}`
	rec := newRecorder(t, 200, node)
	got, err := New(rec.srv.URL).Tree(ctx(), "prices", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Domain != "prices" || len(got[0].Children) != 1 ||
		got[0].Children[0].SourceType != "snowflake" || got[0].Ownership["accountable_owner"] != "gov@firm.com" {
		t.Errorf("Tree(path) = %+v", got)
	}
	rec.body = "[" + node + "," + node + "]"
	got, err = New(rec.srv.URL).Tree(ctx(), "", nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 {
		t.Errorf("Tree(root) returned %d roots, want 2", len(got))
	}
}

func TestHealth(t *testing.T) {
	rec := newRecorder(t, 200, `{"status":"healthy","target":"resolver","components":["catalog","cache"],
	  "cache":{"size":3},"rate_limiter":null,"catalog_counts":{"active":62,"total":62}}`)
	h, err := New(rec.srv.URL).Health(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if h.Status != "healthy" || h.Target != "resolver" || !reflect.DeepEqual(h.Components, []string{"catalog", "cache"}) {
		t.Errorf("health = %+v", h)
	}
	var counts map[string]int
	if err := json.Unmarshal(h.Sections["catalog_counts"], &counts); err != nil || counts["total"] != 62 {
		t.Errorf("catalog_counts = %s (%v)", h.Sections["catalog_counts"], err)
	}
	if _, ok := h.Sections["status"]; ok || len(h.Sections) != 3 {
		t.Errorf("sections = %v", h.Sections)
	}
}

func TestErrors(t *testing.T) {
	rows := int64(5000000)
	cases := []struct {
		name   string
		status int
		body   string
		want   Error
		msg    string
	}{
		{"resolution 404 with domain hint", 404,
			`{"error":"Not found","detail":"No source binding for: prices","code":"not_found","domain":"prices","documentation":"https://wiki/Prices","help_channel":"#pricing-help"}`,
			Error{Status: 404, Code: "not_found", Title: "Not found", Detail: "No source binding for: prices",
				Domain: "prices", Documentation: "https://wiki/Prices", HelpChannel: "#pricing-help"},
			"moniker server: 404 Not Found: No source binding for: prices"},
		{"parse error", 400, `{"error":"Invalid moniker","detail":"invalid segment ''","code":"invalid_moniker"}`,
			Error{Status: 400, Code: "invalid_moniker", Title: "Invalid moniker", Detail: "invalid segment ''"},
			"moniker server: 400 Bad Request: invalid segment ''"},
		{"access denied", 403, `{"error":"Access denied","detail":"too many rows","code":"access_denied","estimated_rows":5000000}`,
			Error{Status: 403, Code: "access_denied", Title: "Access denied", Detail: "too many rows", EstimatedRows: &rows},
			"moniker server: 403 Forbidden: too many rows"},
		{"detail only", 503, `{"detail":"management unreachable","code":"unavailable"}`,
			Error{Status: 503, Code: "unavailable", Detail: "management unreachable"}, "503 Service Unavailable: management unreachable"},
		{"validation list", 422, `{"detail":[{"type":"less_than_equal","loc":["query","limit"],"msg":"must be <= 1000","input":"5000"}],"code":"validation_error"}`,
			Error{Status: 422, Code: "validation_error", Detail: "query.limit: must be <= 1000"}, "query.limit: must be <= 1000"},
		{"plain text", 502, "Bad Gateway\n", Error{Status: 502, Detail: "Bad Gateway"}, "502 Bad Gateway: Bad Gateway"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rec := newRecorder(t, tc.status, tc.body)
			_, err := New(rec.srv.URL).Resolve(ctx(), "prices")
			var e *Error
			if !errors.As(err, &e) {
				t.Fatalf("error %v (%T) is not *client.Error", err, err)
			}
			if string(e.Body) != tc.body {
				t.Errorf("Body = %q", e.Body)
			}
			e.Body = nil
			if !reflect.DeepEqual(*e, tc.want) {
				t.Errorf("error = %+v\nwant    %+v", *e, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Error() = %q, want it to contain %q", err.Error(), tc.msg)
			}
		})
	}
}

func TestContextDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err := New(srv.URL).Resolve(c, "prices.equity/AAPL")
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error = %v, want context.DeadlineExceeded", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("Resolve ignored the deadline (took %v)", time.Since(start))
	}
}

func TestResponseHookAndDecodeError(t *testing.T) {
	rec := newRecorder(t, 200, `{"paths": "not a list"}`)
	var hooked []byte
	var status int
	c := New(rec.srv.URL, WithResponseHook(func(r *http.Response, b []byte) { status, hooked = r.StatusCode, b }))
	_, err := c.Catalog(ctx(), "", 0, "")
	if err == nil || !strings.Contains(err.Error(), "decoding GET /catalog response") {
		t.Errorf("error = %v, want a decoding error", err)
	}
	if status != 200 || string(hooked) != rec.body {
		t.Errorf("hook saw %d %q", status, hooked)
	}
}

func TestWithHTTPClient(t *testing.T) {
	rec := newRecorder(t, 200, `{"total_monikers":62,"by_status":{"active":62},"by_source_type":{},"by_classification":{},
	  "ownership_coverage":{"has_ownership":17,"has_governance_roles":3,"coverage_percent":27.4}}`)
	used := false
	hc := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		used = true
		return http.DefaultTransport.RoundTrip(r)
	})}
	s, err := New(rec.srv.URL, WithHTTPClient(hc)).Stats(ctx())
	if err != nil {
		t.Fatal(err)
	}
	if !used || s.TotalMonikers != 62 || s.OwnershipCoverage.CoveragePercent != 27.4 || s.ByStatus["active"] != 62 {
		t.Errorf("used=%v stats=%+v", used, s)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
