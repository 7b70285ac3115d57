package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

func TestAppendAndRead(t *testing.T) {
	l := New(filepath.Join(t.TempDir(), FileName))
	ctx := context.Background()
	if got, err := l.Entries("", 10); err != nil || len(got) != 0 {
		t.Fatalf("missing log: %v %v", got, err)
	}
	for i := 0; i < 5; i++ {
		if err := l.Append(ctx, Entry{Path: "a", Action: "status_changed", Actor: "x", NewValue: fmt.Sprint(i)}); err != nil {
			t.Fatal(err)
		}
	}
	l.Append(ctx, Entry{Path: "b", Action: "node_created"})
	got, err := l.Entries("a", 3)
	if err != nil || len(got) != 3 || got[0].NewValue != "2" || got[2].NewValue != "4" || got[0].Timestamp == "" {
		t.Fatalf("last 3 of a: %+v %v", got, err)
	}
	all, _ := l.Entries("", 0)
	if len(all) != 6 || all[5].Path != "b" {
		t.Errorf("all: %+v", all)
	}
}

func TestTornLineSkipped(t *testing.T) {
	p := filepath.Join(t.TempDir(), FileName)
	os.WriteFile(p, []byte(`{"path":"a","action":"x"}`+"\n"+`{"path":"a","act`), 0o644)
	got, err := New(p).Entries("a", 10)
	if err != nil || len(got) != 1 {
		t.Fatalf("%+v %v", got, err)
	}
}

func TestConcurrentAppendsKeepEveryLine(t *testing.T) {
	p := filepath.Join(t.TempDir(), FileName)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l := New(p) // separate handles, as separate processes
			for i := 0; i < 50; i++ {
				if err := l.Append(context.Background(), Entry{Path: "p", Action: "x"}); err != nil {
					t.Error(err)
				}
			}
		}()
	}
	wg.Wait()
	got, _ := New(p).Entries("p", 0)
	if len(got) != 200 {
		t.Errorf("%d entries, want 200", len(got))
	}
}
