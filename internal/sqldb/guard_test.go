package sqldb

import (
	"errors"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/moniker"
)

var dialects = []Dialect{PostgreSQL, MySQL, SQLite, TSQL, Oracle, Snowflake}

// TestCheckAccepts: reads pass in every dialect, keywords inside strings,
// comments and quoted identifiers do not count, and a trailing semicolon
// (with comments after it) is cut off.
func TestCheckAccepts(t *testing.T) {
	tests := []struct {
		text, want string
	}{
		{"SELECT 1", "SELECT 1"},
		{"select * from t where a = 'DROP TABLE t; DELETE FROM t'", ""},
		{"  \n\tSeLeCt a FROM t", ""},
		{"SELECT 1;", "SELECT 1"},
		{"SELECT 1 ;  \n", "SELECT 1 "},
		{"SELECT 1; -- done\n", "SELECT 1"},
		{"SELECT 1; /* DROP TABLE t */", "SELECT 1"},
		{"-- INSERT INTO t\nSELECT 1", ""},
		{"/* UPDATE t SET a = 1; */ SELECT 1", ""},
		{"WITH x AS (SELECT 1 AS a) SELECT a FROM x", ""},
		{"((SELECT 1))", ""},
		{"VALUES (1), (2)", ""},
		{"TABLE t", ""},
		{"SELECT 'it''s; DROP TABLE t' FROM t", ""},
		{`SELECT "delete", "a;b" FROM t`, ""},
		{"SELECT delete_flag, updated_at, created_by, settings, intotal FROM t", ""},
		{"SELECT CAST(a AS CHAR CHARACTER SET utf8) FROM t", ""},
		{"SELECT * FROM t WHERE d = {d '2026-01-15'}", ""},
		{"SELECT a FROM t WHERE b > 1e-5 AND c < 0x1F", ""},
		{"SELECT 1 -- trailing comment", ""},
		{"SELECT 1 /**/", ""},
		{"SELECT * FROM t LIMIT 5 OFFSET 10", ""},
		{"SELECT a, (SELECT max(b) FROM u) FROM t ORDER BY 1 DESC", ""},
		{"SELECT 'ünïcode', été FROM t", ""},
	}
	for _, d := range dialects {
		for _, tc := range tests {
			got, err := Check(d, tc.text)
			want := tc.want
			if want == "" {
				want = tc.text
			}
			if err != nil || got != want {
				t.Errorf("%s: Check(%q) = %q, %v; want %q", d.Name, tc.text, got, err, want)
			}
		}
	}
}

