package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/fixtures"
)

// runCLI runs the real moniker binary and returns its output and exit code.
func runCLI(t *testing.T, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	cmd := exec.Command(cli, args...)
	cmd.Env = append(os.Environ(), "MONIKER_SERVER=")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatal(err)
	}
	return out.String(), errb.String(), code
}

// TestCLIAgainstResolver drives the moniker CLI against a real resolver.
func TestCLIAgainstResolver(t *testing.T) {
	base := start(t, "-target=resolver", "-config.file="+fixtureConfig(t, ""))

	out, errOut, code := runCLI(t, "-server", base, "resolve", "prices.equity/AAPL@20260115")
	if code != 0 || !strings.Contains(out, "snowflake") || !strings.Contains(out, "ticker = 'AAPL'") || !strings.Contains(out, "pricing-owners@firm.com") {
		t.Errorf("resolve: exit %d\n%s\n%s", code, out, errOut)
	}
	out, _, code = runCLI(t, "-server", base, "-json", "describe", "prices.equity/AAPL")
	if code != 0 || !strings.Contains(out, `"accountable_owner_source": "prices"`) {
		t.Errorf("describe -json: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "-server", base, "list", "reports")
	if code != 0 || !strings.Contains(out, "reports.regulatory") {
		t.Errorf("list: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "-server", base, "search", "treasury")
	if code != 0 || !strings.Contains(out, "fixed_income/govies/treasury") {
		t.Errorf("search: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "-server", base, "tree", "-depth", "1", "benchmarks")
	if code != 0 || !strings.Contains(out, "benchmarks.constituents") {
		t.Errorf("tree: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "-server", base, "lineage", "prices.equity/AAPL")
	if code != 0 || !strings.Contains(out, "prices.equity") {
		t.Errorf("lineage: exit %d\n%s", code, out)
	}
	// A server error: exit 1 with the server's detail.
	out, errOut, code = runCLI(t, "-server", base, "resolve", "prices")
	if code != 1 || !strings.Contains(out+errOut, "No source binding for: prices") {
		t.Errorf("unknown moniker: exit %d\n%s\n%s", code, out, errOut)
	}
}

// TestCatalogCheck runs `moniker catalog check` on good and bad catalogs.
func TestCatalogCheck(t *testing.T) {
	fixtures.ForEach(t, "catalog.yaml", "sample_catalog.yaml", func(t *testing.T, path string) {
		if out, errOut, code := runCLI(t, "catalog", "check", path); code != 0 {
			t.Errorf("exit %d\n%s\n%s", code, out, errOut)
		}
	})
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	os.WriteFile(bad, []byte("a:\n  display_name: A\nb:\n  source_binding:\n    type: snowflake\n    config: {}\n  acess_policy: {}\n"), 0o644)
	out, errOut, code := runCLI(t, "catalog", "check", bad)
	if code != 1 || !strings.Contains(out+errOut, "bad.yaml:7") || !strings.Contains(out+errOut, "acess_policy") {
		t.Errorf("bad catalog: exit %d\n%s\n%s", code, out, errOut)
	}
}
