package catalog

import (
	"bytes"
	"fmt"
	"os"
	"testing"

	"go.yaml.in/yaml/v3"
)

// diffNodes describes the first difference between two yaml.Node trees,
// or "" when they are equal in everything the decoder reads.
func diffNodes(a, b *yaml.Node, at string) string {
	if a.Kind != b.Kind || a.ShortTag() != b.ShortTag() || a.Value != b.Value || a.Style != b.Style {
		return fmt.Sprintf("%s: fast {kind %d tag %s style %d %q} yaml.v3 {kind %d tag %s style %d %q}",
			at, a.Kind, a.ShortTag(), a.Style, a.Value, b.Kind, b.ShortTag(), b.Style, b.Value)
	}
	// yaml.v3 places a node that has a head comment at the comment's
	// line; the fast parser uses the node's own line (better messages).
	if (a.Line != b.Line || a.Column != b.Column) && b.HeadComment == "" {
		return fmt.Sprintf("%s: fast at %d:%d, yaml.v3 at %d:%d", at, a.Line, a.Column, b.Line, b.Column)
	}
	if len(a.Content) != len(b.Content) {
		return fmt.Sprintf("%s: fast has %d children, yaml.v3 %d", at, len(a.Content), len(b.Content))
	}
	for i := range a.Content {
		if d := diffNodes(a.Content[i], b.Content[i], fmt.Sprintf("%s/%d", at, i)); d != "" {
			return d
		}
	}
	return ""
}

// checkFast parses src with both parsers. When the fast parser accepts
// src, yaml.v3 must accept it as one key and build the same tree.
func checkFast(t *testing.T, src []byte) (accepted bool) {
	t.Helper()
	var fp fastParser
	kn, vn, ok := fp.parseEntry(src)
	if !ok {
		return false
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		t.Fatalf("fast parser accepted what yaml.v3 rejects (%v):\n%s", err, src)
	}
	if len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode || len(doc.Content[0].Content) != 2 {
		t.Fatalf("fast parser accepted a document that is not one key:\n%s", src)
	}
	root := doc.Content[0]
	if d := diffNodes(kn, root.Content[0], "key"); d != "" {
		t.Fatalf("%s\n%s", d, src)
	}
	if d := diffNodes(vn, root.Content[1], "value"); d != "" {
		t.Fatalf("%s\n%s", d, src)
	}
	return true
}

// entriesOf splits a YAML file into its top-level entries' text.
func entriesOf(t testing.TB, data []byte) [][]byte {
	t.Helper()
	sp := &splitter{r: bufioReader(data)}
	var out [][]byte
	sp.run(func(b *batch) bool {
		for i, e := range b.entries {
			end := len(b.data)
			if i+1 < len(b.entries) {
				end = b.entries[i+1].dataOff
			}
			out = append(out, b.data[e.dataOff:end])
		}
		return true
	})
	if sp.fallback != nil {
		t.Fatalf("splitter fell back: %+v", sp.fallback)
	}
	return out
}

