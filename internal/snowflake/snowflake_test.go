package snowflake

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

func base() map[string]any {
	return map[string]any{"account": "acme-xy12345", "warehouse": "WH", "database": "MARKET", "user": "svc"}
}

func with(m map[string]any, kv ...any) map[string]any {
	for i := 0; i < len(kv); i += 2 {
		m[kv[i].(string)] = kv[i+1]
	}
	return m
}

func TestMapPassword(t *testing.T) {
	const password = `p@ss:w/o;rd?#%&= x'"`
	o, err := Map(with(base(), "password", password, "role", "READER", "login_timeout", 5), fetch.Env{})
	if err != nil {
		t.Fatal(err)
	}
	if o.Account != "acme-xy12345" || o.Warehouse != "WH" || o.Database != "MARKET" || o.Schema != "PUBLIC" || o.Role != "READER" ||
		o.User != "svc" || o.Password != password || o.Authenticator != "SNOWFLAKE" || o.LoginTimeout != 5*time.Second ||
		o.Params["MULTI_STATEMENT_COUNT"] != "1" {
		t.Errorf("options = %+v", o)
	}
	o, err = Map(with(base(), "password_env", "SFPW", "schema", "RATES", "authenticator", "https://acme.okta.com"),
		fetch.Env{Getenv: func(string) string { return "from-env" }})
	if err != nil || o.Password != "from-env" || o.Schema != "RATES" || o.Authenticator != "https://acme.okta.com" {
		t.Errorf("okta: %v %+v", err, o)
	}
}

func TestMapKeyPair(t *testing.T) {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, _ := x509.MarshalPKCS8PrivateKey(key)
	pemKey := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	env := fetch.Env{ReadFile: func(p string) ([]byte, error) {
		if p == "keys/rsa_key.p8" {
			return pemKey, nil
		}
		return []byte("junk"), nil
	}}
	o, err := Map(with(base(), "private_key_path", "keys/rsa_key.p8"), env)
	if err != nil || o.Authenticator != "SNOWFLAKE_JWT" || o.PrivateKey == nil || !o.PrivateKey.Equal(key) {
		t.Errorf("key pair: %v %+v", err, o)
	}
	if _, err := Map(with(base(), "private_key_path", "other.p8"), env); !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), "PKCS#8") {
		t.Errorf("a bad key: %v", err)
	}
}

func TestMapErrors(t *testing.T) {
	for _, tc := range []struct {
		cfg  map[string]any
		want string
	}{
		{map[string]any{"warehouse": "W", "database": "D", "user": "u", "password": "p"}, "account is required"},
		{map[string]any{"account": "a", "database": "D", "user": "u", "password": "p"}, "warehouse is required"},
		{map[string]any{"account": "a", "warehouse": "W", "user": "u", "password": "p"}, "database is required"},
		{base(), "password is required"},
		{with(base(), "password", "p", "user", nil), "user is required"},
		{with(base(), "authenticator", "externalbrowser"), "needs a person"},
		{with(base(), "authenticator", "https://evil.example"), "Okta"},
		{with(base(), "authenticator", "oauth"), "token"},
		{with(base(), "password", "p", "private_key_path", "k"), "no password"},
		{with(base(), "password", "p", "password_env", "X"), "set only one"},
	} {
		if _, err := Map(tc.cfg, fetch.Env{}); !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Map(%v) = %v, want ErrInvalid with %q", tc.cfg, err, tc.want)
		}
	}
}

// TestOpen: a valid binding is answered 501 with the reason; an invalid
// one names the key.
func TestOpen(t *testing.T) {
	a := Adapter(nil)
	if _, err := a.Open(context.Background(), with(base(), "password", "p"), fetch.Env{}); !errors.Is(err, moniker.ErrNotImplemented) ||
		!strings.Contains(err.Error(), "CVE-2026-85525") {
		t.Errorf("Open = %v", err)
	}
	if _, err := a.Open(context.Background(), base(), fetch.Env{}); !errors.Is(err, moniker.ErrInvalid) {
		t.Errorf("Open without a password = %v", err)
	}
	if k, err := a.Key(with(base(), "password", "p", "query", "SELECT 1")); err != nil || !strings.HasPrefix(k, "snowflake:") {
		t.Errorf("Key = %q, %v", k, err)
	}
}
