package requests

import (
	"bytes"
	"errors"
	"fmt"
	"io"

	"go.yaml.in/yaml/v3"
)

// fileShape is requests.yaml's top level. Decoding is strict: an unknown
// key anywhere is an error naming it and its line (DESIGN §3).
type fileShape struct {
	Requests []*Request `yaml:"requests"`
}

// decodeFile parses requests.yaml and checks every request. An empty
// file, an empty document and `requests:` without items hold nothing.
func decodeFile(data []byte) ([]*Request, error) {
	var f fileShape
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, errors.New("more than one YAML document")
	}
	seen := make(map[string]bool, len(f.Requests))
	for i, r := range f.Requests {
		if r == nil {
			return nil, fmt.Errorf("requests[%d]: empty entry", i)
		}
		if err := checkStored(r); err != nil {
			if r.RequestID != "" {
				return nil, fmt.Errorf("requests[%d] (%s): %w", i, r.RequestID, err)
			}
			return nil, fmt.Errorf("requests[%d]: %w", i, err)
		}
		if seen[r.RequestID] {
			return nil, fmt.Errorf("requests[%d]: duplicate request_id %s", i, r.RequestID)
		}
		seen[r.RequestID] = true
	}
	return f.Requests, nil
}

// checkStored checks a request read from the file and fills the defaults
// upstream's reader applied (domain level from the path, updated_at from
// created_at, comment action "comment").
func checkStored(r *Request) error {
	switch {
	case r.RequestID == "":
		return errors.New("request_id is required")
	case r.Path == "":
		return errors.New("path is required")
	case r.Status == "":
		return errors.New("status is required")
	case !r.Status.Valid():
		return fmt.Errorf("status %q is not one of %v", r.Status, Statuses)
	case r.CreatedAt == "":
		return errors.New("created_at is required")
	}
	switch r.DomainLevel {
	case "":
		r.DomainLevel = domainLevel(r.Path)
	case DomainTopLevel, DomainSubPath:
	default:
		return fmt.Errorf("domain_level %q is not top_level or sub_path", r.DomainLevel)
	}
	if r.UpdatedAt == "" {
		r.UpdatedAt = r.CreatedAt
	}
	for _, k := range []struct{ name, v string }{
		{"created_at", r.CreatedAt}, {"updated_at", r.UpdatedAt}, {"reviewed_at", r.ReviewedAt},
	} {
		if k.v != "" {
			if _, ok := parseTime(k.v); !ok {
				return fmt.Errorf("%s %q is not an ISO-8601 timestamp", k.name, k.v)
			}
		}
	}
	for i := range r.Comments {
		c := &r.Comments[i]
		switch c.Action {
		case "":
			c.Action = ActionComment
		case ActionComment, ActionApprove, ActionReject, ActionRequestChanges, ActionAmend:
		default:
			return fmt.Errorf("comments[%d]: action %q is not one of comment, approve, reject, request_changes, amend", i, c.Action)
		}
	}
	return nil
}

// encodeItem returns a request as one item of the requests list, block
// style, starting at column 0 ("- request_id: REQ-0001\n  path: ...\n").
// It is also the request's canonical text: its hash is the ETag, and two
// versions of a request are the same when their texts are equal.
func encodeItem(r *Request) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode([]*Request{r}); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// normalize returns r as the file will hold it: encoded and decoded once,
// so values that came from JSON (float64 numbers) compare equal to what a
// later read of the file gives.
func normalize(r *Request) (*Request, []byte, error) {
	text, err := encodeItem(r)
	if err != nil {
		return nil, nil, err
	}
	var out []*Request
	if err := yaml.Unmarshal(text, &out); err != nil || len(out) != 1 {
		return nil, nil, fmt.Errorf("request %s does not round-trip through YAML: %v", r.RequestID, err)
	}
	if err := checkStored(out[0]); err != nil {
		return nil, nil, fmt.Errorf("request %s: %w", r.RequestID, err)
	}
	text, err = encodeItem(out[0])
	if err != nil {
		return nil, nil, err
	}
	return out[0], text, nil
}

// span locates one list item's text in a file: from its "- " line to the
// end of its last content line.
type span struct{ start, end int }

// listLayout is where the items of the requests list are in a file.
type listLayout struct {
	items []span
	// insert is where a new item goes: after the last item, or after
	// the "requests:" line of an empty list.
	insert int
	// indent is the column of the items' dashes.
	indent int
}

