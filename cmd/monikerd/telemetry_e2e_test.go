package main

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

// TestTelemetryFileSinkEndToEnd: monikerd with the file sink writes one
// access event per request, and the events still queued when it is told
// to stop are flushed before run returns.
func TestTelemetryFileSinkEndToEnd(t *testing.T) {
	cfg := fixtureConfig(t, `telemetry:
  enabled: true
  sink_type: file
  sink_config:
    directory: events
    path_pattern: "access.jsonl"
  batch_size: 1000
  flush_interval_seconds: 3600
`)
	s := startServer(t, "-target=resolver", "-config.file="+cfg)
	base := s.base
	get(t, base+"/resolve/prices.equity/AAPL@20260115") // success
	get(t, base+"/resolve/prices.equity/AAPL@20260115") // success, cached
	get(t, base+"/resolve/prices")                      // not_found
	get(t, base+"/describe/prices.equity")              // describe
	// Nothing is flushed yet (batch 1000, interval 1 h): stopping (what
	// SIGTERM does) must flush.
	if err := s.stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	f, err := os.Open(filepath.Join(filepath.Dir(cfg), "events", "access.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var events []map[string]any
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		var e map[string]any
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			t.Fatalf("bad line %q: %v", sc.Text(), err)
		}
		events = append(events, e)
	}
	if len(events) != 4 {
		t.Fatalf("%d events, want 4: %v", len(events), events)
	}
	want := []struct {
		op, outcome string
		cached      bool
	}{{"read", "success", false}, {"read", "success", true}, {"read", "not_found", false}, {"describe", "success", false}}
	for i, w := range want {
		e := events[i]
		if e["operation"] != w.op || e["outcome"] != w.outcome || e["cached"] != w.cached || e["catalog_version"] == "" {
			t.Errorf("event %d = %v, want %+v", i, e, w)
		}
	}
	if events[0]["owner_at_access"] != "pricing-owners@firm.com" || events[0]["resolved_source_type"] != "snowflake" {
		t.Errorf("first event %v", events[0])
	}
}
