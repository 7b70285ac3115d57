// Package nodejson reads and writes node fields as JSON, from the
// node-field table (moniker.NodeFields): the management plane's node
// object and the resolver's describe and metadata answers are made of the
// values it writes, and a management write's members are read with it.
// Each kind has one way in and one way out; an answer says only how it
// shows what is unset (a Form) and, where its shape is upstream's rather
// than the table's, how it orders a block (a View). The structured kinds
// (ownership, binding, access policy) are the callers' own; the schema's
// columns, the structured kind inside a block, are here (columns.go).
package nodejson

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/strictjson"
)

// Form is how an answer shows the values of fields.
type Form struct {
	// EmptyLists: a missing list of a block is [] rather than null.
	EmptyLists bool
	// NullWithoutNode: without a node every text is null; otherwise a
	// text that is not nullable is "".
	NullWithoutNode bool
	// Value writes a free-form value (AppendJSONValue when nil).
	Value func(dst []byte, v any) []byte
	// Views, by block key, where the answer's block is not the table's.
	Views map[string]*View
}

// View is a block as an answer shows it where upstream's shape differs
// from the table: Order's sub-fields first, in that order (the others
// follow in table order), Omit's never, OmitEmpty's only when they hold
// something. Sparse shows only the sub-fields that hold something, keys
// sorted (upstream's dictionary).
type View struct {
	Order     []string
	Omit      []string
	OmitEmpty []string
	Sparse    bool
}

// Key appends `,"key":` (without the comma when dst ends an opening
// brace).
func Key(dst []byte, key string) []byte {
	if len(dst) > 0 && dst[len(dst)-1] != '{' {
		dst = append(dst, ',')
	}
	dst = resolve.AppendJSONString(dst, key)
	return append(dst, ':')
}

// String appends s, or null for "".
func String(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return resolve.AppendJSONString(dst, s)
}

// Append appends the value of field f of n (nil: there is no node) in
// the form. f may be of any kind but KindExtra and the structured
// top-level ones.
func (fm *Form) Append(dst []byte, n *moniker.Node, f *moniker.NodeField) []byte {
	switch f.Kind {
	case moniker.KindText, moniker.KindEnum:
		switch {
		case n != nil && !f.Nullable():
			return resolve.AppendJSONString(dst, f.Value(n))
		case n != nil:
			return String(dst, *f.Text(n))
		case fm.NullWithoutNode || f.Nullable():
			return append(dst, "null"...)
		}
		return append(dst, `""`...)
	case moniker.KindTags:
		var tags []string
		if n != nil {
			tags = *f.List(n)
		}
		return appendStrings(dst, tags, true)
	case moniker.KindMap:
		if n == nil || *f.Map(n) == nil {
			return append(dst, "{}"...)
		}
		return fm.value(dst, *f.Map(n))
	case moniker.KindBlock:
		if n == nil || !f.Block.Has(n) {
			return append(dst, "null"...)
		}
		return fm.block(dst, n, f.Key, f.Block)
	case moniker.KindList:
		return appendStrings(dst, *f.List(n), fm.EmptyLists)
	case moniker.KindNumber:
		if x := *f.Number(n); x != nil {
			return resolve.AppendJSONValue(dst, *x) // NaN and ±Inf are null
		}
		return append(dst, "null"...)
	case moniker.KindAny:
		return fm.value(dst, *f.Any(n))
	case moniker.KindTextMap:
		if m := *f.TextMap(n); m != nil {
			return resolve.AppendJSONValue(dst, m)
		}
		return append(dst, "null"...)
	case moniker.KindColumns:
		return fm.columns(dst, n.Schema.Columns)
	}
	panic("nodejson: field " + f.Key + " has a kind its caller writes")
}

func (fm *Form) value(dst []byte, v any) []byte {
	if fm.Value != nil {
		return fm.Value(dst, v)
	}
	return resolve.AppendJSONValue(dst, v)
}

// block appends the object of a block n has.
func (fm *Form) block(dst []byte, n *moniker.Node, key string, b *moniker.Block) []byte {
	v := fm.Views[key]
	dst = append(dst, '{')
	if v == nil {
		for i := range b.Fields {
			dst = Key(dst, b.Fields[i].Key)
			dst = fm.Append(dst, n, &b.Fields[i])
		}
		return append(dst, '}')
	}
	fields := make([]*moniker.NodeField, 0, len(b.Fields))
	for _, k := range v.Order {
		if f, ok := b.Field(k); ok {
			fields = append(fields, f)
		}
	}
	for i := range b.Fields {
		if !slices.Contains(v.Order, b.Fields[i].Key) {
			fields = append(fields, &b.Fields[i])
		}
	}
	if v.Sparse {
		slices.SortFunc(fields, func(a, b *moniker.NodeField) int { return strings.Compare(a.Key, b.Key) })
	}
	for _, f := range fields {
		if slices.Contains(v.Omit, f.Key) || (v.Sparse || slices.Contains(v.OmitEmpty, f.Key)) && Empty(n, f) {
			continue
		}
		dst = Key(dst, f.Key)
		dst = fm.Append(dst, n, f)
	}
	return append(dst, '}')
}

// Empty reports whether sub-field f of n holds nothing: an empty text,
// list or map, a missing number or value.
func Empty(n *moniker.Node, f *moniker.NodeField) bool {
	switch f.Kind {
	case moniker.KindText, moniker.KindEnum:
		return *f.Text(n) == ""
	case moniker.KindTags, moniker.KindList:
		return len(*f.List(n)) == 0
	case moniker.KindNumber:
		return *f.Number(n) == nil
	case moniker.KindAny:
		return *f.Any(n) == nil
	case moniker.KindMap:
		return len(*f.Map(n)) == 0
	case moniker.KindTextMap:
		return len(*f.TextMap(n)) == 0
	case moniker.KindColumns:
		return len(n.Schema.Columns) == 0
	}
	return false
}

