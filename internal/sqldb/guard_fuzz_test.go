package sqldb

import (
	"strings"
	"testing"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

var guardSeeds = []string{
	"SELECT 1; DROP TABLE t",
	"SELECT 'a;b' FROM t; -- x",
	"SELECT /* ; */ 1",
	"SELECT \"x;\" FROM [y;] WHERE `z;` = 1;",
	"SELECT 'it''s' ; DELETE FROM t",
	"SELECT 1 -- ;\n; SELECT 2",
	"WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
	"SELECT $$;$$; x",
	"SELECT q'[;]' FROM dual; x",
	`SELECT 'a\'; x'`,
}

// FuzzCheckSQLite compares the guard with SQLite's own tokenizer
// (sqlite3_complete, which tells whether a text ends in a semicolon
// outside strings, identifiers and comments): whatever the guard accepts
// has no semicolon inside its statement that SQLite reads as a statement
// end, and nothing but comments after the statement.
func FuzzCheckSQLite(f *testing.F) {
	for _, s := range guardSeeds {
		f.Add(s)
	}
	tls := libc.NewTLS()
	defer tls.Close()
	complete := func(s string) bool {
		p, err := libc.CString(s)
		if err != nil {
			f.Fatal(err)
		}
		defer libc.Xfree(tls, p)
		return sqlite3.Xsqlite3_complete(tls, p) != 0
	}
	// top reports whether offset k of s is outside strings, identifiers
	// and comments, as SQLite reads it.
	top := func(s string, k int) bool { return complete(s[:k] + ";") }
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 400 {
			return
		}
		stmt, err := Check(SQLite, s)
		if err != nil {
			return
		}
		if strings.IndexByte(s, 0) >= 0 {
			t.Fatalf("accepted a text with a NUL: %q", s)
		}
		e := len(stmt)
		for i := 0; i < e; i++ {
			if s[i] == ';' && top(s, i) {
				t.Fatalf("Check(%q) = %q: SQLite ends a statement at offset %d", s, stmt, i)
			}
		}
		if e < len(s) && s[e] != ';' {
			t.Fatalf("Check(%q) = %q: the statement does not end at a semicolon", s, stmt)
		}
		for j := e + 1; j < len(s); j++ {
			if isSpace(s[j]) || !top(s, j) {
				continue
			}
			if rest := s[j:]; strings.HasPrefix(rest, "--") || strings.HasPrefix(rest, "/*") {
				j++ // the comment's body is not top-level
				continue
			}
			t.Fatalf("Check(%q) accepted: SQLite reads code at offset %d after the statement", s, j)
		}
	})
}

// FuzzCheckGenerated builds texts out of well-formed tokens of each
// dialect (strings, quoted identifiers, comments and dollar or q quotes
// holding arbitrary bytes, correctly escaped) and checks that the guard
// finds the statement end where the generator put it: a text with a
// top-level semicolon followed by more than comments is never accepted,
// and an accepted text's statement ends at its first top-level semicolon.
func FuzzCheckGenerated(f *testing.F) {
	f.Add([]byte("\x00\x05\x00"), "x';--*/\\\"`]$")
	f.Add([]byte("\x01\x05\x02\x00"), ";'\\")
	f.Add([]byte("\x00\x01\x04\x05\x03\x00"), "DROP TABLE t; '")
	f.Fuzz(func(t *testing.T, prog []byte, content string) {
		if len(prog) > 64 || len(content) > 64 {
			return
		}
		for _, d := range dialects {
			text, end, more := generate(d, prog, content)
			stmt, err := Check(d, text)
			if err != nil {
				continue
			}
			if more {
				t.Fatalf("%s: Check(%q) accepted a second statement", d.Name, text)
			}
			if len(stmt) != end {
				t.Fatalf("%s: Check(%q) = %q; the statement ends at offset %d", d.Name, text, stmt, end)
			}
		}
	})
}

