package managementapi

import (
	"fmt"
	"reflect"
	"slices"

	"github.com/moniker-svc/moniker/internal/source"
)

// ---- secrets ----

// secretMask replaces the value of a secret key of source_binding.config
// in answers (DESIGN §7: no secret is ever returned). Sent back unchanged
// in a write, it keeps the stored value.
const secretMask = "********"

// maskSecrets returns v with the values of secret keys (at any depth)
// replaced by secretMask; v itself when it has none.
func maskSecrets(v any) any {
	switch x := v.(type) {
	case map[string]any:
		var out map[string]any
		for k, e := range x {
			m := e
			if source.SecretKey(k) && e != nil {
				m = secretMask
			} else {
				m = maskSecrets(e)
			}
			if out == nil && !reflect.DeepEqual(m, e) {
				out = make(map[string]any, len(x))
				for k2, e2 := range x {
					out[k2] = e2
				}
			}
			if out != nil {
				out[k] = m
			}
		}
		if out != nil {
			return out
		}
	case []any:
		var out []any
		for i, e := range x {
			m := maskSecrets(e)
			if out == nil && !reflect.DeepEqual(m, e) {
				out = slices.Clone(x)
			}
			if out != nil {
				out[i] = m
			}
		}
		if out != nil {
			return out
		}
	}
	return v
}

type secretError struct{ field, msg string }

// unmaskSecrets puts the stored values back where a write sent secretMask
// for a secret key; old is the stored value at the same place.
func unmaskSecrets(v, old any, at string) (any, *secretError) {
	switch x := v.(type) {
	case map[string]any:
		om, _ := old.(map[string]any)
		out := make(map[string]any, len(x))
		for k, e := range x {
			if s, ok := e.(string); ok && s == secretMask && source.SecretKey(k) {
				prev, found := om[k]
				if !found {
					return nil, &secretError{at + "." + k, "the masked value " + secretMask + " stands for a stored secret, but none is stored here; send the value"}
				}
				out[k] = prev
				continue
			}
			u, err := unmaskSecrets(e, om[k], at+"."+k)
			if err != nil {
				return nil, err
			}
			out[k] = u
		}
		return out, nil
	case []any:
		ol, _ := old.([]any)
		out := make([]any, len(x))
		for i, e := range x {
			var o any
			if i < len(ol) {
				o = ol[i]
			}
			u, err := unmaskSecrets(e, o, fmt.Sprintf("%s[%d]", at, i))
			if err != nil {
				return nil, err
			}
			out[i] = u
		}
		return out, nil
	}
	return v, nil
}
