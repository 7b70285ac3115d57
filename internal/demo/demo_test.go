package demo

import (
	"bytes"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/fixtures"
)

func TestEmbeddedFilesAreUpstreamSamples(t *testing.T) {
	for name, src := range map[string]string{
		CatalogFile: "sample_catalog.yaml",
		DomainsFile: "sample_domains.yaml",
		ModelsFile:  "sample_models.yaml",
	} {
		want, err := os.ReadFile(fixtures.Compat(t, "f206ffd", src))
		if err != nil {
			t.Fatal(err)
		}
		got, err := fs.ReadFile(Files(), name)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("embedded %s differs from compat/f206ffd/%s", name, src)
		}
	}
}

// TestRequestsFile checks the demo queue is in the registry format
// (reference/upstream-management.md §8.4), derived from upstream's nine
// demo scenarios.
func TestRequestsFile(t *testing.T) {
	data, err := fs.ReadFile(Files(), RequestsFile)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Requests []map[string]any `yaml:"requests"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	known := []string{
		"request_id", "path", "display_name", "description", "justification", "status", "domain_level",
		"created_at", "updated_at", "requester", "adop", "ads", "adal", "adop_name", "ads_name", "adal_name",
		"source_binding_type", "source_binding_config", "tags", "comments", "reviewed_by", "reviewed_at", "rejection_reason",
	}
	byStatus := map[string]int{}
	ids := map[string]bool{}
	for _, r := range doc.Requests {
		for k := range r {
			if !slices.Contains(known, k) {
				t.Errorf("request %v has key %q, not a registry key", r["request_id"], k)
			}
		}
		id, _ := r["request_id"].(string)
		if id == "" || ids[id] {
			t.Errorf("request id %q empty or repeated", id)
		}
		ids[id] = true
		status, _ := r["status"].(string)
		byStatus[status]++
		if reviewed := r["reviewed_by"] != nil; reviewed != (status != "pending_review") {
			t.Errorf("%s: status %s but reviewed_by %v", id, status, r["reviewed_by"])
		}
	}
	want := map[string]int{"pending_review": 5, "approved": 2, "rejected": 2}
	if len(byStatus) != len(want) || byStatus["pending_review"] != 5 || byStatus["approved"] != 2 || byStatus["rejected"] != 2 {
		t.Errorf("requests by status = %v, want %v", byStatus, want)
	}
}

func TestSeed(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nested", "data")
	c, err := Seed(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Validate(); err != nil {
		t.Errorf("seeded config invalid: %v", err)
	}
	getenv := func(string) string { return "" }
	paths := map[string]string{
		CatalogFile:  c.CatalogPath(),
		DomainsFile:  c.DomainsPath(getenv),
		ModelsFile:   c.ModelsPath(getenv),
		RequestsFile: c.RequestsPath(getenv),
	}
	for name, p := range paths {
		if !filepath.IsAbs(p) || p != filepath.Join(dir, name) {
			t.Errorf("path for %s = %q, want absolute %q", name, p, filepath.Join(dir, name))
		}
		got, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		want, _ := fs.ReadFile(Files(), name)
		if !bytes.Equal(got, want) {
			t.Errorf("seeded %s differs from the embedded file", name)
		}
	}
	// Paths win over the environment fallbacks.
	env := func(string) string { return "elsewhere.yaml" }
	if c.DomainsPath(env) != paths[DomainsFile] {
		t.Errorf("DomainsPath ignores the seeded file: %q", c.DomainsPath(env))
	}
	if c.Community.DataDir != filepath.Join(dir, "community_data") {
		t.Errorf("community.data_dir = %q", c.Community.DataDir)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Errorf("data folder holds %d entries, want the 4 files (no temporaries): %v", len(entries), entries)
	}
}

func TestSeedNeverOverwrites(t *testing.T) {
	dir := t.TempDir()
	edited := []byte("prices:\n  display_name: edited by a user\n")
	if err := os.WriteFile(filepath.Join(dir, CatalogFile), edited, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(dir); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(dir, CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, edited) {
		t.Error("Seed overwrote an existing catalog.yaml")
	}
	// The missing files were still written.
	for _, name := range []string{DomainsFile, ModelsFile, RequestsFile} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s not seeded: %v", name, err)
		}
	}
	// A second Seed changes nothing.
	if err := os.Remove(filepath.Join(dir, ModelsFile)); err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(dir); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, CatalogFile)); !bytes.Equal(got, edited) {
		t.Error("second Seed overwrote catalog.yaml")
	}
	if _, err := os.Stat(filepath.Join(dir, ModelsFile)); err != nil {
		t.Errorf("deleted models.yaml not re-seeded: %v", err)
	}
}

func TestSeedErrors(t *testing.T) {
	file := filepath.Join(t.TempDir(), "plain-file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Seed(file); err == nil {
		t.Error("Seed into a path that is a file succeeded")
	}
}

func TestDefaultDir(t *testing.T) {
	cases := []struct {
		env  map[string]string
		want string
	}{
		{map[string]string{"MONIKER_DATA_DIR": "/data/m", "XDG_DATA_HOME": "/xdg", "HOME": "/home/u"}, "/data/m"},
		{map[string]string{"XDG_DATA_HOME": "/xdg", "HOME": "/home/u"}, "/xdg/moniker"},
		{map[string]string{"HOME": "/home/u"}, "/home/u/.local/share/moniker"},
		{map[string]string{}, "moniker-data"},
	}
	for _, tc := range cases {
		if got := DefaultDir(func(k string) string { return tc.env[k] }); got != tc.want {
			t.Errorf("DefaultDir(%v) = %q, want %q", tc.env, got, tc.want)
		}
	}
}
