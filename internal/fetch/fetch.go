// Package fetch is server-side execution (/fetch, DESIGN §6): it runs the
// query a moniker resolves to through the adapter of its source type and
// hands the rows to an encoder as they arrive.
//
// The contract between the executor and the adapters is in this file: an
// Adapter opens a Source (one pool per distinct connection); a Source runs
// a Query and returns Rows, read one row at a time and never the whole
// result at once. Adapters live in packages named after what they wrap
// (internal/postgres, internal/mysql, internal/sqlite, ...), each behind
// the source type of the same name in internal/source, and are registered
// in one table (Adapters) where a target is wired.
package fetch

import (
	"context"
	"time"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// Type is the logical type of a result column, the same for every source:
// encoders map it to JSON, CSV and Arrow.
type Type string

// Column types. A row value of a column is one Go type per Type (nil is
// NULL in every type).
const (
	TypeString    Type = "string"    // string
	TypeInt       Type = "int64"     // int64
	TypeFloat     Type = "float64"   // float64
	TypeBool      Type = "bool"      // bool
	TypeTimestamp Type = "timestamp" // time.Time (JSON: RFC 3339)
	TypeDate      Type = "date"      // time.Time at midnight UTC (JSON: YYYY-MM-DD)
	TypeDecimal   Type = "decimal"   // string, the exact decimal text (JSON: a string)
	TypeBytes     Type = "bytes"     // []byte (JSON: base64)
	TypeJSON      Type = "json"      // any JSON value as encoding/json decodes it
)

// Column is one column of a result, in the query's order.
type Column struct {
	Name string `json:"name"`
	Type Type   `json:"type"`
}

// Rows is a result being read. Next advances to the next row and reports
// false at the end or on an error (Err tells which); Row returns the
// current row, one value per column in Columns order, valid until the next
// call to Next (an adapter may reuse the slice). Close releases the
// result; it is safe to call more than once.
type Rows interface {
	Columns() []Column
	Next() bool
	Row() []any
	Err() error
	Close() error
}

// Query is what a source runs: the moniker's resolution, exactly as
// /resolve answers it. Text is the rendered query (SQL, a REST path, a
// file name): no adapter templates anything again.
type Query struct {
	Text       string
	Connection []moniker.KV
	Params     []moniker.KV
	// Config is the binding's source_binding.config as the catalog has it,
	// for the keys the resolution leaves out (secrets by reference, REST
	// auth, sheet options).
	Config map[string]any
	// MaxRows is how many rows the source may read at most (the caller's
	// limit + 1, to tell a truncated result); the source stops there.
	MaxRows int
}

// Source is an open data source: a connection pool for SQL, an HTTP client
// for REST, a folder for files. It is safe for concurrent use.
type Source interface {
	Query(ctx context.Context, q *Query) (Rows, error)
	Close() error
}

// Adapter opens the sources of one source type.
type Adapter interface {
	// Key returns the identity of the connection cfg describes: bindings
	// whose keys are equal share one Source. It must include every value
	// that changes where or as whom the source connects, and nothing
	// that renders per moniker.
	Key(cfg map[string]any) (string, error)
	// Open opens a Source for cfg. A missing or invalid required key is
	// an error naming the key (moniker.ErrInvalid).
	Open(ctx context.Context, cfg map[string]any, env Env) (Source, error)
}

// Env is what an adapter may use besides the binding's config.
type Env struct {
	// Getenv reads the process environment (secrets given as ${VAR} or by
	// environment variable name).
	Getenv func(string) string
	// ReadFile reads a secret file (password_file); paths relative to the
	// catalog's folder are resolved by the caller.
	ReadFile func(string) ([]byte, error)
	// Dir is the folder that relative file paths of a binding's config
	// which the adapter opens itself (a SQLite database's path, a file
	// folder's base_path) are resolved against: the catalog file's folder.
	// Empty means the working directory.
	Dir string
	// Pool bounds a SQL connection pool.
	Pool PoolConfig
}

// PoolConfig bounds one connection pool.
type PoolConfig struct {
	MaxOpen     int
	MaxIdle     int
	MaxLifetime time.Duration
	MaxIdleTime time.Duration
}

// Adapters maps a source type name to its adapter. A type without an entry
// answers /fetch with 501 (ErrNotImplemented) naming the type.
type Adapters map[string]Adapter
