package managementapi

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
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
		b, _ := json.Marshal(toNodeJSON(cur))
		_ = json.Unmarshal(b, &current)
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

// decodeField decodes member key into its field of n (null clears it).
func decodeField(n *moniker.Node, key string, v json.RawMessage, cur *moniker.Node) *moniker.FieldError {
	fail := func(err error) *moniker.FieldError { return fieldError(key, v, err) }
	text := func(dst *string) *moniker.FieldError {
		var s *string
		if err := decodeStrict(v, &s); err != nil {
			return fail(err)
		}
		*dst = deref(s)
		return nil
	}
	switch key {
	case "display_name":
		return text(&n.DisplayName)
	case "description":
		return text(&n.Description)
	case "domain":
		return text(&n.Domain)
	case "classification":
		return text(&n.Classification)
	case "deprecation_message":
		return text(&n.DeprecationMessage)
	case "successor":
		return text(&n.Successor)
	case "sunset_deadline":
		return text(&n.SunsetDeadline)
	case "migration_guide_url":
		return text(&n.MigrationGuideURL)
	case "status":
		var st string
		if fe := text(&st); fe != nil {
			return fe
		}
		n.Status = moniker.Status(st)
	case "tags":
		if err := decodeStrict(v, &n.Tags); err != nil {
			return fail(err)
		}
	case "metadata", "extra":
		var m map[string]any
		if err := decodeStrict(v, &m); err != nil {
			return fail(err)
		}
		if m != nil {
			m = freeForm(m).(map[string]any)
		}
		if key == "metadata" {
			n.Metadata = m
		} else {
			n.Extra = m
		}
	case "ownership":
		var o *ownershipJSON
		if err := decodeStrict(v, &o); err != nil {
			return fail(err)
		}
		n.Ownership = o.ownership()
	case "source_binding":
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
	case "data_quality":
		var d *dataQualityJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		n.DataQuality = d.dataQuality()
	case "sla":
		var d *slaJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		n.SLA = d.sla()
	case "freshness":
		var d *freshnessJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		n.Freshness = d.freshness()
	case "schema":
		var d *schemaJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		sc, fe := d.nodeSchema()
		if fe != nil {
			return fe
		}
		n.Schema = sc
	case "access_policy":
		var d *policyJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		n.AccessPolicy = d.policy()
	case "documentation":
		var d *documentationJSON
		if err := decodeStrict(v, &d); err != nil {
			return fail(err)
		}
		n.Documentation = d.documentation()
	}
	return nil
}

// freeForm converts a decoded free-form JSON value (numbers as
// json.Number) to the values the catalog loader produces: an integer
// becomes int (uint64 above the int range), any other number float64.
func freeForm(v any) any {
	switch x := v.(type) {
	case json.Number:
		s := x.String()
		if !strings.ContainsAny(s, ".eE") {
			if i, err := strconv.ParseInt(s, 10, 64); err == nil {
				return int(i)
			}
			if u, err := strconv.ParseUint(s, 10, 64); err == nil {
				return u
			}
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = freeForm(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = freeForm(e)
		}
		return out
	}
	return v
}
