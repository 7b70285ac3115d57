package excel

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

func col(name string, t fetch.Type) fetch.Column { return fetch.Column{Name: name, Type: t} }

// workbook writes a workbook built by build to dir/name.
func workbook(t *testing.T, dir, name string, build func(f *excelize.File)) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	p := filepath.Join(dir, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := f.SaveAs(p); err != nil {
		t.Fatal(err)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func style(t *testing.T, f *excelize.File, s *excelize.Style) int {
	t.Helper()
	id, err := f.NewStyle(s)
	must(t, err)
	return id
}

// query reads name from a source on dir, with the binding's params and
// config as resolution gives them.
func query(t *testing.T, dir, name string, params []moniker.KV, cfg map[string]any, maxRows int) ([]fetch.Column, [][]any, error) {
	t.Helper()
	src, err := Adapter().Open(context.Background(), map[string]any{"base_path": dir}, fetch.Env{})
	must(t, err)
	defer src.Close()
	rows, err := src.Query(context.Background(), &fetch.Query{Text: name, Params: params, Config: cfg, MaxRows: maxRows})
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		out = append(out, append([]any(nil), rows.Row()...))
	}
	return rows.Columns(), out, rows.Err()
}

func TestSheet(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 1, 15, 13, 4, 5, 0, time.UTC)
	day := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	workbook(t, dir, "pools_FNMA_30Y.xlsx", func(f *excelize.File) {
		_, err := f.NewSheet("Pools")
		must(t, err)
		ymd := "yyyy-mm-dd"
		dateStyle := style(t, f, &excelize.Style{CustomNumFmt: &ymd})
		money := style(t, f, &excelize.Style{NumFmt: 4})  // #,##0.00
		clock := style(t, f, &excelize.Style{NumFmt: 20}) // h:mm
		rows := [][]any{
			{"Agency pools, as of 2026-01-15"},                                 // row 1: a title
			{"POOL", "COUPON", "", "AS_OF", "UPDATED", "ACTIVE", "BAL", "CUT"}, // row 2: the header
			{"id", "%", "", "date", "time", "", "USD", ""},                     // row 3: units, skipped
			{"00123", 4.5, 7, day, at, true, 1234567.891, 0.5},
			{}, // a fully empty row
			{"AB12", 5, "n/a", day, at, false, -2.25}, // a text in a numeric column
		}
		for i, r := range rows {
			cell, _ := excelize.CoordinatesToCellName(1, i+1)
			must(t, f.SetSheetRow("Pools", cell, &r))
		}
		must(t, f.SetCellStyle("Pools", "D4", "D6", dateStyle))
		must(t, f.SetCellStyle("Pools", "G4", "G6", money))
		must(t, f.SetCellStyle("Pools", "H4", "H4", clock))
	})
	params := []moniker.KV{{Key: "sheet", Value: "Pools"}, {Key: "header_row", Value: 2}}
	cols, rows, err := query(t, dir, "pools_FNMA_30Y.xlsx", params, map[string]any{"skip_rows": 1}, 0)
	must(t, err)
	wantCols := []fetch.Column{col("POOL", fetch.TypeString), col("COUPON", fetch.TypeFloat), col("col_2", fetch.TypeString),
		col("AS_OF", fetch.TypeDate), col("UPDATED", fetch.TypeTimestamp), col("ACTIVE", fetch.TypeBool),
		col("BAL", fetch.TypeFloat), col("CUT", fetch.TypeString)}
	if !reflect.DeepEqual(cols, wantCols) {
		t.Errorf("columns = %v\nwant %v", cols, wantCols)
	}
	want := [][]any{
		{"00123", 4.5, "7", day, at, true, 1234567.891, "12:00:00"},
		{"AB12", 5.0, "n/a", day, at, false, -2.25, nil},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %v\nwant %v", rows, want)
	}
}

func TestDefaults(t *testing.T) {
	dir := t.TempDir()
	workbook(t, dir, "a.xlsx", func(f *excelize.File) {
		must(t, f.SetSheetRow("Sheet1", "A1", &[]any{"first"}))
		i, err := f.NewSheet("Active")
		must(t, err)
		f.SetActiveSheet(i)
		for r := 1; r <= 10; r++ {
			cell, _ := excelize.CoordinatesToCellName(1, r)
			if r == 1 {
				must(t, f.SetSheetRow("Active", cell, &[]any{"n", "", "label"}))
				continue
			}
			must(t, f.SetSheetRow("Active", cell, &[]any{r - 1, nil, "x", "extra"}))
		}
		_, err = f.NewSheet("Empty")
		must(t, err)
	})
	// No sheet: the active one; header_row 1; limit+1 rows.
	cols, rows, err := query(t, dir, "a.xlsx", []moniker.KV{{Key: "sheet"}, {Key: "header_row", Value: 1}}, nil, 4)
	must(t, err)
	if want := []fetch.Column{col("n", fetch.TypeInt), col("col_1", fetch.TypeString), col("label", fetch.TypeString), col("col_3", fetch.TypeString)}; !reflect.DeepEqual(cols, want) {
		t.Errorf("columns = %v, want %v", cols, want)
	}
	if len(rows) != 4 || !reflect.DeepEqual(rows[3], []any{int64(4), nil, "x", "extra"}) {
		t.Errorf("rows = %v", rows)
	}
	cols, rows, err = query(t, dir, "a.xlsx", []moniker.KV{{Key: "sheet", Value: "Empty"}}, nil, 0)
	if err != nil || len(cols) != 0 || len(rows) != 0 {
		t.Errorf("empty sheet: %v %v, %v", cols, rows, err)
	}
	cols, rows, err = query(t, dir, "a.xlsx", []moniker.KV{{Key: "sheet", Value: "Sheet1"}, {Key: "header_row", Value: 5}}, nil, 0)
	if err != nil || len(cols) != 0 || len(rows) != 0 {
		t.Errorf("header below the last row: %v %v, %v", cols, rows, err)
	}
}

