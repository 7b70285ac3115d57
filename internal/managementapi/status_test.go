package managementapi_test

import (
	"os"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/managementapi"
)

// testConfigStatus covers PUT /config/status/{path}: the change lands in
// the file (durably, not in the working copy), keeps every other field,
// is audited, and each documented error answers.
func testConfigStatus(t *testing.T, cov map[string]bool) {
	e := newCfgEnv(t, cov)
	const doc = "/config/status/{path}"
	r := e.do("PUT", "/config/status/benchmarks.corporate/ig", doc,
		`{"status":"deprecated","actor":"gov@firm.com","deprecation_message":"use v2\nsoon","successor":"benchmarks"}`).want(t, 200, "")
	if r.body["status"] != "deprecated" || r.body["updated_by"] != "gov@firm.com" || r.body["message"] != "Status changed to deprecated" {
		t.Errorf("answer %v", r.body)
	}
	cat, _, err := catalog.Load(e.path)
	if err != nil {
		t.Fatal(err)
	}
	n := cat.Get("benchmarks.corporate/ig")
	if n.Status != "deprecated" || n.DeprecationMessage != "use v2\nsoon" || n.Successor != "benchmarks" ||
		n.Binding == nil || n.Binding.Config["query"] == nil || len(n.Tags) != 2 || n.Extra["updated_at"] == nil {
		t.Errorf("node on disk %+v", n)
	}
	if data, _ := os.ReadFile(e.path); !strings.Contains(string(data), "prices.equity:\n  description: Equity prices") {
		t.Error("another node's text changed")
	}
	entries, _ := audit.ForCatalog(e.path).Entries("benchmarks.corporate/ig", 10)
	if len(entries) == 0 || entries[len(entries)-1].Actor != "gov@firm.com" {
		t.Errorf("audit %+v", entries)
	}
	e.do("PUT", "/config/status/benchmarks", doc, `{"status":"bogus","actor":"x"}`).want(t, 400, "invalid_request")
	e.do("PUT", "/config/status/benchmarks", doc, `{"status":"active"}`).want(t, 400, "invalid_request")
	e.do("PUT", "/config/status/no/such", doc, `{"status":"active","actor":"x"}`).want(t, 404, "not_found")
	e.do("PUT", "/config/status/benchmarks", doc, `{"status":"active","actor":"x","nope":1}`).want(t, 422, "validation_error")

	n503 := newRegEnv(t, func(c *managementapi.Config) { c.Catalog = nil })
	n503.covered = cov
	n503.do("PUT", "/config/status/benchmarks", doc, `{"status":"active","actor":"x"}`).want(t, 503, "not_initialized")
}
