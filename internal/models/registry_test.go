package models_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/models"
	"github.com/moniker-svc/moniker/internal/moniker"
)

func open(t *testing.T, path string, opts ...models.Option) *models.Registry {
	t.Helper()
	r, err := models.Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func paths(ms []*models.Model) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Path)
	}
	return out
}

func summaryPaths(ss []models.Summary) []string {
	out := []string{}
	for _, s := range ss {
		out = append(out, s.Path)
	}
	return out
}

func TestRegistryLookups(t *testing.T) {
	r := open(t, fixtures.File(t, "models.yaml"))
	if got := paths(r.List()); len(got) != 11 || !slices.IsSorted(got) {
		t.Fatalf("List = %v", got)
	}
	for _, tc := range []struct {
		moniker string
		want    []string
	}{
		// The documented semantics: prices.*/* matches (upstream's did not).
		{"prices.equity/AAPL", []string{"market.prices/mid", "market.prices/spread"}},
		{"/prices.equity/AAPL/", []string{"market.prices/mid", "market.prices/spread"}},
		{"risk.cvar/DESK_A/USD", []string{"risk.analytics/convexity", "risk.analytics/dv01", "risk.analytics/var"}},
		{"risk.cvar/DESK_A", []string{}},
		{"performance/p1/attribution", []string{"return.attribution/alpha", "return.attribution/beta"}},
		{"fixed_income/govies/UST", []string{"risk.analytics/convexity", "risk.analytics/dv01"}},
		{"nothing/here", []string{}},
	} {
		if got := summaryPaths(r.ForMoniker(tc.moniker)); !slices.Equal(got, tc.want) {
			t.Errorf("ForMoniker(%s) = %v, want %v", tc.moniker, got, tc.want)
		}
	}
	s := r.ForMoniker("quotes/EURUSD")
	if len(s) != 2 || s[0].Unit != "price" || s[0].Formula != "(bid + ask) / 2" {
		t.Errorf("summary %+v", s)
	}
	if pats, ok := r.Monikers("market.prices/mid"); !ok || !slices.Equal(pats, []string{"prices.*/*", "quotes/*"}) {
		t.Errorf("Monikers = %v, %v", pats, ok)
	}
	if pats, ok := r.Monikers("market.prices"); !ok || len(pats) != 0 {
		t.Errorf("Monikers(container) = %v, %v", pats, ok)
	}
	if _, ok := r.Monikers("nope"); ok {
		t.Error("Monikers(nope) ok")
	}
	if r.Get("nope") != nil || r.ETag("nope") != "" || r.ETag("market.prices") == "" {
		t.Error("Get/ETag")
	}
}