// layout finds the items of a requests file written in block style with
// the list under a "requests:" line at column 0 (upstream's writer, ours,
// and most hand edits). ok is false for anything else (flow style, an
// inline empty list, no requests key): the writer then writes the whole
// list anew, keeping the file's leading comments.
func layout(data []byte) (l listLayout, ok bool) {
	type line struct {
		start, end int // end includes the line break
		text       []byte
	}
	var lines []line
	for off := 0; off < len(data); {
		next := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		lines = append(lines, line{off, next, bytes.TrimRight(data[off:next], "\r\n")})
		off = next
	}
	blankOrComment := func(t []byte) bool {
		s := bytes.TrimLeft(t, " ")
		return len(bytes.TrimSpace(s)) == 0 || s[0] == '#'
	}
	i := 0
	for ; i < len(lines); i++ {
		t := lines[i].text
		if blankOrComment(t) || i == 0 && bytes.Equal(t, []byte("---")) {
			continue
		}
		rest, found := bytes.CutPrefix(t, []byte("requests:"))
		if !found || !blankOrComment(rest) && len(bytes.TrimSpace(rest)) > 0 {
			return listLayout{}, false
		}
		break
	}
	if i == len(lines) {
		return listLayout{}, false
	}
	l.insert = lines[i].end
	if !bytes.HasSuffix(data[:l.insert], []byte("\n")) {
		return listLayout{}, false // "requests:" without a line break ends the file
	}
	indent := -1
	for i++; i < len(lines); i++ {
		t := lines[i].text
		d := len(t) - len(bytes.TrimLeft(t, " "))
		if blankOrComment(t) {
			// A comment indented deeper than the dashes belongs to the
			// item (it may be a line of a block scalar); a blank line
			// does when more of the item follows.
			if indent >= 0 && d > indent && len(bytes.TrimSpace(t)) > 0 {
				l.insert = lines[i].end
			}
			continue
		}
		rest := t[d:]
		isDash := bytes.HasPrefix(rest, []byte("- ")) || bytes.Equal(rest, []byte("-"))
		switch {
		case indent < 0 && isDash:
			indent = d
			l.items = append(l.items, span{start: lines[i].start})
		case d == indent && isDash:
			l.items[len(l.items)-1].end = l.insert
			l.items = append(l.items, span{start: lines[i].start})
		case indent >= 0 && d > indent:
		default:
			return listLayout{}, false // another key, a document marker, a stray line
		}
		l.insert = lines[i].end
	}
	if n := len(l.items); n > 0 {
		l.items[n-1].end = l.insert
	}
	l.indent = max(indent, 0)
	return l, true
}

// header returns the file's leading comment and blank lines.
func header(data []byte) []byte {
	off := 0
	for off < len(data) {
		next := len(data)
		if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
			next = off + i + 1
		}
		t := bytes.TrimSpace(data[off:next])
		if len(t) > 0 && t[0] != '#' {
			break
		}
		off = next
	}
	return data[:off]
}

// render writes the whole file: head, then the list.
func render(head []byte, texts [][]byte) []byte {
	var out bytes.Buffer
	out.Write(head)
	if out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
		out.WriteByte('\n')
	}
	if len(texts) == 0 {
		out.WriteString("requests: []\n")
		return out.Bytes()
	}
	out.WriteString("requests:\n")
	for _, t := range texts {
		out.Write(t)
	}
	return out.Bytes()
}

// splice returns data with the items at the given indexes replaced by new
// texts and added texts appended to the list, every other byte kept. It
// returns nil when the file's layout is not one it can edit in place.
func splice(data []byte, replace map[int][]byte, add [][]byte) []byte {
	l, ok := layout(data)
	if !ok {
		return nil
	}
	var out bytes.Buffer
	out.Grow(len(data) + 1024)
	prev := 0
	for i, sp := range l.items {
		t, ok := replace[i]
		if !ok {
			continue
		}
		out.Write(data[prev:sp.start])
		writeIndented(&out, t, l.indent)
		prev = sp.end
	}
	out.Write(data[prev:l.insert])
	if len(add) > 0 && out.Len() > 0 && !bytes.HasSuffix(out.Bytes(), []byte("\n")) {
		out.WriteByte('\n')
	}
	for _, t := range add {
		writeIndented(&out, t, l.indent)
	}
	out.Write(data[l.insert:])
	return out.Bytes()
}

// writeIndented writes an item's text with its lines indented by n
// spaces (the file's list indentation); empty lines stay empty.
func writeIndented(out *bytes.Buffer, text []byte, n int) {
	if n == 0 {
		out.Write(text)
		return
	}
	pad := bytes.Repeat([]byte(" "), n)
	for len(text) > 0 {
		line := text
		if i := bytes.IndexByte(text, '\n'); i >= 0 {
			line = text[:i+1]
		}
		if len(bytes.TrimRight(line, "\r\n")) > 0 {
			out.Write(pad)
		}
		out.Write(line)
		text = text[len(line):]
	}
}
