package fetch

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
)

var (
	ts       = time.Date(2026, 1, 15, 9, 30, 0, 123456000, time.FixedZone("CET", 3600))
	testCols = []Column{{"s", TypeString}, {"i", TypeInt}, {"f", TypeFloat}, {"b", TypeBool}, {"t", TypeTimestamp},
		{"d", TypeDate}, {"dec", TypeDecimal}, {"raw", TypeBytes}, {"j", TypeJSON}}
	testRows = [][]any{
		{`a "quoted", <b> & co` + "\nline", int64(-7), 1.5, true, ts, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), "12345678901234567890.125", []byte{0, 1, 255}, map[string]any{"k": []any{1.0, "x"}}},
		{nil, nil, nil, nil, nil, nil, nil, nil, nil},
		{" lead", 42, math.NaN(), false, time.Unix(0, 0).UTC(), time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC), "-0.5", []byte{}, []any{}},
	}
)

func TestRowJSON(t *testing.T) {
	enc := NewRowJSON(testCols)
	want := []string{
		`{"s":"a \"quoted\", \u003cb\u003e \u0026 co\nline","i":-7,"f":1.5,"b":true,"t":"2026-01-15T09:30:00.123456+01:00","d":"2026-01-15","dec":"12345678901234567890.125","raw":"AAH/","j":{"k":[1,"x"]}}`,
		`{"s":null,"i":null,"f":null,"b":null,"t":null,"d":null,"dec":null,"raw":null,"j":null}`,
		`{"s":" lead","i":42,"f":null,"b":false,"t":"1970-01-01T00:00:00Z","d":"1999-12-31","dec":"-0.5","raw":"","j":[]}`,
	}
	for i, row := range testRows {
		got := string(enc.Append(nil, row))
		if got != want[i] {
			t.Errorf("row %d:\n got %s\nwant %s", i, got, want[i])
		}
		if !json.Valid([]byte(got)) {
			t.Errorf("row %d is not JSON", i)
		}
	}
	// Column order is the query's, not sorted.
	if got := string(NewRowJSON([]Column{{"z", TypeInt}, {"a", TypeInt}}).Append(nil, []any{1, 2})); got != `{"z":1,"a":2}` {
		t.Errorf("order: %s", got)
	}
	if got := string(AppendSchemaJSON(nil, testCols[:2])); got != `[{"name":"s","type":"string"},{"name":"i","type":"int64"}]` {
		t.Errorf("schema: %s", got)
	}
	if got := string(AppendColumnsJSON(nil, testCols[:2])); got != `["s","i"]` {
		t.Errorf("columns: %s", got)
	}
}

