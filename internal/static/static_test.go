package static

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/parquet-go/parquet-go"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// write writes files under a new folder and returns it.
func write(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func open(t *testing.T, cfg map[string]any) fetch.Source {
	t.Helper()
	src, err := Adapter().Open(context.Background(), cfg, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

// query runs name through a source on dir with the binding's extra config.
func query(t *testing.T, dir, name string, cfg map[string]any, maxRows int) ([]fetch.Column, [][]any, error) {
	t.Helper()
	src := open(t, map[string]any{"base_path": dir})
	rows, err := src.Query(context.Background(), &fetch.Query{Text: name, Config: cfg, MaxRows: maxRows})
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

func col(name string, t fetch.Type) fetch.Column { return fetch.Column{Name: name, Type: t} }

func TestCSV(t *testing.T) {
	day := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	dir := write(t, map[string]string{
		"XNYS.csv": "\ufeffdate,code,,open,weight,note\n" +
			"2026-01-02,007,1,true,1.5,\"a, quoted\"\n" +
			"2026-01-02,12,2,false,2,\n" +
			"2026-01-02,x,3\n",
		"latin1.csv": "name\ncaf\xe9\n",
		"empty.csv":  "",
		"header.csv": "a,b\n",
	})
	cols, rows, err := query(t, dir, "XNYS.csv", map[string]any{"format": "csv"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantCols := []fetch.Column{col("date", fetch.TypeDate), col("code", fetch.TypeString), col("col_2", fetch.TypeInt),
		col("open", fetch.TypeBool), col("weight", fetch.TypeFloat), col("note", fetch.TypeString)}
	if !reflect.DeepEqual(cols, wantCols) {
		t.Errorf("columns = %v, want %v", cols, wantCols)
	}
	want := [][]any{
		{day, "007", int64(1), true, 1.5, "a, quoted"},
		{day, "12", int64(2), false, 2.0, nil},
		{day, "x", int64(3), nil, nil, nil},
	}
	if !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %v, want %v", rows, want)
	}

	_, rows, err = query(t, dir, "latin1.csv", map[string]any{"encoding": "latin1"}, 0)
	if err != nil || !reflect.DeepEqual(rows, [][]any{{"café"}}) {
		t.Errorf("latin1: %v, %v", rows, err)
	}
	cols, rows, err = query(t, dir, "empty.csv", nil, 0)
	if err != nil || len(cols) != 0 || len(rows) != 0 {
		t.Errorf("empty file: %v %v, %v", cols, rows, err)
	}
	cols, rows, err = query(t, dir, "header.csv", nil, 0)
	if err != nil || len(cols) != 2 || len(rows) != 0 {
		t.Errorf("header only: %v %v, %v", cols, rows, err)
	}
}

func TestJSONFiles(t *testing.T) {
	dir := write(t, map[string]string{
		"XNYS.json":    `[{"date":"2026-01-02","name":"New Year","half_day":false},{"date":"2026-01-19","name":"MLK Day","half_day":false}]`,
		"lines.jsonl":  "{\"a\":1}\n{\"a\":2}\n",
		"nested.json":  `{"a":{"b":[1,2]},"n":3}`,
		"broken.json":  `[{"a":1},`,
		"empty.json":   `[]`,
		"notjson.json": `a,b`,
	})
	cols, rows, err := query(t, dir, "XNYS.json", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	if want := []fetch.Column{col("date", fetch.TypeString), col("name", fetch.TypeString), col("half_day", fetch.TypeBool)}; !reflect.DeepEqual(cols, want) {
		t.Errorf("columns = %v, want %v", cols, want)
	}
	if want := [][]any{{"2026-01-02", "New Year", false}, {"2026-01-19", "MLK Day", false}}; !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %v", rows)
	}
	// No format key: by the extension; JSON lines.
	_, rows, err = query(t, dir, "lines.jsonl", nil, 0)
	if err != nil || !reflect.DeepEqual(rows, [][]any{{int64(1)}, {int64(2)}}) {
		t.Errorf("lines: %v, %v", rows, err)
	}
	_, rows, err = query(t, dir, "nested.json", map[string]any{"format": "json"}, 0)
	if err != nil || !reflect.DeepEqual(rows, [][]any{{map[string]any{"b": []any{1.0, 2.0}}, int64(3)}}) {
		t.Errorf("nested: %v, %v", rows, err)
	}
	cols, rows, err = query(t, dir, "empty.json", nil, 0)
	if err != nil || len(cols) != 0 || len(rows) != 0 {
		t.Errorf("empty: %v %v, %v", cols, rows, err)
	}
	for _, name := range []string{"broken.json", "notjson.json"} {
		if _, _, err := query(t, dir, name, nil, 0); !errors.Is(err, moniker.ErrSource) {
			t.Errorf("%s: err = %v, want ErrSource", name, err)
		}
	}
}

// Reading stops at MaxRows: a file whose tail is broken reads without an
// error when the limit ends the read before the tail, and a huge file
// costs what the rows read cost.
func TestMaxRows(t *testing.T) {
	var csvb, jsonb, lines strings.Builder
	csvb.WriteString("n,s\n")
	jsonb.WriteString("[")
	for i := range 10 {
		csvb.WriteString(strconv.Itoa(i) + ",x\n")
		jsonb.WriteString(`{"n":` + strconv.Itoa(i) + `},`)
		lines.WriteString(`{"n":` + strconv.Itoa(i) + "}\n")
	}
	csvb.WriteString("\"broken")
	jsonb.WriteString("{broken")
	lines.WriteString("{broken")
	dir := write(t, map[string]string{"a.csv": csvb.String(), "a.json": jsonb.String(), "a.jsonl": lines.String()})
	for _, name := range []string{"a.csv", "a.json", "a.jsonl"} {
		_, rows, err := query(t, dir, name, nil, 5)
		if err != nil || len(rows) != 5 || rows[4][0] != int64(4) {
			t.Errorf("%s, MaxRows 5: %v, %v", name, rows, err)
		}
		if _, _, err := query(t, dir, name, nil, 0); !errors.Is(err, moniker.ErrSource) {
			t.Errorf("%s read to the end: err = %v, want ErrSource for the broken tail", name, err)
		}
	}
}

type parquetRecord struct {
	ID     int64     `parquet:"id"`
	Name   string    `parquet:"name"`
	Price  float64   `parquet:"price"`
	OK     bool      `parquet:"ok"`
	At     time.Time `parquet:"at,timestamp(millisecond)"`
	Day    int32     `parquet:"day,date"`
	Amount int64     `parquet:"amount,decimal(2:18)"`
	Note   *string   `parquet:"note,optional"`
	Blob   []byte    `parquet:"blob"`
	Tags   []string  `parquet:"tags,list"`
}

func TestParquet(t *testing.T) {
	dir := t.TempDir()
	at := time.Date(2026, 1, 15, 13, 4, 5, 123e6, time.UTC)
	note := "checked"
	var recs []parquetRecord
	for i := range 10 {
		r := parquetRecord{ID: int64(i), Name: "n" + strconv.Itoa(i), Price: float64(i) + 0.5, OK: i%2 == 0, At: at,
			Day: int32(at.Unix() / 86400), Amount: int64(i)*100 - 5, Blob: []byte{byte(i)}, Tags: []string{"a", strconv.Itoa(i)}}
		if i == 1 {
			r.Note = &note
		}
		recs = append(recs, r)
	}
	// Three rows per row group: the read crosses row groups.
	if err := parquet.WriteFile(filepath.Join(dir, "prices.parquet"), recs, parquet.MaxRowsPerRowGroup(3)); err != nil {
		t.Fatal(err)
	}
	cols, rows, err := query(t, dir, "prices.parquet", map[string]any{"format": "parquet"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantCols := []fetch.Column{col("id", fetch.TypeInt), col("name", fetch.TypeString), col("price", fetch.TypeFloat),
		col("ok", fetch.TypeBool), col("at", fetch.TypeTimestamp), col("day", fetch.TypeDate), col("amount", fetch.TypeDecimal),
		col("note", fetch.TypeString), col("blob", fetch.TypeBytes), col("tags", fetch.TypeJSON)}
	if !reflect.DeepEqual(cols, wantCols) {
		t.Fatalf("columns = %v, want %v", cols, wantCols)
	}
	if len(rows) != 10 {
		t.Fatalf("%d rows, want 10", len(rows))
	}
	day := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	want1 := []any{int64(1), "n1", 1.5, false, at, day, "0.95", "checked", []byte{1}, []any{"a", "1"}}
	if !reflect.DeepEqual(rows[1], want1) {
		t.Errorf("row 1 = %#v, want %#v", rows[1], want1)
	}
	if rows[0][6] != "-0.05" || rows[0][7] != nil {
		t.Errorf("row 0 amount, note = %v, %v; want -0.05, nil", rows[0][6], rows[0][7])
	}
	// No format key: by the extension; the limit ends the read in the second row group.
	_, rows, err = query(t, dir, "prices.parquet", nil, 4)
	if err != nil || len(rows) != 4 || rows[3][0] != int64(3) {
		t.Errorf("MaxRows 4: %v, %v", rows, err)
	}
	if err := os.WriteFile(filepath.Join(dir, "fake.parquet"), []byte("PAR1 not really"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, _, err := query(t, dir, "fake.parquet", nil, 0); !errors.Is(err, moniker.ErrSource) {
		t.Errorf("not a Parquet file: err = %v, want ErrSource", err)
	}
}

func TestNoPathLeavesTheFolder(t *testing.T) {
	outside := write(t, map[string]string{"secret.csv": "password\nhunter2\n", "dir/secret.csv": "password\nhunter2\n"})
	dir := write(t, map[string]string{"ok.csv": "a\n1\n", "sub/ok.csv": "a\n2\n"})
	for _, link := range []struct{ name, target string }{
		{"escape.csv", filepath.Join(outside, "secret.csv")},
		{"relescape.csv", "../" + filepath.Base(outside) + "/secret.csv"},
		{"outdir", filepath.Join(outside, "dir")},
		{"inside.csv", "sub/ok.csv"},
	} {
		if err := os.Symlink(link.target, filepath.Join(dir, link.name)); err != nil {
			t.Fatal(err)
		}
	}
	// Names as the renderer gives them: a URL's %2e%2e%2f arrives decoded.
	for _, name := range []string{
		"../" + filepath.Base(outside) + "/secret.csv", "..", "../", "sub/../../x.csv", filepath.Join(outside, "secret.csv"),
		"/etc/passwd", "", "a\x00b.csv",
	} {
		_, rows, err := query(t, dir, name, nil, 0)
		if !errors.Is(err, moniker.ErrInvalid) {
			t.Errorf("%q: err = %v (rows %v), want ErrInvalid", name, err, rows)
		}
	}
	for _, name := range []string{"escape.csv", "relescape.csv", "outdir/secret.csv"} {
		_, rows, err := query(t, dir, name, nil, 0)
		if err == nil || !errors.Is(err, moniker.ErrInvalid) {
			t.Errorf("symlink %q: err = %v (rows %v), want ErrInvalid", name, err, rows)
		}
		if err != nil && strings.Contains(err.Error(), outside) {
			t.Errorf("symlink %q: the error names a folder: %v", name, err)
		}
	}
	// Inside the folder, through a link or a ".." that stays in, is fine.
	for _, name := range []string{"inside.csv", "sub/../ok.csv", "sub/ok.csv"} {
		if _, rows, err := query(t, dir, name, nil, 0); err != nil || len(rows) != 1 {
			t.Errorf("%q: %v, %v", name, rows, err)
		}
	}
}

func TestErrors(t *testing.T) {
	dir := write(t, map[string]string{"a.pdf": "%PDF", "d/x.csv": "a\n"})
	cases := []struct {
		name string
		cfg  map[string]any
		kind error
		msg  string
	}{
		{"missing.json", nil, moniker.ErrNotFound, `no file "missing.json" for this moniker`},
		{"d", nil, moniker.ErrNotFound, `not a regular file`},
		{"a.pdf", map[string]any{"format": "binary"}, moniker.ErrNotImplemented, `static files of format "binary" are not read as rows`},
		{"d/x.csv", map[string]any{"encoding": "klingon"}, moniker.ErrInvalid, `encoding: "klingon" is not a known text encoding`},
		{"d/x.csv", map[string]any{"format": 3}, moniker.ErrInvalid, `format: must be a string`},
	}
	for _, tc := range cases {
		_, _, err := query(t, dir, tc.name, tc.cfg, 0)
		if !errors.Is(err, tc.kind) || err == nil || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s %v: err = %v, want %v %q", tc.name, tc.cfg, err, tc.kind, tc.msg)
		}
		if err != nil && strings.Contains(err.Error(), dir) {
			t.Errorf("%s: the error names the folder: %v", tc.name, err)
		}
	}
	_, _, err := query(t, filepath.Join(dir, "gone"), "x.csv", nil, 0)
	if !errors.Is(err, moniker.ErrSource) || strings.Contains(err.Error(), dir) {
		t.Errorf("missing folder: err = %v, want ErrSource without the folder", err)
	}
}

func TestAdapter(t *testing.T) {
	a := Adapter()
	for _, cfg := range []map[string]any{{}, {"base_path": " "}, {"base_path": 3}} {
		if _, err := a.Key(cfg); !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), "base_path") {
			t.Errorf("Key(%v) error = %v", cfg, err)
		}
		if _, err := a.Open(context.Background(), cfg, fetch.Env{}); !errors.Is(err, moniker.ErrInvalid) {
			t.Errorf("Open(%v) error = %v", cfg, err)
		}
	}
	k1, _ := a.Key(map[string]any{"base_path": "/srv/ref/", "file_pattern": "{segments[0]}.json", "format": "json"})
	k2, _ := a.Key(map[string]any{"base_path": "/srv/ref", "file_pattern": "{segments[0]}.csv"})
	k3, _ := a.Key(map[string]any{"base_path": "/srv/other"})
	if k1 != k2 || k1 == k3 {
		t.Errorf("keys %q %q %q: want one per folder", k1, k2, k3)
	}
	// A relative base_path is the catalog's folder's (Env.Dir).
	dir := write(t, map[string]string{"ref/a.csv": "x\n1\n"})
	src, err := a.Open(context.Background(), map[string]any{"base_path": "ref"}, fetch.Env{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	rows, err := src.Query(context.Background(), &fetch.Query{Text: "a.csv", MaxRows: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	if !rows.Next() || rows.Row()[0] != int64(1) {
		t.Errorf("relative base_path: %v, %v", rows.Row(), rows.Err())
	}
}

func TestDeadline(t *testing.T) {
	dir := write(t, map[string]string{"a.csv": "x\n1\n"})
	src := open(t, map[string]any{"base_path": dir})
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	if _, err := src.Query(ctx, &fetch.Query{Text: "a.csv"}); !errors.Is(err, moniker.ErrTimeout) {
		t.Errorf("err = %v, want ErrTimeout", err)
	}
}
