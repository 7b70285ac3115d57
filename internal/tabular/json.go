package tabular

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// JSON returns a reader of the records of a JSON document, decoded as it
// is read: at path (the keys of objects and indexes of arrays on the way,
// as a REST binding's response_path names them; none for the document
// itself) an array is one record per element, any other value one record.
// A document that is not one array at its top is read as a sequence of
// values, one record each (JSON lines, or one object). An object is a
// keyed record, in its key order; any other element is a record with the
// one key "value". Pair it with Options.Mixed fetch.TypeJSON.
//
// Numbers are int64 when integral (and within ±2^53 when written with a
// fraction or an exponent), else float64; nested objects and arrays are
// TypeJSON values as encoding/json decodes them.
func JSON(r io.Reader, path []string) (Next, error) {
	dec := json.NewDecoder(SkipBOM(r))
	dec.UseNumber()
	j := &jsonReader{dec: dec}
	if err := j.walk(path); err != nil {
		return nil, err
	}
	tok, err := dec.Token()
	switch {
	case err == io.EOF && len(path) == 0:
		j.done = true // an empty document: no records
	case err != nil:
		return nil, jsonError(err)
	case tok == json.Delim('['):
		j.array = true
	case len(path) == 0:
		j.sequence, j.pending, j.hasPending = true, tok, true
	default:
		j.pending, j.hasPending = tok, true
	}
	return j.next, nil
}

type jsonReader struct {
	dec        *json.Decoder
	array      bool // the records are the elements of an array
	sequence   bool // top-level values are the records
	pending    json.Token
	hasPending bool // pending is the first token of the next record
	done       bool
}

// SkipBOM returns r without a leading UTF-8 byte order mark.
func SkipBOM(r io.Reader) io.Reader {
	br := bufio.NewReader(r)
	if b, err := br.Peek(3); err == nil && b[0] == 0xEF && b[1] == 0xBB && b[2] == 0xBF {
		_, _ = br.Discard(3)
	}
	return br
}

// walk moves the decoder to the value at path.
func (j *jsonReader) walk(path []string) error {
	for i, part := range path {
		tok, err := j.dec.Token()
		if err != nil {
			return jsonError(err)
		}
		where := strings.Join(path[:i], ".")
		if where == "" {
			where = "the document"
		}
		switch tok {
		case json.Delim('{'):
			if err := j.findKey(part); err != nil {
				return moniker.Errorf(moniker.ErrSource, "response_path %s: %s has %w", strings.Join(path, "."), where, err)
			}
		case json.Delim('['):
			n, err := strconv.Atoi(part)
			if err != nil || n < 0 {
				return moniker.Errorf(moniker.ErrSource, "response_path %s: %s is an array, %q is not an index", strings.Join(path, "."), where, part)
			}
			for k := 0; ; k++ {
				if !j.dec.More() {
					return moniker.Errorf(moniker.ErrSource, "response_path %s: %s has no element %d", strings.Join(path, "."), where, n)
				}
				if k == n {
					break
				}
				if err := skip(j.dec); err != nil {
					return jsonError(err)
				}
			}
		default:
			return moniker.Errorf(moniker.ErrSource, "response_path %s: %s is not an object or array", strings.Join(path, "."), where)
		}
	}
	return nil
}

// findKey reads the object the decoder is in up to key's value.
func (j *jsonReader) findKey(key string) error {
	for j.dec.More() {
		tok, err := j.dec.Token()
		if err != nil {
			return err
		}
		if tok == key {
			return nil
		}
		if err := skip(j.dec); err != nil {
			return err
		}
	}
	return fmt.Errorf("no key %q", key)
}

// skip reads one value without keeping it.
func skip(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func (j *jsonReader) next(r *Record) error {
	if j.done {
		return io.EOF
	}
	var tok json.Token
	switch {
	case j.hasPending:
		tok, j.hasPending = j.pending, false
		j.done = !j.sequence
	case j.array && !j.dec.More():
		j.done = true
		return io.EOF
	case j.sequence:
		var err error
		if tok, err = j.dec.Token(); err == io.EOF {
			j.done = true
			return io.EOF
		} else if err != nil {
			return jsonError(err)
		}
	default:
		var err error
		if tok, err = j.dec.Token(); err != nil {
			return jsonError(err)
		}
	}
	return j.record(tok, r)
}

// record reads the value that starts with tok into r: an object key by
// key, anything else as the key "value".
func (j *jsonReader) record(tok json.Token, r *Record) error {
	if tok != json.Delim('{') {
		v, err := j.rest(tok)
		if err != nil {
			return jsonError(err)
		}
		r.Keys, r.Values = append(r.Keys, "value"), append(r.Values, JSONValue(v))
		return nil
	}
	if r.Keys == nil {
		r.Keys = []string{} // keyed even when empty
	}
	for j.dec.More() {
		k, err := j.dec.Token()
		if err != nil {
			return jsonError(err)
		}
		var v any
		if err := j.dec.Decode(&v); err != nil {
			return jsonError(err)
		}
		r.Keys, r.Values = append(r.Keys, k.(string)), append(r.Values, JSONValue(v))
	}
	if _, err := j.dec.Token(); err != nil { // the '}'
		return jsonError(err)
	}
	return nil
}

// rest returns the value that starts with tok.
func (j *jsonReader) rest(tok json.Token) (any, error) {
	switch tok {
	case json.Delim('['):
		var out []any
		for j.dec.More() {
			var v any
			if err := j.dec.Decode(&v); err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		_, err := j.dec.Token()
		return out, err
	}
	return tok, nil
}

// JSONValue returns the Value of v as encoding/json decodes it with
// UseNumber.
func JSONValue(v any) Value {
	switch x := v.(type) {
	case nil:
		return Null
	case bool:
		return Value{Type: fetch.TypeBool, V: x, Text: strconv.FormatBool(x)}
	case string:
		return String(x)
	case json.Number:
		s := x.String()
		if i, err := strconv.ParseInt(s, 10, 64); err == nil {
			return Value{Type: fetch.TypeInt, V: i, Text: s}
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return String(s) // out of float64's range: keep the digits
		}
		if f == math.Trunc(f) && math.Abs(f) <= 1<<53 {
			return Value{Type: fetch.TypeInt, V: int64(f), Text: s}
		}
		return Value{Type: fetch.TypeFloat, V: f, Text: s}
	}
	return Value{Type: fetch.TypeJSON, V: plain(v)}
}

// plain returns v with its json.Numbers as float64, as encoding/json
// decodes without UseNumber.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return x.String()
		}
		return f
	case []any:
		for i := range x {
			x[i] = plain(x[i])
		}
	case map[string]any:
		for k := range x {
			x[k] = plain(x[k])
		}
	}
	return v
}

// jsonError is an error reading a document: a deadline is a timeout, an
// error of a kind stays as it is, anything else (not JSON, a broken
// stream) is the source's fault.
func jsonError(err error) error {
	switch {
	case err == io.EOF:
		err = io.ErrUnexpectedEOF
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return CtxError(err)
	case errors.Is(err, moniker.ErrSource), errors.Is(err, moniker.ErrTimeout), moniker.KindOf(err) != nil:
		return err
	}
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return moniker.Errorf(moniker.ErrSource, "not JSON at byte %d: %w", se.Offset, err)
	}
	return moniker.Errorf(moniker.ErrSource, "reading JSON: %w", err)
}
