package yamlfile

import (
	"bytes"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"
)

// The splitter is the one place that decides where the top-level entries
// of a keyed file begin and end. The catalog loader (which parses the
// entries of a large file in parallel) and the keyed save (which replaces
// entries in place) both go through it, so they always see the same
// entries: a writer never replaces text the loader reads as part of
// another node.
//
// An entry starts at a top-level key line: a line at column 0 that is not
// blank, a comment or a document marker, and does not start with a YAML
// indicator (flow collections, anchors, tags, aliases, directives, complex
// keys, merge keys, sequences). Every indented line after it, comments
// and block-scalar text included, belongs to it, and so does a column-0
// "- " line (an indentless sequence of the entry's value). Blank lines
// and column-0 comments after its last such line belong to no entry (a
// comment introducing the next entry stays where it is when an entry is
// replaced).
//
// Before the first key only blank lines, comments and one "---" marker
// may appear; anything the splitter cannot place (a second document, a
// top-level sequence or flow mapping, a directive, an anchor or tag on a
// top-level key, "...") makes the file not splittable (ErrNotSplittable).
//
// The splitter works on lines and does not parse YAML. A quoted scalar or
// flow collection continued on a column-0 line (which yaml.v3 accepts) is
// cut wrongly; ParseEntry detects that, since such an entry does not parse
// on its own: the loader then parses the file whole, and Keyed.Check
// refuses it.

// BOM is the UTF-8 byte order mark a file may start with; it belongs to
// no entry.
const BOM = "\xef\xbb\xbf"

// ErrNotSplittable: the file's top level is not a plain block mapping of
// simple keys (flow style, complex keys, several documents, directives,
// entries that do not parse on their own), so entries cannot be located
// or replaced in place.
var ErrNotSplittable = errors.New("not a plain block mapping of simple keys")

// SplitError says where and why a file is not splittable. It wraps
// ErrNotSplittable.
type SplitError struct {
	Line   int // 1-based
	Reason string
}

func (e *SplitError) Error() string {
	return fmt.Sprintf("%v: line %d: %s", ErrNotSplittable, e.Line, e.Reason)
}

// Unwrap returns ErrNotSplittable.
func (e *SplitError) Unwrap() error { return ErrNotSplittable }

// Step is what one line is to the file's entries.
type Step uint8

const (
	// Outside: a blank line, a comment or the leading document marker;
	// part of no entry.
	Outside Step = iota
	// Starts: a top-level key line; a new entry starts with it.
	Starts
	// Continues: a line of the open entry, which now ends after it.
	Continues
)

// Splitter finds the entries of a keyed file line by line, so a file can
// be split while it streams in. The zero value is ready to use.
type Splitter struct {
	line     int   // lines seen
	off      int64 // bytes seen
	open     bool  // an entry has started
	docStart bool  // the leading "---" was seen

	start, end int64 // the open entry
	keyLine    int
}

// Next places the next line of the file: ln is the whole line, its line
// break included (the last line of a file may lack one). The first line
// may start with a BOM. Next is not to be called again after an error.
func (s *Splitter) Next(ln []byte) (Step, error) {
	start := s.off
	s.off += int64(len(ln))
	s.line++
	if s.line == 1 && bytes.HasPrefix(ln, []byte(BOM)) {
		ln = ln[len(BOM):]
		start += int64(len(BOM))
	}
	if len(ln) == 0 {
		return Outside, nil
	}
	switch kind := classify(ln); {
	case kind == lineKey:
		s.open, s.start, s.end, s.keyLine = true, start, s.off, s.line
		return Starts, nil
	case kind == lineBlank || kind == lineComment:
		return Outside, nil
	case !s.open && kind == lineIndentedComment:
		return Outside, nil
	case s.open && (kind == lineContent || kind == lineIndentedComment || kind == lineDash):
		s.end = s.off
		return Continues, nil
	case kind == lineDocStart && !s.open && !s.docStart:
		s.docStart = true
		return Outside, nil
	case !s.open && kind == lineContent:
		return Outside, s.fail("indented text before the first top-level key")
	}
	return Outside, s.fail(fmt.Sprintf("%q cannot be placed in a block mapping of top-level keys", bytes.TrimRight(ln, "\r\n")))
}

func (s *Splitter) fail(reason string) error { return &SplitError{Line: s.line, Reason: reason} }

