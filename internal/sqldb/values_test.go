package sqldb

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/fetch"
)

func TestNormalize(t *testing.T) {
	day := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		t       fetch.Type
		in, out any
	}{
		{fetch.TypeString, []byte("abc"), "abc"},
		{fetch.TypeString, nil, nil},
		{fetch.TypeInt, int64(5), int64(5)},
		{fetch.TypeInt, []byte("-12"), int64(-12)},
		{fetch.TypeInt, 3.0, int64(3)},
		{fetch.TypeInt, uint64(7), int64(7)},
		{fetch.TypeFloat, float32(0.1), 0.1},
		{fetch.TypeFloat, int64(2), 2.0},
		{fetch.TypeFloat, []byte("1.25"), 1.25},
		{fetch.TypeDecimal, []byte("12345678901234567890.123"), "12345678901234567890.123"},
		{fetch.TypeDecimal, int64(42), "42"},
		{fetch.TypeDecimal, uint64(18446744073709551615), "18446744073709551615"},
		{fetch.TypeBool, int64(1), true},
		{fetch.TypeBool, []byte("0"), false},
		{fetch.TypeDate, time.Date(2026, 1, 15, 13, 0, 0, 0, time.FixedZone("x", 3600)), day},
		{fetch.TypeDate, "2026-01-15", day},
		{fetch.TypeTimestamp, "2026-01-15 14:30:00", time.Date(2026, 1, 15, 14, 30, 0, 0, time.UTC)},
		{fetch.TypeTimestamp, []byte("2026-01-15T14:30:00+01:00"), time.Date(2026, 1, 15, 14, 30, 0, 0, time.FixedZone("", 3600))},
		{fetch.TypeBytes, "ab", []byte("ab")},
		{fetch.TypeJSON, []byte(`{"a":[1,"x",null]}`), map[string]any{"a": []any{1.0, "x", nil}}},
	}
	for _, tc := range tests {
		got, err := normalize(tc.t, tc.in)
		if err != nil || !reflect.DeepEqual(got, tc.out) {
			if tm, ok := got.(time.Time); ok && tc.out != nil && tm.Equal(tc.out.(time.Time)) {
				continue
			}
			t.Errorf("normalize(%s, %#v) = %#v, %v; want %#v", tc.t, tc.in, got, err, tc.out)
		}
	}
	for _, tc := range []struct {
		t  fetch.Type
		in any
	}{
		{fetch.TypeInt, "x"}, {fetch.TypeInt, 1.5}, {fetch.TypeDate, "N/A"}, {fetch.TypeDate, int64(1)},
		{fetch.TypeJSON, []byte("{")}, {fetch.TypeBool, "maybe"}, {fetch.TypeInt, uint64(1 << 63)},
	} {
		if got, err := normalize(tc.t, tc.in); err == nil {
			t.Errorf("normalize(%s, %#v) = %#v; want an error", tc.t, tc.in, got)
		}
	}
}

// TestKeys: connection keys from YAML (int), JSON (float64, json.Number)
// and text read the same; problems name the key.
func TestKeys(t *testing.T) {
	for _, port := range []any{5433, int64(5433), uint64(5433), 5433.0, json.Number("5433"), "5433", "${PORT}"} {
		k := NewKeys("x", map[string]any{"port": port, "name": port}, fetch.Env{Getenv: func(string) string { return "5433" }})
		if p, s := k.Port("port", 1), k.String("name", ""); p != 5433 || s != "5433" || k.Err() != nil {
			t.Errorf("%T %v: port %d, string %q, %v", port, port, p, s, k.Err())
		}
	}
	k := NewKeys("x", map[string]any{"port": 5.5, "b": "maybe", "c": "d"}, fetch.Env{})
	k.Port("port", 1)
	k.Bool("b", false)
	if err := k.Err(); err == nil || !strings.Contains(err.Error(), "x config: port") {
		t.Errorf("first problem: %v", err)
	}
	if k := NewKeys("x", map[string]any{}, fetch.Env{}); k.Port("port", 7) != 7 || k.Required("host") != "" || !strings.Contains(k.Err().Error(), "host is required") {
		t.Errorf("defaults and required: %v", k.Err())
	}
	if k := NewKeys("x", map[string]any{"m": "z"}, fetch.Env{}); k.OneOf("m", "a", "a", "b") != "z" || k.Err() == nil {
		t.Error("OneOf accepted z")
	}
}
