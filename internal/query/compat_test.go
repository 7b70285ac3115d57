package query

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// binding is one templated string of a sample catalog.
type binding struct {
	file, node, key, sourceType, tmpl string
}

// catalogTemplates returns every string value under source_binding.config
// of every node of a catalog file. It walks the YAML node tree, so the
// duplicate keys of the samples (Q13) do not stop it.
func catalogTemplates(t *testing.T, file string) []binding {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		t.Fatalf("%s: not a mapping", file)
	}
	var out []binding
	top := doc.Content[0]
	for i := 0; i+1 < len(top.Content); i += 2 {
		node := top.Content[i].Value
		sb := mapValue(top.Content[i+1], "source_binding")
		if sb == nil {
			continue
		}
		typ := mapValue(sb, "type")
		cfg := mapValue(sb, "config")
		if typ == nil || cfg == nil {
			continue
		}
		walkStrings(cfg, "config", func(key, s string) {
			out = append(out, binding{file: file, node: node, key: key, sourceType: typ.Value, tmpl: s})
		})
	}
	return out
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n.Kind != yaml.MappingNode {
		return nil
	}
	var v *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			v = n.Content[i+1] // last one wins, as the loader does
		}
	}
	return v
}

func walkStrings(n *yaml.Node, key string, fn func(key, s string)) {
	switch n.Kind {
	case yaml.ScalarNode:
		if n.Tag == "!!str" {
			fn(key, n.Value)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			walkStrings(n.Content[i+1], key+"."+n.Content[i].Value, fn)
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			walkStrings(c, key+"[]", fn)
		}
	}
}

// TestSampleCatalogTemplates renders every templated config string of
// our test catalog (one subtest) and of the compat catalogs (another)
// for every kind of version: no placeholder is unknown, none is left.
func TestSampleCatalogTemplates(t *testing.T) {
	t.Run("testdata", func(t *testing.T) {
		renderTemplates(t, []string{fixtures.File(t, "catalog.yaml")}, 150, 60)
	})
	t.Run("compat", func(t *testing.T) {
		files, err := filepath.Glob(filepath.Join(fixtures.CompatDir(t), "*", "sample_catalog.yaml"))
		if err != nil {
			t.Fatal(err)
		}
		if len(files) < 3 {
			t.Fatalf("found %d sample catalogs, want the 3 of shared/compat", len(files))
		}
		// The samples hold 300+ templated strings with 150+ placeholders.
		renderTemplates(t, files, 300, 150)
	})
}

// renderTemplates renders the templates of files; a walk finding fewer
// than minTemplates strings or minPlaceholders placeholders is broken.
func renderTemplates(t *testing.T, files []string, minTemplates, minPlaceholders int) {
	t.Helper()
	// A plausible moniker per version kind, with enough segments below
	// any binding for the highest {segments[N]} of the samples.
	versions := []string{"", "@20260115", "@3M", "@latest", "@all", "@daily", "/date@previous"}
	segs := []string{"US", "10Y", "20260115", "ALL", "X4", "X5"}
	var templates, placeholders int
	for _, file := range files {
		for _, b := range catalogTemplates(t, file) {
			templates++
			tmpl := Compile(b.tmpl)
			placeholders += len(tmpl.Placeholders())
			if u := tmpl.Unknown(); len(u) > 0 {
				t.Errorf("%s %s %s: unknown placeholders %q", b.file, b.node, b.key, u)
			}
			for _, v := range versions {
				m := mustParse(t, b.node+"/"+strings.Join(segs, "/")+v)
				sub, _ := moniker.SubPath(m.Path, b.node)
				c := &Context{M: m, Segments: strings.Split(sub, "/"), Path: sub, Dialect: dialectNamed(b.sourceType), Now: testNow}
				out := tmpl.Render(c)
				if left := Compile(out).Placeholders(); len(left) > 0 {
					t.Errorf("%s %s %s with %s: %q left in %q", b.file, b.node, b.key, v, left, out)
				}
			}
		}
	}
	if templates < minTemplates || placeholders < minPlaceholders {
		t.Errorf("walked %d config strings with %d placeholders; the walk is broken", templates, placeholders)
	}
	t.Logf("%d config strings, %d placeholders", templates, placeholders)
}

func TestSampleCatalogGolden(t *testing.T) {
	// Spot checks of real sample templates, rendered in full.
	byNode := map[string]binding{}
	for _, b := range catalogTemplates(t, fixtures.File(t, "catalog.yaml")) {
		if strings.HasSuffix(b.key, ".query") || strings.HasSuffix(b.key, ".path_template") || strings.HasSuffix(b.key, ".file_pattern") {
			byNode[b.node] = b
		}
	}
	tests := []struct {
		node, moniker, want string
	}{
		{"commodities.energy", "commodities.energy/CL/front", "/v3/energy/CL/front"},
		{"fixed_income/mbs/pools", "fixed_income/mbs/pools/FNMA/2024", "pools_FNMA_2024.xlsx"},
		{"benchmarks.constituents", "benchmarks.constituents/SPX/20260115",
			"SELECT index_code, member_id, member_weight, gics_sector, domicile\nFROM INDEX_MEMBERS\nWHERE index_code = 'SPX'\n  AND effective_date = TO_DATE('20260115', 'YYYYMMDD')\n"},
		{"risk.var", "risk.var/B1/20260115", "/v2/var/B1/2026-01-15"},
		{"nav.official", "nav.official/F1@20260115",
			"SELECT fund_code, nav_date, nav_per_unit, fund_nav, units_in_issue\nFROM STRUCK_NAV\nWHERE fund_code = 'F1'\n  AND nav_date = TO_DATE('20260115', 'YYYYMMDD')\n"},
		{"reference.classifications/gics", "reference.classifications/gics/ALL", "SELECT code, sector, industry_group, industry, sub_industry\nFROM gics\nWHERE true OR code LIKE 'ALL%'\n"},
		{"portfolios.attribution", "portfolios.attribution/B1/20260115",
			"SELECT book_code, as_of, grouping, bucket, allocation_bp, selection_bp, interaction_bp, total_bp\nFROM attribution_daily\nWHERE book_code = 'B1'\n  AND as_of = DATE '2026-01-15'\n"}, // postgres: its own dialect
	}
	for _, tt := range tests {
		b, ok := byNode[tt.node]
		if !ok {
			t.Errorf("no template for %s in our test catalog", tt.node)
			continue
		}
		m := mustParse(t, tt.moniker)
		sub, _ := moniker.SubPath(m.Path, b.node)
		c := &Context{M: m, Segments: strings.Split(sub, "/"), Path: sub, Dialect: dialectNamed(b.sourceType), Now: testNow}
		if got := Compile(b.tmpl).Render(c); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.moniker, got, tt.want)
		}
	}
}
