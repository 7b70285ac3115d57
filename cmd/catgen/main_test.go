package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/moniker-svc/moniker/internal/catalog"
)

func TestRun(t *testing.T) {
	out := filepath.Join(t.TempDir(), "cat.yaml")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"-nodes", "500", "-seed", "3", "-out", out}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v (%s)", err, stderr.String())
	}
	c, warns, err := catalog.Load(out)
	if err != nil || len(warns) != 0 || c.Len() != 500 {
		t.Fatalf("generated catalog: %v, %v, %d nodes", err, warns, c.Len())
	}
	if err := run(context.Background(), []string{"-nodes", "500", "-seed", "3", "-out", "-"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(file, stdout.Bytes()) {
		t.Error("same seed, different output")
	}
	if err := run(context.Background(), []string{"-nodes", "5"}, &stdout, &stderr); err == nil {
		t.Error("missing -out accepted")
	}
}