// TestCheckRefuses: writes, second statements and what the guard cannot
// tokenize for certain are refused in every dialect with ErrInvalid.
func TestCheckRefuses(t *testing.T) {
	tests := []struct{ text, why string }{
		{"", "empty"},
		{"  -- nothing\n", "empty"},
		{";", "empty"},
		{"INSERT INTO t VALUES (1)", "INSERT is not a read"},
		{"insert into t values (1)", "INSERT is not a read"},
		{"UPDATE t SET a = 1", "UPDATE is not a read"},
		{"DELETE FROM t", "DELETE is not a read"},
		{"DROP TABLE t", "DROP is not a read"},
		{"TRUNCATE t", "TRUNCATE is not a read"},
		{"TRUNCATE TABLE t", "TRUNCATE is not a read"},
		{"MERGE INTO t USING u ON (1=1) WHEN MATCHED THEN DELETE", "MERGE is not a read"},
		{"CREATE TABLE x (a int)", "CREATE is not a read"},
		{"SHOW TABLES", "SHOW is not a read"},
		{"EXPLAIN SELECT 1", "EXPLAIN is not a read"},
		{"SET ROLE admin", "SET is not a read"},
		{"CALL p()", "CALL is not a read"},
		{"BEGIN; DELETE FROM t; COMMIT", "BEGIN is not a read"},
		{"WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d", "contains DELETE"},
		{"WITH u AS (UPDATE t SET a = 2 RETURNING a) SELECT a FROM u", "contains UPDATE"},
		{"WITH i AS (INSERT INTO t VALUES (9) RETURNING a) SELECT 1", "contains INSERT"},
		{"SELECT 1; DROP TABLE t", "more than one statement"},
		{"SELECT 1;DROP TABLE t;", "more than one statement"},
		{"SELECT 1; SELECT 2", "more than one statement"},
		{"SELECT 1;;", "more than one statement"},
		{"SELECT 1; /* c */ x", "more than one statement"},
		{"SELECT * INTO t2 FROM t", "contains INTO"},
		{"SELECT * FROM t INTO OUTFILE '/tmp/x'", "contains INTO"},
		{"SELECT * FROM t FOR UPDATE", "contains UPDATE"},
		{"SELECT * FROM t LOCK IN SHARE MODE", "contains LOCK"},
		{"SELECT 1 DELETE FROM t", "contains DELETE"}, // T-SQL: two statements
		{"SELECT 1DELETE FROM t", "contains DELETE"},
		{"SELECT 1 EXEC('DROP TABLE t')", "contains EXEC"},
		{"SELECT set_config('default_transaction_read_only', 'off', false)", "contains SET_CONFIG"},
		{"SELECT * FROM OPENQUERY(srv, 'DELETE FROM t')", "contains OPENQUERY"},
		{"SELECT * FROM dblink('db', 'DELETE FROM t') AS x(a int)", "contains DBLINK"},
		{"SELECT t.delete FROM t", "contains DELETE"},
		{"SELECT flag2delete FROM t", "contains DELETE"},
		{"SELECT 'a", "not closed"},
		{`SELECT "a`, "not closed"},
		{"SELECT 1 /* open", "not closed"},
		{"SELECT 1 /* a /* b */ DROP TABLE t */", "inside another comment"},
		{"SELECT 1 /*! DROP TABLE t */", "executable comment"},
		{"SELECT 1 /*M!100000 DROP TABLE t */", "executable comment"},
		{"SELECT 1\x00; DROP TABLE t", "NUL"},
		{"(DELETE FROM t)", "DELETE is not a read"},
		{"* FROM t", "does not start with"},
		{"'SELECT' FROM t", "does not start with"},
	}
	for _, d := range dialects {
		for _, tc := range tests {
			got, err := Check(d, tc.text)
			if err == nil {
				t.Errorf("%s: Check(%q) accepted %q; want it refused (%s)", d.Name, tc.text, got, tc.why)
				continue
			}
			if !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), tc.why) {
				t.Errorf("%s: Check(%q) = %v; want ErrInvalid saying %q", d.Name, tc.text, err, tc.why)
			}
		}
	}
}

