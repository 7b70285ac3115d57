package tabular

import (
	"context"
	"errors"
	"io"
	"reflect"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

func readJSON(t *testing.T, doc string, path []string, maxRows int) ([]fetch.Column, [][]any, error) {
	t.Helper()
	next, err := JSON(strings.NewReader(doc), path)
	if err != nil {
		return nil, nil, err
	}
	rows, err := New(context.Background(), nil, next, Options{MaxRows: maxRows, Mixed: fetch.TypeJSON})
	if err != nil {
		return nil, nil, err
	}
	return readAll(t, rows)
}

func TestJSONDocuments(t *testing.T) {
	cases := []struct {
		name, doc string
		path      []string
		cols      []fetch.Column
		rows      [][]any
	}{
		{"array of objects", "\ufeff" + `[{"b":1,"a":"x"},{"a":"y","b":2.5,"c":null}]`, nil,
			[]fetch.Column{col("b", fetch.TypeFloat), col("a", fetch.TypeString), col("c", fetch.TypeJSON)},
			[][]any{{1.0, "x", nil}, {2.5, "y", nil}}},
		{"json lines", "{\"n\":1,\"ok\":true}\n{\"n\":2,\"ok\":false}\n\n", nil,
			[]fetch.Column{col("n", fetch.TypeInt), col("ok", fetch.TypeBool)},
			[][]any{{int64(1), true}, {int64(2), false}}},
		{"one object", `{"n":1.0,"nested":{"k":[1,2]}}`, nil,
			[]fetch.Column{col("n", fetch.TypeInt), col("nested", fetch.TypeJSON)},
			[][]any{{int64(1), map[string]any{"k": []any{1.0, 2.0}}}}},
		{"array of scalars", `[1, "two", [3]]`, nil,
			[]fetch.Column{col("value", fetch.TypeJSON)},
			[][]any{{1.0}, {"two"}, {[]any{3.0}}}},
		{"empty array", `[]`, nil, nil, nil},
		{"empty document", " \n", nil, nil, nil},
		{"big and fractional numbers", `[{"a":9007199254740993,"b":1e300,"c":0.1}]`, nil,
			[]fetch.Column{col("a", fetch.TypeInt), col("b", fetch.TypeFloat), col("c", fetch.TypeFloat)},
			[][]any{{int64(9007199254740993), 1e300, 0.1}}},
		{"response path", `{"meta":{"n":2,"skip":[{"x":[1,{"y":2}]}]},"data":{"items":[{"id":1},{"id":2}]}}`, []string{"data", "items"},
			[]fetch.Column{col("id", fetch.TypeInt)}, [][]any{{int64(1)}, {int64(2)}}},
		{"response path with an index", `{"results":[{"rows":[{"a":1}]},{"rows":[{"a":2},{"a":3}]}]}`, []string{"results", "1", "rows"},
			[]fetch.Column{col("a", fetch.TypeInt)}, [][]any{{int64(2)}, {int64(3)}}},
		{"response path to an object", `{"quote":{"px":1.5}}`, []string{"quote"},
			[]fetch.Column{col("px", fetch.TypeFloat)}, [][]any{{1.5}}},
		{"response path to a scalar", `{"count":3}`, []string{"count"},
			[]fetch.Column{col("value", fetch.TypeInt)}, [][]any{{int64(3)}}},
		{"response path to an empty array", `{"data":[]}`, []string{"data"}, nil, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cols, rows, err := readJSON(t, tc.doc, tc.path, 0)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(cols, tc.cols) && (len(cols) != 0 || len(tc.cols) != 0) {
				t.Errorf("columns = %v, want %v", cols, tc.cols)
			}
			if !reflect.DeepEqual(rows, tc.rows) {
				t.Errorf("rows = %#v, want %#v", rows, tc.rows)
			}
		})
	}
}

func TestJSONErrors(t *testing.T) {
	cases := []struct {
		name, doc string
		path      []string
		err       string
	}{
		{"no key", `{"data":{"other":[]}}`, []string{"data", "items"}, `response_path data.items: data has no key "items"`},
		{"not an index", `{"data":[{}]}`, []string{"data", "first"}, `data is an array, "first" is not an index`},
		{"index out of range", `{"data":[{}]}`, []string{"data", "1"}, `data has no element 1`},
		{"through a scalar", `{"data":3}`, []string{"data", "x"}, `data is not an object or array`},
		{"not JSON", `<html>`, nil, `not JSON`},
		{"truncated array", `[{"a":1},{"a":`, nil, `unexpected EOF`},
		{"garbage after a line", "{\"a\":1}\nnope", nil, `not JSON`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := readJSON(t, tc.doc, tc.path, 0)
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Fatalf("error = %v, want %q", err, tc.err)
			}
			if !errors.Is(err, moniker.ErrSource) {
				t.Errorf("error %v is not ErrSource", err)
			}
		})
	}
}

// countingReader counts the bytes read from it.
type countingReader struct {
	r io.Reader
	n int
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += n
	return n, err
}

func TestJSONStreams(t *testing.T) {
	var b strings.Builder
	b.WriteString("[")
	for i := range 200000 {
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString(`{"id":12345,"name":"a fairly long name to fill the bytes"}`)
	}
	b.WriteString("]")
	cr := &countingReader{r: strings.NewReader(b.String())}
	next, err := JSON(cr, nil)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := New(context.Background(), nil, next, Options{MaxRows: 11})
	if err != nil {
		t.Fatal(err)
	}
	_, got, err := readAll(t, rows)
	if err != nil || len(got) != 11 {
		t.Fatalf("%d rows, %v", len(got), err)
	}
	if cr.n > 64<<10 {
		t.Errorf("read %d bytes of %d for 11 rows: not streaming", cr.n, b.Len())
	}
}
