package main

import (
	"bytes"
	"database/sql"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	_ "github.com/go-sql-driver/mysql"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/source"
)

// fetchSecret is the password of the PostgreSQL bindings (the test
// server trusts local connections, so any password works): it must
// appear in no answer, no log line, /health or /metrics.
const fetchSecret = "Fetch-S3cr3t-e2e-9f2c"

// writeTemplates are statements that would change the table if they ran:
// every one must be refused, on every engine, and change nothing.
var writeTemplates = map[string]string{
	"insert":   "INSERT INTO %s (sym) VALUES ('HACK')",
	"update":   "UPDATE %s SET vol = 0",
	"delete":   "DELETE FROM %s",
	"cte":      "WITH d AS (DELETE FROM %s RETURNING *) SELECT * FROM d",
	"two":      "SELECT 1; DELETE FROM %s",
	"drop":     "DROP TABLE %s",
	"truncate": "TRUNCATE TABLE %s",
}

// fetchEngine is one database of the test: how to reach it for setup,
// the binding config keys that reach it, and the qualified table.
type fetchEngine struct {
	name  string // source type
	db    *sql.DB
	table string
	cfg   string // YAML flow mapping of the connection keys
	// database and user, for a second binding to the same server
	database, user string
}

// tcpProxy forwards a port to another address, and can be stopped and
// started again on the same port: a source that goes down and comes back
// without touching the shared server.
type tcpProxy struct {
	target string
	addr   string
	mu     sync.Mutex
	ln     net.Listener
	conns  map[net.Conn]bool
	wg     sync.WaitGroup
}

func newProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{target: target, conns: map[net.Conn]bool{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.stop)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			up, err := net.Dial("tcp", p.target)
			if err != nil {
				c.Close()
				continue
			}
			p.mu.Lock()
			p.conns[c], p.conns[up] = true, true
			p.mu.Unlock()
			p.wg.Go(func() { _, _ = io.Copy(up, c); up.Close() })
			p.wg.Go(func() { _, _ = io.Copy(c, up); c.Close() })
		}
	})
}

// stop closes the listener and every forwarded connection.
func (p *tcpProxy) stop() {
	p.mu.Lock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	p.conns = map[net.Conn]bool{}
	p.mu.Unlock()
	p.wg.Wait()
}

func (p *tcpProxy) start(t *testing.T) {
	t.Helper()
	var ln net.Listener
	var err error
	deadline := time.Now().Add(5 * time.Second)
	for ln, err = net.Listen("tcp", p.addr); err != nil; ln, err = net.Listen("tcp", p.addr) {
		if time.Now().After(deadline) {
			t.Fatalf("listening on %s again: %v", p.addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	p.serve(ln)
}

const fetchRowsSQL = `INSERT INTO %s (sym, close, vol, d, ts, ok) VALUES
 ('AAPL', 187.5, 1000, '2026-01-15', '2026-01-15 10:00:00', true),
 ('IBM', NULL, NULL, '2026-01-14', NULL, NULL),
 ('MSFT', 401.25, 2000, '2026-01-15', '2026-01-15 10:00:00', false)`

// setupFetchEngines creates a table with three rows on PostgreSQL,
// MariaDB and a SQLite file in dir, each dropped at cleanup.
func setupFetchEngines(t *testing.T, dir string) []*fetchEngine {
	t.Helper()
	suffix := strconv.FormatUint(rand.Uint64()%1e12, 36)
	var out []*fetchEngine

	pg := fixtures.Postgres(t)
	pgdb, err := sql.Open("pgx", pg.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pgdb.Close() })
	schema := "fetch_e2e_" + suffix
	mustExec(t, pgdb, "CREATE SCHEMA "+schema)
	t.Cleanup(func() { _, _ = pgdb.Exec("DROP SCHEMA " + schema + " CASCADE") })
	pt := schema + ".px"
	mustExec(t, pgdb, "CREATE TABLE "+pt+" (sym text, close numeric(12,4), vol bigint, d date, ts timestamptz, ok boolean)")
	mustExec(t, pgdb, fmt.Sprintf(fetchRowsSQL, pt))
	out = append(out, &fetchEngine{name: "postgres", db: pgdb, table: pt, database: pg.Database, user: pg.User,
		cfg: fmt.Sprintf("host: %s, port: %d, database: %s, user: %s, password: %s", pg.Host, pg.Port, pg.Database, pg.User, fetchSecret)})

	my := fixtures.MariaDB(t)
	mydb, err := sql.Open("mysql", fmt.Sprintf("%s@tcp(%s:%d)/%s?parseTime=true", my.User, my.Host, my.Port, my.Database))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mydb.Close() })
	mt := "fetch_e2e_" + suffix
	mustExec(t, mydb, "CREATE TABLE "+mt+" (sym varchar(10), close decimal(12,4), vol bigint, d date, ts datetime, ok boolean)")
	t.Cleanup(func() { _, _ = mydb.Exec("DROP TABLE IF EXISTS " + mt) })
	mustExec(t, mydb, fmt.Sprintf(fetchRowsSQL, mt))
	out = append(out, &fetchEngine{name: "mysql", db: mydb, table: mt,
		cfg: fmt.Sprintf("host: %s, port: %d, database: %s, user: %s", my.Host, my.Port, my.Database, my.User)})

	file := filepath.Join(dir, "fetch.sqlite")
	sqdb, err := sql.Open("sqlite", file)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sqdb.Close() })
	mustExec(t, sqdb, "CREATE TABLE px (sym text, close decimal(12,4), vol integer, d date, ts timestamp, ok boolean)")
	mustExec(t, sqdb, fmt.Sprintf(fetchRowsSQL, "px"))
	// Relative to the catalog's folder.
	out = append(out, &fetchEngine{name: "sqlite", db: sqdb, table: "px", cfg: "path: fetch.sqlite"})
	return out
}

