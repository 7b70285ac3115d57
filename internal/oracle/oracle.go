// Package oracle is the oracle source type's adapter: Oracle Database
// through github.com/sijms/go-ora/v2 (pure Go), behind the shared
// database/sql core (internal/sqldb).
//
// Read-only: every query runs in its own transaction that starts with
// SET TRANSACTION READ ONLY and is rolled back when its rows are closed
// (the driver has no read-only option of its own); Oracle runs one
// statement per call; the guard refuses anything but one read, PL/SQL
// blocks included. DDL commits a transaction implicitly, so bind a user
// that can only read. No Oracle server runs where this is built: the
// mapping of the previous service's keys is unit-tested, the queries are
// not.
package oracle

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strconv"
	"strings"

	go_ora "github.com/sijms/go-ora/v2"
	"github.com/sijms/go-ora/v2/configurations"
	"github.com/sijms/go-ora/v2/network"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/sqldb"
)

// Adapter returns the oracle source type's adapter. log may be nil.
func Adapter(log *slog.Logger) fetch.Adapter { return sqldb.Adapter(&engine, log) }

var engine = sqldb.Engine{
	Name:    "oracle",
	Dialect: sqldb.Oracle,
	Connect: connect,
	Tx:      &sql.TxOptions{},
	TxInit:  []string{"SET TRANSACTION READ ONLY"},
	Type:    columnType,
	Timeout: func(err error) bool {
		var oe *network.OracleError
		return errors.As(err, &oe) && oe.ErrCode == 1013 // user requested cancel
	},
}

func connect(cfg map[string]any, env fetch.Env) (*sqldb.Conn, error) {
	dsn, label, password, err := DSN(cfg, env)
	if err != nil {
		return nil, err
	}
	return &sqldb.Conn{Connector: go_ora.NewConnector(dsn), Label: label, Secrets: []string{password, dsn}}, nil
}

// DSN maps a binding's config to the driver's URL, with the previous
// service's keys: dsn (an EZConnect host[:port]/service_name, or a TNS
// connect descriptor (DESCRIPTION=...)), or host (localhost), port (1521)
// and service_name; user and the password (password, password_env or
// password_file). Ours: ssl (false) and ssl_verify (true),
// connect_timeout (seconds, 10). It also returns the connection's label
// (no secret) and the password.
func DSN(cfg map[string]any, env fetch.Env) (dsn, label, password string, err error) {
	k := sqldb.NewKeys("oracle", cfg, env)
	desc := k.String("dsn", "")
	host := k.String("host", "localhost")
	port := k.Port("port", 1521)
	service := k.String("service_name", "")
	user := k.Required("user")
	password = k.Secret("password")
	ssl := k.Bool("ssl", false)
	verify := k.Bool("ssl_verify", true)
	timeout := k.Int("connect_timeout", 10, 1, 3600)
	if err := k.Err(); err != nil {
		return "", "", "", err
	}
	q := url.Values{}
	q.Set("CONNECTION TIMEOUT", strconv.Itoa(timeout))
	q.Set("PROGRAM", "moniker")
	if ssl {
		q.Set("SSL", "true")
		q.Set("SSL VERIFY", strconv.FormatBool(verify))
	}
	switch {
	case strings.HasPrefix(strings.TrimSpace(desc), "("):
		q.Set("connStr", desc)
		host, port, service = "", 0, ""
		label = user + "@(descriptor)"
	case desc != "":
		h, p, s, perr := ezConnect(desc)
		if perr != nil {
			return "", "", "", perr
		}
		host, service = h, s
		if p != 0 {
			port = p
		}
		fallthrough
	default:
		if service == "" {
			return "", "", "", moniker.Errorf(moniker.ErrInvalid, "oracle config: service_name is required (or dsn)")
		}
		label = fmt.Sprintf("%s@%s:%d/%s", user, host, port, service)
	}
	u := url.URL{Scheme: "oracle", User: url.UserPassword(user, password), Path: "/" + service, RawQuery: q.Encode()}
	if host != "" {
		u.Host = net.JoinHostPort(host, strconv.Itoa(port))
	} else {
		u.Host = ":0"
	}
	dsn = u.String()
	if _, err := configurations.ParseConfig(dsn); err != nil {
		return "", "", "", moniker.Errorf(moniker.ErrInvalid, "oracle config: invalid connection settings (dsn, host, port, service_name)")
	}
	return dsn, label, password, nil
}

// ezConnect reads an EZConnect name: [//]host[:port]/service_name.
func ezConnect(s string) (host string, port int, service string, err error) {
	s = strings.TrimPrefix(strings.TrimSpace(s), "//")
	hp, service, ok := strings.Cut(s, "/")
	if !ok || service == "" || hp == "" {
		return "", 0, "", moniker.Errorf(moniker.ErrInvalid, "oracle config: dsn must be host[:port]/service_name or a (DESCRIPTION=...) descriptor")
	}
	host = hp
	if h, p, err := net.SplitHostPort(hp); err == nil {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return "", 0, "", moniker.Errorf(moniker.ErrInvalid, "oracle config: dsn has an invalid port")
		}
		host, port = h, n
	}
	return host, port, service, nil
}

// columnType maps go-ora's type names: NUMBER(p) with p up to 18 and no
// scale to int64, any other NUMBER to exact decimal text, binary floats
// to float64, DATE (which has a time) and the timestamps to time.Time,
// RAW and BLOB to bytes, the rest (VARCHAR2, CHAR, CLOB, intervals,
// ROWID, ...) to text.
func columnType(ct *sql.ColumnType) fetch.Type {
	switch ct.DatabaseTypeName() {
	case "NUMBER":
		if p, s, ok := ct.DecimalSize(); ok && p > 0 && p <= 18 && s == 0 {
			return fetch.TypeInt
		}
		return fetch.TypeDecimal
	case "IBFloat", "IBDouble", "BFloat", "BDouble", "FLOAT":
		return fetch.TypeFloat
	case "DATE", "TIMESTAMP", "TIMESTAMPTZ", "TimeStampDTY", "TimeStampTZ_DTY", "TimeStampeLTZ", "TimeStampLTZ_DTY":
		return fetch.TypeTimestamp
	case "RAW", "LongRaw", "VarRaw", "LongVarRaw", "OCIBlobLocator":
		return fetch.TypeBytes
	}
	return fetch.TypeString
}
