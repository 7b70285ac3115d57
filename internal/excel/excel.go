// Package excel is the adapter of the excel source type: one sheet of an
// .xlsx workbook under base_path (the file named by the binding's rendered
// file_pattern, opened as the static adapter opens files, so no name
// leaves the folder), read row by row with excelize's Rows iterator.
package excel

import (
	"context"
	"errors"
	"io"
	"strconv"
	"strings"
	"sync"

	"github.com/xuri/excelize/v2"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/static"
	"github.com/moniker-svc/moniker/internal/tabular"
)

// Adapter returns the adapter of the excel source type.
func Adapter() fetch.Adapter { return adapter{} }

type adapter struct{}

// Key is the folder: bindings reading workbooks of one folder share a
// Source.
func (adapter) Key(cfg map[string]any) (string, error) {
	base, err := static.BasePath(cfg)
	if err != nil {
		return "", err
	}
	return "excel:" + base, nil
}

func (adapter) Open(_ context.Context, cfg map[string]any, env fetch.Env) (fetch.Source, error) {
	base, err := static.BasePath(cfg)
	if err != nil {
		return nil, err
	}
	return &source{dir: static.Folder{Path: static.Resolve(env.Dir, base)}}, nil
}

// maxUnzipped bounds the bytes a workbook may unpack to (excelize's
// default is 16 GB): a zip bomb fails instead of filling memory and disk.
const maxUnzipped = 1 << 30

type source struct {
	dir static.Folder
}

func (s *source) Close() error { return nil }

// options are the binding's sheet options.
type options struct {
	sheet     string // "" is the active sheet
	headerRow int    // 1-based
	skipRows  int    // rows skipped after the header
}

func optionsOf(q *fetch.Query) (options, error) {
	var o options
	var err error
	sheet, _ := q.Param("sheet")
	if sheet == nil {
		sheet = q.Config["sheet"]
	}
	if o.sheet, err = fetch.String("sheet", sheet); err != nil {
		return o, err
	}
	header, ok := q.Param("header_row")
	if !ok {
		header = q.Config["header_row"]
	}
	if o.headerRow, err = fetch.Int("header_row", header, 1); err != nil {
		return o, err
	}
	if o.skipRows, err = fetch.Int("skip_rows", q.Config["skip_rows"], 0); err != nil {
		return o, err
	}
	if o.headerRow < 1 {
		return o, moniker.Errorf(moniker.ErrInvalid, "header_row: must be 1 or more (the first row is 1)")
	}
	if o.skipRows < 0 {
		return o, moniker.Errorf(moniker.ErrInvalid, "skip_rows: must be 0 or more")
	}
	return o, nil
}

// Query reads the sheet: the header_row-th row names the columns (a blank
// one is col_<i>, i from 0), skip_rows rows after it are passed over, and
// every later row that is not fully empty is a record. Columns are typed
// from the first rows (tabular) by their cells: numbers, dates and times
// (cells formatted as dates), booleans and text.
func (s *source) Query(ctx context.Context, q *fetch.Query) (fetch.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, tabular.CtxError(err)
	}
	o, err := optionsOf(q)
	if err != nil {
		return nil, err
	}
	file, err := s.dir.Open(q.Text)
	if err != nil {
		return nil, err
	}
	wb, err := excelize.OpenReader(file, excelize.Options{UnzipSizeLimit: maxUnzipped})
	file.Close() // OpenReader has read the workbook
	if err != nil {
		return nil, moniker.Errorf(moniker.ErrSource, "%q is not an .xlsx workbook: %w", q.Text, err)
	}
	// The rows close the workbook; so does a failure to start reading it
	// (once, whoever comes first).
	closeWB := sync.OnceValue(wb.Close)
	rows, err := readSheet(ctx, wb, o, q.MaxRows, closeWB)
	if err != nil {
		closeWB()
		return nil, err
	}
	return rows, nil
}

func readSheet(ctx context.Context, wb *excelize.File, o options, maxRows int, closeWB func() error) (fetch.Rows, error) {
	sheet := o.sheet
	if sheet == "" {
		sheet = wb.GetSheetName(wb.GetActiveSheetIndex())
	}
	if i, err := wb.GetSheetIndex(sheet); err != nil || i < 0 {
		return nil, moniker.Errorf(moniker.ErrSource, "the workbook has no sheet %q", sheet)
	}
	if err := typedFormats(wb); err != nil {
		return nil, moniker.Errorf(moniker.ErrSource, "reading the workbook's styles: %w", err)
	}
	it, err := wb.Rows(sheet)
	if err != nil {
		return nil, moniker.Errorf(moniker.ErrSource, "reading sheet %q: %w", sheet, err)
	}
	closeAll := sync.OnceValue(func() error { return errors.Join(it.Close(), closeWB()) })
	row := 0
	// cells returns the next row's cells; io.EOF after the last row.
	cells := func() ([]string, error) {
		if !it.Next() {
			if err := it.Error(); err != nil {
				return nil, moniker.Errorf(moniker.ErrSource, "reading sheet %q: %w", sheet, err)
			}
			return nil, io.EOF
		}
		row++
		c, err := it.Columns()
		if err != nil {
			return nil, moniker.Errorf(moniker.ErrSource, "reading sheet %q, row %d: %w", sheet, row, err)
		}
		return c, nil
	}
	var names []string
	for row < o.headerRow+o.skipRows {
		c, err := cells()
		if err == io.EOF {
			break // a sheet shorter than its header: no rows
		}
		if err != nil {
			closeAll()
			return nil, err
		}
		if row == o.headerRow {
			names = make([]string, len(c))
			for i, h := range c {
				if h = strings.TrimSpace(h); h == "" {
					h = "col_" + strconv.Itoa(i)
				}
				names[i] = h
			}
		}
	}
	next := func(r *tabular.Record) error {
		for {
			c, err := cells()
			if err != nil {
				return err
			}
			empty := true
			for _, s := range c {
				v := cellValue(s)
				empty = empty && v.Type == ""
				r.Values = append(r.Values, v)
			}
			if !empty {
				return nil
			}
			r.Values = r.Values[:0] // a fully empty row is not a record
		}
	}
	return tabular.New(ctx, names, next, tabular.Options{MaxRows: maxRows, Mixed: fetch.TypeString, Close: closeAll})
}

// cellValue types a cell as typedFormats renders it: a date cell is
// "YYYY-MM-DD" or "YYYY-MM-DD hh:mm:ss.fff", a time of day "hh:mm:ss", a
// boolean TRUE or FALSE, a number its digits, text itself; an error value
// (#N/A, #DIV/0! ...) is null. Text that reads as a number is a number.
func cellValue(s string) tabular.Value {
	switch s {
	case "#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!", "#CALC!":
		return tabular.Null
	}
	return tabular.Text(s)
}
