// Package strictjson decodes JSON strictly, the one way every body and
// patch of the service is read: an object key the target has no field
// for is an error (*UnknownFieldError), and so is anything after the
// value (ErrTrailingData). Custom UnmarshalJSON methods call it for
// their own objects, so the rule holds at every depth.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
)

// ErrTrailingData: something other than white space follows the value.
var ErrTrailingData = errors.New("trailing data after the JSON value")

// UnknownFieldError names an object key the target has no field for.
type UnknownFieldError struct {
	Field string // the key
}

func (e *UnknownFieldError) Error() string { return "unknown field " + `"` + e.Field + `"` }

// Unmarshal decodes data into v strictly.
func Unmarshal(data []byte, v any) error { return decode(data, v, false) }

// UnmarshalNumbers is Unmarshal, except that a number decoded into an
// interface value is a json.Number, exact, rather than a float64.
func UnmarshalNumbers(data []byte, v any) error { return decode(data, v, true) }

func decode(data []byte, v any, numbers bool) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if numbers {
		dec.UseNumber()
	}
	if err := dec.Decode(v); err != nil {
		// encoding/json says only this, in words.
		if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
			return &UnknownFieldError{Field: strings.Trim(name, `"`)}
		}
		return err
	}
	if dec.More() {
		return ErrTrailingData
	}
	return nil
}
