// Package mssql is the mssql source type's adapter: Microsoft SQL Server
// through github.com/microsoft/go-mssqldb, behind the shared database/sql
// core (internal/sqldb).
//
// SQL Server has no read-only transaction or session. The guard is what
// keeps a binding to reads (it refuses the write keywords anywhere,
// because T-SQL needs no semicolon between statements), connections
// declare ApplicationIntent=ReadOnly (an availability group routes them
// to a readable secondary), and the login should be a reader only
// (db_datareader). No SQL Server runs where this is built: the mapping
// of the previous service's keys to the driver's settings is unit-tested,
// the queries are not.
package mssql

import (
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"sort"
	"strconv"
	"strings"

	mssqldb "github.com/microsoft/go-mssqldb"
	_ "github.com/microsoft/go-mssqldb/integratedauth/krb5" // trusted_connection: Kerberos
	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/sqldb"
)

// Adapter returns the mssql source type's adapter. log may be nil.
func Adapter(log *slog.Logger) fetch.Adapter { return sqldb.Adapter(&engine, log) }

var engine = sqldb.Engine{
	Name:    "mssql",
	Dialect: sqldb.TSQL,
	Connect: connect,
	Type:    columnType,
	Timeout: func(err error) bool {
		var e mssqldb.Error
		return errors.As(err, &e) && e.Number == 3617 // cancelled by the client's attention
	},
}

