package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// seed writes a database file with one table of every column type and n
// extra rows in a second table, and returns its path.
func seed(t testing.TB, dir string, n int) string {
	t.Helper()
	p := filepath.Join(dir, "data.db")
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, st := range []string{
		`CREATE TABLE prices (id INTEGER PRIMARY KEY, symbol VARCHAR(10), px DECIMAL(12,4), ratio REAL,
			day DATE, at DATETIME, live BOOLEAN, raw BLOB, doc JSON, misc)`,
		`INSERT INTO prices VALUES (1, 'AAPL', 187.25, 0.5, '2026-01-15', '2026-01-15 14:30:00', 1, x'00ff', '{"a":[1,2]}', 7)`,
		`INSERT INTO prices VALUES (2, 'MSFT', 402.1, 2, '2026-01-16', '2026-01-16T09:00:00Z', 0, NULL, 'null', 8)`,
		`INSERT INTO prices (id) VALUES (3)`,
		`CREATE TABLE big (n INTEGER)`,
		`WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < ` + strconv.Itoa(n) + `) INSERT INTO big SELECT x FROM c`,
	} {
		if _, err := db.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	return p
}

func open(t testing.TB, cfg map[string]any, env fetch.Env) fetch.Source {
	t.Helper()
	src, err := Adapter(nil).Open(context.Background(), cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// read runs text and returns the columns and every row (copied).
func read(t testing.TB, src fetch.Source, text string, max int) ([]fetch.Column, [][]any, error) {
	t.Helper()
	rows, err := src.Query(context.Background(), &fetch.Query{Text: text, MaxRows: max})
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		out = append(out, append([]any(nil), rows.Row()...))
	}
	return rows.Columns(), out, rows.Err()
}

func TestQueryTypes(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 3)
	src := open(t, map[string]any{"path": "data.db"}, fetch.Env{Dir: dir})
	cols, rows, err := read(t, src, "SELECT * FROM prices ORDER BY id", 10)
	if err != nil {
		t.Fatal(err)
	}
	want := []fetch.Column{
		{Name: "id", Type: fetch.TypeInt}, {Name: "symbol", Type: fetch.TypeString}, {Name: "px", Type: fetch.TypeDecimal}, {Name: "ratio", Type: fetch.TypeFloat},
		{Name: "day", Type: fetch.TypeDate}, {Name: "at", Type: fetch.TypeTimestamp}, {Name: "live", Type: fetch.TypeBool}, {Name: "raw", Type: fetch.TypeBytes},
		{Name: "doc", Type: fetch.TypeJSON}, {Name: "misc", Type: fetch.TypeInt}, // no declared type: the first row's value
	}
	if !reflect.DeepEqual(cols, want) {
		t.Fatalf("columns = %v\nwant      %v", cols, want)
	}
	day := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 1, 15, 14, 30, 0, 0, time.UTC)
	row0 := []any{int64(1), "AAPL", "187.25", 0.5, day, at, true, []byte{0, 0xff}, map[string]any{"a": []any{1.0, 2.0}}, int64(7)}
	if len(rows) != 3 || !reflect.DeepEqual(rows[0], row0) {
		t.Fatalf("rows = %#v\nwant row 0 %#v", rows, row0)
	}
	// A REAL column holding an integer stays a float.
	if rows[1][3] != 2.0 || rows[1][8] != nil || rows[1][6] != false {
		t.Errorf("row 1 = %#v", rows[1])
	}
	for i, v := range rows[2][1:] {
		if v != nil {
			t.Errorf("row 2 column %d = %#v, want NULL", i+1, v)
		}
	}
	// A later value that is not of the inferred type fails the query,
	// naming the column.
	_, _, err = read(t, src, "SELECT 7 AS misc UNION ALL SELECT 'x'", 10)
	if !errors.Is(err, moniker.ErrSource) || !strings.Contains(err.Error(), "column misc") {
		t.Errorf("mixed types: %v", err)
	}

	cols, rows, err = read(t, src, "SELECT count(*) AS n, max(symbol) AS m, 1.5 AS f, NULL AS z FROM prices", 10)
	if err != nil {
		t.Fatal(err)
	}
	want = []fetch.Column{{Name: "n", Type: fetch.TypeInt}, {Name: "m", Type: fetch.TypeString}, {Name: "f", Type: fetch.TypeFloat}, {Name: "z", Type: fetch.TypeString}}
	if !reflect.DeepEqual(cols, want) || !reflect.DeepEqual(rows, [][]any{{int64(3), "MSFT", 1.5, nil}}) {
		t.Errorf("expressions: %v %#v", cols, rows)
	}
}

// TestMaxRows: at most MaxRows rows are read; a short rest is drained and
// a long one cancelled, and the pool serves the next query either way.
func TestMaxRows(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 5000)
	src := open(t, map[string]any{"path": filepath.Join(dir, "data.db")}, fetch.Env{Pool: fetch.PoolConfig{MaxOpen: 1}})
	for _, max := range []int{1, 10, 4999, 5000, 5001} {
		_, rows, err := read(t, src, "SELECT n FROM big ORDER BY n", max)
		if err != nil {
			t.Fatal(err)
		}
		if want := min(max, 5000); len(rows) != want || rows[len(rows)-1][0] != int64(want) {
			t.Errorf("MaxRows %d: %d rows, last %v", max, len(rows), rows[len(rows)-1])
		}
	}
	if s := src.(interface{ Stats() sql.DBStats }).Stats(); s.MaxOpenConnections != 1 || s.InUse != 0 {
		t.Errorf("pool stats %+v", s)
	}
}

