package fetch

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"math"
	"mime"
	"strconv"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/internal/resolve"
)

// Format is the format of a /fetch answer.
type Format string

// Formats. JSON is upstream's FetchResponse, one object; the others are
// the rows alone, written as they are read.
const (
	FormatJSON   Format = "json"
	FormatCSV    Format = "csv"
	FormatNDJSON Format = "ndjson"
	FormatArrow  Format = "arrow"
)

// Formats lists every format, JSON first.
var Formats = []Format{FormatJSON, FormatCSV, FormatNDJSON, FormatArrow}

// ContentType is the media type of an answer in f.
func (f Format) ContentType() string {
	switch f {
	case FormatCSV:
		return "text/csv; charset=utf-8"
	case FormatNDJSON:
		return "application/x-ndjson"
	case FormatArrow:
		return "application/vnd.apache.arrow.stream"
	}
	return "application/json"
}

// ParseFormat returns the format named s (a format= value), and whether
// there is one.
func ParseFormat(s string) (Format, bool) {
	for _, f := range Formats {
		if string(f) == s {
			return f, true
		}
	}
	return "", false
}

// mediaTypes maps the media types an Accept header may name to formats.
var mediaTypes = map[string]Format{
	"application/json":                    FormatJSON,
	"text/csv":                            FormatCSV,
	"application/x-ndjson":                FormatNDJSON,
	"application/ndjson":                  FormatNDJSON,
	"application/jsonl":                   FormatNDJSON,
	"application/vnd.apache.arrow.stream": FormatArrow,
}

// Negotiate returns the format an Accept header asks for: of the media
// types it names that have a format, the one with the highest q (the
// first of equals); JSON when it names none of them (no header, */*,
// text/html, ...), so a browser or a plain client gets upstream's
// answer.
func Negotiate(accept string) Format {
	best, bestQ := FormatJSON, 0.0
	for part := range strings.SplitSeq(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		f, ok := mediaTypes[mt]
		if !ok {
			continue
		}
		q := 1.0
		if s, ok := params["q"]; ok {
			if q, err = strconv.ParseFloat(s, 64); err != nil {
				continue
			}
		}
		if q > bestQ {
			best, bestQ = f, q
		}
	}
	return best
}

// JSON and text forms of row values. A value is encoded by its Go type
// (the column's Type only tells a date from a timestamp), so an adapter
// that hands out an int for an int64 column is still encoded as a
// number:
//
//	nil                     null        (CSV: an empty field)
//	string                  a string    (decimals too: exact text)
//	integers                a number
//	float32, float64        a number; NaN and infinities null (CSV: NaN, +Inf, -Inf)
//	bool                    true, false
//	time.Time               RFC 3339 with the value's offset and up to nanoseconds; a date column YYYY-MM-DD
//	[]byte                  base64 (standard, padded)
//	json.Number             the number as written
//	anything else           encoding/json's form (a JSON column's objects and arrays; CSV: the JSON text)

// AppendJSON appends v, a value of a column of type t, as JSON.
func AppendJSON(dst []byte, t Type, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(dst, "null"...)
	case string:
		return resolve.AppendJSONString(dst, x)
	case float64:
		return resolve.AppendJSONFloat(dst, x)
	case float32:
		return resolve.AppendJSONFloat(dst, float64(x))
	case bool:
		return strconv.AppendBool(dst, x)
	case time.Time:
		dst = append(dst, '"')
		dst = appendTime(dst, t, x)
		return append(dst, '"')
	case []byte:
		dst = append(dst, '"')
		dst = base64.StdEncoding.AppendEncode(dst, x)
		return append(dst, '"')
	case json.Number:
		return append(dst, x...)
	}
	if n, ok := appendInt(dst, v); ok {
		return n
	}
	b, err := json.Marshal(v)
	if err != nil {
		return resolve.AppendJSONString(dst, "unencodable value: "+err.Error())
	}
	return append(dst, b...)
}

