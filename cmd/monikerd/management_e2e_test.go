package main

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/fixtures"
)

// planeConfig is fixtureConfig plus the models and requests files (our
// test models; requests start empty) and a short reload interval.
func planeConfig(t *testing.T, interval string, watch bool) string {
	t.Helper()
	extra := "models:\n  definition_file: models.yaml\nrequests:\n  definition_file: requests.yaml\n"
	cfg := fixtureConfig(t, extra)
	fixtures.Copy(t, "models.yaml", filepath.Dir(cfg), "models.yaml")
	s := strings.Replace(mustRead(t, cfg), "reload_interval_seconds: 0", fmt.Sprintf("reload_interval_seconds: %s\n  watch: %v", interval, watch), 1)
	if err := os.WriteFile(cfg, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return cfg
}

func editNode(t *testing.T, mgmt, path, body string) response {
	t.Helper()
	return do(t, "PUT", mgmt+"/config/nodes/"+path, body)
}

// TestPlanVerification runs the process-split plan's verification steps
// 1, 2, 3 and 6 against separate servers (each run on its own) on one folder.
func TestPlanVerification(t *testing.T) {
	cfg := planeConfig(t, "0.3", false)
	resolver := start(t, "-target=resolver", "-config.file="+cfg)
	mgmt := start(t, "-target=management", "-config.file="+cfg)

	// Step 1: resolver health, a resolve, no config UI.
	if r := get(t, resolver+"/health"); r.status != 200 {
		t.Fatalf("resolver /health: %d", r.status)
	}
	if r := get(t, resolver+"/resolve/prices.equity/AAPL@20260115"); r.status != 200 {
		t.Fatalf("resolver /resolve: %d %s", r.status, r.body)
	}
	if r := get(t, resolver+"/config/ui"); r.status != 404 || r.json(t)["code"] == nil {
		t.Errorf("resolver /config/ui: %d %s", r.status, r.body)
	}

	// Step 2: management serves the config UI, not /resolve.
	r := get(t, mgmt+"/config/ui")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/html") || !strings.Contains(string(r.body), "<html") {
		t.Errorf("management /config/ui: %d %s %.80s", r.status, r.header.Get("Content-Type"), r.body)
	}
	if r := get(t, mgmt+"/resolve/prices.equity/AAPL"); r.status != 404 || r.json(t)["code"] == nil {
		t.Errorf("management /resolve: %d %s", r.status, r.body)
	}
	h := get(t, mgmt+"/health").json(t)
	comps := fmt.Sprint(h["components"])
	for _, c := range []string{"catalog_editor", "model_registry", "request_workflow"} {
		if !strings.Contains(comps, c) {
			t.Errorf("management components %s lack %s", comps, c)
		}
	}
	for _, c := range []string{"resolve_cache", "resolver_api", "reloader"} {
		if strings.Contains(comps, c) {
			t.Errorf("management built the resolver's %s", c)
		}
	}
	if rc := fmt.Sprint(get(t, resolver+"/health").json(t)["components"]); strings.Contains(rc, "catalog_editor") || strings.Contains(rc, "request_workflow") {
		t.Errorf("resolver built management components: %s", rc)
	}

	// Step 3: an edit saved on management reaches the resolver within the
	// reload interval.
	r = editNode(t, mgmt, "prices.equity", `{"display_name":"Equity Prices v2","description":"edited through management"}`)
	if r.status != 200 {
		t.Fatalf("PUT /config/nodes/prices.equity: %d %s", r.status, r.body)
	}
	if r := do(t, "POST", mgmt+"/config/save", ""); r.status != 200 {
		t.Fatalf("POST /config/save: %d %s", r.status, r.body)
	}
	took := eventually(t, 10*time.Second, "the resolver to see the edit", func() bool {
		d := get(t, resolver+"/describe/prices.equity").json(t)
		return d["display_name"] == "Equity Prices v2"
	})
	t.Logf("edit visible on the resolver after %v (interval 0.3s)", took)
	// The edit kept every other field of the node (its binding).
	if r := get(t, resolver+"/resolve/prices.equity/AAPL@20260115"); r.status != 200 || !strings.Contains(string(r.body), "ticker = 'AAPL'") {
		t.Errorf("resolve after the edit: %d %s", r.status, r.body)
	}

	// Step 6: the monolith still serves everything.
	all := start(t, "-target=all", "-config.file="+cfg)
	for _, p := range []string{"/health", "/resolve/prices.equity/AAPL", "/config/ui", "/config/nodes/prices.equity", "/domains", "/models", "/requests", "/dashboard/api/stats", "/", "/catalog/stats", "/openapi.json", "/docs"} {
		if r := get(t, all+p); r.status != 200 {
			t.Errorf("all %s: %d %.200s", p, r.status, r.body)
		}
	}
	// In the monolith a save is visible to its own resolver at once, and
	// a status change goes through the store.
	editNode(t, all, "rates", `{"description":"monolith edit"}`)
	if r := do(t, "POST", all+"/config/save", ""); r.status != 200 {
		t.Fatalf("all save: %d %s", r.status, r.body)
	}
	if d := get(t, all+"/describe/rates").json(t); d["description"] != "monolith edit" {
		t.Errorf("monolith did not read its own write: %v", d["description"])
	}
	if r := do(t, "PUT", all+"/catalog/rates/status", `{"status":"deprecated","actor":"gov@firm.com"}`); r.status != 200 {
		t.Fatalf("all status: %d %s", r.status, r.body)
	}
	if d := get(t, all+"/describe/rates").json(t); d["status"] != "deprecated" {
		t.Errorf("monolith status = %v", d["status"])
	}
}

