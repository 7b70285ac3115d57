package catalog

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/source"
)

// comparable returns a copy of n without the fields that say where it
// was loaded from.
func comparableNode(n *moniker.Node) moniker.Node {
	c := *n
	c.File, c.Line, c.Index = "", 0, 0
	return c
}

// reload marshals n alone and loads the text back.
func reload(t *testing.T, n *moniker.Node) (*moniker.Node, string) {
	t.Helper()
	text := string(MarshalNode(nil, n))
	cat, _, err := LoadBytes("node.yaml", []byte(text))
	if err != nil {
		t.Fatalf("node %q: the marshalled text does not load: %v\n%s", n.Path, err, text)
	}
	if cat.Len() != 1 {
		t.Fatalf("node %q: the marshalled text loads as %d nodes\n%s", n.Path, cat.Len(), text)
	}
	return cat.Nodes()[0], text
}

func diffMarshalled(a, b moniker.Node) string {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	var out []string
	for i := range va.NumField() {
		if !reflect.DeepEqual(va.Field(i).Interface(), vb.Field(i).Interface()) {
			out = append(out, fmt.Sprintf("%s: %#v != %#v", va.Type().Field(i).Name, va.Field(i).Interface(), vb.Field(i).Interface()))
		}
	}
	return strings.Join(out, "\n")
}

// TestMarshalNodeSamples: every node of our test catalog and of every
// compat catalog reads back equal from its marshalled text, alone and as
// a whole re-written file.
func TestMarshalNodeSamples(t *testing.T) {
	fixtures.ForEach(t, "catalog.yaml", "sample_catalog.yaml", func(t *testing.T, path string) {
		cat, _, err := Load(path)
		if err != nil {
			t.Fatal(err)
		}
		var all []byte
		for _, n := range cat.Nodes() {
			got, text := reload(t, n)
			if d := diffMarshalled(comparableNode(got), comparableNode(n)); d != "" {
				t.Errorf("node %q does not round-trip:\n%s\ntext:\n%s", n.Path, d, text)
			}
			all = MarshalNode(all, n)
		}
		again, _, err := LoadBytes("all.yaml", all)
		if err != nil {
			t.Fatal(err)
		}
		if again.Len() != cat.Len() {
			t.Fatalf("%d nodes, want %d", again.Len(), cat.Len())
		}
		for i, n := range cat.Nodes() {
			if d := diffMarshalled(comparableNode(again.Nodes()[i]), comparableNode(n)); d != "" {
				t.Errorf("node %q differs after rewriting the file:\n%s", n.Path, d)
			}
		}
	})
}

