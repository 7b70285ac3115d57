package main

import (
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/client"
)

// TestPrintRows: the table aligns every column (numbers to the right),
// shows NULL as an empty cell, dates and timestamps, bytes and JSON in
// one line each, and escapes control characters so a row stays on its
// line.
func TestPrintRows(t *testing.T) {
	res := &client.FetchResult{
		Columns: []client.FetchColumn{{Name: "name", Type: "string"}, {Name: "n", Type: "int64"}, {Name: "px", Type: "decimal"},
			{Name: "d", Type: "date"}, {Name: "ts", Type: "timestamp"}, {Name: "raw", Type: "bytes"}, {Name: "doc", Type: "json"}, {Name: "last", Type: "string"}},
		Rows: [][]any{
			{"a\tb\nc\x01", int64(7), "187.25", time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC),
				[]byte{0, 0xff}, map[string]any{"k": []any{1.0}}, "é"},
			{"long name", int64(-12345), nil, nil, nil, nil, nil, nil},
		},
		Truncated: true,
	}
	var b strings.Builder
	printRows(&b, res)
	got := strings.Split(b.String(), "\n")
	wantLines := []string{
		`name              n      px  d           ts                    raw   doc        last`,
		`-----------  ------  ------  ----------  --------------------  ----  ---------  ----`,
		`a\tb\nc\x01       7  187.25  2026-01-15  2026-01-15T00:00:00Z  AP8=  {"k":[1]}  é`,
		`long name    -12345`,
		`(2 rows; there are more: raise -limit)`,
		``,
	}
	if strings.Join(got, "\n") != strings.Join(wantLines, "\n") {
		t.Errorf("table:\n%s\nwant:\n%s", b.String(), strings.Join(wantLines, "\n"))
	}

	b.Reset()
	printRows(&b, &client.FetchResult{Columns: []client.FetchColumn{{Name: "x", Type: "int64"}}, Rows: [][]any{{int64(1)}}})
	if b.String() != "x\n-\n1\n(1 row)\n" {
		t.Errorf("one row: %q", b.String())
	}
	b.Reset()
	printRows(&b, &client.FetchResult{CacheStatus: "loading"})
	if !strings.Contains(b.String(), "loading") {
		t.Errorf("loading: %q", b.String())
	}
}
