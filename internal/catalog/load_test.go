package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/catalog/gen"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

func mustLoad(t *testing.T, path string) (*Catalog, []Warning) {
	t.Helper()
	c, w, err := Load(path)
	if err != nil {
		t.Fatalf("Load(%s): %v", path, err)
	}
	return c, w
}

// sampleCatalog returns our test catalog for "testdata", else the
// catalog of a compat generation.
func sampleCatalog(t testing.TB, version string) string {
	t.Helper()
	if version == "testdata" {
		return fixtures.File(t, "catalog.yaml")
	}
	return fixtures.Compat(t, version, "sample_catalog.yaml")
}

// TestLoadSampleCatalogs loads our test catalog and every compat catalog.
func TestLoadSampleCatalogs(t *testing.T) {
	tests := []struct {
		version      string
		nodes, bound int
		roots        int
		wantWarnings int
		wantFirst    string
	}{
		{"testdata", 62, 43, 13, 0, "benchmarks"},
		{"f206ffd", 62, 43, 13, 0, "benchmarks"},
		{"head", 81, 62, 12, 0, "benchmarks"},
		{"6c1a393", 49, 30, 13, 0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.version, func(t *testing.T) {
			c, warns := mustLoad(t, sampleCatalog(t, tt.version))
			if len(warns) != tt.wantWarnings {
				t.Errorf("warnings = %v", warns)
			}
			bound := 0
			for i, n := range c.Nodes() {
				if n.Binding != nil {
					bound++
				}
				if n.Index != i {
					t.Fatalf("node %q has Index %d at position %d", n.Path, n.Index, i)
				}
				if c.Get(n.Path) != n {
					t.Fatalf("Get(%q) is not the node", n.Path)
				}
			}
			if c.Len() != tt.nodes || bound != tt.bound || len(c.Roots()) != tt.roots {
				t.Errorf("nodes %d bound %d roots %d, want %d %d %d", c.Len(), bound, len(c.Roots()), tt.nodes, tt.bound, tt.roots)
			}
			if tt.wantFirst != "" && c.Nodes()[0].Path != tt.wantFirst {
				t.Errorf("first node %q", c.Nodes()[0].Path)
			}
			if len(c.Version()) != 12 || c.LoadedAt().IsZero() || len(c.Files()) != 1 {
				t.Errorf("version %q loadedAt %v files %v", c.Version(), c.LoadedAt(), c.Files())
			}
		})
	}
}

