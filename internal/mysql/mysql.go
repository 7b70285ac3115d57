// Package mysql is the mysql source type's adapter: MySQL and MariaDB
// through github.com/go-sql-driver/mysql, behind the shared database/sql
// core (internal/sqldb).
//
// Read-only: every connection runs SET SESSION TRANSACTION READ ONLY
// before its first query, so each statement runs in a read-only
// transaction. A session's access mode holds where START TRANSACTION READ
// ONLY does not: DDL commits the open transaction implicitly, so MariaDB
// runs DROP and TRUNCATE inside START TRANSACTION READ ONLY, but refuses
// them (error 1792) in a read-only session (checked on MariaDB 10.11).
// The driver's multi-statement mode and LOAD DATA LOCAL stay off, and the
// guard refuses SET, the way back to read-write.
package mysql

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/sqldb"
)

// Adapter returns the mysql source type's adapter. log may be nil.
func Adapter(log *slog.Logger) fetch.Adapter { return sqldb.Adapter(&engine, log) }

var engine = sqldb.Engine{
	Name:    "mysql",
	Dialect: sqldb.MySQL,
	Connect: connect,
	Init:    []string{"SET SESSION TRANSACTION READ ONLY"},
	// The driver closes its connection when a context ends, which leaves
	// the statement running on the server: KILL CONNECTION stops it. Not
	// KILL QUERY: when the deadline passes while the statement is still on
	// its way, KILL QUERY finds nothing to stop and the statement then runs
	// to its end; a killed connection runs nothing more, and the driver has
	// given it up already.
	ConnID: "SELECT CONNECTION_ID()",
	Kill:   func(id string) string { return "KILL CONNECTION " + id },
	Type:   columnType,
	Timeout: func(err error) bool {
		var me *mysql.MySQLError
		// 1317 query interrupted, 1969 MariaDB's max_statement_time,
		// 3024 MySQL's max_execution_time.
		return errors.As(err, &me) && (me.Number == 1317 || me.Number == 1969 || me.Number == 3024)
	},
}

// TLS modes of the tls key (the driver's names).
var tlsModes = []string{"preferred", "true", "skip-verify", "false"}

func connect(cfg map[string]any, env fetch.Env) (*sqldb.Conn, error) {
	c, err := Config(cfg, env)
	if err != nil {
		return nil, err
	}
	conn, err := mysql.NewConnector(c)
	if err != nil {
		return nil, moniker.Errorf(moniker.ErrInvalid, "mysql config: %v", err)
	}
	label := fmt.Sprintf("%s@%s/%s", c.User, c.Addr, c.DBName)
	return &sqldb.Conn{Connector: conn, Label: label, Secrets: []string{c.Passwd}}, nil
}

// Config maps a binding's config to the driver's: host (required), port
// (3306), database (required), user, the password (password,
// password_env or password_file), tls (preferred: TLS when the server
// offers it, unverified; true verifies the certificate; skip-verify;
// false), connect_timeout (seconds, 10). The driver takes them as a
// struct, not a DSN, so no value needs escaping.
func Config(cfg map[string]any, env fetch.Env) (*mysql.Config, error) {
	k := sqldb.NewKeys("mysql", cfg, env)
	host := k.Required("host")
	port := k.Port("port", 3306)
	db := k.Required("database")
	user := k.String("user", "")
	tlsMode := k.OneOf("tls", "preferred", tlsModes...)
	timeout := k.Int("connect_timeout", 10, 1, 3600)
	password := k.Secret("password")
	if err := k.Err(); err != nil {
		return nil, err
	}
	c := mysql.NewConfig()
	c.Net = "tcp"
	c.Addr = net.JoinHostPort(host, strconv.Itoa(port))
	c.DBName = db
	c.User = user
	c.Passwd = password
	c.TLSConfig = tlsMode
	c.Timeout = time.Duration(timeout) * time.Second
	c.ParseTime = true // DATE, DATETIME and TIMESTAMP as time.Time, in UTC
	c.Loc = time.UTC
	c.MultiStatements = false
	c.AllowAllFiles = false
	c.InterpolateParams = false
	c.Logger = quiet{}
	return c, nil
}

// quiet drops the driver's own log lines (it writes them to stderr);
// every failure also comes back as an error.
type quiet struct{}

func (quiet) Print(...any) {}

// columnType maps the driver's type names: integers (and YEAR) to int64
// except BIGINT UNSIGNED, which can exceed it and is exact decimal text
// like DECIMAL; FLOAT and DOUBLE to float64; DATE; DATETIME and
// TIMESTAMP; JSON (MySQL's type; MariaDB's JSON is LONGTEXT and stays
// text); binary strings, BLOBs and BIT to bytes; the rest (CHAR, TEXT,
// ENUM, SET, TIME, ...) to text.
func columnType(ct *sql.ColumnType) fetch.Type {
	t := ct.DatabaseTypeName()
	switch {
	case t == "UNSIGNED BIGINT", t == "DECIMAL":
		return fetch.TypeDecimal
	case strings.HasSuffix(t, "INT"), t == "YEAR":
		return fetch.TypeInt
	case t == "FLOAT", t == "DOUBLE":
		return fetch.TypeFloat
	case t == "DATE":
		return fetch.TypeDate
	case t == "DATETIME", t == "TIMESTAMP":
		return fetch.TypeTimestamp
	case t == "JSON":
		return fetch.TypeJSON
	case strings.HasSuffix(t, "BLOB"), t == "BINARY", t == "VARBINARY", t == "BIT", t == "GEOMETRY":
		return fetch.TypeBytes
	}
	return fetch.TypeString
}
