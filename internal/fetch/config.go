package fetch

import (
	"encoding/json"
	"math"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// The values of a binding's config come from the catalog's YAML (int,
// int64, uint64, float64) or from JSON written through the management API
// (float64, json.Number). These read one as the type an adapter wants; an
// error (moniker.ErrInvalid) names the key.

// Int returns v, the value of config key key, as an int: an integral
// number, or a string holding one. nil is def.
func Int(key string, v any, def int) (int, error) {
	switch x := v.(type) {
	case nil:
		return def, nil
	case int:
		return x, nil
	case int64:
		if x == int64(int(x)) {
			return int(x), nil
		}
	case uint64:
		if x <= math.MaxInt {
			return int(x), nil
		}
	case float64:
		if x == math.Trunc(x) && math.Abs(x) <= 1<<53 {
			return int(x), nil
		}
	case json.Number:
		return Int(key, x.String(), def)
	case string:
		if i, err := strconv.Atoi(strings.TrimSpace(x)); err == nil {
			return i, nil
		}
	}
	return 0, moniker.Errorf(moniker.ErrInvalid, "%s: must be a whole number", key)
}

// Float returns v, the value of config key key, as a float64: a number, or
// a string holding one. nil is def.
func Float(key string, v any, def float64) (float64, error) {
	switch x := v.(type) {
	case nil:
		return def, nil
	case int:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case float64:
		return x, nil
	case json.Number:
		return Float(key, x.String(), def)
	case string:
		if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil && !math.IsNaN(f) && !math.IsInf(f, 0) {
			return f, nil
		}
	}
	return 0, moniker.Errorf(moniker.ErrInvalid, "%s: must be a number", key)
}

// String returns v, the value of config key key, as a string; nil is "".
func String(key string, v any) (string, error) {
	switch x := v.(type) {
	case nil:
		return "", nil
	case string:
		return x, nil
	}
	return "", moniker.Errorf(moniker.ErrInvalid, "%s: must be a string", key)
}