// TestLoadSampleDetails checks details of our test catalog: roots,
// repeated keys, the serializer's quoting, caches, schemas, policies,
// ownership, and the byte spans of entries.
func TestLoadSampleDetails(t *testing.T) {
	path := fixtures.File(t, "catalog.yaml")
	c, _ := mustLoad(t, path)

	var roots []string
	for _, n := range c.Roots() {
		roots = append(roots, n.Path)
	}
	wantRoots := []string{"benchmarks", "commodities", "credit", "fixed_income", "flows", "nav",
		"portfolios", "prices", "rates", "reference", "reports", "risk", "securities"}
	if !slices.Equal(roots, wantRoots) {
		t.Errorf("roots = %v", roots)
	}

	// Duplicate keys: the later entry wins, at the earlier one's position.
	red := c.Get("flows.redemptions")
	if red.DisplayName != "Redemptions" || red.Line != 924 {
		t.Errorf("flows.redemptions = %q at line %d, want the second copy (line 924)", red.DisplayName, red.Line)
	}
	if q, _ := red.Binding.ConfigString("query"); !strings.HasPrefix(q, "SELECT fund_code, trade_date") || !strings.HasSuffix(q, "'{segments[0]}'\n") {
		t.Errorf("flows.redemptions query = %q", q)
	}
	if c.Nodes()[red.Index] != red || red.Index >= c.Get("flows.subscriptions").Index {
		t.Errorf("flows.redemptions should keep its first position (index %d)", red.Index)
	}
	sp := c.Spans("flows.redemptions")
	if len(sp) != 2 || sp[0].Line != 349 || sp[1].Line != 924 {
		t.Errorf("spans = %+v", sp)
	}

	// Folded multi-line single-quoted query from the serializer.
	ig := c.Get("benchmarks.corporate/ig")
	if q, _ := ig.Binding.ConfigString("query"); q != "SELECT index_code, sector, rating_band, oas_bp, spread_duration\nFROM IG_CREDIT_INDEX\nWHERE sector = '{segments[0]}'\n" {
		t.Errorf("ig query = %q", q)
	}
	cache := c.Get("benchmarks.constituents_all").Binding.Cache
	if cache == nil || *cache != (moniker.BindingCache{Enabled: true, TTLSeconds: 3600, RefreshIntervalSeconds: 600, RefreshOnStartup: true}) {
		t.Errorf("cache = %+v", cache)
	}
	tr := c.Get("fixed_income/govies/treasury")
	if tr.Schema == nil || len(tr.Schema.Columns) != 5 || tr.Schema.Columns[0] != (moniker.Column{
		Name: "PRICE_DATE", Type: "date", Description: "Day the price is for", SemanticType: "timestamp", Nullable: true, PrimaryKey: true,
	}) {
		t.Errorf("treasury schema = %+v", tr.Schema)
	}
	cv := c.Get("risk.cvar")
	if cv.AccessPolicy == nil || cv.AccessPolicy.MinFilters != 1 || cv.AccessPolicy.MaxRowsWarn != 10_000_000 ||
		!slices.Equal(cv.AccessPolicy.BlockedPatterns, []string{"ALL/ALL/ALL"}) || cv.AccessPolicy.BaseRowCount != 100 {
		t.Errorf("risk.cvar policy = %+v", cv.AccessPolicy)
	}
	if got := c.Get("fixed_income").Ownership; got[moniker.ADOP] != "bond-trading-lead@firm.com" || got[moniker.SupportChannel] != "#bond-data" {
		t.Errorf("fixed_income ownership = %v", got)
	}

	// Spans cover the entry text; comments before the next key are outside.
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sp = c.Spans("benchmarks.constituents")
	if len(sp) != 1 {
		t.Fatalf("spans = %+v", sp)
	}
	text := string(data[sp[0].Start:sp[0].End])
	if !strings.HasPrefix(text, "benchmarks.constituents:\n") || !strings.HasSuffix(text, "'YYYYMMDD')\\n\"\n") {
		t.Errorf("span text = %q", text)
	}
	next := c.Spans("benchmarks.constituents_all")[0]
	if between := string(data[sp[0].End:next.Start]); between != "\n# A full-table snapshot that takes minutes to run: /fetch serves it from the\n# result cache, refreshed in the background.\n" {
		t.Errorf("between spans = %q", between)
	}
}

func TestLoadDeepFields(t *testing.T) {
	c, _ := mustLoad(t, fixtures.File(t, "catalog.yaml"))
	cv := c.Get("risk.cvar")
	if cv == nil {
		t.Fatal("no risk.cvar")
	}
	ap := cv.AccessPolicy
	if ap == nil || ap.MinFilters != 1 || !slices.Equal(ap.BlockedPatterns, []string{"ALL/ALL/ALL"}) ||
		!slices.Equal(ap.CardinalityMultipliers, []int64{1000, 50, 20000}) || ap.BaseRowCount != 100 ||
		ap.MaxRowsWarn != 10_000_000 || ap.MaxRowsBlock != 1_000_000_000 || !strings.HasPrefix(ap.DenialMessage, "Refused: expected shortfall") {
		t.Errorf("risk.cvar access policy = %+v", ap)
	}
	if cv.SLA == nil || cv.SLA.Availability != "99.5%" || cv.Freshness == nil || len(cv.Freshness.UpstreamDependencies) != 3 {
		t.Errorf("sla %+v freshness %+v", cv.SLA, cv.Freshness)
	}
	if cv.DataQuality == nil || cv.DataQuality.QualityScore == nil || *cv.DataQuality.QualityScore != 94.5 ||
		cv.DataQuality.LastValidated != "2026-01-28T06:00:00Z" {
		t.Errorf("data quality = %+v", cv.DataQuality)
	}
	if cv.Schema == nil || cv.Schema.TypicalRowCount != "1M-100M" || cv.Schema.Columns[0].Example != "2026-01-28" ||
		cv.Schema.Columns[0].Nullable || !cv.Schema.Columns[0].PrimaryKey || cv.Schema.Columns[3].ForeignKey != "securities/lookup" {
		t.Errorf("schema = %+v", cv.Schema)
	}
	if cv.Ownership[moniker.ADAL] != "risk-access-lead@firm.com" || cv.Extra["vendor"] != "in-house" {
		t.Errorf("ownership = %v", cv.Ownership)
	}

	if g := c.Get("risk.greeks").AccessPolicy; g == nil || !slices.Equal(g.RequiredSegments, []int{0}) || g.CardinalityMultipliers != nil {
		t.Errorf("risk.greeks access policy = %+v", g)
	}
	if d := c.Get("reports.regulatory"); d.Status != moniker.StatusDeprecated || d.Successor != "reports/regulatory" || d.SunsetDeadline != "2026-12-31" {
		t.Errorf("reports.regulatory = %+v", d)
	}

	// HEAD's keys: domain, and vendor, asset_class, quality kept in Extra.
	b := c.Get("benchmarks")
	if b.Extra["vendor"] != "ftse-russell" || b.Domain != "benchmarks" {
		t.Errorf("benchmarks extra = %v domain %q", b.Extra, b.Domain)
	}
	found := false
	for _, n := range c.Nodes() {
		if n.Extra["asset_class"] != nil {
			found = true
			if _, ok := n.Extra["asset_class"].(string); !ok {
				t.Errorf("%s asset_class = %#v", n.Path, n.Extra["asset_class"])
			}
		}
		if q, ok := n.Extra["quality"]; ok {
			if m, ok := q.(map[string]any); !ok || m["completeness"] == nil {
				t.Errorf("%s quality = %#v", n.Path, q)
			}
		}
	}
	if !found {
		t.Error("no asset_class in any node's Extra")
	}
}

