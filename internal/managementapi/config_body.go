package managementapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/nodejson"
	"github.com/moniker-svc/moniker/internal/strictjson"
)

// ---- request bodies ----

// decodeNode reads a create (cur nil) or update body into a Patch. A
// create body must carry "path"; an update body may, but it must be the
// node's path. "is_leaf" (derived) is accepted and ignored, so a node as
// GET shows it can be sent back. For an update, a key whose value equals
// what GET shows for it is left out of the patch. It answers 413 or 422
// itself and returns ok=false then.
func (s *Server) decodeNode(w http.ResponseWriter, r *http.Request, cur *moniker.Node, urlPath string) (path string, p catalogedit.Patch, ok bool) {
	raw, ok := httpapi.DecodeJSON[map[string]json.RawMessage](w, r, httpapi.MaxBody)
	if !ok {
		return "", p, false
	}
	var current map[string]json.RawMessage
	if cur != nil {
		_ = json.Unmarshal(appendNode(nil, cur), &current)
	}
	var errs []moniker.FieldError
	for _, k := range slices.Sorted(maps.Keys(raw)) {
		v := raw[k]
		switch k {
		case "path":
			if err := json.Unmarshal(v, &path); err != nil || path == "" && cur == nil {
				errs = append(errs, moniker.FieldError{Type: "string_type", Loc: []string{"path"}, Msg: "Input should be a non-empty string", Input: rawInput(v)})
				continue
			}
			if cur != nil && path != urlPath {
				errs = append(errs, moniker.FieldError{Type: "value_error", Loc: []string{"path"},
					Msg: fmt.Sprintf("a node cannot be renamed (%q to %q); create the new path and delete the old one", urlPath, path), Input: path})
			}
			continue
		case "is_leaf":
			var b *bool
			if err := json.Unmarshal(v, &b); err != nil {
				errs = append(errs, moniker.FieldError{Type: "bool_type", Loc: []string{"is_leaf"}, Msg: "Input should be a valid boolean", Input: rawInput(v)})
			}
			continue
		}
		if !catalogedit.IsField(k) {
			errs = append(errs, moniker.FieldError{Type: "extra_forbidden", Loc: []string{k}, Msg: "Extra inputs are not permitted", Input: rawInput(v)})
			continue
		}
		if cur != nil && jsonEqual(v, current[k]) {
			continue // what GET shows: no change
		}
		if fe := decodeField(&p.Node, k, v, cur); fe != nil {
			errs = append(errs, *fe)
			continue
		}
		p.Set = append(p.Set, k)
	}
	if cur == nil && raw["path"] == nil {
		errs = append(errs, httpapi.Missing("path"))
	}
	if len(errs) > 0 {
		httpapi.WriteFields(w, httpapi.InBody, errs...)
		return "", p, false
	}
	return path, p, true
}

// rawInput is a raw JSON value as a 422 entry's input.
func rawInput(v json.RawMessage) any {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return nil
	}
	return x
}

// jsonEqual reports whether two JSON texts hold the same value.
func jsonEqual(a, b json.RawMessage) bool {
	if b == nil {
		return false
	}
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// decodeStrict decodes one member strictly (unknown keys are errors;
// numbers in free-form values stay exact, see freeForm).
func decodeStrict(v json.RawMessage, dst any) error { return strictjson.UnmarshalNumbers(v, dst) }

// fieldError turns a decoding error of member key into a 422 entry, with
// the member's value as its input (none for an unknown key).
func fieldError(key string, v json.RawMessage, err error) *moniker.FieldError {
	fe := httpapi.JSONFieldError(err, []string{key}, v, nil)
	if fe.Type != "extra_forbidden" {
		fe.Input = rawInput(v)
	}
	return &fe
}

// decodeField decodes member key into its field of n (null clears it):
// the node-field table's generic reading, or the structured kinds'.
func decodeField(n *moniker.Node, key string, v json.RawMessage, cur *moniker.Node) *moniker.FieldError {
	fail := func(err error) *moniker.FieldError { return fieldError(key, v, err) }
	if key == moniker.ExtraKey {
		var m map[string]any
		if err := decodeStrict(v, &m); err != nil {
			return fail(err)
		}
		n.Extra = nil
		if m != nil {
			n.Extra = nodejson.FreeForm(m).(map[string]any)
		}
		return nil
	}
	f, _ := moniker.FieldByKey(key)
	switch f.Kind {
	case moniker.KindOwnership:
		o, err := decodeOwnership(v)
		if err != nil {
			return fail(err)
		}
		n.Ownership = o
	case moniker.KindBinding:
		var b *bindingJSON
		if err := decodeStrict(v, &b); err != nil {
			return fail(err)
		}
		if b == nil {
			n.Binding = nil
			return nil
		}
		if strings.TrimSpace(b.Type) == "" {
			return new(httpapi.Missing("source_binding", "type"))
		}
		var old map[string]any
		if cur != nil && cur.Binding != nil {
			old = cur.Binding.Config
		}
		var cfg any
		if b.Config != nil {
			var err *secretError
			if cfg, err = unmaskSecrets(b.Config, old, "source_binding.config"); err != nil {
				return &moniker.FieldError{Type: "value_error", Loc: moniker.FieldLoc(err.field), Msg: err.msg, Input: secretMask}
			}
		}
		n.Binding = b.binding(cfg)
	case moniker.KindPolicy:
		var d *policyJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		n.AccessPolicy = d.policy()
	default:
		if err := nodejson.Decode(n, f, v); err != nil {
			return fail(err)
		}
	}
	return nil
}
