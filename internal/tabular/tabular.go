// Package tabular serves records read from files and APIs that carry no
// schema (CSV, JSON, spreadsheets) as fetch.Rows: it reads a window of
// the first records, gives each column the type its values in the window
// share, and converts the later records to those types as they are read.
// Only the window is held in memory; the rest streams.
package tabular

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// Window is how many records type the columns when Options.Window is 0.
// A result of at most Window rows (the default /fetch limit and anything
// up to 999) is typed from all of its rows.
const Window = 1000

// Value is one cell of a record: its value typed by its reader, and the
// text it was read from (what a column of strings holds).
type Value struct {
	// Type is the value's own type; "" is null.
	Type fetch.Type
	// V is the value as fetch's Type table has it for Type.
	V any
	// Text is the value as it was written in the source.
	Text string
}

// Null is the null Value.
var Null = Value{}

// Record is one record: positional values (Keys nil: the column names were
// given to New) or keyed values (a JSON object: Keys[i] names Values[i]).
type Record struct {
	Keys   []string
	Values []Value
}

// Options configure New.
type Options struct {
	// MaxRows is the most rows Rows returns (fetch.Query.MaxRows); 0 is
	// no limit.
	MaxRows int
	// Window is how many records type the columns (0: the Window
	// constant).
	Window int
	// Mixed is the type of a column whose values in the window have no
	// common type, or that is null throughout it: fetch.TypeString (the
	// values' text) or fetch.TypeJSON (the values themselves).
	Mixed fetch.Type
	// Close releases what the reader holds (a file, a response body).
	Close func() error
}

// Next reads the next record into r (its slices may be reused); io.EOF at
// the end.
type Next func(r *Record) error

// New reads the window of records from next and returns the rows: the
// columns are names (for positional records) followed by the keys met in
// the window's keyed records, in the order first met; a key first met
// after the window is not read. An error reading the window closes the
// reader and is returned. ctx is checked between records: its deadline
// ends the read with moniker.ErrTimeout.
func New(ctx context.Context, names []string, next Next, o Options) (fetch.Rows, error) {
	if o.Window <= 0 {
		o.Window = Window
	}
	if o.Mixed == "" {
		o.Mixed = fetch.TypeString
	}
	r := &rows{ctx: ctx, next: next, o: o, index: map[string]int{}}
	for _, n := range Unique(names) {
		r.column(n)
	}
	window := o.Window
	if o.MaxRows > 0 && o.MaxRows < window {
		window = o.MaxRows
	}
	for len(r.window) < window {
		if err := r.read(); err != nil {
			if err == io.EOF {
				r.eof = true
				break
			}
			r.Close()
			return nil, err
		}
		r.window = append(r.window, r.place(true))
	}
	r.typeColumns()
	return r, nil
}

type rows struct {
	ctx    context.Context
	next   Next
	o      Options
	cols   []fetch.Column
	index  map[string]int
	rec    Record
	window [][]Value // the records read to type the columns
	eof    bool      // next said io.EOF
	n      int       // rows returned
	row    []any
	cur    []Value // the positional values of the record being converted
	err    error
	closed bool
}

// column returns the index of column name, adding it when it is new.
func (r *rows) column(name string) int {
	if i, ok := r.index[name]; ok {
		return i
	}
	r.index[name] = len(r.cols)
	r.cols = append(r.cols, fetch.Column{Name: name})
	return len(r.cols) - 1
}

// read reads the next record into r.rec, checking ctx first.
func (r *rows) read() error {
	if err := r.ctx.Err(); err != nil {
		return CtxError(err)
	}
	r.rec.Keys, r.rec.Values = r.rec.Keys[:0], r.rec.Values[:0]
	return r.next(&r.rec)
}

// place returns r.rec's values in column order; in the window (grow) a new
// key adds a column, after it a new key is dropped.
func (r *rows) place(grow bool) []Value {
	if r.rec.Keys == nil {
		if grow {
			for len(r.cols) < len(r.rec.Values) {
				r.column(fmt.Sprintf("col_%d", len(r.cols)))
			}
			return append([]Value(nil), r.rec.Values...)
		}
		r.cur = append(r.cur[:0], r.rec.Values...)
		return r.cur
	}
	var out []Value
	if grow {
		out = make([]Value, len(r.cols), len(r.cols)+len(r.rec.Keys))
	} else {
		out = r.cur[:0]
		for range r.cols {
			out = append(out, Null)
		}
		r.cur = out
	}
	for i, k := range r.rec.Keys {
		j, ok := r.index[k]
		if !ok {
			if !grow {
				continue
			}
			j = r.column(k)
			out = append(out, Null)
		}
		out[j] = r.rec.Values[i]
	}
	return out
}

// typeColumns gives each column the common type of its window values.
func (r *rows) typeColumns() {
	for j := range r.cols {
		var t fetch.Type
		mixed := false
		for _, rec := range r.window {
			if j >= len(rec) || rec[j].Type == "" {
				continue
			}
			if u := unify(t, rec[j].Type); u != "" {
				t = u
			} else {
				mixed = true
				break
			}
		}
		if t == "" || mixed {
			t = r.o.Mixed
		}
		r.cols[j].Type = t
	}
}

// unify returns the type holding values of types t and u ("" for t: no
// value yet), or "" when there is none.
func unify(t, u fetch.Type) fetch.Type {
	switch {
	case t == "" || t == u:
		return u
	case t == fetch.TypeInt && u == fetch.TypeFloat, t == fetch.TypeFloat && u == fetch.TypeInt:
		return fetch.TypeFloat
	case t == fetch.TypeDate && u == fetch.TypeTimestamp, t == fetch.TypeTimestamp && u == fetch.TypeDate:
		return fetch.TypeTimestamp
	}
	return ""
}