// TestLoadCompatDeepFields: the deeper blocks of the previous service's
// catalogs come through (6c1a393's risk.cvar, HEAD's extra keys).
func TestLoadCompatDeepFields(t *testing.T) {
	c, _ := mustLoad(t, fixtures.Compat(t, "6c1a393", "sample_catalog.yaml"))
	cv := c.Get("risk.cvar")
	if ap := cv.AccessPolicy; ap == nil || !slices.Equal(ap.CardinalityMultipliers, []int64{1000, 50, 200000}) ||
		ap.BaseRowCount != 1000 || ap.MaxRowsBlock != 100_000_000 || !strings.HasPrefix(ap.DenialMessage, "Query blocked") {
		t.Errorf("risk.cvar access policy = %+v", ap)
	}
	if cv.SLA == nil || cv.Freshness == nil || cv.DataQuality == nil || cv.Schema == nil || cv.Schema.TypicalRowCount != "1M-100M" ||
		cv.Schema.Columns[3].ForeignKey != "reference.security/SSM" || cv.Ownership[moniker.ADAL] != "risk-access-control@firm.com" {
		t.Errorf("risk.cvar = %+v", cv)
	}
	head, _ := mustLoad(t, fixtures.Compat(t, "head", "sample_catalog.yaml"))
	if b := head.Get("benchmarks"); b.Extra["vendor"] != "msci" || b.Domain != "benchmarks" {
		t.Errorf("benchmarks extra = %v domain %q", b.Extra, b.Domain)
	}
}