// AppendText appends v, a value of a column of type t, as text (a CSV
// field before quoting); nil appends nothing.
func AppendText(dst []byte, t Type, v any) []byte {
	switch x := v.(type) {
	case nil:
		return dst
	case string:
		return append(dst, x...)
	case float64:
		return appendTextFloat(dst, x)
	case float32:
		return appendTextFloat(dst, float64(x))
	case bool:
		return strconv.AppendBool(dst, x)
	case time.Time:
		return appendTime(dst, t, x)
	case []byte:
		return base64.StdEncoding.AppendEncode(dst, x)
	case json.Number:
		return append(dst, x...)
	}
	if n, ok := appendInt(dst, v); ok {
		return n
	}
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "unencodable value: "+err.Error()...)
	}
	return append(dst, b...)
}

func appendTextFloat(dst []byte, f float64) []byte {
	switch {
	case math.IsNaN(f):
		return append(dst, "NaN"...)
	case math.IsInf(f, 1):
		return append(dst, "+Inf"...)
	case math.IsInf(f, -1):
		return append(dst, "-Inf"...)
	}
	return resolve.AppendJSONFloat(dst, f)
}

// appendInt appends v when it is an integer.
func appendInt(dst []byte, v any) ([]byte, bool) {
	switch x := v.(type) {
	case int64:
		return strconv.AppendInt(dst, x, 10), true
	case int:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int32:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int16:
		return strconv.AppendInt(dst, int64(x), 10), true
	case int8:
		return strconv.AppendInt(dst, int64(x), 10), true
	case uint64:
		return strconv.AppendUint(dst, x, 10), true
	case uint:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint32:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint16:
		return strconv.AppendUint(dst, uint64(x), 10), true
	case uint8:
		return strconv.AppendUint(dst, uint64(x), 10), true
	}
	return dst, false
}

// appendTime appends a timestamp in RFC 3339 (nanoseconds when it has
// them: time.RFC3339Nano), or a date column's value as YYYY-MM-DD. Dates
// and UTC timestamps of years 0-9999 are written by hand (the common
// case, several times faster than time's general formatter).
func appendTime(dst []byte, t Type, v time.Time) []byte {
	y, m, d := v.Date()
	if y < 0 || y > 9999 || (t != TypeDate && v.Location() != time.UTC) {
		if t == TypeDate {
			return v.AppendFormat(dst, time.DateOnly)
		}
		return v.AppendFormat(dst, time.RFC3339Nano)
	}
	dst = append(dst, byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
	if t == TypeDate {
		return dst
	}
	hh, mm, ss := v.Clock()
	dst = append(dst, 'T', byte('0'+hh/10), byte('0'+hh%10), ':', byte('0'+mm/10), byte('0'+mm%10), ':', byte('0'+ss/10), byte('0'+ss%10))
	if ns := v.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		dst = append(dst, frac[:n]...)
	}
	return append(dst, 'Z')
}

// RowJSON encodes rows of one column list as JSON objects, members in
// column order (written by hand: a map would sort them).
type RowJSON struct {
	cols []Column
	keys [][]byte // `"name":` of each column, with the comma before all but the first
}

// NewRowJSON returns the row encoder of cols.
func NewRowJSON(cols []Column) *RowJSON {
	e := &RowJSON{cols: cols, keys: make([][]byte, len(cols))}
	for i, c := range cols {
		var k []byte
		if i > 0 {
			k = append(k, ',')
		}
		k = resolve.AppendJSONString(k, c.Name)
		e.keys[i] = append(k, ':')
	}
	return e
}

// Append appends row as one JSON object.
func (e *RowJSON) Append(dst []byte, row []any) []byte {
	dst = append(dst, '{')
	for i, c := range e.cols {
		dst = append(dst, e.keys[i]...)
		var v any
		if i < len(row) {
			v = row[i]
		}
		dst = AppendJSON(dst, c.Type, v)
	}
	return append(dst, '}')
}

// AppendColumnsJSON appends the column names as a JSON array.
func AppendColumnsJSON(dst []byte, cols []Column) []byte {
	dst = append(dst, '[')
	for i, c := range cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = resolve.AppendJSONString(dst, c.Name)
	}
	return append(dst, ']')
}

