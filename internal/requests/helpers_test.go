package requests

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// testQueue returns our test request queue (registry format): nine
// requests, five pending, two approved, two rejected.
func testQueue(t testing.TB) string {
	return fixtures.File(t, "requests.yaml")
}

// copyTo copies src to a new temp folder and returns the copy's path.
func copyTo(t testing.TB, src, name string) string {
	t.Helper()
	data, err := os.ReadFile(src)
	if err != nil {
		t.Fatal(err)
	}
	dst := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// writeTemp writes data to requests.yaml in a new temp folder.
func writeTemp(t testing.TB, data string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "requests.yaml")
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// fakeCatalog is an in-memory Committer seeded from a catalog file.
type fakeCatalog struct {
	mu      sync.Mutex
	nodes   map[string]*moniker.Node
	commits []catalogedit.NodeChange
	actors  []string
	err     error // returned by Commit when set
}

func newFakeCatalog(t testing.TB) *fakeCatalog {
	t.Helper()
	cat, _, err := catalog.Load(fixtures.File(t, "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeCatalog{nodes: map[string]*moniker.Node{}}
	for _, n := range cat.Nodes() {
		f.nodes[n.Path] = n
	}
	return f
}

func (f *fakeCatalog) Get(path string) (*moniker.Node, string, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, ok := f.nodes[path]
	if !ok {
		return nil, "", false
	}
	return n, "v-" + path, true
}

func (f *fakeCatalog) Commit(_ context.Context, changes []catalogedit.NodeChange, actor string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.err != nil {
		return f.err
	}
	for _, c := range changes {
		if _, ok := f.nodes[c.Path]; ok {
			return moniker.Errorf(moniker.ErrConflict, "node %s exists", c.Path)
		}
	}
	for _, c := range changes {
		f.nodes[c.Path] = c.Node
	}
	f.commits = append(f.commits, changes...)
	f.actors = append(f.actors, actor)
	return nil
}

// clock is a deterministic clock: each call advances one second.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// open opens a Workflow on path with cat (may be nil) and an audit log in
// the same folder.
func open(t testing.TB, path string, cat Committer) (*Workflow, *audit.Log) {
	t.Helper()
	dir := t.TempDir()
	if path != "" {
		dir = filepath.Dir(path)
	}
	log := audit.New(filepath.Join(dir, audit.FileName))
	opts := Options{Audit: log, Now: newClock().Now}
	if cat != nil {
		opts.Catalog = cat
	}
	w, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	return w, log
}

// proposal returns a valid proposal for path.
func proposal(path string) Proposal {
	return Proposal{
		Path:          path,
		DisplayName:   "Climate Stress Scenarios",
		Description:   "Forward-looking climate stress scenarios",
		Justification: "Regulatory submission due next quarter",
		Requester:     Requester{Name: "A. Analyst", Email: "a.analyst@example.com", Team: "Risk", AppID: "stress-engine"},
		ADOP:          "owner@example.com", ADOPName: "Owner Name",
		ADS: "steward-team@example.com", ADSName: "Steward Team",
		SourceBindingType:   "snowflake",
		SourceBindingConfig: map[string]any{"database": "STRESS", "schema": "CLIMATE", "query": "SELECT * FROM t WHERE d = '{segments[0]}'"},
		Tags:                []string{"stress-testing", "climate"},
	}
}
