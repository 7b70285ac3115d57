// Package sqldb is the one database/sql adapter core behind the SQL source
// types (internal/postgres, internal/mysql, internal/sqlite,
// internal/mssql, internal/oracle, internal/snowflake). An engine's
// package supplies only what differs (an Engine): how a binding's config
// becomes a driver connector, how the engine is made read-only, its
// column types and its timeout errors. The core does the rest the same
// way for all: the read-only guard (guard.go) on every query text, one
// bounded pool per distinct connection, reading at most Query.MaxRows
// rows one at a time into reused buffers, the logical column types of
// package fetch, deadlines, and errors that never carry a secret.
package sqldb

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// Engine is what one SQL engine's package supplies to the core.
type Engine struct {
	// Name is the source type (postgres, mysql, ...), in messages.
	Name string
	// Dialect is the engine's lexical rules for the read-only guard.
	Dialect Dialect
	// Connect maps a binding's config to a connector, reading secrets
	// through env (fetch.Secret). A missing or invalid key is an error of
	// kind moniker.ErrInvalid naming the key, never a secret's value.
	Connect func(cfg map[string]any, env fetch.Env) (*Conn, error)
	// Init are statements run once on every new connection, before it
	// serves a query (MySQL: SET SESSION TRANSACTION READ ONLY).
	Init []string
	// Tx, when set, runs every query in its own transaction with these
	// options, started with TxInit (Oracle: SET TRANSACTION READ ONLY)
	// and rolled back when the rows are closed. Engines whose connections
	// are read-only for the whole session leave it nil: a transaction
	// costs two more round trips per query.
	Tx     *sql.TxOptions
	TxInit []string
	// Type maps a result column to its logical type; "" means the type
	// is inferred from the column's value in the first row (SQLite's
	// expressions, which have no declared type).
	Type func(ct *sql.ColumnType) fetch.Type
	// Value, when set, may return a conversion applied to a column's
	// values before the core's own (PostgreSQL's float4, which the driver
	// hands over widened to float64); nil for none.
	Value func(ct *sql.ColumnType) func(any) any
	// ConnID and Kill stop a cancelled query on the server for a driver
	// that only drops its connection when a context ends (MySQL): ConnID
	// is run on every new connection and returns the server's id of it,
	// Kill returns the statement that stops the query running on the
	// connection of that id; it is run on a fresh connection when a
	// query's context ends before its rows are released.
	ConnID string
	Kill   func(id string) string
	// Timeout reports whether err is the engine's own report of a
	// cancelled or timed-out statement (answered as moniker.ErrTimeout).
	// May be nil.
	Timeout func(err error) bool
}

// Conn is how to reach one source.
type Conn struct {
	Connector driver.Connector
	// Label names the connection in log lines (user@host:port/db): no
	// secret.
	Label string
	// Secrets are the values (passwords, tokens, the DSN) that must never
	// appear in an error or a log line: they are replaced with *** in any
	// driver message.
	Secrets []string
}

// Pool defaults, for the bounds Env.Pool leaves at zero.
const (
	DefaultMaxOpen     = 10
	DefaultMaxLifetime = 30 * time.Minute
	DefaultMaxIdleTime = 5 * time.Minute
)

// queryKeys are the config keys that say what to run, not where: Key
// leaves them out so that bindings to one database share a pool.
var queryKeys = map[string]bool{
	"query": true, "table": true, "query_file": true, "segment_names": true,
	"timeout": true, "timeout_seconds": true,
}

// Adapter returns the fetch.Adapter of engine e. log may be nil.
func Adapter(e *Engine, log *slog.Logger) fetch.Adapter {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &adapter{e: e, log: log.With("component", "sqldb", "source_type", e.Name)}
}

type adapter struct {
	e   *Engine
	log *slog.Logger
}

// Key is the engine's name and a hash of every config key except the
// query keys, as written in the catalog (secrets by reference or value,
// never shown): bindings that differ in any of them get their own pool.
func (a *adapter) Key(cfg map[string]any) (string, error) {
	conn := make(map[string]any, len(cfg))
	for k, v := range maps.All(cfg) {
		if !queryKeys[k] {
			conn[k] = v
		}
	}
	b, err := json.Marshal(conn)
	if err != nil {
		return "", moniker.Errorf(moniker.ErrInvalid, "%s config: %v", a.e.Name, err)
	}
	sum := sha256.Sum256(b)
	return a.e.Name + ":" + hex.EncodeToString(sum[:12]), nil
}

