package resolve

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// oddStrings are strings that stress JSON escaping.
var oddStrings = []string{
	"", "plain", `"quoted"`, `back\slash`, "new\nline\r\ttab", "\x00\x01\x1f\x7f",
	"\b\f", "<script>&amp;</script>", "\u2028\u2029", "héllo wörld ✓ 日本", "😀 emoji",
	"bad\xffutf8", "\xc3", "\xed\xa0\x80 surrogate", "\ufffd already", "'single' quotes",
	"SELECT *\nFROM t\nWHERE a = 'x' -- c",
}

func TestAppendJSONString(t *testing.T) {
	for _, s := range oddStrings {
		want, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got := AppendJSONString([]byte("prefix"), s); string(got) != "prefix"+string(want) {
			t.Errorf("AppendJSONString(%q) = %s, want %s", s, got[len("prefix"):], want)
		}
	}
}

// FuzzAppendJSONString checks that any string encodes to valid JSON that
// decodes back to the same string (invalid UTF-8 bytes each becoming
// U+FFFD), byte for byte as encoding/json writes it.
func FuzzAppendJSONString(f *testing.F) {
	for _, s := range oddStrings {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := AppendJSONString(nil, s)
		if !json.Valid(got) {
			t.Fatalf("invalid JSON for %q: %s", s, got)
		}
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatal(err)
		}
		var want strings.Builder
		for _, r := range s { // range yields U+FFFD for each invalid byte
			want.WriteRune(r)
		}
		if back != want.String() {
			t.Fatalf("round trip of %q gave %q, want %q", s, back, want.String())
		}
		if std, _ := json.Marshal(s); string(std) != string(got) {
			t.Fatalf("AppendJSONString(%q) = %s, encoding/json gives %s", s, got, std)
		}
	})
}

func TestAppendJSONValue(t *testing.T) {
	when := time.Date(2026, 1, 15, 6, 0, 0, 0, time.UTC)
	tests := []struct {
		v    any
		want string // "" means: whatever encoding/json gives
	}{
		{nil, "null"}, {"s<>", ""}, {true, "true"}, {false, "false"},
		{0, "0"}, {-42, "-42"}, {int64(math.MaxInt64), ""}, {int32(-7), "-7"}, {uint64(math.MaxUint64), ""},
		{1.5, ""}, {0.0, ""}, {math.Copysign(0, -1), ""}, {1e21, ""}, {1e20, ""}, {1e-7, ""}, {1e-6, ""}, {123456789.0, ""},
		{-2.5e-10, ""}, {math.MaxFloat64, ""}, {math.SmallestNonzeroFloat64, ""},
		{math.NaN(), "null"}, {math.Inf(1), "null"},
		{map[string]string{"b": "2", "a": "<1>"}, ""}, {map[string]string{}, "{}"},
		{[]any{"a", 1, nil, map[string]any{"z": 1, "a": []any{}}}, ""},
		{map[string]any{"k": "v", "n": 1.25}, ""}, {[]string{"x"}, ""},
		{when, ""},
		{map[any]any{1: 2}, "null"}, // encoding/json cannot: still valid JSON
	}
	for _, tt := range tests {
		want := tt.want
		if want == "" {
			b, err := json.Marshal(tt.v)
			if err != nil {
				t.Fatal(err)
			}
			want = string(b)
		}
		if got := string(AppendJSONValue(nil, tt.v)); got != want {
			t.Errorf("AppendJSONValue(%#v) = %s, want %s", tt.v, got, want)
		}
	}
}

// TestAppendResolutionJSON encodes resolutions with odd values everywhere
// and compares the decoded body with the expected document.
func TestAppendResolutionJSON(t *testing.T) {
	for i, odd := range oddStrings {
		var own moniker.ResolvedOwnership
		for f := range own {
			own[f] = moniker.OwnerValue{Value: odd + string(rune('a'+f)), Source: "src" + odd}
		}
		own[moniker.ADS] = moniker.OwnerValue{} // unset: both null
		r := &moniker.Resolution{
			Moniker:    "moniker://x/" + odd,
			Path:       "x/" + odd,
			SourceType: "snowflake",
			Connection: kv("account", odd, "port", 1433, "role", nil, "hosts", []any{odd}),
			Query:      odd, HasQuery: i%2 == 0,
			Params:      kv("moniker_version", odd, "moniker_revision", 3, "moniker_namespace", nil, "moniker_params", map[string]string{odd: odd}),
			SchemaInfo:  map[string]any{"cols": []any{odd, 1.5}},
			ReadOnly:    i%3 == 0,
			Ownership:   own,
			BindingPath: "x",
			SubPath:     odd,
			Status:      moniker.Status(odd), DeprecationMessage: odd, Successor: odd, SunsetDeadline: odd,
			MigrationGuideURL: odd, RedirectedFrom: odd,
			CacheTTLHint: 300 + i,
		}
		body := AppendResolutionJSON(nil, r)
		if !json.Valid(body) {
			t.Fatalf("%q: invalid JSON: %s", odd, body)
		}
		var got map[string]any
		if err := json.Unmarshal(body, &got); err != nil {
			t.Fatal(err)
		}
		valid := func(s string) any { // the decoded form of s; "" is null
			if s == "" {
				return nil
			}
			var b strings.Builder
			for _, r := range s {
				b.WriteRune(r)
			}
			return b.String()
		}
		str := func(s string) any {
			v := valid(s)
			if v == nil {
				return ""
			}
			return v
		}
		var query any
		if r.HasQuery {
			query = str(odd)
		}
		wantOwn := map[string]any{}
		for f := moniker.OwnerField(0); f < moniker.UI; f++ {
			wantOwn[f.Key()] = valid(own[f].Value)
			wantOwn[f.Key()+"_source"] = valid(own[f].Source)
		}
		want := map[string]any{
			"moniker": str(r.Moniker), "path": str(r.Path), "source_type": "snowflake",
			"connection": map[string]any{"account": str(odd), "port": 1433.0, "role": nil, "hosts": []any{str(odd)}},
			"query":      query,
			"params": map[string]any{"moniker_version": str(odd), "moniker_revision": 3.0, "moniker_namespace": nil,
				"moniker_params": map[string]any{str(odd).(string): str(odd)}},
			"schema_info": map[string]any{"cols": []any{str(odd), 1.5}},
			"read_only":   i%3 == 0, "ownership": wantOwn, "binding_path": "x",
			"sub_path": valid(odd), "status": valid(odd), "deprecation_message": valid(odd),
			"successor": valid(odd), "sunset_deadline": valid(odd), "migration_guide_url": valid(odd),
			"redirected_from": valid(odd), "cache_ttl_hint": float64(300 + i),
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %v\nwant %v", odd, got, want)
		}
		if len(wantOwn) != 18 {
			t.Fatalf("ownership has %d keys, want 18", len(wantOwn))
		}
	}
}
