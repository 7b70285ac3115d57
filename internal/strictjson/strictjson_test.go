package strictjson

import (
	"encoding/json"
	"errors"
	"io"
	"testing"
)

type inner struct {
	A int `json:"a"`
}

// custom decodes its object strictly itself, as registry.Optional does.
type custom struct{ In inner }

func (c *custom) UnmarshalJSON(b []byte) error { return Unmarshal(b, &c.In) }

type outer struct {
	Name string `json:"name"`
	In   inner  `json:"in"`
	C    custom `json:"c"`
	Any  any    `json:"any"`
}

func TestUnmarshal(t *testing.T) {
	var ufe *UnknownFieldError
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	for _, tt := range []struct {
		in    string
		check func(error) bool
	}{
		{`{"name":"x","in":{"a":1},"c":{"a":2}}`, func(err error) bool { return err == nil }},
		{` {"name":"x"} ` + "\n", func(err error) bool { return err == nil }},
		{`{"nmae":"x"}`, func(err error) bool { return errors.As(err, &ufe) && ufe.Field == "nmae" }},
		{`{"in":{"b":1}}`, func(err error) bool { return errors.As(err, &ufe) && ufe.Field == "b" }},
		{`{"c":{"b":1}}`, func(err error) bool { return errors.As(err, &ufe) && ufe.Field == "b" }},
		{`{"name":1}`, func(err error) bool { return errors.As(err, &te) && te.Field == "name" }},
		{`{"name":"x"} {}`, func(err error) bool { return errors.Is(err, ErrTrailingData) }},
		{`{"name":"x"`, func(err error) bool { return errors.Is(err, io.ErrUnexpectedEOF) }},
		{`{"name" "x"}`, func(err error) bool { return errors.As(err, &se) }},
		{``, func(err error) bool { return errors.Is(err, io.EOF) }},
	} {
		var v outer
		if err := Unmarshal([]byte(tt.in), &v); !tt.check(err) {
			t.Errorf("Unmarshal(%s) = %v (%T)", tt.in, err, err)
		}
	}
}

func TestUnmarshalNumbers(t *testing.T) {
	var v outer
	if err := UnmarshalNumbers([]byte(`{"any":12345678901234567890}`), &v); err != nil || v.Any != json.Number("12345678901234567890") {
		t.Errorf("UnmarshalNumbers: %v %#v", err, v.Any)
	}
	if err := Unmarshal([]byte(`{"any":1}`), &v); err != nil || v.Any != 1.0 {
		t.Errorf("Unmarshal: %v %#v", err, v.Any)
	}
}