// TestEditReachesResolverByWatch: with the poll interval long, the file
// watch carries a management save to the resolver in about a second.
func TestEditReachesResolverByWatch(t *testing.T) {
	cfg := planeConfig(t, "3600", true)
	resolver := start(t, "-target=resolver", "-config.file="+cfg)
	mgmt := start(t, "-target=management", "-config.file="+cfg)
	editNode(t, mgmt, "rates", `{"description":"watched"}`)
	if r := do(t, "POST", mgmt+"/config/save", ""); r.status != 200 {
		t.Fatalf("save: %d %s", r.status, r.body)
	}
	took := eventually(t, 5*time.Second, "the watch", func() bool {
		return get(t, resolver+"/describe/rates").json(t)["description"] == "watched"
	})
	t.Logf("edit visible via the file watch after %v", took)
}

// TestTwoManagementWriters: two management processes on one folder,
// saving edits to different nodes concurrently, lose nothing; editing the
// same node, the second save gets 409 naming it.
func TestTwoManagementWriters(t *testing.T) {
	cfg := planeConfig(t, "0", false)
	a := start(t, "-target=management", "-config.file="+cfg)
	b := start(t, "-target=management", "-config.file="+cfg)

	paths := map[string][]string{
		a: {"benchmarks", "commodities", "credit.exposures", "flows", "nav"},
		b: {"portfolios", "prices", "rates", "reference", "reports"},
	}
	var wg sync.WaitGroup
	for base, ps := range paths {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for round := 0; round < 4; round++ {
				for _, p := range ps {
					if r := editNode(t, base, p, fmt.Sprintf(`{"description":"%s round %d"}`, p, round)); r.status != 200 {
						t.Errorf("PUT %s: %d %s", p, r.status, r.body)
						return
					}
					if r := do(t, "POST", base+"/config/save", ""); r.status != 200 {
						t.Errorf("save %s: %d %s", p, r.status, r.body)
						return
					}
				}
			}
		}()
	}
	wg.Wait()
	cat, _, err := catalog.Load(filepath.Join(filepath.Dir(cfg), "catalog.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range paths {
		for _, p := range ps {
			if n := cat.Get(p); n == nil || n.Description != p+" round 3" {
				t.Errorf("%s lost its last edit: %+v", p, n)
			}
		}
	}
	if cat.Len() != 62 {
		t.Errorf("catalog has %d nodes after the saves, want 62", cat.Len())
	}

	// Same node: both edit it from the same version; the second save is
	// refused with 409 and the path.
	editNode(t, a, "prices.equity", `{"description":"from a"}`)
	editNode(t, b, "prices.equity", `{"description":"from b"}`)
	if r := do(t, "POST", a+"/config/save", ""); r.status != 200 {
		t.Fatalf("first save: %d %s", r.status, r.body)
	}
	r := do(t, "POST", b+"/config/save", "")
	if r.status != 409 || !strings.Contains(string(r.body), "prices.equity") || r.json(t)["code"] != "conflict" {
		t.Errorf("second save on the same node: %d %s", r.status, r.body)
	}
	cat, _, _ = catalog.Load(filepath.Join(filepath.Dir(cfg), "catalog.yaml"))
	if d := cat.Get("prices.equity").Description; d != "from a" {
		t.Errorf("prices.equity description = %q, want the first writer's", d)
	}
}

// TestKillMidStream: acknowledged writes survive kill -9 and every file
// parses afterwards.
func TestKillMidStream(t *testing.T) {
	cfg := planeConfig(t, "0", false)
	base, cmd := startProc(t, "-target=management", "-config.file="+cfg)
	var acked []string
	stop := time.After(1500 * time.Millisecond)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			path := fmt.Sprintf("prices.equity/K%d", i)
			r := do(t, "POST", base+"/config/nodes", fmt.Sprintf(`{"path":%q,"display_name":"k %d"}`, path, i))
			if r.status != 200 && r.status != 201 {
				t.Errorf("create %s: %d %s", path, r.status, r.body)
				return
			}
			if r := do(t, "POST", base+"/config/save", ""); r.status == 200 {
				acked = append(acked, path)
			}
		}
	}()
	<-done
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if len(acked) == 0 {
		t.Fatal("no write was acknowledged before the kill")
	}
	dir := filepath.Dir(cfg)
	cat, _, err := catalog.Load(filepath.Join(dir, "catalog.yaml"))
	if err != nil {
		t.Fatalf("catalog does not parse after kill -9: %v", err)
	}
	for _, p := range acked {
		if cat.Get(p) == nil {
			t.Errorf("acknowledged write %s lost", p)
		}
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Logf("leftover temp file (harmless, never read): %s", e.Name())
		}
	}
	// Restart: it serves what was acknowledged.
	base2 := start(t, "-target=management", "-config.file="+cfg)
	if r := get(t, base2+"/config/nodes/"+acked[len(acked)-1]); r.status != 200 {
		t.Errorf("after restart %s: %d %s", acked[len(acked)-1], r.status, r.body)
	}
	t.Logf("%d acknowledged writes survived kill -9", len(acked))
}

