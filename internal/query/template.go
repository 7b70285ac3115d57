package query

import "strings"

// kind is what a part of a compiled template renders.
type kind uint8

const (
	kLiteral kind = iota

	// Indexed placeholders (reference §6.7 steps 1-5).
	kSegment        // {segments[N]}
	kSegmentDate    // {segments[N]:date}
	kSegmentDateSQL // {segment_date_sql[N]}
	kIsAllN         // {is_all[N]}
	kFilter         // {filter[N]:COL}

	// {date_filter:COL} (§6.7 step 6, §5.4).
	kDateFilter

	// Simple placeholders (§6.7 step 7, §5.4).
	kPath
	kVersion
	kVersionDate
	kRevision
	kNamespace
	kMoniker
	kSubResource
	kVersionType
	kIsDate
	kIsLatest
	kIsLookback // also {is_tenor}
	kIsFrequency
	kIsAll
	kLookbackValue // also {tenor_value}
	kLookbackUnit  // also {tenor_unit}
	kFrequency
	kCurrentDate
	kLookbackStartSQL
	kDateValue
	kDateSQL
)

// part is one piece of a compiled template.
type part struct {
	kind kind
	// text is the literal text (kLiteral) or the column (kFilter,
	// kDateFilter).
	text string
	// raw is the placeholder's source text, e.g. "{filter[0]:symbol}".
	raw string
	// idx is N of an indexed placeholder; -1 when N is too large to
	// index anything (it then renders as out of range).
	idx int
}

// Template is a compiled query template. It is immutable and safe for
// concurrent use.
type Template struct {
	parts   []part
	unknown []string
}

// Compile parses a template into its literal and placeholder parts. It
// never fails: text that is not a known placeholder stays literal, exactly
// as upstream leaves it ({unknown}, {segments[ 0]}, {segments[0]:DATE}, and
// the JSON braces of an opensearch query), and a doubled brace is not an
// escape ({{segments[0]}} renders as {AAPL}).
//
// Placeholder names and indices are matched as upstream's regular
// expressions do, with one narrowing: N and COL are ASCII ([0-9]+ and
// [A-Za-z0-9_]+) where Python's \d and \w also accept other Unicode
// digits and letters.
func Compile(tmpl string) *Template {
	// At most a literal before each "{" and the placeholder it opens,
	// plus a trailing literal.
	t := &Template{parts: make([]part, 0, 2*strings.Count(tmpl, "{")+1)}
	lit := 0 // start of the pending literal
	for i := 0; i < len(tmpl); {
		open := strings.IndexByte(tmpl[i:], '{')
		if open < 0 {
			break
		}
		open += i
		end := strings.IndexByte(tmpl[open+1:], '}')
		if end < 0 {
			break
		}
		end += open + 1
		body := tmpl[open+1 : end]
		if strings.IndexByte(body, '{') >= 0 {
			// A placeholder cannot start here; the next "{" may.
			i = open + 1
			continue
		}
		i = end + 1
		p, ok := parsePlaceholder(body)
		if !ok {
			if looksLikePlaceholder(body) {
				t.unknown = appendUnique(t.unknown, tmpl[open:end+1])
			}
			continue
		}
		if lit < open {
			t.parts = append(t.parts, part{kind: kLiteral, text: tmpl[lit:open]})
		}
		p.raw = tmpl[open : end+1]
		t.parts = append(t.parts, p)
		lit = end + 1
	}
	if lit < len(tmpl) {
		t.parts = append(t.parts, part{kind: kLiteral, text: tmpl[lit:]})
	}
	return t
}

// Placeholders returns the distinct known placeholders of the template, in
// order of first appearance, as written ("{segments[0]}", "{path}", ...).
func (t *Template) Placeholders() []string {
	var out []string
	for _, p := range t.parts {
		if p.kind != kLiteral {
			out = appendUnique(out, p.raw)
		}
	}
	return out
}

// Unknown returns the distinct texts of the template that look like a
// placeholder, {name}, {name[N]}, {name:word} or {name[N]:word} with name
// in [a-z_]+ and N in [0-9]+, but are not one: they render unchanged, and
// are most likely typos ({segment[0]}, {segments[0]:DATE}). Other braces,
// such as JSON in an opensearch query, are not reported.
func (t *Template) Unknown() []string {
	return append([]string(nil), t.unknown...)
}

func appendUnique(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// parsePlaceholder recognises the text between a pair of braces.
func parsePlaceholder(body string) (part, bool) {
	if k := simple(body); k != kLiteral {
		return part{kind: k}, true
	}
	if col, ok := strings.CutPrefix(body, "date_filter:"); ok && isWord(col) {
		return part{kind: kDateFilter, text: col}, true
	}
	if idx, rest, ok := indexed(body, "segments["); ok {
		switch rest {
		case "":
			return part{kind: kSegment, idx: idx}, true
		case ":date":
			return part{kind: kSegmentDate, idx: idx}, true
		}
		return part{}, false
	}
	if idx, rest, ok := indexed(body, "segment_date_sql["); ok && rest == "" {
		return part{kind: kSegmentDateSQL, idx: idx}, true
	}
	if idx, rest, ok := indexed(body, "is_all["); ok && rest == "" {
		return part{kind: kIsAllN, idx: idx}, true
	}
	if idx, rest, ok := indexed(body, "filter["); ok {
		if col, ok := strings.CutPrefix(rest, ":"); ok && isWord(col) {
			return part{kind: kFilter, idx: idx, text: col}, true
		}
	}
	return part{}, false
}

// maxIndex bounds a parsed N; any larger N is out of range of any path.
const maxIndex = 1 << 30

// indexed parses prefix, [0-9]+ and "]" at the start of body, and returns
// the index (-1 when above maxIndex) and what follows the "]".
func indexed(body, prefix string) (idx int, rest string, ok bool) {
	s, ok := strings.CutPrefix(body, prefix)
	if !ok {
		return 0, "", false
	}
	n := 0
	for n < len(s) && isDigit(s[n]) {
		if idx >= 0 {
			idx = idx*10 + int(s[n]-'0')
			if idx > maxIndex {
				idx = -1
			}
		}
		n++
	}
	if n == 0 || n == len(s) || s[n] != ']' {
		return 0, "", false
	}
	return idx, s[n+1:], true
}

// looksLikePlaceholder reports whether body matches
// [a-z_]+(\[[0-9]+\])?(:[A-Za-z0-9_]+)?
func looksLikePlaceholder(body string) bool {
	n := 0
	for n < len(body) && (body[n] >= 'a' && body[n] <= 'z' || body[n] == '_') {
		n++
	}
	if n == 0 {
		return false
	}
	s := body[n:]
	if strings.HasPrefix(s, "[") {
		d := 1
		for d < len(s) && isDigit(s[d]) {
			d++
		}
		if d == 1 || d == len(s) || s[d] != ']' {
			return false
		}
		s = s[d+1:]
	}
	if s == "" {
		return true
	}
	col, ok := strings.CutPrefix(s, ":")
	return ok && isWord(col)
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// isWord reports whether s matches [A-Za-z0-9_]+.
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_') {
			return false
		}
	}
	return true
}
