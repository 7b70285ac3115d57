package catalog

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/fixtures"
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
	// Columns are not compared: the decoder does not use them, and the
	// fast parser counts bytes where yaml.v3 counts characters.
	if a.Line != b.Line && b.HeadComment == "" {
		return fmt.Sprintf("%s: fast at line %d, yaml.v3 at line %d", at, a.Line, b.Line)
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

// TestFastParserSampleEntries: every entry of our test catalog and of
// the compat catalogs is in the fast subset and parses as yaml.v3 does.
func TestFastParserSampleEntries(t *testing.T) {
	fixtures.ForEach(t, "catalog.yaml", "sample_catalog.yaml", func(t *testing.T, path string) {
		data, err := os.ReadFile(path)
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
	data, err := os.ReadFile(fixtures.File(f, "catalog.yaml"))
	if err != nil {
		f.Fatal(err)
	}
	for i, e := range entriesOf(f, data) {
		if i%3 == 0 {
			f.Add(bytes.Clone(e))
		}
	}
	f.Fuzz(func(t *testing.T, src []byte) {
		checkFast(t, src)
	})
}

// yamlGen writes random entries in (and around) the fast parser's subset.
type yamlGen struct {
	r *rand.Rand
	b strings.Builder
}

func (g *yamlGen) pick(xs ...string) string { return xs[g.r.IntN(len(xs))] }

func (g *yamlGen) pad(n int) string { return strings.Repeat(" ", n) }

func (g *yamlGen) noise(indent int) {
	switch g.r.IntN(8) {
	case 0:
		g.b.WriteString("\n")
	case 1:
		g.b.WriteString(g.pad(g.r.IntN(indent+3)) + "# note\n")
	case 2:
		g.b.WriteString(g.pad(g.r.IntN(4)) + "\n")
	}
}

func (g *yamlGen) key() string {
	return g.pick("a", "b", "key_1", "b-c", "x y", "k:v", "1", "true", "~", `"q k"`, `'s''k'`, "é", "<<", "-k", "a#b")
}

func (g *yamlGen) quotedBody(double bool, indent int) string {
	var s strings.Builder
	for range g.r.IntN(6) {
		s.WriteString(g.pick("a", "b c", " ", "é", "#", ": ", "'", "x"))
		switch g.r.IntN(10) {
		case 0:
			s.WriteString("\n" + g.pad(indent+1+g.r.IntN(3)))
		case 1:
			s.WriteString("\n\n" + g.pad(indent+1))
		case 2:
			s.WriteString("  \n" + g.pad(indent+2))
		}
		if double {
			s.WriteString(g.pick("", "", `\n`, `\t`, `\u00e9`, `\x41`, `\"`, `\\`, "\\\n"+g.pad(indent+2), `\/`, `\U0001F600`))
		} else if g.r.IntN(4) == 0 {
			s.WriteString("''")
		}
	}
	return s.String()
}

func (g *yamlGen) scalar(indent int) string {
	switch g.r.IntN(7) {
	case 0:
		return `"` + g.quotedBody(true, indent) + `"`
	case 1:
		return `'` + strings.ReplaceAll(g.quotedBody(false, indent), "\\", "") + `'`
	case 2:
		return g.pick("[]", "[a, 'b c', 1]", "[x,]", "{}", "[a, [b]]", "{a: 1}")
	}
	return g.pick("x", "hello world", "1", "0x1F", "-3", "1e7", ".5", "2026-01-28", "yes", "null", "~", "-x",
		"a#b", "a #c", "http://h/p", "é ü", "true", "+1", "0o17", "1_000", ".inf", "a: b", "x:", "&a x", "*a", "!t x", "%x", "@x")
}

func (g *yamlGen) blockScalar(indent int) {
	g.b.WriteString(g.pick("|", ">") + g.pick("", "", "-", "+", "2", "-1", "+2") + g.pick("", "", " # c") + "\n")
	content := indent + 1 + g.r.IntN(3)
	for range 1 + g.r.IntN(4) {
		switch g.r.IntN(6) {
		case 0:
			g.b.WriteString("\n")
		case 1:
			g.b.WriteString(g.pad(content+1+g.r.IntN(2)) + "more indented\n")
		case 2:
			g.b.WriteString(g.pad(content+g.r.IntN(3)) + "\n")
		default:
			g.b.WriteString(g.pad(content) + g.pick("text", "# not a comment", "a: b", "- x") + "\n")
		}
	}
}

// value writes what follows "key:" or "- " (the caller wrote that much).
func (g *yamlGen) value(indent int, depth int) {
	k := g.r.IntN(10)
	if depth > 3 {
		k = 0
	}
	switch k {
	case 0, 1, 2:
		g.b.WriteString(" " + g.scalar(indent) + g.pick("", "", " # c", "  ") + "\n")
	case 3:
		g.b.WriteString(" ")
		g.blockScalar(indent)
	case 4:
		g.b.WriteString(g.pick("", " # c") + "\n")
	case 5, 6:
		g.b.WriteString("\n")
		g.mapping(indent+[]int{1, 2, 2, 4}[g.r.IntN(4)], depth+1)
	default:
		g.b.WriteString("\n")
		g.sequence(indent+[]int{0, 2, 2, 1}[g.r.IntN(4)], depth+1)
	}
}

func (g *yamlGen) mapping(indent, depth int) {
	for range 1 + g.r.IntN(3) {
		g.noise(indent)
		g.b.WriteString(g.pad(indent) + g.key() + ":")
		g.value(indent, depth)
	}
}

func (g *yamlGen) sequence(indent, depth int) {
	for range 1 + g.r.IntN(3) {
		g.noise(indent)
		g.b.WriteString(g.pad(indent) + "-")
		if g.r.IntN(3) == 0 {
			// compact mapping item
			g.b.WriteString(" " + g.key() + ":")
			g.value(indent+2, depth+1)
			if g.r.IntN(2) == 0 {
				g.b.WriteString(g.pad(indent+2) + g.key() + ":")
				g.value(indent+2, depth+1)
			}
			continue
		}
		g.value(indent, depth)
	}
}

func (g *yamlGen) entry() string {
	g.b.Reset()
	g.b.WriteString(g.pick("n", "a.b/c", `"q"`) + ":")
	g.value(0, 0)
	s := g.b.String()
	if g.r.IntN(8) == 0 {
		s = strings.ReplaceAll(s, "\n", "\r\n")
	}
	if g.r.IntN(10) == 0 {
		s = strings.TrimSuffix(s, "\n")
	}
	return s
}

// TestFastParserRandom compares the fast parser with yaml.v3 on random
// structured entries (valid and invalid), beyond what mutation fuzzing
// reaches quickly.
func TestFastParserRandom(t *testing.T) {
	n := 10000
	if testing.Short() {
		n = 2000
	}
	g := &yamlGen{r: rand.New(rand.NewPCG(42, 7))}
	accepted := 0
	for range n {
		if checkFast(t, []byte(g.entry())) {
			accepted++
		}
	}
	// Most generated entries are in the subset; the rest exercise the
	// decline paths.
	if accepted < n/4 {
		t.Errorf("fast parser accepted only %d of %d", accepted, n)
	}
	t.Logf("accepted %d of %d", accepted, n)
}