// AppendSchemaJSON appends the columns as [{"name","type"}...].
func AppendSchemaJSON(dst []byte, cols []Column) []byte {
	dst = append(dst, '[')
	for i, c := range cols {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"name":`...)
		dst = resolve.AppendJSONString(dst, c.Name)
		dst = append(dst, `,"type":`...)
		dst = resolve.AppendJSONString(dst, string(c.Type))
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

// StreamEncoder writes rows in a streaming format as they come. Rows are
// encoded into a buffer that is written to the writer whenever it holds
// FlushBytes or more, and on Flush and Close.
type StreamEncoder interface {
	// WriteRow encodes one row (one value per column, in column order).
	WriteRow(row []any) error
	// Flush writes what is buffered.
	Flush() error
	// Close ends the stream (Arrow's end-of-stream marker) and flushes.
	// It does not close the writer.
	Close() error
}

// FlushBytes is how much encoded data a stream encoder buffers before it
// writes it out.
const FlushBytes = 32 << 10

// NewStreamEncoder returns the encoder of format f (CSV, NDJSON or
// Arrow) writing rows of cols to w. A CSV stream starts with the header
// line; an Arrow stream with the schema.
func NewStreamEncoder(f Format, w io.Writer, cols []Column) (StreamEncoder, error) {
	switch f {
	case FormatCSV:
		e := &csvEncoder{buffer: buffer{w: w}, cols: cols}
		e.header()
		return e, nil
	case FormatNDJSON:
		return &ndjsonEncoder{buffer: buffer{w: w}, rows: NewRowJSON(cols)}, nil
	case FormatArrow:
		return newArrowEncoder(w, cols, ArrowBatchRows)
	}
	return nil, errUnknownFormat(f)
}

type errUnknownFormat Format

func (e errUnknownFormat) Error() string {
	return "fetch: no stream encoder for format " + strconv.Quote(string(e))
}

// buffer collects encoded bytes for a writer.
type buffer struct {
	w   io.Writer
	buf []byte
	err error
}

// spill writes the buffer when it is full.
func (b *buffer) spill() error {
	if len(b.buf) >= FlushBytes {
		return b.Flush()
	}
	return b.err
}

func (b *buffer) Flush() error {
	if b.err != nil {
		return b.err
	}
	if len(b.buf) > 0 {
		_, b.err = b.w.Write(b.buf)
		b.buf = b.buf[:0]
	}
	return b.err
}

// Write makes a buffer an io.Writer (the Arrow IPC writer writes into
// it).
func (b *buffer) Write(p []byte) (int, error) {
	b.buf = append(b.buf, p...)
	return len(p), b.spill()
}

type ndjsonEncoder struct {
	buffer
	rows *RowJSON
}

func (e *ndjsonEncoder) WriteRow(row []any) error {
	e.buf = e.rows.Append(e.buf, row)
	e.buf = append(e.buf, '\n')
	return e.spill()
}

func (e *ndjsonEncoder) Close() error { return e.Flush() }

// csvEncoder writes RFC 4180 CSV: a header line of the column names, then
// one line per row, CRLF-free (\n ends a line, as encoding/csv writes by
// default); a field is quoted when it holds a comma, a quote, a line
// break or starts with a space, and quotes inside are doubled. NULL is an
// empty field.
type csvEncoder struct {
	buffer
	cols    []Column
	scratch []byte
}

func (e *csvEncoder) header() {
	for i, c := range e.cols {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		e.buf = appendCSVField(e.buf, []byte(c.Name))
	}
	e.buf = append(e.buf, '\n')
}

func (e *csvEncoder) WriteRow(row []any) error {
	for i, c := range e.cols {
		if i > 0 {
			e.buf = append(e.buf, ',')
		}
		var v any
		if i < len(row) {
			v = row[i]
		}
		e.scratch = AppendText(e.scratch[:0], c.Type, v)
		e.buf = appendCSVField(e.buf, e.scratch)
	}
	e.buf = append(e.buf, '\n')
	return e.spill()
}

func (e *csvEncoder) Close() error { return e.Flush() }

// appendCSVField appends f, quoted when it must be.
func appendCSVField(dst, f []byte) []byte {
	quote := len(f) > 0 && (f[0] == ' ' || f[0] == '\t')
	for _, c := range f {
		if c == ',' || c == '"' || c == '\n' || c == '\r' {
			quote = true
			break
		}
	}
	if !quote {
		return append(dst, f...)
	}
	dst = append(dst, '"')
	for _, c := range f {
		if c == '"' {
			dst = append(dst, '"')
		}
		dst = append(dst, c)
	}
	return append(dst, '"')
}
