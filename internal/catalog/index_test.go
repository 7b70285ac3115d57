package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/catalog/gen"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
)

func paths(nodes []*moniker.Node) []string {
	out := make([]string, len(nodes))
	for i, n := range nodes {
		out[i] = n.Path
	}
	return out
}

func newCatalog(ps ...string) *Catalog {
	nodes := make([]*moniker.Node, len(ps))
	for i, p := range ps {
		nodes[i] = &moniker.Node{Path: p}
	}
	return New(nodes)
}

func TestChildren(t *testing.T) {
	f, _ := mustLoad(t, fixtures.File(t, "catalog.yaml"))
	c := newCatalog("a", "a/C", "a/a", "a/B", "a.x", "x/y/z", "x", "p.q/r", "é/b", "é/A")
	tests := []struct {
		cat       *Catalog
		path      string
		children  []string
		childName []string
	}{
		{f, "reports", []string{"reports.client", "reports.daily", "reports.regulatory", "reports/regulatory"},
			[]string{"regulatory", "reports.client", "reports.daily", "reports.regulatory"}},
		{f, "prices", []string{"prices.equity", "prices.fixed_income", "prices.fx"}, []string{"prices.equity", "prices.fixed_income", "prices.fx"}},
		{f, "nope", nil, nil},
		{c, "a", []string{"a.x", "a/a", "a/B", "a/C"}, []string{"B", "C", "a", "a.x"}},
		{c, "", []string{"a", "x"}, []string{"a", "x"}},
		{c, "x", nil, nil},                           // x/y is not a node: x/y/z is an orphan
		{c, "x/y", []string{"x/y/z"}, []string{"z"}}, // ... reachable only under its virtual parent
		{c, "p", nil, nil},                           // p.q/r's parent is p.q, not p
		{c, "p.q", []string{"p.q/r"}, []string{"r"}},
		{c, "é", []string{"é/A", "é/b"}, []string{"A", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			if got := paths(tt.cat.Children(tt.path)); !slices.Equal(got, tt.children) && !(len(got) == 0 && len(tt.children) == 0) {
				t.Errorf("Children = %v, want %v", got, tt.children)
			}
			if got := tt.cat.ChildNames(tt.path); !slices.Equal(got, tt.childName) && !(len(got) == 0 && len(tt.childName) == 0) {
				t.Errorf("ChildNames = %v, want %v", got, tt.childName)
			}
		})
	}
	if got := paths(c.Roots()); !slices.Equal(got, []string{"a", "x"}) {
		t.Errorf("Roots = %v", got)
	}
}

func statusCatalog() *Catalog {
	var nodes []*moniker.Node
	for i := range 30 {
		n := &moniker.Node{Path: fmt.Sprintf("n%02d", 29-i)}
		switch i % 3 {
		case 1:
			n.Status = moniker.StatusDeprecated
		case 2:
			n.Status = moniker.StatusActive
		}
		nodes = append(nodes, n)
	}
	return New(nodes)
}

func TestPage(t *testing.T) {
	f, _ := mustLoad(t, fixtures.File(t, "catalog.yaml"))
	want := paths(f.Nodes())
	sort.Strings(want)
	var got []string
	cursor := ""
	for range 100 {
		page, next := f.Page(cursor, 10, "")
		got = append(got, page...)
		if next == "" {
			if len(page) == 10 {
				t.Fatal("full page without a next cursor")
			}
			break
		}
		if next != page[len(page)-1] {
			t.Fatalf("next %q is not the page's last path", next)
		}
		cursor = next
	}
	if !slices.Equal(got, want) {
		t.Errorf("paged = %v\nwant %v", got, want)
	}
	// 62 paths: the 7th page is exactly the last 2, no next cursor.
	if page, next := f.Page(want[59], 10, ""); !slices.Equal(page, want[60:]) || next != "" {
		t.Errorf("last page %v next %q", page, next)
	}
	// Exactly limit left: next cursor set, then an empty page.
	if page, next := f.Page(want[51], 10, ""); len(page) != 10 || next != want[61] {
		t.Errorf("page %v next %q", page, next)
	}
	if page, next := f.Page(want[61], 10, ""); len(page) != 0 || next != "" || page == nil {
		t.Errorf("after the end: %v %q", page, next)
	}
	// A cursor that is not a path starts at the next greater path.
	if page, _ := f.Page("reports.d", 2, ""); !slices.Equal(page, []string{"reports.daily", "reports.regulatory"}) {
		t.Errorf("between cursor: %v", page)
	}

	s := statusCatalog()
	tests := []struct {
		status moniker.Status
		cursor string
		limit  int
		want   []string
		next   string
	}{
		{moniker.StatusDeprecated, "", 3, []string{"n01", "n04", "n07"}, "n07"},
		{moniker.StatusDeprecated, "n07", 100, []string{"n10", "n13", "n16", "n19", "n22", "n25", "n28"}, ""},
		{moniker.StatusActive, "n25", 3, []string{"n26", "n27", "n29"}, "n29"},
		{moniker.StatusArchived, "", 3, []string{}, ""},
		{"", "n27", 5, []string{"n28", "n29"}, ""},
		{"", "", 0, []string{}, ""},
	}
	for _, tt := range tests {
		page, next := s.Page(tt.cursor, tt.limit, tt.status)
		if !slices.Equal(page, tt.want) || next != tt.next {
			t.Errorf("Page(%q, %d, %q) = %v %q, want %v %q", tt.cursor, tt.limit, tt.status, page, next, tt.want, tt.next)
		}
	}
}

