package catalog

import (
	"unicode/utf8"
	"unsafe"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// fastParser parses one top-level catalog entry written in the common
// subset of block YAML into the same yaml.Node tree yaml.v3 builds, five
// to ten times faster and with a fraction of the allocations
// (BenchmarkParseEntries); it makes the whole 100,000-node load about four
// times cheaper (BenchmarkLoad100k, README "Scale"). It handles block mappings and sequences (including
// indentless and compact "- key: v" forms), plain single-line scalars,
// single- and double-quoted scalars (multi-line, escapes, folding), literal
// and folded block scalars, comments and CRLF line ends.
//
// Anything else (flow collections, anchors, aliases, tags, merge keys,
// multi-line plain scalars, tabs, complex keys, odd indentation, control
// characters) makes it decline (ok=false), and the caller parses the
// entry with yaml.v3, which also produces the authoritative error message
// for invalid YAML. FuzzFastParser checks that whenever the fast parser
// accepts an input, yaml.v3 accepts it too and builds an equal tree.
//
// Node columns count bytes (yaml.v3 counts characters); nothing reads
// them. Scalar values are zero-copy strings pointing into src: the decoder
// copies (or interns) every string it keeps, so no node outlives the batch
// it came from. Nodes come from an arena reset per batch.
type fastParser struct {
	src       []byte
	pos       int
	line      int // 1-based line of pos
	lineStart int // offset of the current line's first byte
	depth     int
	ok        bool
	buf       []byte       // scratch for scalars that need building
	stack     []*yaml.Node // children of the collections being built
	tmp       yaml.Node    // scratch for yaml.v3's tag resolution
	arena     nodeArena
}

// fastMaxDepth bounds nesting; deeper entries go to yaml.v3.
const fastMaxDepth = 64

// nodeArena hands out yaml.Node values and Content slices from reusable
// chunks.
type nodeArena struct {
	nodes  [][]yaml.Node
	ni, nj int
	ptrs   [][]*yaml.Node
	pi, pj int
}

func (a *nodeArena) reset() { a.ni, a.nj, a.pi, a.pj = 0, 0, 0, 0 }

func (a *nodeArena) node() *yaml.Node {
	const chunk = 1024
	if a.ni < len(a.nodes) && a.nj == chunk {
		a.ni, a.nj = a.ni+1, 0
	}
	if a.ni == len(a.nodes) {
		a.nodes = append(a.nodes, make([]yaml.Node, chunk))
		a.nj = 0
	}
	n := &a.nodes[a.ni][a.nj]
	a.nj++
	*n = yaml.Node{}
	return n
}

func (a *nodeArena) content(src []*yaml.Node) []*yaml.Node {
	const chunk = 8192
	if len(src) > chunk/4 {
		return append([]*yaml.Node(nil), src...)
	}
	if a.pi < len(a.ptrs) && a.pj+len(src) > chunk {
		a.pi, a.pj = a.pi+1, 0
	}
	if a.pi == len(a.ptrs) {
		a.ptrs = append(a.ptrs, make([]*yaml.Node, chunk))
		a.pj = 0
	}
	out := a.ptrs[a.pi][a.pj : a.pj+len(src) : a.pj+len(src)]
	copy(out, src)
	a.pj += len(src)
	return out
}

// parseEntry parses src, which must hold exactly one top-level key at
// column 0 of its first line, and returns the key and value nodes, with
// lines relative to src. ok is false when src is outside the subset.
func (p *fastParser) parseEntry(src []byte) (key, value *yaml.Node, ok bool) {
	if len(src) == 0 || src[0] == ' ' || !fastChars(src) {
		return nil, nil, false
	}
	p.src, p.pos, p.line, p.lineStart, p.depth, p.ok = src, 0, 1, 0, 0, true
	m := p.mapping(0)
	if !p.ok || m == nil || len(m.Content) != 2 || p.nextLine() >= 0 {
		return nil, nil, false
	}
	return m.Content[0], m.Content[1], true
}

// fastChars rejects inputs with bytes the fast parser leaves to yaml.v3:
// tabs, control characters, lone CR, YAML 1.1 line breaks (NEL, LS, PS),
// BOMs, invalid UTF-8 and characters YAML does not allow.
func fastChars(src []byte) bool {
	for i := 0; i < len(src); {
		c := src[i]
		if c-0x20 < 0x5f { // printable ASCII
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch {
			case c == '\n':
			case c == '\r':
				if i+1 >= len(src) || src[i+1] != '\n' {
					return false
				}
			case c < 0x20 || c == 0x7f:
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(src[i:])
		if r == utf8.RuneError || r < 0xA0 || r == 0x2028 || r == 0x2029 || r == 0xFEFF ||
			(r >= 0xD800 && r <= 0xDFFF) || r == 0xFFFE || r == 0xFFFF {
			return false
		}
		i += n
	}
	return true
}

func (p *fastParser) fail() { p.ok = false }

func (p *fastParser) col() int { return p.pos - p.lineStart }

func (p *fastParser) at(i int) byte {
	if i < len(p.src) {
		return p.src[i]
	}
	return 0
}

// eol reports whether pos is at a line end ("\n", "\r\n") or the end.
func (p *fastParser) eol(i int) bool {
	return i >= len(p.src) || p.src[i] == '\n' || p.src[i] == '\r'
}

// skipLineEnd moves past the line break at pos (if any) to the next line.
func (p *fastParser) skipLineEnd() {
	if p.pos < len(p.src) && p.src[p.pos] == '\r' {
		p.pos++
	}
	if p.pos < len(p.src) && p.src[p.pos] == '\n' {
		p.pos++
		p.line++
		p.lineStart = p.pos
	}
}

// restOfLine checks that only spaces and an optional comment remain on
// the line, and moves to the next line.
func (p *fastParser) restOfLine() {
	start := p.pos
	for p.at(p.pos) == ' ' {
		p.pos++
	}
	if !p.eol(p.pos) {
		if p.src[p.pos] != '#' || p.pos == start {
			p.fail()
			return
		}
		for !p.eol(p.pos) {
			p.pos++
		}
	}
	p.skipLineEnd()
}

// nextLine moves pos to the first content line at or after pos (which is
// at a line start), skipping blank and comment-only lines, and returns its
// indentation; -1 at the end of the input. pos is left at the line start.
func (p *fastParser) nextLine() int {
	for p.pos < len(p.src) {
		i := p.pos
		for i < len(p.src) && p.src[i] == ' ' {
			i++
		}
		if p.eol(i) || p.src[i] == '#' {
			p.pos = i
			for !p.eol(p.pos) {
				p.pos++
			}
			p.skipLineEnd()
			continue
		}
		return i - p.pos
	}
	return -1
}

func (p *fastParser) str(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	return unsafe.String(&b[0], len(b))
}

func (p *fastParser) newNode(kind yaml.Kind, line, col int) *yaml.Node {
	n := p.arena.node()
	n.Kind, n.Line, n.Column = kind, line, col+1
	return n
}

// nullNode is the empty scalar yaml.v3 makes for a missing value, placed
// just after the indicator.
func (p *fastParser) nullNode(line, col int) *yaml.Node {
	n := p.newNode(yaml.ScalarNode, line, col)
	n.Tag = yamlfile.TagNull
	return n
}

// isSeqEntry reports whether a "-" entry indicator is at i.
func (p *fastParser) isSeqEntry(i int) bool {
	return p.at(i) == '-' && (p.eol(i+1) || p.src[i+1] == ' ')
}

// keyEnd finds the ':' that ends a plain key starting at pos on this line:
// the first ':' followed by a space or the line end. It returns -1 when
// the line is not a "key:" line.
func (p *fastParser) keyEnd() int {
	for i := p.pos; !p.eol(i); i++ {
		switch p.src[i] {
		case ':':
			if p.eol(i+1) || p.src[i+1] == ' ' {
				return i
			}
		case '#':
			if i > p.pos && p.src[i-1] == ' ' {
				return -1
			}
		}
	}
	return -1
}

// plainStart reports whether c may start a plain scalar (or key) here:
// indicators send the entry to yaml.v3.
func (p *fastParser) plainStart(i int) bool {
	switch p.at(i) {
	case '-', '?', ':':
		return !p.eol(i+1) && p.src[i+1] != ' '
	case ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@', '`':
		return false
	}
	return !p.eol(i)
}

// isKeyLine reports whether a mapping key starts at pos.
func (p *fastParser) isKeyLine() bool {
	switch p.at(p.pos) {
	case '"', '\'':
		return p.quotedKey()
	}
	return p.plainStart(p.pos) && p.keyEnd() >= 0
}

// quotedKey reports whether the quoted scalar at pos closes on this line
// and is followed by ':' (a quoted mapping key).
func (p *fastParser) quotedKey() bool {
	q := p.src[p.pos]
	i := p.pos + 1
	for ; !p.eol(i); i++ {
		c := p.src[i]
		if q == '\'' && c == '\'' {
			if p.at(i+1) == '\'' {
				i++
				continue
			}
			break
		}
		if q == '"' {
			if c == '\\' && !p.eol(i+1) {
				i++
				continue
			}
			if c == '"' {
				break
			}
		}
	}
	if p.eol(i) {
		return false
	}
	i++
	for p.at(i) == ' ' {
		i++
	}
	return p.at(i) == ':' && (p.eol(i+1) || p.src[i+1] == ' ')
}

// mapping parses a block mapping whose keys are at column indent, starting
// at pos (which is at that column).
func (p *fastParser) mapping(indent int) *yaml.Node {
	if p.depth++; p.depth > fastMaxDepth {
		p.fail()
		return nil
	}
	defer func() { p.depth-- }()
	m := p.newNode(yaml.MappingNode, p.line, indent)
	m.Tag = "!!map"
	mark := len(p.stack)
	defer func() { p.stack = p.stack[:mark] }()
	for p.ok {
		k := p.key()
		if !p.ok {
			return nil
		}
		v := p.value(indent, true)
		if !p.ok {
			return nil
		}
		p.stack = append(p.stack, k, v)
		ni := p.nextLine()
		if ni < indent {
			break
		}
		if ni > indent {
			p.fail()
			return nil
		}
		p.pos += ni
		if p.isSeqEntry(p.pos) {
			p.fail()
			return nil
		}
	}
	m.Content = p.arena.content(p.stack[mark:])
	return m
}

// key parses a mapping key at pos and the ':' after it.
func (p *fastParser) key() *yaml.Node {
	line, col := p.line, p.col()
	switch c := p.at(p.pos); c {
	case '"', '\'':
		k := p.quoted()
		if !p.ok || k.Line != line {
			p.fail()
			return nil
		}
		for p.at(p.pos) == ' ' {
			p.pos++
		}
		if p.at(p.pos) != ':' || (!p.eol(p.pos+1) && p.src[p.pos+1] != ' ') || p.line != line {
			p.fail()
			return nil
		}
		p.pos++
		return k
	}
	if !p.plainStart(p.pos) {
		p.fail()
		return nil
	}
	end := p.keyEnd()
	if end < 0 {
		p.fail()
		return nil
	}
	t := end
	for t > p.pos && p.src[t-1] == ' ' {
		t--
	}
	if t-p.pos > 1024 {
		p.fail()
		return nil
	}
	k := p.plain(p.src[p.pos:t], line, col)
	if k.Tag == yamlfile.TagMerge {
		p.fail()
		return nil
	}
	p.pos = end + 1
	return k
}

// plain makes a plain scalar node, resolving its tag as yaml.v3 does.
func (p *fastParser) plain(b []byte, line, col int) *yaml.Node {
	n := p.newNode(yaml.ScalarNode, line, col)
	n.Value = p.str(b)
	n.Tag = p.plainTag(n.Value)
	return n
}

// plainTag is yaml.v3's tag resolution for a plain scalar. Only values
// that may be numbers, dates or special words (by their first byte, as
// yaml.v3's resolve table) go through yaml.v3; that path allocates.
func (p *fastParser) plainTag(s string) string {
	if s == "" {
		return yamlfile.TagNull
	}
	switch s[0] {
	case '+', '-', '.', '0', '1', '2', '3', '4', '5', '6', '7', '8', '9':
		p.tmp = yaml.Node{Kind: yaml.ScalarNode, Value: s}
		return p.tmp.ShortTag()
	case 'y', 'Y', 'n', 'N', 't', 'T', 'f', 'F', 'o', 'O', '~', '<':
		switch s {
		case "true", "True", "TRUE", "false", "False", "FALSE":
			return yamlfile.TagBool
		case "null", "Null", "NULL", "~":
			return yamlfile.TagNull
		case "<<":
			return yamlfile.TagMerge
		}
	}
	return yamlfile.TagStr
}

// value parses what follows a ':' (inMap) or "- " indicator on the current
// line, and any block content belonging to it on following lines. indent
// is the column of the enclosing collection.
func (p *fastParser) value(indent int, inMap bool) *yaml.Node {
	iline, icol, ipos := p.line, p.col(), p.pos // just after the indicator
	for p.at(p.pos) == ' ' {
		p.pos++
	}
	if p.eol(p.pos) || (p.src[p.pos] == '#' && p.pos > ipos) {
		// Nothing on this line: a block node on the following lines, an
		// indentless sequence (mapping values only), or null.
		p.pos = ipos
		p.restOfLine()
		if !p.ok {
			return nil
		}
		ni := p.nextLine()
		switch {
		case ni > indent:
			p.pos += ni
			return p.block(indent)
		case ni == indent && inMap && p.isSeqEntry(p.pos+ni):
			p.pos += ni
			return p.sequence(indent)
		}
		return p.nullNode(iline, icol)
	}
	if !inMap {
		// "- " item content on the same line: a compact nested sequence
		// or mapping starts at this column.
		c := p.col()
		if p.isSeqEntry(p.pos) {
			return p.sequence(c)
		}
		if p.isKeyLine() {
			return p.mapping(c)
		}
	}
	return p.scalar(indent)
}

// block parses a node that starts on its own line at pos (column >
// indent of the enclosing collection).
func (p *fastParser) block(indent int) *yaml.Node {
	c := p.col()
	if p.isSeqEntry(p.pos) {
		return p.sequence(c)
	}
	if p.isKeyLine() {
		return p.mapping(c)
	}
	return p.scalar(indent)
}

// scalar parses a scalar starting at pos, then the rest of its line.
func (p *fastParser) scalar(indent int) *yaml.Node {
	line, col := p.line, p.col()
	switch p.at(p.pos) {
	case '"', '\'':
		n := p.quoted()
		if p.ok {
			p.restOfLine()
		}
		return n
	case '|', '>':
		return p.blockScalar(indent)
	case '[':
		return p.flowSeq()
	case '{':
		if p.at(p.pos+1) == '}' {
			n := p.newNode(yaml.MappingNode, line, col)
			n.Tag, n.Style = "!!map", yaml.FlowStyle
			p.pos += 2
			p.restOfLine()
			return n
		}
	}
	if !p.plainStart(p.pos) {
		p.fail()
		return nil
	}
	start := p.pos
	end := start
	for i := start; !p.eol(i); i++ {
		c := p.src[i]
		if c == '#' && p.src[i-1] == ' ' {
			break
		}
		if c == ':' && (p.eol(i+1) || p.src[i+1] == ' ') {
			p.fail() // "mapping values are not allowed in this context"
			return nil
		}
		if c != ' ' {
			end = i + 1
		}
	}
	p.pos = end
	n := p.plain(p.src[start:end], line, col)
	p.restOfLine()
	// A more-indented line after a plain scalar continues it: not ours.
	pos, line, lineStart := p.pos, p.line, p.lineStart
	if ni := p.nextLine(); ni > indent {
		p.fail()
		return nil
	}
	p.pos, p.line, p.lineStart = pos, line, lineStart
	return n
}

// flowSeq parses a one-line flow sequence of scalars ("[a, 'b', c]") at
// pos, then the rest of its line.
func (p *fastParser) flowSeq() *yaml.Node {
	s := p.newNode(yaml.SequenceNode, p.line, p.col())
	s.Tag, s.Style = "!!seq", yaml.FlowStyle
	p.pos++ // "["
	var kids []*yaml.Node
	for {
		for p.at(p.pos) == ' ' {
			p.pos++
		}
		if p.at(p.pos) == ']' {
			p.pos++
			break
		}
		var item *yaml.Node
		switch p.at(p.pos) {
		case '"', '\'':
			line := p.line
			if item = p.quoted(); !p.ok || p.line != line {
				p.fail()
				return nil
			}
		default:
			if !p.plainStart(p.pos) {
				p.fail()
				return nil
			}
			start, end := p.pos, p.pos
			for !p.eol(p.pos) {
				c := p.src[p.pos]
				if c == ',' || c == ']' {
					break
				}
				if c == '[' || c == '{' || c == '}' || c == ':' || c == '#' {
					p.fail()
					return nil
				}
				p.pos++
				if c != ' ' {
					end = p.pos
				}
			}
			item = p.plain(p.src[start:end], p.line, start-p.lineStart)
		}
		kids = append(kids, item)
		for p.at(p.pos) == ' ' {
			p.pos++
		}
		switch p.at(p.pos) {
		case ',':
			p.pos++
		case ']':
		default:
			p.fail()
			return nil
		}
	}
	s.Content = p.arena.content(kids)
	p.restOfLine()
	return s
}

// sequence parses a block sequence whose "-" are at column indent.
func (p *fastParser) sequence(indent int) *yaml.Node {
	if p.depth++; p.depth > fastMaxDepth {
		p.fail()
		return nil
	}
	defer func() { p.depth-- }()
	s := p.newNode(yaml.SequenceNode, p.line, indent)
	s.Tag = "!!seq"
	mark := len(p.stack)
	defer func() { p.stack = p.stack[:mark] }()
	for p.ok {
		p.pos++ // the "-"
		v := p.value(indent, false)
		if !p.ok {
			return nil
		}
		p.stack = append(p.stack, v)
		ni := p.nextLine()
		if ni < indent {
			break
		}
		if ni > indent {
			p.fail()
			return nil
		}
		if !p.isSeqEntry(p.pos + ni) {
			break // an indentless sequence ends at the next key
		}
		p.pos += ni
	}
	s.Content = p.arena.content(p.stack[mark:])
	return s
}

// quoted scans a single- or double-quoted scalar at pos (a port of
// libyaml's yaml_parser_scan_flow_scalar), leaving pos after the closing
// quote.
func (p *fastParser) quoted() *yaml.Node {
	single := p.src[p.pos] == '\''
	n := p.newNode(yaml.ScalarNode, p.line, p.col())
	n.Tag = yamlfile.TagStr
	n.Style = yaml.DoubleQuotedStyle
	if single {
		n.Style = yaml.SingleQuotedStyle
	}
	p.pos++
	start := p.pos
	// Fast path: no escapes, quotes or breaks before the closing quote.
	for i := start; i < len(p.src); i++ {
		c := p.src[i]
		if c == '\n' || c == '\r' || c == '\\' || (single && c == '\'' && p.at(i+1) == '\'') {
			break
		}
		if (single && c == '\'') || (!single && c == '"') {
			n.Value = p.str(p.src[start:i])
			p.pos = i + 1
			return n
		}
	}
	s := p.buf[:0]
	var leadingBreak, trailingBreaks, whitespaces []byte
	for {
		if p.pos >= len(p.src) {
			p.fail()
			return n
		}
		if p.col() == 0 {
			// Continuation lines must stay inside the entry's indentation;
			// leave column-0 oddities to yaml.v3.
			p.fail()
			return n
		}
		leadingBlanks := false
		for !p.blankz(p.pos) {
			c := p.src[p.pos]
			if single && c == '\'' && p.at(p.pos+1) == '\'' {
				s = append(s, '\'')
				p.pos += 2
			} else if single && c == '\'' {
				break
			} else if !single && c == '"' {
				break
			} else if !single && c == '\\' && p.isBreak(p.pos+1) {
				p.pos++
				p.skipLineEnd()
				leadingBlanks = true
				break
			} else if !single && c == '\\' {
				var ok bool
				if s, ok = p.escape(s); !ok {
					p.fail()
					return n
				}
			} else {
				s = append(s, c)
				p.pos++
			}
		}
		if p.pos >= len(p.src) {
			p.fail()
			return n
		}
		if c := p.src[p.pos]; (single && c == '\'') || (!single && c == '"') {
			break
		}
		for p.pos < len(p.src) && (p.src[p.pos] == ' ' || p.isBreak(p.pos)) {
			if p.src[p.pos] == ' ' {
				if !leadingBlanks {
					whitespaces = append(whitespaces, ' ')
				}
				p.pos++
				continue
			}
			if !leadingBlanks {
				whitespaces = whitespaces[:0]
				leadingBreak = append(leadingBreak[:0], '\n')
				leadingBlanks = true
			} else {
				trailingBreaks = append(trailingBreaks, '\n')
			}
			p.skipLineEnd()
		}
		if leadingBlanks {
			if len(leadingBreak) > 0 {
				if len(trailingBreaks) == 0 {
					s = append(s, ' ')
				} else {
					s = append(s, trailingBreaks...)
				}
			} else {
				s = append(s, trailingBreaks...)
			}
			trailingBreaks = trailingBreaks[:0]
			leadingBreak = leadingBreak[:0]
		} else {
			s = append(s, whitespaces...)
			whitespaces = whitespaces[:0]
		}
	}
	p.pos++ // the closing quote
	n.Value = string(s)
	p.buf = s[:0]
	return n
}

func (p *fastParser) isBreak(i int) bool {
	return i < len(p.src) && (p.src[i] == '\n' || (p.src[i] == '\r' && p.at(i+1) == '\n'))
}

// blankz: a space, a line break or the end.
func (p *fastParser) blankz(i int) bool {
	return i >= len(p.src) || p.src[i] == ' ' || p.isBreak(i)
}

// escape decodes the double-quoted escape at pos, appending to s.
func (p *fastParser) escape(s []byte) ([]byte, bool) {
	c := p.at(p.pos + 1)
	codeLen := 0
	switch c {
	case '0':
		s = append(s, 0)
	case 'a':
		s = append(s, '\x07')
	case 'b':
		s = append(s, '\x08')
	case 't':
		s = append(s, '\x09')
	case 'n':
		s = append(s, '\x0A')
	case 'v':
		s = append(s, '\x0B')
	case 'f':
		s = append(s, '\x0C')
	case 'r':
		s = append(s, '\x0D')
	case 'e':
		s = append(s, '\x1B')
	case ' ':
		s = append(s, ' ')
	case '"':
		s = append(s, '"')
	case '\'':
		s = append(s, '\'')
	case '\\':
		s = append(s, '\\')
	case 'N':
		s = append(s, "\u0085"...)
	case '_':
		s = append(s, "\u00a0"...)
	case 'L':
		s = append(s, "\u2028"...)
	case 'P':
		s = append(s, "\u2029"...)
	case 'x':
		codeLen = 2
	case 'u':
		codeLen = 4
	case 'U':
		codeLen = 8
	default:
		return s, false
	}
	p.pos += 2
	if codeLen == 0 {
		return s, true
	}
	if p.pos+codeLen > len(p.src) {
		return s, false
	}
	v := 0
	for _, h := range p.src[p.pos : p.pos+codeLen] {
		switch {
		case h >= '0' && h <= '9':
			v = v<<4 + int(h-'0')
		case h >= 'a' && h <= 'f':
			v = v<<4 + int(h-'a'+10)
		case h >= 'A' && h <= 'F':
			v = v<<4 + int(h-'A'+10)
		default:
			return s, false
		}
	}
	if (v >= 0xD800 && v <= 0xDFFF) || v > 0x10FFFF {
		return s, false
	}
	p.pos += codeLen
	return utf8.AppendRune(s, rune(v)), true
}

// blockScalar parses a literal (|) or folded (>) scalar at pos (a port of
// libyaml's yaml_parser_scan_block_scalar). indent is the column of the
// enclosing collection.
func (p *fastParser) blockScalar(indent int) *yaml.Node {
	literal := p.src[p.pos] == '|'
	n := p.newNode(yaml.ScalarNode, p.line, p.col())
	n.Tag = yamlfile.TagStr
	n.Style = yaml.FoldedStyle
	if literal {
		n.Style = yaml.LiteralStyle
	}
	p.pos++
	chomping, increment := 0, 0
	for range 2 {
		switch c := p.at(p.pos); {
		case (c == '+' || c == '-') && chomping == 0:
			chomping = 1
			if c == '-' {
				chomping = -1
			}
			p.pos++
		case c >= '1' && c <= '9' && increment == 0:
			increment = int(c - '0')
			p.pos++
		}
	}
	p.restOfLine()
	if !p.ok {
		return nil
	}
	blockIndent := 0
	if increment > 0 {
		blockIndent = indent + increment
	}
	var s, leadingBreak, trailingBreaks []byte
	s = p.buf[:0]
	// breaks consumes empty lines and the indentation of the next line,
	// as yaml_parser_scan_block_scalar_breaks.
	breaks := func() bool {
		maxIndent := 0
		for {
			for (blockIndent == 0 || p.col() < blockIndent) && p.at(p.pos) == ' ' {
				p.pos++
			}
			maxIndent = max(maxIndent, p.col())
			if !p.isBreak(p.pos) {
				break
			}
			trailingBreaks = append(trailingBreaks, '\n')
			p.skipLineEnd()
		}
		if blockIndent == 0 {
			blockIndent = max(maxIndent, indent+1, 1)
			if p.pos < len(p.src) && p.col() < blockIndent && p.col() < maxIndent {
				// A leading empty line is more indented than the first
				// content line: yaml.v3 reports an error or ends early.
				return false
			}
		}
		return true
	}
	if !breaks() {
		p.fail()
		return nil
	}
	leadingBlank, trailingBlank := false, false
	for p.col() == blockIndent && p.pos < len(p.src) {
		trailingBlank = p.at(p.pos) == ' '
		if !literal && !leadingBlank && !trailingBlank && len(leadingBreak) > 0 {
			if len(trailingBreaks) == 0 {
				s = append(s, ' ')
			}
		} else {
			s = append(s, leadingBreak...)
		}
		leadingBreak = leadingBreak[:0]
		s = append(s, trailingBreaks...)
		trailingBreaks = trailingBreaks[:0]
		leadingBlank = p.at(p.pos) == ' '
		start := p.pos
		for !p.eol(p.pos) {
			p.pos++
		}
		s = append(s, p.src[start:p.pos]...)
		if p.pos < len(p.src) {
			leadingBreak = append(leadingBreak, '\n')
			p.skipLineEnd()
		}
		if !breaks() {
			p.fail()
			return nil
		}
	}
	if chomping != -1 {
		s = append(s, leadingBreak...)
	}
	if chomping == 1 {
		s = append(s, trailingBreaks...)
	}
	n.Value = string(s)
	p.buf = s[:0]
	// The scalar ended at a less-indented line (whose spaces were
	// consumed) or at the end.
	if p.pos < len(p.src) {
		p.pos = p.lineStart
	}
	return n
}
