package postgres

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// testSchema creates a schema of its own on the test server with table
// prices (three rows of every column type) and big (n rows), drops it
// after the test, and returns its name and the binding config that
// reaches it.
func testSchema(t testing.TB, n int) (string, map[string]any) {
	t.Helper()
	svc := fixtures.Postgres(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, svc.URL)
	if err != nil {
		t.Fatalf("connect to %s: %v", svc.URL, err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("mk_pg_%d", rand.Int64())
	for _, st := range []string{
		"CREATE SCHEMA " + schema,
		"SET search_path = " + schema,
		`CREATE TABLE prices (id int4 PRIMARY KEY, small int2, big int8, symbol text, px numeric(30,10), ratio float8,
			r4 float4, live bool, day date, at timestamp, atz timestamptz, raw bytea, doc jsonb, j json, u uuid)`,
		`INSERT INTO prices VALUES
			(1, 2, 9007199254740993, 'AAPL', 12345678901234567890.0123456789, 0.5, 0.1, true, '2026-01-15',
			 '2026-01-15 14:30:00.123456', '2026-01-15 14:30:00+01', '\x00ff', '{"a": [1, 2]}', '[true]',
			 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'),
			(2, NULL, NULL, 'MSFT', 1, 2, 2, false, '2026-01-16', NULL, NULL, NULL, 'null', NULL, NULL),
			(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
		fmt.Sprintf("CREATE TABLE big AS SELECT g AS n FROM generate_series(1, %d) g", n),
	} {
		if _, err := conn.Exec(ctx, st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(context.Background(), svc.URL)
		if err != nil {
			t.Error(err)
			return
		}
		defer c.Close(context.Background())
		if _, err := c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Error(err)
		}
	})
	cfg := map[string]any{"host": svc.Host, "port": svc.Port, "database": svc.Database, "user": svc.User, "schema": schema}
	if svc.Password != "" {
		cfg["password"] = svc.Password
	}
	return schema, cfg
}

func open(t testing.TB, cfg map[string]any, env fetch.Env, log *slog.Logger) fetch.Source {
	t.Helper()
	src, err := Adapter(log).Open(context.Background(), cfg, env)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

func read(ctx context.Context, src fetch.Source, text string, max int) ([]fetch.Column, [][]any, error) {
	rows, err := src.Query(ctx, &fetch.Query{Text: text, MaxRows: max})
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
	_, cfg := testSchema(t, 1)
	src := open(t, cfg, fetch.Env{}, nil)
	cols, rows, err := read(context.Background(), src, "SELECT * FROM prices ORDER BY id", 10)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, c := range cols {
		types = append(types, c.Name+":"+string(c.Type))
	}
	want := "id:int64 small:int64 big:int64 symbol:string px:decimal ratio:float64 r4:float64 live:bool day:date " +
		"at:timestamp atz:timestamp raw:bytes doc:json j:json u:string"
	if got := strings.Join(types, " "); got != want {
		t.Fatalf("columns\n got %s\nwant %s", got, want)
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
	r := rows[0]
	wantRow := []any{int64(1), int64(2), int64(9007199254740993), "AAPL", "12345678901234567890.0123456789", 0.5, 0.1, true,
		time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)}
	if !reflect.DeepEqual(r[:9], wantRow) {
		t.Errorf("row 1 = %#v\nwant   %#v", r[:9], wantRow)
	}
	if at, ok := r[9].(time.Time); !ok || !at.Equal(time.Date(2026, 1, 15, 14, 30, 0, 123456000, time.UTC)) {
		t.Errorf("timestamp = %#v", r[9])
	}
	if atz, ok := r[10].(time.Time); !ok || !atz.Equal(time.Date(2026, 1, 15, 13, 30, 0, 0, time.UTC)) {
		t.Errorf("timestamptz = %#v", r[10])
	}
	if !bytes.Equal(r[11].([]byte), []byte{0, 0xff}) || !reflect.DeepEqual(r[12], map[string]any{"a": []any{1.0, 2.0}}) ||
		!reflect.DeepEqual(r[13], []any{true}) || r[14] != "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11" {
		t.Errorf("row 1 tail = %#v", r[11:])
	}
	if rows[1][4] != "1.0000000000" || rows[1][12] != nil {
		t.Errorf("row 2 = %#v", rows[1])
	}
	for i, v := range rows[2][1:] {
		if v != nil {
			t.Errorf("row 3 column %s = %#v, want NULL", cols[i+1].Name, v)
		}
	}
}

// WriteTexts are the writes the issue names, on table prices.
var WriteTexts = []string{
	"INSERT INTO prices (id) VALUES (99)",
	"UPDATE prices SET symbol = 'X'",
	"DELETE FROM prices",
	"WITH d AS (DELETE FROM prices RETURNING *) SELECT * FROM d",
	"SELECT 1; DROP TABLE prices",
	"DROP TABLE prices",
	"TRUNCATE prices",
}

func checkIntact(t *testing.T, src fetch.Source) {
	t.Helper()
	_, rows, err := read(context.Background(), src, "SELECT count(*), string_agg(coalesce(symbol, '-'), ',' ORDER BY id) FROM prices", 2)
	if err != nil || !reflect.DeepEqual(rows, [][]any{{int64(3), "AAPL,MSFT,-"}}) {
		t.Errorf("prices after the writes: %#v, %v", rows, err)
	}
}

// TestWritesChangeNothing: every kind of write through the adapter is
// refused and the table is intact.
func TestWritesChangeNothing(t *testing.T) {
	_, cfg := testSchema(t, 1)
	src := open(t, cfg, fetch.Env{}, nil)
	for _, text := range WriteTexts {
		if _, _, err := read(context.Background(), src, text, 10); !errors.Is(err, moniker.ErrInvalid) {
			t.Errorf("%q: %v, want refused (ErrInvalid)", text, err)
		}
	}
	checkIntact(t, src)
}

// TestReadOnlyWithoutGuard: the connection itself refuses every write
// (default_transaction_read_only), had the guard let one through, and a
// role's own default cannot turn that off.
func TestReadOnlyWithoutGuard(t *testing.T) {
	_, cfg := testSchema(t, 1)
	c, err := connect(cfg, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(c.Connector)
	defer db.Close()
	for _, text := range append(WriteTexts, "CREATE TABLE x (a int)", "SELECT nextval('no_seq')") {
		if _, err := db.Exec(text); err == nil || (!strings.Contains(err.Error(), "read-only transaction") && !strings.Contains(text, "nextval")) {
			t.Errorf("%q on the read-only connection: %v", text, err)
		}
	}
	var ro string
	if err := db.QueryRow("SHOW transaction_read_only").Scan(&ro); err != nil || ro != "on" {
		t.Errorf("transaction_read_only = %q, %v", ro, err)
	}
	checkIntact(t, open(t, cfg, fetch.Env{}, nil))
}

func TestMaxRows(t *testing.T) {
	_, cfg := testSchema(t, 100000)
	src := open(t, cfg, fetch.Env{Pool: fetch.PoolConfig{MaxOpen: 1}}, nil)
	for _, max := range []int{1, 101, 2000, 100000, 100001} {
		_, rows, err := read(context.Background(), src, "SELECT n FROM big ORDER BY n", max)
		if err != nil {
			t.Fatal(err)
		}
		if want := min(max, 100000); len(rows) != want || rows[len(rows)-1][0] != int64(want) {
			t.Errorf("MaxRows %d: %d rows", max, len(rows))
		}
	}
	if s := src.(interface{ Stats() sql.DBStats }).Stats(); s.MaxOpenConnections != 1 || s.InUse != 0 {
		t.Errorf("pool stats %+v", s)
	}
}

// TestTimeout: a 5 s query with a 200 ms deadline is ErrTimeout at once,
// and the server stops running it (pgx's cancel request).
func TestTimeout(t *testing.T) {
	_, cfg := testSchema(t, 1)
	src := open(t, cfg, fetch.Env{}, nil)
	mark := fmt.Sprintf("mk_timeout_%d", rand.Int64())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := read(ctx, src, "SELECT pg_sleep(5) AS "+mark, 10)
	if !errors.Is(err, moniker.ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
		t.Fatalf("slow query: %v after %v", err, time.Since(start))
	}
	other := open(t, cfg, fetch.Env{}, nil)
	deadline := time.Now().Add(3 * time.Second)
	for {
		_, rows, err := read(context.Background(), other,
			"SELECT count(*) FROM pg_stat_activity WHERE state = 'active' AND query LIKE '%"+mark+"%' AND query NOT LIKE '%pg_stat_activity%'", 2)
		if err != nil {
			t.Fatal(err)
		}
		if rows[0][0] == int64(0) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the cancelled query still runs on the server")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestErrorsHideSecrets: a bad table is ErrSource with the driver's
// message; neither it, a connection failure nor the adapter's log lines
// hold the password.
func TestErrorsHideSecrets(t *testing.T) {
	_, cfg := testSchema(t, 1)
	const password = `s3cr3t-'p\w d`
	cfg["password"] = password // trust auth: any password connects
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src := open(t, cfg, fetch.Env{}, log)
	_, _, err := read(context.Background(), src, "SELECT * FROM no_such_table", 10)
	if !errors.Is(err, moniker.ErrSource) || !strings.Contains(err.Error(), `relation "no_such_table" does not exist`) {
		t.Errorf("bad table: %v", err)
	}
	bad := map[string]any{"host": "127.0.0.1", "port": 1, "database": "x", "user": "u", "password": password}
	_, _, err2 := read(context.Background(), open(t, bad, fetch.Env{}, log), "SELECT 1", 10)
	if !errors.Is(err2, moniker.ErrSource) || !errors.Is(err2, fetch.ErrConnection) {
		t.Errorf("unreachable: %v (want ErrSource marked ErrConnection)", err2)
	}
	if errors.Is(err, fetch.ErrConnection) {
		t.Errorf("a bad table counts as a connection failure: %v", err)
	}
	envCfg := map[string]any{"host": "127.0.0.1", "port": 1, "database": "x", "password": "${PGTEST_PW}"}
	_, _, err3 := read(context.Background(), open(t, envCfg, fetch.Env{Getenv: func(string) string { return password }}, log), "SELECT 1", 10)
	for _, e := range []error{err, err2, err3} {
		if e == nil || strings.Contains(e.Error(), password) || strings.Contains(e.Error(), "s3cr3t") {
			t.Errorf("error %v holds the password", e)
		}
	}
	src.Close()
	if logs.Len() == 0 || strings.Contains(logs.String(), "s3cr3t") {
		t.Errorf("log lines hold the password (or there are none):\n%s", logs.String())
	}
}

func TestConfig(t *testing.T) {
	const password = `p'a ss\word=x`
	c, err := Config(map[string]any{
		"host": "db.example", "port": 6543, "database": "prices db", "user": "reader", "password": password,
		"sslmode": "require", "schema": `Mixed"Case`, "connect_timeout": "3",
	}, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Host != "db.example" || c.Port != 6543 || c.Database != "prices db" || c.User != "reader" || c.Password != password ||
		c.TLSConfig == nil || c.ConnectTimeout != 3*time.Second {
		t.Errorf("config = host %q port %d db %q user %q password ok %v tls %v timeout %v",
			c.Host, c.Port, c.Database, c.User, c.Password == password, c.TLSConfig != nil, c.ConnectTimeout)
	}
	want := map[string]string{"application_name": "moniker", "default_transaction_read_only": "on", "search_path": `"Mixed""Case"`}
	if !reflect.DeepEqual(c.RuntimeParams, want) {
		t.Errorf("runtime params = %v", c.RuntimeParams)
	}
	// The password from a file and from a variable; sslmode disable.
	env := fetch.Env{
		Getenv:   func(k string) string { return map[string]string{"PGPW": "from-env"}[k] },
		ReadFile: func(string) ([]byte, error) { return []byte("from-file\n"), nil },
	}
	for key, want := range map[string]string{"password_env": "from-env", "password_file": "from-file"} {
		val := "PGPW"
		if key == "password_file" {
			val = "/run/secrets/pg"
		}
		c, err := Config(map[string]any{"host": "h", "database": "d", key: val, "sslmode": "disable"}, env)
		if err != nil || c.Password != want || c.Port != 5432 || c.TLSConfig != nil {
			t.Errorf("%s: %v %+v", key, err, c)
		}
	}
	for _, tc := range []struct {
		cfg  map[string]any
		want string
	}{
		{map[string]any{"database": "d"}, "host is required"},
		{map[string]any{"host": "h"}, "database is required"},
		{map[string]any{"host": "h", "database": "d", "port": "x"}, "port"},
		{map[string]any{"host": "h", "database": "d", "sslmode": "sometimes"}, "sslmode must be one of"},
		{map[string]any{"host": "h", "database": "d", "password": "${NOPE}"}, "NOPE"},
		{map[string]any{"host": "h", "database": "d", "password": "a", "password_env": "B"}, "set only one"},
	} {
		if _, err := Config(tc.cfg, fetch.Env{}); !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Config(%v) = %v, want ErrInvalid with %q", tc.cfg, err, tc.want)
		}
	}
}

func TestKey(t *testing.T) {
	a := Adapter(nil)
	base := map[string]any{"host": "h", "database": "d", "user": "u", "query": "SELECT 1"}
	k1, _ := a.Key(base)
	other := map[string]any{"host": "h", "database": "d", "user": "u", "query": "SELECT 2", "segment_names": "a"}
	k2, _ := a.Key(other)
	user := map[string]any{"host": "h", "database": "d", "user": "v", "query": "SELECT 1"}
	k3, _ := a.Key(user)
	pw := map[string]any{"host": "h", "database": "d", "user": "u", "password": "secret"}
	k4, _ := a.Key(pw)
	if k1 != k2 || k1 == k3 || k1 == k4 || strings.Contains(k4, "secret") {
		t.Errorf("keys %q %q %q %q", k1, k2, k3, k4)
	}
}
