package yamlfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/moniker"
)

const sample = `# Catalog
# header comment

a:
  x: 1
  # inner comment
  y: |
    text

    more
# about b
b: {z: 2}
'c/d':
  q: "x"
a:
  dup: true
`

func TestSplitKeyed(t *testing.T) {
	k, err := SplitKeyed([]byte(sample))
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range k.Entries {
		keys = append(keys, e.Key)
	}
	if strings.Join(keys, ",") != "a,b,c/d,a" {
		t.Fatalf("keys %v", keys)
	}
	if got, _ := k.Get("a"); string(got) != "a:\n  dup: true\n" {
		t.Errorf("live a = %q", got)
	}
	if string(k.Entries[0].Text) != "a:\n  x: 1\n  # inner comment\n  y: |\n    text\n\n    more\n" {
		t.Errorf("first a = %q", k.Entries[0].Text)
	}
	if got, _ := k.Get("c/d"); string(got) != "'c/d':\n  q: \"x\"\n" {
		t.Errorf("c/d = %q", got)
	}
	// Unchanged apply is byte-identical.
	if out := k.Apply(nil); string(out) != sample {
		t.Errorf("identity apply changed the file:\n%s", out)
	}
}

func TestSplitKeyedRejects(t *testing.T) {
	for _, in := range []string{"{a: 1}\n", "- a\n", "  a: 1\n", "? a\n: 1\n", "a: 1\n---\nb: 2\n", "&x a: 1\n"} {
		if _, err := SplitKeyed([]byte(in)); !errors.Is(err, ErrNotSplittable) {
			t.Errorf("%q: err = %v", in, err)
		}
	}
}

// TestCheck: a file the line splitter cuts where the YAML does not end,
// or whose entries share anchors, splits but fails Check.
func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		in string
		ok bool
	}{
		{sample, true},
		{"a: 1\n\"b c\" : {x: [1]}\n", true},
		{"a: {d: \"x\nb: 1\"}\n", false},
		{"a: [1,\nb: 2]\n", false},
		{"a: &x 1\nb: *x\n", false},
	} {
		k, err := SplitKeyed([]byte(tc.in))
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if err := k.Check(); (err == nil) != tc.ok || err != nil && !errors.Is(err, ErrNotSplittable) {
			t.Errorf("%q: Check = %v, want ok %v", tc.in, err, tc.ok)
		}
	}
}

func TestApply(t *testing.T) {
	k, _ := SplitKeyed([]byte(sample))
	bBase, _ := k.Get("b")
	out := string(k.Apply([]Change{
		{Key: "b", Text: []byte("b:\n  z: 3\n"), Base: bBase},
		{Key: "a"}, // delete: every duplicate goes
		{Key: "new", Text: []byte("new:\n  n: 1\n")},
	}))
	want := "# Catalog\n# header comment\n\n# about b\nb:\n  z: 3\n'c/d':\n  q: \"x\"\nnew:\n  n: 1\n"
	if out != want {
		t.Errorf("got:\n%s\nwant:\n%s", out, want)
	}
}

func TestSaveKeyedConflicts(t *testing.T) {
	p := filepath.Join(t.TempDir(), "catalog.yaml")
	os.WriteFile(p, []byte(sample), 0o644)
	k, _ := SplitKeyed([]byte(sample))
	bBase, _ := k.Get("b")
	ctx := context.Background()

	// Writer 1 changes b; writer 2, which read the same b, is refused.
	if _, err := SaveKeyed(ctx, p, []Change{{Key: "b", Text: []byte("b: 1\n"), Base: bBase}}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	_, err := SaveKeyed(ctx, p, []Change{{Key: "b", Text: []byte("b: 2\n"), Base: bBase}, {Key: "e", Text: []byte("e: 1\n")}}, SaveOptions{})
	var ce *moniker.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, moniker.ErrConflict) || strings.Join(ce.Paths, ",") != "b" {
		t.Fatalf("err = %v", err)
	}
	// Creating a key that someone else created meanwhile conflicts too.
	if _, err := SaveKeyed(ctx, p, []Change{{Key: "f", Text: []byte("f: 1\n")}}, SaveOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := SaveKeyed(ctx, p, []Change{{Key: "f", Text: []byte("f: 2\n")}}, SaveOptions{}); !errors.As(err, &ce) {
		t.Fatalf("create/create: %v", err)
	}
	// A validator veto writes nothing.
	before, _ := os.ReadFile(p)
	_, err = SaveKeyed(ctx, p, []Change{{Key: "g", Text: []byte("g: 1\n")}}, SaveOptions{Validate: func([]byte) error { return errors.New("no") }})
	after, _ := os.ReadFile(p)
	if err == nil || string(before) != string(after) {
		t.Errorf("validator veto: err %v, file changed %v", err, string(before) != string(after))
	}
}

// TestSaveKeyedConcurrentWritersLoseNothing: writers changing different
// keys, each from its own stale read, all land.
func TestSaveKeyedConcurrentWritersLoseNothing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "catalog.yaml")
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				key := string(rune('a'+w)) + string(rune('a'+i))
				if _, err := SaveKeyed(context.Background(), p, []Change{{Key: key, Text: []byte(key + ": 1\n")}}, SaveOptions{Header: []byte("# h\n")}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	data, _ := os.ReadFile(p)
	k, err := SplitKeyed(data)
	if err != nil || len(k.Entries) != 80 || !strings.HasPrefix(string(data), "# h\n") {
		t.Fatalf("%d entries, err %v:\n%s", len(k.Entries), err, data)
	}
}

