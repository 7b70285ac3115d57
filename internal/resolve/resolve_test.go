package resolve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// hierarchyNodes is a small catalog exercising the binding lookup: dot and
// slash ancestors, exact matches, and skipped statuses.
func hierarchyNodes() []*moniker.Node {
	return []*moniker.Node{
		{Path: "prices", Ownership: owners("gov@x", "ops@x", "#md")},
		{Path: "prices.equity", Binding: snowflake(
			"p={path} s0={segments[0]} s1={segments[1]} f={filter[0]:symbol} d={version_date} l={is_latest}")},
		{Path: "prices.equity/OLD", Status: moniker.StatusArchived, Binding: snowflake("archived")},
		{Path: "prices.equity/NEW", Status: moniker.StatusDraft, Binding: snowflake("draft")},
		{Path: "prices.equity/REV", Status: moniker.StatusPendingReview, Binding: snowflake("pending")},
		{Path: "prices.equity/APPR", Status: moniker.StatusApproved, Binding: snowflake("approved {path}")},
		{Path: "ref", Binding: snowflake("p={path} s0={segments[0]} s1={segments[1]}")},
		{Path: "fi/govies", Binding: snowflake("p={path} s0={segments[0]}")},
	}
}

func TestResolveBindingAndTemplates(t *testing.T) {
	s := newSnap(hierarchyNodes(), nil, Options{})
	tests := []struct {
		in                 string
		bindingPath, query string
		subPath, status    any // nil = JSON null
	}{
		// sub-path below a dot-rooted binding
		{"prices.equity/AAPL@20260115", "prices.equity",
			"p=AAPL s0=AAPL s1= f=symbol = 'AAPL' d=TO_DATE('20260115', 'YYYYMMDD') l=false", "AAPL", nil},
		{"prices.equity/AAPL@latest", "prices.equity",
			"p=AAPL s0=AAPL s1= f=symbol = 'AAPL' d='__LATEST__' l=true", "AAPL", nil},
		{"prices.equity/ALL", "prices.equity",
			"p=ALL s0=ALL s1= f=1=1 d=CURRENT_DATE() l=false", "ALL", nil},
		// exact match: {path} and {segments} come from the full path (Q18)
		{"prices.equity", "prices.equity",
			"p=prices.equity s0=prices.equity s1= f=symbol = 'prices.equity' d=CURRENT_DATE() l=false", nil, "active"},
		// through a "." ancestor: clean sub-path (Q2b fixed)
		{"ref.security/ISIN/US0378331005", "ref",
			"p=security/ISIN/US0378331005 s0=security s1=ISIN", "security/ISIN/US0378331005", nil},
		{"ref.security", "ref", "p=security s0=security s1=", "security", nil},
		// slash hierarchy; a "." below the first segment is part of the name
		{"fi/govies/DE.10Y", "fi/govies", "p=DE.10Y s0=DE.10Y", "DE.10Y", nil},
		// archived, draft and pending_review nodes fall back to the
		// ancestor's binding, with their own status (Q17)
		{"prices.equity/OLD", "prices.equity",
			"p=OLD s0=OLD s1= f=symbol = 'OLD' d=CURRENT_DATE() l=false", "OLD", "archived"},
		{"prices.equity/NEW/X", "prices.equity",
			"p=NEW/X s0=NEW s1=X f=symbol = 'NEW' d=CURRENT_DATE() l=false", "NEW/X", nil},
		{"prices.equity/REV", "prices.equity",
			"p=REV s0=REV s1= f=symbol = 'REV' d=CURRENT_DATE() l=false", "REV", "pending_review"},
		// approved is resolvable
		{"prices.equity/APPR/Z", "prices.equity/APPR", "approved Z", "Z", nil},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := resolveBody(t, s, tt.in)
			if got["binding_path"] != tt.bindingPath {
				t.Errorf("binding_path = %v, want %v", got["binding_path"], tt.bindingPath)
			}
			if got["query"] != tt.query {
				t.Errorf("query = %q\nwant    %q", got["query"], tt.query)
			}
			if got["sub_path"] != tt.subPath {
				t.Errorf("sub_path = %v, want %v", got["sub_path"], tt.subPath)
			}
			if got["status"] != tt.status {
				t.Errorf("status = %v, want %v", got["status"], tt.status)
			}
			if want := strings.SplitN(strings.TrimPrefix(tt.in, "moniker://"), "@", 2)[0]; got["path"] != want {
				t.Errorf("path = %v, want %v", got["path"], want)
			}
		})
	}
}

