package main

import (
	"database/sql"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/fixtures"
)

// TestPythonClientFetch runs scripts/upstream_client_fetch.py, which calls
// /fetch exactly as the previous service's Python client documents it
// (path, parameters, headers, the data field, the error mapping), against
// monikerd in this process: on the embedded demo with the script's own
// checks, and on a catalog of ours where the test knows the source's rows
// and compares them with the ones the client's fetch() returns.
func TestPythonClientFetch(t *testing.T) {
	python := fixtures.Python3(t)
	script := filepath.Join(fixtures.ModuleRoot(t), "scripts", "upstream_client_fetch.py")
	replay := func(t *testing.T, args ...string) {
		t.Helper()
		cmd := exec.Command(python, append([]string{script}, args...)...)
		cmd.Env = append(os.Environ(), "MONIKER_APP_ID=python-replay", "MONIKER_TEAM=quant")
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s %v: %v\n%s", script, args, err, out)
			return
		}
		if !strings.Contains(string(out), "checks passed") || strings.Contains(string(out), "FAIL") {
			t.Errorf("%s:\n%s", script, out)
		}
		t.Logf("%s", out)
	}

	t.Run("demo", func(t *testing.T) {
		replay(t, start(t))
	})

	t.Run("fixture", func(t *testing.T) {
		dir := t.TempDir()
		db, err := sql.Open("sqlite", filepath.Join(dir, "px.sqlite"))
		if err != nil {
			t.Fatal(err)
		}
		for _, st := range []string{
			`CREATE TABLE px (sym VARCHAR(8), close DECIMAL(12,4), ratio REAL, vol INTEGER, d DATE, ts DATETIME, ok BOOLEAN, note TEXT)`,
			`INSERT INTO px VALUES ('AAPL', 187.25, 0.5, 1000, '2026-01-15', '2026-01-15T14:30:00Z', 1, 'caf' || char(233) || ' "q"')`,
			`INSERT INTO px VALUES ('MSFT', 402.1, -2.25, 9007199254740993, '2026-01-15', '2026-01-15T16:00:00Z', 0, NULL)`,
			`INSERT INTO px VALUES ('NVDA', NULL, NULL, NULL, NULL, NULL, NULL, '')`,
		} {
			if _, err := db.Exec(st); err != nil {
				t.Fatalf("%s: %v", st, err)
			}
		}
		db.Close()
		cat := `
px:
  source_binding:
    type: sqlite
    config:
      path: px.sqlite
      query: "SELECT * FROM px WHERE {filter[0]:sym} ORDER BY sym"
  access_policy:
    blocked_patterns: ["ALL"]
    denial_message: "Name a symbol: px/AAPL"
`
		cfg := filepath.Join(dir, "config.yaml")
		for name, body := range map[string]string{"catalog.yaml": cat, "config.yaml": "catalog:\n  definition_file: catalog.yaml\n"} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		base := start(t, "-target=resolver", "-config.file="+cfg)
		aapl := map[string]any{"sym": "AAPL", "close": "187.25", "ratio": 0.5, "vol": 1000, "d": "2026-01-15",
			"ts": "2026-01-15T14:30:00Z", "ok": true, "note": "café \"q\""}
		msft := map[string]any{"sym": "MSFT", "close": "402.1", "ratio": -2.25, "vol": int64(9007199254740993), "d": "2026-01-15",
			"ts": "2026-01-15T16:00:00Z", "ok": false, "note": nil}
		checks := []map[string]any{
			{"moniker": "moniker://px/AAPL", "expect_rows": []any{aapl},
				"expect_columns": []string{"sym", "close", "ratio", "vol", "d", "ts", "ok", "note"}},
			// An integer beyond a double's exact range arrives exact.
			{"moniker": "px/MSFT", "limit": 5, "expect_rows": []any{msft}},
			// fetch()'s keyword arguments travel as query parameters (the
			// moniker's own here, as on /resolve).
			{"moniker": "px/AAPL", "params": map[string]any{"as_of": "20260115"}, "expect_rows": []any{aapl}},
			{"moniker": "px/NVDA?source=replay", "expect_rows": []any{map[string]any{"sym": "NVDA", "close": nil, "ratio": nil,
				"vol": nil, "d": nil, "ts": nil, "ok": nil, "note": ""}}},
			{"moniker": "px/ZZZZ", "expect_rows": []any{}},
			{"moniker": "px/ALL", "expect_error": "AccessDeniedError", "detail_contains": "Name a symbol"},
			{"moniker": "nothing/here", "expect_error": "NotFoundError"},
			{"moniker": "px/AAPL", "limit": 0, "expect_error": "HTTPError", "status": 422},
		}
		file := filepath.Join(dir, "checks.json")
		data, err := json.Marshal(checks)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, data, 0o644); err != nil {
			t.Fatal(err)
		}
		replay(t, base, file)
	})
}