// treeLines renders a tree as "path [flags]" lines, depth-indented.
// TestForMonikerFollowsChanges: the compiled patterns ForMoniker matches
// with follow every write and reload.
func TestForMonikerFollowsChanges(t *testing.T) {
	ctx := context.Background()
	path := fixtures.Copy(t, "models.yaml", "", "models.yaml")
	r := open(t, path)
	const mon = "prices.equity/AAPL"
	want := []string{"market.prices/mid", "market.prices/spread"}
	if got := summaryPaths(r.ForMoniker(mon)); !slices.Equal(got, want) {
		t.Fatalf("ForMoniker(%s) = %v, want %v", mon, got, want)
	}
	links := []models.Link{{MonikerPattern: "bonds/*"}}
	if _, err := r.Update(ctx, "market.prices/mid", models.Patch{AppearsIn: models.Some(links)}, "", "bob"); err != nil {
		t.Fatal(err)
	}
	if got := summaryPaths(r.ForMoniker(mon)); !slices.Equal(got, want[1:]) {
		t.Errorf("after the update: ForMoniker(%s) = %v, want %v", mon, got, want[1:])
	}
	if got := summaryPaths(r.ForMoniker("bonds/X")); !slices.Equal(got, want[:1]) {
		t.Errorf("after the update: ForMoniker(bonds/X) = %v, want %v", got, want[:1])
	}
	if err := os.WriteFile(path, []byte(models.Header), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := r.ForMoniker(mon); len(got) != 0 {
		t.Errorf("after reloading an empty file: ForMoniker(%s) = %v", mon, summaryPaths(got))
	}
}

func treeLines(nodes []*models.TreeNode, depth int, out *[]string) {
	for _, n := range nodes {
		line := strings.Repeat("  ", depth) + n.Name + " (" + n.DisplayName + ")"
		if n.Virtual {
			line += " virtual"
		}
		if n.IsContainer {
			line += " container"
		}
		*out = append(*out, line)
		treeLines(n.Children, depth+1, out)
	}
}

func TestTree(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "models.yaml")
	data := `
risk.analytics:
  display_name: Risk
risk.analytics/dv01:
  display_name: DV01
  appears_in: [risk/*]
orphan/deep/leaf:
  display_name: Leaf
  appears_in: [x/*]
risk.analytics/sub/x:
  display_name: X
alpha: {}
`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	r := open(t, path)
	var got []string
	treeLines(r.Tree(), 0, &got)
	want := []string{
		"alpha () container",
		"orphan (orphan) virtual container",
		"  deep (deep) virtual container",
		"    leaf (Leaf)",
		"risk.analytics (Risk) container",
		"  dv01 (DV01)",
		"  sub (sub) virtual container",
		"    x (X) container",
	}
	if !slices.Equal(got, want) {
		t.Errorf("Tree:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	b, err := json.Marshal(r.Tree()[0])
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `{"path":"alpha","name":"alpha","display_name":"","children":[],"is_container":true,"has_children":false,"virtual":false}` {
		t.Errorf("tree node JSON: %s", b)
	}
	empty := open(t, filepath.Join(dir, "none.yaml"))
	if tree := empty.Tree(); tree == nil || len(tree) != 0 {
		t.Errorf("empty tree: %v", tree)
	}
}

func TestModelJSON(t *testing.T) {
	m := &models.Model{Path: "a/b", DataType: "float", Unit: "USD",
		AppearsIn: []models.Link{{MonikerPattern: "x/*", ColumnName: "C"}},
		Aliases:   []models.Alias{{Name: "B", Type: "abbreviation"}}}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"path":"a/b","display_name":"","description":"","formula":null,"unit":"USD","data_type":"float","ownership":null,` +
		`"documentation_url":null,"methodology_url":null,"wiki_link":null,` +
		`"appears_in":[{"moniker_pattern":"x/*","column_name":"C","notes":null}],` +
		`"aliases":[{"name":"B","type":"abbreviation","context":null}],"semantic_tags":[],"tags":[]}`
	if string(b) != want {
		t.Errorf("JSON:\n%s\nwant\n%s", b, want)
	}
	m.Ownership.SupportChannel = "#x"
	b, _ = json.Marshal(m)
	if !strings.Contains(string(b), `"ownership":{"methodology_owner":null,"business_steward":null,"support_channel":"#x"}`) {
		t.Errorf("ownership JSON: %s", b)
	}
}

func TestPatch(t *testing.T) {
	var p models.Patch
	body := `{"unit": null, "data_type": null, "formula": "a+b", "ownership": {"support_channel": "#x"},
		"appears_in": ["x/*", {"moniker_pattern": "y/*", "notes": "n"}], "aliases": ["B", {"name": "C", "type": "system_name"}],
		"tags": ["b", "a", "b"], "semantic_tags": []}`
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		t.Fatal(err)
	}
	old := &models.Model{Path: "m", DisplayName: "M", Unit: "USD", DataType: "decimal",
		Ownership: models.Ownership{MethodologyOwner: "o@x.io"}, SemanticTags: []string{"s"}}
	got, keys := p.Apply(old)
	want := &models.Model{Path: "m", DisplayName: "M", Formula: "a+b", DataType: "float",
		Ownership: models.Ownership{SupportChannel: "#x"},
		AppearsIn: []models.Link{{MonikerPattern: "x/*"}, {MonikerPattern: "y/*", Notes: "n"}},
		Aliases:   []models.Alias{{Name: "B", Type: "common_name"}, {Name: "C", Type: "system_name"}},
		Tags:      []string{"a", "b"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Apply:\n got %+v\nwant %+v", got, want)
	}
	if len(keys) != 8 || !keys["semantic_tags"] || keys["display_name"] {
		t.Errorf("keys %v", keys)
	}
	if old.Unit != "USD" || len(old.SemanticTags) != 1 {
		t.Error("Apply modified its input")
	}
	// Strict: unknown keys inside nested objects are errors too.
	for _, bad := range []string{`{"ownership": {"owner": "x"}}`, `{"appears_in": [{"pattern": "x"}]}`, `{"aliases": [{"nam": "x"}]}`} {
		var p models.Patch
		if err := json.Unmarshal([]byte(bad), &p); err == nil || !strings.Contains(err.Error(), "unknown field") {
			t.Errorf("%s: %v", bad, err)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := func() *models.Model {
		m := models.New("risk.analytics/dv01")
		m.AppearsIn = []models.Link{{MonikerPattern: "risk.cvar/*/*"}}
		m.Ownership.MethodologyOwner = "quant@firm.com"
		m.DocumentationURL = "https://wiki/x"
		m.Aliases = []models.Alias{{Name: "PVBP", Type: "abbreviation"}}
		return m
	}
	if err := models.Validate(ok()); err != nil {
		t.Fatalf("valid model: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(m *models.Model)
		field string
	}{
		{"empty path", func(m *models.Model) { m.Path = "" }, "path"},
		{"leading slash", func(m *models.Model) { m.Path = "/a" }, "path"},
		{"space", func(m *models.Model) { m.Path = "a b" }, "path"},
		{"bad character", func(m *models.Model) { m.Path = "a/b$" }, "path"},
		{"segment starts with dot", func(m *models.Model) { m.Path = "a/.b" }, "path"},
		{"reserved tree", func(m *models.Model) { m.Path = "tree" }, "path"},
		{"reserved ui", func(m *models.Model) { m.Path = "ui" }, "path"},
		{"reserved for-moniker", func(m *models.Model) { m.Path = "for-moniker/x" }, "path"},
		{"reserved for-moniker root", func(m *models.Model) { m.Path = "for-moniker" }, "path"},
		{"reserved monikers suffix", func(m *models.Model) { m.Path = "a/monikers" }, "path"},
		{"empty data type", func(m *models.Model) { m.DataType = "" }, "data_type"},
		{"owner not an email", func(m *models.Model) { m.Ownership.MethodologyOwner = "Quant team" }, "ownership.methodology_owner"},
		{"steward not an email", func(m *models.Model) { m.Ownership.BusinessSteward = "x@" }, "ownership.business_steward"},
		{"relative documentation url", func(m *models.Model) { m.DocumentationURL = "wiki/x" }, "documentation_url"},
		{"methodology url scheme", func(m *models.Model) { m.MethodologyURL = "file:///etc/passwd" }, "methodology_url"},
		{"wiki link", func(m *models.Model) { m.WikiLink = "javascript:alert(1)" }, "wiki_link"},
		{"empty pattern", func(m *models.Model) { m.AppearsIn = append(m.AppearsIn, models.Link{}) }, "appears_in[1].moniker_pattern"},
		{"pattern with space", func(m *models.Model) { m.AppearsIn[0].MonikerPattern = "a b" }, "appears_in[0].moniker_pattern"},
		{"alias without name", func(m *models.Model) { m.Aliases[0].Name = "" }, "aliases[0].name"},
		{"alias type", func(m *models.Model) { m.Aliases[0].Type = "nickname" }, "aliases[0].type"},
		{"empty semantic tag", func(m *models.Model) { m.SemanticTags = []string{"a", " "} }, "semantic_tags[1]"},
		{"empty tag", func(m *models.Model) { m.Tags = []string{""} }, "tags[0]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := ok()
			tc.edit(m)
			err := models.Validate(m)
			var ve *moniker.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, moniker.ErrInvalid) || len(ve.Fields) != 1 || moniker.FieldPath(ve.Fields[0].Loc) != tc.field {
				t.Fatalf("Validate: %v, want one error on %s", err, tc.field)
			}
			if !strings.HasPrefix(err.Error(), tc.field+": ") {
				t.Errorf("message %q does not name %s", err, tc.field)
			}
		})
	}
}

func TestCRUDWritesThrough(t *testing.T) {
	ctx := context.Background()
	path := fixtures.Copy(t, "models.yaml", "", "models.yaml")
	before := readFile(t, path)
	log := audit.New(filepath.Join(t.TempDir(), "audit.jsonl"))
	r := open(t, path, models.WithAudit(log))

	m := models.New("risk.analytics/pv01")
	m.DisplayName = "PV01"
	m.AppearsIn = []models.Link{{MonikerPattern: "risk.cvar/*/*", ColumnName: "PV01"}}
	created, err := r.Create(ctx, m, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(created, m) || r.Get(m.Path) != created {
		t.Fatalf("created %+v", created)
	}
	after := readFile(t, path)
	if !strings.HasPrefix(after, before) || !strings.HasSuffix(after, "risk.analytics/pv01:\n  display_name: PV01\n  appears_in:\n    - moniker_pattern: risk.cvar/*/*\n      column_name: PV01\n") {
		t.Fatalf("after create:\n%s", after)
	}
	if got := summaryPaths(r.ForMoniker("risk.cvar/A/B")); !slices.Contains(got, "risk.analytics/pv01") {
		t.Errorf("the new model's pattern is not matched: %v", got)
	}
	if _, err := r.Create(ctx, models.New("risk.analytics/pv01"), "alice"); !errors.Is(err, moniker.ErrConflict) || err.Error() != "Model already exists: risk.analytics/pv01" {
		t.Errorf("second create: %v", err)
	}
	if _, err := r.Create(ctx, models.New("tree"), "alice"); !errors.Is(err, moniker.ErrInvalid) || !strings.HasPrefix(err.Error(), "path: ") {
		t.Errorf("reserved path: %v", err)
	}

	// Update: only that entry changes; the comments and blank lines of
	// the file stay.
	etag := r.ETag("market.prices/mid")
	up, err := r.Update(ctx, "market.prices/mid", models.Patch{
		Unit:      models.Null[string](),
		AppearsIn: models.Some([]models.Link{{MonikerPattern: "prices.*/*", ColumnName: "MID"}}),
	}, etag, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if up.Unit != "" || len(up.AppearsIn) != 1 || up.DataType != "decimal" || up.Formula != "(bid + ask) / 2" {
		t.Fatalf("updated %+v", up)
	}
	file := readFile(t, path)
	for _, keep := range []string{"# Price fields\n", "market.prices/spread:\n  display_name: Bid-Ask Spread\n", "risk.analytics/dv01:\n  display_name: DV01\n"} {
		if !strings.Contains(file, keep) {
			t.Errorf("file lost %q", keep)
		}
	}
	if _, err := r.Update(ctx, "market.prices/mid", models.Patch{DisplayName: models.Some("x")}, etag, "bob"); !errors.Is(err, moniker.ErrPrecondition) {
		t.Errorf("stale If-Match: %v", err)
	}
	if _, err := r.Update(ctx, "nope", models.Patch{}, "", "bob"); !errors.Is(err, moniker.ErrNotFound) || err.Error() != "Model not found: nope" {
		t.Errorf("update missing: %v", err)
	}
	if _, err := r.Update(ctx, "market.prices/mid", models.Patch{Path: models.Some("x/y")}, "", "bob"); !errors.Is(err, moniker.ErrInvalid) || !strings.HasPrefix(err.Error(), "path: ") {
		t.Errorf("move: %v", err)
	}
	if _, err := r.Update(ctx, "market.prices/mid", models.Patch{WikiLink: models.Some("nope")}, "", "bob"); !errors.Is(err, moniker.ErrInvalid) || !strings.HasPrefix(err.Error(), "wiki_link: ") {
		t.Errorf("bad wiki link: %v", err)
	}
	v := r.Version()
	if _, err := r.Update(ctx, "market.prices/mid", models.Patch{Path: models.Some("market.prices/mid"), Unit: models.Some("")}, "", "bob"); err != nil || r.Version() != v {
		t.Errorf("no-op update: %v, version %s -> %s", err, v, r.Version())
	}

	// Delete: not with models below it.
	err = r.Delete(ctx, "market.prices", "", "carol")
	if !errors.Is(err, moniker.ErrInvalid) || err.Error() != "Cannot delete model with children. Delete children first: [market.prices/mid, market.prices/spread]" {
		t.Errorf("delete with children: %v", err)
	}
	if err := r.Delete(ctx, "risk.analytics/pv01", `"x"`, "carol"); !errors.Is(err, moniker.ErrPrecondition) {
		t.Errorf("stale delete: %v", err)
	}
	if err := r.Delete(ctx, "risk.analytics/pv01", r.ETag("risk.analytics/pv01"), "carol"); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete(ctx, "risk.analytics/pv01", "", "carol"); !errors.Is(err, moniker.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}

	r2 := open(t, path)
	if r2.Len() != 11 || r2.Get("risk.analytics/pv01") != nil || r2.Get("market.prices/mid").Unit != "" {
		t.Errorf("reopened: %v", paths(r2.List()))
	}
	entries, err := log.Entries("", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.Path+" "+e.Actor)
	}
	want := []string{"model_created model:risk.analytics/pv01 alice", "model_updated model:market.prices/mid bob", "model_deleted model:risk.analytics/pv01 carol"}
	if !slices.Equal(got, want) {
		t.Errorf("audit %v, want %v", got, want)
	}
}

func TestConflictWithAnotherWriter(t *testing.T) {
	ctx := context.Background()
	path := fixtures.Copy(t, "models.yaml", "", "models.yaml")
	a, b := open(t, path), open(t, path)
	if _, err := a.Update(ctx, "return.attribution/beta", models.Patch{Unit: models.Some("x")}, "", "a"); err != nil {
		t.Fatal(err)
	}
	_, err := b.Update(ctx, "return.attribution/beta", models.Patch{Unit: models.Some("y")}, "", "b")
	var ce *moniker.ConflictError
	if !errors.As(err, &ce) || !slices.Equal(ce.Paths, []string{"return.attribution/beta"}) {
		t.Fatalf("b's update: %v", err)
	}
	if b.Get("return.attribution/beta").Unit != "x" {
		t.Error("b did not re-base after the conflict")
	}
	if _, err := b.Update(ctx, "return.attribution/alpha", models.Patch{Unit: models.Some("z")}, "", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Update(ctx, "market.prices/mid", models.Patch{Unit: models.Some("w")}, "", "a"); err != nil {
		t.Fatal(err)
	}
	if a.Get("return.attribution/alpha").Unit != "z" {
		t.Error("a did not pick up b's change on its save")
	}
	final := open(t, path)
	for p, unit := range map[string]string{"return.attribution/beta": "x", "return.attribution/alpha": "z", "market.prices/mid": "w"} {
		if got := final.Get(p).Unit; got != unit {
			t.Errorf("%s unit %q, want %q", p, got, unit)
		}
	}
	// HEAD's keys and our aliases survive another model's edit.
	if dv01 := final.Get("risk.analytics/dv01"); dv01.WikiLink == "" || len(dv01.Aliases) != 2 {
		t.Error("wiki_link or aliases lost")
	}
}

func TestReloadAndSave(t *testing.T) {
	ctx := context.Background()
	path := fixtures.Copy(t, "models.yaml", "", "models.yaml")
	r := open(t, path)
	good := readFile(t, path)
	broken := strings.Replace(good, "  unit: ratio\n", "  units: ratio\n", 1)
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reload(ctx); err == nil || !strings.Contains(err.Error(), "units: unknown key") || !strings.Contains(err.Error(), "the 11 models loaded before are kept") {
		t.Fatalf("Reload of a broken file: %v", err)
	}
	if r.Len() != 11 || r.Get("return.attribution/beta").Unit != "ratio" {
		t.Fatal("a failed reload changed the registry")
	}
	if _, err := r.Update(ctx, "market.prices/mid", models.Patch{Unit: models.Some("x")}, "", "a"); !errors.Is(err, moniker.ErrConflict) {
		t.Errorf("update into a broken file: %v", err)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(good, "  unit: ratio\n", "  unit: pct\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Reload(ctx); err != nil || n != 11 || r.Get("return.attribution/beta").Unit != "pct" {
		t.Fatalf("Reload: %d, %v", n, err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reload(ctx); !errors.Is(err, moniker.ErrNotFound) || !strings.Contains(err.Error(), "Models file not found") {
		t.Errorf("Reload of a missing file: %v", err)
	}
	if n, err := r.Save(ctx); err != nil || n != 11 {
		t.Fatalf("Save: %d, %v", n, err)
	}
	if again := open(t, path); !reflect.DeepEqual(again.List(), r.List()) {
		t.Error("the recreated file does not load back to the same models")
	}
	if !strings.HasPrefix(readFile(t, path), models.Header) {
		t.Error("the recreated file has no header")
	}
}
