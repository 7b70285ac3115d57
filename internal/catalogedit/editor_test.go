package catalogedit_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// TestSampleSaveUnchanged: opening our test catalog or a compat catalog
// and saving without changes leaves the file byte for byte as it was, and
// so does a no-op update of every node.
func TestSampleSaveUnchanged(t *testing.T) {
	fixtures.ForEach(t, "catalog.yaml", "sample_catalog.yaml", func(t *testing.T, src string) {
		p := fixtures.CopyFile(t, src, "", "catalog.yaml")
		before := readFile(t, p)
		e := open(t, p)
		for _, n := range e.View().Nodes() {
			// Re-sending every field with its current value is no change.
			patch := catalogedit.Patch{Set: catalogedit.Fields(), Node: *n}
			if _, _, err := e.Update(ctx, n.Path, patch, "", "alice"); err != nil {
				t.Fatalf("%s: %v", n.Path, err)
			}
		}
		if p := e.Pending(); len(p) != 0 {
			t.Fatalf("no-op updates left changes: %v", p)
		}
		res, err := e.Save(ctx, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Saved) != 0 || len(res.Files) != 0 {
			t.Errorf("save without changes wrote %v to %v", res.Saved, res.Files)
		}
		if readFile(t, p) != before {
			t.Error("the file changed")
		}
	})
}

// TestSampleRewriteEveryNode: every entry of our test catalog or a
// compat catalog replaced by the node's marshalled text through the keyed
// save path reads back as the same catalog (the round-trip test).
func TestSampleRewriteEveryNode(t *testing.T) {
	fixtures.ForEach(t, "catalog.yaml", "sample_catalog.yaml", func(t *testing.T, src string) {
		p := fixtures.CopyFile(t, src, "", "catalog.yaml")
		orig := load(t, p)
		k, err := yamlfile.SplitKeyed([]byte(readFile(t, p)))
		if err != nil {
			t.Fatal(err)
		}
		var changes []yamlfile.Change
		seen := map[string]bool{}
		for _, en := range k.Entries {
			if seen[en.Key] {
				continue
			}
			seen[en.Key] = true
			base, _ := k.Get(en.Key)
			changes = append(changes, yamlfile.Change{Key: en.Key, Text: catalog.MarshalNode(nil, orig.Get(en.Key)), Base: base})
		}
		if _, err := yamlfile.SaveKeyed(ctx, p, changes, yamlfile.SaveOptions{}); err != nil {
			t.Fatal(err)
		}
		again := load(t, p)
		if again.Len() != orig.Len() {
			t.Fatalf("%d nodes, want %d", again.Len(), orig.Len())
		}
		for _, n := range orig.Nodes() {
			if m := again.Get(n.Path); m == nil || !same(m, n) {
				t.Errorf("node %q changed:\n%+v\n%+v", n.Path, m, n)
			}
		}
	})
}

// TestUpdateKeepsEverythingElse: an update of one field keeps every other
// field of the node (status, deprecation, governance roles, cache, access
// policy, schema, docs, unknown-but-legal keys) and every other node and
// byte of the file.
func TestUpdateKeepsEverythingElse(t *testing.T) {
	p := writeTemp(t, "catalog.yaml", richCatalog)
	e := open(t, p)
	orig, _ := get(t, e, "prices.equity")
	patch := catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: "Equity closes"}}
	n, etag, err := e.Update(ctx, "prices.equity", patch, "", "alice")
	if err != nil {
		t.Fatal(err)
	}
	want := *orig
	want.Description = "Equity closes"
	if !same(n, &want) {
		t.Fatalf("updated node:\n%+v\nwant\n%+v", n, want)
	}
	if got, etag2 := get(t, e, "prices.equity"); got != n || etag2 != etag {
		t.Error("Get does not show the working copy")
	}
	if e.View().Get("prices.equity").Description != "Equity closes" {
		t.Error("View does not show the working copy")
	}
	if readFile(t, p) != richCatalog {
		t.Fatal("an update wrote to disk before save")
	}
	if _, err := e.Save(ctx, "alice"); err != nil {
		t.Fatal(err)
	}
	after := readFile(t, p)
	// Only the changed entry differs; comments and the other entries stay.
	before := strings.SplitAfter(richCatalog, "# about legacy\n")
	if !strings.HasSuffix(after, "# about legacy\n"+before[1]) || !strings.HasPrefix(after, "# Catalog header comment\n\nprices:\n") {
		t.Errorf("other bytes changed:\n%s", after)
	}
	disk := load(t, p)
	if !same(disk.Get("prices.equity"), &want) {
		t.Errorf("saved node:\n%+v\nwant\n%+v", disk.Get("prices.equity"), want)
	}
	// The ETag does not change with the save.
	if _, etag3 := get(t, e, "prices.equity"); etag3 != etag {
		t.Errorf("etag %s after save, %s before", etag3, etag)
	}
}

