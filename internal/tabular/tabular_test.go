package tabular

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// textRecords reads positional records of CSV-like text, counting reads.
func textRecords(recs [][]string, reads *int) Next {
	i := 0
	return func(r *Record) error {
		*reads++
		if i == len(recs) {
			return io.EOF
		}
		for _, s := range recs[i] {
			r.Values = append(r.Values, Text(s))
		}
		i++
		return nil
	}
}

func col(name string, t fetch.Type) fetch.Column { return fetch.Column{Name: name, Type: t} }

// readAll returns the columns and every row of rows.
func readAll(t *testing.T, rows fetch.Rows) ([]fetch.Column, [][]any, error) {
	t.Helper()
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		out = append(out, append([]any(nil), rows.Row()...))
	}
	return rows.Columns(), out, rows.Err()
}

func TestColumnsAreTypedFromTheWindow(t *testing.T) {
	day := time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 1, 15, 13, 4, 5, 0, time.UTC)
	recs := [][]string{
		{"1", "1", "a", "true", "2026-01-15", "2026-01-15", "", "007"},
		{"2", "2.5", "3", "FALSE", "2026-01-15", "2026-01-15T13:04:05Z", "", "12"},
		{"", "", "", "", "", "", "", ""},
	}
	reads := 0
	rows, err := New(context.Background(), []string{"i", "f", "s", "b", "d", "ts", "null", "id"}, textRecords(recs, &reads), Options{})
	if err != nil {
		t.Fatal(err)
	}
	cols, got, err := readAll(t, rows)
	if err != nil {
		t.Fatal(err)
	}
	wantCols := []fetch.Column{col("i", fetch.TypeInt), col("f", fetch.TypeFloat), col("s", fetch.TypeString), col("b", fetch.TypeBool),
		col("d", fetch.TypeDate), col("ts", fetch.TypeTimestamp), col("null", fetch.TypeString), col("id", fetch.TypeString)}
	if !reflect.DeepEqual(cols, wantCols) {
		t.Errorf("columns = %v, want %v", cols, wantCols)
	}
	want := [][]any{
		{int64(1), float64(1), "a", true, day, day, nil, "007"},
		{int64(2), 2.5, "3", false, day, at, nil, "12"},
		{nil, nil, nil, nil, nil, nil, nil, nil},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
}

func TestMaxRowsStopsReading(t *testing.T) {
	recs := make([][]string, 100)
	for i := range recs {
		recs[i] = []string{"x"}
	}
	for _, window := range []int{0, 2} { // typed from all rows read, or from the first two
		reads := 0
		rows, err := New(context.Background(), []string{"a"}, textRecords(recs, &reads), Options{MaxRows: 6, Window: window})
		if err != nil {
			t.Fatal(err)
		}
		_, got, err := readAll(t, rows)
		if err != nil || len(got) != 6 {
			t.Fatalf("window %d: %d rows, %v; want 6", window, len(got), err)
		}
		if reads != 6 {
			t.Errorf("window %d: %d reads for MaxRows 6, want 6 (no read past the limit)", window, reads)
		}
	}
}

func TestValuesAfterTheWindow(t *testing.T) {
	t.Run("int into a float column", func(t *testing.T) {
		reads := 0
		rows, _ := New(context.Background(), []string{"a"}, textRecords([][]string{{"1.5"}, {"2"}}, &reads), Options{Window: 1})
		cols, got, err := readAll(t, rows)
		if err != nil || cols[0].Type != fetch.TypeFloat || !reflect.DeepEqual(got, [][]any{{1.5}, {2.0}}) {
			t.Errorf("got %v %v, %v", cols, got, err)
		}
	})
	t.Run("anything into a string column keeps its text", func(t *testing.T) {
		reads := 0
		rows, _ := New(context.Background(), []string{"a"}, textRecords([][]string{{"x"}, {"1.50"}, {"true"}}, &reads), Options{Window: 1})
		_, got, err := readAll(t, rows)
		if err != nil || !reflect.DeepEqual(got, [][]any{{"x"}, {"1.50"}, {"true"}}) {
			t.Errorf("got %v, %v", got, err)
		}
	})
	t.Run("a string in an int column is a source error", func(t *testing.T) {
		reads := 0
		rows, _ := New(context.Background(), []string{"qty"}, textRecords([][]string{{"1"}, {"n/a"}}, &reads), Options{Window: 1})
		_, got, err := readAll(t, rows)
		if !errors.Is(err, moniker.ErrSource) || len(got) != 1 {
			t.Fatalf("got %v, %v; want one row and ErrSource", got, err)
		}
		if !strings.Contains(err.Error(), `row 2, column "qty": a string value ("n/a") in a column of int64`) {
			t.Errorf("error = %q", err)
		}
	})
}

