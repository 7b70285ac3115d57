package sqldb

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// Keys reads the connection keys of a binding's config for an engine's
// Connect: strings with ${VAR} references expanded, numbers, booleans,
// choices and secrets (fetch.Secret). The first problem is kept and
// returned by Err, an error of kind moniker.ErrInvalid naming the key,
// never a value.
type Keys struct {
	engine string
	cfg    map[string]any
	env    fetch.Env
	err    error
}

// NewKeys reads cfg for the engine named engine.
func NewKeys(engine string, cfg map[string]any, env fetch.Env) *Keys {
	return &Keys{engine: engine, cfg: cfg, env: env}
}

// Err returns the first problem found, or nil.
func (k *Keys) Err() error { return k.err }

func (k *Keys) fail(format string, args ...any) {
	if k.err == nil {
		k.err = moniker.Errorf(moniker.ErrInvalid, k.engine+" config: "+format, args...)
	}
}

// Has reports whether key is set (and not null).
func (k *Keys) Has(key string) bool { return k.cfg[key] != nil }

// String returns key's value as text (a number as written), def when it
// is unset or empty.
func (k *Keys) String(key, def string) string {
	var s string
	switch v := k.cfg[key].(type) {
	case nil:
	case string:
		e, err := fetch.Expand(key, v, k.env)
		if err != nil {
			k.keep(err)
			return ""
		}
		s = e
	case bool:
		s = strconv.FormatBool(v)
	case json.Number:
		s = v.String()
	default:
		f, err := fetch.Float(key, v, 0) // the YAML and JSON number types
		if err != nil {
			k.fail("%s must be a string", key)
			return def
		}
		s = strconv.FormatFloat(f, 'f', -1, 64)
	}
	if s == "" {
		return def
	}
	return s
}

func (k *Keys) keep(err error) {
	if k.err == nil {
		k.err = err
	}
}

// Required returns key's value; unset or empty is an error.
func (k *Keys) Required(key string) string {
	s := k.String(key, "")
	if s == "" {
		k.fail("%s is required", key)
	}
	return s
}

// Int returns key's value as an integer in [lo, hi], def when unset.
func (k *Keys) Int(key string, def, lo, hi int) int {
	v := k.cfg[key]
	if str, ok := v.(string); ok {
		v = k.String(key, "")
		if str == "" || v == "" {
			return def
		}
	}
	n, err := fetch.Int(key, v, def)
	if err != nil || n < lo || n > hi {
		k.fail("%s must be a whole number from %d to %d", key, lo, hi)
		return def
	}
	return n
}

// Port returns key's value as a port number, def when unset.
func (k *Keys) Port(key string, def int) int { return k.Int(key, def, 1, 65535) }

// Bool returns key's value as a boolean: true, yes, on or 1 (any case)
// and their opposites.
func (k *Keys) Bool(key string, def bool) bool {
	s := strings.ToLower(k.String(key, ""))
	switch s {
	case "":
		return def
	case "true", "yes", "on", "1":
		return true
	case "false", "no", "off", "0":
		return false
	}
	k.fail("%s must be true or false", key)
	return def
}

// OneOf returns key's value, which must be one of opts; def when unset.
func (k *Keys) OneOf(key, def string, opts ...string) string {
	s := k.String(key, def)
	if !slices.Contains(opts, s) {
		k.fail("%s must be one of %s", key, strings.Join(opts, ", "))
	}
	return s
}

// Secret returns the secret of key (key, key_env or key_file, see
// fetch.Secret), "" when none is set.
func (k *Keys) Secret(key string) string {
	s, err := fetch.Secret(k.cfg, key, k.env)
	if err != nil {
		k.keep(err)
	}
	return s
}