func TestMarshalNodeText(t *testing.T) {
	score := 0.95
	tests := []struct {
		name string
		node *moniker.Node
		want string
	}{
		{"empty", &moniker.Node{Path: "a/b"}, "a/b: {}\n"},
		{"quoted key", &moniker.Node{Path: "yes"}, "\"yes\": {}\n"},
		{"number key", &moniker.Node{Path: "007"}, "\"007\": {}\n"},
		{"indicator key", &moniker.Node{Path: "#x", Description: "d"}, "'#x':\n  description: d\n"},
		{
			"order and defaults",
			&moniker.Node{
				Path: "prices.equity", DisplayName: "Equity Prices", Description: "Daily closes",
				Domain:    "prices",
				Ownership: moniker.Ownership{moniker.AccountableOwner: "a@firm.com", moniker.SupportChannel: "#prices", moniker.UI: "https://ui.example/p"},
				Binding: &moniker.SourceBinding{Type: "snowflake", ReadOnly: true, Config: map[string]any{
					"query":    "SELECT *\nFROM PRICES\nWHERE sym = '{segments[0]}'\n",
					"database": "MD", "port": 1433, "ratio": 2.0,
				}, Cache: &moniker.BindingCache{Enabled: true, TTLSeconds: 3600, RefreshIntervalSeconds: 60, RefreshOnStartup: true}},
				DataQuality:  &moniker.DataQuality{QualityScore: &score, ValidationRules: []string{}},
				AccessPolicy: &moniker.AccessPolicy{MinFilters: 1, BaseRowCount: 100, BlockedPatterns: []string{".*"}},
				Tags:         []string{"equity", "prices"},
				Metadata:     map[string]any{},
				Status:       moniker.StatusDeprecated, Successor: "prices.equity2", SunsetDeadline: "2026-06-30",
				Extra: map[string]any{"vendor": "Acme", "created_at": nil},
			},
			`prices.equity:
  display_name: Equity Prices
  description: Daily closes
  domain: prices
  ownership:
    accountable_owner: a@firm.com
    support_channel: '#prices'
    ui: https://ui.example/p
  source_binding:
    type: snowflake
    config:
      database: MD
      port: 1433
      query: |
        SELECT *
        FROM PRICES
        WHERE sym = '{segments[0]}'
      ratio: 2.0
    cache:
      enabled: true
      refresh_interval_seconds: 60
  data_quality:
    quality_score: 0.95
    validation_rules: []
  access_policy:
    min_filters: 1
    blocked_patterns: [.*]
  tags: [equity, prices]
  metadata: {}
  status: deprecated
  successor: prices.equity2
  sunset_deadline: "2026-06-30"
  created_at: null
  vendor: Acme
`,
		},
		{
			"strings",
			&moniker.Node{Path: "s", Description: "line one\nline two", DisplayName: "trailing \nspace",
				Classification: "yes", Domain: "1:20", DeprecationMessage: "tab\x01ctl"},
			"s:\n  display_name: \"trailing \\nspace\"\n  description: |-\n    line one\n    line two\n  domain: \"1:20\"\n  classification: \"yes\"\n  deprecation_message: \"tab\\x01ctl\"\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(MarshalNode([]byte("prefix\n"), tt.node))
			if got != "prefix\n"+tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", got, tt.want)
			}
			back, _ := reload(t, tt.node)
			if d := diffMarshalled(comparableNode(back), comparableNode(tt.node)); d != "" {
				t.Errorf("round trip:\n%s", d)
			}
		})
	}
}

// trickyStrings are strings YAML easily gets wrong.
var trickyStrings = []string{
	"", " ", "a", "007", "1e3", "1_000", "0x1F", "0o17", ".5", "-.inf", ".nan", "true", "False", "yes", "No", "on",
	"OFF", "y", "n", "~", "null", "Null", "2026-06-30", "2026-06-30T10:00:00Z", "1:20", "190:20:30.15", "<<", "=",
	"#comment", "a #b", "a#b", "key: value", "a:b", "- item", "-", "--", "---", "...", "? q", "[x]", "{y}", "a, b",
	"'single'", "\"double\"", "it's", "back\\slash", "%percent", "@at", "`tick`", "!tag", "&anchor", "*alias", "|", ">",
	" leading", "trailing ", "\ttab", "mid\ttab", "line\nbreak", "trail\n", "two\n\n", "\nlead", "a\n b\n  c",
	"sp \nx", "x\n \ny", "cr\r\nlf", "nel\u0085x", "ls\u2028x", "bom\ufeffx", "nul\x00x", "bell\x07", "del\x7f",
	"ünïcödé", "日本語", "emoji 😀", "SELECT *\nFROM T\nWHERE a = '{segments[0]}'\n", strings.Repeat("long ", 60),
	strings.Repeat("x", 200), "{segments[0]}", "a: {b: c}", "%YAML", "é\n  è",
}

type nodeGen struct{ r *rand.Rand }

