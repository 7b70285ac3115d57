package demo

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/sqlite"
)

// dump returns every row of every demo table, in key order, as text.
func dump(t *testing.T, path string) []byte {
	t.Helper()
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b bytes.Buffer
	for _, q := range []string{
		"SELECT * FROM equity_prices ORDER BY ticker, trade_date",
		"SELECT * FROM zero_curves ORDER BY currency, curve_date, tenor_days",
		"SELECT * FROM gics ORDER BY code",
		"SELECT * FROM currencies ORDER BY code",
	} {
		rows, err := db.Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintln(&b, vals...)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return b.Bytes()
}

// TestDatabase checks the generated demo database: the same rows on every
// generation, a few thousand of them, consistent prices on trading days
// only, and the NULLs the catalog's descriptions promise.
func TestDatabase(t *testing.T) {
	a, b := filepath.Join(t.TempDir(), "a.sqlite"), filepath.Join(t.TempDir(), "b.sqlite")
	for _, p := range []string{a, b} {
		if err := writeDatabase(context.Background(), p); err != nil {
			t.Fatal(err)
		}
	}
	da, db := dump(t, a), dump(t, b)
	if !bytes.Equal(da, db) {
		t.Fatal("two generations of the demo database differ")
	}
	t.Logf("demo database: %d bytes of rows, sha256 %x", len(da), sha256.Sum256(da))

	conn, err := sql.Open("sqlite", sqlite.DSN(a))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := conn.QueryRow(q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return n
	}
	total := 0
	for _, tb := range []string{"equity_prices", "zero_curves", "gics", "currencies"} {
		total += count("SELECT count(*) FROM " + tb)
	}
	if total < 2000 || total > 20000 {
		t.Errorf("%d rows in all, want a few thousand", total)
	}
	for q, want := range map[string]int{
		// Prices hold together.
		"SELECT count(*) FROM equity_prices WHERE high < max(open, close) OR low > min(open, close) OR low <= 0 OR volume <= 0": 0,
		// Every share trades on every trading day, 2026-01-15 among them.
		"SELECT count(DISTINCT trade_date) FROM equity_prices WHERE trade_date = '2026-01-15'":                                                              1,
		"SELECT count(*) FROM (SELECT ticker FROM equity_prices GROUP BY ticker HAVING count(*) <> (SELECT count(DISTINCT trade_date) FROM equity_prices))": 0,
		// No weekend, no holiday.
		"SELECT count(*) FROM equity_prices WHERE strftime('%w', trade_date) IN ('0', '6') OR trade_date IN ('2025-07-04', '2025-12-25', '2026-01-19')": 0,
		// Adjusted closes never exceed closes (dividends only lower them)
		// and equal them after the last dividend.
		"SELECT count(*) FROM equity_prices WHERE adj_close > close":                                0,
		"SELECT count(*) FROM equity_prices WHERE trade_date = '2026-01-30' AND adj_close <> close": 0,
		// Curves: every tenor every day, each discount factor that of its
		// zero rate (above 1 where the rate is negative, as the Swiss
		// franc's short end can be).
		"SELECT count(*) FROM zero_curves WHERE abs(discount_factor - exp(-zero_rate * tenor_days / 365.0)) > 1e-9": 0,
		"SELECT count(DISTINCT tenor) FROM zero_curves":                                                             len(tenors),
		// NULLs: dividends off ex-dates, deeper GICS levels, the minor
		// units and country of gold.
		"SELECT count(*) FROM gics WHERE level = 'sector' AND industry_group IS NULL":                    11,
		"SELECT count(*) FROM currencies WHERE code = 'XAU' AND minor_units IS NULL AND country IS NULL": 1,
	} {
		if got := count(q); got != want {
			t.Errorf("%s = %d, want %d", q, got, want)
		}
	}
	if n, all := count("SELECT count(*) FROM equity_prices WHERE dividend IS NOT NULL"), count("SELECT count(*) FROM equity_prices"); n == 0 || n*20 > all {
		t.Errorf("%d of %d price rows have a dividend, want a few", n, all)
	}
}

// TestDatabaseFetch runs the demo catalog's sqlite bindings through the
// sqlite adapter on a seeded folder, as /fetch does: each moniker's
// rendered query returns the rows its description promises, with the
// column types of fetch's table.
func TestDatabaseFetch(t *testing.T) {
	dir := seeded(t)
	cat, _, err := catalog.Load(filepath.Join(dir, CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	snap := resolve.NewSnapshot(cat, nil, resolve.Options{})
	src, err := sqlite.Adapter(nil).Open(context.Background(), map[string]any{"path": DatabaseFile}, fetch.Env{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	jan15 := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		moniker string
		rows    int
		check   func(cols []fetch.Column, first []any) string
	}{
		{"prices.equity/AAPL@20260115", 1, func(cols []fetch.Column, r []any) string {
			if r[0] != "AAPL" || r[1] != jan15 || cols[5].Type != fetch.TypeDecimal || cols[7].Type != fetch.TypeInt {
				return fmt.Sprintf("%v %v", cols, r)
			}
			return ""
		}},
		{"prices.equity/ALL@20260115", len(equities), nil},
		{"prices.equity/MSFT@latest", 1, func(_ []fetch.Column, r []any) string {
			if r[1] != equityTo {
				return fmt.Sprintf("latest is %v, want %v", r[1], equityTo)
			}
			return ""
		}},
		{"prices.equity/MSFT", 1, nil},
		{"prices.equity/AAPL@20260117", 0, nil}, // a Saturday
		{"rates.curves/USD@20260115", len(tenors), func(cols []fetch.Column, r []any) string {
			if r[0] != "USD" || r[1] != jan15 || r[2] != "1M" || cols[5].Type != fetch.TypeFloat {
				return fmt.Sprintf("%v %v", cols, r)
			}
			return ""
		}},
		{"rates.curves/EUR/20260115", len(tenors), nil},
		{"rates.curves/ALL", len(tenors) * len(curves), nil},
		{"reference.currencies/ALL", len(currencyRows), nil},
		{"reference.currencies/XAU", 1, func(_ []fetch.Column, r []any) string {
			if r[3] != nil || r[4] != nil {
				return fmt.Sprintf("XAU %v, want NULL minor units and country", r)
			}
			return ""
		}},
		{"reference.classifications/gics/45", 17, nil},
		{"reference.classifications/gics/ALL", len(gicsRows), nil},
	} {
		m, err := moniker.Parse(tt.moniker)
		if err != nil {
			t.Fatal(err)
		}
		e, _, err := snap.Resolve(&m)
		if err != nil {
			t.Fatalf("%s: %v", tt.moniker, err)
		}
		rows, err := src.Query(context.Background(), &fetch.Query{Text: e.Res.Query, MaxRows: 1000})
		if err != nil {
			t.Fatalf("%s: %v\n%s", tt.moniker, err, e.Res.Query)
		}
		var n int
		var first []any
		for rows.Next() {
			if n == 0 {
				first = append(first, rows.Row()...)
			}
			n++
		}
		if err := rows.Err(); err != nil {
			t.Fatalf("%s: %v", tt.moniker, err)
		}
		cols := rows.Columns()
		rows.Close()
		if n != tt.rows {
			t.Errorf("%s: %d rows, want %d\n%s", tt.moniker, n, tt.rows, e.Res.Query)
			continue
		}
		if tt.check != nil {
			if msg := tt.check(cols, first); msg != "" {
				t.Errorf("%s: %s", tt.moniker, msg)
			}
		}
	}
}

// TestSeedKeepsDatabase: an existing demo.sqlite, even one that is not a
// database, is never replaced.
func TestSeedKeepsDatabase(t *testing.T) {
	dir := t.TempDir()
	mine := []byte("not a database, but the user's file")
	if err := os.WriteFile(filepath.Join(dir, DatabaseFile), mine, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(dir); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, DatabaseFile)); !bytes.Equal(got, mine) {
		t.Error("Seed replaced an existing demo.sqlite")
	}
}
