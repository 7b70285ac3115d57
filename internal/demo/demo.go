// Package demo holds the embedded demo data monikerd serves when it runs
// without a config file, written for this project: the catalog of a
// made-up asset manager (prices, rates, reference data, securities,
// benchmarks, fixed income, commodities, portfolios, funds, risk, credit
// and reports; every source type, access policies, deprecated nodes with
// their successors), its domains, business models whose patterns match
// its nodes, and a review queue in the requests registry format.
//
// Seed copies the files into a writable data folder on first start, never
// overwriting a file that is already there, so edits made through the
// management API survive restarts, and generates there the SQLite
// database the catalog's sqlite bindings read (database.go: made-up
// equity prices, zero curves and reference data, the same rows on every
// machine), so /fetch returns rows at once.
package demo

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/moniker-svc/moniker/internal/config"
)

// Names of the seeded files inside the data folder.
const (
	CatalogFile  = "catalog.yaml"
	DomainsFile  = "domains.yaml"
	ModelsFile   = "models.yaml"
	RequestsFile = "requests.yaml"
)

//go:embed data/*.yaml
var files embed.FS

// Files returns the embedded demo files (catalog.yaml, domains.yaml,
// models.yaml, requests.yaml) at the root of a read-only file system.
func Files() fs.FS {
	sub, err := fs.Sub(files, "data")
	if err != nil {
		panic(err) // "data" is a valid, embedded path
	}
	return sub
}

// DefaultDir returns the demo data folder: $MONIKER_DATA_DIR, else
// $XDG_DATA_HOME/moniker, else $HOME/.local/share/moniker, else
// ./moniker-data.
func DefaultDir(getenv func(string) string) string {
	if d := getenv("MONIKER_DATA_DIR"); d != "" {
		return d
	}
	if d := getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "moniker")
	}
	if d := getenv("HOME"); d != "" {
		return filepath.Join(d, ".local", "share", "moniker")
	}
	return "moniker-data"
}

// Seed creates dir if needed, writes each demo file that does not exist
// there yet (an existing file, edited or not, is left alone), generates
// the demo database (DatabaseFile) when it is missing, and returns
// the default configuration with the catalog, domains, models and requests
// paths (and community.data_dir) pointing into dir, as absolute paths.
func Seed(dir string) (*config.Config, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("demo data folder %s: %w", dir, err)
	}
	if err := os.MkdirAll(abs, 0o755); err != nil {
		return nil, fmt.Errorf("creating demo data folder: %w", err)
	}
	src := Files()
	for _, name := range []string{CatalogFile, DomainsFile, ModelsFile, RequestsFile} {
		data, err := fs.ReadFile(src, name)
		if err != nil {
			return nil, fmt.Errorf("embedded demo file %s: %w", name, err)
		}
		if err := writeNew(filepath.Join(abs, name), data); err != nil {
			return nil, fmt.Errorf("seeding demo data: %w", err)
		}
	}
	db := filepath.Join(abs, DatabaseFile)
	if err := createNew(db, func(tmp string) error { return writeDatabase(context.Background(), tmp) }); err != nil {
		return nil, fmt.Errorf("seeding the demo database %s: %w", db, err)
	}
	c := config.Default()
	c.Catalog.DefinitionFile = filepath.Join(abs, CatalogFile)
	c.Domains.DefinitionFile = filepath.Join(abs, DomainsFile)
	c.Models.DefinitionFile = filepath.Join(abs, ModelsFile)
	c.Requests.DefinitionFile = filepath.Join(abs, RequestsFile)
	c.Community.DataDir = filepath.Join(abs, "community_data")
	return c, nil
}

// writeNew writes data to path unless path exists (createNew).
func writeNew(path string, data []byte) error {
	return createNew(path, func(tmp string) error { return os.WriteFile(tmp, data, 0o644) })
}

// createNew creates path with write unless path exists. The file appears
// complete or not at all: write fills a temporary file in the same
// folder, which is hard-linked into place, and that fails if path
// appeared in the meantime (another process seeding the same folder), so
// nothing is ever overwritten.
func createNew(path string, write func(tmp string) error) error {
	if _, err := os.Lstat(path); err == nil {
		return nil
	} else if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	name := tmp.Name()
	defer os.Remove(name)
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := write(name); err != nil {
		return err
	}
	if err := syncFile(name); err != nil {
		return err
	}
	if err := os.Chmod(name, 0o644); err != nil {
		return err
	}
	err = os.Link(name, path)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return nil
	}
	// Some file systems have no hard links: create exclusively instead
	// (not atomic, but still never overwrites).
	data, err := os.ReadFile(name)
	if err != nil {
		return err
	}
	return writeExclusive(path, data)
}

func syncFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeExclusive creates path with O_EXCL; an existing file is kept.
func writeExclusive(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, fs.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	return f.Close()
}