func (r *rows) Columns() []fetch.Column { return r.cols }

func (r *rows) Next() bool {
	if r.err != nil || r.closed || r.o.MaxRows > 0 && r.n >= r.o.MaxRows {
		return false
	}
	var vals []Value
	if len(r.window) > 0 {
		vals, r.window = r.window[0], r.window[1:]
	} else {
		if r.eof {
			return false
		}
		if err := r.read(); err != nil {
			if err != io.EOF {
				r.err = err
			}
			r.eof = true
			return false
		}
		vals = r.place(false)
	}
	r.n++
	if cap(r.row) < len(r.cols) {
		r.row = make([]any, len(r.cols))
	}
	r.row = r.row[:len(r.cols)]
	for j, c := range r.cols {
		v := Null
		if j < len(vals) {
			v = vals[j]
		}
		x, err := convert(v, c.Type)
		if err != nil {
			r.err = moniker.Errorf(moniker.ErrSource, "row %d, column %q: %w", r.n, c.Name, err)
			return false
		}
		r.row[j] = x
	}
	return true
}

func (r *rows) Row() []any { return r.row }
func (r *rows) Err() error { return r.err }

func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed, r.window = true, nil
	if r.o.Close != nil {
		return r.o.Close()
	}
	return nil
}

// convert returns v as a value of a column of type t.
func convert(v Value, t fetch.Type) (any, error) {
	switch {
	case v.Type == "":
		return nil, nil
	case v.Type == t:
		return v.V, nil
	case t == fetch.TypeString:
		return v.Text, nil
	case t == fetch.TypeJSON:
		return jsonValue(v), nil
	case t == fetch.TypeFloat && v.Type == fetch.TypeInt:
		return float64(v.V.(int64)), nil
	case t == fetch.TypeTimestamp && v.Type == fetch.TypeDate:
		return v.V, nil
	case t == fetch.TypeInt && v.Type == fetch.TypeFloat:
		if f := v.V.(float64); f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return int64(f), nil
		}
	}
	return nil, fmt.Errorf("a %s value (%.40q) in a column of %s (typed from the first rows)", v.Type, v.Text, t)
}

// jsonValue returns v as encoding/json decodes its JSON form.
func jsonValue(v Value) any {
	switch x := v.V.(type) {
	case int64:
		return float64(x)
	case time.Time:
		if v.Type == fetch.TypeDate {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339Nano)
	}
	return v.V
}

// CtxError is what a reader returns when ctx ended its read: a deadline
// is moniker.ErrTimeout, a cancellation stays context.Canceled.
func CtxError(err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return moniker.Errorf(moniker.ErrTimeout, "the source did not answer in time: %w", err)
	}
	return err
}

// Unique returns names with each repeated name suffixed _2, _3, ... so
// every column has its own name (a header with two "price" columns).
func Unique(names []string) []string {
	seen := make(map[string]bool, len(names))
	out := make([]string, len(names))
	for i, n := range names {
		u := n
		for k := 2; seen[u]; k++ {
			u = n + "_" + strconv.Itoa(k)
		}
		seen[u], out[i] = true, u
	}
	return out
}

// Number returns the Value of s when s is a decimal number: an integer
// without leading zeros that fits int64 is TypeInt, any other decimal
// TypeFloat. Hexadecimal, "Inf", "NaN", "1_000" and numbers written with
// a leading zero such as "007" (identifiers) are not numbers.
func Number(s string) (Value, bool) {
	if !isDecimal(s) {
		return Null, false
	}
	if i, err := strconv.ParseInt(s, 10, 64); err == nil {
		return Value{Type: fetch.TypeInt, V: i, Text: s}, true
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) {
		return Null, false
	}
	return Value{Type: fetch.TypeFloat, V: f, Text: s}, true
}

// isDecimal reports whether s is [-+]?digits[.digits][(e|E)[-+]?digits]
// (or .digits) with no leading zero before other integer digits.
func isDecimal(s string) bool {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	start := i
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	intDigits := i - start
	if intDigits > 1 && s[start] == '0' {
		return false
	}
	frac := 0
	if i < len(s) && s[i] == '.' {
		i++
		f := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		frac = i - f
	}
	if intDigits == 0 && frac == 0 {
		return false
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '-' || s[i] == '+') {
			i++
		}
		e := i
		for i < len(s) && s[i] >= '0' && s[i] <= '9' {
			i++
		}
		if i == e {
			return false
		}
	}
	return i == len(s)
}

// Text returns the Value of a cell of text with no type of its own (a CSV
// field): null when empty, a number (Number), true or false (any case), a
// date (YYYY-MM-DD), a timestamp (RFC 3339, or "YYYY-MM-DD hh:mm:ss" read
// as UTC), else the string itself.
func Text(s string) Value {
	if s == "" {
		return Null
	}
	if v, ok := Number(s); ok {
		return v
	}
	switch {
	case strings.EqualFold(s, "true"):
		return Value{Type: fetch.TypeBool, V: true, Text: s}
	case strings.EqualFold(s, "false"):
		return Value{Type: fetch.TypeBool, V: false, Text: s}
	}
	if len(s) >= 10 && s[4] == '-' && s[7] == '-' {
		if len(s) == 10 {
			if t, err := time.Parse(time.DateOnly, s); err == nil {
				return Value{Type: fetch.TypeDate, V: t, Text: s}
			}
		} else if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
			return Value{Type: fetch.TypeTimestamp, V: t, Text: s}
		} else if t, err := time.Parse(time.DateTime, s); err == nil {
			return Value{Type: fetch.TypeTimestamp, V: t, Text: s}
		}
	}
	return String(s)
}

// String returns s as a Value of TypeString.
func String(s string) Value { return Value{Type: fetch.TypeString, V: s, Text: s} }