func TestLoadFullNode(t *testing.T) {
	c, warns := mustLoad(t, "testdata/good/full.yaml")
	if len(warns) != 0 {
		t.Errorf("warnings: %v", warns)
	}
	score := 94.5
	want := &moniker.Node{
		Path:        "full",
		DisplayName: "Full Node",
		Description: "Every field",
		Domain:      "rates",
		Ownership: moniker.Ownership{
			moniker.AccountableOwner: "owner@x.com", moniker.DataSpecialist: "spec@x.com", moniker.SupportChannel: "#chan",
			moniker.ADOP: "adop@x.com", moniker.ADOPName: "Ada Op", moniker.ADS: "ads@x.com", moniker.ADSName: "Ad Steward",
			moniker.ADAL: "adal@x.com", moniker.ADALName: "Al Lead", moniker.UI: "https://ui.x.com/full",
		},
		Binding: &moniker.SourceBinding{
			Type: "snowflake",
			Config: map[string]any{
				"account": "acct", "port": 1433, "ratio": 0.5, "enabled": true, "none": nil, "asof": "2026-01-28",
				"query":   "SELECT 1\nFROM T WHERE a = '{segments[0]}'\n",
				"headers": map[string]any{"Accept": "application/json"},
				"list":    []any{"a", 1},
			},
			Schema:            map[string]any{"fields": []any{"x", "y"}},
			ReadOnly:          false,
			AllowedOperations: []string{"read", "write"},
			Cache:             &moniker.BindingCache{Enabled: true, TTLSeconds: 60, RefreshIntervalSeconds: 600, RefreshOnStartup: true},
		},
		AccessPolicy: &moniker.AccessPolicy{
			RequiredSegments: []int{0, 1}, MinFilters: 2, BlockedPatterns: []string{"ALL/ALL", "[a-z]+/x"},
			MaxRowsWarn: 10_000_000, MaxRowsBlock: 100_000_000, CardinalityMultipliers: []int64{10, 20},
			BaseRowCount: 50, RequireConfirmationAbove: 5000, DenialMessage: "Too big",
			AllowedRoles: []string{"analyst"}, AllowedHours: []any{8, 18},
		},
		Documentation: &moniker.Documentation{
			Glossary: "g", Runbook: "r", Onboarding: "o", DataDictionary: "dd", APIDocs: "api",
			Architecture: "arch", Changelog: "cl", Contact: "c", Additional: map[string]string{"wiki": "https://wiki"},
		},
		DataQuality: &moniker.DataQuality{
			DQOwner: "dq@x.com", QualityScore: &score, ValidationRules: []string{"r1", "r2"},
			KnownIssues: []string{"k1"}, LastValidated: "2026-01-28T06:00:00Z",
		},
		SLA:       &moniker.SLA{Freshness: "T+1", Availability: "99.5%", SupportHours: "24x7", EscalationContact: "oncall@x.com"},
		Freshness: &moniker.Freshness{LastLoaded: "2026-01-28T05:45:00Z", RefreshSchedule: "daily", SourceSystem: "Proteus", UpstreamDependencies: []string{"a.b", "c"}},
		Schema: &moniker.NodeSchema{
			Columns: []moniker.Column{
				{Name: "ID", Type: "integer", Description: "the id", SemanticType: "identifier", Example: 7, Nullable: false, PrimaryKey: true, ForeignKey: "other/ID"},
				{Name: "NAME", Type: "string", Nullable: true},
			},
			Description: "schema desc", SemanticTags: []string{"t1"}, PrimaryKey: []string{"ID"}, UseCases: []string{"u1"},
			Examples: []string{"e1"}, RelatedMonikers: []string{"m1"}, Granularity: "daily", TypicalRowCount: "1M-100M", UpdateFrequency: "daily",
		},
		Classification:     "restricted",
		Tags:               []string{"a", "b"},
		Metadata:           map[string]any{"team": "rates", "nested": map[string]any{"x": 1}},
		Status:             moniker.StatusDeprecated,
		DeprecationMessage: "use other",
		Successor:          "other",
		SunsetDeadline:     "2026-06-30",
		MigrationGuideURL:  "https://guide",
		Extra: map[string]any{
			"created_at": "2025-01-01", "is_leaf": true, "vendor": "msci", "asset_class": "rates",
			"quality": map[string]any{"completeness": 0.99},
		},
		File: "testdata/good/full.yaml",
		Line: 3,
	}
	got := c.Get("full")
	if !reflect.DeepEqual(got, want) {
		t.Errorf("full node:\n got %+v\nwant %+v", got, want)
		if !reflect.DeepEqual(got.Binding, want.Binding) {
			t.Errorf("binding: %+v", got.Binding)
		}
	}
	if o := c.Get("other"); o == nil || o.Index != 1 {
		t.Errorf("other = %+v", o)
	}
}

