package mysql

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

	"github.com/go-sql-driver/mysql"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// testDatabase creates a database of its own on the test server with
// table prices (three rows of many column types) and big (n rows), drops
// it after the test, and returns its name and the binding config that
// reaches it.
func testDatabase(t testing.TB, n int) (string, map[string]any) {
	t.Helper()
	svc := fixtures.MariaDB(t)
	c := mysql.NewConfig()
	c.Net, c.Addr, c.User, c.Passwd, c.DBName = "tcp", fmt.Sprintf("%s:%d", svc.Host, svc.Port), svc.User, svc.Password, svc.Database
	conn, err := mysql.NewConnector(c)
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(conn)
	defer db.Close()
	name := fmt.Sprintf("mk_my_%d", rand.Int64())
	for _, st := range []string{
		"CREATE DATABASE " + name,
		`CREATE TABLE ` + name + `.prices (id INT PRIMARY KEY, tiny TINYINT, big BIGINT, ubig BIGINT UNSIGNED,
			symbol VARCHAR(10), px DECIMAL(30,10), ratio DOUBLE, r4 FLOAT, day DATE, at DATETIME(6), ts TIMESTAMP NULL,
			raw VARBINARY(8), note TEXT, kind ENUM('a','b'), y YEAR, tm TIME)`,
		`INSERT INTO ` + name + `.prices VALUES
			(1, -2, 9007199254740993, 18446744073709551615, 'AAPL', 12345678901234567890.0123456789, 0.5, 0.1,
			 '2026-01-15', '2026-01-15 14:30:00.123456', '2026-01-15 14:30:00', x'00ff', 'n', 'b', 2026, '01:02:03'),
			(2, NULL, NULL, NULL, 'MSFT', 1, 2, 2, '2026-01-16', NULL, NULL, NULL, NULL, NULL, NULL, NULL),
			(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)`,
		"CREATE TABLE " + name + ".big (n INT)",
		fmt.Sprintf("INSERT INTO %s.big SELECT seq FROM seq_1_to_%d", name, n),
	} {
		if _, err := db.Exec(st); err != nil {
			t.Fatalf("%s: %v", st, err)
		}
	}
	t.Cleanup(func() {
		db := sql.OpenDB(conn)
		defer db.Close()
		if _, err := db.Exec("DROP DATABASE " + name); err != nil {
			t.Error(err)
		}
	})
	cfg := map[string]any{"host": svc.Host, "port": svc.Port, "database": name, "user": svc.User}
	if svc.Password != "" {
		cfg["password"] = svc.Password
	}
	return name, cfg
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
	_, cfg := testDatabase(t, 1)
	src := open(t, cfg, fetch.Env{}, nil)
	cols, rows, err := read(context.Background(), src, "SELECT * FROM prices ORDER BY id", 10)
	if err != nil {
		t.Fatal(err)
	}
	var types []string
	for _, c := range cols {
		types = append(types, c.Name+":"+string(c.Type))
	}
	want := "id:int64 tiny:int64 big:int64 ubig:decimal symbol:string px:decimal ratio:float64 r4:float64 day:date " +
		"at:timestamp ts:timestamp raw:bytes note:string kind:string y:int64 tm:string"
	if got := strings.Join(types, " "); got != want {
		t.Fatalf("columns\n got %s\nwant %s", got, want)
	}
	r := rows[0]
	wantRow := []any{int64(1), int64(-2), int64(9007199254740993), "18446744073709551615", "AAPL", "12345678901234567890.0123456789",
		0.5, 0.1, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 15, 14, 30, 0, 123456000, time.UTC),
		time.Date(2026, 1, 15, 14, 30, 0, 0, time.UTC), []byte{0, 0xff}, "n", "b", int64(2026), "01:02:03"}
	if !reflect.DeepEqual(r, wantRow) {
		t.Errorf("row 1 = %#v\nwant   %#v", r, wantRow)
	}
	if len(rows) != 3 || rows[1][5] != "1.0000000000" || rows[1][7] != 2.0 {
		t.Errorf("rows = %#v", rows)
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
	"WITH d AS (SELECT 1) DELETE FROM prices",
	"SELECT 1; DROP TABLE prices",
	"DROP TABLE prices",
	"TRUNCATE prices",
}

func checkIntact(t *testing.T, src fetch.Source) {
	t.Helper()
	_, rows, err := read(context.Background(), src, "SELECT count(*), group_concat(coalesce(symbol, '-') ORDER BY id) FROM prices", 2)
	if err != nil || !reflect.DeepEqual(rows, [][]any{{int64(3), "AAPL,MSFT,-"}}) {
		t.Errorf("prices after the writes: %#v, %v", rows, err)
	}
}

func TestWritesChangeNothing(t *testing.T) {
	_, cfg := testDatabase(t, 1)
	src := open(t, cfg, fetch.Env{}, nil)
	for _, text := range WriteTexts {
		if _, _, err := read(context.Background(), src, text, 10); !errors.Is(err, moniker.ErrInvalid) {
			t.Errorf("%q: %v, want refused (ErrInvalid)", text, err)
		}
	}
	checkIntact(t, src)
}