// TestUpdateNullClears: a set field with the zero value clears it; an
// object replaces the old one whole.
func TestUpdateNullClears(t *testing.T) {
	e := open(t, writeTemp(t, "catalog.yaml", richCatalog))
	n, _, err := e.Update(ctx, "prices", catalogedit.Patch{
		Set:  []string{"domain", "ownership"},
		Node: moniker.Node{Ownership: moniker.Ownership{moniker.ADS: "ads@firm.com"}},
	}, "", "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Domain != "" || n.Ownership != (moniker.Ownership{moniker.ADS: "ads@firm.com"}) || n.DisplayName != "Prices" {
		t.Errorf("got %+v", n)
	}
}

func TestCreateDelete(t *testing.T) {
	p := writeTemp(t, "catalog.yaml", richCatalog)
	au := audit.New(filepath.Join(filepath.Dir(p), "audit.jsonl"))
	now := time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC)
	e, err := catalogedit.Open(p, catalogedit.Options{Audit: au, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	n := &moniker.Node{Path: "prices.equity/intraday", Description: "Ticks", Tags: []string{"b", "a", "b"},
		Binding: &moniker.SourceBinding{Type: "Snowflake", ReadOnly: true, Config: map[string]any{"query": "SELECT {segments[0]}"}}}
	etag, err := e.Create(ctx, n, "alice")
	if err != nil {
		t.Fatal(err)
	}
	got, etag2 := get(t, e, n.Path)
	if etag2 != etag || got.Binding.Type != "snowflake" || !slices.Equal(got.Tags, []string{"a", "b"}) {
		t.Errorf("created node %+v %s", got, etag2)
	}
	if _, err := e.Create(ctx, n, "alice"); !errors.Is(err, moniker.ErrConflict) {
		t.Errorf("second create: %v", err)
	}
	if p := e.Pending(); !slices.Equal(p, []string{n.Path}) {
		t.Errorf("pending %v", p)
	}
	// A node with children cannot go.
	err = e.Delete(ctx, "prices.equity", "", "alice")
	var ce *moniker.ChildrenError
	if !errors.As(err, &ce) || !errors.Is(err, moniker.ErrInvalid) || !slices.Equal(ce.Children, []string{n.Path}) {
		t.Fatalf("delete with children: %v", err)
	}
	if err := e.Delete(ctx, "prices.legacy", "", "bob"); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := e.Get("prices.legacy"); ok || e.View().Get("prices.legacy") != nil {
		t.Error("deleted node still in the working copy")
	}
	if err := e.Delete(ctx, "prices.legacy", "", "bob"); !errors.Is(err, moniker.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if _, _, err := e.Update(ctx, "prices", catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: "All prices"}}, "", "carol"); err != nil {
		t.Fatal(err)
	}
	res, err := e.Save(ctx, "saver")
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"prices", "prices.equity/intraday", "prices.legacy"}; !slices.Equal(res.Saved, want) || res.Count != 4 || len(res.Files) != 1 {
		t.Errorf("save result %+v", res)
	}
	if len(e.Pending()) != 0 {
		t.Errorf("pending after save: %v", e.Pending())
	}
	disk := load(t, p)
	if disk.Get("prices.legacy") != nil || disk.Get(n.Path) == nil || disk.Get("prices").Description != "All prices" {
		t.Error("the file does not have the changes")
	}
	if !strings.Contains(readFile(t, p), "# about legacy\n") {
		t.Error("a comment went")
	}
	entries, err := au.Entries("", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got2 []string
	for _, en := range entries {
		got2 = append(got2, en.Path+" "+en.Action+" "+en.Actor+" "+en.Timestamp)
	}
	want := []string{
		"prices node_updated carol 2026-01-15T10:00:00Z",
		"prices.equity/intraday node_created alice 2026-01-15T10:00:00Z",
		"prices.legacy node_deleted bob 2026-01-15T10:00:00Z",
	}
	if !slices.Equal(got2, want) {
		t.Errorf("audit:\n%v\nwant\n%v", got2, want)
	}
	// A node created and deleted before a save leaves no change.
	if _, err := e.Create(ctx, &moniker.Node{Path: "tmp"}, ""); err != nil {
		t.Fatal(err)
	}
	if err := e.Delete(ctx, "tmp", "", ""); err != nil || len(e.Pending()) != 0 {
		t.Errorf("create+delete: %v, pending %v", err, e.Pending())
	}
}