func TestFindBinding(t *testing.T) {
	s := newSnap(hierarchyNodes(), nil, Options{})
	tests := []struct{ path, want string }{
		{"prices.equity", "prices.equity"},
		{"prices.equity/AAPL/x", "prices.equity"},
		{"prices.equity/OLD", "prices.equity"},
		{"prices.equity/APPR", "prices.equity/APPR"},
		{"ref.a.b/c", "ref"},
		{"prices", ""},
		{"prices.bonds/X", ""},
		{"nothing", ""},
		{"", ""},
	}
	for _, tt := range tests {
		got := ""
		if n := s.FindBinding(tt.path); n != nil {
			got = n.Path
		}
		if got != tt.want {
			t.Errorf("FindBinding(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

func TestResolveNotFound(t *testing.T) {
	s := newSnap(hierarchyNodes(), nil, Options{CacheEnabled: true})
	for _, in := range []string{"prices", "prices.bonds/X", "nothing/at/all", "moniker://"} {
		m := mustParse(t, in)
		e, cached, err := s.Resolve(m)
		var nf *moniker.NotFoundError
		if !errors.As(err, &nf) || !errors.Is(err, moniker.ErrNotFound) || e != nil || cached {
			t.Fatalf("Resolve(%q) = %v, %v, %v; want *NotFoundError", in, e, cached, err)
		}
		if nf.Path != m.Path {
			t.Errorf("NotFoundError.Path = %q, want %q", nf.Path, m.Path)
		}
	}
	if st := s.CacheStats(); st.Size != 0 {
		t.Errorf("not-found results were cached: %+v", st)
	}
}

// redirectNodes builds deprecated chains; every node is bound to a REST
// source whose query names the node the binding came from.
func redirectNodes() []*moniker.Node {
	rest := func(name string) *moniker.SourceBinding {
		return &moniker.SourceBinding{Type: "rest", ReadOnly: true, Config: map[string]any{
			"base_url": "https://" + name, "path_template": "/" + name + "/{path}",
		}}
	}
	dep := func(path, successor string, bound bool) *moniker.Node {
		n := &moniker.Node{Path: path, Status: moniker.StatusDeprecated, Successor: successor,
			DeprecationMessage: "use " + successor + "\ninstead", SunsetDeadline: "2027-01-01",
			MigrationGuideURL: "https://wiki/" + path, Ownership: owners(path+"-owner", "", "")}
		if bound {
			n.Binding = rest(path)
		}
		return n
	}
	nodes := []*moniker.Node{
		dep("old", "new", true),
		{Path: "new", Binding: rest("new"), Ownership: owners("new-owner", "", "")},
		// chain a1 -> a2 -> a3 (active)
		dep("a1", "a2", true), dep("a2", "a3", true), {Path: "a3", Binding: rest("a3")},
		// loop l1 -> l2 -> l1
		dep("l1", "l2", true), dep("l2", "l1", true),
		// a successor without a binding: no redirect
		dep("d", "nowhere", true),
		// successor below a bound ancestor: binding, sub-path and
		// templates come from the successor (Q17b fixed)
		dep("s.old", "s.base/NEWX", true), {Path: "s.base", Binding: rest("s.base")},
		// a deprecated node without a binding of its own still redirects
		dep("gone", "new", false),
		// a deprecated ancestor does not redirect its children
		dep("dep", "new", true),
		// the exact node is archived-but-deprecated? no: a deprecated node
		// that is archived is not "deprecated"; only status deprecated counts
		{Path: "arch", Status: moniker.StatusArchived, Successor: "new", Binding: rest("arch")},
	}
	// c0 -> c1 -> ... -> c7, all deprecated and bound: 5 hops end at c5
	for i := range 7 {
		nodes = append(nodes, dep(fmt.Sprintf("c%d", i), fmt.Sprintf("c%d", i+1), true))
	}
	return append(nodes, &moniker.Node{Path: "c7", Binding: rest("c7")})
}

func TestResolveRedirect(t *testing.T) {
	on := newSnap(redirectNodes(), nil, Options{DeprecationEnabled: true, RedirectOnResolve: true, CacheEnabled: true})
	tests := []struct {
		in, bindingPath, query  string
		subPath, redirectedFrom any
	}{
		{"old", "new", "/new/new", nil, "old"},
		{"a1", "a3", "/a3/a3", nil, "a1"},
		{"l1", "l2", "/l2/l2", nil, "l1"},
		{"l2", "l1", "/l1/l1", nil, "l2"},
		{"c0", "c5", "/c5/c5", nil, "c0"},
		{"c3", "c7", "/c7/c7", nil, "c3"},
		{"d", "d", "/d/d", nil, nil},
		{"s.old", "s.base", "/s.base/NEWX", "NEWX", "s.old"},
		{"gone", "new", "/new/new", nil, "gone"},
		{"dep/X", "dep", "/dep/X", "X", nil},
		{"arch", "", "", nil, nil}, // archived, no bound ancestor: not found
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			e, _, err := on.Resolve(mustParse(t, tt.in))
			if tt.bindingPath == "" {
				if !errors.Is(err, moniker.ErrNotFound) {
					t.Fatalf("err = %v, want not found", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := decodeBody(t, e.Body)
			if got["binding_path"] != tt.bindingPath || got["query"] != tt.query ||
				got["sub_path"] != tt.subPath || got["redirected_from"] != tt.redirectedFrom {
				t.Errorf("got binding_path %v query %v sub_path %v redirected_from %v\nwant %v %v %v %v",
					got["binding_path"], got["query"], got["sub_path"], got["redirected_from"],
					tt.bindingPath, tt.query, tt.subPath, tt.redirectedFrom)
			}
			// path, status, deprecation fields and ownership stay the
			// requested path's.
			exact := on.Catalog().Get(e.Res.Path)
			if got["path"] != e.Res.Path || e.Res.Path != mustParse(t, tt.in).Path {
				t.Errorf("path = %v", got["path"])
			}
			if exact != nil && exact.Successor != "" {
				if got["status"] != string(exact.EffectiveStatus()) || got["successor"] != exact.Successor ||
					got["deprecation_message"] != exact.DeprecationMessage ||
					got["sunset_deadline"] != exact.SunsetDeadline || got["migration_guide_url"] != exact.MigrationGuideURL {
					t.Errorf("status fields are not the exact node's: %v", got)
				}
				own := got["ownership"].(map[string]any)
				if own["accountable_owner"] != tt.in+"-owner" || own["accountable_owner_source"] != tt.in {
					t.Errorf("ownership is not the requested path's: %v", own)
				}
			}
		})
	}

	// With the feature off (either flag), nothing redirects, but the
	// successor fields are still returned.
	for _, opts := range []Options{{}, {DeprecationEnabled: true}, {RedirectOnResolve: true}} {
		off := newSnap(redirectNodes(), nil, opts)
		got := resolveBody(t, off, "old")
		if got["binding_path"] != "old" || got["redirected_from"] != nil || got["successor"] != "new" ||
			got["status"] != "deprecated" {
			t.Errorf("opts %+v: got %v", opts, got)
		}
		if _, _, err := off.Resolve(mustParse(t, "gone")); !errors.Is(err, moniker.ErrNotFound) {
			t.Errorf("opts %+v: gone: err = %v, want not found", opts, err)
		}
	}
}

func TestOwnershipAndDomains(t *testing.T) {
	nodes := []*moniker.Node{
		{Path: "prices", Ownership: owners("gov@x", "", "")},
		{Path: "prices.equity", Binding: snowflake("q")},
		{Path: "prices.equity/AAPL", Ownership: func() moniker.Ownership {
			o := owners("", "aapl-ds@x", "")
			o[moniker.ADOP], o[moniker.ADOPName] = "adop@x", "Ada"
			return o
		}()},
		{Path: "mkt"},
		{Path: "mkt.fx", Binding: snowflake("q")},
		{Path: "quant.models", Domain: "research", Binding: snowflake("q")},
		{Path: "quant.models/var", Domain: "risk"},
		{Path: "nodomain", Binding: snowflake("q")},
	}
	domains := testDomains{
		"prices":   {Name: "prices", Owner: "dom-owner", TechCustodian: "dom-tech", HelpChannel: "#prices", WikiLink: "w"},
		"mkt":      {Name: "mkt", Owner: "mkt-owner", TechCustodian: "", HelpChannel: "#mkt"},
		"research": {Name: "research", Owner: "r-owner", TechCustodian: "r-tech", HelpChannel: "#r"},
		"risk":     {Name: "risk", Owner: "risk-owner"},
		// never used: the domain rule splits on "." (Q25 fixed)
		"prices.equity": {Name: "prices.equity", Owner: "wrong"},
	}
	s := newSnap(nodes, domains, Options{})
	ov := func(v, src string) moniker.OwnerValue { return moniker.OwnerValue{Value: v, Source: src} }
	tests := []struct {
		path   string
		domain string
		want   map[moniker.OwnerField]moniker.OwnerValue
	}{
		{"prices.equity/AAPL", "prices", map[moniker.OwnerField]moniker.OwnerValue{
			moniker.AccountableOwner: ov("gov@x", "prices"),
			moniker.DataSpecialist:   ov("aapl-ds@x", "prices.equity/AAPL"),
			moniker.SupportChannel:   ov("#prices", "domain:prices"),
			moniker.ADOP:             ov("adop@x", "prices.equity/AAPL"),
			moniker.ADOPName:         ov("Ada", "prices.equity/AAPL"),
		}},
		{"prices.equity/MSFT", "prices", map[moniker.OwnerField]moniker.OwnerValue{
			moniker.AccountableOwner: ov("gov@x", "prices"),
			moniker.DataSpecialist:   ov("dom-tech", "domain:prices"),
			moniker.SupportChannel:   ov("#prices", "domain:prices"),
		}},
		{"mkt.fx/EURUSD", "mkt", map[moniker.OwnerField]moniker.OwnerValue{
			moniker.AccountableOwner: ov("mkt-owner", "domain:mkt"),
			moniker.SupportChannel:   ov("#mkt", "domain:mkt"),
		}},
		// the nearest node's domain field wins over the root
		{"quant.models/var/X", "risk", map[moniker.OwnerField]moniker.OwnerValue{
			moniker.AccountableOwner: ov("risk-owner", "domain:risk"),
		}},
		{"quant.models/cvar", "research", map[moniker.OwnerField]moniker.OwnerValue{
			moniker.AccountableOwner: ov("r-owner", "domain:research"),
			moniker.DataSpecialist:   ov("r-tech", "domain:research"),
			moniker.SupportChannel:   ov("#r", "domain:research"),
		}},
		{"nodomain/x", "nodomain", nil},
		{"unknown.a/b", "unknown", nil},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			var want moniker.ResolvedOwnership
			for f, v := range tt.want {
				want[f] = v
			}
			if got := s.Ownership(tt.path); got != want {
				t.Errorf("Ownership:\n got %v\nwant %v", got, want)
			}
			if got := s.DomainName(tt.path); got != tt.domain {
				t.Errorf("DomainName = %q, want %q", got, tt.domain)
			}
			d := s.Domain(tt.path)
			if wantD := domains[tt.domain]; d != wantD {
				t.Errorf("Domain = %v, want %v", d, wantD)
			}
		})
	}

	// The resolve body carries the same ownership, domain sources included.
	got := resolveBody(t, s, "mkt.fx/EURUSD")
	own := got["ownership"].(map[string]any)
	if own["accountable_owner"] != "mkt-owner" || own["accountable_owner_source"] != "domain:mkt" ||
		own["data_specialist"] != nil || own["data_specialist_source"] != nil {
		t.Errorf("resolve ownership = %v", own)
	}

	// No domains: no fallback, and a typed nil counts as none.
	var nilDomains *nilDomainsT
	for _, d := range []Domains{nil, nilDomains} {
		s := newSnap(nodes, d, Options{})
		if o := s.Ownership("mkt.fx/EURUSD"); o != (moniker.ResolvedOwnership{}) {
			t.Errorf("ownership without domains = %v", o)
		}
		if s.Domain("mkt") != nil {
			t.Error("Domain without domains is not nil")
		}
	}
}

type nilDomainsT struct {
	m map[string]*moniker.DomainRecord
}

func (d *nilDomainsT) Get(name string) *moniker.DomainRecord { return d.m[name] }

// sourceCase is one binding of the source-type table (reference §6.6).
type sourceCase struct {
	typ    string
	config map[string]any
	conn   []moniker.KV // expected connection, in order
	query  any          // string or nil
	params []moniker.KV // expected source params, in order (before moniker_*)
}

// kv builds a []moniker.KV from alternating keys and values.
func kv(pairs ...any) []moniker.KV {
	var out []moniker.KV
	for i := 0; i < len(pairs); i += 2 {
		out = append(out, moniker.KV{Key: pairs[i].(string), Value: pairs[i+1]})
	}
	return out
}

func sourceCases() []sourceCase {
	return []sourceCase{
		{"snowflake", map[string]any{"account": "acc", "table": "T_{segments[0]}", "password": "pw"},
			kv("account", "acc", "warehouse", nil, "database", nil, "schema", "PUBLIC", "role", nil),
			"SELECT * FROM T_X", nil},
		{"snowflake", map[string]any{"schema": "S", "role": "R"},
			kv("account", nil, "warehouse", nil, "database", nil, "schema", "S", "role", "R"),
			nil, nil},
		{"oracle", map[string]any{"dsn": "d", "port": 1521, "query": "q {segments[0]} {version_date}", "user": "u"},
			kv("dsn", "d", "host", nil, "port", 1521, "service_name", nil),
			"q X SYSDATE", nil},
		{"mssql", map[string]any{"server": "srv", "query": "q {current_date}"},
			kv("server", "srv", "port", 1433, "database", nil, "driver", "ODBC Driver 18 for SQL Server"),
			"q CAST(GETDATE() AS DATE)", nil},
		{"rest", map[string]any{
			"base_url": "https://api", "auth_type": "bearer", "method": "POST",
			"headers":      map[string]any{"Accept": "application/json", "Authorization": "Bearer s3cret", "X-Api-Key": "k"},
			"query_params": map[string]any{"sym": "{segments[0]}", "limit": 10, "flag": true}},
			kv("base_url", "https://api", "auth_type", "bearer", "headers", map[string]any{"Accept": "application/json"}),
			"/X", kv("method", "POST", "response_path", nil, "query_params", map[string]any{"flag": true, "limit": 10, "sym": "X"})},
		{"rest", map[string]any{"base_url": "https://api", "path_template": "/v1/{segments[0]}", "response_path": "data"},
			kv("base_url", "https://api", "auth_type", "none", "headers", map[string]any{}),
			"/v1/X", kv("method", "GET", "response_path", "data")},
		{"static", map[string]any{},
			kv("base_path", "."), "X.json", kv("format", "json", "encoding", "utf-8")},
		{"static", map[string]any{"base_path": "/data", "file_pattern": "{segments[0]}.csv", "format": "csv"},
			kv("base_path", "/data"), "X.csv", kv("format", "csv", "encoding", "utf-8")},
		{"excel", map[string]any{"sheet": "S1"},
			kv("base_path", "."), "X.xlsx", kv("sheet", "S1", "header_row", 1)},
		{"bloomberg", map[string]any{},
			kv("host", "localhost", "port", 8194, "api_type", "blpapi"),
			nil, kv("fields", []any{"PX_LAST"}, "securities", "X")},
		{"bloomberg", map[string]any{"securities": []any{"A", "B"}, "fields": []any{"PX_BID"}},
			kv("host", "localhost", "port", 8194, "api_type", "blpapi"),
			nil, kv("fields", []any{"PX_BID"}, "securities", []any{"A", "B"})},
		{"refinitiv", map[string]any{"instruments": "{segments[0]}.N"},
			kv("api_type", "eikon"), nil, kv("fields", []any{}, "instruments", "X.N")},
		{"opensearch", map[string]any{"hosts": []any{"h1"}, "index": "idx", "query": `{"match":{"sym":"{segments[0]}"}}`},
			kv("hosts", []any{"h1"}, "index", "idx"), `{"match":{"sym":"X"}}`, nil},
		{"opensearch", map[string]any{},
			kv("hosts", []any{}, "index", nil), nil, nil},
		{"composite", map[string]any{"sources": []any{"a", "b"}, "label": "L {segments[0]}", "db_password": "pw",
			"table": "T_{segments[0]}", "n": 3},
			kv("label", "L X", "n", 3, "sources", []any{"a", "b"}), "T_X", nil},
		{"derived", map[string]any{"query": "Q {path}", "table": "ignored"},
			nil, "Q X", nil},
		{"postgres", map[string]any{"dsn": "postgres://h/db", "query": "select '{segments[0]}'", "api_token": "t"},
			kv("dsn", "postgres://h/db"), "select 'X'", nil},
		{"sqlite", map[string]any{"path": "demo.db"},
			kv("path", "demo.db"), nil, nil},
	}
}

func TestResolveSourceTypes(t *testing.T) {
	for i, tt := range sourceCases() {
		t.Run(fmt.Sprintf("%d-%s", i, tt.typ), func(t *testing.T) {
			node := &moniker.Node{Path: "src", Binding: &moniker.SourceBinding{
				Type: tt.typ, Config: tt.config, ReadOnly: i%2 == 0, Schema: map[string]any{"k": "v"}}}
			s := newSnap([]*moniker.Node{node}, nil, Options{})
			e, _, err := s.Resolve(mustParse(t, "src/X"))
			if err != nil {
				t.Fatal(err)
			}
			r := e.Res
			if r.SourceType != tt.typ || r.ReadOnly != (i%2 == 0) {
				t.Errorf("source_type %q read_only %v", r.SourceType, r.ReadOnly)
			}
			if !reflect.DeepEqual(r.Connection, tt.conn) && !(len(r.Connection) == 0 && len(tt.conn) == 0) {
				t.Errorf("connection:\n got %#v\nwant %#v", r.Connection, tt.conn)
			}
			var q any
			if r.HasQuery {
				q = r.Query
			}
			if q != tt.query {
				t.Errorf("query = %#v, want %#v", q, tt.query)
			}
			wantParams := append(slices.Clone(tt.params),
				moniker.KV{Key: "moniker_version", Value: nil},
				moniker.KV{Key: "moniker_revision", Value: nil},
				moniker.KV{Key: "moniker_namespace", Value: nil})
			if !reflect.DeepEqual(r.Params, wantParams) {
				t.Errorf("params:\n got %#v\nwant %#v", r.Params, wantParams)
			}
			// The body carries the same values and is valid JSON.
			got := decodeBody(t, e.Body)
			if got["schema_info"].(map[string]any)["k"] != "v" || got["read_only"] != (i%2 == 0) {
				t.Errorf("schema_info/read_only = %v/%v", got["schema_info"], got["read_only"])
			}
			if strings.Contains(string(e.Body), "pw") || strings.Contains(string(e.Body), "s3cret") {
				t.Errorf("a secret leaked into the body: %s", e.Body)
			}
		})
	}
}

func TestResolveMonikerParams(t *testing.T) {
	node := &moniker.Node{Path: "src", Binding: &moniker.SourceBinding{Type: "static", Config: map[string]any{}}}
	s := newSnap([]*moniker.Node{node}, nil, Options{CacheEnabled: true})
	tests := []struct {
		in      string
		moniker string
		want    map[string]any // the moniker_* params
	}{
		{"src/X", "moniker://src/X", map[string]any{
			"moniker_version": nil, "moniker_revision": nil, "moniker_namespace": nil}},
		{"moniker://ns@src/X@20260115/v007", "moniker://ns@src/X@20260115/v7", map[string]any{
			"moniker_version": "20260115", "moniker_revision": json.Number("7"), "moniker_namespace": "ns"}},
		{"src/X@", "moniker://src/X@", map[string]any{
			"moniker_version": "", "moniker_revision": nil, "moniker_namespace": nil}},
		{"src/X@latest?b=2&a=x%26y&b=3", "moniker://src/X@latest?b=2&a=x%26y", map[string]any{
			"moniker_version": "latest", "moniker_revision": nil, "moniker_namespace": nil,
			"moniker_params": map[string]any{"a": "x&y", "b": "2"}}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got := resolveBody(t, s, tt.in)
			if got["moniker"] != tt.moniker {
				t.Errorf("moniker = %v, want %v", got["moniker"], tt.moniker)
			}
			params := got["params"].(map[string]any)
			for _, k := range []string{"format", "encoding"} {
				delete(params, k)
			}
			if !reflect.DeepEqual(params, tt.want) {
				t.Errorf("params = %v, want %v", params, tt.want)
			}
		})
	}
}

// bodyKeys returns the keys of a JSON object in order: of the body, or of
// the object under key in it.
func bodyKeys(t *testing.T, body []byte, key ...string) []string {
	t.Helper()
	raw := json.RawMessage(body)
	if len(key) > 0 {
		var doc map[string]json.RawMessage
		if err := json.Unmarshal(body, &doc); err != nil {
			t.Fatal(err)
		}
		raw = doc[key[0]]
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not an object: %s", raw)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		keys = append(keys, tok.(string))
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

func TestResolveKeyOrder(t *testing.T) {
	s := newSnap(hierarchyNodes(), nil, Options{})
	e, _, err := s.Resolve(mustParse(t, "prices.equity/AAPL@20260115"))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"moniker", "path", "source_type", "connection", "query", "params", "schema_info",
		"read_only", "ownership", "binding_path", "sub_path", "status", "deprecation_message", "successor",
		"sunset_deadline", "migration_guide_url", "redirected_from", "cache_ttl_hint"}
	if got := bodyKeys(t, e.Body); !slices.Equal(got, want) {
		t.Errorf("keys = %v\nwant %v", got, want)
	}
	wantOwn := []string{"accountable_owner", "accountable_owner_source", "data_specialist", "data_specialist_source",
		"support_channel", "support_channel_source", "adop", "adop_source", "adop_name", "adop_name_source",
		"ads", "ads_source", "ads_name", "ads_name_source", "adal", "adal_source", "adal_name", "adal_name_source"}
	if got := bodyKeys(t, e.Body, "ownership"); !slices.Equal(got, wantOwn) {
		t.Errorf("ownership keys = %v\nwant %v", got, wantOwn)
	}
	if got := bodyKeys(t, e.Body, "connection"); !slices.Equal(got, []string{"account", "warehouse", "database", "schema", "role"}) {
		t.Errorf("connection keys = %v", got)
	}
	if got := bodyKeys(t, e.Body, "params"); !slices.Equal(got, []string{"moniker_version", "moniker_revision", "moniker_namespace"}) {
		t.Errorf("params keys = %v", got)
	}
}

func TestCacheTTLHint(t *testing.T) {
	tests := []struct {
		ttl  time.Duration
		want json.Number
	}{{0, "300"}, {60 * time.Second, "60"}, {1500 * time.Millisecond, "2"}}
	for _, tt := range tests {
		s := newSnap(hierarchyNodes(), nil, Options{CacheTTL: tt.ttl})
		if got := resolveBody(t, s, "ref/x")["cache_ttl_hint"]; got != tt.want {
			t.Errorf("ttl %v: cache_ttl_hint = %v, want %v", tt.ttl, got, tt.want)
		}
	}
}

func TestRESTDateUsesClock(t *testing.T) {
	node := &moniker.Node{Path: "fx", Binding: &moniker.SourceBinding{Type: "rest", Config: map[string]any{
		"base_url": "u", "path_template": "/{segments[0]}/{current_date}/{version_date}"}}}
	clock := &fixedClock{t: time.Date(2026, 3, 31, 23, 0, 0, 0, time.UTC)}
	s := newSnap([]*moniker.Node{node}, nil, Options{Now: clock.now})
	if got := resolveBody(t, s, "fx/EURUSD@1M")["query"]; got != "/EURUSD/2026-03-31/2026-02-28" {
		t.Errorf("query = %v", got)
	}
}