// TestWritesChangeNothing: every kind of write, through the adapter, is
// refused and the table is intact.
func TestWritesChangeNothing(t *testing.T) {
	dir := t.TempDir()
	p := seed(t, dir, 3)
	src := open(t, map[string]any{"path": p}, fetch.Env{})
	for _, text := range WriteTexts {
		if _, _, err := read(t, src, text, 10); !errors.Is(err, moniker.ErrInvalid) {
			t.Errorf("%q: %v, want refused (ErrInvalid)", text, err)
		}
	}
	checkIntact(t, p)
}

// WriteTexts are the writes the issue names, on table prices.
var WriteTexts = []string{
	"INSERT INTO prices (id) VALUES (99)",
	"UPDATE prices SET symbol = 'X'",
	"DELETE FROM prices",
	"WITH d AS (DELETE FROM prices RETURNING *) SELECT * FROM d",
	"SELECT 1; DROP TABLE prices",
	"SELECT 1; DELETE FROM prices",
	"DROP TABLE prices",
	"DELETE FROM prices; -- SQLite has no TRUNCATE",
}

func checkIntact(t *testing.T, p string) {
	t.Helper()
	db, err := sql.Open("sqlite", p)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	var sym string
	if err := db.QueryRow("SELECT count(*), group_concat(coalesce(symbol, '-'), ',') FROM prices").Scan(&n, &sym); err != nil || n != 3 || sym != "AAPL,MSFT,-" {
		t.Errorf("prices after the writes: %d rows %q, %v", n, sym, err)
	}
}

// TestReadOnlyWithoutGuard: the connection refuses writes by itself
// (mode=ro, query_only, the authorizer), had the guard let one through.
func TestReadOnlyWithoutGuard(t *testing.T) {
	dir := t.TempDir()
	p := seed(t, dir, 3)
	c, err := connect(map[string]any{"path": p}, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c.Connector)
	defer db.Close()
	for _, text := range append(WriteTexts, "PRAGMA query_only = 0", "ATTACH DATABASE 'x.db' AS x", "CREATE TABLE z (a)") {
		if _, err := db.Exec(text); err == nil {
			t.Errorf("%q ran on the read-only connection", text)
		}
	}
	checkIntact(t, p)
	var n int
	if err := db.QueryRow("SELECT count(*) FROM prices").Scan(&n); err != nil || n != 3 {
		t.Errorf("a read on the read-only connection: %d, %v", n, err)
	}
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	seed(t, dir, 3)
	src := open(t, map[string]any{"path": "data.db"}, fetch.Env{Dir: dir})
	_, _, err := read(t, src, "SELECT * FROM no_such_table", 10)
	if !errors.Is(err, moniker.ErrSource) || !strings.Contains(err.Error(), "no such table: no_such_table") {
		t.Errorf("bad table: %v", err)
	}
	if errors.Is(err, fetch.ErrConnection) {
		t.Errorf("a bad table counts as a connection failure: %v", err)
	}
	missing := open(t, map[string]any{"path": "missing.db"}, fetch.Env{Dir: dir})
	if _, _, err := read(t, missing, "SELECT 1", 10); !errors.Is(err, moniker.ErrSource) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := Adapter(nil).Open(context.Background(), map[string]any{}, fetch.Env{}); !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), "path") {
		t.Errorf("no path: %v", err)
	}
	// A slow query and a 200 ms deadline.
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	rows, err := src.Query(ctx, &fetch.Query{Text: "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT max(x) FROM c", MaxRows: 10})
	if err == nil {
		for rows.Next() {
		}
		err = rows.Err()
		rows.Close()
	}
	if !errors.Is(err, moniker.ErrTimeout) || time.Since(start) > 5*time.Second {
		t.Errorf("slow query: %v after %v", err, time.Since(start))
	}
}

func TestKey(t *testing.T) {
	a := Adapter(nil)
	k1, _ := a.Key(map[string]any{"path": "a.db", "query": "SELECT 1"})
	k2, _ := a.Key(map[string]any{"path": "a.db", "query": "SELECT 2", "segment_names": "x"})
	k3, _ := a.Key(map[string]any{"path": "b.db", "query": "SELECT 1"})
	if k1 != k2 || k1 == k3 || !strings.HasPrefix(k1, "sqlite:") {
		t.Errorf("keys %q %q %q", k1, k2, k3)
	}
}

func TestDSN(t *testing.T) {
	got := DSN("/data/my db?#%.sqlite")
	if want := "file:/data/my%20db%3F%23%25.sqlite?mode=ro&_pragma=query_only(1)"; got != want {
		t.Errorf("DSN = %q, want %q", got, want)
	}
}
