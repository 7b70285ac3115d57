package catalog

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/source"
	"go.yaml.in/yaml/v3"
)

// YAML short tags as yaml.v3 resolves them.
const (
	tagNull      = "!!null"
	tagBool      = "!!bool"
	tagStr       = "!!str"
	tagInt       = "!!int"
	tagFloat     = "!!float"
	tagTimestamp = "!!timestamp"
	tagMerge     = "!!merge"
)

// Keys of the catalog schema (reference §7.2). The lists are used for the
// strict unknown-key check and its "did you mean" hint.
var (
	nodeKeys = []string{
		"display_name", "description", "domain", "ownership", "source_binding",
		"data_quality", "sla", "freshness", "schema", "access_policy",
		"documentation", "classification", "tags", "metadata", "status",
		"deprecation_message", "successor", "sunset_deadline", "migration_guide_url",
	}
	// extraNodeKeys are keys upstream defined (f206ffd or HEAD) that this
	// service does not model; they are kept verbatim in Node.Extra.
	extraNodeKeys = []string{
		"created_at", "updated_at", "created_by", "approved_by", "is_leaf",
		"vendor", "asset_class", "update_frequency", "quality", "maturity",
		"technical_description",
	}
	bindingKeys = []string{"type", "config", "schema", "read_only", "allowed_operations", "cache"}
	cacheKeys   = []string{"enabled", "ttl_seconds", "refresh_interval_seconds", "refresh_on_startup"}
	policyKeys  = []string{
		"required_segments", "min_filters", "blocked_patterns", "max_rows_warn",
		"max_rows_block", "cardinality_multipliers", "base_row_count",
		"require_confirmation_above", "denial_message", "allowed_roles", "allowed_hours",
	}
	docKeys = []string{
		"glossary", "runbook", "onboarding", "data_dictionary", "api_docs",
		"architecture", "changelog", "contact", "additional",
	}
	dqKeys        = []string{"dq_owner", "quality_score", "validation_rules", "known_issues", "last_validated"}
	slaKeys       = []string{"freshness", "availability", "support_hours", "escalation_contact"}
	freshnessKeys = []string{"last_loaded", "refresh_schedule", "source_system", "upstream_dependencies"}
	schemaKeys    = []string{
		"columns", "description", "semantic_tags", "primary_key", "use_cases",
		"examples", "related_monikers", "granularity", "typical_row_count", "update_frequency",
	}
	columnKeys = []string{"name", "type", "description", "semantic_type", "example", "nullable", "primary_key", "foreign_key"}
)

// at names where a value is, for error messages ("access_policy.min_filters",
// "schema.columns[2].type"), without building the string unless an error
// needs it: decoding a large catalog must not allocate a path per field.
type at struct {
	p, k string // parent path and key; String is p + "." + k
	i    int    // list index + 1 (0: none), after k
	leaf string // key after the index
}

func top(k string) at      { return at{k: k} }
func under(p, k string) at { return at{p: p, k: k} }
func (a at) item(i int) at {
	if a.i == 0 && a.leaf == "" {
		return at{p: a.p, k: a.k, i: i + 1}
	}
	return at{k: a.String(), i: i + 1}
}
func (a at) field(k string) at {
	if a.i > 0 && a.leaf == "" {
		return at{p: a.p, k: a.k, i: a.i, leaf: k}
	}
	return under(a.String(), k)
}

func (a at) String() string {
	s := a.k
	if a.p != "" {
		s = a.p + "." + a.k
	}
	if a.i > 0 {
		s += "[" + strconv.Itoa(a.i-1) + "]"
	}
	if a.leaf != "" {
		s += "." + a.leaf
	}
	return s
}

// ownerFieldByKey maps an ownership YAML key to its field.
func ownerFieldByKey(k string) (moniker.OwnerField, bool) {
	for f := moniker.OwnerField(0); f < moniker.NumOwnerFields; f++ {
		if f.Key() == k {
			return f, true
		}
	}
	return 0, false
}