// TestPlainKeysMatchYAML: the fast path gives the key node's value, as the
// loaders read it.
func TestPlainKeysMatchYAML(t *testing.T) {
	for _, k := range []string{"a", "prices.equity/AAPL", "fixed_income/govies", "x-y", "007", "1e3", "yes", "true", "a@b", "null", "~", "-a"} {
		got, err := topKey([]byte(k + ":"))
		var doc yaml.Node
		werr := yaml.Unmarshal([]byte(k+": 1"), &doc)
		if err != nil || werr != nil || got != doc.Content[0].Content[0].Value {
			t.Errorf("%q: fast %q (%v), yaml %+v (%v)", k, got, err, doc.Content[0].Content[0], werr)
		}
	}
}

func BenchmarkSplitKeyed(b *testing.B) {
	var buf strings.Builder
	for i := 0; i < 10000; i++ {
		fmt.Fprintf(&buf, "prices.equity/N%d:\n  display_name: N\n  description: d\n", i)
	}
	data := []byte(buf.String())
	b.SetBytes(int64(len(data)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := SplitKeyed(data); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzKeyedApply: splitting and merging keep every byte they do not
// change. For any input that splits: applying nothing, or an entry's own
// text, gives the file back; replacing or deleting one entry changes
// exactly its bytes; a new entry is appended; and the result splits into
// the same entries around the change.
func FuzzKeyedApply(f *testing.F) {
	f.Add([]byte(sample))
	f.Add([]byte("\ufeff---\na:\r\n  x: 1\r\n# c\r\n'b c':\n- 1\n  # t\n\nd: 2"))
	f.Add([]byte("a: |\n  b: 1\n  # c\n\n# d\ne:\n\tf\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := SplitKeyed(data)
		if err != nil {
			return
		}
		if out := k.Apply(nil); !bytes.Equal(out, data) {
			t.Fatalf("Apply(nil) changed the file:\n%q\n%q", data, out)
		}
		count := map[string]int{}
		for _, e := range k.Entries {
			count[e.Key]++
		}
		for i, e := range k.Entries {
			if !bytes.Equal(e.Text, data[e.Start:e.End]) || e.Start >= e.End {
				t.Fatalf("entry %d: text %q is not data[%d:%d]", i, e.Text, e.Start, e.End)
			}
			if count[e.Key] > 1 {
				continue // a change replaces the live entry and drops the others
			}
			if out := k.Apply([]Change{{Key: e.Key, Text: e.Text}}); !bytes.Equal(out, data) {
				t.Fatalf("entry %q replaced by its own text changed the file:\n%q\n%q", e.Key, data, out)
			}
			text := []byte(fmt.Sprintf("k%d: {}\n", i))
			want := slices.Concat(data[:e.Start], text, data[e.End:])
			if out := k.Apply([]Change{{Key: e.Key, Text: text}}); !bytes.Equal(out, want) {
				t.Fatalf("replacing %q:\n got %q\nwant %q", e.Key, out, want)
			}
			k2, err := SplitKeyed(want)
			if err != nil || len(k2.Entries) != len(k.Entries) {
				t.Fatalf("after replacing %q: %v, %d entries", e.Key, err, len(k2.Entries))
			}
			for j := range k.Entries {
				if j != i && !bytes.Equal(k2.Entries[j].Text, k.Entries[j].Text) {
					t.Fatalf("replacing %q changed entry %d: %q -> %q", e.Key, j, k.Entries[j].Text, k2.Entries[j].Text)
				}
			}
			want = slices.Concat(data[:e.Start], data[e.End:])
			if out := k.Apply([]Change{{Key: e.Key}}); !bytes.Equal(out, want) {
				t.Fatalf("deleting %q:\n got %q\nwant %q", e.Key, out, want)
			}
		}
		if count["zz_new"] == 0 {
			want := slices.Clone(data)
			if len(want) > 0 && want[len(want)-1] != '\n' {
				want = append(want, '\n')
			}
			want = append(want, "zz_new: 1\n"...)
			out := k.Apply([]Change{{Key: "zz_new", Text: []byte("zz_new: 1\n")}})
			if !bytes.Equal(out, want) {
				t.Fatalf("adding:\n got %q\nwant %q", out, want)
			}
			if k2, err := SplitKeyed(out); err != nil || len(k2.Entries) != len(k.Entries)+1 {
				t.Fatalf("after adding: %v", err)
			}
		}
	})
}
