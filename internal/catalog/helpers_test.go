package catalog

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// compatCatalogs are the upstream snapshots under shared/compat.
var compatCatalogs = []string{"f206ffd", "head", "6c1a393"}

// compatPath returns shared/compat/<version>/<file>: shared/ sits beside
// the module root (the directory holding go.mod). A missing file fails
// the test: the fixtures are required.
func compatPath(t testing.TB, version, file string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the package directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "compat", version, file)
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("compat fixture missing: %v", err)
	}
	return p
}

func bufioReader(data []byte) *bufio.Reader {
	return bufio.NewReaderSize(bytes.NewReader(data), 1<<16)
}