func mustExec(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// fetchCatalog binds, per engine: <e>.px (the rows, filtered by the
// first segment), <e>.dated (a date version in the engine's dialect),
// <e>.bad (no such table), <e>.guarded (an access policy) and
// <e>.write/<kind> (a write statement each); pg.slow sleeps past its
// timeout, pg.flaky reaches PostgreSQL through proxy, bbg is bloomberg.
func fetchCatalog(engines []*fetchEngine, proxy string) string {
	var b strings.Builder
	bind := func(path, typ, cfg, query, extra string) {
		fmt.Fprintf(&b, "%s:\n  source_binding:\n    type: %s\n    config: {%s, query: %q}\n%s", path, typ, cfg, query, extra)
	}
	for _, e := range engines {
		n := e.name
		bind(n+".px", n, e.cfg, "SELECT sym, close, vol, d, ts, ok FROM "+e.table+" WHERE {filter[0]:sym} ORDER BY sym", "")
		bind(n+".dated", n, e.cfg, "SELECT sym, d FROM "+e.table+" WHERE d = {version_date} AND {date_filter:d} ORDER BY sym", "")
		bind(n+".bad", n, e.cfg, "SELECT * FROM "+e.table+"_nope", "")
		bind(n+".guarded", n, e.cfg, "SELECT * FROM "+e.table, "  access_policy:\n    min_filters: 2\n")
		for kind, tmpl := range writeTemplates {
			bind(n+".write/"+kind, n, e.cfg, fmt.Sprintf(tmpl, e.table), "")
		}
	}
	pg := engines[0]
	bind("pg.slow", "postgres", pg.cfg+", timeout: 0.5", "SELECT pg_sleep(5)", "")
	host, port, _ := net.SplitHostPort(proxy)
	bind("pg.flaky", "postgres", fmt.Sprintf("host: %s, port: %s, database: %s, user: %s, password: %s", host, port, pg.database, pg.user, fetchSecret), "SELECT sym FROM "+pg.table+" ORDER BY sym", "")
	b.WriteString("bbg:\n  source_binding:\n    type: bloomberg\n    config: {securities: \"{path}\"}\n")
	return b.String()
}

// TestFetchEngines is /fetch against a real monikerd on a catalog bound
// to real PostgreSQL, MariaDB and SQLite.
func TestFetchEngines(t *testing.T) {
	dir := t.TempDir()
	engines := setupFetchEngines(t, dir)
	pgAddr := net.JoinHostPort(fixtures.Postgres(t).Host, strconv.Itoa(fixtures.Postgres(t).Port))
	proxy := newProxy(t, pgAddr)
	writeFile(t, filepath.Join(dir, "catalog.yaml"), fetchCatalog(engines, proxy.addr))
	writeFile(t, filepath.Join(dir, "domains.yaml"), "{}\n")
	cfgPath := filepath.Join(dir, "config.yaml")
	writeFile(t, cfgPath, `catalog:
  definition_file: catalog.yaml
domains:
  definition_file: domains.yaml
telemetry:
  enabled: false
governance:
  rate_limiter_enabled: false
  circuit_breaker: {enabled: true, failure_threshold: 3, success_threshold: 1, timeout_seconds: 1, half_open_max_requests: 1}
fetch:
  pool: {max_open: 4}
`)
	s := startServer(t, "-target=resolver", "-config.file="+cfgPath)
	base := s.base
	var answers bytes.Buffer // every body, checked for the secret at the end
	fetch := func(t *testing.T, path string, header ...string) response {
		t.Helper()
		req, err := http.NewRequest("GET", base+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i+1 < len(header); i += 2 {
			req.Header.Set(header[i], header[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s: reading the answer: %v", path, err)
		}
		answers.Write(body)
		for k, v := range resp.Header {
			fmt.Fprintln(&answers, k, v)
		}
		for k, v := range resp.Trailer {
			fmt.Fprintln(&answers, k, v)
		}
		h := resp.Header.Clone()
		for k, v := range resp.Trailer {
			h["Trailer-"+k] = v
		}
		return response{resp.StatusCode, h, body}
	}

	// What each engine answers for the three rows (AAPL, IBM with NULLs,
	// MSFT): the column types and AAPL's values.
	wantTypes := map[string]string{
		"postgres": "sym:string close:decimal vol:int64 d:date ts:timestamp ok:bool",
		"mysql":    "sym:string close:decimal vol:int64 d:date ts:timestamp ok:int64",
		"sqlite":   "sym:string close:decimal vol:int64 d:date ts:timestamp ok:bool",
	}
	wantAAPL := map[string]string{
		"postgres": `{"sym":"AAPL","close":"187.5000","vol":1000,"d":"2026-01-15","ts":"2026-01-15T10:00:00Z","ok":true}`,
		"mysql":    `{"sym":"AAPL","close":"187.5000","vol":1000,"d":"2026-01-15","ts":"2026-01-15T10:00:00Z","ok":1}`,
		"sqlite":   `{"sym":"AAPL","close":"187.5","vol":1000,"d":"2026-01-15","ts":"2026-01-15T10:00:00Z","ok":true}`,
	}
	for _, e := range engines {
		n := e.name
		t.Run(n+" rows, types, query_executed", func(t *testing.T) {
			r := fetch(t, "/fetch/"+n+".px/ALL")
			if r.status != 200 {
				t.Fatalf("%d %s", r.status, r.body)
			}
			var v struct {
				RowCount      int               `json:"row_count"`
				Columns       []string          `json:"columns"`
				Data          []json.RawMessage `json:"data"`
				Truncated     bool              `json:"truncated"`
				QueryExecuted string            `json:"query_executed"`
				SourceType    string            `json:"source_type"`
				Schema        []struct{ Name, Type string }
			}
			if err := json.Unmarshal(r.body, &v); err != nil {
				t.Fatal(err)
			}
			var types []string
			for _, c := range v.Schema {
				types = append(types, c.Name+":"+c.Type)
			}
			if got := strings.Join(types, " "); got != wantTypes[n] {
				t.Errorf("schema %s\nwant   %s", got, wantTypes[n])
			}
			if v.RowCount != 3 || v.Truncated || strings.Join(v.Columns, ",") != "sym,close,vol,d,ts,ok" || v.SourceType != n {
				t.Errorf("row_count %d truncated %v columns %v source_type %s", v.RowCount, v.Truncated, v.Columns, v.SourceType)
			}
			if len(v.Data) == 3 {
				if got := string(v.Data[0]); got != wantAAPL[n] {
					t.Errorf("AAPL %s\nwant %s", got, wantAAPL[n])
				}
				if got := string(v.Data[1]); !strings.Contains(got, `"close":null,"vol":null`) {
					t.Errorf("IBM's NULLs: %s", got)
				}
			}
			for _, m := range []string{n + ".px/ALL", n + ".px/MSFT", n + ".dated/ALL@20260115", n + ".dated/ALL@3M"} {
				rr := fetch(t, "/resolve/"+m).json(t)
				fr := fetch(t, "/fetch/"+m)
				if fr.status != 200 {
					t.Errorf("%s: %d %s", m, fr.status, fr.body)
					continue
				}
				if q := fr.json(t)["query_executed"]; q != rr["query"] || q == nil {
					t.Errorf("%s: query_executed %q, /resolve's query %q", m, q, rr["query"])
				}
			}
			if got := fetch(t, "/fetch/"+n+".dated/ALL@20260115").json(t)["row_count"]; got != 2.0 {
				t.Errorf("dated/ALL@20260115: %v rows, want 2 (the engine read its own date literal)", got)
			}
		})

		t.Run(n+" limit and truncated", func(t *testing.T) {
			for _, c := range []struct {
				limit     string
				rows      float64
				truncated bool
			}{{"1", 1, true}, {"2", 2, true}, {"3", 3, false}, {"100", 3, false}} {
				v := fetch(t, "/fetch/"+n+".px/ALL?limit="+c.limit).json(t)
				if v["row_count"] != c.rows || v["truncated"] != c.truncated || len(v["data"].([]any)) != int(c.rows) {
					t.Errorf("limit=%s: row_count %v truncated %v", c.limit, v["row_count"], v["truncated"])
				}
			}
		})

		t.Run(n+" csv, ndjson, arrow", func(t *testing.T) {
			r := fetch(t, "/fetch/"+n+".px/ALL?format=csv&limit=2")
			recs, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
			if err != nil || r.header.Get("Content-Type") != "text/csv; charset=utf-8" || len(recs) != 3 ||
				strings.Join(recs[0], ",") != "sym,close,vol,d,ts,ok" || recs[1][0] != "AAPL" || recs[2][1] != "" {
				t.Errorf("csv: %v %v\n%s", err, r.header, r.body)
			}
			if r.header.Get("Trailer-X-Moniker-Truncated") != "true" || r.header.Get("Trailer-X-Moniker-Row-Count") != "2" {
				t.Errorf("csv trailers: %v", r.header)
			}
			r = fetch(t, "/fetch/"+n+".px/ALL", "Accept", "application/x-ndjson")
			lines := strings.Split(strings.TrimSpace(string(r.body)), "\n")
			if len(lines) != 3 || lines[0] != wantAAPL[n] {
				t.Errorf("ndjson:\n%s", r.body)
			}
			r = fetch(t, "/fetch/"+n+".px/ALL?format=arrow")
			rd, err := ipc.NewReader(bytes.NewReader(r.body))
			if err != nil {
				t.Fatalf("arrow: %v", err)
			}
			defer rd.Release()
			var syms []string
			var vols []string
			var ts0 arrow.Timestamp
			for rd.Next() {
				rec := rd.RecordBatch()
				for i := range int(rec.NumRows()) {
					syms = append(syms, rec.Column(0).(*array.String).Value(i))
					vols = append(vols, rec.Column(2).(*array.Int64).ValueStr(i))
					if len(syms) == 1 {
						ts0 = rec.Column(4).(*array.Timestamp).Value(i)
					}
				}
			}
			rows := len(syms)
			if strings.Join(syms, ",") != "AAPL,IBM,MSFT" || strings.Join(vols, ",") != "1000,(null),2000" ||
				ts0 != arrow.Timestamp(time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC).UnixMicro()) {
				t.Errorf("arrow: sym %v vol %v ts %v", syms, vols, ts0)
			}
			if rd.Err() != nil || rows != 3 || rd.Schema().Field(3).Type.ID() != arrow.DATE32 {
				t.Errorf("arrow: %v, %d rows, %v", rd.Err(), rows, rd.Schema())
			}
		})

		t.Run(n+" errors", func(t *testing.T) {
			for _, c := range []struct {
				path   string
				status int
				code   string
			}{
				{"/fetch/" + n + ".guarded/x", 403, "access_denied"},
				{"/fetch/" + n + ".bad", 502, "source_error"},
				{"/fetch/" + n + ".bad?format=csv", 502, "source_error"},
				{"/fetch/" + n + ".px/ALL?limit=0", 422, "validation_error"},
			} {
				r := fetch(t, c.path)
				if r.status != c.status || r.json(t)["code"] != c.code {
					t.Errorf("%s: %d %s, want %d %s", c.path, r.status, r.body, c.status, c.code)
				}
			}
		})

		t.Run(n+" write statements change nothing", func(t *testing.T) {
			for kind := range writeTemplates {
				r := fetch(t, "/fetch/"+n+".write/"+kind)
				if r.status == 200 {
					t.Errorf("%s: 200 %s", kind, r.body)
				}
			}
			var count int
			var vol sql.NullInt64
			if err := e.db.QueryRow("SELECT count(*) FROM " + e.table).Scan(&count); err != nil || count != 3 {
				t.Errorf("after the writes: %d rows, %v; want the 3 rows", count, err)
			}
			if err := e.db.QueryRow("SELECT vol FROM " + e.table + " WHERE sym = 'AAPL'").Scan(&vol); err != nil || vol.Int64 != 1000 {
				t.Errorf("AAPL vol %v, %v; want 1000", vol, err)
			}
		})
	}

	t.Run("501 for bloomberg", func(t *testing.T) {
		r := fetch(t, "/fetch/bbg/IBM")
		if r.status != 501 || r.json(t)["code"] != "not_implemented" || !strings.Contains(string(r.body), "bloomberg") {
			t.Errorf("%d %s", r.status, r.body)
		}
	})

	t.Run("504 for a slow query", func(t *testing.T) {
		t0 := time.Now()
		r := fetch(t, "/fetch/pg.slow")
		if r.status != 504 || r.json(t)["code"] != "source_timeout" {
			t.Errorf("%d %s", r.status, r.body)
		}
		if took := time.Since(t0); took > 4*time.Second {
			t.Errorf("took %v: the 0.5 s timeout did not stop pg_sleep(5)", took)
		}
	})

	t.Run("the breaker opens after repeated failures and recovers", func(t *testing.T) {
		if r := fetch(t, "/fetch/pg.flaky"); r.status != 200 {
			t.Fatalf("through the proxy: %d %s", r.status, r.body)
		}
		proxy.stop()
		for i := range 3 {
			if r := fetch(t, "/fetch/pg.flaky"); r.status != 502 && r.status != 503 {
				t.Fatalf("failure %d: %d %s", i, r.status, r.body)
			}
		}
		r := fetch(t, "/fetch/pg.flaky")
		if r.status != 503 || r.json(t)["code"] != "circuit_open" || r.header.Get("Retry-After") == "" {
			t.Fatalf("after 3 failures: %d %s %v", r.status, r.body, r.header)
		}
		// Another source on the same server is not affected.
		if r := fetch(t, "/fetch/postgres.px/ALL"); r.status != 200 {
			t.Errorf("another source: %d", r.status)
		}
		circuit := func() any {
			h := fetch(t, "/health").json(t)
			c, _ := field(t, h, "circuit_breaker.sources").(map[string]any)["postgres:pg.flaky"].(map[string]any)
			return c["state"]
		}
		if st := circuit(); st != "open" {
			t.Errorf("/health circuit of pg.flaky: %v", st)
		}
		proxy.start(t)
		deadline := time.Now().Add(15 * time.Second)
		for {
			r := fetch(t, "/fetch/pg.flaky")
			if r.status == 200 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("did not recover: %d %s", r.status, r.body)
			}
			time.Sleep(100 * time.Millisecond)
		}
		if st := circuit(); st != "closed" {
			t.Errorf("after recovery: %v", st)
		}
	})

	t.Run("no secret in answers, /health, /metrics or the log", func(t *testing.T) {
		metrics := fetch(t, "/metrics")
		if !strings.Contains(string(metrics.body), `moniker_fetch_queries_total{source_type="postgres"}`) ||
			!strings.Contains(string(metrics.body), `moniker_circuit_breaker_state{source="postgres:pg.flaky"`) {
			t.Errorf("metrics lack the fetch series")
		}
		fetch(t, "/health")
		fetch(t, "/resolve/postgres.px/ALL")
		if strings.Contains(answers.String(), fetchSecret) {
			t.Error("an answer holds the binding's password")
		}
		if log := s.stderr.String(); strings.Contains(log, fetchSecret) {
			t.Error("the log holds the binding's password")
		}
	})
}

// TestAdaptersTable: every type the source-type registry says the
// service reads (source.Type.Adapter: their required config keys are
// enforced at load) has an adapter in the table. The table may hold an
// adapter of a type that cannot read yet (snowflake: it checks the keys,
// then answers 501), whose keys are then not enforced.
func TestAdaptersTable(t *testing.T) {
	table := adapters(nil)
	for _, st := range source.Types() {
		if _, ok := table[st.Name]; st.Adapter && !ok {
			t.Errorf("%s: source.Type.Adapter is set but the adapters table has none", st.Name)
		}
	}
	for name := range table {
		if source.Lookup(name) == nil {
			t.Errorf("%s: an adapter for a type the registry does not know", name)
		}
	}
}
