package yamlfile

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/moniker"
)

func TestPath(t *testing.T) {
	tests := []struct {
		p    Path
		want string
	}{
		{Path{}, ""},
		{Key("tags"), "tags"},
		{Under("access_policy", "min_filters"), "access_policy.min_filters"},
		{Under("schema", "columns").Item(2), "schema.columns[2]"},
		{Under("schema", "columns").Item(2).Field("type"), "schema.columns[2].type"},
		{Key("a").Item(0).Field("b").Item(1), "a[0].b[1]"},
		{Key("a").Field("b").Field("c"), "a.b.c"},
		{Path{}.Field("x"), "x"},
	}
	for _, tt := range tests {
		if got := tt.p.String(); got != tt.want {
			t.Errorf("%+v = %q, want %q", tt.p, got, tt.want)
		}
	}
}

func TestHint(t *testing.T) {
	known := []string{"description", "display_name", "domain", "tags"}
	tests := []struct{ key, want string }{
		{"descripton", ` (did you mean "description"?)`},
		{"tgas", ` (did you mean "tags"?)`},
		{"domian", ` (did you mean "domain"?)`},
		{"zz", " (known: description, display_name, domain, tags)"},
		{"x", " (known: description, display_name, domain, tags)"}, // one edit from nothing
		{strings.Repeat("d", 100), " (known: description, display_name, domain, tags)"},
	}
	for _, tt := range tests {
		if got := Hint(tt.key, known); got != tt.want {
			t.Errorf("Hint(%q) = %q, want %q", tt.key, got, tt.want)
		}
	}
	if got := Hint("x", nil); got != "" {
		t.Errorf("no known keys: %q", got)
	}
}

func parse(t *testing.T, src string) *yaml.Node {
	t.Helper()
	root, err := TopMapping("f.yaml", []byte(src), "things")
	if err != nil || root == nil {
		t.Fatalf("TopMapping: %v", err)
	}
	return root
}

// TestPairs: merge keys expand first, explicit keys override them; keys
// must be strings; duplicates are errors only when asked for.
func TestPairs(t *testing.T) {
	root := parse(t, "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n  z: 4\n  ~: 5\n  [l]: 6\n  z: 7\n")
	for _, dups := range []bool{false, true} {
		w := &Walker{File: "f.yaml", Noun: "thing", Duplicates: dups, Budget: NodeBudget(100)}
		m, _ := w.Mapping(root.Content[3], Key("m"))
		got := map[string]any{}
		var order []string
		w.Pairs(m, Key("m"), 0, func(k string, _, vn *yaml.Node) {
			order = append(order, k)
			got[k] = w.Value(vn, Key("m").Field(k), 0)
		})
		want := map[string]any{"x": 1, "y": 3, "z": 7}
		wantOrder := "x,y,y,z,z"
		wantErrs := []string{
			`f.yaml:6: m: keys must be strings, got null`,
			`f.yaml:7: m: keys must be strings, got a list`,
		}
		if dups {
			want["z"], wantOrder = 4, "x,y,y,z"
			wantErrs = append(wantErrs, `f.yaml:8: m: duplicate key "z" (first set at line 5)`)
		}
		if !reflect.DeepEqual(got, want) || strings.Join(order, ",") != wantOrder {
			t.Errorf("duplicates %v: got %v in order %v", dups, got, order)
		}
		var msgs []string
		for _, e := range w.Errs {
			msgs = append(msgs, e.Error())
		}
		if !reflect.DeepEqual(msgs, wantErrs) {
			t.Errorf("duplicates %v: errors\n%s\nwant\n%s", dups, strings.Join(msgs, "\n"), strings.Join(wantErrs, "\n"))
		}
	}
}