// Line returns the number of lines seen so far (the line of the last
// Next).
func (s *Splitter) Line() int { return s.line }

// Entry returns the open (last started) entry: the 1-based line of its
// key and the byte offsets of its key line and just past its last line.
// It is valid after Next returned Starts or Continues.
func (s *Splitter) Entry() (line int, start, end int64) { return s.keyLine, s.start, s.end }

// Line kinds.
const (
	lineContent         = iota // indented text
	lineIndentedComment        // indented "# ..." (block-scalar text, when inside one)
	lineBlank                  // only white space
	lineComment                // a comment starting at column 0
	lineKey                    // a top-level key
	lineDocStart               // "---", alone or with a comment
	lineDash                   // "- " at column 0: an indentless sequence
	lineOther                  // anything else
)

func classify(ln []byte) int {
	switch c := ln[0]; c {
	case ' ', '\t':
		t := bytes.TrimLeft(ln, " \t")
		switch {
		case len(t) == 0 || t[0] == '\n' || t[0] == '\r':
			return lineBlank
		case t[0] == '#':
			return lineIndentedComment
		}
		return lineContent
	case '\r', '\n':
		return lineBlank
	case '#':
		return lineComment
	case '-':
		if rest, ok := marker(ln, "---"); ok {
			if rest == "" || rest[0] == '#' {
				return lineDocStart
			}
			return lineOther
		}
		if len(ln) == 1 || ln[1] == ' ' || ln[1] == '\t' || ln[1] == '\n' || ln[1] == '\r' {
			return lineDash
		}
		return lineKey
	case '.':
		if _, ok := marker(ln, "..."); ok {
			return lineOther
		}
		return lineKey
	case '<':
		if bytes.HasPrefix(ln, []byte("<<")) {
			return lineOther // a merge key: its entries are not its own
		}
		return lineKey
	case '%', '{', '[', '?', '&', '*', '!', '|', '>', '}', ']', ',', '@', '`', ':':
		return lineOther
	}
	return lineKey
}

// marker reports whether ln is the marker m followed by white space or
// the line end, and returns what follows the white space.
func marker(ln []byte, m string) (rest string, ok bool) {
	if !bytes.HasPrefix(ln, []byte(m)) {
		return "", false
	}
	r := ln[len(m):]
	if len(r) > 0 && r[0] != ' ' && r[0] != '\t' && r[0] != '\n' && r[0] != '\r' {
		return "", false
	}
	return string(bytes.TrimSpace(r)), true
}

// Entry is one top-level entry of a keyed file.
type Entry struct {
	// Key is the entry's key (set by SplitKeyed).
	Key string
	// Line is the 1-based line of the key.
	Line int
	// Start and End locate the entry in the file: from its key line
	// through its last line, line break included.
	Start, End int
	// Text is data[Start:End].
	Text []byte
}

// Split returns the top-level entries of data in file order, duplicates
// included.
func Split(data []byte) ([]Entry, error) {
	var s Splitter
	var out []Entry
	for off := 0; off < len(data); {
		next := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		step, err := s.Next(data[off:next])
		if err != nil {
			return nil, err
		}
		switch step {
		case Starts:
			line, start, end := s.Entry()
			out = append(out, Entry{Line: line, Start: int(start), End: int(end)})
		case Continues:
			_, _, end := s.Entry()
			out[len(out)-1].End = int(end)
		}
		off = next
	}
	for i := range out {
		out[i].Text = data[out[i].Start:out[i].End]
	}
	return out, nil
}

// ParseEntry parses src, the text of one entry (key line first; trailing
// blank lines and comments may follow), with yaml.v3 and returns its key
// and value nodes, lines relative to src. It fails when src is not valid
// YAML on its own, or is not exactly one key at line 1, column 1 (both
// happen when the line splitter cut an entry wrongly): an error from
// yaml.v3, or a *SplitError.
func ParseEntry(src []byte) (key, value *yaml.Node, err error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, nil, err
	}
	var root *yaml.Node
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 {
		root = doc.Content[0]
	}
	if root == nil || root.Kind != yaml.MappingNode || len(root.Content) != 2 ||
		root.Content[0].Line != 1 || root.Content[0].Column != 1 {
		return nil, nil, &SplitError{Line: 1, Reason: "the entry is not one top-level key on its own"}
	}
	return root.Content[0], root.Content[1], nil
}
