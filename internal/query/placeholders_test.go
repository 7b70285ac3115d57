package query

import (
	"strings"
	"testing"
)

// TestPlaceholderTable: every row of the table is one placeholder Compile
// renders, with a description and an example that uses a placeholder, and
// every simple placeholder kind has a row.
func TestPlaceholderTable(t *testing.T) {
	inst := strings.NewReplacer("[N]", "[0]", ":COL", ":col")
	seen := map[kind]bool{}
	for _, p := range Placeholders() {
		tmpl := Compile(inst.Replace(p.Name))
		if len(tmpl.Unknown()) > 0 || len(tmpl.Placeholders()) != 1 || len(tmpl.parts) != 1 {
			t.Errorf("%s is not a placeholder Compile knows", p.Name)
			continue
		}
		seen[tmpl.parts[0].kind] = true
		if p.Description == "" || len(Compile(inst.Replace(p.Example)).Placeholders()) == 0 {
			t.Errorf("%s: no description, or an example without a placeholder", p.Name)
		}
	}
	for k := kSegment; k <= kDateSQL; k++ {
		if !seen[k] {
			t.Errorf("placeholder kind %d has no row in the table", k)
		}
	}
}