func TestLoadFormats(t *testing.T) {
	t.Run("json", func(t *testing.T) {
		c, _ := mustLoad(t, "testdata/good/catalog.json")
		eq := c.Get("prices.equity")
		if c.Len() != 2 || eq.Description != "later wins" || eq.Binding.Type != "rest" || eq.Tags != nil {
			t.Errorf("json catalog: %d nodes, prices.equity %+v", c.Len(), eq)
		}
		if eq.Line != 7 || c.Spans("prices.equity") != nil {
			t.Errorf("line %d spans %v", eq.Line, c.Spans("prices.equity"))
		}
	})
	t.Run("anchors across entries", func(t *testing.T) {
		c, _ := mustLoad(t, "testdata/good/anchors.yaml")
		if want := fileHash(t, "testdata/good/anchors.yaml"); c.Version() != want {
			t.Errorf("version %s after the whole-document fallback, want %s", c.Version(), want)
		}
		d := c.Get("derived")
		if d.DisplayName != "Base" || d.Description != "inherits via merge" || d.Binding == nil || d.Binding.Config["base_url"] != "https://x" {
			t.Errorf("derived = %+v", d)
		}
	})
	t.Run("flow", func(t *testing.T) {
		c, _ := mustLoad(t, "testdata/good/flow.yaml")
		if c.Len() != 2 || c.Get("a/b").Tags[0] != "x" {
			t.Errorf("flow catalog: %v", c.Nodes())
		}
	})
	t.Run("bytes", func(t *testing.T) {
		data, err := os.ReadFile("testdata/good/full.yaml")
		if err != nil {
			t.Fatal(err)
		}
		c, _, err := LoadBytes("embedded.yaml", data)
		if err != nil {
			t.Fatal(err)
		}
		fromFile, _ := mustLoad(t, "testdata/good/full.yaml")
		if c.Version() != fromFile.Version() || c.Get("full").File != "embedded.yaml" || c.Files()[0] != "embedded.yaml" {
			t.Errorf("version %s vs %s, file %q", c.Version(), fromFile.Version(), c.Get("full").File)
		}
	})
	t.Run("empty", func(t *testing.T) {
		c, _, err := LoadBytes("empty.yaml", []byte("# nothing\n"))
		if err != nil || c.Len() != 0 {
			t.Errorf("empty: %v %v", c, err)
		}
	})
}

// fileHash is the catalog version of files: SHA-256 of their bytes in
// order, 12 hex digits.
func fileHash(t *testing.T, files ...string) string {
	t.Helper()
	h := sha256.New()
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		h.Write(data)
	}
	return hex.EncodeToString(h.Sum(nil))[:12]
}

func TestLoadWarnings(t *testing.T) {
	c, warns := mustLoad(t, "testdata/good/warnings.yaml")
	var msgs []string
	for _, w := range warns {
		msgs = append(msgs, w.String())
	}
	want := []string{
		`testdata/good/warnings.yaml:1: node "/lead": leading or trailing "/" trimmed from node path; using "lead"`,
		`testdata/good/warnings.yaml:2: node "lead": status: unknown status "retired", using active`,
		`testdata/good/warnings.yaml:3: node "trail/": leading or trailing "/" trimmed from node path; using "trail"`,
		`testdata/good/warnings.yaml:5: node "trail": source_binding.type: unknown source type "carrier_pigeon", using static`,
	}
	if !slices.Equal(msgs, want) {
		t.Errorf("warnings:\n%s", strings.Join(msgs, "\n"))
	}
	if c.Get("lead").EffectiveStatus() != moniker.StatusActive || c.Get("trail").Binding.Type != "static" || c.Get("ok").Status != moniker.StatusDraft {
		t.Error("tolerated values not applied")
	}
}

