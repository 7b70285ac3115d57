package sqldb

import (
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// The read-only guard: a conservative lexical check, run on every query
// text before it reaches a driver, that the text is exactly one statement
// and that the statement reads. It is written by hand because no
// maintained Go library classifies SQL across the dialects the adapters
// speak (PostgreSQL, MySQL/MariaDB, SQLite, T-SQL, Oracle, Snowflake); it
// does not parse SQL, it only tokenizes it as far as needed to know what
// is code and what is a string, a quoted identifier or a comment, with
// each dialect's own rules for those.
//
// A text passes when, outside strings, quoted identifiers and comments:
//
//   - its first word (after any opening parentheses) is SELECT, WITH,
//     VALUES or TABLE (SHOW, EXPLAIN, DESCRIBE and the like are refused:
//     /fetch returns a data set, not a plan or the server's settings);
//   - no word is one of writeWords (INSERT, UPDATE, DELETE, DROP, INTO,
//     SET, ...) at any depth, so a data-modifying CTE, SELECT ... INTO,
//     SELECT ... FOR UPDATE and a second statement without a semicolon
//     (T-SQL) are refused; a column with such a name (or a run of letters
//     in a name: flag2delete) must be quoted;
//   - nothing but whitespace and comments follows a semicolon.
//
// It also refuses what it cannot tokenize with certainty: an unterminated
// string, identifier or comment, a block comment opened inside another
// (engines disagree on nesting), a MySQL executable comment (/*! ... */,
// /*M! ... */), and a NUL byte. Where an engine's setting changes how
// backslashes in strings are read (MySQL's NO_BACKSLASH_ESCAPES,
// PostgreSQL's standard_conforming_strings, Snowflake), the text must pass
// read both ways.
//
// The guard is one of three layers: the adapters also run every query
// read-only where the engine can (a read-only session or transaction,
// SQLite's read-only open and authorizer) and never enable a driver's
// multi-statement mode; operators should bind a read-only database user.

// Dialect is the lexical rules of one engine's SQL, as far as the guard
// needs them.
type Dialect struct {
	Name string
	// HashComments: # starts a comment to the end of the line (MySQL).
	HashComments bool
	// SlashComments: // starts a comment to the end of the line
	// (Snowflake).
	SlashComments bool
	// DashSpace: -- starts a comment only when a space or control
	// character follows (MySQL: --1 is minus minus one).
	DashSpace bool
	// Backslash says how a backslash in a '...' string is read.
	Backslash Backslash
	// EStrings: E'...' strings always read backslash escapes (PostgreSQL).
	EStrings bool
	// DoubleQuoteStrings: "..." may be a string literal with the same
	// escapes as '...' (MySQL without ANSI_QUOTES); otherwise "..." is an
	// identifier whose only escape is "".
	DoubleQuoteStrings bool
	// Backticks: `...` is an identifier (MySQL, SQLite).
	Backticks bool
	// Brackets: [...] is an identifier (T-SQL, SQLite); BracketEscape: ]]
	// inside it is a ] (T-SQL).
	Brackets, BracketEscape bool
	// DollarTags: $tag$...$tag$ and $$...$$ are strings (PostgreSQL);
	// DollarPairs: only $$...$$ is (Snowflake).
	DollarTags, DollarPairs bool
	// QQuotes: q'[...]', q'{...}', q'<...>', q'(...)' and q'X...X' are
	// strings (Oracle), as are their N-prefixed forms.
	QQuotes bool
}

// Backslash is how an engine reads a backslash inside a '...' string.
type Backslash int

const (
	// BackslashLiteral: a backslash is an ordinary character (standard
	// SQL: SQLite, T-SQL, Oracle).
	BackslashLiteral Backslash = iota
	// BackslashEither: it depends on a server or session setting, so the
	// guard checks the text read both ways.
	BackslashEither
)

// The dialects of the engines the adapters speak.
var (
	PostgreSQL = Dialect{Name: "postgres", Backslash: BackslashEither, EStrings: true, DollarTags: true}
	MySQL      = Dialect{Name: "mysql", HashComments: true, DashSpace: true, Backslash: BackslashEither,
		DoubleQuoteStrings: true, Backticks: true}
	SQLite    = Dialect{Name: "sqlite", Backticks: true, Brackets: true}
	TSQL      = Dialect{Name: "mssql", Brackets: true, BracketEscape: true}
	Oracle    = Dialect{Name: "oracle", QQuotes: true}
	Snowflake = Dialect{Name: "snowflake", SlashComments: true, Backslash: BackslashEither, DollarPairs: true}
)

// readWords are the words a statement may start with.
var readWords = map[string]bool{"SELECT": true, "WITH": true, "VALUES": true, "TABLE": true}

// writeWords are refused anywhere outside strings, quoted identifiers and
// comments: the statements that write, change the schema, privileges,
// session or transaction state, or run other text (in any of the
// dialects), and the words that make a SELECT write or lock (INTO, SET
// outside CHARACTER SET, LOCK). Statements that can only follow a
// semicolon (ATTACH, PRAGMA, LOAD, ...) need not be listed: a second
// statement is refused anyway.
var writeWords = map[string]bool{
	// data
	"INSERT": true, "UPDATE": true, "DELETE": true, "MERGE": true, "UPSERT": true, "TRUNCATE": true,
	"INTO": true, "COPY": true, "LOCK": true, "UNLOCK": true,
	// schema and privileges
	"CREATE": true, "ALTER": true, "DROP": true, "RENAME": true, "GRANT": true, "REVOKE": true, "DENY": true,
	// running other code or text
	"EXEC": true, "EXECUTE": true, "CALL": true, "DO": true, "PREPARE": true, "DEALLOCATE": true,
	"OPENQUERY": true, "OPENROWSET": true, "OPENDATASOURCE": true, "DBLINK": true, "DBLINK_EXEC": true,
	// session and transaction state (set_config can turn the session's
	// read-only default off)
	"SET": true, "RESET": true, "DISCARD": true, "SET_CONFIG": true,
	"BEGIN": true, "COMMIT": true, "ROLLBACK": true, "SAVEPOINT": true,
	// maintenance and server control (T-SQL needs no semicolon between
	// statements)
	"VACUUM": true, "ANALYZE": true, "REINDEX": true, "CLUSTER": true, "REFRESH": true,
	"DBCC": true, "KILL": true, "SHUTDOWN": true, "BACKUP": true, "RESTORE": true, "BULK": true,
	"RECONFIGURE": true, "CHECKPOINT": true, "WRITETEXT": true, "UPDATETEXT": true,
}

// Check returns the statement of text if text is one read-only statement
// in dialect d, without a trailing semicolon and what follows it (only
// whitespace and comments may); otherwise an error of kind
// moniker.ErrInvalid saying why.
func Check(d Dialect, text string) (string, error) {
	if strings.IndexByte(text, 0) >= 0 {
		return "", refuse("it contains a NUL byte")
	}
	end, err := scan(d, text, false)
	if err != nil {
		return "", err
	}
	if d.Backslash == BackslashEither {
		end2, err := scan(d, text, true)
		if err != nil {
			return "", err
		}
		if end2 != end {
			return "", refuse("the statement's end depends on how the server reads backslashes in strings")
		}
	}
	return text[:end], nil
}

func refuse(format string, args ...any) error {
	return moniker.Errorf(moniker.ErrInvalid, "query refused: "+format+" (only one SELECT, WITH, VALUES or TABLE statement that reads is run)", args...)
}

// scan tokenizes text and returns the end of its statement (the offset of
// the terminating semicolon, or len(text)). backslash: a backslash
// escapes the next character in '...' strings (and in "..." strings).
func scan(d Dialect, text string, backslash bool) (int, error) {
	s := text
	n := len(s)
	first := true  // no significant token seen yet
	end := -1      // offset of the semicolon that ends the statement
	prevWord := "" // the previous word, upper-cased
	for i := 0; i < n; {
		c := s[i]
		var next byte
		if i+1 < n {
			next = s[i+1]
		}
		switch {
		case isSpace(c):
			i++
			continue
		case c == '-' && next == '-' && (!d.DashSpace || i+2 >= n || s[i+2] <= ' '),
			c == '#' && d.HashComments,
			c == '/' && next == '/' && d.SlashComments:
			j := strings.IndexByte(s[i:], '\n')
			if j < 0 {
				i = n
			} else {
				i += j + 1
			}
			continue
		case c == '/' && next == '*':
			if i+2 < n && (s[i+2] == '!' || (s[i+2] == 'M' && i+3 < n && s[i+3] == '!')) {
				return 0, refuse("it contains an executable comment (/*! ... */)")
			}
			j := indexFrom(s, i+2, "*/")
			if j < 0 {
				return 0, refuse("a comment is not closed")
			}
			if indexFrom(s[:j], i+2, "/*") >= 0 {
				return 0, refuse("a comment opens inside another comment")
			}
			i = j + 2
			continue
		}
		// A significant token.
		if end >= 0 {
			return 0, refuse("it holds more than one statement")
		}
		var word string
		var err error
		raw := "" // the word token as written
		switch {
		case c == ';':
			end = i
			i++
			continue
		case c == '\'':
			i, err = skipQuoted(s, i, '\'', backslash)
		case c == '"':
			i, err = skipQuoted(s, i, '"', backslash && d.DoubleQuoteStrings)
		case c == '`' && d.Backticks:
			i, err = skipQuoted(s, i, '`', false)
		case c == '[' && d.Brackets:
			i, err = skipBracket(s, i, d.BracketEscape)
		case c == '$' && (d.DollarTags || d.DollarPairs):
			j, ok, e := skipDollar(d, s, i)
			if e != nil {
				return 0, e
			}
			if ok {
				i = j
			} else {
				i++ // a parameter ($1) or an operator
			}
		case isWordStart(c):
			j := i + 1
			for j < n && isWordPart(s[j]) {
				j++
			}
			raw, word = s[i:j], upper(s[i:j])
			switch {
			case j < n && s[j] == '\'' && d.EStrings && word == "E":
				i, err = skipQuoted(s, j, '\'', true)
				raw, word = "", ""
			case j < n && s[j] == '\'' && d.QQuotes && (word == "Q" || word == "NQ"):
				i, err = skipQQuote(s, j)
				raw, word = "", ""
			default:
				i = j
			}
		case isDigit(c):
			// A number: digits, letters (exponents, hex), dots, underscores;
			// never $, which may open a dollar quote right after it.
			j := i + 1
			for j < n && (isDigit(s[j]) || isLetter(s[j]) || s[j] == '.' || s[j] == '_') {
				j++
			}
			raw, i = s[i:j], j // T-SQL reads 1DELETE as 1 and DELETE
		case c == '(':
			i++
			continue // "first" holds through opening parentheses
		default:
			if first {
				return 0, refuse("it does not start with SELECT, WITH, VALUES or TABLE")
			}
			i++
			prevWord = ""
			continue
		}
		if err != nil {
			return 0, err
		}
		if first {
			if !readWords[word] {
				if word == "" {
					return 0, refuse("it does not start with SELECT, WITH, VALUES or TABLE")
				}
				return 0, refuse("%s is not a read", word)
			}
			first = false
		}
		if w := denied(raw, prevWord); w != "" {
			return 0, refuse("it contains %s", w)
		}
		prevWord = word
	}
	if first {
		return 0, refuse("it is empty")
	}
	if end < 0 {
		end = n
	}
	return end, nil
}

// denied returns the first of writeWords in tok (a word or number token
// as the engine reads it), or "". Each run of ASCII letters and
// underscores is checked on its own, so a token that an engine might
// split (at a digit, a non-ASCII byte or a $: T-SQL reads 1DELETE as 1
// and DELETE) cannot hide one. SET after CHARACTER or CHAR (MySQL's
// CHARACTER SET in a CAST) is not refused.
func denied(tok, prev string) string {
	for len(tok) > 0 {
		j := 0
		for j < len(tok) && (isLetter(tok[j]) || tok[j] == '_') {
			j++
		}
		if j > 0 {
			w := upper(tok[:j])
			if writeWords[w] && !(w == "SET" && (prev == "CHARACTER" || prev == "CHAR")) {
				return w
			}
		} else {
			j++
		}
		tok = tok[j:]
	}
	return ""
}

// skipQuoted returns the offset after the quoted token opening at s[i]
// with quote q: the quote doubled is a quote, and with backslash a
// backslash escapes the next byte.
func skipQuoted(s string, i int, q byte, backslash bool) (int, error) {
	for j := i + 1; j < len(s); j++ {
		switch s[j] {
		case '\\':
			if backslash {
				j++
			}
		case q:
			if j+1 < len(s) && s[j+1] == q {
				j++
				continue
			}
			return j + 1, nil
		}
	}
	return 0, refuse("a quoted string or identifier (%c) is not closed", q)
}

// skipBracket returns the offset after the [identifier] opening at s[i].
func skipBracket(s string, i int, escape bool) (int, error) {
	for j := i + 1; j < len(s); j++ {
		if s[j] == ']' {
			if escape && j+1 < len(s) && s[j+1] == ']' {
				j++
				continue
			}
			return j + 1, nil
		}
	}
	return 0, refuse("a [quoted identifier] is not closed")
}

// skipDollar reads a dollar-quoted string opening at s[i], if one does:
// $$...$$, or with DollarTags $tag$...$tag$ (tag: a letter or underscore,
// then letters, digits, underscores). ok is false when s[i] opens none
// (a parameter such as $1).
func skipDollar(d Dialect, s string, i int) (int, bool, error) {
	j := i + 1
	if d.DollarTags && j < len(s) && isWordStart(s[j]) {
		for j < len(s) && (isWordStart(s[j]) || isDigit(s[j])) {
			j++
		}
	}
	if j >= len(s) || s[j] != '$' {
		return 0, false, nil
	}
	tag := s[i : j+1]
	k := indexFrom(s, j+1, tag)
	if k < 0 {
		return 0, false, refuse("a dollar-quoted string (%s) is not closed", tag)
	}
	return k + len(tag), true, nil
}

// skipQQuote returns the offset after Oracle's q'<delim>...<delim>'
// string whose quote is at s[i].
func skipQQuote(s string, i int) (int, error) {
	if i+1 >= len(s) {
		return 0, refuse("a q'...' string is not closed")
	}
	open := s[i+1]
	closing := open
	switch open {
	case '[':
		closing = ']'
	case '{':
		closing = '}'
	case '(':
		closing = ')'
	case '<':
		closing = '>'
	}
	if isSpace(open) || open == '\'' {
		return 0, refuse("a q'...' string has no delimiter")
	}
	k := indexFrom(s, i+2, string([]byte{closing, '\''}))
	if k < 0 {
		return 0, refuse("a q'...' string is not closed")
	}
	return k + 2, nil
}

// indexFrom is strings.Index of sub in s[from:], as an offset in s.
func indexFrom(s string, from int, sub string) int {
	if from > len(s) {
		return -1
	}
	j := strings.Index(s[from:], sub)
	if j < 0 {
		return -1
	}
	return from + j
}

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'
}
func isDigit(c byte) bool     { return c >= '0' && c <= '9' }
func isLetter(c byte) bool    { return c|0x20 >= 'a' && c|0x20 <= 'z' }
func isWordStart(c byte) bool { return isLetter(c) || c == '_' || c >= 0x80 }
func isWordPart(c byte) bool  { return isWordStart(c) || isDigit(c) || c == '$' }

// upper returns w upper-cased (ASCII), allocating only for the words that
// matter to the guard.
func upper(w string) string {
	if len(w) > 14 { // longer than any listed word
		return ""
	}
	var b [14]byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= 'a' && c <= 'z' {
			c -= 'a' - 'A'
		}
		b[i] = c
	}
	return string(b[:len(w)])
}
