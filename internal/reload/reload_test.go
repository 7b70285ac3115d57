package reload

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

const catA = "a:\n  display_name: A\n  source_binding:\n    type: snowflake\n    config: {query: 'SELECT 1'}\n"
const catB = catA + "b:\n  display_name: B\n"

func fileBuild(path string) Build {
	return func(ctx context.Context) (*resolve.Snapshot, error) {
		cat, _, err := catalog.Load(path)
		if err != nil {
			return nil, err
		}
		return resolve.NewSnapshot(cat, nil, resolve.Options{}), nil
	}
}

func setup(t *testing.T) (string, *Reloader) {
	t.Helper()
	p := filepath.Join(t.TempDir(), "catalog.yaml")
	if err := yamlfile.WriteFile(p, []byte(catA), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := New(context.Background(), fileBuild(p), Options{Files: func() []string { return []string{p} }})
	if err != nil {
		t.Fatal(err)
	}
	return p, r
}

func TestReloadSwapsAndKeepsGoodSnapshotOnError(t *testing.T) {
	p, r := setup(t)
	ctx := context.Background()
	first := r.Current()
	if first.Catalog().Len() != 1 || !r.Status().OK {
		t.Fatalf("startup: %d nodes, %+v", first.Catalog().Len(), r.Status())
	}
	yamlfile.WriteFile(p, []byte(catB), 0o644)
	if err := r.Reload(ctx, "test"); err != nil {
		t.Fatal(err)
	}
	if r.Current().Catalog().Len() != 2 || r.Status().Version == first.Catalog().Version() {
		t.Fatalf("after reload: %d nodes, %+v", r.Current().Catalog().Len(), r.Status())
	}
	good := r.Current()

	yamlfile.WriteFile(p, []byte("a:\n  display_name: [broken\n"), 0o644)
	if err := r.Reload(ctx, "test"); err == nil {
		t.Fatal("a broken file reloaded")
	}
	st := r.Status()
	if r.Current() != good || st.OK || st.Error == "" || st.Version != good.Catalog().Version() || st.Failures != 1 {
		t.Fatalf("broken file replaced the snapshot or status is wrong: %+v", st)
	}

	yamlfile.WriteFile(p, []byte(catA), 0o644)
	if err := r.Reload(ctx, "test"); err != nil || r.Current().Catalog().Len() != 1 || !r.Status().OK {
		t.Fatalf("recovery: %v %+v", err, r.Status())
	}
}

func TestCheckRefuses(t *testing.T) {
	p := filepath.Join(t.TempDir(), "catalog.yaml")
	yamlfile.WriteFile(p, []byte(catB), 0o644)
	refuse := errors.New("breaking: node b removed")
	r, err := New(context.Background(), fileBuild(p), Options{
		Files: func() []string { return []string{p} },
		Check: func(_ context.Context, old, new *resolve.Snapshot) error {
			if old.Catalog().Get("b") != nil && new.Catalog().Get("b") == nil {
				return refuse
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	yamlfile.WriteFile(p, []byte(catA), 0o644)
	if err := r.Reload(context.Background(), "test"); !errors.Is(err, refuse) || r.Current().Catalog().Len() != 2 {
		t.Fatalf("check did not refuse: %v", err)
	}
}

// waitFor polls cond until it holds or the deadline passes.
func waitFor(t *testing.T, d time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWatchPicksUpAtomicSave(t *testing.T) {
	p, r := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx, time.Hour, true) // the poll never fires: only the watch can see it
	time.Sleep(50 * time.Millisecond)
	for i := 0; i < 3; i++ { // several saves in a row, each by rename
		want := catA
		if i%2 == 0 {
			want = catB
		}
		yamlfile.WriteFile(p, []byte(want), 0o644)
		n := strings.Count(want, "display_name")
		waitFor(t, 5*time.Second, "the watch to reload", func() bool { return r.Current().Catalog().Len() == n })
	}
	if got := r.Status().Trigger; got != "watch" {
		t.Errorf("trigger %q", got)
	}
}

func TestPollPicksUpChange(t *testing.T) {
	p, r := setup(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go r.Run(ctx, 50*time.Millisecond, false)
	yamlfile.WriteFile(p, []byte(catB), 0o644)
	waitFor(t, 5*time.Second, "the poll to reload", func() bool { return r.Current().Catalog().Len() == 2 })
	if got := r.Status().Trigger; got != "poll" {
		t.Errorf("trigger %q", got)
	}
	// An unchanged file is not reloaded again.
	n := r.Status().Reloads
	time.Sleep(200 * time.Millisecond)
	if r.Status().Reloads != n {
		t.Errorf("unchanged file reloaded: %d -> %d", n, r.Status().Reloads)
	}
}

// TestReadersNeverSeeAMix: readers load the snapshot once and see a
// consistent catalog while reloads swap underneath them.
func TestReadersNeverSeeAMix(t *testing.T) {
	p, r := setup(t)
	ctx := context.Background()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				s := r.Current()
				n := s.Catalog().Len()
				if (n == 2) != (s.Catalog().Get("b") != nil) {
					t.Error("a snapshot mixes two catalogs")
					return
				}
			}
		}()
	}
	for i := 0; i < 50; i++ {
		if i%2 == 0 {
			os.WriteFile(p, []byte(catB), 0o644)
		} else {
			os.WriteFile(p, []byte(catA), 0o644)
		}
		r.Reload(ctx, "test")
	}
	close(stop)
	wg.Wait()
}

func TestCompareAndValidatedCheck(t *testing.T) {
	ctx := context.Background()
	mk := func(src string) *resolve.Snapshot {
		cat, _, err := catalog.LoadBytes("c.yaml", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		return resolve.NewSnapshot(cat, nil, resolve.Options{})
	}
	old := mk(catB + "c:\n  source_binding: {type: rest, config: {base_url: 'http://x'}}\n")
	new := mk(catA + "c:\n  source_binding: {type: snowflake, config: {query: 'SELECT 2'}}\nd:\n  successor: nowhere\n")
	d := Compare(old.Catalog(), new.Catalog())
	if strings.Join(d.Removed, ",") != "b" || strings.Join(d.Added, ",") != "d" || strings.Join(d.BindingChanged, ",") != "c" || strings.Join(d.BrokenSuccessors, ",") != "d" {
		t.Fatalf("diff %+v", d)
	}
	log := audit.New(filepath.Join(t.TempDir(), "audit.jsonl"))
	if err := ValidatedCheck(log, false, "reload:test")(ctx, old, new); err != nil {
		t.Fatal(err)
	}
	got, _ := log.Entries("", 0)
	if len(got) != 3 || got[0].Action != "node_removed" || got[0].Path != "b" || got[1].Action != "binding_changed" {
		t.Fatalf("audit %+v", got)
	}
	err := ValidatedCheck(log, true, "reload:test")(ctx, old, new)
	if err == nil || !strings.Contains(err.Error(), "removed b") || !strings.Contains(err.Error(), "changed type rest -> snowflake") {
		t.Fatalf("block: %v", err)
	}
}
