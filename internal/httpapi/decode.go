package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/strictjson"
)

// MaxBody bounds every request body: 1 MiB.
const MaxBody = 1 << 20

// DecodeJSON reads r's body, at most limit bytes, as one JSON object into
// a new T, strictly (strictjson: unknown keys at any depth and trailing
// data are errors). A body that is not that is answered, and ok is false:
// 413 body_too_large past limit; 422 in upstream's validation shape for
// an empty body (missing), one that is not an object
// (model_attributes_type), malformed JSON or trailing data
// (json_invalid), an unknown key (extra_forbidden, at its location) or a
// value of the wrong type (string_type, list_type, ..., at its field).
//
// A route that must tell an absent key from a null one reads T =
// map[string]json.RawMessage, or fields with their own UnmarshalJSON.
func DecodeJSON[T any](w http.ResponseWriter, r *http.Request, limit int64) (v T, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if !writeTooLarge(w, err) {
			WriteFields(w, InBody, moniker.FieldError{Type: "json_invalid", Msg: "could not read the body: " + err.Error()})
		}
		return v, false
	}
	if fe := decodeObject(body, &v); fe != nil {
		WriteFields(w, InBody, *fe)
		return v, false
	}
	return v, true
}

// ReadBody reads r's body, at most limit bytes, for a route whose body is
// not JSON. Past limit it answers 413 body_too_large, on another read
// error 400, and ok is false.
func ReadBody(w http.ResponseWriter, r *http.Request, limit int64) (body []byte, ok bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if !writeTooLarge(w, err) {
			WriteDetail(w, http.StatusBadRequest, CodeInvalidRequest, "reading the body: "+err.Error())
		}
		return nil, false
	}
	return body, true
}

// writeTooLarge answers 413 when err is a body over its limit.
func writeTooLarge(w http.ResponseWriter, err error) bool {
	mbe, ok := errors.AsType[*http.MaxBytesError](err)
	if ok {
		WriteDetail(w, http.StatusRequestEntityTooLarge, CodeBodyTooLarge, "request body exceeds "+strconv.FormatInt(mbe.Limit, 10)+" bytes")
	}
	return ok
}

// decodeObject decodes body, which must be one JSON object, into v (a
// pointer), returning what is wrong as one field error.
func decodeObject(body []byte, v any) *moniker.FieldError {
	trimmed := bytes.TrimSpace(body)
	switch {
	case len(trimmed) == 0:
		return new(Missing())
	case trimmed[0] != '{':
		return &moniker.FieldError{Type: "model_attributes_type", Msg: "Input should be a JSON object"}
	}
	if err := strictjson.Unmarshal(trimmed, v); err != nil {
		fe := JSONFieldError(err, nil, trimmed, v)
		return &fe
	}
	return nil
}

// JSONFieldError turns an error of strictjson decoding data into target
// (a pointer; nil: unknown) into a 422 entry. loc is where data is in
// the body (nil: data is the body). The entry names the field: an unknown
// top-level key with its value as the input, an unknown key nested in an
// object under the top-level key whose value holds it (found by decoding
// each member alone into target's type), a value of the wrong type under
// its field path.
func JSONFieldError(err error, loc []string, data []byte, target any) moniker.FieldError {
	at := func(more ...string) []string { return append(slices.Clip(loc), more...) }
	var (
		ufe *strictjson.UnknownFieldError
		te  *json.UnmarshalTypeError
		se  *json.SyntaxError
	)
	switch {
	case errors.As(err, &ufe):
		fe := moniker.FieldError{Type: "extra_forbidden", Loc: at(ufe.Field), Msg: "Extra inputs are not permitted"}
		var members map[string]any
		if json.Unmarshal(data, &members) == nil {
			if v, top := members[ufe.Field]; top {
				fe.Input = v // upstream reports the value of a top-level key
			} else if k := failingKey(data, target, ufe.Field); k != "" {
				fe.Loc = at(k, ufe.Field)
			}
		}
		return fe
	case errors.As(err, &te):
		where := at()
		if te.Field != "" {
			where = at(strings.Split(te.Field, ".")...)
		}
		typ, name := jsonType(te.Type)
		return moniker.FieldError{Type: typ + "_type", Loc: where, Msg: "Input should be a valid " + name + ", got a JSON " + te.Value}
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, strictjson.ErrTrailingData):
		return moniker.FieldError{Type: "json_invalid", Loc: at(), Msg: "JSON decode error: " + err.Error()}
	}
	return moniker.FieldError{Type: "value_error", Loc: at(), Msg: err.Error()}
}

// jsonType names the JSON value a Go type reads, in upstream's terms: the
// 422 type prefix and the word of its message.
func jsonType(t reflect.Type) (typ, name string) {
	switch t.Kind() {
	case reflect.String:
		return "string", "string"
	case reflect.Bool:
		return "bool", "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "int", "integer"
	case reflect.Float32, reflect.Float64:
		return "float", "number"
	case reflect.Slice, reflect.Array:
		return "list", "list"
	}
	return "dict", "dictionary"
}

// failingKey returns the top-level key of the JSON object data whose
// member alone fails to decode into a new value of target's type with
// the unknown key name (the first such key in sorted order), or "".
func failingKey(data []byte, target any, name string) string {
	var members map[string]json.RawMessage
	if target == nil || json.Unmarshal(data, &members) != nil {
		return ""
	}
	typ := reflect.TypeOf(target).Elem()
	for _, k := range slices.Sorted(maps.Keys(members)) {
		one, err := json.Marshal(map[string]json.RawMessage{k: members[k]})
		if err != nil {
			continue
		}
		err = strictjson.Unmarshal(one, reflect.New(typ).Interface())
		if ufe, ok := errors.AsType[*strictjson.UnknownFieldError](err); ok && ufe.Field == name {
			return k
		}
	}
	return ""
}

// QueryInt reads the optional integer query parameter name within
// [lo, hi] (def when absent). A value that is not an integer, or is out
// of range, is answered 422 (int_parsing, range) and ok is false.
func QueryInt(w http.ResponseWriter, r *http.Request, name string, def, lo, hi int) (n int, ok bool) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return def, true
	}
	n, err := strconv.Atoi(raw)
	if err != nil {
		WriteFields(w, InQuery, moniker.FieldError{Type: "int_parsing", Loc: []string{name}, Msg: "Input should be a valid integer", Input: raw})
		return 0, false
	}
	if n < lo || n > hi {
		WriteFields(w, InQuery, moniker.FieldError{Type: "range", Loc: []string{name},
			Msg: "Input should be between " + strconv.Itoa(lo) + " and " + strconv.Itoa(hi), Input: raw})
		return 0, false
	}
	return n, true
}

// QueryBool reads the optional boolean query parameter name (false when
// absent; strconv.ParseBool's spellings). Another value is answered 422
// (bool_parsing) and ok is false.
func QueryBool(w http.ResponseWriter, r *http.Request, name string) (b, ok bool) {
	raw := r.URL.Query().Get(name)
	if raw == "" {
		return false, true
	}
	b, err := strconv.ParseBool(raw)
	if err != nil {
		WriteFields(w, InQuery, moniker.FieldError{Type: "bool_parsing", Loc: []string{name}, Msg: "Input should be a valid boolean", Input: raw})
		return false, false
	}
	return b, true
}