// maxDepth bounds the nesting the decoder follows (aliases can make
// cycles).
const maxDepth = 200

// decoder turns yaml.Node trees into moniker.Node values, collecting
// errors and warnings with file positions. One decoder is used by one
// goroutine.
type decoder struct {
	file     string
	lineBase int    // added to yaml line numbers to get file lines
	node     string // path of the node being decoded, for messages
	errs     []error
	warns    []Warning
	budget   int  // remaining yaml nodes the decoder may visit (alias bombs)
	domains  bool // decoding domains.yaml: node names a domain
	intern   map[string]string
	boxed    map[string]any   // interned strings already boxed for map values
	regexps  map[string]error // blocked patterns already compiled
}

func newDecoder(file string) *decoder {
	return &decoder{file: file, intern: make(map[string]string, 1024)}
}

// maxInterned is the longest string the decoder de-duplicates. Short
// strings (map keys, source types, hosts, owners) repeat across nodes.
const maxInterned = 48

// str returns a copy of s that the caller may keep: node values from the
// fast parser point into the batch buffer, so every string that outlives
// a batch goes through str. Short strings are interned per worker.
func (d *decoder) str(s string) string {
	if len(s) > maxInterned || len(s) == 0 {
		return strings.Clone(s)
	}
	if v, ok := d.intern[s]; ok {
		return v
	}
	s = strings.Clone(s)
	if len(d.intern) < 1<<16 {
		d.intern[s] = s
	}
	return s
}

func (d *decoder) line(n *yaml.Node) int {
	if n == nil || n.Line == 0 {
		return 0
	}
	return d.lineBase + n.Line
}

func (d *decoder) errorf(n *yaml.Node, a at, format string, args ...any) {
	if len(d.errs) >= maxErrors {
		return
	}
	d.errs = append(d.errs, &LoadError{File: d.file, Line: d.line(n), Node: d.node, Key: a.String(), Msg: fmt.Sprintf(format, args...), domain: d.domains})
}

func (d *decoder) warnf(n *yaml.Node, format string, args ...any) {
	d.warns = append(d.warns, Warning{File: d.file, Line: d.line(n), Node: d.node, Msg: fmt.Sprintf(format, args...)})
}

// unknownKey reports key as not part of the schema, with a hint.
func (d *decoder) unknownKey(kn *yaml.Node, a at, key string, known []string) {
	msg := "unknown key"
	if s := closest(key, known); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	d.errorf(kn, a, "%s", msg)
}

// kindName describes a node for type errors.
func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == tagNull {
			return "null"
		}
		return strconv.Quote(n.Value)
	}
	return "an unsupported value"
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && i < maxDepth; i++ {
		n = n.Alias
	}
	return n
}

// pairs calls fn for each key/value pair of mapping m, expanding "<<"
// merge keys first so that explicit keys override merged ones. Keys must
// be scalars.
func (d *decoder) pairs(m *yaml.Node, prefix at, depth int, fn func(key string, kn, vn *yaml.Node)) {
	if depth > maxDepth {
		d.errorf(m, prefix, "nesting too deep")
		return
	}
	c := m.Content
	for i := 0; i+1 < len(c); i += 2 {
		if c[i].Kind == yaml.ScalarNode && c[i].Tag == tagMerge {
			d.merge(c[i+1], prefix, depth, fn)
		}
	}
	for i := 0; i+1 < len(c); i += 2 {
		kn := deref(c[i])
		if kn.Kind == yaml.ScalarNode && kn.Tag == tagMerge {
			continue
		}
		if kn.Kind != yaml.ScalarNode || kn.Tag == tagNull {
			d.errorf(kn, prefix, "keys must be strings, got %s", kindName(kn))
			continue
		}
		fn(d.str(kn.Value), kn, c[i+1])
	}
}