func TestFastParserCompatEntries(t *testing.T) {
	for _, f := range compatCatalogs {
		t.Run(f, func(t *testing.T) {
			data, err := os.ReadFile(compatPath(t, f, "sample_catalog.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			ents := entriesOf(t, data)
			accepted := 0
			for _, e := range ents {
				if checkFast(t, e) {
					accepted++
				}
			}
			// Every entry of the real files is in the fast subset.
			if accepted != len(ents) {
				t.Errorf("fast parser accepted %d of %d entries", accepted, len(ents))
			}
		})
	}
}

func TestFastParserCases(t *testing.T) {
	tests := []struct {
		name   string
		src    string
		accept bool
	}{
		{"plain", "a:\n  b: c\n  d: 1\n", true},
		{"null values", "a:\n  b:\n  c: ~\n  d: # comment\n", true},
		{"indentless seq", "a:\n  b:\n  - x\n  -\n  - y: 1\n    z: 2\n  c: d\n", true},
		{"nested seq", "a:\n  - - x\n    - y\n  - z\n", true},
		{"seq on next line", "a:\n  b:\n    - 1\n    - 2.5\n", true},
		{"double quoted", "a:\n  q: \"x\\ty\\u00e9\\\n    z\"\n", true},
		{"double folded", "a:\n  q: \"one\n    two\n\n    three \"\n", true},
		{"single quoted", "a:\n  q: 'it''s\n\n    ok'\n", true},
		{"quoted key", "a:\n  'k: x': 1\n  \"y\": 2\n", true},
		{"literal", "a:\n  l: |\n    one\n      two\n\n  m: x\n", true},
		{"literal keep", "a:\n  l: |+\n    one\n\n", true},
		{"literal strip", "a:\n  l: |-\n    one\n\n  n: 1\n", true},
		{"folded", "a:\n  f: >\n    one\n    two\n\n     three\n    four\n", true},
		{"folded indent indicator", "a:\n  f: >2-\n     one\n    two\n", true},
		{"block scalar at end", "a:\n  f: |\n    x", true},
		{"crlf", "a:\r\n  b: 'x\r\n    y'\r\n  c: |\r\n    z\r\n", true},
		{"comments", "a: # c\n  # c2\n  b: x # c3\n# c4\n  c: y\n", true},
		{"timestamp and ints", "a:\n  t: 2026-01-28\n  i: 0x1F\n  f: 1e7\n  b: yes\n", true},
		{"colon in plain", "a:\n  url: http://x/y\n  k:v: 1\n", true},
		{"unicode", "a:\n  d: café — ok\n", true},
		{"flow seq", "a:\n  b: [1, 'x y', z w ]\n  c: []\n  d: [a,]\n  e: {}\n", true},
		{"nested flow", "a:\n  b: [1, [2]]\n", false},
		{"flow map", "a:\n  b: {x: 1}\n", false},
		{"multi-line flow", "a:\n  b: [1,\n    2]\n", false},
		{"anchor", "a:\n  b: &x 1\n", false},
		{"alias", "a:\n  b: *x\n", false},
		{"merge", "a:\n  <<: {}\n", false},
		{"tag", "a:\n  b: !foo x\n", false},
		{"multi-line plain", "a:\n  b: one\n    two\n", false},
		{"tab", "a:\n  b:\tx\n", false},
		{"bad indent", "a:\n  b: 1\n    c: 2\n", false},
		{"colon in value", "a:\n  b: c: d\n", false},
		{"unknown escape", "a:\n  b: \"\\/\"\n", false},
		{"unterminated quote", "a:\n  b: 'x\n", false},
		{"complex key", "a:\n  ? b\n  : c\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := checkFast(t, []byte(tt.src)); got != tt.accept {
				t.Errorf("accepted = %v, want %v", got, tt.accept)
			}
		})
	}
}

// FuzzFastParser is a differential test: whatever the fast parser
// accepts, yaml.v3 must parse to the same tree.
func FuzzFastParser(f *testing.F) {
	for _, s := range []string{
		"a:\n  b: c\n", "a:\n  - x\n  - y: 1\n", "a:\n  q: \"x\\\n  y\"\n",
		"a:\n  l: |\n   x\n  m: >-\n    y\n\n    z\n", "a:\n  'k''': \"v\"\n",
		"a:\n  b:\n  - - 1\n    -\n", "a: {}\n",
	} {
		f.Add([]byte(s))
	}
	for _, c := range compatCatalogs {
		data, err := os.ReadFile(compatPath(f, c, "sample_catalog.yaml"))
		if err != nil {
			f.Fatal(err)
		}
		for i, e := range entriesOf(f, data) {
			if i%7 == 0 {
				f.Add(bytes.Clone(e))
			}
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkFast(t, src)
	})
}