func TestLoadDirectory(t *testing.T) {
	c, _ := mustLoad(t, "testdata/dir")
	wantFiles := []string{"testdata/dir/a.yaml", "testdata/dir/z.yaml", "testdata/dir/b.yml", "testdata/dir/c.json"}
	if !slices.Equal(c.Files(), wantFiles) {
		t.Errorf("files = %v", c.Files())
	}
	if want := fileHash(t, wantFiles...); c.Version() != want {
		t.Errorf("version %s, want %s", c.Version(), want)
	}
	want := map[string]string{
		"n1": "from a.yaml", "n2": "from z.yaml", "n3": "from b.yml", "n4": "from c.json", "n5": "",
	}
	var order []string
	for _, n := range c.Nodes() {
		order = append(order, n.Path)
		if n.Description != want[n.Path] {
			t.Errorf("%s: %q, want %q", n.Path, n.Description, want[n.Path])
		}
	}
	if !slices.Equal(order, []string{"n1", "n2", "n3", "n4", "n5"}) {
		t.Errorf("order = %v", order)
	}
	// Symbolic links to files are followed, to directories ignored.
	linked := t.TempDir()
	for _, f := range []string{"a.yaml", "z.yaml"} {
		abs, err := filepath.Abs(filepath.Join("testdata", "dir", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(abs, filepath.Join(linked, f)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(linked, filepath.Join(linked, "loop.yaml")); err != nil {
		t.Fatal(err)
	}
	if lc, _ := mustLoad(t, linked); lc.Len() != 3 || lc.Get("n2").Description != "from z.yaml" || len(lc.Files()) != 2 {
		t.Errorf("symlinked dir: %d nodes, files %v", lc.Len(), lc.Files())
	}
	if sp := c.Spans("n2"); len(sp) != 2 || sp[0].File != "testdata/dir/a.yaml" || sp[1].File != "testdata/dir/z.yaml" {
		t.Errorf("n2 spans = %+v", sp)
	}
}

func TestLoadBad(t *testing.T) {
	tests := []struct {
		file string
		want []string // substrings of the joined error, in order
	}{
		{"unknown_key.yaml", []string{`unknown_key.yaml:4: node "risk.cvar": descripton: unknown key (did you mean "description"?)`}},
		{"min_filters.yaml", []string{`min_filters.yaml:3: node "risk.cvar": access_policy.min_filters: expected integer, got "abc"`}},
		{"tags_int.yaml", []string{`tags_int.yaml:2: node "prices": tags: expected a list, got "5"`}},
		{"null_node.yaml", []string{`null_node.yaml:3: node "empty": node value is null`}},
		{"scalar_node.yaml", []string{`scalar_node.yaml:1: node "prices": node value must be a mapping, got "just a string"`}},
		{"bad_regex.yaml", []string{`bad_regex.yaml:5: node "risk.cvar": access_policy.blocked_patterns[1]: invalid regular expression "(?<=x)y"`}},
		{"nested_key.yaml", []string{`nested_key.yaml:3: node "prices": ownership.acountable_owner: unknown key (did you mean "accountable_owner"?)`}},
		{"column_key.yaml", []string{`column_key.yaml:5: node "prices": schema.columns[0].typ: unknown key`}},
		{"cache_key.yaml", []string{`cache_key.yaml:5: node "prices": source_binding.cache.ttl: unknown key`}},
		{"missing_type.yaml", []string{`missing_type.yaml:2: node "prices": source_binding.type: required`}},
		{"required_key.yaml", []string{`required_key.yaml:5: node "prices": source_binding.config.database: required by source type postgres`}},
		{"syntax.yaml", []string{`syntax.yaml:`, `invalid YAML: `}},
		{"bool.yaml", []string{`bool.yaml:4: node "prices": source_binding.read_only: expected true or false, got "maybe"`}},
		{"many.yaml", []string{`many.yaml:2: node "a": bogus1: unknown key`, `many.yaml:5: node "b": access_policy.min_filters: expected integer`, `many.yaml:7: node "c": tags: expected a list, got a mapping`}},
		{"top_sequence.yaml", []string{`top_sequence.yaml:1: top level must be a mapping`}},
		{"empty_key.yaml", []string{`empty_key.yaml:1: node "/": node path is empty`}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			c, _, err := Load(filepath.Join("testdata", "bad", tt.file))
			if err == nil || c != nil {
				t.Fatalf("Load succeeded")
			}
			if !errors.Is(err, moniker.ErrInvalid) {
				t.Errorf("error does not wrap ErrInvalid: %v", err)
			}
			msg := err.Error()
			rest := msg
			for _, w := range tt.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("error %q\nwant it to contain %q", msg, w)
				}
				rest = rest[i+len(w):]
			}
			les := yamlfile.AsLoadErrors(err)
			if len(les) == 0 || les[0].File == "" {
				t.Errorf("LoadErrors = %+v", les)
			}
		})
	}
}

func TestLoadMissing(t *testing.T) {
	_, _, err := Load("testdata/nope.yaml")
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("err = %v", err)
	}
}

func TestLoadErrorCap(t *testing.T) {
	var b strings.Builder
	for i := range 300 {
		b.WriteString("n")
		b.WriteString(strings.Repeat("x", i%7))
		b.WriteString(string(rune('a' + i%26)))
		b.WriteString(":\n  bogus: 1\n")
	}
	_, _, err := LoadBytes("many.yaml", []byte(b.String()))
	if n := len(yamlfile.AsLoadErrors(err)); n != yamlfile.MaxErrors {
		t.Errorf("%d errors, want %d", n, yamlfile.MaxErrors)
	}
}

