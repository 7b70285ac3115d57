// Package snowflake is the snowflake source type's adapter: the mapping
// of the previous service's keys to the settings of Snowflake's Go driver
// (github.com/snowflakedb/gosnowflake/v2), behind the shared database/sql
// core (internal/sqldb) once the driver is in the build.
//
// The driver is not in the build yet. Every release before v2.2.0 (all
// of v1 and v2.0-v2.1) accepts OCSP answers for a revoked certificate
// (CVE-2026-85525), and v2.2.0 could not be fetched from the module proxy
// when this was written. Until it can, Open checks the keys and answers
// moniker.ErrNotImplemented, which /fetch answers 501 saying why; the
// client-side execution of snowflake bindings (/resolve) is unaffected.
// Options is shaped after the driver's Config, so wiring it is one
// function.
//
// Snowflake has no read-only session: the guard keeps a binding to one
// read, the driver's multi-statement count stays 1, and the role should
// hold SELECT privileges only.
package snowflake

import (
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"log/slog"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/sqldb"
)

// Options are the driver's connection settings (gosnowflake.Config's
// fields of the same names).
type Options struct {
	Account, User, Password           string
	Database, Schema, Warehouse, Role string
	// Authenticator is the driver's authenticator: SNOWFLAKE (a password),
	// SNOWFLAKE_JWT (a key pair), OAUTH (Token), or an Okta URL.
	Authenticator string
	PrivateKey    *rsa.PrivateKey
	Token         string
	Application   string
	LoginTimeout  time.Duration
	// Params are session parameters set at login.
	Params map[string]string
}

// Authenticators a service can use (externalbrowser and the MFA prompts
// need a person).
var authenticators = []string{"snowflake", "snowflake_jwt", "oauth"}

// Map maps a binding's config to the driver's settings, with the previous
// service's keys: account, warehouse and database (required), schema
// (PUBLIC), role; user with the password (password, password_env or
// password_file), or private_key_path (a PKCS#8 PEM file, unencrypted,
// relative to the catalog's folder; key-pair authentication), or
// authenticator (snowflake, snowflake_jwt, oauth with token/token_env/
// token_file, or an https://<org>.okta.com URL with the password). Ours:
// login_timeout (seconds, 60).
func Map(cfg map[string]any, env fetch.Env) (*Options, error) {
	k := sqldb.NewKeys("snowflake", cfg, env)
	o := &Options{
		Account:     k.Required("account"),
		Warehouse:   k.Required("warehouse"),
		Database:    k.Required("database"),
		Schema:      k.String("schema", "PUBLIC"),
		Role:        k.String("role", ""),
		User:        k.String("user", ""),
		Password:    k.Secret("password"),
		Token:       k.Secret("token"),
		Application: "moniker",
		Params:      map[string]string{"MULTI_STATEMENT_COUNT": "1"},
	}
	o.LoginTimeout = time.Duration(k.Int("login_timeout", 60, 1, 3600)) * time.Second
	keyPath := k.String("private_key_path", "")
	auth := strings.ToLower(k.String("authenticator", ""))
	if err := k.Err(); err != nil {
		return nil, err
	}
	invalid := func(format string, args ...any) (*Options, error) {
		return nil, moniker.Errorf(moniker.ErrInvalid, "snowflake config: "+format, args...)
	}
	switch {
	case strings.HasPrefix(auth, "https://"):
		if !strings.Contains(auth, ".okta.com") {
			return invalid("an authenticator URL must be an Okta URL (https://<org>.okta.com)")
		}
		o.Authenticator = auth
	case auth == "":
		switch {
		case keyPath != "":
			o.Authenticator = "SNOWFLAKE_JWT"
		case o.Token != "":
			o.Authenticator = "OAUTH"
		default:
			o.Authenticator = "SNOWFLAKE"
		}
	case auth == "snowflake" || auth == "snowflake_jwt" || auth == "oauth":
		o.Authenticator = strings.ToUpper(auth)
	default:
		return invalid("authenticator must be one of %s or an Okta URL (%s needs a person at a browser or a prompt)",
			strings.Join(authenticators, ", "), auth)
	}
	switch o.Authenticator {
	case "SNOWFLAKE_JWT":
		if keyPath == "" || o.Password != "" {
			return invalid("key-pair authentication takes private_key_path and no password")
		}
		key, err := readKey(keyPath, env)
		if err != nil {
			return nil, err
		}
		o.PrivateKey = key
	case "OAUTH":
		if o.Token == "" {
			return invalid("oauth takes token (token_env, token_file)")
		}
	default: // a password: SNOWFLAKE or Okta
		if keyPath != "" || o.Token != "" {
			return invalid("give one of password, private_key_path and token")
		}
		if o.Password == "" {
			return invalid("password is required (or private_key_path, or authenticator: oauth with token)")
		}
	}
	if o.User == "" && o.Authenticator != "OAUTH" {
		return invalid("user is required")
	}
	return o, nil
}

// readKey reads an unencrypted PKCS#8 PEM RSA private key.
func readKey(p string, env fetch.Env) (*rsa.PrivateKey, error) {
	if env.ReadFile == nil {
		return nil, moniker.Errorf(moniker.ErrInvalid, "snowflake config: private_key_path: files are not available here")
	}
	b, err := env.ReadFile(p)
	if err != nil {
		return nil, moniker.Errorf(moniker.ErrInvalid, "snowflake config: private_key_path: %v", err)
	}
	block, _ := pem.Decode(b)
	if block == nil || block.Type != "PRIVATE KEY" {
		return nil, moniker.Errorf(moniker.ErrInvalid, "snowflake config: private_key_path: not an unencrypted PKCS#8 PEM key (BEGIN PRIVATE KEY)")
	}
	key, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		return nil, moniker.Errorf(moniker.ErrInvalid, "snowflake config: private_key_path: %v", err)
	}
	rk, ok := key.(*rsa.PrivateKey)
	if !ok {
		return nil, moniker.Errorf(moniker.ErrInvalid, "snowflake config: private_key_path: Snowflake key pairs are RSA")
	}
	return rk, nil
}

// Adapter returns the snowflake source type's adapter. log may be nil.
func Adapter(log *slog.Logger) fetch.Adapter {
	return &adapter{key: sqldb.Adapter(&sqldb.Engine{Name: "snowflake"}, log)}
}

type adapter struct{ key fetch.Adapter }

// Key is the core's: the engine's name and a hash of the connection keys.
func (a *adapter) Key(cfg map[string]any) (string, error) { return a.key.Key(cfg) }

// Open checks the keys, then answers that the driver is not in the build.
func (a *adapter) Open(_ context.Context, cfg map[string]any, env fetch.Env) (fetch.Source, error) {
	if _, err := Map(cfg, env); err != nil {
		return nil, err
	}
	return nil, ErrNoDriver
}

// ErrNoDriver says why snowflake bindings cannot be read by the service.
var ErrNoDriver = moniker.Errorf(moniker.ErrNotImplemented,
	"snowflake: this build has no Snowflake driver (gosnowflake v2.2.0 or later is needed: earlier releases accept revoked certificates, CVE-2026-85525); clients read snowflake bindings themselves from /resolve")