func (g nodeGen) str() string {
	switch g.r.IntN(4) {
	case 0:
		// A random mix of tricky pieces.
		var b strings.Builder
		for range 1 + g.r.IntN(3) {
			b.WriteString(trickyStrings[g.r.IntN(len(trickyStrings))])
		}
		return b.String()
	case 1:
		// Random runes, control characters included.
		rs := make([]rune, g.r.IntN(12))
		for i := range rs {
			switch g.r.IntN(5) {
			case 0:
				rs[i] = rune(g.r.IntN(0x20))
			case 1:
				rs[i] = rune(0x80 + g.r.IntN(0x800))
			default:
				rs[i] = rune(0x20 + g.r.IntN(0x5f))
			}
		}
		return string(rs)
	}
	return trickyStrings[g.r.IntN(len(trickyStrings))]
}

// text returns "" (unset) half of the time.
func (g nodeGen) text() string {
	if g.r.IntN(2) == 0 {
		return ""
	}
	return g.str()
}

// strs returns nil, an empty list or some strings.
func (g nodeGen) strs(allowEmpty bool) []string {
	switch g.r.IntN(3) {
	case 0:
		return nil
	case 1:
		if allowEmpty {
			return []string{}
		}
	}
	out := make([]string, 1+g.r.IntN(3))
	for i := range out {
		out[i] = g.str()
	}
	return out
}

func (g nodeGen) int64() int64 {
	switch g.r.IntN(4) {
	case 0:
		return 0
	case 1:
		return g.r.Int64() - math.MaxInt64/2
	}
	return int64(g.r.IntN(2000)) - 100
}

func (g nodeGen) float() float64 {
	switch g.r.IntN(6) {
	case 0:
		return math.Inf(1 - 2*g.r.IntN(2))
	case 1:
		return float64(g.r.IntN(1000)) // integral
	case 2:
		return g.r.NormFloat64() * 1e25
	case 3:
		return math.Copysign(0, -1)
	}
	return g.r.NormFloat64()
}

// value returns a free-form value of the kinds the loader produces.
func (g nodeGen) value(depth int) any {
	k := g.r.IntN(9)
	if depth > 2 && k >= 7 {
		k = 0
	}
	switch k {
	case 0:
		return g.str()
	case 1:
		return nil
	case 2:
		return g.r.IntN(2) == 0
	case 3:
		return int(g.int64())
	case 4:
		return g.float()
	case 5:
		return uint64(math.MaxInt64) + 1 + g.r.Uint64N(1000)
	case 6:
		return g.str()
	case 7:
		out := make([]any, g.r.IntN(4))
		for i := range out {
			out[i] = g.value(depth + 1)
		}
		return out
	}
	return g.freeMap(depth + 1)
}

func (g nodeGen) freeMap(depth int) map[string]any {
	m := make(map[string]any)
	for range g.r.IntN(4) {
		m[g.str()] = g.value(depth)
	}
	return m
}

func (g nodeGen) maybe() bool { return g.r.IntN(2) == 0 }