func (d *decoder) merge(v *yaml.Node, prefix at, depth int, fn func(string, *yaml.Node, *yaml.Node)) {
	v = deref(v)
	switch v.Kind {
	case yaml.MappingNode:
		d.pairs(v, prefix, depth+1, fn)
	case yaml.SequenceNode:
		for _, s := range v.Content {
			if s = deref(s); s.Kind != yaml.MappingNode {
				d.errorf(s, prefix, "merge (<<) needs mappings, got %s", kindName(s))
				continue
			}
			d.pairs(s, prefix, depth+1, fn)
		}
	default:
		d.errorf(v, prefix, "merge (<<) needs a mapping, got %s", kindName(v))
	}
}

// mapping checks that v is a mapping; null gives ok=false without error.
func (d *decoder) mapping(v *yaml.Node, key at) (*yaml.Node, bool) {
	v = deref(v)
	switch {
	case v.Kind == yaml.MappingNode:
		return v, true
	case v.Kind == yaml.ScalarNode && v.Tag == tagNull:
		return nil, false
	}
	d.errorf(v, key, "expected a mapping, got %s", kindName(v))
	return nil, false
}

// text returns a scalar's text; null is "". Numbers, booleans and dates
// are kept as the file spelled them.
func (d *decoder) text(v *yaml.Node, key at) string {
	v = deref(v)
	if v.Kind != yaml.ScalarNode {
		d.errorf(v, key, "expected a string, got %s", kindName(v))
		return ""
	}
	if v.Tag == tagNull {
		return ""
	}
	return d.str(v.Value)
}

// boolean accepts YAML 1.2 booleans and the YAML 1.1 spellings upstream's
// PyYAML read as booleans (yes/no/on/off/y/n).
func (d *decoder) boolean(v *yaml.Node, key at, def bool) bool {
	v = deref(v)
	if v.Kind == yaml.ScalarNode {
		if v.Tag == tagNull {
			return def
		}
		switch v.Value {
		case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
			return true
		case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N":
			return false
		}
	}
	d.errorf(v, key, "expected true or false, got %s", kindName(v))
	return def
}

// integer reads an integer (an integral float such as 1e7 is accepted).
// set is false for null or on error.
func (d *decoder) integer(v *yaml.Node, key at) (n int64, set bool) {
	v = deref(v)
	if v.Kind == yaml.ScalarNode {
		switch v.Tag {
		case tagNull:
			return 0, false
		case tagInt:
			if i, ok := parseInt(v.Value); ok {
				return i, true
			}
		case tagFloat:
			if f, ok := parseFloat(v.Value); ok && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
				return int64(f), true
			}
		}
	}
	d.errorf(v, key, "expected integer, got %s", kindName(v))
	return 0, false
}

func (d *decoder) number(v *yaml.Node, key at) (f float64, set bool) {
	v = deref(v)
	if v.Kind == yaml.ScalarNode {
		switch v.Tag {
		case tagNull:
			return 0, false
		case tagInt:
			if i, ok := parseInt(v.Value); ok {
				return float64(i), true
			}
		case tagFloat:
			if f, ok := parseFloat(v.Value); ok {
				return f, true
			}
		}
	}
	d.errorf(v, key, "expected a number, got %s", kindName(v))
	return 0, false
}

func (d *decoder) list(v *yaml.Node, key at) ([]*yaml.Node, bool) {
	v = deref(v)
	switch {
	case v.Kind == yaml.SequenceNode:
		return v.Content, true
	case v.Kind == yaml.ScalarNode && v.Tag == tagNull:
		return nil, false
	}
	d.errorf(v, key, "expected a list, got %s", kindName(v))
	return nil, false
}

func (d *decoder) strings(v *yaml.Node, key at) []string {
	items, ok := d.list(v, key)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		it = deref(it)
		if it.Kind != yaml.ScalarNode || it.Tag == tagNull {
			d.errorf(it, key.item(i), "expected a string, got %s", kindName(it))
			continue
		}
		out = append(out, d.str(it.Value))
	}
	return out
}