// TestReadOnlyWithoutGuard: the connection itself refuses every write,
// DROP and TRUNCATE included (a read-only session, where START
// TRANSACTION READ ONLY lets DDL through), and a second statement.
func TestReadOnlyWithoutGuard(t *testing.T) {
	_, cfg := testDatabase(t, 1)
	c, err := connect(cfg, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(engine.Connector(c))
	defer db.Close()
	for _, text := range append(WriteTexts, "CREATE TABLE x (a INT)", "ALTER TABLE prices ADD COLUMN z INT") {
		if _, err := db.Exec(text); err == nil {
			t.Errorf("%q ran on the read-only connection", text)
		}
	}
	checkIntact(t, open(t, cfg, fetch.Env{}, nil))
}

func TestMaxRows(t *testing.T) {
	_, cfg := testDatabase(t, 100000)
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

// TestTimeout: SELECT SLEEP(5) with a 200 ms deadline is ErrTimeout at
// once, and the server stops running it.
func TestTimeout(t *testing.T) {
	_, cfg := testDatabase(t, 1)
	src := open(t, cfg, fetch.Env{}, nil)
	mark := fmt.Sprintf("mk_timeout_%d", rand.Int64())
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, _, err := read(ctx, src, "SELECT SLEEP(5) AS "+mark, 10)
	if !errors.Is(err, moniker.ErrTimeout) || time.Since(start) > 2*time.Second {
		t.Fatalf("slow query: %v after %v", err, time.Since(start))
	}
	other := open(t, cfg, fetch.Env{}, nil)
	deadline := time.Now().Add(3 * time.Second)
	for {
		_, rows, err := read(context.Background(), other,
			"SELECT count(*) FROM information_schema.processlist WHERE info LIKE '%"+mark+"%' AND info NOT LIKE '%processlist%'", 2)
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
	// The pool still serves.
	if _, rows, err := read(context.Background(), src, "SELECT 1", 2); err != nil || len(rows) != 1 {
		t.Errorf("after the timeout: %v %v", rows, err)
	}
}

func TestErrorsHideSecrets(t *testing.T) {
	_, cfg := testDatabase(t, 1)
	var logs bytes.Buffer
	log := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	src := open(t, cfg, fetch.Env{}, log)
	_, _, err := read(context.Background(), src, "SELECT * FROM no_such_table", 10)
	if !errors.Is(err, moniker.ErrSource) || !strings.Contains(err.Error(), "no_such_table' doesn't exist") {
		t.Errorf("bad table: %v", err)
	}
	// A wrong password for a user that has none: access denied, and the
	// password is nowhere.
	const password = `s3cr3t-'p@ss/w d`
	wrong := map[string]any{"host": cfg["host"], "port": cfg["port"], "database": cfg["database"], "user": "mk_nobody", "password": password}
	_, _, err2 := read(context.Background(), open(t, wrong, fetch.Env{}, log), "SELECT 1", 10)
	if !errors.Is(err2, moniker.ErrSource) || !strings.Contains(err2.Error(), "Access denied") {
		t.Errorf("wrong password: %v", err2)
	}
	for _, e := range []error{err, err2} {
		if strings.Contains(e.Error(), "s3cr3t") {
			t.Errorf("error %v holds the password", e)
		}
	}
	if logs.Len() == 0 || strings.Contains(logs.String(), "s3cr3t") {
		t.Errorf("log lines hold the password (or there are none):\n%s", logs.String())
	}
}

func TestConfig(t *testing.T) {
	const password = `p'a ss\wo@rd/=?x`
	c, err := Config(map[string]any{
		"host": "db.example", "port": "3307", "database": "prices", "user": "reader", "password": password,
		"tls": "true", "connect_timeout": 3,
	}, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "db.example:3307" || c.DBName != "prices" || c.User != "reader" || c.Passwd != password || c.TLSConfig != "true" ||
		c.Timeout != 3*time.Second || c.MultiStatements || !c.ParseTime || c.AllowAllFiles {
		t.Errorf("config = %+v", c)
	}
	// Through the driver's own DSN form and back, the password survives.
	back, err := mysql.ParseDSN(c.FormatDSN())
	if err != nil || back.Passwd != password || back.MultiStatements {
		t.Errorf("DSN round trip: %v, password ok %v", err, back != nil && back.Passwd == password)
	}
	c, err = Config(map[string]any{"host": "::1", "database": "d", "password_env": "MYPW"},
		fetch.Env{Getenv: func(string) string { return "from-env" }})
	if err != nil || c.Addr != "[::1]:3306" || c.Passwd != "from-env" || c.TLSConfig != "preferred" {
		t.Errorf("defaults: %v %+v", err, c)
	}
	for _, tc := range []struct {
		cfg  map[string]any
		want string
	}{
		{map[string]any{"database": "d"}, "host is required"},
		{map[string]any{"host": "h"}, "database is required"},
		{map[string]any{"host": "h", "database": "d", "port": 0}, "port"},
		{map[string]any{"host": "h", "database": "d", "tls": "maybe"}, "tls must be one of"},
		{map[string]any{"host": "h", "database": "d", "password_file": "/x"}, "password_file"},
	} {
		if _, err := Config(tc.cfg, fetch.Env{}); !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Config(%v) = %v, want ErrInvalid with %q", tc.cfg, err, tc.want)
		}
	}
}