// node returns a random node of the kind Load produces.
func (g nodeGen) node() *moniker.Node {
	n := &moniker.Node{Path: g.str()}
	if p := strings.Trim(n.Path, "/"); p != n.Path || p == "" {
		n.Path = "p" + p + "q"
	}
	n.DisplayName, n.Description, n.Domain = g.text(), g.text(), g.text()
	for f := range moniker.NumOwnerFields {
		if g.r.IntN(3) == 0 {
			n.Ownership[f] = g.str()
		}
	}
	if g.maybe() {
		types := source.Names()
		b := &moniker.SourceBinding{Type: types[g.r.IntN(len(types))], ReadOnly: g.maybe()}
		if g.maybe() {
			b.Config = g.freeMap(0)
		}
		// The keys the type's adapter needs (the loader refuses a
		// binding without them).
		for _, k := range source.Lookup(b.Type).MissingConfig(b.Config) {
			if b.Config == nil {
				b.Config = map[string]any{}
			}
			b.Config[k] = "v"
		}
		if g.maybe() {
			b.Schema = g.value(0)
		}
		b.AllowedOperations = g.strs(true)
		if g.maybe() {
			b.Cache = &moniker.BindingCache{Enabled: g.maybe(), TTLSeconds: int(g.int64()), RefreshIntervalSeconds: g.r.IntN(1200), RefreshOnStartup: g.maybe()}
		}
		n.Binding = b
	}
	if g.maybe() {
		d := &moniker.DataQuality{DQOwner: g.text(), ValidationRules: g.strs(true), KnownIssues: g.strs(true), LastValidated: g.text()}
		if g.maybe() {
			f := g.float()
			d.QualityScore = &f
		}
		n.DataQuality = d
	}
	if g.maybe() {
		n.SLA = &moniker.SLA{Freshness: g.text(), Availability: g.text(), SupportHours: g.text(), EscalationContact: g.text()}
	}
	if g.maybe() {
		n.Freshness = &moniker.Freshness{LastLoaded: g.text(), RefreshSchedule: g.text(), SourceSystem: g.text(), UpstreamDependencies: g.strs(true)}
	}
	if g.maybe() {
		s := &moniker.NodeSchema{Description: g.text(), SemanticTags: g.strs(true), PrimaryKey: g.strs(true),
			UseCases: g.strs(true), Examples: g.strs(true), RelatedMonikers: g.strs(true), Granularity: g.text(),
			UpdateFrequency: g.text()}
		if g.maybe() {
			s.TypicalRowCount = g.value(0)
		}
		if g.maybe() {
			s.Columns = []moniker.Column{}
			for range g.r.IntN(3) {
				c := moniker.Column{Name: "c" + g.str(), Type: "string", Description: g.text(), SemanticType: g.text(),
					Nullable: g.maybe(), PrimaryKey: g.maybe(), ForeignKey: g.text()}
				if g.maybe() {
					c.Type = "t" + g.str()
				}
				if g.maybe() {
					c.Example = g.value(1)
				}
				s.Columns = append(s.Columns, c)
			}
		}
		n.Schema = s
	}
	if g.maybe() {
		p := &moniker.AccessPolicy{MinFilters: g.r.IntN(3), MaxRowsWarn: g.int64(), MaxRowsBlock: g.int64(),
			BaseRowCount: 100, RequireConfirmationAbove: g.int64(), DenialMessage: g.text(), AllowedRoles: g.strs(true)}
		if g.maybe() {
			p.BaseRowCount = g.int64()
		}
		if g.maybe() {
			p.RequiredSegments = []int{g.r.IntN(4), g.r.IntN(4)}
		}
		if g.maybe() {
			p.BlockedPatterns = []string{"^ALL$", ".*/x", `a\.b`}[:1+g.r.IntN(3)]
		}
		if g.maybe() {
			p.CardinalityMultipliers = []int64{}
			for range g.r.IntN(3) {
				p.CardinalityMultipliers = append(p.CardinalityMultipliers, g.int64())
			}
		}
		if g.maybe() {
			p.AllowedHours = []any{g.value(2), g.value(2)}
		}
		n.AccessPolicy = p
	}
	if g.maybe() {
		d := &moniker.Documentation{Glossary: g.text(), Runbook: g.text(), Onboarding: g.text(), DataDictionary: g.text(),
			APIDocs: g.text(), Architecture: g.text(), Changelog: g.text(), Contact: g.text()}
		if g.maybe() {
			d.Additional = map[string]string{}
			for range g.r.IntN(3) {
				d.Additional[g.str()] = g.str()
			}
		}
		n.Documentation = d
	}
	n.Classification = g.text()
	if tags := g.strs(false); len(tags) > 0 {
		slices.Sort(tags)
		n.Tags = slices.Compact(tags)
	}
	if g.maybe() {
		n.Metadata = g.freeMap(0)
	}
	if g.maybe() {
		n.Status = moniker.Statuses[g.r.IntN(len(moniker.Statuses))]
	}
	n.DeprecationMessage, n.Successor, n.SunsetDeadline, n.MigrationGuideURL = g.text(), g.text(), g.text(), g.text()
	if g.maybe() {
		n.Extra = map[string]any{}
		for _, f := range moniker.NodeFields() {
			if f.Kind == moniker.KindExtra && g.r.IntN(3) == 0 {
				n.Extra[f.Key] = g.value(0)
			}
		}
		if len(n.Extra) == 0 {
			n.Extra = nil // the loader makes Extra only for a key it keeps
		}
	}
	return n
}

