package gen

import (
	"bytes"
	"strings"
	"testing"
)

func TestWrite(t *testing.T) {
	tests := []struct {
		nodes int
		seed  uint64
	}{{0, 1}, {1, 1}, {50, 2}, {5000, 1}}
	for _, tt := range tests {
		var a, b bytes.Buffer
		if err := Write(&a, Options{Nodes: tt.nodes, Seed: tt.seed}); err != nil {
			t.Fatal(err)
		}
		if err := Write(&b, Options{Nodes: tt.nodes, Seed: tt.seed}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(a.Bytes(), b.Bytes()) {
			t.Errorf("%d nodes: not deterministic", tt.nodes)
		}
		keys := 0
		for _, line := range strings.Split(a.String(), "\n") {
			if line != "" && line[0] != ' ' {
				keys++
			}
		}
		if keys != tt.nodes {
			t.Errorf("%d top-level keys, want %d", keys, tt.nodes)
		}
		if tt.nodes == 5000 {
			if per := a.Len() / tt.nodes; per < 450 || per > 750 {
				t.Errorf("%d bytes per node, want about 600", per)
			}
			for _, want := range []string{"{segments[0]}", "{filter[1]:currency}", "{version_date}", "type: oracle",
				"type: rest", "type: static", "status: deprecated", "successor: ", "columns:", "tags:", "access_policy:"} {
				if !strings.Contains(a.String(), want) {
					t.Errorf("output lacks %q", want)
				}
			}
		}
	}
	var c bytes.Buffer
	if err := Write(&c, Options{Nodes: 50, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	var d bytes.Buffer
	_ = Write(&d, Options{Nodes: 50, Seed: 2})
	if bytes.Equal(c.Bytes(), d.Bytes()) {
		t.Error("different seeds, same output")
	}
}