// generate renders prog as a text in dialect d, every token starting with
// "SELECT ". end is the offset of the first top-level semicolon (or the
// length), more whether a token other than a comment follows it.
func generate(d Dialect, prog []byte, content string) (text string, end int, more bool) {
	var b strings.Builder
	b.WriteString("SELECT ")
	end = -1
	words := []string{"a", "FROM", "t", "WHERE", "x", "1", "(", ")", ",", "=", "DROP", "e"}
	tok := func(s string, comment bool) {
		if end >= 0 && !comment {
			more = true
		}
		b.WriteString(s)
		b.WriteByte(' ')
	}
	for i, op := range prog {
		c := content
		if len(c) > 0 {
			c = c[i%len(c):]
		}
		switch op % 10 {
		case 0:
			tok(words[int(op/10)%len(words)], false)
		case 1: // a string
			tok(quote(c, '\'', d.Backslash == BackslashEither), false)
		case 2: // a quoted identifier
			switch {
			case d.Backticks && op&0x10 != 0:
				tok(quote(c, '`', false), false)
			case d.Brackets && op&0x20 != 0:
				if d.BracketEscape {
					tok("["+strings.ReplaceAll(c, "]", "]]")+"]", false)
				} else {
					tok("["+strings.ReplaceAll(c, "]", "")+"]", false)
				}
			default:
				tok(quote(c, '"', d.DoubleQuoteStrings && d.Backslash == BackslashEither), false)
			}
		case 3: // a line comment
			c = strings.NewReplacer("\n", "", "\r", "").Replace(c)
			switch {
			case d.HashComments && op&0x10 != 0:
				tok("#"+c+"\n", true)
			case d.SlashComments && op&0x10 != 0:
				tok("//"+c+"\n", true)
			default:
				tok("-- "+c+"\n", true)
			}
		case 4: // a block comment
			c = strings.TrimRight(without(c, "*/", "/*"), "/*")
			tok("/* "+c+" */", true)
		case 5:
			if end < 0 {
				end = b.Len()
			}
			tok(";", true)
		case 6:
			tok("\n\t", true)
		case 7: // a dollar quote
			switch {
			case d.DollarTags:
				tag := "$q$"
				tok(tag+without(c, "$q")+tag, false)
			case d.DollarPairs:
				tok("$$"+strings.ReplaceAll(c, "$", "")+"$$", false)
			}
		case 8: // an Oracle q-quote
			if d.QQuotes {
				tok("q'["+without(c, "]'")+"]'", false)
			}
		case 9: // a PostgreSQL E string
			if d.EStrings {
				tok("E"+quote(c, '\'', true), false)
			}
		}
	}
	text = b.String()
	if end < 0 {
		end = len(text)
	}
	return text, end, more
}

// quote returns s quoted with q, the quote doubled; with backslash,
// backslashes doubled too, so that the string ends at the same quote
// whether the engine reads backslash escapes or not.
func quote(s string, q byte, backslash bool) string {
	s = strings.ReplaceAll(s, "\x00", "")
	if backslash {
		s = strings.ReplaceAll(s, `\`, `\\`)
	}
	return string(q) + strings.ReplaceAll(s, string(q), string([]byte{q, q})) + string(q)
}

// without removes every occurrence of subs from s, until none is left.
func without(s string, subs ...string) string {
	for {
		t := s
		for _, sub := range subs {
			t = strings.ReplaceAll(t, sub, "")
		}
		if t == s {
			return s
		}
		s = t
	}
}

// TestGenerate: the generator's texts are accepted when they hold one
// statement, so the fuzz target checks accepted texts too.
func TestGenerate(t *testing.T) {
	for _, d := range dialects {
		text, end, more := generate(d, []byte{1, 2, 4, 5, 3, 6}, `x';--*/\"]$`)
		stmt, err := Check(d, text)
		if more || err != nil || len(stmt) != end {
			t.Errorf("%s: Check(%q) = %q, %v; want the first %d bytes", d.Name, text, stmt, err, end)
		}
	}
}