func TestIfMatch(t *testing.T) {
	e := open(t, writeTemp(t, "catalog.yaml", richCatalog))
	_, etag := get(t, e, "prices")
	patch := catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: "x"}}
	if _, _, err := e.Update(ctx, "prices", patch, `"nope"`, ""); !errors.Is(err, moniker.ErrPrecondition) {
		t.Fatalf("wrong etag: %v", err)
	}
	_, etag2, err := e.Update(ctx, "prices", patch, `W/"`+etag+`", "other"`, "")
	if err != nil || etag2 == etag {
		t.Fatalf("matching etag: %v (etag %s -> %s)", err, etag, etag2)
	}
	if err := e.Delete(ctx, "prices.legacy", etag, ""); !errors.Is(err, moniker.ErrPrecondition) {
		t.Errorf("delete with another node's etag: %v", err)
	}
	if err := e.Delete(ctx, "prices.legacy", "*", ""); err != nil {
		t.Errorf("delete with *: %v", err)
	}
	if _, _, err := e.Update(ctx, "nothing", patch, "", ""); !errors.Is(err, moniker.ErrNotFound) {
		t.Errorf("update of a missing node: %v", err)
	}
}

// TestValidation: invalid values are refused with the field named; a
// value a write does not change is not checked.
func TestValidation(t *testing.T) {
	e := open(t, writeTemp(t, "catalog.yaml", richCatalog))
	bind := func(typ string, cfg map[string]any) *moniker.SourceBinding {
		return &moniker.SourceBinding{Type: typ, ReadOnly: true, Config: cfg}
	}
	tests := []struct {
		name  string
		node  moniker.Node
		field string
	}{
		{"empty path", moniker.Node{}, "path"},
		{"space in path", moniker.Node{Path: "a b"}, "path"},
		{"version in path", moniker.Node{Path: "a@20260101"}, "path"},
		{"namespace in path", moniker.Node{Path: "ns@a/b"}, "path"},
		{"revision in path", moniker.Node{Path: "a/b/v2"}, "path"},
		{"leading slash", moniker.Node{Path: "/a"}, "path"},
		{"scheme", moniker.Node{Path: "moniker://a"}, "path"},
		{"params", moniker.Node{Path: "a?x=1"}, "path"},
		{"source type", moniker.Node{Path: "n", Binding: bind("nosuch", nil)}, "source_binding.type"},
		{"no source type", moniker.Node{Path: "n", Binding: bind("", nil)}, "source_binding.type"},
		{"status", moniker.Node{Path: "n", Status: "retired"}, "status"},
		{"owner", moniker.Node{Path: "n", Ownership: moniker.Ownership{moniker.AccountableOwner: "Prices Team"}}, "ownership.accountable_owner"},
		{"named address", moniker.Node{Path: "n", Ownership: moniker.Ownership{moniker.ADAL: "Al <al@firm.com>"}}, "ownership.adal"},
		{"ui", moniker.Node{Path: "n", Ownership: moniker.Ownership{moniker.UI: "ftp://x"}}, "ownership.ui"},
		{"doc link", moniker.Node{Path: "n", Documentation: &moniker.Documentation{Glossary: "wiki/g"}}, "documentation.glossary"},
		{"doc additional", moniker.Node{Path: "n", Documentation: &moniker.Documentation{Additional: map[string]string{"faq": "x"}}}, "documentation.additional.faq"},
		{"migration guide", moniker.Node{Path: "n", MigrationGuideURL: "/migrate"}, "migration_guide_url"},
		{"successor", moniker.Node{Path: "n", Successor: "not a path"}, "successor"},
		{"self successor", moniker.Node{Path: "n", Successor: "n"}, "successor"},
		{"query placeholder", moniker.Node{Path: "n", Binding: bind("snowflake", map[string]any{"query": "SELECT {segment[0]}"})}, "source_binding.config.query"},
		{"table placeholder", moniker.Node{Path: "n", Binding: bind("postgres", map[string]any{"host": "db", "database": "d", "table": "t_{datee}"})}, "source_binding.config.table"},
		{"path template", moniker.Node{Path: "n", Binding: bind("rest", map[string]any{"base_url": "https://x", "path_template": "/v1/{pth}"})}, "source_binding.config.path_template"},
		{"file pattern", moniker.Node{Path: "n", Binding: bind("static", map[string]any{"base_path": "/data", "file_pattern": "{segments[0]:DATE}.csv"})}, "source_binding.config.file_pattern"},
		{"query params", moniker.Node{Path: "n", Binding: bind("rest", map[string]any{"base_url": "https://x", "query_params": map[string]any{"d": "{dat}"}})}, "source_binding.config.query_params.d"},
		{"base url", moniker.Node{Path: "n", Binding: bind("rest", map[string]any{"base_url": "api.firm.com"})}, "source_binding.config.base_url"},
		{"cache", moniker.Node{Path: "n", Binding: &moniker.SourceBinding{Type: "static", Config: map[string]any{"base_path": "/data"}, Cache: &moniker.BindingCache{TTLSeconds: -1}}}, "source_binding.cache.ttl_seconds"},
		{"required config key", moniker.Node{Path: "n", Binding: bind("sqlite", map[string]any{"query": "SELECT 1"})}, "source_binding.config.path"},
		{"blocked pattern", moniker.Node{Path: "n", AccessPolicy: &moniker.AccessPolicy{BaseRowCount: 100, BlockedPatterns: []string{"ok", "("}}}, "access_policy.blocked_patterns[1]"},
		{"min filters", moniker.Node{Path: "n", AccessPolicy: &moniker.AccessPolicy{MinFilters: -1}}, "access_policy.min_filters"},
		{"column name", moniker.Node{Path: "n", Schema: &moniker.NodeSchema{Columns: []moniker.Column{{Name: "a"}, {Type: "int"}}}}, "schema.columns[1].name"},
		{"empty tag", moniker.Node{Path: "n", Tags: []string{"a", " "}}, "tags[0]"},
		{"unknown extra key", moniker.Node{Path: "n", Extra: map[string]any{"bogus": 1}}, "extra.bogus"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := tt.node
			_, err := e.Create(ctx, &n, "")
			var ve *moniker.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, moniker.ErrInvalid) {
				t.Fatalf("err = %v", err)
			}
			if len(ve.Fields) != 1 || moniker.FieldPath(ve.Fields[0].Loc) != tt.field {
				t.Errorf("fields %+v, want %s", ve.Fields, tt.field)
			}
		})
	}
	if len(e.Pending()) != 0 {
		t.Fatalf("refused writes left changes: %v", e.Pending())
	}
	// The legacy node's owner and template predate the rules: editing its
	// description still works; changing them to other bad values does not.
	if _, _, err := e.Update(ctx, "prices.legacy", catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: "d"}}, "", ""); err != nil {
		t.Errorf("update of another field: %v", err)
	}
	legacy, _ := get(t, e, "prices.legacy")
	b := *legacy.Binding
	b.Config = map[string]any{"query": legacy.Binding.Config["query"], "database": "DB"}
	if _, _, err := e.Update(ctx, "prices.legacy", catalogedit.Patch{Set: []string{"source_binding"}, Node: moniker.Node{Binding: &b}}, "", ""); err != nil {
		t.Errorf("binding update keeping the old template: %v", err)
	}
	b.Config = map[string]any{"query": "SELECT {other}"}
	if _, _, err := e.Update(ctx, "prices.legacy", catalogedit.Patch{Set: []string{"source_binding"}, Node: moniker.Node{Binding: &b}}, "", ""); !errors.Is(err, moniker.ErrInvalid) {
		t.Errorf("new unknown placeholder: %v", err)
	}
	if _, _, err := e.Update(ctx, "prices", catalogedit.Patch{Set: []string{"nosuch"}}, "", ""); !errors.Is(err, moniker.ErrInvalid) {
		t.Errorf("unknown patch field: %v", err)
	}
	// Valid values of every checked kind pass.
	ok := &moniker.Node{Path: "prices.fx/spot-rates_2.x", Successor: "prices.fx2", MigrationGuideURL: "http://wiki/x",
		Ownership: moniker.Ownership{moniker.AccountableOwner: "a@firm.com", moniker.UI: "https://ui.firm.com/fx"},
		Binding: bind("rest", map[string]any{"base_url": "https://api.firm.com", "path_template": "/fx/{segments[0]}",
			"query_params": map[string]any{"d": "{version_date}", "n": 5}}),
		AccessPolicy: &moniker.AccessPolicy{BaseRowCount: 100, BlockedPatterns: []string{"^ALL$"}},
		Extra:        map[string]any{"vendor": "Acme"}}
	if _, err := e.Create(ctx, ok, ""); err != nil {
		t.Errorf("valid node: %v", err)
	}
}