// TestMarshalNodeRandom: random nodes with hostile strings and values
// read back equal, alone and together in one file.
func TestMarshalNodeRandom(t *testing.T) {
	iterations := 1000
	if testing.Short() {
		iterations = 200
	}
	g := nodeGen{rand.New(rand.NewPCG(1, 2))}
	var all []byte
	var nodes []*moniker.Node
	seen := map[string]bool{}
	for i := range iterations {
		n := g.node()
		back, text := reload(t, n)
		if d := diffMarshalled(comparableNode(back), comparableNode(n)); d != "" {
			t.Fatalf("iteration %d: node does not round-trip:\n%s\ntext:\n%s", i, d, text)
		}
		if again := string(MarshalNode(nil, back)); again != text {
			t.Fatalf("iteration %d: not deterministic:\n%s\nthen\n%s", i, text, again)
		}
		if !seen[n.Path] {
			seen[n.Path] = true
			nodes = append(nodes, n)
			all = MarshalNode(all, n)
		}
	}
	cat, _, err := LoadBytes("all.yaml", all)
	if err != nil {
		t.Fatal(err)
	}
	if cat.Len() != len(nodes) {
		t.Fatalf("%d nodes read back, want %d", cat.Len(), len(nodes))
	}
	for i, n := range nodes {
		if d := diffMarshalled(comparableNode(cat.Nodes()[i]), comparableNode(n)); d != "" {
			t.Fatalf("node %q differs in the combined file:\n%s", n.Path, d)
		}
	}
	if err := os.WriteFile(t.TempDir()+"/all.yaml", all, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestMarshalNodeInvalidUTF8: invalid UTF-8 becomes U+FFFD instead of
// breaking the file.
func TestMarshalNodeInvalidUTF8(t *testing.T) {
	n := &moniker.Node{Path: "a", Description: "bad\xffbyte", Metadata: map[string]any{"k\xfe": "v"}}
	back, _ := reload(t, n)
	if back.Description != "bad\uFFFDbyte" || back.Metadata["k\uFFFD"] != "v" {
		t.Errorf("got %q %v", back.Description, back.Metadata)
	}
}

// TestMarshalNodeExtraCannotShadow: an Extra key naming a modelled field
// is not written twice.
func TestMarshalNodeExtraCannotShadow(t *testing.T) {
	n := &moniker.Node{Path: "a", Description: "real", Extra: map[string]any{"description": "shadow", "vendor": "v"}}
	back, text := reload(t, n)
	if back.Description != "real" || strings.Count(text, "description") != 1 || back.Extra["vendor"] != "v" {
		t.Errorf("text:\n%s", text)
	}
}

func FuzzMarshalNode(f *testing.F) {
	f.Add(uint64(1), uint64(2))
	f.Add(uint64(42), uint64(7))
	f.Fuzz(func(t *testing.T, a, b uint64) {
		n := nodeGen{rand.New(rand.NewPCG(a, b))}.node()
		back, text := reload(t, n)
		if d := diffMarshalled(comparableNode(back), comparableNode(n)); d != "" {
			t.Fatalf("node does not round-trip:\n%s\ntext:\n%s", d, text)
		}
	})
}

func BenchmarkMarshalNode(b *testing.B) {
	cat, _, err := Load(fixtures.File(b, "catalog.yaml"))
	if err != nil {
		b.Fatal(err)
	}
	nodes := cat.Nodes()
	b.ReportAllocs()
	var buf []byte
	for i := 0; b.Loop(); i++ {
		buf = MarshalNode(buf[:0], nodes[i%len(nodes)])
	}
}
