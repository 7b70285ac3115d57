package models_test

import (
	"os"
	"path/filepath"
	"testing"
)

// compatPath returns shared/compat/<version>/<file>: shared/ sits beside
// the module root (the directory holding go.mod). A missing fixture fails
// the test.
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

// copyCompat copies a compat fixture into a temp folder and returns the
// copy's path.
func copyCompat(t testing.TB, version, file string) string {
	t.Helper()
	data, err := os.ReadFile(compatPath(t, version, file))
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "models.yaml")
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func readFile(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
