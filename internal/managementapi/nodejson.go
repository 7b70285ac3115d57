package managementapi

import (
	"encoding/json"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/nodejson"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/strictjson"
)

// ---- the node JSON (reference §3.1, plus the fields upstream dropped) ----

// configForm is how /config answers show a node's values: an unset text
// (but those with a default, and description) and a block's missing list
// null; free-form values with NaN and infinities as their YAML texts.
var configForm = nodejson.Form{Value: func(dst []byte, v any) []byte { return resolve.AppendJSONValue(dst, nodejson.Safe(v)) }}

// appendNode appends n as /config answers show it, every key always
// present: "path", then every field of the node-field table in file
// order, "is_leaf" (derived: the node has a binding) just before "status"
// as in upstream's model, and the KindExtra fields last, together as
// moniker.ExtraKey.
func appendNode(dst []byte, n *moniker.Node) []byte {
	dst = append(dst, `{"path":`...)
	dst = resolve.AppendJSONString(dst, n.Path)
	fields := moniker.NodeFields()
	for i := range fields {
		f := &fields[i]
		if f.Kind == moniker.KindExtra {
			continue
		}
		if f.Key == statusKey {
			dst = nodejson.Key(dst, "is_leaf")
			dst = appendBool(dst, n.Binding != nil)
		}
		dst = nodejson.Key(dst, f.Key)
		switch f.Kind {
		case moniker.KindOwnership:
			dst = appendOwnership(dst, &n.Ownership)
		case moniker.KindBinding:
			dst = appendBinding(dst, n.Binding)
		case moniker.KindPolicy:
			dst = appendMarshal(dst, toPolicyJSON(n.AccessPolicy))
		default:
			dst = configForm.Append(dst, n, f)
		}
	}
	dst = nodejson.Key(dst, moniker.ExtraKey)
	if n.Extra == nil {
		dst = append(dst, "{}"...)
	} else {
		dst = configForm.Value(dst, n.Extra)
	}
	return append(dst, '}')
}

// statusKey is the field "is_leaf" precedes.
const statusKey = "status"

// summaryKeys are the fields of a GET /config/nodes?summary=true row, in
// its order; "is_leaf" and "source_type" (the binding's) follow.
var summaryKeys = [...]string{"display_name", "description", "domain", "status", "classification", "tags"}

// appendSummary appends the light row of the node n at path (nil: a path
// that is only the prefix of nodes, its fields unset), without the
// closing brace.
func appendSummary(dst []byte, path string, n *moniker.Node) []byte {
	dst = append(dst, `{"path":`...)
	dst = resolve.AppendJSONString(dst, path)
	for _, k := range summaryKeys {
		f, _ := moniker.FieldByKey(k)
		dst = nodejson.Key(dst, k)
		dst = configForm.Append(dst, n, f)
	}
	dst = append(dst, `,"is_leaf":`...)
	dst = appendBool(dst, n != nil && n.Binding != nil)
	dst = append(dst, `,"source_type":`...)
	if n != nil && n.Binding != nil {
		return resolve.AppendJSONString(dst, n.Binding.Type)
	}
	return append(dst, "null"...)
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// appendMarshal appends v encoded by encoding/json (the structured
// kinds' JSON types, whose encoding cannot fail).
func appendMarshal(dst []byte, v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		return append(dst, "null"...)
	}
	return append(dst, b...)
}

// configOwnerOrder is the order of the ownership object in /config
// answers (upstream's model), not the OwnerField order.
var configOwnerOrder = [moniker.NumOwnerFields]moniker.OwnerField{
	moniker.AccountableOwner, moniker.DataSpecialist, moniker.SupportChannel,
	moniker.ADOP, moniker.ADS, moniker.ADAL, moniker.ADOPName, moniker.ADSName, moniker.ADALName, moniker.UI,
}

// appendOwnership appends a node's own ownership: the ten fields, or null
// when none is set.
func appendOwnership(dst []byte, o *moniker.Ownership) []byte {
	if o.Empty() {
		return append(dst, "null"...)
	}
	dst = append(dst, '{')
	for _, f := range configOwnerOrder {
		dst = nodejson.Key(dst, f.Key())
		dst = nodejson.String(dst, o[f])
	}
	return append(dst, '}')
}

