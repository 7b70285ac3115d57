package rest

import (
	"encoding/base64"
	"maps"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// auth is a binding's auth_type and auth_config (upstream's keys):
//
//	bearer   token                      Authorization: Bearer <token>
//	api_key  key (or api_key), header   <header, default X-API-Key>: <key>
//	basic    username, password         Authorization: Basic ...
//
// Each secret (token, key, api_key, password) is given as its value with
// ${VAR} references, by <name>_env (a variable's name) or by <name>_file
// (a file holding it), as fetch.Secret reads them.
type auth struct {
	typ    string
	config map[string]any
}

// authKeys are the auth_config keys of each type.
var authKeys = map[string][]string{
	"none":    nil,
	"bearer":  {"token"},
	"api_key": {"key", "api_key", "header"},
	"basic":   {"username", "password"},
}

func authOf(cfg map[string]any) (auth, error) {
	t, err := fetch.String("auth_type", cfg["auth_type"])
	if err != nil {
		return auth{}, err
	}
	if t == "" {
		t = "none"
	}
	t = strings.ToLower(t)
	known, ok := authKeys[t]
	if !ok {
		return auth{}, moniker.Errorf(moniker.ErrInvalid, "auth_type: %q is not one of none, bearer, api_key, basic", t)
	}
	a := auth{typ: t, config: map[string]any{}}
	raw, ok := cfg["auth_config"]
	if !ok || raw == nil {
		return a, nil
	}
	m, ok := raw.(map[string]any)
	if !ok {
		return auth{}, moniker.Errorf(moniker.ErrInvalid, "auth_config: must be an object")
	}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		base := strings.TrimSuffix(strings.TrimSuffix(k, "_env"), "_file")
		if !slices.Contains(known, base) {
			return auth{}, moniker.Errorf(moniker.ErrInvalid, "auth_config.%s: not a key of auth_type %s (%s)", k, t, strings.Join(known, ", "))
		}
		a.config[k] = m[k]
	}
	return a, nil
}

// authHeader is the header the credentials go in, and the secret values
// it carries (the header's value among them).
type authHeader struct {
	name, value string
	secrets     []string
}

// header reads the credentials (from the environment and files now, so a
// rotated secret is used at once) and returns their header. An error
// names the missing key.
func (a auth) header(env fetch.Env) (authHeader, error) {
	secret := func(k string) (string, error) {
		v, err := fetch.Secret(a.config, k, env)
		if err != nil {
			return "", prefixed(err)
		}
		return v, nil
	}
	switch a.typ {
	case "bearer":
		tok, err := secret("token")
		if err != nil {
			return authHeader{}, err
		}
		if tok == "" {
			return authHeader{}, moniker.Errorf(moniker.ErrInvalid, "auth_config.token: required for auth_type bearer (or token_env, token_file)")
		}
		return authHeader{"Authorization", "Bearer " + tok, []string{tok}}, nil
	case "api_key":
		key, err := secret("key")
		if err != nil {
			return authHeader{}, err
		}
		if key == "" {
			if key, err = secret("api_key"); err != nil {
				return authHeader{}, err
			}
		}
		if key == "" {
			return authHeader{}, moniker.Errorf(moniker.ErrInvalid, "auth_config.key: required for auth_type api_key (or api_key, key_env, key_file)")
		}
		name, err := fetch.String("auth_config.header", a.config["header"])
		if err != nil {
			return authHeader{}, err
		}
		if name == "" {
			name = "X-API-Key"
		}
		return authHeader{name, key, []string{key}}, nil
	case "basic":
		user, err := fetch.String("auth_config.username", a.config["username"])
		if err != nil {
			return authHeader{}, err
		}
		pw, err := secret("password")
		if err != nil {
			return authHeader{}, err
		}
		if user == "" {
			return authHeader{}, moniker.Errorf(moniker.ErrInvalid, "auth_config.username: required for auth_type basic")
		}
		v := base64.StdEncoding.EncodeToString([]byte(user + ":" + pw))
		return authHeader{"Authorization", "Basic " + v, []string{pw, v}}, nil
	}
	return authHeader{}, nil
}

// prefixed puts "auth_config." before the key fetch.Secret names.
func prefixed(err error) error {
	return moniker.Errorf(moniker.ErrInvalid, "auth_config.%w", err)
}
