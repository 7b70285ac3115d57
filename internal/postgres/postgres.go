// Package postgres is the postgres source type's adapter: PostgreSQL
// through github.com/jackc/pgx/v5 (its database/sql driver, stdlib),
// behind the shared database/sql core (internal/sqldb).
//
// Read-only: every connection starts with default_transaction_read_only
// on (a startup parameter, so a role's own default cannot override it),
// so each statement runs in a read-only transaction without the two round
// trips of BEGIN READ ONLY ... ROLLBACK; the guard refuses SET, RESET,
// DISCARD, set_config and transaction control, the ways back to
// read-write. pgx sends every query with the extended protocol, which
// runs exactly one statement.
package postgres

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/sqldb"
)

// Adapter returns the postgres source type's adapter. log may be nil.
func Adapter(log *slog.Logger) fetch.Adapter { return sqldb.Adapter(&engine, log) }

var engine = sqldb.Engine{
	Name:    "postgres",
	Dialect: sqldb.PostgreSQL,
	Connect: connect,
	Type:    columnType,
	Value: func(ct *sql.ColumnType) func(any) any {
		if ct.DatabaseTypeName() == "FLOAT4" {
			return narrow
		}
		return nil
	},
	Timeout: func(err error) bool {
		var pe *pgconn.PgError
		return errors.As(err, &pe) && pe.Code == "57014" // query_canceled
	},
}

// SSL modes libpq and pgx accept.
var sslModes = []string{"disable", "allow", "prefer", "require", "verify-ca", "verify-full"}

func connect(cfg map[string]any, env fetch.Env) (*sqldb.Conn, error) {
	c, err := Config(cfg, env)
	if err != nil {
		return nil, err
	}
	label := fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
	return &sqldb.Conn{Connector: stdlib.GetConnector(*c), Label: label, Secrets: []string{c.Password}}, nil
}

// Config maps a binding's config to the driver's connection settings:
// host (required), port (5432), database (required), user, the password
// (password, password_env or password_file), sslmode (prefer),
// sslrootcert, schema or search_path, connect_timeout (seconds, 10).
// Values are quoted for pgx's key/value parser, so a password may hold
// any character.
func Config(cfg map[string]any, env fetch.Env) (*pgx.ConnConfig, error) {
	k := sqldb.NewKeys("postgres", cfg, env)
	host := k.Required("host")
	port := k.Port("port", 5432)
	db := k.Required("database")
	user := k.String("user", "")
	sslmode := k.OneOf("sslmode", "prefer", sslModes...)
	root := k.String("sslrootcert", "")
	timeout := k.Int("connect_timeout", 10, 1, 3600)
	path := k.String("search_path", "")
	if schema := k.String("schema", ""); schema != "" && path == "" {
		path = pgx.Identifier{schema}.Sanitize()
	}
	password := k.Secret("password")
	if err := k.Err(); err != nil {
		return nil, err
	}
	var kv []string
	add := func(k, v string) {
		if v != "" {
			kv = append(kv, k+"='"+strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v)+"'")
		}
	}
	add("host", host)
	add("port", strconv.Itoa(port))
	add("dbname", db)
	add("user", user)
	add("sslmode", sslmode)
	add("sslrootcert", root)
	add("connect_timeout", strconv.Itoa(timeout))
	add("password", password)
	c, err := pgx.ParseConfig(strings.Join(kv, " "))
	if err != nil {
		// pgx's message may quote the connection string: say only which
		// settings can be wrong.
		return nil, moniker.Errorf(moniker.ErrInvalid, "postgres config: invalid connection settings (host, sslmode, sslrootcert)")
	}
	c.Password = password // not one from ~/.pgpass or PGPASSWORD
	// The startup parameters are ours alone (PGOPTIONS is not read).
	c.RuntimeParams = map[string]string{
		"application_name":              "moniker",
		"default_transaction_read_only": "on",
	}
	if path != "" {
		c.RuntimeParams["search_path"] = path
	}
	c.ConnectTimeout = time.Duration(timeout) * time.Second
	return c, nil
}

// columnType maps pgx's type names: integers and oids to int64, floats to
// float64, numeric to exact decimal text, dates, timestamps with and
// without a zone, bytea, json and jsonb; anything else (text, uuid,
// intervals, arrays, ...) to its text.
func columnType(ct *sql.ColumnType) fetch.Type {
	switch ct.DatabaseTypeName() {
	case "INT2", "INT4", "INT8", "OID":
		return fetch.TypeInt
	case "FLOAT4", "FLOAT8":
		return fetch.TypeFloat
	case "NUMERIC":
		return fetch.TypeDecimal
	case "BOOL":
		return fetch.TypeBool
	case "DATE":
		return fetch.TypeDate
	case "TIMESTAMP", "TIMESTAMPTZ":
		return fetch.TypeTimestamp
	case "BYTEA":
		return fetch.TypeBytes
	case "JSON", "JSONB":
		return fetch.TypeJSON
	}
	return fetch.TypeString
}

// narrow returns a float4 value, which the driver widens to float64, as
// float32: the core writes it with its shortest decimal form (0.1, not
// 0.10000000149011612).
func narrow(v any) any {
	if f, ok := v.(float64); ok {
		return float32(f)
	}
	return v
}
