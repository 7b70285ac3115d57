package catalogedit_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/moniker-svc/moniker/internal/catalog/gen"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// bigCatalog writes a 100,000-node synthetic catalog (cmd/catgen's
// generator, about 60 MB) to a temp folder.
func bigCatalog(b *testing.B) string {
	b.Helper()
	p := filepath.Join(b.TempDir(), "catalog.yaml")
	f, err := os.Create(p)
	if err != nil {
		b.Fatal(err)
	}
	if err := gen.Write(f, gen.Options{Nodes: 100_000, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	if err := f.Close(); err != nil {
		b.Fatal(err)
	}
	return p
}

// BenchmarkOpen100k: reading and indexing a 100k-node catalog.
func BenchmarkOpen100k(b *testing.B) {
	p := bigCatalog(b)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := catalogedit.Open(p, catalogedit.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkView100k: the cost of the first View after a change (the
// working copy is rebuilt: nodes copied, catalog re-indexed).
func BenchmarkView100k(b *testing.B) {
	e, err := catalogedit.Open(bigCatalog(b), catalogedit.Options{})
	if err != nil {
		b.Fatal(err)
	}
	path := e.View().Nodes()[500].Path
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		patch := catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: string(rune('a' + i%26))}}
		if _, _, err := e.Update(ctx, path, patch, "", ""); err != nil {
			b.Fatal(err)
		}
		if e.View().Get(path) == nil {
			b.Fatal("lost")
		}
	}
}

// BenchmarkUpdateSave100k: one node edited and saved in a 100k-node
// catalog (the UI's edit-then-save), file write and re-index included.
func BenchmarkUpdateSave100k(b *testing.B) {
	e, err := catalogedit.Open(bigCatalog(b), catalogedit.Options{})
	if err != nil {
		b.Fatal(err)
	}
	path := e.View().Nodes()[500].Path
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		patch := catalogedit.Patch{Set: []string{"description"}, Node: moniker.Node{Description: string(rune('a' + i%26))}}
		if _, _, err := e.Update(ctx, path, patch, "", ""); err != nil {
			b.Fatal(err)
		}
		if _, err := e.Save(ctx, ""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGet100k: a read by path, as GET /config/nodes/{path} does.
func BenchmarkGet100k(b *testing.B) {
	e, err := catalogedit.Open(bigCatalog(b), catalogedit.Options{})
	if err != nil {
		b.Fatal(err)
	}
	path := e.View().Nodes()[500].Path
	b.ReportAllocs()
	for b.Loop() {
		if _, _, ok := e.Get(path); !ok {
			b.Fatal("missing")
		}
	}
}