// Open opens a pool for cfg, bounded by env.Pool. It does not connect:
// the first query does, so an unreachable source fails its queries (with
// moniker.ErrSource), not the reload that opened it.
func (a *adapter) Open(_ context.Context, cfg map[string]any, env fetch.Env) (fetch.Source, error) {
	c, err := a.e.Connect(cfg, env)
	if err != nil {
		return nil, err
	}
	connector := a.e.Connector(c)
	db := sql.OpenDB(connector)
	p := env.Pool
	if p.MaxOpen <= 0 {
		p.MaxOpen = DefaultMaxOpen
	}
	if p.MaxIdle <= 0 || p.MaxIdle > p.MaxOpen {
		p.MaxIdle = p.MaxOpen
	}
	if p.MaxLifetime <= 0 {
		p.MaxLifetime = DefaultMaxLifetime
	}
	if p.MaxIdleTime <= 0 {
		p.MaxIdleTime = DefaultMaxIdleTime
	}
	db.SetMaxOpenConns(p.MaxOpen)
	db.SetMaxIdleConns(p.MaxIdle)
	db.SetConnMaxLifetime(p.MaxLifetime)
	db.SetConnMaxIdleTime(p.MaxIdleTime)
	s := &source{e: a.e, db: db, connector: connector, label: c.Label, secrets: secretList(c.Secrets), log: a.log.With("source", c.Label)}
	s.log.Info("source pool opened", "max_open", p.MaxOpen, "max_idle", p.MaxIdle)
	return s, nil
}

