package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// editCatalog rewrites the catalog beside cfgPath atomically (as the
// management plane does) with fn applied to its text.
func editCatalog(t *testing.T, cfgPath string, fn func(string) string) {
	t.Helper()
	p := filepath.Join(filepath.Dir(cfgPath), "catalog.yaml")
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := yamlfile.WriteFile(p, []byte(fn(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond until it holds or d passes.
func eventually(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("timed out after %v waiting for %s", d, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return time.Since(start)
}

const treasuryFrom = "FROM UST_QUOTES"

func treasuryQuery(t *testing.T, base string) string {
	t.Helper()
	v := get(t, base+"/resolve/fixed_income/govies/treasury/10Y").json(t)
	q, _ := v["query"].(string)
	return q
}

// TestReloadByPoll: with a short interval and no watch, an atomic save of
// the catalog reaches the resolver within the interval.
func TestReloadByPoll(t *testing.T) {
	cfg := fixtureConfig(t, "")
	os.WriteFile(cfg, []byte(strings.Replace(mustRead(t, cfg), "reload_interval_seconds: 0", "reload_interval_seconds: 0.2\n  watch: false", 1)), 0o644)
	base := start(t, "-target=resolver", "-config.file="+cfg)
	if !strings.Contains(treasuryQuery(t, base), treasuryFrom) {
		t.Fatalf("unexpected query %q", treasuryQuery(t, base))
	}
	editCatalog(t, cfg, func(s string) string { return strings.ReplaceAll(s, treasuryFrom, "FROM TREASURY_V2") })
	took := eventually(t, 10*time.Second, "the poll to reload", func() bool { return strings.Contains(treasuryQuery(t, base), "FROM TREASURY_V2") })
	t.Logf("poll reload visible after %v", took)
	h := get(t, base+"/health").json(t)
	if field(t, h, "catalog.last_reload_trigger") != "poll" || field(t, h, "catalog.last_reload_ok") != true {
		t.Errorf("health catalog = %v", h["catalog"])
	}
}

// TestReloadByWatchAndBrokenFile: with the poll effectively off, the file
// watch delivers a save in about a second; a broken file keeps the last
// good catalog serving (and /health says why) until it is fixed.
func TestReloadByWatchAndBrokenFile(t *testing.T) {
	cfg := fixtureConfig(t, "")
	os.WriteFile(cfg, []byte(strings.Replace(mustRead(t, cfg), "reload_interval_seconds: 0", "reload_interval_seconds: 3600", 1)), 0o644)
	base := start(t, "-target=resolver", "-config.file="+cfg)
	version := get(t, base+"/health").json(t)["catalog"].(map[string]any)["version"]

	editCatalog(t, cfg, func(s string) string { return strings.ReplaceAll(s, treasuryFrom, "FROM TREASURY_W") })
	took := eventually(t, 5*time.Second, "the watch to reload", func() bool { return strings.Contains(treasuryQuery(t, base), "FROM TREASURY_W") })
	t.Logf("watch reload visible after %v", took)
	r := get(t, base+"/resolve/fixed_income/govies/treasury/10Y")
	newVersion := r.header.Get("X-Moniker-Catalog-Version")
	if newVersion == version || newVersion == "" {
		t.Errorf("catalog version header %q did not change from %v", newVersion, version)
	}

	// A broken file: the resolver keeps serving the last good catalog.
	editCatalog(t, cfg, func(s string) string { return s + "\nbroken: [unclosed\n" })
	eventually(t, 5*time.Second, "the failed reload to show in /health", func() bool {
		return field(t, get(t, base+"/health").json(t), "catalog.last_reload_ok") == false
	})
	h := get(t, base+"/health").json(t)
	if msg, _ := field(t, h, "catalog.last_reload_error").(string); !strings.Contains(msg, "catalog.yaml") {
		t.Errorf("reload error %q does not name the file", msg)
	}
	if !strings.Contains(treasuryQuery(t, base), "FROM TREASURY_W") {
		t.Error("a broken file replaced the good catalog")
	}
	if m := string(get(t, base+"/metrics").body); !strings.Contains(m, "moniker_catalog_last_reload_ok 0") {
		t.Error("metrics do not show the failed reload")
	}

	// Fixed: it recovers.
	editCatalog(t, cfg, func(s string) string {
		return strings.ReplaceAll(strings.TrimSuffix(s, "\nbroken: [unclosed\n"), "FROM TREASURY_W", "FROM TREASURY_FIXED")
	})
	eventually(t, 5*time.Second, "recovery", func() bool { return strings.Contains(treasuryQuery(t, base), "FROM TREASURY_FIXED") })
	if field(t, get(t, base+"/health").json(t), "catalog.last_reload_ok") != true {
		t.Error("health still reports the failure after recovery")
	}
}

// TestReloadOnDemand: POST /config/reload and SIGHUP reload at once.
func TestReloadOnDemand(t *testing.T) {
	cfg := fixtureConfig(t, "")
	os.WriteFile(cfg, []byte(strings.Replace(mustRead(t, cfg), "reload_interval_seconds: 0", "reload_interval_seconds: 0\n  watch: false", 1)), 0o644)
	base := start(t, "-target=resolver", "-config.file="+cfg)

	editCatalog(t, cfg, func(s string) string { return strings.ReplaceAll(s, treasuryFrom, "FROM TREASURY_HTTP") })
	r := do(t, "POST", base+"/config/reload", "")
	if r.status != 200 || r.json(t)["moniker_count"] != 62.0 || !strings.Contains(treasuryQuery(t, base), "FROM TREASURY_HTTP") {
		t.Fatalf("POST /config/reload: %d %s", r.status, r.body)
	}
	editCatalog(t, cfg, func(s string) string { return s + "\nbroken: [\n" })
	if r := do(t, "POST", base+"/config/reload", ""); r.status != 422 || r.json(t)["code"] != "reload_failed" {
		t.Errorf("broken reload: %d %s", r.status, r.body)
	}
	if !strings.Contains(treasuryQuery(t, base), "FROM TREASURY_HTTP") {
		t.Error("the failed reload replaced the catalog")
	}
}

// TestNoRequestFailsDuringReloads: concurrent requests while the catalog
// is saved and reloaded repeatedly all succeed, each seeing one catalog.
func TestNoRequestFailsDuringReloads(t *testing.T) {
	// The rate limiter is off: this test hammers one route from one caller.
	cfg := fixtureConfig(t, "governance:\n  rate_limiter_enabled: false\n")
	base := start(t, "-target=resolver", "-config.file="+cfg)
	var failures, requests atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				r := get(t, base+"/resolve/fixed_income/govies/treasury/10Y")
				requests.Add(1)
				q, _ := r.json(t)["query"].(string)
				// One catalog or the other, never a mix or an error.
				if r.status != 200 || !(strings.Contains(q, treasuryFrom) || strings.Contains(q, "FROM TREASURY_ALT")) {
					failures.Add(1)
				}
			}
		}()
	}
	for i := 0; i < 20; i++ {
		editCatalog(t, cfg, func(s string) string {
			if strings.Contains(s, treasuryFrom) {
				return strings.ReplaceAll(s, treasuryFrom, "FROM TREASURY_ALT")
			}
			return strings.ReplaceAll(s, "FROM TREASURY_ALT", treasuryFrom)
		})
		if r := do(t, "POST", base+"/config/reload", ""); r.status != 200 {
			t.Errorf("reload %d: %d", i, r.status)
		}
	}
	close(stop)
	wg.Wait()
	if failures.Load() > 0 || requests.Load() == 0 {
		t.Errorf("%d of %d requests failed during reloads", failures.Load(), requests.Load())
	}
	if h := get(t, base+"/health").json(t); field(t, h, "catalog.reloads").(float64) < 20 {
		t.Errorf("reloads = %v", field(t, h, "catalog.reloads"))
	}
}

func mustRead(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReloadOnSIGHUP: with the poll and the watch off, SIGHUP reloads.
func TestReloadOnSIGHUP(t *testing.T) {
	cfg := fixtureConfig(t, "")
	os.WriteFile(cfg, []byte(strings.Replace(mustRead(t, cfg), "reload_interval_seconds: 0", "reload_interval_seconds: 0\n  watch: false", 1)), 0o644)
	base, cmd := startProc(t, "-target=resolver", "-config.file="+cfg)
	editCatalog(t, cfg, func(s string) string { return strings.ReplaceAll(s, treasuryFrom, "FROM TREASURY_HUP") })
	time.Sleep(300 * time.Millisecond) // nothing else may reload it
	if strings.Contains(treasuryQuery(t, base), "FROM TREASURY_HUP") {
		t.Fatal("reloaded without a trigger")
	}
	cmd.Process.Signal(syscall.SIGHUP)
	eventually(t, 5*time.Second, "the SIGHUP reload", func() bool { return strings.Contains(treasuryQuery(t, base), "FROM TREASURY_HUP") })
	if tr := field(t, get(t, base+"/health").json(t), "catalog.last_reload_trigger"); tr != "sighup" {
		t.Errorf("trigger %v", tr)
	}
}