// decodeOwnership reads an ownership object of a write (null: none set).
func decodeOwnership(raw json.RawMessage) (moniker.Ownership, error) {
	var out moniker.Ownership
	if nodejson.IsNull(raw) {
		return out, nil
	}
	members, err := nodejson.Members(raw)
	if err != nil {
		return out, err
	}
	for _, m := range members {
		f, ok := moniker.OwnerFieldByKey(m.Key)
		if !ok {
			f, ok = foldOwnerField(m.Key)
		}
		if !ok {
			return out, &strictjson.UnknownFieldError{Field: m.Key}
		}
		var s *string
		if err := strictjson.Unmarshal(m.Value, &s); err != nil {
			return out, nodejson.Under(f.Key(), err)
		}
		out[f] = ""
		if s != nil {
			out[f] = *s
		}
	}
	return out, nil
}

// foldOwnerField matches k to an ownership key case-insensitively, as
// encoding/json matches a struct's keys.
func foldOwnerField(k string) (moniker.OwnerField, bool) {
	for f := range moniker.NumOwnerFields {
		if strings.EqualFold(f.Key(), k) {
			return f, true
		}
	}
	return 0, false
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// appendBinding appends a source binding (null for none): config holds
// the source's settings, secret values masked.
func appendBinding(dst []byte, b *moniker.SourceBinding) []byte {
	if b == nil {
		return append(dst, "null"...)
	}
	dst = append(dst, `{"type":`...)
	dst = resolve.AppendJSONString(dst, b.Type)
	dst = append(dst, `,"config":`...)
	if b.Config == nil {
		dst = append(dst, "null"...)
	} else {
		dst = resolve.AppendJSONValue(dst, maskSecrets(nodejson.Safe(b.Config)))
	}
	dst = append(dst, `,"allowed_operations":`...)
	dst = resolve.AppendJSONValue(dst, b.AllowedOperations)
	dst = append(dst, `,"schema":`...)
	dst = configForm.Value(dst, b.Schema)
	dst = append(dst, `,"read_only":`...)
	dst = appendBool(dst, b.ReadOnly)
	dst = append(dst, `,"cache":`...)
	c := b.Cache
	if c == nil {
		return append(dst, "null}"...)
	}
	dst = append(dst, `{"enabled":`...)
	dst = appendBool(dst, c.Enabled)
	dst = append(dst, `,"ttl_seconds":`...)
	dst = strconv.AppendInt(dst, int64(c.TTLSeconds), 10)
	dst = append(dst, `,"refresh_interval_seconds":`...)
	dst = strconv.AppendInt(dst, int64(c.RefreshIntervalSeconds), 10)
	dst = append(dst, `,"refresh_on_startup":`...)
	dst = appendBool(dst, c.RefreshOnStartup)
	return append(dst, "}}"...)
}

// bindingJSON is a source binding in a write: absent or null values take
// the loader's defaults.
type bindingJSON struct {
	Type              string         `json:"type"`
	Config            map[string]any `json:"config"`
	AllowedOperations []string       `json:"allowed_operations"`
	Schema            any            `json:"schema"`
	ReadOnly          *bool          `json:"read_only"`
	Cache             *cacheJSON     `json:"cache"`
}

type cacheJSON struct {
	Enabled                *bool `json:"enabled"`
	TTLSeconds             *int  `json:"ttl_seconds"`
	RefreshIntervalSeconds *int  `json:"refresh_interval_seconds"`
	RefreshOnStartup       *bool `json:"refresh_on_startup"`
}

// binding builds the node's binding from a decoded body (cfg: the config
// with masked secrets restored). Absent or null values take the loader's
// defaults.
func (b *bindingJSON) binding(cfg any) *moniker.SourceBinding {
	out := &moniker.SourceBinding{Type: b.Type, AllowedOperations: b.AllowedOperations, ReadOnly: true}
	if m, ok := cfg.(map[string]any); ok && m != nil {
		out.Config = nodejson.FreeForm(m).(map[string]any)
	}
	if b.Schema != nil {
		out.Schema = nodejson.FreeForm(b.Schema)
	}
	if b.ReadOnly != nil {
		out.ReadOnly = *b.ReadOnly
	}
	if c := b.Cache; c != nil {
		bc := &moniker.BindingCache{TTLSeconds: 3600, RefreshIntervalSeconds: 600, RefreshOnStartup: true}
		if c.Enabled != nil {
			bc.Enabled = *c.Enabled
		}
		if c.TTLSeconds != nil {
			bc.TTLSeconds = *c.TTLSeconds
		}
		if c.RefreshIntervalSeconds != nil {
			bc.RefreshIntervalSeconds = *c.RefreshIntervalSeconds
		}
		if c.RefreshOnStartup != nil {
			bc.RefreshOnStartup = *c.RefreshOnStartup
		}
		out.Cache = bc
	}
	return out
}

type policyJSON struct {
	RequiredSegments         []int    `json:"required_segments"`
	MinFilters               *int     `json:"min_filters"`
	BlockedPatterns          []string `json:"blocked_patterns"`
	MaxRowsWarn              *int64   `json:"max_rows_warn"`
	MaxRowsBlock             *int64   `json:"max_rows_block"`
	CardinalityMultipliers   []int64  `json:"cardinality_multipliers"`
	BaseRowCount             *int64   `json:"base_row_count"`
	RequireConfirmationAbove *int64   `json:"require_confirmation_above"`
	DenialMessage            *string  `json:"denial_message"`
	AllowedRoles             []string `json:"allowed_roles"`
	AllowedHours             []any    `json:"allowed_hours"`
}

func i64Ptr(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func toPolicyJSON(p *moniker.AccessPolicy) *policyJSON {
	if p == nil {
		return nil
	}
	mf, brc := p.MinFilters, p.BaseRowCount
	out := &policyJSON{RequiredSegments: p.RequiredSegments, MinFilters: &mf, BlockedPatterns: p.BlockedPatterns,
		MaxRowsWarn: i64Ptr(p.MaxRowsWarn), MaxRowsBlock: i64Ptr(p.MaxRowsBlock), CardinalityMultipliers: p.CardinalityMultipliers,
		BaseRowCount: &brc, RequireConfirmationAbove: i64Ptr(p.RequireConfirmationAbove), DenialMessage: strPtr(p.DenialMessage),
		AllowedRoles: p.AllowedRoles}
	if p.AllowedHours != nil {
		out.AllowedHours = nodejson.Safe(p.AllowedHours).([]any)
	}
	return out
}

func (p *policyJSON) policy() *moniker.AccessPolicy {
	if p == nil {
		return nil
	}
	out := &moniker.AccessPolicy{RequiredSegments: p.RequiredSegments, BlockedPatterns: p.BlockedPatterns,
		CardinalityMultipliers: p.CardinalityMultipliers, BaseRowCount: 100, DenialMessage: deref(p.DenialMessage), AllowedRoles: p.AllowedRoles}
	if len(out.RequiredSegments) == 0 {
		out.RequiredSegments = nil // the loader keeps no empty list here
	}
	if len(out.BlockedPatterns) == 0 {
		out.BlockedPatterns = nil
	}
	if p.MinFilters != nil {
		out.MinFilters = *p.MinFilters
	}
	if p.MaxRowsWarn != nil {
		out.MaxRowsWarn = *p.MaxRowsWarn
	}
	if p.MaxRowsBlock != nil {
		out.MaxRowsBlock = *p.MaxRowsBlock
	}
	if p.BaseRowCount != nil {
		out.BaseRowCount = *p.BaseRowCount
	}
	if p.RequireConfirmationAbove != nil {
		out.RequireConfirmationAbove = *p.RequireConfirmationAbove
	}
	if p.AllowedHours != nil {
		out.AllowedHours = nodejson.FreeForm(p.AllowedHours).([]any)
	}
	return out
}
