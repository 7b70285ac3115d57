package main

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/apache/arrow-go/v18/arrow/ipc"
)

// TestDemoFetch starts monikerd with no config on a fresh data folder, as
// `go run ./cmd/monikerd` does: the demo database is generated there and
// /fetch returns its rows at once, as JSON (with the query /resolve
// renders, typed columns and NULLs) and as CSV.
func TestDemoFetch(t *testing.T) {
	base := start(t)

	r := get(t, base+"/fetch/prices.equity/AAPL@20260115")
	if r.status != 200 {
		t.Fatalf("fetch prices.equity/AAPL@20260115: %d %s", r.status, r.body)
	}
	v := r.json(t)
	if v["source_type"] != "sqlite" || v["row_count"] != 1.0 || v["truncated"] != false {
		t.Errorf("answer %s", r.body)
	}
	row := field(t, v, "data.0").(map[string]any)
	if row["ticker"] != "AAPL" || row["trade_date"] != "2026-01-15" || row["dividend"] != nil {
		t.Errorf("row %v", row)
	}
	if _, ok := row["volume"].(float64); !ok {
		t.Errorf("volume %#v, want a JSON number", row["volume"])
	}
	if c, ok := row["close"].(string); !ok || c == "" {
		t.Errorf("close %#v, want a decimal string", row["close"])
	}
	types := map[string]string{}
	for _, c := range v["schema"].([]any) {
		c := c.(map[string]any)
		types[c["name"].(string)] = c["type"].(string)
	}
	if types["trade_date"] != "date" || types["close"] != "decimal" || types["volume"] != "int64" || types["ticker"] != "string" {
		t.Errorf("schema %v", types)
	}
	if res := get(t, base+"/resolve/prices.equity/AAPL@20260115").json(t); res["query"] != v["query_executed"] {
		t.Errorf("query_executed %q, /resolve's query %q", v["query_executed"], res["query"])
	}

	for _, tt := range []struct {
		moniker string
		rows    float64
	}{
		{"prices.equity/MSFT@latest", 1},
		{"prices.equity/AAPL", 1},
		{"rates.curves/USD@20260115", 11},
		{"rates.curves/EUR/20260115", 11},
		{"reference.currencies/ALL", 30},
		{"reference.classifications/gics/45", 17},
		{"prices.equity/ALL@20260115?limit=5", 5},
	} {
		r := get(t, base+"/fetch/"+tt.moniker)
		if r.status != 200 || r.json(t)["row_count"] != tt.rows {
			t.Errorf("fetch %s: %d, want %v rows: %.300s", tt.moniker, r.status, tt.rows, r.body)
		}
	}
	if row := field(t, get(t, base+"/fetch/reference.currencies/XAU").json(t), "data.0").(map[string]any); row["minor_units"] != nil || row["country"] != nil || row["name"] != "Gold" {
		t.Errorf("XAU %v, want NULL minor units and country", row)
	}

	r = get(t, base+"/fetch/prices.equity/ALL@20260115?format=csv")
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("CSV: %d %s %s", r.status, r.header.Get("Content-Type"), r.body)
	}
	recs, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 21 || strings.Join(recs[0], ",") != "ticker,trade_date,open,high,low,close,adj_close,volume,dividend" {
		t.Fatalf("CSV: %d records, header %v", len(recs), recs[0])
	}
	if recs[1][0] != "AAPL" || recs[1][1] != "2026-01-15" || recs[1][8] != "" {
		t.Errorf("CSV first row %v", recs[1])
	}
	// The JSON and CSV answers agree.
	if json := field(t, get(t, base+"/fetch/prices.equity/ALL@20260115").json(t), "data.0.close"); json != recs[1][5] {
		t.Errorf("JSON close %v, CSV close %s", json, recs[1][5])
	}
}

// TestCLIFetch runs the real moniker binary's fetch against monikerd
// serving the demo: an aligned table, the server's CSV and JSON, an Arrow
// stream written to a file and read back with arrow-go, and a source
// type without an adapter (exit 1 with the server's reason).
func TestCLIFetch(t *testing.T) {
	base := start(t)

	out, errOut, code := runCLI(t, "-server", base, "fetch", "-limit", "3", "prices.equity/ALL@20260115")
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if code != 0 || len(lines) != 6 {
		t.Fatalf("fetch table: exit %d\n%s\n%s", code, out, errOut)
	}
	if !strings.HasPrefix(lines[0], "ticker  trade_date  ") || !strings.HasPrefix(lines[1], "------  ----------  ") ||
		!strings.HasPrefix(lines[2], "AAPL    2026-01-15  ") || lines[5] != "(3 rows; there are more: raise -limit)" {
		t.Errorf("fetch table:\n%s", out)
	}
	// Columns are aligned: every line has its close value ending at the
	// same place as the header's "close".
	end := strings.Index(lines[0], " close") + len(" close")
	for _, l := range lines[2:5] {
		if len(l) < end || l[end-1] == ' ' || (len(l) > end && l[end] != ' ') {
			t.Errorf("close not aligned at %d in %q", end, l)
		}
	}

	out, _, code = runCLI(t, "-server", base, "fetch", "-format", "csv", "rates.curves/USD@20260115")
	if code != 0 || !strings.HasPrefix(out, "currency,curve_date,tenor,tenor_days,zero_rate,discount_factor\nUSD,2026-01-15,1M,30,") || strings.Count(out, "\n") != 12 {
		t.Errorf("fetch csv: exit %d\n%s", code, out)
	}
	out, _, code = runCLI(t, "-server", base, "fetch", "-format", "json", "reference.currencies/XAU")
	if code != 0 || !strings.Contains(out, `"minor_units": null`) || !strings.Contains(out, `"row_count": 1,`) {
		t.Errorf("fetch json: exit %d\n%s", code, out)
	}

	file := filepath.Join(t.TempDir(), "ccy.arrow")
	if _, errOut, code = runCLI(t, "-server", base, "fetch", "-format", "arrow", "-o", file, "reference.currencies/ALL"); code != 0 {
		t.Fatalf("fetch arrow: exit %d\n%s", code, errOut)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rd, err := ipc.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	rows := 0
	for rd.Next() {
		rows += int(rd.RecordBatch().NumRows())
	}
	if rd.Err() != nil || rows != 30 || rd.Schema().Field(0).Name != "code" {
		t.Errorf("arrow file: %d rows, %v, schema %v", rows, rd.Err(), rd.Schema())
	}

	// A failure leaves no file behind and says why.
	file = filepath.Join(t.TempDir(), "bbg.arrow")
	_, errOut, code = runCLI(t, "-server", base, "fetch", "-format", "arrow", "-o", file, "prices.equity.realtime/AAPL")
	if _, err := os.Stat(file); code != 1 || !strings.Contains(errOut, "bloomberg") || !strings.Contains(errOut, "HTTP 501") || err == nil {
		t.Errorf("fetch bloomberg: exit %d, file %v\n%s", code, err, errOut)
	}
	if _, errOut, code = runCLI(t, "-server", base, "fetch", "-format", "xml", "prices.equity/AAPL"); code != 2 || !strings.Contains(errOut, "table, csv, json, ndjson, arrow") {
		t.Errorf("fetch -format xml: exit %d\n%s", code, errOut)
	}
}