func secretList(in []string) []string {
	var out []string
	for _, s := range in {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

// source is one pool.
type source struct {
	e         *Engine
	db        *sql.DB
	connector driver.Connector
	label     string
	secrets   []string
	log       *slog.Logger
}

func (s *source) Close() error {
	err := s.db.Close()
	s.log.Info("source pool closed")
	return err
}

// Stats returns the pool's statistics (for tests and metrics).
func (s *source) Stats() sql.DBStats { return s.db.Stats() }

// Query checks q.Text with the read-only guard and runs the statement.
func (s *source) Query(ctx context.Context, q *fetch.Query) (fetch.Rows, error) {
	stmt, err := Check(s.e.Dialect, q.Text)
	if err != nil {
		return nil, err
	}
	qctx, cancel := context.WithCancel(ctx)
	r := &rows{s: s, ctx: ctx, cancel: cancel, max: q.MaxRows}
	if s.e.Tx != nil {
		r.tx, err = s.db.BeginTx(qctx, s.e.Tx)
		if err != nil {
			cancel()
			return nil, s.fail(ctx, err)
		}
		for _, st := range s.e.TxInit {
			if _, err := r.tx.ExecContext(qctx, st); err != nil {
				r.release()
				return nil, s.fail(ctx, err)
			}
		}
		r.rows, err = r.tx.QueryContext(qctx, stmt)
	} else if s.e.Kill != nil {
		err = r.watch(qctx)
		if err == nil {
			r.rows, err = r.conn.QueryContext(qctx, stmt)
		}
	} else {
		r.rows, err = s.db.QueryContext(qctx, stmt)
	}
	if err != nil {
		r.release()
		return nil, s.fail(ctx, err)
	}
	if err := r.init(); err != nil {
		r.release()
		return nil, err
	}
	return r, nil
}

// fail turns a driver error into the error /fetch answers: a timeout when
// ctx's deadline passed or the engine says its statement was cancelled or
// timed out, the caller's cancellation as it is, otherwise
// moniker.ErrSource with the driver's message, secrets replaced (the
// driver's error is not wrapped: its text is what may hold them), marked
// with fetch.ErrConnection when the connection failed (a network error, a
// broken connection, the driver's own connect timeout) so the executor's
// circuit breaker counts it.
func (s *source) fail(ctx context.Context, err error) error {
	switch {
	case errors.Is(ctx.Err(), context.DeadlineExceeded), s.e.Timeout != nil && s.e.Timeout(err):
		return moniker.Errorf(moniker.ErrTimeout, "%s: the query did not finish before its deadline: %w", s.e.Name, context.DeadlineExceeded)
	case ctx.Err() != nil:
		return fmt.Errorf("%s: %w", s.e.Name, ctx.Err())
	}
	e := moniker.Errorf(moniker.ErrSource, "%s: %s", s.e.Name, s.scrub(err.Error()))
	if errors.Is(err, context.DeadlineExceeded) {
		return fetch.Unreachable(e)
	}
	return fetch.ConnectionError(e, err)
}

// scrub replaces every secret in msg with ***.
func (s *source) scrub(msg string) string {
	for _, v := range s.secrets {
		msg = strings.ReplaceAll(msg, v, "***")
	}
	return msg
}

// drainRows is how many rows past MaxRows Close reads to leave the
// connection reusable; a longer result is cancelled instead.
const drainRows = 1024

// rows reads one result.
type rows struct {
	s      *source
	ctx    context.Context // the caller's
	cancel context.CancelFunc
	tx     *sql.Tx
	rows   *sql.Rows
	cols   []fetch.Column
	max    int
	n      int  // rows returned
	peeked bool // vals holds a row read by init, not yet returned
	done   bool // the result is exhausted or failed
	closed bool
	err    error
	vals   []any // scan targets' values
	ptrs   []any // pointers to vals
	row    []any // the current row, normalized
	conv   []func(any) any
	// For engines with Kill: the query's own connection, the watch's stop
	// and its end.
	conn     *sql.Conn
	stopKill func() bool
	killed   chan struct{}
}

// init reads the column types and, when one must be inferred, the first
// row.
func (r *rows) init() error {
	cts, err := r.rows.ColumnTypes()
	if err != nil {
		return r.s.fail(r.ctx, err)
	}
	r.cols = make([]fetch.Column, len(cts))
	r.vals = make([]any, len(cts))
	r.ptrs = make([]any, len(cts))
	r.row = make([]any, len(cts))
	infer := false
	for i, ct := range cts {
		r.ptrs[i] = &r.vals[i]
		r.cols[i] = fetch.Column{Name: ct.Name(), Type: r.s.e.Type(ct)}
		if r.s.e.Value != nil {
			if f := r.s.e.Value(ct); f != nil {
				if r.conv == nil {
					r.conv = make([]func(any) any, len(cts))
				}
				r.conv[i] = f
			}
		}
		infer = infer || r.cols[i].Type == ""
	}
	if !infer {
		return nil
	}
	if r.scan() {
		r.peeked = true
	} else if r.err != nil {
		return r.err
	}
	for i := range r.cols {
		if r.cols[i].Type == "" {
			r.cols[i].Type = typeOf(r.vals[i], r.peeked)
		}
	}
	return nil
}

// typeOf is the logical type of a value of the first row.
func typeOf(v any, ok bool) fetch.Type {
	if !ok {
		return fetch.TypeString
	}
	switch v.(type) {
	case int64:
		return fetch.TypeInt
	case float64:
		return fetch.TypeFloat
	case bool:
		return fetch.TypeBool
	case time.Time:
		return fetch.TypeTimestamp
	case []byte:
		return fetch.TypeBytes
	}
	return fetch.TypeString
}

// scan advances the driver's rows and scans into vals.
func (r *rows) scan() bool {
	if r.done {
		return false
	}
	if !r.rows.Next() {
		r.done = true
		if err := r.rows.Err(); err != nil {
			r.err = r.s.fail(r.ctx, err)
		}
		return false
	}
	if err := r.rows.Scan(r.ptrs...); err != nil {
		r.done = true
		r.err = r.s.fail(r.ctx, err)
		return false
	}
	return true
}

func (r *rows) Columns() []fetch.Column { return r.cols }

func (r *rows) Next() bool {
	if r.closed || r.err != nil || (r.max > 0 && r.n >= r.max) {
		return false
	}
	if r.peeked {
		r.peeked = false
	} else if !r.scan() {
		return false
	}
	for i, v := range r.vals {
		if r.conv != nil && r.conv[i] != nil && v != nil {
			v = r.conv[i](v)
		}
		nv, err := normalize(r.cols[i].Type, v)
		if err != nil {
			r.err = moniker.Errorf(moniker.ErrSource, "%s: column %s: %v (a CAST in the query gives the column one type)", r.s.e.Name, r.cols[i].Name, err)
			return false
		}
		r.row[i] = nv
	}
	r.n++
	return true
}

func (r *rows) Row() []any { return r.row }
func (r *rows) Err() error { return r.err }

// Close releases the result. When the reader stopped before the end (at
// MaxRows), up to drainRows more rows are read so the connection can be
// reused; a longer result is cancelled, which ends the query on the
// server (the driver's cancel: PostgreSQL's cancel request, closing a
// MySQL connection, SQLite's interrupt).
func (r *rows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if !r.done {
		rest := 0
		for rest < drainRows && r.rows.Next() {
			rest++
		}
		if rest == drainRows {
			r.cancel()
		}
	}
	r.release()
	return nil
}

// release closes the driver's rows, ends the transaction and the query's
// context.
func (r *rows) release() {
	if r.rows != nil {
		r.rows.Close()
	}
	if r.tx != nil {
		r.tx.Rollback() // read-only: nothing to keep
	}
	if r.conn != nil {
		if !r.stopKill() {
			<-r.killed // a kill under way ends before the connection is reused
		}
		r.conn.Close()
	}
	r.cancel()
}

// watch takes a connection of the pool for the query and arranges for
// the engine's Kill to stop the query on the server if qctx ends first.
func (r *rows) watch(qctx context.Context) error {
	conn, err := r.s.db.Conn(qctx)
	if err != nil {
		return err
	}
	r.conn = conn
	var id string
	conn.Raw(func(dc any) error {
		if c, ok := dc.(*idConn); ok {
			id = c.id
		}
		return nil
	})
	if id == "" {
		r.stopKill = func() bool { return true }
		return nil
	}
	r.killed = make(chan struct{})
	r.stopKill = context.AfterFunc(qctx, func() {
		defer close(r.killed)
		r.s.kill(id)
	})
	return nil
}