func TestStats(t *testing.T) {
	f, _ := mustLoad(t, fixtures.File(t, "catalog.yaml"))
	got, err := json.Marshal(f.Stats())
	if err != nil {
		t.Fatal(err)
	}
	// Reference §3.10's shape and order: source types by count, ties in
	// first-seen order.
	want := `{"total_monikers":62,"by_status":{"active":60,"deprecated":2},` +
		`"by_source_type":{"snowflake":16,"rest":5,"excel":4,"static":4,"oracle":2,"mssql":2,"bloomberg":1,"refinitiv":1,` +
		`"yfinance":1,"postgres":1,"mysql":1,"composite":1,"fred":1,"sqlite":1,"derived":1,"opensearch":1},` +
		`"by_classification":{"internal":54,"confidential":6,"restricted":2},` +
		`"ownership_coverage":{"has_ownership":16,"has_governance_roles":3,"coverage_percent":25.8}}`
	if string(got) != want {
		t.Errorf("stats\n got %s\nwant %s", got, want)
	}
	counts, _ := json.Marshal(f.StatusCounts())
	if string(counts) != `{"active":60,"deprecated":2,"total":62}` {
		t.Errorf("status counts %s", counts)
	}
	s := statusCatalog()
	if c := s.StatusCounts(); c.Get("deprecated") != 10 || c.Get("active") != 20 || c.Get("total") != 30 || c[len(c)-1].Key != "total" {
		t.Errorf("status counts %v", c)
	}
	empty := New(nil).Stats()
	if empty.Total != 0 || empty.CoveragePercent != 0 {
		t.Errorf("empty stats %+v", empty)
	}
	if b, _ := json.Marshal(empty); !bytes.Contains(b, []byte(`"by_status":{}`)) {
		t.Errorf("empty stats json %s", b)
	}
}

// TestStatsCompat: the statistics of the f206ffd sample are reference
// §3.10's, byte for byte.
func TestStatsCompat(t *testing.T) {
	f, _ := mustLoad(t, fixtures.Compat(t, "f206ffd", "sample_catalog.yaml"))
	got, err := json.Marshal(f.Stats())
	if err != nil {
		t.Fatal(err)
	}
	want := `{"total_monikers":62,"by_status":{"active":62},` +
		`"by_source_type":{"snowflake":23,"rest":7,"excel":4,"static":4,"oracle":2,"mssql":2,"opensearch":1},` +
		`"by_classification":{"internal":54,"confidential":6,"restricted":2},` +
		`"ownership_coverage":{"has_ownership":17,"has_governance_roles":3,"coverage_percent":27.4}}`
	if string(got) != want {
		t.Errorf("stats\n got %s\nwant %s", got, want)
	}
}

