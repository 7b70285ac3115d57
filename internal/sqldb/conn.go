package sqldb

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"time"
)

// Connector returns c's connector with the engine's Init statements run
// on every new connection (and its server id read, for engines with
// Kill): the read-only connection as the core opens it, without the
// guard (tests use it to show that the connection alone refuses writes).
func (e *Engine) Connector(c *Conn) driver.Connector {
	if len(e.Init) == 0 && e.ConnID == "" {
		return c.Connector
	}
	return initConnector{Connector: c.Connector, e: e}
}

// initConnector runs an engine's Init statements on every new connection
// and reads its server id.
type initConnector struct {
	driver.Connector
	e *Engine
}

func (c initConnector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil {
		return nil, err
	}
	ex, ok := conn.(driver.ExecerContext)
	if !ok {
		conn.Close()
		return nil, errors.New("the driver cannot run the connection's set-up statements")
	}
	for _, st := range c.e.Init {
		if _, err := ex.ExecContext(ctx, st, nil); err != nil {
			conn.Close()
			return nil, err
		}
	}
	if c.e.ConnID == "" {
		return conn, nil
	}
	id, err := queryOne(ctx, conn, c.e.ConnID)
	if err != nil {
		conn.Close()
		return nil, err
	}
	return &idConn{Conn: conn, id: id}, nil
}

// queryOne runs text on conn and returns the first column of its first
// row as text.
func queryOne(ctx context.Context, conn driver.Conn, text string) (string, error) {
	q, ok := conn.(driver.QueryerContext)
	if !ok {
		return "", errors.New("the driver cannot run a query on a new connection")
	}
	rows, err := q.QueryContext(ctx, text, nil)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	dest := make([]driver.Value, len(rows.Columns()))
	if err := rows.Next(dest); err != nil || len(dest) == 0 {
		if err == nil || err == io.EOF {
			err = fmt.Errorf("%s returned no row", text)
		}
		return "", err
	}
	switch v := dest[0].(type) {
	case []byte:
		return string(v), nil
	default:
		return fmt.Sprint(v), nil
	}
}

// idConn is a driver connection with its server id. It passes every
// optional interface database/sql looks for on to the driver's
// connection.
type idConn struct {
	driver.Conn
	id string
}

func (c *idConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if q, ok := c.Conn.(driver.QueryerContext); ok {
		return q.QueryContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c *idConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if x, ok := c.Conn.(driver.ExecerContext); ok {
		return x.ExecContext(ctx, query, args)
	}
	return nil, driver.ErrSkip
}

func (c *idConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	if p, ok := c.Conn.(driver.ConnPrepareContext); ok {
		return p.PrepareContext(ctx, query)
	}
	return c.Conn.Prepare(query)
}

func (c *idConn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if b, ok := c.Conn.(driver.ConnBeginTx); ok {
		return b.BeginTx(ctx, opts)
	}
	return nil, errors.New("the driver has no BeginTx")
}

func (c *idConn) Ping(ctx context.Context) error {
	if p, ok := c.Conn.(driver.Pinger); ok {
		return p.Ping(ctx)
	}
	return nil
}

func (c *idConn) ResetSession(ctx context.Context) error {
	if r, ok := c.Conn.(driver.SessionResetter); ok {
		return r.ResetSession(ctx)
	}
	return nil
}

func (c *idConn) IsValid() bool {
	if v, ok := c.Conn.(driver.Validator); ok {
		return v.IsValid()
	}
	return true
}

func (c *idConn) CheckNamedValue(nv *driver.NamedValue) error {
	if n, ok := c.Conn.(driver.NamedValueChecker); ok {
		return n.CheckNamedValue(nv)
	}
	return driver.ErrSkip
}

// killTimeout bounds stopping a query on the server.
const killTimeout = 5 * time.Second

// kill runs the engine's Kill statement for the server connection id on
// a connection of its own (a busy pool must not delay it).
func (s *source) kill(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), killTimeout)
	defer cancel()
	conn, err := s.connector.Connect(ctx)
	if err != nil {
		s.log.Warn("could not stop a cancelled query on the server", "err", s.scrub(err.Error()))
		return
	}
	defer conn.Close()
	if _, err := conn.(driver.ExecerContext).ExecContext(ctx, s.e.Kill(id), nil); err != nil {
		s.log.Warn("could not stop a cancelled query on the server", "err", s.scrub(err.Error()))
	}
}
