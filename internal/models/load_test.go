package models_test

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/models"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// loadSample loads our test models for "testdata", else a compat
// generation's.
func loadSample(t *testing.T, version string) []*models.Model {
	t.Helper()
	path := fixtures.File(t, "models.yaml")
	if version != "testdata" {
		path = fixtures.Compat(t, version, "sample_models.yaml")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ms, err := models.LoadBytes(path, data)
	if err != nil {
		t.Fatal(err)
	}
	return ms
}

func TestLoadSamples(t *testing.T) {
	ours := &models.Model{
		Path:             "risk.analytics/dv01",
		DisplayName:      "DV01",
		Description:      "Value change of a position when yields move down by one basis point",
		Formula:          "-dP/dy × 0.0001",
		Unit:             "USD",
		DataType:         "float",
		DocumentationURL: "https://docs.firm.com/quant/dv01",
		WikiLink:         "https://wiki.firm.com/risk/dv01",
		Ownership:        models.Ownership{MethodologyOwner: "risk-methods@firm.com", BusinessSteward: "market-risk-committee@firm.com", SupportChannel: "#risk-methods"},
		AppearsIn: []models.Link{
			{MonikerPattern: "risk.cvar/*/*", ColumnName: "DV01"},
			{MonikerPattern: "portfolios/*/risk/*", ColumnName: "DV01"},
			{MonikerPattern: "fixed_income/govies/*", ColumnName: "MOD_DURATION", Notes: "Treasury data carries modified duration; DV01 = duration × price × 0.0001"},
		},
		SemanticTags: []string{"rates-risk", "duration", "fixed-income"},
		Aliases:      []models.Alias{{Name: "PVBP", Type: "common_name"}, {Name: "BPV", Type: "abbreviation", Context: "rates desk"}},
	}
	upstream := func(head bool) *models.Model {
		m := &models.Model{
			Path:             "risk.analytics/dv01",
			DisplayName:      "Dollar Value of 01",
			Description:      "Change in portfolio value for a 1 basis point parallel shift in yield curve",
			Formula:          "dV/dy × 0.0001",
			Unit:             "USD",
			DataType:         "float",
			DocumentationURL: "https://wiki.firm.com/display/RISK/DV01",
			Ownership:        models.Ownership{MethodologyOwner: "quant-research@firm.com", BusinessSteward: "risk-committee@firm.com", SupportChannel: "#risk-methodology"},
			AppearsIn: []models.Link{
				{MonikerPattern: "risk.cvar/*/*", ColumnName: "DV01"},
				{MonikerPattern: "portfolios/*/risk/*", ColumnName: "DV01"},
				{MonikerPattern: "fixed_income/govies/*", ColumnName: "DURATION", Notes: "Named DURATION in treasury data for historical reasons"},
			},
			SemanticTags: []string{"interest-rate-risk", "duration", "fixed-income"},
		}
		if head {
			m.WikiLink = "https://wiki.firm.com/display/RISK/DV01+Methodology"
			m.AppearsIn[2].MonikerPattern = "fixed.income/govies/*"
		}
		return m
	}
	for _, tt := range []struct {
		version string
		dv01    *models.Model
	}{
		{"testdata", ours},
		{"f206ffd", upstream(false)},
		{"head", upstream(true)},
	} {
		t.Run(tt.version, func(t *testing.T) {
			ms := loadSample(t, tt.version)
			if len(ms) != 11 {
				t.Fatalf("%d models, want 11", len(ms))
			}
			byPath := map[string]*models.Model{}
			for _, m := range ms {
				byPath[m.Path] = m
			}
			dv01 := byPath["risk.analytics/dv01"]
			if dv01 == nil {
				t.Fatal("risk.analytics/dv01 missing")
			}
			if !reflect.DeepEqual(dv01, tt.dv01) {
				t.Errorf("dv01:\n got %+v\nwant %+v", dv01, tt.dv01)
			}
			if mid := byPath["market.prices/mid"]; mid == nil || mid.DataType != "decimal" || mid.AppearsIn[0].MonikerPattern != "prices.*/*" {
				t.Errorf("mid: %+v", mid)
			}
			if c := byPath["risk.analytics"]; c == nil || !c.IsContainer() || c.Ownership.BusinessSteward != "" {
				t.Errorf("risk.analytics: %+v", c)
			}
		})
	}
}

func TestLoadShapes(t *testing.T) {
	ms, err := models.LoadBytes("m.yaml", []byte(`
empty:
nulls:
  display_name: ~
  appears_in: null
  semantic_tags:
  tags: null
  ownership: null
  aliases: null
bare:
  appears_in:
    - "risk/*"
    - moniker_pattern: quotes/*
  aliases:
    - PVBP
    - {name: DV01, type: abbreviation, context: desk slang}
  tags: [b, a, b]
  unit: 100
  data_type: null
dup:
  display_name: first
dup:
  display_name: second
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []*models.Model{
		{Path: "empty", DataType: "float"},
		{Path: "nulls", DataType: "float"},
		{Path: "bare", DataType: "float", Unit: "100",
			AppearsIn: []models.Link{{MonikerPattern: "risk/*"}, {MonikerPattern: "quotes/*"}},
			Aliases:   []models.Alias{{Name: "PVBP", Type: "common_name"}, {Name: "DV01", Type: "abbreviation", Context: "desk slang"}},
			Tags:      []string{"a", "b"}},
		{Path: "dup", DisplayName: "second", DataType: "float"},
	}
	if !reflect.DeepEqual(ms, want) {
		for i := range ms {
			t.Logf("%d: %+v", i, ms[i])
		}
		t.Fatal("LoadBytes shapes differ")
	}
	for _, empty := range []string{"", "# only a comment\n", "---\n"} {
		if ms, err := models.LoadBytes("m.yaml", []byte(empty)); err != nil || len(ms) != 0 {
			t.Errorf("LoadBytes(%q) = %v, %v", empty, ms, err)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"unknown key", "a/b:\n  display_name: x\n  colour: red\n", `m.yaml:3: model "a/b": colour: unknown key`},
		{"unknown ownership key", "a:\n  ownership:\n    owner: x\n", `m.yaml:3: model "a": ownership.owner: unknown key`},
		{"unknown link key", "a:\n  appears_in:\n    - moniker_pattern: x\n      column: y\n", `model "a": appears_in[0].column: unknown key`},
		{"missing pattern", "a:\n  appears_in:\n    - column_name: y\n", `appears_in[0].moniker_pattern: empty pattern`},
		{"bad pattern", "a:\n  appears_in:\n    - 'a b'\n", `appears_in[0].moniker_pattern: pattern "a b" contains white space`},
		{"appears_in not a list", "a:\n  appears_in: x/*\n", `appears_in: expected a list, got "x/*"`},
		{"string as mapping", "a:\n  ownership: someone\n", `ownership: expected a mapping, got "someone"`},
		{"list as string", "a:\n  unit: [USD]\n", `unit: expected a string, got a list`},
		{"entry not a mapping", "a: x\n", `model "a": expected a mapping, got "x"`},
		{"empty tag", "a:\n  tags: ['']\n", `tags[0]: must not be empty`},
		{"alias without name", "a:\n  aliases:\n    - type: abbreviation\n", `aliases[0].name: missing alias name`},
		{"empty segment", "a//b: {}\n", `invalid model path: empty segment`},
		{"top level list", "- a\n", "top level must be a mapping"},
		{"syntax", "a: [\n", "m.yaml:1: invalid YAML: did not find expected node content"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := models.LoadBytes("m.yaml", []byte(tc.data))
			if err == nil || !strings.Contains(err.Error(), tc.want) || !errors.Is(err, moniker.ErrInvalid) {
				t.Fatalf("LoadBytes: %v\nwant an ErrInvalid containing %q", err, tc.want)
			}
		})
	}
	// Every error is reported, not just the first.
	_, err := models.LoadBytes("m.yaml", []byte("a:\n  x: 1\nb:\n  y: 2\n"))
	var le *yamlfile.LoadError
	if !errors.As(err, &le) || !strings.Contains(err.Error(), `model "a": x:`) || !strings.Contains(err.Error(), `model "b": y:`) {
		t.Errorf("two errors: %v", err)
	}
}

// TestMarshalRoundTrip: every model of our test file and of the compat
// files, and a few tricky ones, read back equal from MarshalModel.
func TestMarshalRoundTrip(t *testing.T) {
	for _, v := range []string{"testdata", "f206ffd", "head"} {
		t.Run(v, func(t *testing.T) { roundTrip(t, loadSample(t, v)) })
	}
	tricky := []*models.Model{
		{Path: "bare", DataType: "float"},
		{Path: "x/y", DisplayName: "yes", Description: "line 1\nline 2: here\n", Formula: "'q' \"dq\" # not a comment",
			Unit: "2026-06-30", DataType: "decimal", Ownership: models.Ownership{SupportChannel: "#chan"},
			MethodologyURL: "https://x.io/m?a=b#c", WikiLink: "http://w.io",
			AppearsIn:    []models.Link{{MonikerPattern: "*/x", Notes: "null"}, {MonikerPattern: "**", ColumnName: "~"}},
			Aliases:      []models.Alias{{Name: "on", Type: "legacy_name"}, {Name: "A", Type: "common_name", Context: "- dash"}},
			SemanticTags: []string{"z", "a"}, Tags: []string{"1.5", "true"}},
	}
	roundTrip(t, tricky)
	first := loadSample(t, "testdata")[0]
	want := "risk.analytics:\n  display_name: Risk Measures\n  description: How we measure market risk\n" +
		"  ownership:\n    methodology_owner: risk-methods@firm.com\n    support_channel: '#risk-methods'\n" +
		"  wiki_link: https://wiki.firm.com/risk/measures\n"
	if got := string(models.MarshalModel(nil, first)); first.Path != "risk.analytics" || got != want {
		t.Errorf("MarshalModel(%s):\n%s\nwant:\n%s", first.Path, got, want)
	}
	if got := string(models.MarshalModel(nil, tricky[0])); got != "bare: {}\n" {
		t.Errorf("empty model: %q", got)
	}
}

// roundTrip checks each model reads back equal from its marshalled text.
func roundTrip(t *testing.T, ms []*models.Model) {
	t.Helper()
	for _, m := range ms {
		text := models.MarshalModel(nil, m)
		got, err := models.LoadBytes("roundtrip.yaml", text)
		if err != nil {
			t.Fatalf("%s: %v\n%s", m.Path, err, text)
		}
		if len(got) != 1 || !reflect.DeepEqual(got[0], m) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v\n%s", m.Path, got, m, text)
		}
	}
}