func connect(cfg map[string]any, env fetch.Env) (*sqldb.Conn, error) {
	c, dsn, err := Config(cfg, env)
	if err != nil {
		return nil, err
	}
	label := fmt.Sprintf("%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
	return &sqldb.Conn{Connector: mssqldb.NewConnectorConfig(c), Label: label, Secrets: []string{c.Password, dsn}}, nil
}

// Config maps a binding's config to the driver's settings, with the
// previous service's keys: connection_string (an ODBC connection string
// as pyodbc takes it: DRIVER={...};SERVER=host,port;DATABASE=...;UID=...;
// PWD=...; also by connection_string_env or connection_string_file), or
// server (required), port (1433), database (required) and user with the
// password (password, password_env or password_file), or
// trusted_connection (yes: Kerberos with the service's credential cache,
// KRB5CCNAME, or krb5_keytab with user and krb5_realm; krb5_config,
// default /etc/krb5.conf). driver names an ODBC driver, which this Go
// driver does not need: it is ignored. Ours: encrypt (true; false,
// strict, disable), trust_server_certificate (false), connect_timeout
// (seconds, 10). Keys given beside connection_string override it. It
// also returns the driver's DSN, which holds the password.
func Config(cfg map[string]any, env fetch.Env) (msdsn.Config, string, error) {
	k := sqldb.NewKeys("mssql", cfg, env)
	keys := map[string]any{}
	if cs := k.Secret("connection_string"); cs != "" {
		m, err := fromODBC(cs)
		if err != nil {
			return msdsn.Config{}, "", err
		}
		keys = m
		if cfg["password_env"] != nil || cfg["password_file"] != nil {
			delete(keys, "password") // the binding's own form wins
		}
	}
	for name, v := range cfg {
		if v != nil && name != "connection_string" && !strings.HasPrefix(name, "connection_string_") {
			keys[name] = v
		}
	}
	k = sqldb.NewKeys("mssql", keys, env)
	host := k.Required("server")
	port := k.Port("port", 1433)
	db := k.Required("database")
	user := k.String("user", "")
	password := k.Secret("password")
	trusted := k.Bool("trusted_connection", false)
	encrypt := k.OneOf("encrypt", "true", "true", "false", "strict", "disable")
	trustCert := k.Bool("trust_server_certificate", false)
	timeout := k.Int("connect_timeout", 10, 1, 3600)
	keytab, realm, krbConf := k.String("krb5_keytab", ""), k.String("krb5_realm", ""), k.String("krb5_config", "")
	if err := k.Err(); err != nil {
		return msdsn.Config{}, "", err
	}
	switch {
	case trusted && password != "":
		return msdsn.Config{}, "", moniker.Errorf(moniker.ErrInvalid, "mssql config: trusted_connection and a password exclude each other")
	case !trusted && user == "":
		return msdsn.Config{}, "", moniker.Errorf(moniker.ErrInvalid, "mssql config: user is required (or trusted_connection: yes)")
	case trusted && keytab != "" && (user == "" || realm == ""):
		return msdsn.Config{}, "", moniker.Errorf(moniker.ErrInvalid, "mssql config: krb5_keytab needs user and krb5_realm")
	}
	q := url.Values{}
	q.Set("database", db)
	q.Set("encrypt", encrypt)
	q.Set("TrustServerCertificate", strconv.FormatBool(trustCert))
	q.Set("connection timeout", strconv.Itoa(timeout))
	q.Set("dial timeout", strconv.Itoa(timeout))
	q.Set("app name", "moniker")
	q.Set("ApplicationIntent", "ReadOnly")
	u := url.URL{Scheme: "sqlserver", Host: net.JoinHostPort(host, strconv.Itoa(port))}
	if trusted {
		q.Set("authenticator", "krb5")
		if krbConf != "" {
			q.Set("krb5-configfile", krbConf)
		}
		if keytab != "" {
			q.Set("krb5-keytabfile", keytab)
			q.Set("krb5-realm", realm)
		}
		if user != "" {
			u.User = url.User(user)
		}
	} else {
		u.User = url.UserPassword(user, password)
	}
	u.RawQuery = q.Encode()
	dsn := u.String()
	c, err := msdsn.Parse(dsn)
	if err != nil {
		// The driver's message may quote the DSN: name the keys instead.
		return msdsn.Config{}, "", moniker.Errorf(moniker.ErrInvalid, "mssql config: invalid connection settings (server, port, encrypt)")
	}
	return c, dsn, nil
}

// odbcKeys maps the keys of an ODBC connection string (lower-case) to
// the config keys they stand for; driver and any other key are dropped.
var odbcKeys = map[string]string{
	"server": "server", "address": "server", "addr": "server", "data source": "server",
	"database": "database", "initial catalog": "database",
	"uid": "user", "user id": "user", "user": "user",
	"pwd": "password", "password": "password",
	"trusted_connection": "trusted_connection", "integrated security": "trusted_connection",
	"encrypt": "encrypt", "trustservercertificate": "trust_server_certificate",
	"port": "port",
}

// fromODBC reads an ODBC connection string (braces quote a value, }}
// inside them is a brace) into config keys. SERVER may carry the port
// after a comma and a tcp: prefix; Trusted_Connection=yes and
// Integrated Security=SSPI are the same thing.
func fromODBC(s string) (map[string]any, error) {
	c, err := msdsn.Parse("odbc:" + s)
	if err != nil {
		return nil, moniker.Errorf(moniker.ErrInvalid, "mssql config: connection_string is not an ODBC connection string")
	}
	out := map[string]any{}
	names := make([]string, 0, len(c.Parameters))
	for name := range c.Parameters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		key, ok := odbcKeys[name]
		if !ok {
			continue
		}
		v := c.Parameters[name]
		switch key {
		case "server":
			v = strings.TrimPrefix(v, "tcp:")
			if h, p, ok := strings.Cut(v, ","); ok {
				v = h
				out["port"] = strings.TrimSpace(p)
			}
		case "trusted_connection":
			if strings.EqualFold(v, "sspi") {
				v = "yes"
			}
		case "encrypt":
			switch strings.ToLower(v) {
			case "yes", "mandatory":
				v = "true"
			case "no", "optional":
				v = "false"
			}
		}
		out[key] = v
	}
	return out, nil
}

// columnType maps the driver's type names: integers and bits, floats,
// DECIMAL/NUMERIC/MONEY as exact text, DATE, the datetimes, binary types
// to bytes, the rest (character types, UNIQUEIDENTIFIER, TIME, XML, ...)
// to text.
func columnType(ct *sql.ColumnType) fetch.Type {
	switch ct.DatabaseTypeName() {
	case "TINYINT", "SMALLINT", "INT", "BIGINT":
		return fetch.TypeInt
	case "BIT":
		return fetch.TypeBool
	case "REAL", "FLOAT":
		return fetch.TypeFloat
	case "DECIMAL", "NUMERIC", "MONEY", "SMALLMONEY":
		return fetch.TypeDecimal
	case "DATE":
		return fetch.TypeDate
	case "DATETIME", "DATETIME2", "SMALLDATETIME", "DATETIMEOFFSET":
		return fetch.TypeTimestamp
	case "BINARY", "VARBINARY", "IMAGE":
		return fetch.TypeBytes
	}
	return fetch.TypeString
}