func TestStreamsLargeSheets(t *testing.T) {
	dir := t.TempDir()
	workbook(t, dir, "big.xlsx", func(f *excelize.File) {
		sw, err := f.NewStreamWriter("Sheet1")
		must(t, err)
		must(t, sw.SetRow("A1", []any{"i", "s"}))
		for r := 2; r <= 50001; r++ {
			cell, _ := excelize.CoordinatesToCellName(1, r)
			must(t, sw.SetRow(cell, []any{r - 1, "some text in the row"}))
		}
		must(t, sw.Flush())
	})
	start := time.Now()
	_, rows, err := query(t, dir, "big.xlsx", nil, nil, 101)
	if err != nil || len(rows) != 101 || rows[100][0] != int64(101) {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	t.Logf("101 rows of a 50,000-row sheet in %v", time.Since(start))
}

func TestErrors(t *testing.T) {
	dir := t.TempDir()
	outside := t.TempDir()
	workbook(t, dir, "ok.xlsx", func(f *excelize.File) { must(t, f.SetCellValue("Sheet1", "A1", "a")) })
	workbook(t, outside, "secret.xlsx", func(f *excelize.File) { must(t, f.SetCellValue("Sheet1", "A1", "hunter2")) })
	must(t, os.Symlink(filepath.Join(outside, "secret.xlsx"), filepath.Join(dir, "link.xlsx")))
	must(t, os.WriteFile(filepath.Join(dir, "old.xls"), []byte("\xd0\xcf\x11\xe0 not a zip"), 0o644))
	cases := []struct {
		name   string
		params []moniker.KV
		cfg    map[string]any
		kind   error
		msg    string
	}{
		{"missing.xlsx", nil, nil, moniker.ErrNotFound, `no file "missing.xlsx" for this moniker`},
		{"../" + filepath.Base(outside) + "/secret.xlsx", nil, nil, moniker.ErrInvalid, `is not a name inside the source's folder`},
		{filepath.Join(outside, "secret.xlsx"), nil, nil, moniker.ErrInvalid, `is not a name inside the source's folder`},
		{"link.xlsx", nil, nil, moniker.ErrInvalid, `leads outside the source's folder`},
		{"old.xls", nil, nil, moniker.ErrSource, `"old.xls" is not an .xlsx workbook`},
		{"ok.xlsx", []moniker.KV{{Key: "sheet", Value: "Nope"}}, nil, moniker.ErrSource, `the workbook has no sheet "Nope"`},
		{"ok.xlsx", []moniker.KV{{Key: "header_row", Value: 0}}, nil, moniker.ErrInvalid, `header_row: must be 1 or more`},
		{"ok.xlsx", nil, map[string]any{"skip_rows": "many"}, moniker.ErrInvalid, `skip_rows: must be a whole number`},
		{"ok.xlsx", []moniker.KV{{Key: "sheet", Value: 3}}, nil, moniker.ErrInvalid, `sheet: must be a string`},
	}
	for _, tc := range cases {
		_, rows, err := query(t, dir, tc.name, tc.params, tc.cfg, 0)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s %v %v: err = %v (rows %v), want %v %q", tc.name, tc.params, tc.cfg, err, rows, tc.kind, tc.msg)
		}
		if err != nil && (strings.Contains(err.Error(), dir) || strings.Contains(err.Error(), "hunter2")) {
			t.Errorf("%s: the error names the folder or the data outside: %v", tc.name, err)
		}
	}
}

func TestAdapter(t *testing.T) {
	a := Adapter()
	if _, err := a.Key(map[string]any{"file_pattern": "x.xlsx"}); !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), "base_path") {
		t.Errorf("Key without base_path: %v", err)
	}
	k1, _ := a.Key(map[string]any{"base_path": "/srv/mbs/pools", "sheet": "Pools"})
	k2, _ := a.Key(map[string]any{"base_path": "/srv/mbs/pools/", "sheet": "Other"})
	k3, _ := a.Key(map[string]any{"base_path": "/srv/mbs/prepay"})
	if k1 != k2 || k1 == k3 {
		t.Errorf("keys %q %q %q: want one per folder", k1, k2, k3)
	}
	src, err := a.Open(context.Background(), map[string]any{"base_path": "/nonexistent"}, fetch.Env{})
	must(t, err)
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := src.Query(ctx, &fetch.Query{Text: "x.xlsx"}); !errors.Is(err, moniker.ErrTimeout) {
		t.Errorf("past the deadline: %v, want ErrTimeout", err)
	}
}

func TestKindOfCode(t *testing.T) {
	cases := map[string]formatKind{
		"General": numberFormat, "0.00": numberFormat, "#,##0.00_);[Red](#,##0.00)": numberFormat, "0.00E+00": numberFormat,
		`"Day "0`: numberFormat, `[$€-407]#,##0.00`: numberFormat, "@": numberFormat,
		"yyyy-mm-dd": dateFormat, "d-mmm-yy": dateFormat, "mmm yyyy": dateFormat, `[$-409]mmmm d, yyyy;@`: dateFormat,
		"yyyy-mm-dd hh:mm": dateTimeFormat, "m/d/yy h:mm AM/PM": dateTimeFormat,
		"h:mm": timeFormat, "mm:ss": timeFormat, "[h]:mm:ss": timeFormat, "h AM/PM": timeFormat,
	}
	for code, want := range cases {
		if got := kindOfCode(code); got != want {
			t.Errorf("kindOfCode(%q) = %d, want %d", code, got, want)
		}
	}
}
