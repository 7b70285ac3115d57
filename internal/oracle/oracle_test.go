package oracle

import (
	"errors"
	"strings"
	"testing"

	"github.com/sijms/go-ora/v2/configurations"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

const password = `p@ss:w/o;rd?#%&= x`

// parse reads dsn back as the driver does.
func parse(t *testing.T, dsn string) *configurations.ConnectionConfig {
	t.Helper()
	c, err := configurations.ParseConfig(dsn)
	if err != nil {
		t.Fatalf("ParseConfig: %v", err)
	}
	return c
}

func TestDSNHostPortService(t *testing.T) {
	dsn, label, pw, err := DSN(map[string]any{"host": "ora.example", "port": 1522, "service_name": "RISK", "user": "reader",
		"password": password, "connect_timeout": 4}, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	c := parse(t, dsn)
	if len(c.Servers) != 1 || c.Servers[0].Addr != "ora.example" || c.Servers[0].Port != 1522 || c.ServiceName != "RISK" ||
		c.UserID != "reader" || c.Password != password || pw != password {
		t.Errorf("parsed = servers %+v service %q user %q password ok %v", c.Servers, c.ServiceName, c.UserID, c.Password == password)
	}
	if label != "reader@ora.example:1522/RISK" || strings.Contains(label, "p@ss") {
		t.Errorf("label = %q", label)
	}
	// Defaults: localhost:1521.
	dsn, _, _, err = DSN(map[string]any{"service_name": "X", "user": "u", "password_env": "ORAPW"},
		fetch.Env{Getenv: func(string) string { return "from-env" }})
	if c := parse(t, dsn); err != nil || c.Servers[0].Addr != "localhost" || c.Servers[0].Port != 1521 || c.Password != "from-env" {
		t.Errorf("defaults: %v %+v", err, c.Servers)
	}
}

func TestDSNKey(t *testing.T) {
	for _, tc := range []struct {
		dsn, host string
		port      int
	}{
		{"ora.example:1530/CVAR", "ora.example", 1530},
		{"//ora.example/CVAR", "ora.example", 1521},
	} {
		dsn, _, _, err := DSN(map[string]any{"dsn": tc.dsn, "user": "u", "password": password}, fetch.Env{})
		if err != nil {
			t.Fatal(err)
		}
		c := parse(t, dsn)
		if c.Servers[0].Addr != tc.host || c.Servers[0].Port != tc.port || c.ServiceName != "CVAR" || c.Password != password {
			t.Errorf("dsn %q: %+v %q", tc.dsn, c.Servers, c.ServiceName)
		}
	}
	desc := "(DESCRIPTION=(ADDRESS=(PROTOCOL=TCP)(HOST=ora1.example)(PORT=1525))(CONNECT_DATA=(SERVICE_NAME=CVAR)))"
	dsn, label, _, err := DSN(map[string]any{"dsn": desc, "user": "u", "password": password}, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	c := parse(t, dsn)
	if len(c.Servers) != 1 || c.Servers[0].Addr != "ora1.example" || c.Servers[0].Port != 1525 || c.ServiceName != "CVAR" || c.Password != password {
		t.Errorf("descriptor: %+v %q", c.Servers, c.ServiceName)
	}
	if strings.Contains(label, "p@ss") {
		t.Errorf("label %q", label)
	}
}

func TestDSNErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  map[string]any
		want string
	}{
		{map[string]any{"service_name": "X"}, "user is required"},
		{map[string]any{"user": "u"}, "service_name is required"},
		{map[string]any{"user": "u", "dsn": "justahost"}, "dsn must be"},
		{map[string]any{"user": "u", "dsn": "h:99999/S"}, "port"},
		{map[string]any{"user": "u", "service_name": "S", "port": "x"}, "port"},
		{map[string]any{"user": "u", "service_name": "S", "ssl": "sometimes"}, "ssl"},
	} {
		_, _, _, err := DSN(tc.cfg, fetch.Env{})
		if !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DSN(%v) = %v, want ErrInvalid with %q", tc.cfg, err, tc.want)
		}
	}
}

// TestUnreachable: no server here; a query fails with ErrSource, without
// the password, and a PL/SQL block never reaches the driver.
func TestUnreachable(t *testing.T) {
	src, err := Adapter(nil).Open(t.Context(), map[string]any{"host": "127.0.0.1", "port": 1, "service_name": "X", "user": "u",
		"password": password, "connect_timeout": 2}, fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	_, err = src.Query(t.Context(), &fetch.Query{Text: "SELECT 1 FROM dual", MaxRows: 2})
	if !errors.Is(err, moniker.ErrSource) || !errors.Is(err, fetch.ErrConnection) || strings.Contains(err.Error(), "p@ss") {
		t.Errorf("unreachable: %v (want ErrSource marked ErrConnection, no password)", err)
	}
	if _, err := src.Query(t.Context(), &fetch.Query{Text: "BEGIN EXECUTE IMMEDIATE 'DROP TABLE t'; END;", MaxRows: 2}); !errors.Is(err, moniker.ErrInvalid) {
		t.Errorf("PL/SQL: %v", err)
	}
}