func TestKeyedRecords(t *testing.T) {
	objs := []map[string]Value{
		{"a": {fetch.TypeInt, int64(1), "1"}},
		{"b": String("x"), "a": {fetch.TypeFloat, 2.5, "2.5"}},
		{"c": String("after the window"), "b": String("y")},
	}
	keys := [][]string{{"a"}, {"b", "a"}, {"c", "b"}}
	i := 0
	next := func(r *Record) error {
		if i == len(objs) {
			return io.EOF
		}
		for _, k := range keys[i] {
			r.Keys = append(r.Keys, k)
			r.Values = append(r.Values, objs[i][k])
		}
		i++
		return nil
	}
	rows, err := New(context.Background(), nil, next, Options{Window: 2, Mixed: fetch.TypeJSON})
	if err != nil {
		t.Fatal(err)
	}
	cols, got, err := readAll(t, rows)
	if err != nil {
		t.Fatal(err)
	}
	if want := []fetch.Column{col("a", fetch.TypeFloat), col("b", fetch.TypeString)}; !reflect.DeepEqual(cols, want) {
		t.Errorf("columns = %v, want %v", cols, want)
	}
	if want := [][]any{{1.0, nil}, {2.5, "x"}, {nil, "y"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
}

func TestMixedJSON(t *testing.T) {
	vals := []Value{{fetch.TypeInt, int64(1), "1"}, String("x"), {fetch.TypeJSON, map[string]any{"k": 1.0}, ""}}
	i := 0
	next := func(r *Record) error {
		if i == len(vals) {
			return io.EOF
		}
		r.Keys, r.Values = append(r.Keys, "v"), append(r.Values, vals[i])
		i++
		return nil
	}
	rows, _ := New(context.Background(), nil, next, Options{Mixed: fetch.TypeJSON})
	cols, got, err := readAll(t, rows)
	if err != nil || cols[0].Type != fetch.TypeJSON {
		t.Fatalf("columns %v, %v", cols, err)
	}
	if want := [][]any{{1.0}, {"x"}, {map[string]any{"k": 1.0}}}; !reflect.DeepEqual(got, want) {
		t.Errorf("rows = %v, want %v", got, want)
	}
}

func TestPositionalNames(t *testing.T) {
	reads := 0
	rows, _ := New(context.Background(), []string{"p", "p", "q"}, textRecords([][]string{{"1", "2", "3", "4"}}, &reads), Options{})
	cols, _, _ := readAll(t, rows)
	var names []string
	for _, c := range cols {
		names = append(names, c.Name)
	}
	if want := []string{"p", "p_2", "q", "col_3"}; !reflect.DeepEqual(names, want) {
		t.Errorf("names = %v, want %v", names, want)
	}
}

func TestDeadlineIsATimeout(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	reads := 0
	recs := make([][]string, 10)
	for i := range recs {
		recs[i] = []string{"x"}
	}
	next := textRecords(recs, &reads)
	closed := false
	rows, err := New(ctx, []string{"a"}, next, Options{Window: 2, Close: func() error { closed = true; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	rows.Next()
	rows.Next()
	if rows.Next() {
		t.Fatal("a row after ctx ended")
	}
	if !errors.Is(rows.Err(), context.Canceled) || errors.Is(rows.Err(), moniker.ErrTimeout) {
		t.Errorf("cancelled: err = %v, want context.Canceled", rows.Err())
	}
	rows.Close()
	if !closed {
		t.Error("Close did not close the reader")
	}

	ctx, cancel = context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancel()
	_, err = New(ctx, []string{"a"}, next, Options{})
	if !errors.Is(err, moniker.ErrTimeout) {
		t.Errorf("deadline: err = %v, want ErrTimeout", err)
	}
}

func TestNumberAndText(t *testing.T) {
	cases := []struct {
		in   string
		want Value
	}{
		{"0", Value{fetch.TypeInt, int64(0), "0"}},
		{"-12", Value{fetch.TypeInt, int64(-12), "-12"}},
		{"+3", Value{fetch.TypeInt, int64(3), "+3"}},
		{"0.5", Value{fetch.TypeFloat, 0.5, "0.5"}},
		{".5", Value{fetch.TypeFloat, 0.5, ".5"}},
		{"1e3", Value{fetch.TypeFloat, 1000.0, "1e3"}},
		{"9223372036854775808", Value{fetch.TypeFloat, 9223372036854775808.0, "9223372036854775808"}},
		{"007", String("007")},
		{"0x10", String("0x10")},
		{"NaN", String("NaN")},
		{"Inf", String("Inf")},
		{"1_000", String("1_000")},
		{"1e", String("1e")},
		{".", String(".")},
		{"-", String("-")},
		{"1e999", String("1e999")},
		{"True", Value{fetch.TypeBool, true, "True"}},
		{"2026-01-15", Value{fetch.TypeDate, time.Date(2026, 1, 15, 0, 0, 0, 0, time.UTC), "2026-01-15"}},
		{"2026-13-15", String("2026-13-15")},
		{"2026-01-15 10:00:00", Value{fetch.TypeTimestamp, time.Date(2026, 1, 15, 10, 0, 0, 0, time.UTC), "2026-01-15 10:00:00"}},
		{"", Null},
	}
	for _, tc := range cases {
		if got := Text(tc.in); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Text(%q) = %#v, want %#v", tc.in, got, tc.want)
		}
	}
}