// TestScalars: each reader accepts its kinds, treats null as unset, and
// names the file, line, entry and key of what it refuses.
func TestScalars(t *testing.T) {
	root := parse(t, "e:\n  s: text\n  n: ~\n  i: 1_000\n  f: 1e3\n  b: yes\n  l: [a, 2]\n  m: {k: v}\n  bad: [x]\n")
	w := &Walker{File: "f.yaml", Noun: "thing", Entry: "e"}
	v := map[string]*yaml.Node{}
	w.Pairs(root.Content[1], Path{}, 0, func(k string, _, vn *yaml.Node) { v[k] = vn })
	if got := w.Text(v["s"], Key("s")); got != "text" {
		t.Errorf("Text = %q", got)
	}
	if got := w.Text(v["n"], Key("n")); got != "" {
		t.Errorf("Text(null) = %q", got)
	}
	if n, ok := w.Int(v["i"], Key("i")); n != 1000 || !ok {
		t.Errorf("Int = %d %v", n, ok)
	}
	if n, ok := w.Int(v["f"], Key("f")); n != 1000 || !ok {
		t.Errorf("Int(1e3) = %d %v", n, ok)
	}
	if _, ok := w.Int(v["n"], Key("n")); ok {
		t.Error("Int(null) is set")
	}
	if f, ok := w.Number(v["f"], Key("f")); f != 1000 || !ok {
		t.Errorf("Number = %g %v", f, ok)
	}
	if !w.Bool(v["b"], Key("b"), false) || !w.Bool(v["n"], Key("n"), true) {
		t.Error("Bool")
	}
	if got := w.Strings(v["l"], Key("l")); !reflect.DeepEqual(got, []string{"a", "2"}) {
		t.Errorf("Strings = %q", got)
	}
	if len(w.Errs) != 0 {
		t.Fatalf("errors on good values: %v", errors.Join(w.Errs...))
	}
	w.Text(v["m"], Key("m"))
	w.Int(v["s"], Under("p", "s"))
	w.Bool(v["s"], Key("s"), false)
	w.Number(v["l"], Key("l"))
	w.Strings(v["m"], Key("m"))
	w.Ints(v["bad"], Key("bad"))
	w.Mapping(v["s"], Key("s"))
	want := []string{
		`f.yaml:8: thing "e": m: expected a string, got a mapping`,
		`f.yaml:2: thing "e": p.s: expected integer, got "text"`,
		`f.yaml:2: thing "e": s: expected true or false, got "text"`,
		`f.yaml:7: thing "e": l: expected a number, got a list`,
		`f.yaml:8: thing "e": m: expected a list, got a mapping`,
		`f.yaml:9: thing "e": bad[0]: expected integer, got "x"`,
		`f.yaml:2: thing "e": s: expected a mapping, got "text"`,
	}
	for i, e := range w.Errs {
		if i >= len(want) || e.Error() != want[i] || !errors.Is(e, moniker.ErrInvalid) {
			t.Errorf("error %d = %v", i, e)
		}
	}
	if len(w.Errs) != len(want) {
		t.Errorf("%d errors, want %d", len(w.Errs), len(want))
	}
}

// TestValueBudget: an alias bomb stops at the budget with one error.
func TestValueBudget(t *testing.T) {
	src := "a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
	root := parse(t, src)
	w := &Walker{File: "f.yaml", Budget: 5000}
	w.Value(root, Path{}, 0)
	if len(w.Errs) != 1 || !strings.Contains(w.Errs[0].Error(), "document too large after alias expansion") {
		t.Errorf("errors: %v", errors.Join(w.Errs...))
	}
}

func TestTopMapping(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"# only a comment\n", ""},
		{"~\n", ""},
		{"- a\n", "f.yaml:1: top level must be a mapping of things, got a list"},
		{"a: 1\n---\nb: 2\n", "f.yaml:2: more than one YAML document in the file"},
		{"a: [\n", "f.yaml:1: invalid YAML: did not find expected node content"},
		{"a:\n  b: 1\n c: 2\n", "f.yaml:2: invalid YAML: did not find expected key"},
	} {
		root, err := TopMapping("f.yaml", []byte(tc.in), "things")
		switch {
		case tc.want == "" && (err != nil || root != nil):
			t.Errorf("%q: %v %v, want nothing", tc.in, root, err)
		case tc.want != "" && (err == nil || err.Error() != tc.want || !errors.Is(err, moniker.ErrInvalid)):
			t.Errorf("%q: %v, want %q", tc.in, err, tc.want)
		}
	}
}

func TestLoadError(t *testing.T) {
	tests := []struct {
		e    LoadError
		want string
	}{
		{LoadError{File: "c.yaml", Line: 3, Noun: "node", Entry: "risk.cvar", Key: "access_policy.min_filters", Message: "m"}, `c.yaml:3: node "risk.cvar": access_policy.min_filters: m`},
		{LoadError{File: "c.yaml", Message: "m"}, "c.yaml: m"},
		{LoadError{Key: "server.port", Message: "m"}, "server.port: m"},
		{LoadError{File: "m.yaml", Line: 1, Noun: "model", Entry: "a", Message: "m"}, `m.yaml:1: model "a": m`},
	}
	for _, tt := range tests {
		if got := tt.e.Error(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.e, got, tt.want)
		}
	}
	joined := errors.Join(&LoadError{Message: "a"}, errors.New("other"), errors.Join(&LoadError{Message: "b"}))
	if les := AsLoadErrors(joined); len(les) != 2 || les[0].Message != "a" || les[1].Message != "b" {
		t.Errorf("AsLoadErrors = %v", les)
	}
}
