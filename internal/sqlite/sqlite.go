// Package sqlite is the sqlite source type's adapter: SQLite database
// files read through modernc.org/sqlite (pure Go), behind the shared
// database/sql core (internal/sqldb).
//
// Read-only three ways: the file is opened read-only (mode=ro: every
// write fails with SQLITE_READONLY, a missing file is an error rather
// than a new empty database), with PRAGMA query_only, and with an
// authorizer on every connection that lets SQLite compile only reads
// (SELECT, reading columns, functions, recursive CTEs); the guard refuses
// any text that is not one read statement before that.
package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"log/slog"
	"net/url"
	"path/filepath"
	"strings"

	"modernc.org/sqlite"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/sqldb"
)

// Adapter returns the sqlite source type's adapter. log may be nil.
func Adapter(log *slog.Logger) fetch.Adapter { return sqldb.Adapter(&engine, log) }

var engine = sqldb.Engine{
	Name:    "sqlite",
	Dialect: sqldb.SQLite,
	Connect: connect,
	Type:    columnType,
	Timeout: func(err error) bool { return strings.Contains(err.Error(), "interrupted") },
}

// connect opens the file of config key path: absolute, or relative to
// env.Dir (the catalog file's folder).
func connect(cfg map[string]any, env fetch.Env) (*sqldb.Conn, error) {
	p, _ := cfg["path"].(string)
	if p == "" {
		return nil, moniker.Errorf(moniker.ErrInvalid, "sqlite config: path is required (the database file)")
	}
	p, err := fetch.Expand("path", p, env)
	if err != nil {
		return nil, err
	}
	if !filepath.IsAbs(p) {
		p = filepath.Join(env.Dir, p)
	}
	if p, err = filepath.Abs(p); err != nil {
		return nil, moniker.Errorf(moniker.ErrInvalid, "sqlite config: path: %v", err)
	}
	drv := &sqlite.Driver{}
	drv.RegisterConnectionHook(func(c sqlite.ExecQuerierContext, _ string) error {
		a, ok := c.(sqlite.AuthorizerRegisterer)
		if !ok {
			return errNoAuthorizer
		}
		return a.RegisterAuthorizer(readOnly)
	})
	return &sqldb.Conn{Connector: connector{dsn: DSN(p), drv: drv}, Label: p}, nil
}

var errNoAuthorizer = moniker.Errorf(moniker.ErrSource, "sqlite: the driver offers no authorizer")

// DSN is the driver's name of the database file at the absolute path p,
// opened read-only with query_only.
func DSN(p string) string {
	u := url.URL{Path: filepath.ToSlash(p)}
	return "file:" + u.EscapedPath() + "?mode=ro&_pragma=query_only(1)"
}

// readOnly is the authorizer: SQLite asks it for every operation a
// statement would perform while compiling it.
func readOnly(action sqlite.AuthorizerActionCode, _, _, _, _ string) sqlite.AuthorizerReturnCode {
	switch action {
	case sqlite.AuthSelect, sqlite.AuthRead, sqlite.AuthFunction, sqlite.AuthRecursive:
		return sqlite.AuthorizerOK
	}
	return sqlite.AuthorizerDeny
}

// connector opens connections of one driver (with its authorizer hook)
// to one file.
type connector struct {
	dsn string
	drv *sqlite.Driver
}

func (c connector) Connect(context.Context) (driver.Conn, error) { return c.drv.Open(c.dsn) }
func (c connector) Driver() driver.Driver                        { return c.drv }

// columnType maps a column's declared type (SQLite's type affinity rules,
// https://www.sqlite.org/datatype3.html §3.1, after the names that say
// more: BOOLEAN, DATE, DATETIME, TIMESTAMP, JSON, DECIMAL, NUMERIC). A
// column without a declared type (an expression, an aggregate) or of
// NUMERIC affinity under another name takes the type of its value in the
// first row; later values are converted to it.
func columnType(ct *sql.ColumnType) fetch.Type {
	t := ct.DatabaseTypeName()
	switch {
	case t == "":
		return ""
	case strings.HasPrefix(t, "BOOL"):
		return fetch.TypeBool
	case strings.HasPrefix(t, "DATETIME"), strings.HasPrefix(t, "TIMESTAMP"):
		return fetch.TypeTimestamp
	case strings.HasPrefix(t, "DATE"):
		return fetch.TypeDate
	case strings.HasPrefix(t, "JSON"):
		return fetch.TypeJSON
	case strings.HasPrefix(t, "DECIMAL"), strings.HasPrefix(t, "NUMERIC"):
		return fetch.TypeDecimal
	case strings.Contains(t, "INT"):
		return fetch.TypeInt
	case strings.Contains(t, "CHAR"), strings.Contains(t, "CLOB"), strings.Contains(t, "TEXT"):
		return fetch.TypeString
	case strings.Contains(t, "BLOB"):
		return fetch.TypeBytes
	case strings.Contains(t, "REAL"), strings.Contains(t, "FLOA"), strings.Contains(t, "DOUB"):
		return fetch.TypeFloat
	}
	return ""
}