func encodeAll(t *testing.T, f Format, cols []Column, rows [][]any) []byte {
	t.Helper()
	var out bytes.Buffer
	enc, err := NewStreamEncoder(f, &out, cols)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if err := enc.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if err := enc.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

func TestCSV(t *testing.T) {
	out := encodeAll(t, FormatCSV, testCols, testRows)
	recs, err := csv.NewReader(bytes.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	want := [][]string{
		{"s", "i", "f", "b", "t", "d", "dec", "raw", "j"},
		{`a "quoted", <b> & co` + "\nline", "-7", "1.5", "true", "2026-01-15T09:30:00.123456+01:00", "2026-01-15", "12345678901234567890.125", "AAH/", `{"k":[1,"x"]}`},
		{"", "", "", "", "", "", "", "", ""},
		{" lead", "42", "NaN", "false", "1970-01-01T00:00:00Z", "1999-12-31", "-0.5", "", "[]"},
	}
	if len(recs) != len(want) {
		t.Fatalf("%d records:\n%s", len(recs), out)
	}
	for i := range want {
		if strings.Join(recs[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("record %d = %q, want %q", i, recs[i], want[i])
		}
	}
	if got := string(encodeAll(t, FormatCSV, testCols[:2], nil)); got != "s,i\n" {
		t.Errorf("no rows: %q, want the header alone", got)
	}
}

func TestNDJSON(t *testing.T) {
	out := encodeAll(t, FormatNDJSON, testCols, testRows)
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	enc := NewRowJSON(testCols)
	for i, l := range lines {
		if l != string(enc.Append(nil, testRows[i])) {
			t.Errorf("line %d = %s", i, l)
		}
	}
	if got := encodeAll(t, FormatNDJSON, testCols, nil); len(got) != 0 {
		t.Errorf("no rows: %q", got)
	}
}

// TestStreamFlushesAsItGoes: a stream encoder writes once it holds
// FlushBytes, not only at the end.
func TestStreamFlushesAsItGoes(t *testing.T) {
	for _, f := range []Format{FormatCSV, FormatNDJSON, FormatArrow} {
		var out bytes.Buffer
		enc, err := NewStreamEncoder(f, &out, testCols[:2])
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; out.Len() == 0; i++ {
			if i > 100000 {
				t.Fatalf("%s: nothing written after %d rows", f, i)
			}
			if err := enc.WriteRow([]any{strings.Repeat("x", 100), int64(i)}); err != nil {
				t.Fatal(err)
			}
		}
		if out.Len() > 4*FlushBytes {
			t.Errorf("%s: first write %d bytes", f, out.Len())
		}
		_ = enc.Close()
	}
}

func TestArrowRoundTrip(t *testing.T) {
	rows := append([][]any{}, testRows...)
	for i := range 2500 { // three batches
		rows = append(rows, []any{"r", int64(i), float64(i) / 2, i%2 == 0, ts, ts, "1.0", []byte("x"), "s"})
	}
	out := encodeAll(t, FormatArrow, testCols, rows)
	rd, err := ipc.NewReader(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Release()
	sc := rd.Schema()
	wantTypes := []arrow.Type{arrow.STRING, arrow.INT64, arrow.FLOAT64, arrow.BOOL, arrow.TIMESTAMP, arrow.DATE32, arrow.STRING, arrow.BINARY, arrow.STRING}
	for i, f := range sc.Fields() {
		if f.Name != testCols[i].Name || f.Type.ID() != wantTypes[i] {
			t.Errorf("field %d = %s %s", i, f.Name, f.Type)
		}
		if v, ok := f.Metadata.GetValue(ArrowTypeKey); !ok || v != string(testCols[i].Type) {
			t.Errorf("field %s metadata %v", f.Name, f.Metadata)
		}
	}
	n, batches := 0, 0
	for rd.Next() {
		rec := rd.RecordBatch()
		batches++
		if batches == 1 {
			c := func(i int) arrow.Array { return rec.Column(i) }
			if s := c(0).(*array.String); s.Value(0) != testRows[0][0] || !s.IsNull(1) {
				t.Errorf("string column: %q null=%v", s.Value(0), s.IsNull(1))
			}
			if v := c(1).(*array.Int64).Value(2); v != 42 {
				t.Errorf("int from a Go int: %d", v)
			}
			if v := c(4).(*array.Timestamp).Value(0); v != arrow.Timestamp(ts.UnixMicro()) {
				t.Errorf("timestamp %d", v)
			}
			if v := c(5).(*array.Date32).Value(2).ToTime(); !v.Equal(time.Date(1999, 12, 31, 0, 0, 0, 0, time.UTC)) {
				t.Errorf("date %v", v)
			}
			if v := c(6).(*array.String).Value(0); v != "12345678901234567890.125" {
				t.Errorf("decimal %q", v)
			}
			if v := c(7).(*array.Binary).Value(0); !bytes.Equal(v, []byte{0, 1, 255}) {
				t.Errorf("bytes %v", v)
			}
			if v := c(8).(*array.String).Value(0); v != `{"k":[1,"x"]}` {
				t.Errorf("json %q", v)
			}
		}
		n += int(rec.NumRows())
		if rec.NumRows() > ArrowBatchRows {
			t.Errorf("a batch of %d rows", rec.NumRows())
		}
	}
	if err := rd.Err(); err != nil {
		t.Fatal(err)
	}
	if n != len(rows) || batches != 3 {
		t.Errorf("%d rows in %d batches, want %d in 3", n, batches, len(rows))
	}

	// No rows: a schema and the end of the stream.
	rd, err = ipc.NewReader(bytes.NewReader(encodeAll(t, FormatArrow, testCols, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if rd.Next() || len(rd.Schema().Fields()) != len(testCols) {
		t.Error("an empty stream has rows or lacks the schema")
	}
	rd.Release()

	// A value that fits no column type is an error, not a wrong value.
	enc, _ := NewStreamEncoder(FormatArrow, &bytes.Buffer{}, []Column{{"n", TypeInt}})
	if err := enc.WriteRow([]any{"seven"}); err == nil || !strings.Contains(err.Error(), `column "n"`) {
		t.Errorf("a string in an int64 column: %v", err)
	}
}

func TestFormats(t *testing.T) {
	for _, tt := range []struct {
		accept string
		want   Format
	}{
		{"", FormatJSON},
		{"*/*", FormatJSON},
		{"text/html,application/xhtml+xml", FormatJSON},
		{"text/csv", FormatCSV},
		{"application/x-ndjson", FormatNDJSON},
		{"application/vnd.apache.arrow.stream", FormatArrow},
		{"text/csv;q=0.5, application/vnd.apache.arrow.stream;q=0.9", FormatArrow},
		{"application/json, text/csv", FormatJSON},
		{"text/csv; charset=utf-8, junk;;", FormatCSV},
	} {
		if got := Negotiate(tt.accept); got != tt.want {
			t.Errorf("Negotiate(%q) = %s, want %s", tt.accept, got, tt.want)
		}
	}
	for _, f := range Formats {
		if got, ok := ParseFormat(string(f)); !ok || got != f {
			t.Errorf("ParseFormat(%s)", f)
		}
	}
	if _, ok := ParseFormat("xml"); ok {
		t.Error("ParseFormat(xml) ok")
	}
	if _, err := NewStreamEncoder(FormatJSON, &bytes.Buffer{}, nil); err == nil {
		t.Error("JSON has no stream encoder")
	}
}

// TestAppendTimeFastPath: the hand-written forms are time's own.
func TestAppendTimeFastPath(t *testing.T) {
	for _, v := range []time.Time{
		time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC),
		time.Date(2026, 12, 31, 23, 59, 59, 999999999, time.UTC),
		time.Date(1, 1, 1, 0, 0, 0, 1000, time.UTC),
		time.Date(999, 2, 3, 4, 5, 6, 120000000, time.UTC),
		time.Date(9999, 12, 31, 0, 0, 0, 500, time.UTC),
		time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC),
		time.Date(2026, 1, 15, 10, 0, 0, 5, time.FixedZone("X", -5*3600)),
	} {
		if got, want := string(appendTime(nil, TypeTimestamp, v)), v.Format(time.RFC3339Nano); got != want {
			t.Errorf("timestamp %v = %s, want %s", v, got, want)
		}
		if got, want := string(appendTime(nil, TypeDate, v)), v.Format(time.DateOnly); got != want {
			t.Errorf("date %v = %s, want %s", v, got, want)
		}
	}
}
