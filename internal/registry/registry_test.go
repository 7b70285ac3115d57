package registry_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/registry"
)

var ctx = context.Background()

// item is the entry of a test registry file: "key: value" lines.
type item struct{ Key, Value string }

const header = "# items\n"

func itemKind() registry.Kind[item] {
	return registry.Kind[item]{
		Noun:   "item",
		Header: header,
		Parse: func(name string, data []byte) ([]*item, error) {
			var m map[string]string
			if err := yaml.Unmarshal(data, &m); err != nil {
				return nil, fmt.Errorf("%s: %w", name, err)
			}
			var out []*item
			for k, v := range m {
				if v == "bad" {
					return nil, fmt.Errorf("%s: %s: bad value", name, k)
				}
				out = append(out, &item{k, v})
			}
			return out, nil
		},
		Key:     func(it *item) string { return it.Key },
		Marshal: func(it *item) []byte { return []byte(it.Key + ": " + it.Value + "\n") },
	}
}

// open opens a registry on a file holding content ("" = no file), with
// an audit log beside it.
func open(t *testing.T, content string) (*registry.Registry[item], *audit.Log) {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "items.yaml")
	if content != "" {
		writeFile(t, path, content)
	}
	log := audit.New(filepath.Join(dir, audit.FileName))
	r, err := registry.Open(path, itemKind(), registry.WithAudit(log))
	if err != nil {
		t.Fatal(err)
	}
	return r, log
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// set returns an Update change that sets the value.
func set(v string) func(*item) (*item, error) {
	return func(old *item) (*item, error) { return &item{old.Key, v}, nil }
}

func TestOpenSortsAndCreateWritesThrough(t *testing.T) {
	r, log := open(t, "")
	if r.Len() != 0 || r.Get("a") != nil {
		t.Fatalf("a missing file is not an empty registry: %d entries", r.Len())
	}
	for _, k := range []string{"b", "a"} {
		got, err := r.Create(ctx, &item{k, "1"}, "alice")
		if err != nil {
			t.Fatal(err)
		}
		if *got != (item{k, "1"}) || got != r.Get(k) {
			t.Errorf("Create(%s) = %+v, not the entry read back", k, got)
		}
	}
	if got := readFile(t, r.Path()); got != header+"b: 1\na: 1\n" {
		t.Errorf("file:\n%s", got)
	}
	if l := r.List(); len(l) != 2 || l[0].Key != "a" || l[1].Key != "b" {
		t.Errorf("List() is not sorted by key: %+v", l)
	}
	if _, err := r.Create(ctx, &item{"a", "2"}, "alice"); !errors.Is(err, moniker.ErrConflict) || err.Error() != "Item already exists: a" {
		t.Errorf("second Create = %v, want ErrConflict", err)
	}
	entries, err := log.Entries("item:a", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 1 || entries[0].Action != "item_created" || entries[0].Actor != "alice" || entries[0].NewValue != "a: 1\n" || entries[0].OldValue != nil {
		t.Errorf("audit entries %+v", entries)
	}
}

func TestUpdate(t *testing.T) {
	tests := []struct {
		name     string
		ifMatch  func(etag string) string
		change   func(*item) (*item, error)
		wantErr  error
		wantFile string
	}{
		{"no If-Match", func(string) string { return "" }, set("2"), nil, "a: 2\nb: 1\n"},
		{"matching ETag", func(e string) string { return e }, set("2"), nil, "a: 2\nb: 1\n"},
		{"weak ETag in a list", func(e string) string { return `"x", W/` + e }, set("2"), nil, "a: 2\nb: 1\n"},
		{"star", func(string) string { return "*" }, set("2"), nil, "a: 2\nb: 1\n"},
		{"stale ETag", func(string) string { return `"stale"` }, set("2"), moniker.ErrPrecondition, "a: 1\nb: 1\n"},
		{"change refused", func(string) string { return "" }, func(*item) (*item, error) { return nil, moniker.ErrInvalid }, moniker.ErrInvalid, "a: 1\nb: 1\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, _ := open(t, "a: 1\nb: 1\n")
			_, etag := r.Entry("a")
			got, err := r.Update(ctx, "a", tt.ifMatch(etag), "bob", tt.change)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Update() error = %v, want %v", err, tt.wantErr)
			}
			if err == nil && (got.Value != "2" || r.ETag("a") == etag) {
				t.Errorf("Update() = %+v, ETag %s (was %s)", got, r.ETag("a"), etag)
			}
			if f := readFile(t, r.Path()); f != tt.wantFile {
				t.Errorf("file:\n%s\nwant:\n%s", f, tt.wantFile)
			}
		})
	}
}

func TestUpdateNoChangeWritesNothing(t *testing.T) {
	r, log := open(t, "a: 1\n")
	v := r.Version()
	old := r.Get("a")
	got, err := r.Update(ctx, "a", "", "bob", set("1"))
	if err != nil || got != old || r.Version() != v {
		t.Errorf("no-op Update() = %p, %v; version %s, was %s", got, err, r.Version(), v)
	}
	if entries, _ := log.Entries("", 0); len(entries) != 0 {
		t.Errorf("a no-op update was audited: %+v", entries)
	}
}

