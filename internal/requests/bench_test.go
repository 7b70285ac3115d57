package requests

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
)

// benchQueue writes a requests file with n requests and opens it.
func benchQueue(b *testing.B, n int) *Workflow {
	b.Helper()
	texts := make([][]byte, n)
	for i := range n {
		r := &Request{RequestID: formatID(i + 1), Path: fmt.Sprintf("top%d", i), Status: StatusPendingReview,
			DomainLevel: DomainTopLevel, CreatedAt: "2026-01-01T00:00:00+00:00", UpdatedAt: "2026-01-01T00:00:00+00:00",
			Requester: Requester{Name: "A", Email: "a@example.com"}, Description: "a description of some length",
			Tags: []string{"a", "b"}, Comments: []Comment{{Timestamp: "2026-01-01T00:00:00+00:00", Author: "x", Content: "c", Action: ActionComment}}}
		t, err := encodeItem(r)
		if err != nil {
			b.Fatal(err)
		}
		texts[i] = t
	}
	path := filepath.Join(b.TempDir(), "requests.yaml")
	if err := os.WriteFile(path, render([]byte("# bench\n"), texts), 0o644); err != nil {
		b.Fatal(err)
	}
	w, _ := open(b, path, nil)
	return w
}

// BenchmarkComment measures one write-through transition (lock, change
// check, splice, verifying parse of the whole file, atomic replace with
// fsync) on a queue of 1000 requests.
func BenchmarkComment(b *testing.B) {
	w := benchQueue(b, 1000)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		if _, err := w.Comment(ctx, "REQ-0500", Note{Author: "x@example.com", Content: fmt.Sprint("c", i)}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkList measures GET /requests's work on a queue of 1000.
func BenchmarkList(b *testing.B) {
	w := benchQueue(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := w.List(""); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpen measures loading a queue of 1000 requests.
func BenchmarkOpen(b *testing.B) {
	w := benchQueue(b, 1000)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Open(w.Path(), Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