// TestConflicts: two editors on one file; changes of different nodes
// both land, changes of the same node: the second save is refused.
func TestConflicts(t *testing.T) {
	p := writeTemp(t, "catalog.yaml", richCatalog)
	a, b := open(t, p), open(t, p)
	desc := func(s string) catalogedit.Patch {
		return catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: s}}
	}
	if _, _, err := a.Update(ctx, "prices", desc("from a"), "", "a"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Update(ctx, "prices.legacy", desc("from b"), "", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Save(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Save(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	disk := load(t, p)
	if disk.Get("prices").Description != "from a" || disk.Get("prices.legacy").Description != "from b" {
		t.Fatal("a change was lost")
	}
	// b's base is now the file as written: it sees a's change.
	if n, _ := get(t, b, "prices"); n.Description != "from a" {
		t.Errorf("b does not see a's saved change: %q", n.Description)
	}

	// Both change the same node: the second save is refused, writes
	// nothing, and keeps its changes.
	if _, _, err := a.Update(ctx, "prices.equity2", desc("a2"), "", "a"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := b.Update(ctx, "prices.equity2", desc("b2"), "", "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Create(ctx, &moniker.Node{Path: "other"}, "b"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Save(ctx, "a"); err != nil {
		t.Fatal(err)
	}
	before := readFile(t, p)
	_, err := b.Save(ctx, "b")
	var ce *moniker.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, moniker.ErrConflict) || !slices.Equal(ce.Paths, []string{"prices.equity2"}) {
		t.Fatalf("err = %v", err)
	}
	if readFile(t, p) != before {
		t.Error("a refused save wrote the file")
	}
	if got := b.Pending(); !slices.Equal(got, []string{"other", "prices.equity2"}) {
		t.Errorf("pending after the conflict: %v", got)
	}
	// Reload keeps the unsaved changes; discarding the conflicting one
	// lets the rest save.
	if err := b.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if got := b.Discard("prices.equity2"); !slices.Equal(got, []string{"prices.equity2"}) {
		t.Errorf("discarded %v", got)
	}
	if n, _ := get(t, b, "prices.equity2"); n.Description != "a2" {
		t.Errorf("after discard: %q", n.Description)
	}
	if _, err := b.Save(ctx, "b"); err != nil {
		t.Fatal(err)
	}
	if load(t, p).Get("other") == nil {
		t.Error("other was not saved")
	}
}

// TestConcurrentEditorsLoseNothing: two editors on one file saving
// changes of different nodes concurrently lose none.
func TestConcurrentEditorsLoseNothing(t *testing.T) {
	p := writeTemp(t, "catalog.yaml", richCatalog)
	editors := []*catalogedit.Editor{open(t, p), open(t, p)}
	const each = 15
	var wg sync.WaitGroup
	for w, e := range editors {
		wg.Go(func() {
			for i := range each {
				path := fmt.Sprintf("w%d/n%d", w, i)
				if _, err := e.Create(ctx, &moniker.Node{Path: path, Description: "x"}, "w"); err != nil {
					t.Error(err)
					return
				}
				if _, err := e.Save(ctx, "w"); err != nil {
					t.Error(err)
					return
				}
				_ = e.View().Len() // readers run alongside
			}
		})
	}
	wg.Wait()
	disk := load(t, p)
	if disk.Len() != 4+2*each {
		t.Errorf("%d nodes on disk, want %d", disk.Len(), 4+2*each)
	}
}

// TestConcurrentUse exercises the editor from many goroutines (run with
// -race).
func TestConcurrentUse(t *testing.T) {
	e := open(t, writeTemp(t, "catalog.yaml", richCatalog))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 20 {
				path := fmt.Sprintf("c%d/n%d", w, i)
				if _, err := e.Create(ctx, &moniker.Node{Path: path}, ""); err != nil {
					t.Error(err)
				}
				v := e.View()
				for _, n := range v.Nodes() {
					_ = n.Index
				}
				_, _, _ = e.Get("prices")
				_ = e.Children("prices")
				if i%5 == 0 {
					if _, err := e.Save(ctx, ""); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if _, err := e.Save(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if n := load(t, e.Path()).Len(); n != 4+80 {
		t.Errorf("%d nodes", n)
	}
}

func TestCommit(t *testing.T) {
	p := writeTemp(t, "catalog.yaml", richCatalog)
	au := audit.New(filepath.Join(filepath.Dir(p), audit.FileName))
	e, err := catalogedit.Open(p, catalogedit.Options{Audit: au})
	if err != nil {
		t.Fatal(err)
	}
	// An unsaved change of another node stays unsaved.
	if _, _, err := e.Update(ctx, "prices.legacy", catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: "unsaved"}}, "", ""); err != nil {
		t.Fatal(err)
	}
	cur, etag := get(t, e, "prices.equity2")
	ch := moniker.StatusChange{Status: moniker.StatusActive, Actor: "gov"}
	next := ch.Apply(cur, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC))
	if err := e.Commit(ctx, []catalogedit.NodeChange{{Path: cur.Path, Node: next, IfMatch: `"` + etag + `"`}}, "gov"); err != nil {
		t.Fatal(err)
	}
	disk := load(t, p)
	if disk.Get("prices.equity2").Status != moniker.StatusActive || disk.Get("prices.legacy").Description == "unsaved" {
		t.Error("commit wrote the wrong things")
	}
	if got := e.Pending(); !slices.Equal(got, []string{"prices.legacy"}) {
		t.Errorf("pending %v", got)
	}
	if n, _ := get(t, e, "prices.equity2"); n.Status != moniker.StatusActive {
		t.Error("the working copy does not show the commit")
	}
	// The old ETag no longer matches.
	if err := e.Commit(ctx, []catalogedit.NodeChange{{Path: cur.Path, Node: cur, IfMatch: etag}}, "gov"); !errors.Is(err, moniker.ErrPrecondition) {
		t.Errorf("stale etag: %v", err)
	}
	if err := e.Commit(ctx, []catalogedit.NodeChange{{Path: "prices", Node: &moniker.Node{Path: "prices"}, Create: true}}, ""); !errors.Is(err, moniker.ErrConflict) {
		t.Errorf("create of an existing node: %v", err)
	}
	if err := e.Commit(ctx, []catalogedit.NodeChange{{Path: "nothing", Node: &moniker.Node{Path: "nothing"}}}, ""); !errors.Is(err, moniker.ErrNotFound) {
		t.Errorf("update of a missing node: %v", err)
	}
	if err := e.Commit(ctx, []catalogedit.NodeChange{{Path: "bad path", Node: &moniker.Node{Path: "bad path"}, Create: true}}, ""); !errors.Is(err, moniker.ErrInvalid) {
		t.Errorf("invalid new node: %v", err)
	}
	// A commit that changes nothing writes nothing.
	before := readFile(t, p)
	same, _ := get(t, e, "prices.equity2")
	if err := e.Commit(ctx, []catalogedit.NodeChange{{Path: same.Path, Node: same}}, ""); err != nil || readFile(t, p) != before {
		t.Errorf("no-op commit: %v, file changed %v", err, readFile(t, p) != before)
	}
	// A new node and a deletion in one commit.
	err = e.Commit(ctx, []catalogedit.NodeChange{
		{Path: "risk/stress", Node: &moniker.Node{Path: "risk/stress", Description: "approved"}, Create: true},
		{Path: "prices.equity2"},
	}, "approver")
	if err != nil {
		t.Fatal(err)
	}
	disk = load(t, p)
	if disk.Get("risk/stress") == nil || disk.Get("prices.equity2") != nil {
		t.Error("commit of a create and a delete did not land")
	}
	// A hand edit of the file: a commit guarded by the editor's older
	// ETag is refused; an unguarded one reads the file again and lands.
	data := strings.Replace(readFile(t, p), "description: approved", "description: by hand", 1)
	if err := yamlfile.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	_, stale := get(t, e, "risk/stress")
	next = &moniker.Node{Path: "risk/stress", Description: "committed"}
	if err := e.Commit(ctx, []catalogedit.NodeChange{{Path: "risk/stress", Node: next, IfMatch: stale}}, ""); !errors.Is(err, moniker.ErrPrecondition) {
		t.Errorf("commit with the editor's stale etag: %v", err)
	}
	if err := e.Commit(ctx, []catalogedit.NodeChange{{Path: "risk/stress", Node: next}}, ""); err != nil {
		t.Fatal(err)
	}
	if got := load(t, p).Get("risk/stress").Description; got != "committed" {
		t.Errorf("description %q", got)
	}
	if n, _ := get(t, e, "risk/stress"); n.Description != "committed" {
		t.Errorf("working copy %q", n.Description)
	}
	entries, err := au.Entries("", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, en := range entries {
		got = append(got, fmt.Sprint(en.Action, " ", en.Path, " ", en.Actor, " ", en.OldValue, " ", en.NewValue))
	}
	want := []string{
		"node_updated prices.equity2 gov draft active",
		"node_created risk/stress approver <nil> <nil>",
		"node_deleted prices.equity2 approver <nil> <nil>",
		"node_updated risk/stress  <nil> <nil>",
	}
	if !slices.Equal(got, want) {
		t.Errorf("audit:\n%q\nwant\n%q", got, want)
	}
}

func TestReload(t *testing.T) {
	p := writeTemp(t, "catalog.yaml", richCatalog)
	e := open(t, p)
	v0 := e.Version()
	if _, err := e.Create(ctx, &moniker.Node{Path: "mine"}, ""); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(richCatalog+"external:\n  description: by hand\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	if _, _, ok := e.Get("external"); !ok || e.Version() == v0 {
		t.Error("reload did not pick up the external node")
	}
	if _, _, ok := e.Get("mine"); !ok {
		t.Error("reload dropped an unsaved change")
	}
	// A broken file leaves the editor as it was.
	if err := os.WriteFile(p, []byte("a:\n  nosuchkey: 1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := e.Reload(ctx); !errors.Is(err, moniker.ErrInvalid) {
		t.Fatalf("reload of a bad file: %v", err)
	}
	if _, _, ok := e.Get("external"); !ok {
		t.Error("a failed reload changed the working copy")
	}
}

func TestMissingFileCreatedOnSave(t *testing.T) {
	p := filepath.Join(t.TempDir(), "new.yaml")
	e := open(t, p)
	if e.View().Len() != 0 {
		t.Fatal("not empty")
	}
	if _, err := e.Create(ctx, &moniker.Node{Path: "a/b", Description: "first"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Save(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, p); got != "a/b:\n  description: first\n" {
		t.Errorf("file:\n%s", got)
	}
}

func TestFolderCatalog(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("a.yaml", "# a\nshared:\n  description: from a\nonly_a:\n  description: a\n")
	write("b.yaml", "# b\nshared:\n  description: from b\nonly_b: {}\n")
	write("c.json", `{"json_node": {"description": "j"}}`)
	e := open(t, dir)
	if n, _ := get(t, e, "shared"); n.Description != "from b" {
		t.Fatalf("shared = %q", n.Description)
	}
	upd := catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: "edited"}}
	if _, _, err := e.Update(ctx, "shared", upd, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Update(ctx, "only_a", upd, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Create(ctx, &moniker.Node{Path: "fresh"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Update(ctx, "json_node", upd, "", ""); !errors.Is(err, moniker.ErrNotImplemented) {
		t.Errorf("edit of a JSON file's node: %v", err)
	}
	res, err := e.Save(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 2 {
		t.Errorf("files written %v", res.Files)
	}
	a, b := readFile(t, filepath.Join(dir, "a.yaml")), readFile(t, filepath.Join(dir, "b.yaml"))
	if a != "# a\nshared:\n  description: from a\nonly_a:\n  description: edited\n" {
		t.Errorf("a.yaml:\n%s", a)
	}
	if b != "# b\nshared:\n  description: edited\nonly_b: {}\nfresh: {}\n" {
		t.Errorf("b.yaml:\n%s", b)
	}
	// Deleting a node removes it from every file, so no older entry
	// comes back.
	if err := e.Delete(ctx, "shared", "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Save(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if c := load(t, dir); c.Get("shared") != nil || c.Len() != 4 {
		t.Errorf("after delete: %d nodes, shared %v", c.Len(), c.Get("shared"))
	}

	// A folder with no editable YAML file gets catalog.yaml.
	dir2 := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir2, "x.json"), []byte(`{"x": {}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	e2 := open(t, dir2)
	if _, err := e2.Create(ctx, &moniker.Node{Path: "yy"}, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e2.Save(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, filepath.Join(dir2, "catalog.yaml")); got != "yy: {}\n" {
		t.Errorf("catalog.yaml: %q", got)
	}
	if c := load(t, dir2); c.Len() != 2 {
		t.Errorf("%d nodes", c.Len())
	}
	if files := e2.Files(); len(files) != 2 {
		t.Errorf("files %v", files)
	}
}

// TestChangedNodesOnly: a save of one node of a file with duplicate keys
// and odd formatting touches nothing else.
func TestChangedNodesOnly(t *testing.T) {
	p := fixtures.Copy(t, "catalog.yaml", "", "catalog.yaml")
	before := readFile(t, p)
	e := open(t, p)
	if _, _, err := e.Update(ctx, "flows.aum", catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: "AUM"}}, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Save(ctx, ""); err != nil {
		t.Fatal(err)
	}
	after := readFile(t, p)
	orig, again := load(t, writeTemp(t, "orig.yaml", before)), load(t, p)
	for _, n := range orig.Nodes() {
		m := again.Get(n.Path)
		if n.Path == "flows.aum" {
			if m.Description != "AUM" {
				t.Error("the change is not there")
			}
			continue
		}
		if !same(n, m) {
			t.Errorf("node %q changed", n.Path)
		}
	}
	if len(after) > len(before) || !strings.Contains(after, "flows.aum:\n") {
		t.Errorf("the file grew from %d to %d bytes", len(before), len(after))
	}
}

// TestEntriesThatDoNotParseAlone: a file whose entries the loader cannot
// parse one by one (it reads the file whole) is not edited node by node,
// since the entries the save would replace are not the loader's nodes.
func TestEntriesThatDoNotParseAlone(t *testing.T) {
	for name, data := range map[string]string{
		"shared anchor":           "a: &base\n  description: x\nb: *base\n",
		"quoted text at column 0": "a: {description: \"one\nb: two\"}\nc: {}\n",
	} {
		t.Run(name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "catalog.yaml")
			if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			e := open(t, p)
			upd := catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: "edited"}}
			if _, _, err := e.Update(ctx, "a", upd, "", ""); !errors.Is(err, moniker.ErrNotImplemented) {
				t.Errorf("Update: %v, want ErrNotImplemented", err)
			}
			if got := readFile(t, p); got != data {
				t.Errorf("file changed:\n%s", got)
			}
		})
	}
}
