package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/strictjson"
)

type owner struct {
	Email string `json:"email"`
}

// optional decodes its value itself, as registry.Optional does.
type optional struct{ V owner }

func (o *optional) UnmarshalJSON(b []byte) error { return strictjson.Unmarshal(b, &o.V) }

type body struct {
	Name  string   `json:"name"`
	Tags  []string `json:"tags"`
	Owner owner    `json:"owner"`
	Opt   optional `json:"opt"`
	N     *int     `json:"n"`
}

// TestDecodeJSON: what the one body decoder answers, past the cases
// TestBodies pins for every route.
func TestDecodeJSON(t *testing.T) {
	for _, tt := range []struct {
		name, in string
		status   int
		want     string
	}{
		{"ok", `{"name":"a","tags":["x"],"owner":{"email":"e"},"opt":{"email":"f"},"n":1}`, 200, ""},
		{"nested unknown key", `{"name":"a","owner":{"mail":"e"}}`, 422,
			`{"detail":[{"type":"extra_forbidden","loc":["body","owner","mail"],"msg":"Extra inputs are not permitted","input":null}],"code":"validation_error"}`},
		{"unknown key under a custom decoder", `{"opt":{"mail":"e"}}`, 422,
			`{"detail":[{"type":"extra_forbidden","loc":["body","opt","mail"],"msg":"Extra inputs are not permitted","input":null}],"code":"validation_error"}`},
		{"top-level unknown key", `{"colour":"red"}`, 422,
			`{"detail":[{"type":"extra_forbidden","loc":["body","colour"],"msg":"Extra inputs are not permitted","input":"red"}],"code":"validation_error"}`},
		{"wrong type", `{"tags":"a,b"}`, 422,
			`{"detail":[{"type":"list_type","loc":["body","tags"],"msg":"Input should be a valid list, got a JSON string","input":null}],"code":"validation_error"}`},
		{"wrong nested type", `{"owner":{"email":1}}`, 422,
			`{"detail":[{"type":"string_type","loc":["body","owner","email"],"msg":"Input should be a valid string, got a JSON number","input":null}],"code":"validation_error"}`},
		{"wrong type under a custom decoder", `{"opt":{"email":true}}`, 422,
			`{"detail":[{"type":"string_type","loc":["body","opt","email"],"msg":"Input should be a valid string, got a JSON bool","input":null}],"code":"validation_error"}`},
		{"integer", `{"n":"1"}`, 422,
			`{"detail":[{"type":"int_type","loc":["body","n"],"msg":"Input should be a valid integer, got a JSON string","input":null}],"code":"validation_error"}`},
		{"null body", `null`, 422,
			`{"detail":[{"type":"model_attributes_type","loc":["body"],"msg":"Input should be a JSON object","input":null}],"code":"validation_error"}`},
		{"just too large", `{"name":"` + strings.Repeat("x", 100) + `"}`, 413, `{"detail":"request body exceeds 64 bytes","code":"body_too_large"}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			v, ok := DecodeJSON[body](rec, httptest.NewRequest("POST", "/", strings.NewReader(tt.in)), map[bool]int64{true: 64, false: MaxBody}[tt.status == 413])
			if ok != (tt.status == 200) {
				t.Fatalf("ok %v: %d %s", ok, rec.Code, rec.Body)
			}
			if ok {
				if v.Name != "a" || v.Opt.V.Email != "f" || *v.N != 1 {
					t.Errorf("decoded %+v", v)
				}
				return
			}
			if rec.Code != tt.status || rec.Body.String() != tt.want+"\n" {
				t.Errorf("%d %s\nwant %d %s", rec.Code, rec.Body, tt.status, tt.want)
			}
		})
	}
}

func TestQueryParameters(t *testing.T) {
	for _, tt := range []struct {
		query string
		n     int
		b     bool
		want  string // "" = ok
	}{
		{"", 7, false, ""},
		{"limit=3&flag=true", 3, true, ""},
		{"limit=x", 0, false, `{"detail":[{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer","input":"x"}],"code":"validation_error"}`},
		{"limit=11", 0, false, `{"detail":[{"type":"range","loc":["query","limit"],"msg":"Input should be between 1 and 10","input":"11"}],"code":"validation_error"}`},
		{"flag=maybe", 7, false, `{"detail":[{"type":"bool_parsing","loc":["query","flag"],"msg":"Input should be a valid boolean","input":"maybe"}],"code":"validation_error"}`},
	} {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("GET", "/?"+tt.query, nil)
		n, ok := QueryInt(rec, r, "limit", 7, 1, 10)
		if ok {
			var b bool
			if b, ok = QueryBool(rec, r, "flag"); ok && b != tt.b {
				t.Errorf("%s: flag %v", tt.query, b)
			}
		}
		if ok != (tt.want == "") || ok && n != tt.n || !ok && rec.Body.String() != tt.want+"\n" {
			t.Errorf("%s: %d %v %s", tt.query, n, ok, rec.Body)
		}
	}
}
