package main

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/moniker-svc/moniker/client"
)

// fetchFormats are moniker fetch's -format values: table and json from
// the JSON answer, the others the server's stream as it is.
var fetchFormats = []string{"table", "csv", "json", "ndjson", "arrow"}

// fetch runs "moniker fetch": the rows of a moniker, through the server's
// /fetch, as an aligned table (the default), the server's JSON, or its
// CSV, NDJSON or Arrow IPC stream, to stdout or to -o FILE.
func (c *command) fetch(ctx context.Context, args []string) int {
	var (
		limit  int
		format string
		out    string
		bypass bool
	)
	args, ok := c.flags(args, "MONIKER", func(fs *flag.FlagSet) {
		fs.IntVar(&limit, "limit", 0, "at most this many rows (server default 100, max fetch.max_rows)")
		fs.StringVar(&format, "format", "table", "table (aligned columns), csv, json, ndjson or arrow (an Arrow IPC stream)")
		fs.StringVar(&out, "o", "", "write to this file instead of stdout (created when the fetch succeeds)")
		fs.BoolVar(&bypass, "bypass-cache", false, "skip the server's result cache")
	})
	if !ok {
		return exitUsage
	}
	if len(args) != 1 {
		return c.usageError("want exactly one moniker, got %d arguments", len(args))
	}
	if !isFetchFormat(format) {
		return c.usageError("-format %q: want one of %s", format, strings.Join(fetchFormats, ", "))
	}
	if c.opts.json {
		format = "json"
	}
	if format == "arrow" && out == "" && isTerminal(c.stdout) {
		return c.usageError("an Arrow stream is binary: redirect stdout or give -o FILE")
	}
	opts := client.FetchOptions{Limit: limit, BypassCache: bypass}
	ctx, cancel := context.WithTimeout(ctx, c.opts.timeout)
	defer cancel()
	cl := c.client()

	w, finish, err := c.output(out)
	if err != nil {
		fmt.Fprintf(c.stderr, "moniker fetch: %v\n", err)
		return exitError
	}
	switch format {
	case "table", "json":
		var res *client.FetchResult
		if res, err = cl.Fetch(ctx, args[0], opts); err == nil {
			if format == "json" {
				writePrettyJSON(w, c.lastBody)
			} else {
				printRows(w, res)
			}
		}
	default:
		var s *client.Stream
		if s, err = cl.FetchStream(ctx, args[0], format, opts); err == nil {
			_, err = io.Copy(w, s)
			s.Close()
			if err != nil {
				err = fmt.Errorf("the answer broke off before its end (the source failed, or the connection did): %w", err)
			}
		}
	}
	if err = finish(err); err != nil {
		c.reportError(err)
		return exitError
	}
	return exitOK
}

func isFetchFormat(f string) bool {
	for _, v := range fetchFormats {
		if f == v {
			return true
		}
	}
	return false
}

// output returns where fetch writes: stdout, or a temporary file beside
// path that finish renames to path when the fetch succeeded (and removes
// when it did not, so a broken answer never sits in path). finish returns
// the fetch's error, or the file's.
func (c *command) output(path string) (io.Writer, func(error) error, error) {
	if path == "" {
		return c.stdout, func(err error) error { return err }, nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return nil, nil, err
	}
	return f, func(err error) error {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err == nil {
			err = os.Chmod(f.Name(), 0o644)
		}
		if err == nil {
			err = os.Rename(f.Name(), path)
		}
		if err != nil {
			os.Remove(f.Name())
		}
		return err
	}, nil
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// printRows writes res as a table: a header, a rule, one line per row
// with the columns aligned (numbers to the right), NULL as an empty cell,
// then the row count.
func printRows(w io.Writer, res *client.FetchResult) {
	cols := res.Columns
	cells := make([][]string, len(res.Rows))
	width := make([]int, len(cols))
	for i, c := range cols {
		width[i] = utf8.RuneCountInString(c.Name)
	}
	for r, row := range res.Rows {
		cells[r] = make([]string, len(cols))
		for i := range cols {
			s := cellText(row[i], cols[i].Type)
			cells[r][i] = s
			width[i] = max(width[i], utf8.RuneCountInString(s))
		}
	}
	right := make([]bool, len(cols))
	for i, c := range cols {
		right[i] = c.Type == "int64" || c.Type == "float64" || c.Type == "decimal"
	}
	line := func(vals []string) {
		var b strings.Builder
		for i, v := range vals {
			if i > 0 {
				b.WriteString("  ")
			}
			pad := strings.Repeat(" ", width[i]-utf8.RuneCountInString(v))
			if right[i] {
				b.WriteString(pad + v)
			} else if i < len(vals)-1 {
				b.WriteString(v + pad)
			} else {
				b.WriteString(v)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
	names := make([]string, len(cols))
	rules := make([]string, len(cols))
	for i, c := range cols {
		names[i] = c.Name
		rules[i] = strings.Repeat("-", width[i])
	}
	line(names)
	line(rules)
	for _, r := range cells {
		line(r)
	}
	n := len(res.Rows)
	noun := "rows"
	if n == 1 {
		noun = "row"
	}
	switch {
	case res.CacheStatus == "loading":
		fmt.Fprintln(w, "(no rows yet: the server's result cache is loading this result; try again shortly)")
	case res.Truncated:
		fmt.Fprintf(w, "(%d %s; there are more: raise -limit)\n", n, noun)
	default:
		fmt.Fprintf(w, "(%d %s)\n", n, noun)
	}
}

// cellText is a value of a column of type typ as a table cell: NULL
// empty, timestamps in RFC 3339, dates as YYYY-MM-DD, bytes base64, JSON
// compact, control characters escaped so every row stays on its line.
func cellText(v any, typ string) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return escapeControls(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case float64:
		return strconv.FormatFloat(x, 'g', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		if typ == "date" {
			return x.Format(time.DateOnly)
		}
		return x.Format(time.RFC3339Nano)
	case []byte:
		return base64.StdEncoding.EncodeToString(x)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return escapeControls(fmt.Sprint(v))
	}
	return escapeControls(string(b))
}

// escapeControls writes tabs, newlines and other control characters as
// backslash escapes (\t, \n, \r, \xNN).
func escapeControls(s string) string {
	if !strings.ContainsFunc(s, isControl) {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\t':
			b.WriteString(`\t`)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case isControl(r):
			fmt.Fprintf(&b, `\x%02x`, r)
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

func isControl(r rune) bool { return r < 0x20 || r == 0x7f }
