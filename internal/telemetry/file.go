package telemetry

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// File writes events as JSON lines to files named by a date pattern
// (evaluated in UTC on each event's timestamp), rolling over to
// <stem>.1<ext>, <stem>.2<ext>, ... when a file would pass maxBytes. A
// line is never split across files, and every batch is fsynced.
type File struct {
	dir      string
	pattern  []patternPart
	maxBytes int64

	f    *os.File
	base string // pattern name of the open file
	path string // the open file (base or a numbered one)
	n    int    // its number (0 = base)
	size int64  // its size

	minute int64 // cache of the pattern name, per UTC minute
	nameAt string
	enc    encoder
	buf    []byte
}

// patternPart is a literal or one strftime directive of a path pattern.
type patternPart struct {
	lit string
	dir byte // 'Y', 'm', 'd', 'H', 'M', or 0 for lit
}

// parsePattern accepts the strftime subset %Y %m %d %H %M and %%.
func parsePattern(p string) ([]patternPart, error) {
	if p == "" {
		return nil, errors.New("path_pattern is empty")
	}
	var parts []patternPart
	var lit strings.Builder
	for i := 0; i < len(p); i++ {
		if p[i] != '%' {
			lit.WriteByte(p[i])
			continue
		}
		if i+1 == len(p) {
			return nil, fmt.Errorf("path_pattern %q ends with a lone %%", p)
		}
		i++
		switch c := p[i]; c {
		case '%':
			lit.WriteByte('%')
		case 'Y', 'm', 'd', 'H', 'M':
			if lit.Len() > 0 {
				parts = append(parts, patternPart{lit: lit.String()})
				lit.Reset()
			}
			parts = append(parts, patternPart{dir: c})
		default:
			return nil, fmt.Errorf("path_pattern %q: %%%c is not supported (only %%Y %%m %%d %%H %%M %%%%)", p, c)
		}
	}
	if lit.Len() > 0 {
		parts = append(parts, patternPart{lit: lit.String()})
	}
	return parts, nil
}

// nameFor evaluates the pattern at t (UTC).
func (fl *File) nameFor(t time.Time) string {
	m := t.Unix() / 60
	if fl.nameAt != "" && m == fl.minute {
		return fl.nameAt
	}
	t = t.UTC()
	var b []byte
	for _, p := range fl.pattern {
		switch p.dir {
		case 0:
			b = append(b, p.lit...)
		case 'Y':
			b = appendDigits(b, t.Year(), 4)
		case 'm':
			b = appendDigits(b, int(t.Month()), 2)
		case 'd':
			b = appendDigits(b, t.Day(), 2)
		case 'H':
			b = appendDigits(b, t.Hour(), 2)
		case 'M':
			b = appendDigits(b, t.Minute(), 2)
		}
	}
	fl.minute, fl.nameAt = m, string(b)
	return fl.nameAt
}

// NewFile returns a file sink writing under dir, which it creates.
// pattern names the files (strftime %Y %m %d %H %M %%, in UTC; it may
// contain "/" for dated folders); maxBytes > 0 rolls a file over before
// it would pass that size (0 = no limit).
func NewFile(dir, pattern string, maxBytes int64) (*File, error) {
	parts, err := parsePattern(pattern)
	if err != nil {
		return nil, err
	}
	if maxBytes < 0 {
		return nil, fmt.Errorf("max_bytes %d is negative", maxBytes)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("telemetry directory: %w", err)
	}
	return &File{dir: dir, pattern: parts, maxBytes: maxBytes}, nil
}

// numbered is the name of rollover file n of base: stem.n.ext.
func numbered(base string, n int) string {
	if n == 0 {
		return base
	}
	ext := filepath.Ext(base)
	return base[:len(base)-len(ext)] + "." + strconv.Itoa(n) + ext
}

// open switches to base, continuing its newest existing file (after a
// restart) or creating it.
func (fl *File) open(base string) error {
	if err := fl.closeFile(); err != nil {
		return err
	}
	n := 0
	for i := 1; ; i++ {
		if _, err := os.Stat(filepath.Join(fl.dir, numbered(base, i))); err != nil {
			break
		}
		n = i
	}
	fl.base = base
	return fl.openN(n)
}

func (fl *File) openN(n int) error {
	path := filepath.Join(fl.dir, numbered(fl.base, n))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		_ = f.Close()
		return err
	}
	fl.f, fl.path, fl.n, fl.size = f, path, n, st.Size()
	return nil
}

// closeFile syncs and closes the open file.
func (fl *File) closeFile() error {
	if fl.f == nil {
		return nil
	}
	err := errors.Join(fl.f.Sync(), fl.f.Close())
	fl.f = nil
	return err
}

// put writes whole lines to the open file. On a failed write it cuts the
// file back to its previous size, so no partial line stays behind.
func (fl *File) put(b []byte) error {
	if len(b) == 0 {
		return nil
	}
	n, err := fl.f.Write(b)
	if err != nil {
		if n > 0 {
			_ = fl.f.Truncate(fl.size)
		}
		return fmt.Errorf("write %s: %w", fl.path, err)
	}
	fl.size += int64(n)
	return nil
}

// Write appends the batch, one line per event, switching files by
// pattern and size, and fsyncs.
func (fl *File) Write(ctx context.Context, events []Event) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	b := fl.buf[:0]
	for i := range events {
		e := &events[i]
		if base := fl.nameFor(e.Timestamp); fl.f == nil || base != fl.base {
			if err := fl.put(b); err != nil {
				return err
			}
			b = b[:0]
			if err := fl.open(base); err != nil {
				return err
			}
		}
		start := len(b)
		b = fl.enc.append(b, e)
		b = append(b, '\n')
		if fl.maxBytes > 0 && fl.size+int64(start) > 0 && fl.size+int64(len(b)) > fl.maxBytes {
			// The line would pass max_bytes: finish this file without it
			// and start the next one with it.
			if err := fl.put(b[:start]); err != nil {
				return err
			}
			b = b[:copy(b, b[start:])]
			if err := fl.closeFile(); err != nil {
				return err
			}
			if err := fl.openN(fl.n + 1); err != nil {
				return err
			}
		}
	}
	fl.buf = b[:0]
	if cap(b) > 4<<20 {
		fl.buf = nil
	}
	if err := fl.put(b); err != nil {
		return err
	}
	if fl.f == nil {
		return nil
	}
	return fl.f.Sync()
}

// Close syncs and closes the current file.
func (fl *File) Close() error { return fl.closeFile() }

// Path is the file written last ("" before the first batch).
func (fl *File) Path() string { return fl.path }
