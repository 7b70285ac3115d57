package catalog

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// checkSplitAgreement checks that the loader and the keyed save see the
// same top-level entries in data. When data loads as a catalog with at
// least one node:
//   - the loader split the file (its nodes have spans) exactly when
//     yamlfile.SplitKeyed and Keyed.Check accept it;
//   - then, for every node, the loader's spans (shadowed duplicates first)
//     are the keyed entries whose key trims to the node's path, in file
//     order, at the same lines and byte offsets.
//
// It returns whether the loader split the file, and "" or what differs.
func checkSplitAgreement(data []byte) (split bool, diff string) {
	c, _, err := LoadBytes("c.yaml", data)
	if err != nil || c.Len() == 0 {
		return false, ""
	}
	split = c.Spans(c.Nodes()[0].Path) != nil
	for _, n := range c.Nodes() {
		if (c.Spans(n.Path) != nil) != split {
			return split, fmt.Sprintf("the loader has spans for some nodes only (%q: %v)", n.Path, c.Spans(n.Path))
		}
	}
	k, err := yamlfile.SplitKeyed(data)
	if err == nil {
		err = k.Check()
	}
	if split != (err == nil) {
		return split, fmt.Sprintf("loader split the file: %v; keyed split error: %v", split, err)
	}
	if !split {
		return false, ""
	}
	byPath := map[string][]yamlfile.Entry{}
	for _, e := range k.Entries {
		p := strings.Trim(e.Key, "/")
		byPath[p] = append(byPath[p], e)
	}
	if len(byPath) != c.Len() {
		return true, fmt.Sprintf("keyed split has %d distinct paths, the loader %d nodes", len(byPath), c.Len())
	}
	for _, n := range c.Nodes() {
		spans, ents := c.Spans(n.Path), byPath[n.Path]
		if len(spans) != len(ents) {
			return true, fmt.Sprintf("%q: loader spans %+v, keyed entries %+v", n.Path, spans, ents)
		}
		for i, sp := range spans {
			e := ents[i]
			if sp.Line != e.Line || sp.Start != int64(e.Start) || sp.End != int64(e.End) {
				return true, fmt.Sprintf("%q entry %d: loader line %d [%d,%d), keyed line %d [%d,%d) %q",
					n.Path, i, sp.Line, sp.Start, sp.End, e.Line, e.Start, e.End, e.Text)
			}
		}
	}
	return true, ""
}