func TestLoadDomains(t *testing.T) {
	for _, tt := range []struct {
		version, fixed     string // the fixed-income domain's name
		color, owner, wiki string // of portfolios
	}{
		{"testdata", "fixed_income", "#2F9E44", "portfolio-owners@firm.com", "https://docs.firm.com/domains/portfolios"},
		{"f206ffd", "fixed_income", "#2ECC71", "portfolio-ops@firm.com", "https://confluence.firm.com/display/PM/Portfolios"},
		{"head", "fixed.income", "#2ECC71", "portfolio-ops@firm.com", "https://confluence.firm.com/display/PM/Portfolios"},
	} {
		t.Run(tt.version, func(t *testing.T) {
			path := fixtures.File(t, "domains.yaml")
			if tt.version != "testdata" {
				path = fixtures.Compat(t, tt.version, "sample_domains.yaml")
			}
			d, err := LoadDomains(path)
			if err != nil {
				t.Fatal(err)
			}
			var names []string
			for _, r := range d.All() {
				names = append(names, r.Name)
			}
			want := []string{"portfolios", "benchmarks", "securities", "prices", "rates", tt.fixed, "commodities", "risk", "reference", "reports", "nav", "flows"}
			if !slices.Equal(names, want) || !d.Found() {
				t.Errorf("domains = %v", names)
			}
			if d.Get("credit") != nil {
				t.Error("credit has no domain entry")
			}
			p := d.Get("portfolios")
			if p.ID == nil || *p.ID != 1 || p.Color != tt.color || p.Owner != tt.owner || p.PII ||
				p.Confidentiality != "confidential" || p.WikiLink != tt.wiki {
				t.Errorf("portfolios = %+v", p)
			}
		})
	}
	t.Run("defaults", func(t *testing.T) {
		d, err := LoadDomainsBytes("d.yaml", []byte("x: {}\ny:\n  display_name: Why\n  pii: yes\nx:\n  owner: o\n"))
		if err != nil {
			t.Fatal(err)
		}
		x := d.Get("x")
		if d.Len() != 2 || d.All()[0] != x || x.DisplayName != "x" || x.Color != "#6B7280" || x.Confidentiality != "internal" || x.Owner != "o" || x.ID != nil {
			t.Errorf("x = %+v", x)
		}
		if y := d.Get("y"); y.DisplayName != "Why" || !y.PII {
			t.Errorf("y = %+v", y)
		}
	})
	t.Run("missing", func(t *testing.T) {
		d, err := LoadDomains("testdata/none.yaml")
		if err != nil || d.Len() != 0 || d.Found() {
			t.Errorf("missing file: %v %v", d, err)
		}
	})
	bad := []struct{ file, want string }{
		{"unknown.yaml", `unknown.yaml:3: domain "rates": colour: unknown key (did you mean "color"?)`},
		{"not_mapping.yaml", `not_mapping.yaml:1: domain "rates": domain must be a mapping`},
		{"pii.yaml", `pii.yaml:2: domain "rates": pii: expected true or false, got "sometimes"`},
	}
	for _, tt := range bad {
		t.Run(tt.file, func(t *testing.T) {
			_, err := LoadDomains(filepath.Join("testdata", "bad_domains", tt.file))
			if err == nil || !strings.Contains(err.Error(), tt.want) || !errors.Is(err, moniker.ErrInvalid) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	report, ok := Check(fixtures.File(t, "catalog.yaml"), "testdata/good/warnings.yaml", "testdata/bad/many.yaml")
	if ok {
		t.Error("ok with a bad file")
	}
	for _, want := range []string{
		"testdata/catalog.yaml: ok (62 nodes, 0 warnings, version ",
		`warning: testdata/good/warnings.yaml:2: node "lead": status: unknown status "retired", using active`,
		"testdata/good/warnings.yaml: ok (3 nodes, 4 warnings",
		`error: testdata/bad/many.yaml:7: node "c": tags: expected a list, got a mapping`,
		"testdata/bad/many.yaml: FAILED (3 errors, 0 warnings)",
	} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if _, ok := Check("testdata/good/full.yaml"); !ok {
		t.Error("good file not ok")
	}
}

// TestStreamMatchesWholeParse loads files through the streaming,
// fast-path pipeline and through a plain yaml.v3 whole-document parse,
// and requires identical nodes.
func TestStreamMatchesWholeParse(t *testing.T) {
	var b strings.Builder
	if err := gen.Write(&b, gen.Options{Nodes: 4000, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	t.Run("gen.yaml", func(t *testing.T) { streamMatchesWhole(t, "gen.yaml", []byte(b.String())) })
	fixtures.ForEach(t, "catalog.yaml", "sample_catalog.yaml", func(t *testing.T, path string) {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		streamMatchesWhole(t, filepath.Base(path), data)
	})
}

// streamMatchesWhole checks one file loads to the same nodes both ways.
func streamMatchesWhole(t *testing.T, name string, data []byte) {
	t.Helper()
	c, _, err := LoadBytes(name, data)
	if err != nil {
		t.Fatal(err)
	}
	l := newLoader()
	l.files = []string{name}
	l.whole(name, data)
	if len(l.errs) > 0 {
		t.Fatal(l.errs)
	}
	if len(l.nodes) != c.Len() {
		t.Fatalf("%d nodes streamed, %d parsed whole", c.Len(), len(l.nodes))
	}
	for i, n := range c.Nodes() {
		if !reflect.DeepEqual(n, l.nodes[i]) {
			t.Fatalf("node %d differs:\nstream %+v\nwhole  %+v", i, n, l.nodes[i])
		}
	}
}

// FuzzLoadBytes: loading never panics, and a successful load gives a
// consistent catalog.
func FuzzLoadBytes(f *testing.F) {
	for _, s := range []string{
		"a:\n  display_name: A\n", "a: {}\na/b:\n  tags: [x, y]\n", "a:\n  source_binding:\n    type: rest\n",
		"a:\n  access_policy:\n    blocked_patterns: ['(']\n", "x: &a {b: 1}\ny: *a\n", "- a\n", "{a: {}}",
		"a:\n  schema:\n    columns:\n    - name: x\n      nullable: no\n", "a: null\n", "/a/: {}\n",
	} {
		f.Add("c.yaml", []byte(s))
	}
	f.Add("c.json", []byte(`{"a": {"tags": ["t"]}}`))
	f.Fuzz(func(t *testing.T, name string, data []byte) {
		c, _, err := LoadBytes(name, data)
		if err != nil {
			if c != nil {
				t.Fatal("catalog and error")
			}
			return
		}
		for i, n := range c.Nodes() {
			if n.Index != i || c.Get(n.Path) != n || n.Path == "" {
				t.Fatalf("inconsistent node %d %q", i, n.Path)
			}
		}
		c.Search("a", "", 10)
		c.Page("", 10, "")
	})
}

// TestLoadLateFallback: an alias in a late batch to an anchor in the
// first one sends a multi-batch file to the whole-document parse; the
// result and the version are those of the whole file.
func TestLoadLateFallback(t *testing.T) {
	var b strings.Builder
	b.WriteString("anchored: &base\n  display_name: Anchored\n")
	if err := gen.Write(&b, gen.Options{Nodes: 3000, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	b.WriteString("late:\n  <<: *base\n  description: merged\n")
	path := filepath.Join(t.TempDir(), "late.yaml")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	c, _ := mustLoad(t, path)
	if c.Len() != 3002 || c.Get("late").DisplayName != "Anchored" || c.Get("late").Description != "merged" {
		t.Fatalf("%d nodes, late = %+v", c.Len(), c.Get("late"))
	}
	if want := fileHash(t, path); c.Version() != want {
		t.Errorf("version %s, want %s", c.Version(), want)
	}
	if c.Spans("late") != nil {
		t.Error("a file parsed whole has no spans")
	}
}

// TestLoadYAMLOnly: the loader without the fast parser (the benchmark's
// comparison) loads the same catalog.
func TestLoadYAMLOnly(t *testing.T) {
	p := fixtures.File(t, "catalog.yaml")
	want, _ := mustLoad(t, p)
	l := newLoader()
	l.yamlOnly = true
	got, _, err := l.load(p)
	if err != nil {
		t.Fatal(err)
	}
	if got.Len() != want.Len() || got.Version() != want.Version() {
		t.Fatalf("%d nodes, version %s; want %d, %s", got.Len(), got.Version(), want.Len(), want.Version())
	}
	for i, n := range want.Nodes() {
		if m := got.Nodes()[i]; !reflect.DeepEqual(n, m) {
			t.Fatalf("node %d differs:\nyaml.v3 %+v\nfast    %+v", i, m, n)
		}
	}
}