func (d *decoder) integers(v *yaml.Node, key at) []int64 {
	items, ok := d.list(v, key)
	if !ok {
		return nil
	}
	out := make([]int64, 0, len(items))
	for i, it := range items {
		if n, ok := d.integer(it, key.item(i)); ok {
			out = append(out, n)
		}
	}
	return out
}

// value converts a free-form YAML value to Go: string, int, int64,
// uint64, float64, bool, nil, []any or map[string]any. Dates, binary and
// custom-tagged scalars stay the string the file had.
func (d *decoder) value(v *yaml.Node, key at, depth int) any {
	d.budget--
	if d.budget < 0 {
		if d.budget == -1 {
			d.errorf(v, key, "document too large after alias expansion")
		}
		return nil
	}
	if depth > maxDepth {
		d.errorf(v, key, "nesting too deep")
		return nil
	}
	v = deref(v)
	switch v.Kind {
	case yaml.ScalarNode:
		return d.scalar(v)
	case yaml.SequenceNode:
		out := make([]any, len(v.Content))
		for i, it := range v.Content {
			out[i] = d.value(it, key, depth+1)
		}
		return out
	case yaml.MappingNode:
		out := make(map[string]any, len(v.Content)/2)
		d.pairs(v, key, depth, func(k string, _, vn *yaml.Node) {
			out[k] = d.value(vn, key, depth+1)
		})
		return out
	}
	return nil
}

func (d *decoder) scalar(v *yaml.Node) any {
	switch v.Tag {
	case tagNull:
		return nil
	case tagBool:
		switch v.Value {
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		}
	case tagInt:
		if i, ok := parseInt(v.Value); ok {
			if i == int64(int(i)) {
				return int(i)
			}
			return i
		}
		if u, err := strconv.ParseUint(strings.ReplaceAll(v.Value, "_", ""), 0, 64); err == nil {
			return u
		}
	case tagFloat:
		if f, ok := parseFloat(v.Value); ok {
			return f
		}
	}
	return d.box(v.Value)
}

// box returns str(s) as an interface value, sharing the boxed value of
// short strings: config maps repeat the same hosts and warehouses.
func (d *decoder) box(s string) any {
	if len(s) > maxInterned || len(s) == 0 {
		return d.str(s)
	}
	if v, ok := d.boxed[s]; ok {
		return v
	}
	s = d.str(s)
	var v any = s
	if d.boxed == nil {
		d.boxed = make(map[string]any, 1024)
	}
	if len(d.boxed) < 1<<16 {
		d.boxed[s] = v
	}
	return v
}

func parseInt(s string) (int64, bool) {
	s = strings.ReplaceAll(s, "_", "")
	i, err := strconv.ParseInt(s, 0, 64)
	return i, err == nil
}