// TestRequestApprovalReachesResolver: a request approved on management
// becomes a node the resolver resolves; a pending one does not.
func TestRequestApprovalReachesResolver(t *testing.T) {
	cfg := planeConfig(t, "0.3", false)
	resolver := start(t, "-target=resolver", "-config.file="+cfg)
	mgmt := start(t, "-target=management", "-config.file="+cfg)
	body := `{"path":"prices.equity/climate","display_name":"Climate","description":"d","justification":"needed",
	  "requester":{"name":"P","email":"p@firm.com"},"adop":"owner@firm.com",
	  "source_binding_type":"snowflake","source_binding_config":{"database":"X","query":"SELECT 1"},"tags":["climate"]}`
	r := do(t, "POST", mgmt+"/requests", body)
	if r.status != 200 && r.status != 201 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	id, _ := r.json(t)["request_id"].(string)
	if d := get(t, resolver+"/describe/prices.equity/climate").json(t); d["display_name"] != nil {
		t.Fatalf("a pending request leaked into the catalog: %v", d)
	}
	if r := do(t, "POST", mgmt+"/requests/"+id+"/approve", `{"actor":"approver@firm.com","reason":"ok"}`); r.status != 200 {
		t.Fatalf("approve: %d %s", r.status, r.body)
	}
	eventually(t, 10*time.Second, "the approved node on the resolver", func() bool {
		return get(t, resolver+"/describe/prices.equity/climate").json(t)["display_name"] == "Climate"
	})
	v := get(t, resolver+"/resolve/prices.equity/climate").json(t)
	if v["binding_path"] != "prices.equity/climate" || v["query"] != "SELECT 1" || field(t, v, "ownership.adop") != "owner@firm.com" {
		t.Errorf("approved node resolves to %v", v)
	}
	a := get(t, resolver+"/catalog/prices.equity/climate/audit").json(t)
	if n, _ := a["total_entries"].(float64); n < 1 {
		t.Errorf("no audit entry for the approval: %v", a)
	}
}

// TestStatusForwarding: PUT /catalog/{path}/status on a resolver is
// applied by management (durably, for every replica); with management
// down it is a 503 and nothing changes.
func TestStatusForwarding(t *testing.T) {
	cfg := planeConfig(t, "0.3", false)
	m := startServer(t, "-target=management", "-config.file="+cfg)
	mgmt := m.base
	s := mustRead(t, cfg) + "management:\n  url: " + mgmt + "\ndeprecation:\n  enabled: true\n"
	os.WriteFile(cfg, []byte(s), 0o644)
	r1 := start(t, "-target=resolver", "-config.file="+cfg)
	r2 := start(t, "-target=resolver", "-config.file="+cfg)

	r := do(t, "PUT", r1+"/catalog/prices.equity/status", `{"status":"deprecated","actor":"gov@firm.com","deprecation_message":"use v2","successor":"prices.fixed_income"}`)
	if r.status != 200 || r.json(t)["status"] != "deprecated" {
		t.Fatalf("status via resolver: %d %s", r.status, r.body)
	}
	for _, base := range []string{r1, r2} {
		eventually(t, 10*time.Second, "the status on every replica", func() bool {
			return get(t, base+"/describe/prices.equity").json(t)["status"] == "deprecated"
		})
	}
	if a := get(t, r2+"/catalog/prices.equity/audit").json(t); a["total_entries"].(float64) < 1 {
		t.Errorf("audit on the other replica: %v", a)
	}
	if r := do(t, "PUT", r1+"/catalog/prices.equity/status", `{"status":"bogus","actor":"x"}`); r.status != 400 {
		t.Errorf("bad status: %d %s", r.status, r.body)
	}
	if r := do(t, "PUT", r1+"/catalog/no.such/status", `{"status":"active","actor":"x"}`); r.status != 404 {
		t.Errorf("missing node: %d %s", r.status, r.body)
	}

	if err := m.stop(); err != nil {
		t.Fatalf("stopping management: %v", err)
	}
	r = do(t, "PUT", r1+"/catalog/prices.equity/status", `{"status":"active","actor":"gov@firm.com"}`)
	if r.status != http.StatusServiceUnavailable || r.json(t)["code"] != "unavailable" {
		t.Errorf("management down: %d %s", r.status, r.body)
	}
	if get(t, r1+"/describe/prices.equity").json(t)["status"] != "deprecated" {
		t.Error("a failed forward changed the status")
	}
}
