package mssql

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/microsoft/go-mssqldb/msdsn"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

const password = `p@ss:w/o;rd{}"' =%`

func TestConfigKeys(t *testing.T) {
	c, dsn, err := Config(map[string]any{
		"server": "sql.example", "port": 1533, "database": "credit", "user": "reader", "password": password,
		"driver": "ODBC Driver 18 for SQL Server", "connect_timeout": "7",
	}, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Host != "sql.example" || c.Port != 1533 || c.Database != "credit" || c.User != "reader" || c.Password != password ||
		!c.ReadOnlyIntent || c.AppName != "moniker" || c.Encryption != msdsn.EncryptionRequired || c.DialTimeout != 7*time.Second {
		t.Errorf("config = %+v", c)
	}
	if _, ok := c.Parameters["driver"]; ok {
		t.Error("driver reached the Go driver")
	}
	// The DSN parses back to the same password.
	back, err := msdsn.Parse(dsn)
	if err != nil || back.Password != password {
		t.Errorf("DSN round trip: %v", err)
	}
	c, _, err = Config(map[string]any{"server": "h", "database": "d", "user": "u", "password_env": "MSPW", "encrypt": "false",
		"trust_server_certificate": true}, fetch.Env{Getenv: func(string) string { return "from-env" }})
	if err != nil || c.Port != 1433 || c.Password != "from-env" || c.Encryption != msdsn.EncryptionOff {
		t.Errorf("defaults: %v %+v", err, c)
	}
}

// TestConfigConnectionString: the previous service's pyodbc connection
// string, braces and all.
func TestConfigConnectionString(t *testing.T) {
	cs := "DRIVER={ODBC Driver 17 for SQL Server};SERVER=tcp:sql.example,1444;DATABASE=credit;UID=reader;PWD={" +
		strings.ReplaceAll(password, "}", "}}") + "};Encrypt=yes"
	c, _, err := Config(map[string]any{"connection_string": cs}, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if c.Host != "sql.example" || c.Port != 1444 || c.Database != "credit" || c.User != "reader" || c.Password != password ||
		c.Encryption != msdsn.EncryptionRequired || !c.ReadOnlyIntent {
		t.Errorf("config = host %q port %d db %q user %q password ok %v", c.Host, c.Port, c.Database, c.User, c.Password == password)
	}
	// A key beside it wins; the password from a file replaces PWD.
	c, _, err = Config(map[string]any{"connection_string": cs, "database": "other", "password_file": "/run/pw"},
		fetch.Env{ReadFile: func(string) ([]byte, error) { return []byte("filed\n"), nil }})
	if err != nil || c.Database != "other" || c.Password != "filed" {
		t.Errorf("override: %v %+v", err, c)
	}
	// From the environment, whole.
	c, _, err = Config(map[string]any{"connection_string_env": "MSSQL_CS"}, fetch.Env{Getenv: func(string) string { return cs }})
	if err != nil || c.Host != "sql.example" {
		t.Errorf("connection_string_env: %v", err)
	}
}

func TestConfigTrusted(t *testing.T) {
	c, _, err := Config(map[string]any{"connection_string": "DRIVER={ODBC Driver 18 for SQL Server};SERVER=h;DATABASE=d;Trusted_Connection=yes"}, fetch.Env{})
	if err != nil || c.Parameters["authenticator"] != "krb5" || c.Password != "" {
		t.Errorf("trusted: %v %v", err, c.Parameters)
	}
	c, _, err = Config(map[string]any{"server": "h", "database": "d", "trusted_connection": "yes", "user": "svc",
		"krb5_keytab": "/etc/svc.keytab", "krb5_realm": "EXAMPLE.COM", "krb5_config": "/etc/krb5.conf"}, fetch.Env{})
	if err != nil || c.Parameters["krb5-keytabfile"] != "/etc/svc.keytab" || c.Parameters["krb5-realm"] != "EXAMPLE.COM" || c.User != "svc" {
		t.Errorf("keytab: %v %v", err, c.Parameters)
	}
}

func TestConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  map[string]any
		want string
	}{
		{map[string]any{"database": "d", "user": "u"}, "server is required"},
		{map[string]any{"server": "h", "user": "u"}, "database is required"},
		{map[string]any{"server": "h", "database": "d"}, "user is required"},
		{map[string]any{"server": "h", "database": "d", "trusted_connection": "yes", "password": "x"}, "exclude"},
		{map[string]any{"server": "h", "database": "d", "trusted_connection": "maybe"}, "trusted_connection"},
		{map[string]any{"server": "h", "database": "d", "trusted_connection": true, "krb5_keytab": "/k"}, "krb5_realm"},
		{map[string]any{"server": "h", "database": "d", "user": "u", "encrypt": "always"}, "encrypt"},
		{map[string]any{"connection_string": "SERVER={h"}, "connection_string"},
	} {
		_, _, err := Config(tc.cfg, fetch.Env{})
		if !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Config(%v) = %v, want ErrInvalid with %q", tc.cfg, err, tc.want)
		}
	}
}

// TestUnreachable: no server here; a query fails with ErrSource, without
// the password.
func TestUnreachable(t *testing.T) {
	src, err := Adapter(nil).Open(t.Context(), map[string]any{"server": "127.0.0.1", "port": 1, "database": "d", "user": "u",
		"password": password, "connect_timeout": 2}, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	_, err = src.Query(t.Context(), &fetch.Query{Text: "SELECT 1", MaxRows: 2})
	if !errors.Is(err, moniker.ErrSource) || !errors.Is(err, fetch.ErrConnection) || strings.Contains(err.Error(), "p@ss") {
		t.Errorf("unreachable: %v (want ErrSource marked ErrConnection, no password)", err)
	}
	if _, err := src.Query(t.Context(), &fetch.Query{Text: "SELECT 1 DELETE FROM t", MaxRows: 2}); !errors.Is(err, moniker.ErrInvalid) {
		t.Errorf("a second T-SQL statement: %v", err)
	}
}