// TestSplitAgreesWithLoader: on inputs that are hard to cut into entries,
// the loader and the keyed save agree on every entry, or both refuse to
// split (the loader then parses the file whole, and the keyed save cannot
// edit it in place).
func TestSplitAgreesWithLoader(t *testing.T) {
	tests := []struct {
		name  string
		data  string
		split bool // whether the file splits into entries
	}{
		{"plain", "a:\n  domain: d\nb:\n  description: x\n", true},
		{"comments between entries", "# head\n\na:\n  domain: d\n# about b\n\nb:\n  description: x\n# tail\n", true},
		{"indented comments", "  # before the first key\na:\n  domain: d\n  # the last line of a\n# about b\nb:\n  # first line of b\n  description: x\n", true},
		{"leading document marker", "---\na:\n  domain: d\n", true},
		{"document marker with comment", "--- # the catalog\na:\n  domain: d\n", true},
		{"document marker after comments", "# c\n---\na: {}\n", true},
		{"flow mapping values", "a: {domain: d}\nb: {tags: [1, 2]}\n", true},
		{"block scalar that looks like keys", "a:\n  description: |\n    b: not a key\n    # not a comment\n    ---\n\n    - nor a list\nc:\n  domain: d\n", true},
		{"folded scalar with trailing blank lines", "a:\n  description: >+\n    text\n\n\nb:\n  domain: d\n", true},
		{"quoted keys", "'c/d':\n  domain: d\n\"e f\":\n  description: x\n\"g\\\"h\" :\n  domain: e\n'it''s': {}\n", true},
		{"keys with odd plain characters", "a b:\n  domain: d\na:b: {}\n-x: {}\n.x: {}\n\"null\": {}\n", true},
		{"tab after the colon", "a:\t{domain: d}\nb:\n  description: x\n", true},
		{"duplicate keys", "a:\n  domain: d\nb:\n  description: x\na:\n  domain: e\n", true},
		{"keys trimmed of slashes", "/a/:\n  domain: d\na:\n  domain: e\nb/:\n  description: x\n", true},
		{"CRLF", "a:\r\n  domain: d\r\n\r\n# c\r\nb:\r\n  description: x\r\n", true},
		{"BOM", "\ufeffa:\n  domain: d\nb:\n  description: x\n", true},
		{"BOM and marker", "\ufeff---\na:\n  domain: d\n", true},
		{"no final line break", "a:\n  domain: d\nb:\n  description: x", true},
		{"indentless sequences", "a:\n  tags:\n  - x\n  - y\nb:\n  tags: []\n", true},
		{"tabs in block scalar", "a:\n  description: |\n    x\n    \ty\nb: {}\n", true},
		{"multi-line plain scalar", "a:\n  description: one\n    two\nb: {}\n", true},
		{"quoted scalar over lines", "a:\n  description: 'one\n    two'\nb: {}\n", true},

		// Column-0 text the line splitter cannot place, or entries that
		// do not parse on their own: both refuse to split.
		{"quoted scalar continued at column 0", "a: {description: \"one\ntwo: x\"}\nb: {}\n", false},
		{"flow mapping continued at column 0", "a: {domain: d,\ndescription: x}\nb: {}\n", false},
		{"anchor used in another entry", "a: &base\n  domain: d\nb: *base\n", false},
		{"merge key at the top", "<<: {x: {}}\nb: {}\n", false},
		{"directive", "%YAML 1.1\n---\na: {}\n", false},
		{"document end marker", "a: {}\n...\n", false},
		{"flow mapping at the top", "{a: {}, b: {}}\n", false},
		{"anchored key", "&k a: {}\nb: {}\n", false},
		{"tagged key", "!!str a: {}\n", false},
		{"complex key", "? a\n: {}\n", false},
		{"indented first key", "  a: {}\n  b: {}\n", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := LoadBytes("c.yaml", []byte(tt.data)); err != nil {
				t.Fatalf("the input must load: %v", err)
			}
			split, diff := checkSplitAgreement([]byte(tt.data))
			if diff != "" {
				t.Fatal(diff)
			}
			if split != tt.split {
				t.Errorf("split = %v, want %v", split, tt.split)
			}
		})
	}
}

// TestSplitAgreesOnFixtures: the same on every catalog file the tests use.
func TestSplitAgreesOnFixtures(t *testing.T) {
	check := func(t *testing.T, p string) bool {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		split, diff := checkSplitAgreement(data)
		if diff != "" {
			t.Errorf("%s: %s", p, diff)
		}
		return split
	}
	fixtures.ForEach(t, "catalog.yaml", "sample_catalog.yaml", func(t *testing.T, p string) {
		if !check(t, p) {
			t.Errorf("%s does not split into entries", p)
		}
	})
	good, _ := filepath.Glob("testdata/good/*.yaml")
	for _, p := range good {
		t.Run(filepath.Base(p), func(t *testing.T) { check(t, p) })
	}
}

// FuzzSplitAgreement: whatever the input, when it loads, the loader and
// the keyed save see the same entries (or both refuse to split it).
func FuzzSplitAgreement(f *testing.F) {
	for _, s := range []string{
		"a:\n  x: 1\nb:\n  y: 2\n",
		"# c\n---\na:\n  d: |\n    k: v\n  # x\nb: {}\n",
		"\ufeff'a b':\r\n  x: 1\r\na:\n  - 1\n",
		"a: {d: \"x\ny: 1\"}\n",
		"a: &x {}\nb: *x\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if _, diff := checkSplitAgreement(data); diff != "" {
			t.Fatalf("%s\ninput %q", diff, data)
		}
	})
}
