package yamlfile

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"
)

func TestWriteFileReplacesAtomically(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "catalog.yaml")
	if err := WriteFile(p, []byte("a: 1\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(p, []byte("a: 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	data, hash, ok, err := ReadFile(p)
	if err != nil || !ok || string(data) != "a: 2\n" || hash != Hash([]byte("a: 2\n")) {
		t.Fatalf("read %q %s %v %v", data, hash, ok, err)
	}
	st, _ := os.Stat(p)
	if st.Mode().Perm() != 0o640 {
		t.Errorf("mode %v, want the replaced file's 0640", st.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temp files left behind: %v", ents)
	}
}

func TestReadMissingFile(t *testing.T) {
	data, hash, ok, err := ReadFile(filepath.Join(t.TempDir(), "nope.yaml"))
	if err != nil || ok || data != nil || hash != Hash(nil) {
		t.Fatalf("%q %s %v %v", data, hash, ok, err)
	}
}

// TestLockExcludes: while one holder has the lock, another Acquire waits
// until it is released, and gives up when its context ends.
func TestLockExcludes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "catalog.yaml")
	l1, err := Acquire(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := Acquire(ctx, p); err == nil {
		t.Fatal("second Acquire succeeded while the lock was held")
	}
	got := make(chan *Lock)
	go func() {
		l, err := Acquire(context.Background(), p)
		if err != nil {
			t.Error(err)
		}
		got <- l
	}()
	select {
	case <-got:
		t.Fatal("Acquire returned while the lock was held")
	case <-time.After(20 * time.Millisecond):
	}
	if err := l1.Release(); err != nil {
		t.Fatal(err)
	}
	select {
	case l := <-got:
		l.Release()
	case <-time.After(5 * time.Second):
		t.Fatal("Acquire did not get the released lock")
	}
}

// TestLockSerialisesWriters: read-modify-write under the lock loses no
// increments across goroutines (separate file descriptors, as separate
// processes would have).
func TestLockSerialisesWriters(t *testing.T) {
	p := filepath.Join(t.TempDir(), "n")
	if err := WriteFile(p, []byte{0}, 0o644); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				l, err := Acquire(context.Background(), p)
				if err != nil {
					t.Error(err)
					return
				}
				b, _, _, _ := ReadFile(p)
				if err := WriteFile(p, []byte{b[0] + 1}, 0o644); err != nil {
					t.Error(err)
				}
				l.Release()
			}
		}()
	}
	wg.Wait()
	if b, _, _, _ := ReadFile(p); b[0] != 100 {
		t.Errorf("counter = %d, want 100 (lost updates)", b[0])
	}
}
