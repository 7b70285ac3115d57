// Package static is the adapter of the static source type: CSV, JSON and
// Parquet files in one folder (base_path), the file named by the
// binding's rendered file_pattern. No file outside the folder can be
// read: names that are absolute or climb out with ".." are refused, and
// the file is opened through an os.Root, so a symbolic link that points
// outside the folder is refused as well.
package static

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/tabular"
)

// Adapter returns the adapter of the static source type.
func Adapter() fetch.Adapter { return adapter{} }

type adapter struct{}

// Key is the folder: bindings reading files of one folder share a Source.
func (adapter) Key(cfg map[string]any) (string, error) {
	base, err := BasePath(cfg)
	if err != nil {
		return "", err
	}
	return "static:" + base, nil
}

func (adapter) Open(_ context.Context, cfg map[string]any, env fetch.Env) (fetch.Source, error) {
	base, err := BasePath(cfg)
	if err != nil {
		return nil, err
	}
	return &source{dir: Folder{Path: Resolve(env.Dir, base)}}, nil
}

// BasePath returns the base_path of cfg, cleaned; it is required.
func BasePath(cfg map[string]any) (string, error) {
	base, err := fetch.String("base_path", cfg["base_path"])
	if err != nil {
		return "", err
	}
	if strings.TrimSpace(base) == "" {
		return "", moniker.Errorf(moniker.ErrInvalid, "base_path: required (the folder the files are read from)")
	}
	return filepath.Clean(base), nil
}

// Resolve returns base against dir (fetch.Env.Dir) when it is relative.
func Resolve(dir, base string) string {
	if filepath.IsAbs(base) || dir == "" {
		return base
	}
	return filepath.Join(dir, base)
}

type source struct {
	dir Folder
}

func (s *source) Close() error { return nil }

func (s *source) Query(ctx context.Context, q *fetch.Query) (fetch.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, tabular.CtxError(err)
	}
	format, err := formatOf(q)
	if err != nil {
		return nil, err
	}
	enc, err := encodingOf(q)
	if err != nil {
		return nil, err
	}
	f, err := s.dir.Open(q.Text)
	if err != nil {
		return nil, err
	}
	// The rows close the file; so does a failure to start reading it
	// (once, whoever comes first).
	closeFile := sync.OnceValue(f.Close)
	var rows fetch.Rows
	switch format {
	case "csv":
		rows, err = readCSV(ctx, f, enc, q.MaxRows, closeFile)
	case "json":
		rows, err = readJSON(ctx, f, enc, q.MaxRows, closeFile)
	case "parquet":
		rows, err = readParquet(ctx, f, q.MaxRows, closeFile)
	}
	if err != nil {
		closeFile()
		return nil, err
	}
	return rows, nil
}

// formatOf returns the binding's format: the format key, else the file
// name's extension, else json. Formats that are not tables (binary, pdf)
// are not read.
func formatOf(q *fetch.Query) (string, error) {
	f, err := fetch.String("format", q.Config["format"])
	if err != nil {
		return "", err
	}
	if f == "" {
		switch strings.ToLower(path.Ext(q.Text)) {
		case ".csv":
			f = "csv"
		case ".parquet", ".pq":
			f = "parquet"
		default:
			f = "json"
		}
	}
	switch f = strings.ToLower(f); f {
	case "csv", "parquet":
		return f, nil
	case "json", "jsonl", "ndjson":
		return "json", nil
	}
	return "", moniker.Errorf(moniker.ErrNotImplemented, "static files of format %q are not read as rows (json, csv and parquet are)", f)
}

// encodingOf returns the text encoding of the binding (utf-8 when unset):
// any WHATWG encoding label, such as latin1, windows-1252 or utf-16le.
func encodingOf(q *fetch.Query) (encoding.Encoding, error) {
	name, err := fetch.String("encoding", q.Config["encoding"])
	if err != nil {
		return nil, err
	}
	if name == "" {
		return unicode.UTF8, nil
	}
	e, err := htmlindex.Get(name)
	if err != nil {
		return nil, moniker.Errorf(moniker.ErrInvalid, "encoding: %q is not a known text encoding", name)
	}
	return e, nil
}

// decoded returns r decoded from enc to UTF-8.
func decoded(r io.Reader, enc encoding.Encoding) io.Reader {
	if enc == unicode.UTF8 {
		return r
	}
	return enc.NewDecoder().Reader(r)
}

// Folder is a folder files are read from, by names that must stay in it.
type Folder struct {
	Path string
}

// Open opens the file name (slash-separated, relative to the folder) for
// reading. A name that is empty, absolute or climbs out of the folder is
// moniker.ErrInvalid, as is one that reaches outside through a symbolic
// link; a file that is not there is moniker.ErrNotFound (the moniker is
// valid but there is no data for it, as a 404 of a REST source); a folder
// that is not there, or any other failure, is moniker.ErrSource. Errors
// name the file, never the folder.
func (d Folder) Open(name string) (*os.File, error) {
	if name == "" || strings.ContainsRune(name, 0) || !filepath.IsLocal(filepath.FromSlash(name)) {
		return nil, moniker.Errorf(moniker.ErrInvalid, "file name %q is not a name inside the source's folder", name)
	}
	root, err := os.OpenRoot(d.Path)
	if err != nil {
		return nil, moniker.Errorf(moniker.ErrSource, "the source's folder (base_path) cannot be opened: %w", unwrapPath(err))
	}
	defer root.Close()
	f, err := root.Open(filepath.FromSlash(name))
	switch {
	case err == nil:
	case errors.Is(err, fs.ErrNotExist):
		return nil, moniker.Errorf(moniker.ErrNotFound, "no file %q for this moniker", name)
	case escapes(err):
		return nil, moniker.Errorf(moniker.ErrInvalid, "file name %q leads outside the source's folder", name)
	default:
		return nil, moniker.Errorf(moniker.ErrSource, "file %q cannot be opened: %w", name, unwrapPath(err))
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return nil, moniker.Errorf(moniker.ErrNotFound, "no file %q for this moniker (not a regular file)", name)
	}
	return f, nil
}

// escapes reports whether err is os.Root's refusal of a path that leaves
// the root (through "..", or a symbolic link pointing outside).
func escapes(err error) bool {
	var pe *fs.PathError
	return errors.As(err, &pe) && strings.Contains(pe.Err.Error(), "path escapes from parent")
}

// unwrapPath returns the cause of a *fs.PathError without its path (the
// folder is the operator's business, not the caller's).
func unwrapPath(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}
