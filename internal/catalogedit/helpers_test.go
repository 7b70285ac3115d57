package catalogedit_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/moniker"
)

var ctx = context.Background()

// writeTemp writes content to name in a fresh temp folder and returns the
// file's path.
func writeTemp(t testing.TB, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func open(t testing.TB, path string) *catalogedit.Editor {
	t.Helper()
	e, err := catalogedit.Open(path, catalogedit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func readFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// load loads a catalog file or folder as the resolver would.
func load(t testing.TB, p string) *catalog.Catalog {
	t.Helper()
	c, _, err := catalog.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// same reports whether two nodes are equal but for where they were loaded.
func same(a, b *moniker.Node) bool {
	x, y := *a, *b
	x.File, x.Line, x.Index = "", 0, 0
	y.File, y.Line, y.Index = "", 0, 0
	return reflect.DeepEqual(x, y)
}

func get(t testing.TB, e *catalogedit.Editor, path string) (*moniker.Node, string) {
	t.Helper()
	n, etag, ok := e.Get(path)
	if !ok {
		t.Fatalf("node %q not in the working copy", path)
	}
	return n, etag
}

// richCatalog has every kind of field a lossy writer used to drop.
const richCatalog = `# Catalog header comment

prices:
  display_name: Prices
  domain: prices
  ownership:
    accountable_owner: prices-owner@firm.com
    adop: adop@firm.com
    adop_name: Ada Owner
    ui: https://ui.firm.com/prices
prices.equity:
  description: Equity prices
  source_binding:
    type: snowflake
    config:
      account: acct
      query: SELECT * FROM P WHERE sym = '{segments[0]}'
    allowed_operations: [read]
    cache:
      enabled: true
      ttl_seconds: 60
  schema:
    columns:
      - name: SYM
        type: string
        primary_key: true
  access_policy:
    min_filters: 1
    allowed_hours: [8, 18]
  documentation:
    glossary: https://wiki.firm.com/g
    additional:
      faq: https://wiki.firm.com/faq
  tags: [equity, prices]
  status: deprecated
  deprecation_message: Use prices.equity2
  successor: prices.equity2
  sunset_deadline: 2026-06-30
  migration_guide_url: https://wiki.firm.com/migrate
  vendor: Acme
  created_at: 2025-01-01
# about legacy
prices.legacy:
  description: keeps an old owner and template
  ownership:
    accountable_owner: Prices Team
  source_binding:
    type: oracle
    config:
      query: SELECT * FROM T WHERE c = '{currency}'
prices.equity2:
  status: draft
`