func parseFloat(s string) (float64, bool) {
	switch s {
	case ".nan", ".NaN", ".NAN":
		return math.NaN(), true
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return math.Inf(1), true
	case "-.inf", "-.Inf", "-.INF":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil {
		if i, ok := parseInt(s); ok {
			return float64(i), true
		}
	}
	return f, err == nil
}

// entry decodes one top-level entry (key kn, value vn) into a node. It
// returns nil when the entry is unusable (errors were recorded).
func (d *decoder) entry(kn, vn *yaml.Node) *moniker.Node {
	kn = deref(kn)
	d.node = ""
	if kn.Kind != yaml.ScalarNode || kn.Tag == tagNull {
		d.errorf(kn, at{}, "node path must be a string, got %s", kindName(kn))
		return nil
	}
	path := strings.Clone(kn.Value)
	d.node = path
	if t := strings.Trim(path, "/"); t != path {
		if t == "" {
			d.errorf(kn, at{}, "node path is empty")
			return nil
		}
		d.warnf(kn, "leading or trailing \"/\" trimmed from node path; using %q", t)
		path = t
		d.node = t
	}
	if path == "" {
		d.errorf(kn, at{}, "node path is empty")
		return nil
	}
	v := deref(vn)
	if v.Kind == yaml.ScalarNode && v.Tag == tagNull {
		d.errorf(kn, at{}, "node value is null (use {} for an empty node)")
		return nil
	}
	if v.Kind != yaml.MappingNode {
		d.errorf(v, at{}, "node value must be a mapping, got %s", kindName(v))
		return nil
	}
	n := &moniker.Node{Path: path, File: d.file, Line: d.line(kn)}
	d.pairs(v, at{}, 0, func(k string, kn, vn *yaml.Node) { d.nodeKey(n, k, kn, vn) })
	return n
}

func (d *decoder) nodeKey(n *moniker.Node, k string, kn, vn *yaml.Node) {
	switch k {
	case "display_name":
		n.DisplayName = d.text(vn, top(k))
	case "description":
		n.Description = d.text(vn, top(k))
	case "domain":
		n.Domain = d.text(vn, top(k))
	case "classification":
		n.Classification = d.text(vn, top(k))
	case "deprecation_message":
		n.DeprecationMessage = d.text(vn, top(k))
	case "successor":
		n.Successor = d.text(vn, top(k))
	case "sunset_deadline":
		n.SunsetDeadline = d.text(vn, top(k))
	case "migration_guide_url":
		n.MigrationGuideURL = d.text(vn, top(k))
	case "status":
		s := d.text(vn, top(k))
		switch st := moniker.Status(s); {
		case s == "":
		case st.Valid():
			n.Status = st
		default:
			d.warnf(vn, "status: unknown status %q, using active", s)
			n.Status = moniker.StatusActive
		}
	case "tags":
		if tags := d.strings(vn, top(k)); len(tags) > 0 {
			slices.Sort(tags)
			n.Tags = slices.Compact(tags)
		}
	case "metadata":
		if m, ok := d.mapping(vn, top(k)); ok {
			n.Metadata, _ = d.value(m, top(k), 0).(map[string]any)
		}
	case "ownership":
		if m, ok := d.mapping(vn, top(k)); ok {
			d.pairs(m, top(k), 0, func(k2 string, kn2, vn2 *yaml.Node) {
				f, ok := ownerFieldByKey(k2)
				if !ok {
					d.unknownKey(kn2, under(k, k2), k2, ownerKeyList())
					return
				}
				n.Ownership[f] = d.text(vn2, under(k, k2))
			})
		}
	case "source_binding":
		if m, ok := d.mapping(vn, top(k)); ok {
			n.Binding = d.binding(m, kn)
		}
	case "access_policy":
		if m, ok := d.mapping(vn, top(k)); ok {
			n.AccessPolicy = d.policy(m)
		}
	case "documentation":
		if m, ok := d.mapping(vn, top(k)); ok {
			n.Documentation = d.documentation(m)
		}
	case "data_quality":
		if m, ok := d.mapping(vn, top(k)); ok {
			n.DataQuality = d.dataQuality(m)
		}
	case "sla":
		if m, ok := d.mapping(vn, top(k)); ok {
			s := &moniker.SLA{}
			d.pairs(m, top(k), 0, func(k2 string, kn2, vn2 *yaml.Node) {
				key := under(k, k2)
				switch k2 {
				case "freshness":
					s.Freshness = d.text(vn2, key)
				case "availability":
					s.Availability = d.text(vn2, key)
				case "support_hours":
					s.SupportHours = d.text(vn2, key)
				case "escalation_contact":
					s.EscalationContact = d.text(vn2, key)
				default:
					d.unknownKey(kn2, under(k, k2), k2, slaKeys)
				}
			})
			n.SLA = s
		}
	case "freshness":
		if m, ok := d.mapping(vn, top(k)); ok {
			f := &moniker.Freshness{}
			d.pairs(m, top(k), 0, func(k2 string, kn2, vn2 *yaml.Node) {
				key := under(k, k2)
				switch k2 {
				case "last_loaded":
					f.LastLoaded = d.text(vn2, key)
				case "refresh_schedule":
					f.RefreshSchedule = d.text(vn2, key)
				case "source_system":
					f.SourceSystem = d.text(vn2, key)
				case "upstream_dependencies":
					f.UpstreamDependencies = d.strings(vn2, key)
				default:
					d.unknownKey(kn2, under(k, k2), k2, freshnessKeys)
				}
			})
			n.Freshness = f
		}
	case "schema":
		if m, ok := d.mapping(vn, top(k)); ok {
			n.Schema = d.schema(m)
		}
	default:
		if slices.Contains(extraNodeKeys, k) {
			if n.Extra == nil {
				n.Extra = make(map[string]any, 2)
			}
			n.Extra[k] = d.value(vn, top(k), 0)
			return
		}
		d.unknownKey(kn, top(k), k, append(slices.Clip(nodeKeys), extraNodeKeys...))
	}
}

func ownerKeyList() []string {
	out := make([]string, moniker.NumOwnerFields)
	for f := range moniker.NumOwnerFields {
		out[f] = f.Key()
	}
	return out
}

func (d *decoder) binding(m, at *yaml.Node) *moniker.SourceBinding {
	const p = "source_binding"
	b := &moniker.SourceBinding{ReadOnly: true}
	hasType := false
	d.pairs(m, top(p), 0, func(k string, kn, vn *yaml.Node) {
		key := under(p, k)
		switch k {
		case "type":
			hasType = true
			t := strings.ToLower(d.text(vn, key))
			if source.Lookup(t) == nil {
				d.warnf(vn, "%s: unknown source type %q, using static", key, t)
				t = "static"
			}
			b.Type = d.str(t)
		case "config":
			if cm, ok := d.mapping(vn, key); ok {
				b.Config, _ = d.value(cm, key, 0).(map[string]any)
			}
		case "schema":
			b.Schema = d.value(vn, key, 0)
		case "read_only":
			b.ReadOnly = d.boolean(vn, key, true)
		case "allowed_operations":
			b.AllowedOperations = d.strings(vn, key)
		case "cache":
			if cm, ok := d.mapping(vn, key); ok {
				b.Cache = d.cache(cm)
			}
		default:
			d.unknownKey(kn, under(p, k), k, bindingKeys)
		}
	})
	if !hasType {
		d.errorf(at, under(p, "type"), "required")
	}
	return b
}

func (d *decoder) cache(m *yaml.Node) *moniker.BindingCache {
	const p = "source_binding.cache"
	c := &moniker.BindingCache{TTLSeconds: 3600, RefreshIntervalSeconds: 600, RefreshOnStartup: true}
	d.pairs(m, top(p), 0, func(k string, kn, vn *yaml.Node) {
		key := under(p, k)
		switch k {
		case "enabled":
			c.Enabled = d.boolean(vn, key, false)
		case "ttl_seconds":
			if n, ok := d.integer(vn, key); ok {
				c.TTLSeconds = int(n)
			}
		case "refresh_interval_seconds":
			if n, ok := d.integer(vn, key); ok {
				c.RefreshIntervalSeconds = int(n)
			}
		case "refresh_on_startup":
			c.RefreshOnStartup = d.boolean(vn, key, true)
		default:
			d.unknownKey(kn, under(p, k), k, cacheKeys)
		}
	})
	return c
}

func (d *decoder) policy(m *yaml.Node) *moniker.AccessPolicy {
	const p = "access_policy"
	ap := &moniker.AccessPolicy{BaseRowCount: 100}
	d.pairs(m, top(p), 0, func(k string, kn, vn *yaml.Node) {
		key := under(p, k)
		switch k {
		case "required_segments":
			for _, v := range d.integers(vn, key) {
				ap.RequiredSegments = append(ap.RequiredSegments, int(v))
			}
		case "min_filters":
			if n, ok := d.integer(vn, key); ok {
				ap.MinFilters = int(n)
			}
		case "blocked_patterns":
			items, _ := d.list(vn, key)
			for i, it := range items {
				ik := key.item(i)
				it = deref(it)
				if it.Kind != yaml.ScalarNode || it.Tag == tagNull {
					d.errorf(it, ik, "expected a string, got %s", kindName(it))
					continue
				}
				if err := d.checkRegexp(it.Value); err != nil {
					d.errorf(it, ik, "invalid regular expression %q: %v", it.Value, unprefixRegexpError(err))
					continue
				}
				ap.BlockedPatterns = append(ap.BlockedPatterns, d.str(it.Value))
			}
		case "max_rows_warn":
			ap.MaxRowsWarn, _ = d.integer(vn, key)
		case "max_rows_block":
			ap.MaxRowsBlock, _ = d.integer(vn, key)
		case "cardinality_multipliers":
			ap.CardinalityMultipliers = d.integers(vn, key)
		case "base_row_count":
			if n, ok := d.integer(vn, key); ok {
				ap.BaseRowCount = n
			}
		case "require_confirmation_above":
			ap.RequireConfirmationAbove, _ = d.integer(vn, key)
		case "denial_message":
			ap.DenialMessage = d.text(vn, key)
		case "allowed_roles":
			ap.AllowedRoles = d.strings(vn, key)
		case "allowed_hours":
			if v, ok := d.value(vn, key, 0).([]any); ok {
				ap.AllowedHours = v
			} else if deref(vn).Tag != tagNull {
				d.errorf(vn, key, "expected a list, got %s", kindName(deref(vn)))
			}
		default:
			d.unknownKey(kn, under(p, k), k, policyKeys)
		}
	})
	return ap
}

// checkRegexp compiles a blocked pattern, caching the outcome: catalogs
// repeat the same few patterns.
func (d *decoder) checkRegexp(p string) error {
	if err, ok := d.regexps[p]; ok {
		return err
	}
	_, err := regexp.Compile(BlockedPatternRegexp(p))
	if d.regexps == nil {
		d.regexps = make(map[string]error)
	}
	if len(d.regexps) < 1024 {
		d.regexps[strings.Clone(p)] = err
	}
	return err
}

// BlockedPatternRegexp returns the Go regular expression an access
// policy's blocked pattern p is matched with: case-insensitive, anchored
// at the start only (reference Q16).
func BlockedPatternRegexp(p string) string { return "(?i)^(?:" + p + ")" }

// unprefixRegexpError drops Go's "error parsing regexp: " prefix.
func unprefixRegexpError(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}

func (d *decoder) documentation(m *yaml.Node) *moniker.Documentation {
	const p = "documentation"
	doc := &moniker.Documentation{}
	d.pairs(m, top(p), 0, func(k string, kn, vn *yaml.Node) {
		key := under(p, k)
		switch k {
		case "glossary":
			doc.Glossary = d.text(vn, key)
		case "runbook":
			doc.Runbook = d.text(vn, key)
		case "onboarding":
			doc.Onboarding = d.text(vn, key)
		case "data_dictionary":
			doc.DataDictionary = d.text(vn, key)
		case "api_docs":
			doc.APIDocs = d.text(vn, key)
		case "architecture":
			doc.Architecture = d.text(vn, key)
		case "changelog":
			doc.Changelog = d.text(vn, key)
		case "contact":
			doc.Contact = d.text(vn, key)
		case "additional":
			if am, ok := d.mapping(vn, key); ok {
				doc.Additional = make(map[string]string, len(am.Content)/2)
				d.pairs(am, key, 0, func(k2 string, _, vn2 *yaml.Node) {
					doc.Additional[k2] = d.text(vn2, key.field(k2))
				})
			}
		default:
			d.unknownKey(kn, under(p, k), k, docKeys)
		}
	})
	return doc
}

func (d *decoder) dataQuality(m *yaml.Node) *moniker.DataQuality {
	const p = "data_quality"
	dq := &moniker.DataQuality{}
	d.pairs(m, top(p), 0, func(k string, kn, vn *yaml.Node) {
		key := under(p, k)
		switch k {
		case "dq_owner":
			dq.DQOwner = d.text(vn, key)
		case "quality_score":
			if f, ok := d.number(vn, key); ok {
				dq.QualityScore = &f
			}
		case "validation_rules":
			dq.ValidationRules = d.strings(vn, key)
		case "known_issues":
			dq.KnownIssues = d.strings(vn, key)
		case "last_validated":
			dq.LastValidated = d.text(vn, key)
		default:
			d.unknownKey(kn, under(p, k), k, dqKeys)
		}
	})
	return dq
}

func (d *decoder) schema(m *yaml.Node) *moniker.NodeSchema {
	const p = "schema"
	s := &moniker.NodeSchema{}
	d.pairs(m, top(p), 0, func(k string, kn, vn *yaml.Node) {
		key := under(p, k)
		switch k {
		case "columns":
			items, _ := d.list(vn, key)
			s.Columns = make([]moniker.Column, 0, len(items))
			for i, it := range items {
				if c, ok := d.column(it, key.item(i)); ok {
					s.Columns = append(s.Columns, c)
				}
			}
		case "description":
			s.Description = d.text(vn, key)
		case "semantic_tags":
			s.SemanticTags = d.strings(vn, key)
		case "primary_key":
			s.PrimaryKey = d.strings(vn, key)
		case "use_cases":
			s.UseCases = d.strings(vn, key)
		case "examples":
			s.Examples = d.strings(vn, key)
		case "related_monikers":
			s.RelatedMonikers = d.strings(vn, key)
		case "granularity":
			s.Granularity = d.text(vn, key)
		case "typical_row_count":
			s.TypicalRowCount = d.value(vn, key, 0)
		case "update_frequency":
			s.UpdateFrequency = d.text(vn, key)
		default:
			d.unknownKey(kn, under(p, k), k, schemaKeys)
		}
	})
	return s
}

func (d *decoder) column(v *yaml.Node, p at) (moniker.Column, bool) {
	c := moniker.Column{Type: "string", Nullable: true}
	m, ok := d.mapping(v, p)
	if !ok {
		if deref(v).Tag == tagNull {
			d.errorf(v, p, "expected a mapping, got null")
		}
		return c, false
	}
	hasName := false
	d.pairs(m, p, 0, func(k string, kn, vn *yaml.Node) {
		key := p.field(k)
		switch k {
		case "name":
			c.Name = d.text(vn, key)
			hasName = c.Name != ""
		case "type":
			if t := d.text(vn, key); t != "" {
				c.Type = t
			}
		case "description":
			c.Description = d.text(vn, key)
		case "semantic_type":
			c.SemanticType = d.text(vn, key)
		case "example":
			c.Example = d.value(vn, key, 0)
		case "nullable":
			c.Nullable = d.boolean(vn, key, true)
		case "primary_key":
			c.PrimaryKey = d.boolean(vn, key, false)
		case "foreign_key":
			c.ForeignKey = d.text(vn, key)
		default:
			d.unknownKey(kn, p.field(k), k, columnKeys)
		}
	})
	if !hasName {
		d.errorf(m, p.field("name"), "required")
		return c, false
	}
	return c, true
}

// closest returns the known key nearest to k by edit distance, if it is
// close enough to be a likely typo.
func closest(k string, known []string) string {
	best, bestD := "", 3
	for _, s := range known {
		if dd := editDistance(k, s); dd < bestD {
			best, bestD = s, dd
		}
	}
	return best
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