func TestSearchSample(t *testing.T) {
	f, _ := mustLoad(t, fixtures.File(t, "catalog.yaml"))
	tests := []struct {
		q      string
		status moniker.Status
		limit  int
		want   []string
	}{
		{"treasury", "", 50, []string{"fixed_income/govies/treasury"}},
		{"TREASURY", "", 50, []string{"fixed_income/govies/treasury"}},
		{"treasury", moniker.StatusDeprecated, 50, nil},
		{"index", moniker.StatusDeprecated, 50, []string{"benchmarks.constituents_all"}},
		{"", "", 3, []string{"benchmarks", "benchmarks.constituents", "benchmarks.constituents_all"}},
		{"nav", "", 2, []string{"nav", "nav.estimated"}},
		{"zzzz", "", 50, nil},
	}
	for _, tt := range tests {
		if got := paths(f.Search(tt.q, tt.status, tt.limit)); !slices.Equal(got, tt.want) && !(len(got) == 0 && len(tt.want) == 0) {
			t.Errorf("Search(%q, %q, %d) = %v, want %v", tt.q, tt.status, tt.limit, got, tt.want)
		}
	}
}

// scanSearch is the reference implementation the index must agree with.
func scanSearch(c *Catalog, q string, status moniker.Status, limit int) []*moniker.Node {
	var out []*moniker.Node
	lq := strings.ToLower(q)
	for _, n := range c.nodes {
		if len(out) == limit {
			break
		}
		if status != "" && n.EffectiveStatus() != status {
			continue
		}
		hay := append([]string{n.Path, n.DisplayName, n.Description}, n.Tags...)
		for _, h := range hay {
			if strings.Contains(strings.ToLower(h), lq) {
				out = append(out, n)
				break
			}
		}
	}
	return out
}

func generated(t testing.TB, nodes int) *Catalog {
	t.Helper()
	var b bytes.Buffer
	if err := gen.Write(&b, gen.Options{Nodes: nodes, Seed: 7}); err != nil {
		t.Fatal(err)
	}
	c, _, err := LoadBytes("gen.yaml", b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestSearchIndexMatchesScan(t *testing.T) {
	c := generated(t, 3000)
	// Nodes the generator does not make: non-ASCII, one-letter fields.
	extra := []*moniker.Node{
		{Path: "x", Description: "Café Ünïcode ÄÖ", Tags: []string{"Ω"}},
		{Path: "İstanbul/a", DisplayName: "q"},
	}
	nodes := append(slices.Clone(c.Nodes()), extra...)
	c = New(nodes)
	if c.search == nil {
		t.Fatal("no index built")
	}
	queries := []string{
		"", "a", "q", "Z", ".", "/", "ab", "ex", "s/", "é", "ü", "ω", "café", "ÜNÏ", "istanbul", "i̇stanbul",
		"treasury", "desk a x", "prices1.equity", "records for", "golden source", "zzzz", "x y z",
		"risk0", "/desk_a/", "gold", "deprecated", "eod", "snapshot_x", "DESK_A_X",
	}
	rnd := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		n := nodes[rnd.IntN(len(nodes))]
		hay := []string{n.Path, n.DisplayName, n.Description}
		h := hay[rnd.IntN(len(hay))]
		if h == "" {
			continue
		}
		i := rnd.IntN(len(h))
		j := min(len(h), i+1+rnd.IntN(8))
		queries = append(queries, h[i:j])
	}
	for _, q := range queries {
		for _, st := range []moniker.Status{"", moniker.StatusActive, moniker.StatusDeprecated, moniker.StatusDraft} {
			for _, limit := range []int{1, 7, 200, 5000} {
				got, want := paths(c.Search(q, st, limit)), paths(scanSearch(c, q, st, limit))
				if !slices.Equal(got, want) {
					t.Fatalf("Search(%q, %q, %d):\n got %v\nwant %v", q, st, limit, got, want)
				}
			}
		}
	}
	if got := c.Search("a", "", 0); got != nil {
		t.Errorf("limit 0 = %v", paths(got))
	}
}

// FuzzSearch checks the n-gram index against a scan for any query.
func FuzzSearch(f *testing.F) {
	c := generated(f, 1000)
	c = New(append(slices.Clone(c.Nodes()), &moniker.Node{Path: "ünï/ß", Description: "ÀÉ ǅ"}))
	for _, s := range []string{"a", "ab", "abc", "desk", "ß", "Ǆ", "ǆ", "É", "/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, q string) {
		got, want := paths(c.Search(q, "", 20)), paths(scanSearch(c, q, "", 20))
		if !slices.Equal(got, want) {
			t.Fatalf("Search(%q) = %v, want %v", q, got, want)
		}
	})
}