// appendStrings appends list; a nil list is [] with empty, else null.
func appendStrings(dst []byte, list []string, empty bool) []byte {
	if list == nil && !empty {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i, s := range list {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = resolve.AppendJSONString(dst, s)
	}
	return append(dst, ']')
}

// Safe returns v with the floats JSON cannot carry (NaN, ±Inf, which a
// YAML catalog may hold) replaced by their YAML spelling (".nan", ".inf",
// "-.inf").
func Safe(v any) any {
	switch x := v.(type) {
	case float64:
		switch {
		case math.IsNaN(x):
			return ".nan"
		case math.IsInf(x, 1):
			return ".inf"
		case math.IsInf(x, -1):
			return "-.inf"
		}
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Safe(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Safe(e)
		}
		return out
	}
	return v
}

// ---- reading ----

// Decode reads raw (one member of a body, null clearing the field) into
// field f of n, strictly. Its errors are those decoding the member into a
// Go value of the field's shape would give (a *json.UnmarshalTypeError
// whose Field names the sub-field, a *strictjson.UnknownFieldError), so
// that a caller reports them as it reports any body's. Numbers in
// free-form values come out as the catalog loader gives them (FreeForm).
func Decode(n *moniker.Node, f *moniker.NodeField, raw json.RawMessage) error {
	switch f.Kind {
	case moniker.KindText, moniker.KindEnum:
		var s *string
		if err := decode(raw, &s); err != nil {
			return err
		}
		*f.Text(n) = ""
		if s != nil {
			*f.Text(n) = *s
		}
	case moniker.KindTags, moniker.KindList:
		return decode(raw, f.List(n))
	case moniker.KindNumber:
		return decode(raw, f.Number(n))
	case moniker.KindAny:
		var v any
		if err := decode(raw, &v); err != nil {
			return err
		}
		*f.Any(n) = FreeForm(v)
	case moniker.KindMap:
		var m map[string]any
		if err := decode(raw, &m); err != nil {
			return err
		}
		*f.Map(n) = nil
		if m != nil {
			*f.Map(n) = FreeForm(m).(map[string]any)
		}
	case moniker.KindTextMap:
		return decode(raw, f.TextMap(n))
	case moniker.KindBlock:
		return decodeBlock(n, f.Block, raw)
	default:
		panic("nodejson: field " + f.Key + " has a kind its caller reads")
	}
	return nil
}

// decodeBlock reads a block's object member by member, in the order of
// the text: the first error is the one reported, as encoding/json
// reports the first. Keys match case-insensitively when none matches
// exactly, as encoding/json matches a struct's.
func decodeBlock(n *moniker.Node, b *moniker.Block, raw json.RawMessage) error {
	if IsNull(raw) {
		b.Clear(n)
		return nil
	}
	members, err := Members(raw)
	if err != nil {
		return err
	}
	b.New(n)
	for _, m := range members {
		f, ok := b.Field(m.Key)
		if !ok {
			f, ok = foldField(b, m.Key)
		}
		if !ok {
			return &strictjson.UnknownFieldError{Field: m.Key}
		}
		var err error
		if f.Kind == moniker.KindColumns {
			err = decodeColumns(n, m.Value)
		} else {
			err = Decode(n, f, m.Value)
		}
		if err != nil {
			return Under(f.Key, err)
		}
	}
	return nil
}

func foldField(b *moniker.Block, key string) (*moniker.NodeField, bool) {
	for i := range b.Fields {
		if strings.EqualFold(b.Fields[i].Key, key) {
			return &b.Fields[i], true
		}
	}
	return nil, false
}

// Under returns err as decoding the member key of an enclosing object
// would have given it: a type error's Field gains the key in front.
func Under(key string, err error) error {
	if te, ok := err.(*json.UnmarshalTypeError); ok {
		c := *te
		c.Field = key
		if te.Field != "" {
			c.Field = key + "." + te.Field
		}
		return &c
	}
	return err
}

// Member is one key and value of a JSON object.
type Member struct {
	Key   string
	Value json.RawMessage
}

// Members returns the members of the JSON object raw in the order of the
// text; anything but an object is the error decoding it into a map gives.
func Members(raw json.RawMessage) ([]Member, error) {
	if t := bytes.TrimLeft(raw, " \t\r\n"); len(t) == 0 || t[0] != '{' {
		var m map[string]json.RawMessage
		if err := strictjson.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		return nil, &json.UnmarshalTypeError{Value: "null", Type: reflect.TypeFor[map[string]any]()}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var out []Member
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		out = append(out, Member{Key: t.(string), Value: v})
	}
	return out, nil
}

// IsNull reports whether raw is the JSON null.
func IsNull(raw json.RawMessage) bool {
	return string(bytes.TrimSpace(raw)) == "null"
}

// decode reads raw into dst strictly, numbers in free-form values as
// json.Number (FreeForm turns them into the loader's).
func decode(raw json.RawMessage, dst any) error { return strictjson.UnmarshalNumbers(raw, dst) }

// FreeForm converts a decoded free-form JSON value (numbers as
// json.Number) to the values the catalog loader produces: an integer
// becomes int (uint64 above the int range), any other number float64.
func FreeForm(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := x.String()
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return int(i)
			}
			if u, err := strconv.ParseUint(s, 10, 64); err == nil {
				return u
			}
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = FreeForm(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = FreeForm(e)
		}
		return out
	}
	return v
}