func TestNotFound(t *testing.T) {
	r, _ := open(t, "a: 1\n")
	for name, err := range map[string]error{
		"Update": func() error { _, err := r.Update(ctx, "x", "", "bob", set("2")); return err }(),
		"Delete": r.Delete(ctx, "x", "", "bob", nil),
	} {
		if !errors.Is(err, moniker.ErrNotFound) || err.Error() != "Item not found: x" {
			t.Errorf("%s of a missing entry: %v", name, err)
		}
	}
}

func TestConflictRebases(t *testing.T) {
	r, _ := open(t, "a: 1\nb: 1\n")
	writeFile(t, r.Path(), "a: other\nb: 1\nc: 3\n") // another writer
	_, err := r.Update(ctx, "a", "", "bob", set("2"))
	var conflict *moniker.ConflictError
	if !errors.As(err, &conflict) || len(conflict.Paths) != 1 || conflict.Paths[0] != "a" {
		t.Fatalf("Update() after another writer = %v, want a conflict on a", err)
	}
	if r.Get("a").Value != "other" || r.Get("c") == nil {
		t.Errorf("registry did not re-base on the file: a=%+v c=%+v", r.Get("a"), r.Get("c"))
	}
	// A change to another entry goes through and keeps theirs.
	if _, err := r.Update(ctx, "b", "", "bob", set("2")); err != nil {
		t.Fatal(err)
	}
	if f := readFile(t, r.Path()); f != "a: other\nb: 2\nc: 3\n" {
		t.Errorf("file:\n%s", f)
	}
}

func TestBrokenFileOnDiskRefusesWrites(t *testing.T) {
	r, _ := open(t, "a: 1\nb: 1\n")
	writeFile(t, r.Path(), "a: 1\nb: 1\nc: bad\n")
	_, err := r.Update(ctx, "a", "", "bob", set("2"))
	if !errors.Is(err, moniker.ErrConflict) || !strings.Contains(err.Error(), "no longer loads") {
		t.Fatalf("Update() over a broken file = %v", err)
	}
	if f := readFile(t, r.Path()); f != "a: 1\nb: 1\nc: bad\n" {
		t.Errorf("the broken file was written:\n%s", f)
	}
}

func TestDelete(t *testing.T) {
	r, log := open(t, "a: 1\nb: 1\n")
	refused := errors.New("refused")
	if err := r.Delete(ctx, "a", "", "bob", func(s *registry.Snapshot[item]) error {
		if s.Get("b") == nil || len(s.List()) != 2 {
			t.Errorf("refuse got the wrong state: %+v", s.List())
		}
		return refused
	}); !errors.Is(err, refused) {
		t.Errorf("refused Delete() = %v", err)
	}
	if err := r.Delete(ctx, "a", `"stale"`, "bob", nil); !errors.Is(err, moniker.ErrPrecondition) {
		t.Errorf("Delete() with a stale ETag = %v", err)
	}
	if err := r.Delete(ctx, "a", r.ETag("a"), "bob", nil); err != nil {
		t.Fatal(err)
	}
	if f := readFile(t, r.Path()); f != "b: 1\n" || r.Get("a") != nil {
		t.Errorf("after Delete: file %q, Get(a) = %+v", f, r.Get("a"))
	}
	entries, _ := log.Entries("item:a", 0)
	if len(entries) != 1 || entries[0].Action != "item_deleted" || entries[0].OldValue != "a: 1\n" || entries[0].NewValue != nil {
		t.Errorf("audit entries %+v", entries)
	}
}

func TestSaveRecreatesMissingFile(t *testing.T) {
	r, _ := open(t, "b: 1\na: 1\n")
	if n, err := r.Save(ctx); n != 2 || err != nil {
		t.Fatalf("Save() = %d, %v", n, err)
	}
	if f := readFile(t, r.Path()); f != "b: 1\na: 1\n" {
		t.Errorf("Save() rewrote an existing file:\n%s", f)
	}
	if err := os.Remove(r.Path()); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Save(ctx); n != 2 || err != nil {
		t.Fatalf("Save() = %d, %v", n, err)
	}
	if f := readFile(t, r.Path()); f != header+"a: 1\nb: 1\n" {
		t.Errorf("Save() of a missing file wrote:\n%s", f)
	}
}

func TestReload(t *testing.T) {
	r, _ := open(t, "a: 1\n")
	writeFile(t, r.Path(), "a: 1\nb: bad\n")
	if _, err := r.Reload(ctx); err == nil || !strings.Contains(err.Error(), "the 1 items loaded before are kept") {
		t.Errorf("Reload() of a broken file = %v", err)
	}
	if r.Len() != 1 {
		t.Errorf("a failed Reload changed the registry: %d entries", r.Len())
	}
	writeFile(t, r.Path(), "a: 1\nb: 2\n")
	if n, err := r.Reload(ctx); n != 2 || err != nil || r.Get("b") == nil {
		t.Errorf("Reload() = %d, %v", n, err)
	}
	if err := os.Remove(r.Path()); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reload(ctx); !errors.Is(err, moniker.ErrNotFound) || !strings.HasPrefix(err.Error(), "Items file not found: ") {
		t.Errorf("Reload() of a missing file = %v", err)
	}
}
