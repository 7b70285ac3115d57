package nodejson

import (
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"testing"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/strictjson"
)

func field(t *testing.T, key string) *moniker.NodeField {
	t.Helper()
	f, ok := moniker.FieldByKey(key)
	if !ok {
		t.Fatalf("no field %q", key)
	}
	return f
}

func TestAppend(t *testing.T) {
	q := 0.5
	n := &moniker.Node{Path: "a/b", Description: "<d>", Tags: []string{"x"},
		DataQuality:   &moniker.DataQuality{QualityScore: &q, KnownIssues: []string{}},
		Documentation: &moniker.Documentation{Runbook: "https://r", Glossary: "https://g", Additional: map[string]string{}},
		Schema:        &moniker.NodeSchema{Description: "s", Columns: []moniker.Column{{Name: "c", Nullable: true}}}}
	config := &Form{}
	describe := &Form{EmptyLists: true, NullWithoutNode: true, Views: map[string]*View{
		"documentation": {Sparse: true},
		"schema":        {Order: []string{"description", "columns"}, Omit: []string{"examples"}, OmitEmpty: []string{"use_cases"}},
	}}
	for _, tc := range []struct {
		form *Form
		n    *moniker.Node
		key  string
		want string
	}{
		{config, n, "display_name", `"b"`},
		{config, nil, "display_name", `""`},
		{describe, nil, "display_name", `null`},
		{config, n, "description", `"\u003cd\u003e"`},
		{config, n, "domain", `null`},
		{config, n, "classification", `"internal"`},
		{config, n, "status", `"active"`},
		{config, nil, "status", `""`},
		{config, n, "tags", `["x"]`},
		{config, nil, "tags", `[]`},
		{config, n, "metadata", `{}`},
		{config, n, "sla", `null`},
		{config, n, "data_quality", `{"dq_owner":null,"quality_score":0.5,"validation_rules":null,"known_issues":[],"last_validated":null}`},
		{describe, n, "data_quality", `{"dq_owner":null,"quality_score":0.5,"validation_rules":[],"known_issues":[],"last_validated":null}`},
		{config, n, "documentation", `{"glossary":"https://g","runbook":"https://r","onboarding":null,"data_dictionary":null,"api_docs":null,"architecture":null,"changelog":null,"contact":null,"additional":{}}`},
		{describe, n, "documentation", `{"glossary":"https://g","runbook":"https://r"}`},
		{describe, n, "schema", `{"description":"s","columns":[{"name":"c","type":"string","description":null,"semantic_type":null,"example":null,"nullable":true,"primary_key":false,"foreign_key":null}],"semantic_tags":[],"primary_key":[],"related_monikers":[],"granularity":null,"typical_row_count":null,"update_frequency":null}`},
	} {
		if got := string(tc.form.Append(nil, tc.n, field(t, tc.key))); got != tc.want {
			t.Errorf("%s (node %v, empty lists %v): %s, want %s", tc.key, tc.n != nil, tc.form.EmptyLists, got, tc.want)
		}
	}
	nan := math.NaN()
	if got := string(config.Append(nil, &moniker.Node{DataQuality: &moniker.DataQuality{QualityScore: &nan}}, field(t, "data_quality"))); got != `{"dq_owner":null,"quality_score":null,"validation_rules":null,"known_issues":null,"last_validated":null}` {
		t.Errorf("NaN score: %s", got)
	}
}

func TestDecode(t *testing.T) {
	var n moniker.Node
	dq := field(t, "data_quality")
	if err := Decode(&n, dq, json.RawMessage(`{"DQ_Owner":"o","quality_score":1,"validation_rules":[]}`)); err != nil {
		t.Fatal(err)
	}
	if d := n.DataQuality; d == nil || d.DQOwner != "o" || *d.QualityScore != 1 || d.ValidationRules == nil || d.KnownIssues != nil {
		t.Errorf("decoded %+v", n.DataQuality)
	}
	if err := Decode(&n, dq, json.RawMessage(`null`)); err != nil || n.DataQuality != nil {
		t.Errorf("null: %v %+v", err, n.DataQuality)
	}
	var te *json.UnmarshalTypeError
	var ufe *strictjson.UnknownFieldError
	for _, tc := range []struct {
		key, raw string
		check    func(error) bool
	}{
		// The first problem in the text wins, as encoding/json reports it.
		{"data_quality", `{"dq_owner":1,"bogus":2}`, func(err error) bool { return errors.As(err, &te) && te.Field == "dq_owner" }},
		{"data_quality", `{"bogus":2,"dq_owner":1}`, func(err error) bool { return errors.As(err, &ufe) && ufe.Field == "bogus" }},
		{"data_quality", `"x"`, func(err error) bool { return errors.As(err, &te) && te.Value == "string" && te.Field == "" }},
		{"schema", `{"columns":[{"name":"a","type":1}]}`, func(err error) bool { return errors.As(err, &te) && te.Field == "columns.type" }},
		{"schema", `{"columns":[{"name":"a","bogus":1}]}`, func(err error) bool { return errors.As(err, &ufe) && ufe.Field == "bogus" }},
		{"tags", `[1]`, func(err error) bool { return errors.As(err, &te) && te.Field == "" }},
		{"metadata", `[]`, func(err error) bool { return errors.As(err, &te) }},
	} {
		var n moniker.Node
		if err := Decode(&n, field(t, tc.key), json.RawMessage(tc.raw)); !tc.check(err) {
			t.Errorf("%s %s: %v", tc.key, tc.raw, err)
		}
	}
	if err := Decode(&n, field(t, "metadata"), json.RawMessage(`{"i":1,"f":1.5,"u":18446744073709551615}`)); err != nil ||
		!reflect.DeepEqual(n.Metadata, map[string]any{"i": 1, "f": 1.5, "u": uint64(math.MaxUint64)}) {
		t.Errorf("metadata: %v %#v", err, n.Metadata)
	}
}

func TestMembers(t *testing.T) {
	m, err := Members(json.RawMessage(` {"b":1,"a":[2],"b":"3"}`))
	if err != nil || len(m) != 3 || m[0].Key != "b" || m[1].Key != "a" || string(m[2].Value) != `"3"` {
		t.Errorf("Members = %v, %v", m, err)
	}
	var te *json.UnmarshalTypeError
	if _, err := Members(json.RawMessage(`[1]`)); !errors.As(err, &te) || te.Value != "array" {
		t.Errorf("Members of a list: %v", err)
	}
}

func TestSafe(t *testing.T) {
	got := Safe(map[string]any{"a": []any{math.NaN(), math.Inf(1), math.Inf(-1), 1.5}})
	want := map[string]any{"a": []any{".nan", ".inf", "-.inf", 1.5}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Safe = %v", got)
	}
}
