package static

import (
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"

	"golang.org/x/text/encoding"
	"strconv"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/tabular"
)

// readCSV reads a CSV file whose first record is the header. Columns are
// typed from the first rows (tabular): integers, decimals, true/false,
// dates (YYYY-MM-DD) and timestamps (RFC 3339) become numbers, booleans and
// times when every value of the column in the window is one; an empty
// field is null. A blank header is col_<i> (i from 0).
func readCSV(ctx context.Context, f *os.File, enc encoding.Encoding, maxRows int, closeFile func() error) (fetch.Rows, error) {
	cr := csv.NewReader(tabular.SkipBOM(decoded(f, enc)))
	cr.FieldsPerRecord = -1 // a short record is nulls, a long one's extra fields are dropped
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err == io.EOF {
		header, err = nil, nil // an empty file: no columns, no rows
	}
	if err != nil {
		return nil, csvError(err)
	}
	names := make([]string, len(header))
	for i, h := range header {
		if h == "" {
			h = "col_" + strconv.Itoa(i)
		}
		names[i] = h
	}
	next := func(r *tabular.Record) error {
		rec, err := cr.Read()
		if err != nil {
			if err == io.EOF {
				return io.EOF
			}
			return csvError(err)
		}
		for _, s := range rec {
			r.Values = append(r.Values, tabular.Text(s))
		}
		return nil
	}
	return tabular.New(ctx, names, next, tabular.Options{MaxRows: maxRows, Mixed: fetch.TypeString, Close: closeFile})
}

func csvError(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return moniker.Errorf(moniker.ErrSource, "not CSV: %w", err)
	}
	return moniker.Errorf(moniker.ErrSource, "reading the file: %w", unwrapPath(err))
}