// TestCheckDialects: the quoting and comment rules of each engine. Each
// case is a text that hides a second statement from one reading and not
// from another: the guard must read it as the engine does (accept what
// the engine sees as one statement, refuse what it does not), and where
// a setting decides, refuse.
func TestCheckDialects(t *testing.T) {
	tests := []struct {
		d    Dialect
		text string
		ok   bool
	}{
		// MySQL: # comments, "-- " needs a space, backslash escapes in
		// '...' and "..." depend on NO_BACKSLASH_ESCAPES (refused both ways),
		// backticks quote identifiers.
		{MySQL, "SELECT 1 # ; DROP TABLE t", true},
		{PostgreSQL, "SELECT 1 # ; DROP TABLE t", false},
		{MySQL, "SELECT 1 --1 ; DROP TABLE t", false},
		{MySQL, "SELECT 1 -- ; DROP TABLE t", true},
		{MySQL, `SELECT 'a\'; DROP TABLE t; -- '`, false},
		{MySQL, `SELECT "a\"; DROP TABLE t; -- "`, false},
		{MySQL, `SELECT 'a\\' FROM t`, true}, // ends at the same quote both ways
		{MySQL, "SELECT `a;DROP TABLE t` FROM t", true},
		{MySQL, "SELECT `a``;DROP` FROM t", true},
		{PostgreSQL, "SELECT `a;DROP TABLE t` FROM t", false},
		// PostgreSQL: E'' strings, dollar quotes (tagged), $1 parameters,
		// identifiers holding $.
		{PostgreSQL, `SELECT E'a\'; DROP TABLE t; --' FROM t`, true},
		{PostgreSQL, "SELECT $$; DROP TABLE t;$$", true},
		{PostgreSQL, "SELECT $fn$ it's; DROP $x$ $fn$ FROM t", true},
		{PostgreSQL, "SELECT $1, $2 FROM t", true},
		{PostgreSQL, "SELECT a$b$ ; DROP TABLE t; $b$", false},
		{PostgreSQL, "SELECT 1$$ x $$;DROP TABLE t;$$", false},
		{PostgreSQL, "SELECT $$ unterminated", false},
		{SQLite, "SELECT $$; DROP TABLE t;$$", false},
		// Snowflake: // comments, $$ strings but not tagged ones.
		{Snowflake, "SELECT 1 // it's\n FROM t", true},
		{Snowflake, "SELECT 1 // ; DROP TABLE t", true},
		{MySQL, "SELECT 1 // it's\n; DROP TABLE t; -- '", true}, // no // comments: one string
		{Snowflake, "SELECT $$;DROP TABLE t;$$", true},
		{Snowflake, "SELECT $a$;DROP TABLE t;$a$", false},
		// T-SQL and SQLite: [identifiers]; ]] escapes in T-SQL only.
		{TSQL, "SELECT [a;DROP TABLE t] FROM t", true},
		{TSQL, "SELECT [a]];DROP TABLE t] FROM t", true},
		{SQLite, "SELECT [a]];DROP TABLE t] FROM t", false},
		{PostgreSQL, "SELECT [a;DROP TABLE t] FROM t", false},
		// Oracle: q'...' strings with their own delimiters.
		{Oracle, "SELECT q'[it's; DROP TABLE t]' FROM dual", true},
		{Oracle, "SELECT q'{a'}'; DROP TABLE t; --'", false},
		{Oracle, "SELECT Q'!it's!' FROM dual", true},
		{Oracle, "SELECT nq'<x'>' FROM dual", true},
		{Oracle, "SELECT q'[ ' ]' ; DROP TABLE t ; --'", false},
		{PostgreSQL, "SELECT q'[ ' ]' FROM t", false},
	}
	for _, tc := range tests {
		got, err := Check(tc.d, tc.text)
		if (err == nil) != tc.ok {
			t.Errorf("%s: Check(%q) = %q, %v; want ok=%v", tc.d.Name, tc.text, got, err, tc.ok)
		}
	}
}

// TestCheckBackslash: a text whose statement ends in a different place
// with and without backslash escapes is refused where the engine's
// setting decides, and read by the rule where it is fixed.
func TestCheckBackslash(t *testing.T) {
	text := `SELECT 'a\' ; SELECT 1 --'`
	for _, d := range []Dialect{PostgreSQL, MySQL, Snowflake} {
		if _, err := Check(d, text); err == nil {
			t.Errorf("%s: Check(%q) accepted", d.Name, text)
		}
	}
	// Standard SQL: the string is 'a\', so a second statement follows.
	for _, d := range []Dialect{SQLite, TSQL, Oracle} {
		if _, err := Check(d, text); err == nil || !strings.Contains(err.Error(), "more than one") {
			t.Errorf("%s: Check(%q) = %v; want more than one statement", d.Name, text, err)
		}
	}
	// One statement both ways.
	if got, err := Check(MySQL, `SELECT 'a\\b', 'c''d' FROM t;`); err != nil || got != `SELECT 'a\\b', 'c''d' FROM t` {
		t.Errorf("Check = %q, %v", got, err)
	}
}
