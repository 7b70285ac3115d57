package demo

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/models"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/requests"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/source"
)

// seeded seeds the demo into a temp folder and returns the folder.
func seeded(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := Seed(dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDemoCatalog checks the demo shows what the service does: every
// source type, deprecated nodes whose successors exist, access policies
// (one refusing an unbounded request), a domain record for every root,
// and the monikers the README quotes.
func TestDemoCatalog(t *testing.T) {
	dir := seeded(t)
	cat, warns, err := catalog.Load(filepath.Join(dir, CatalogFile))
	if err != nil || len(warns) != 0 {
		t.Fatalf("the demo catalog does not load cleanly: %v %v", err, warns)
	}
	doms, err := catalog.LoadDomains(filepath.Join(dir, DomainsFile))
	if err != nil {
		t.Fatal(err)
	}
	types := map[string]bool{}
	var deprecated, policies int
	for _, n := range cat.Nodes() {
		if n.Binding != nil {
			types[n.Binding.Type] = true
		}
		if n.Status == moniker.StatusDeprecated {
			deprecated++
			if n.Successor == "" || cat.Get(n.Successor) == nil || n.DeprecationMessage == "" || n.SunsetDeadline == "" {
				t.Errorf("deprecated %s: successor %q, message %q, sunset %q", n.Path, n.Successor, n.DeprecationMessage, n.SunsetDeadline)
			}
		}
		if n.AccessPolicy != nil {
			policies++
		}
	}
	for _, st := range source.Names() {
		if !types[st] {
			t.Errorf("no demo node is bound to %s", st)
		}
	}
	if deprecated < 2 || policies < 2 {
		t.Errorf("%d deprecated nodes and %d access policies, want at least 2 of each", deprecated, policies)
	}
	for _, r := range cat.Roots() {
		name := r.Domain
		if name == "" {
			name = r.Path
		}
		if doms.Get(name) == nil {
			t.Errorf("root %s has no domain record (%s)", r.Path, name)
		}
	}

	s := resolve.NewSnapshot(cat, doms, resolve.Options{CacheEnabled: true})
	for _, tt := range []struct {
		moniker, sourceType string
	}{
		{"prices.equity/AAPL@20260115", "sqlite"}, // README: the first curl (and /fetch's)
		{"prices.equity/AAPL", "sqlite"},
		{"prices.fixed_income/US912828YK0", "snowflake"},
		{"credit.exposures", "mssql"},
		{"risk.cvar/758-A", "oracle"},
		{"risk.cvar/758-A/USD/ALL", "oracle"},
		{"rates.sofr/ON", "fred"},
		{"rates.libor/USD/3M", "snowflake"},
	} {
		m, err := moniker.Parse(tt.moniker)
		if err != nil {
			t.Fatal(err)
		}
		e, _, err := s.Resolve(&m)
		if err != nil || e.Res.SourceType != tt.sourceType {
			t.Errorf("resolve %s: %v, want a %s binding", tt.moniker, err, tt.sourceType)
		}
	}
	m, _ := moniker.Parse("risk.cvar/ALL/ALL/ALL")
	if _, _, err := s.Resolve(&m); !errors.Is(err, moniker.ErrDenied) {
		t.Errorf("risk.cvar/ALL/ALL/ALL: %v, want the access policy to refuse it", err)
	}
	if got := cat.Search("treasury", "", 10); len(got) < 2 {
		t.Errorf("search treasury found %d nodes, want the bonds and the yields", len(got))
	}
	if len(cat.Children("prices")) < 4 {
		t.Errorf("prices has %d children", len(cat.Children("prices")))
	}
}

// TestDemoModels: every business model's pattern matches a node of the
// demo catalog, so the models page shows matches for each.
func TestDemoModels(t *testing.T) {
	dir := seeded(t)
	cat, _, err := catalog.Load(filepath.Join(dir, CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	reg, err := models.Open(filepath.Join(dir, ModelsFile))
	if err != nil {
		t.Fatal(err)
	}
	if reg.Len() < 10 {
		t.Errorf("%d models", reg.Len())
	}
	for _, m := range reg.List() {
		for _, l := range m.AppearsIn {
			p, err := models.Compile(l.MonikerPattern)
			if err != nil {
				t.Fatalf("%s: %v", m.Path, err)
			}
			if !slices.ContainsFunc(cat.Nodes(), func(n *moniker.Node) bool { return p.Match(n.Path) }) {
				t.Errorf("model %s: pattern %s matches no demo node", m.Path, l.MonikerPattern)
			}
		}
	}
	if got := reg.ForMoniker("risk.cvar/758-A/USD/ALL"); len(got) == 0 {
		t.Error("no model for risk.cvar/758-A/USD/ALL")
	}
}

// TestRequestsFile checks the demo queue is in the registry format
// (reference/upstream-management.md §8.4): nine requests, five pending,
// two approved (their nodes are in the demo catalog), two rejected, each
// under a root of the demo catalog or asking for a new one.
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

	dir := seeded(t)
	cat, _, err := catalog.Load(filepath.Join(dir, CatalogFile))
	if err != nil {
		t.Fatal(err)
	}
	w, err := requests.Open(filepath.Join(dir, RequestsFile), requests.Options{})
	if err != nil {
		t.Fatal(err)
	}
	all, _, err := w.List("")
	if err != nil || len(all) != 9 {
		t.Fatalf("the registry reads %d requests: %v", len(all), err)
	}
	for _, r := range all {
		root, _, _ := strings.Cut(r.Path, "/")
		switch {
		case r.TopLevel():
			if cat.Get(r.Path) != nil {
				t.Errorf("%s asks for a domain the catalog has", r.RequestID)
			}
		case cat.Get(root) == nil:
			t.Errorf("%s: %s is under no root of the demo catalog", r.RequestID, r.Path)
		}
		if r.Status == requests.StatusApproved && cat.Get(r.Path) == nil {
			t.Errorf("%s was approved but %s is not in the demo catalog", r.RequestID, r.Path)
		}
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
	if len(entries) != 5 {
		t.Errorf("data folder holds %d entries, want the 4 files and the database (no temporaries): %v", len(entries), entries)
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
	for _, name := range []string{DomainsFile, ModelsFile, RequestsFile, DatabaseFile} {
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
