package catalog

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/source"
	"github.com/moniker-svc/moniker/internal/yamlfile"
	"go.yaml.in/yaml/v3"
)

// tagNull is yaml.v3's tag of a null scalar (the schema code below tests
// for it).
const tagNull = yamlfile.TagNull

// Keys of the structured parts of the catalog schema (reference §7.2),
// for the strict unknown-key check and its "did you mean" hint; every
// other key comes from the node-field table (moniker.NodeFields).
var (
	bindingKeys = []string{"type", "config", "schema", "read_only", "allowed_operations", "cache"}
	cacheKeys   = []string{"enabled", "ttl_seconds", "refresh_interval_seconds", "refresh_on_startup"}
	policyKeys  = []string{
		"required_segments", "min_filters", "blocked_patterns", "max_rows_warn",
		"max_rows_block", "cardinality_multipliers", "base_row_count",
		"require_confirmation_above", "denial_message", "allowed_roles", "allowed_hours",
	}
	columnKeys = []string{"name", "type", "description", "semantic_type", "example", "nullable", "primary_key", "foreign_key"}
)

// at names where a value is, for error messages: a yamlfile.Path, which
// builds no string unless an error needs it, under the short names the
// schema code below uses.
type at yamlfile.Path

func top(k string) at            { return at(yamlfile.Key(k)) }
func under(p, k string) at       { return at(yamlfile.Under(p, k)) }
func (a at) item(i int) at       { return at(yamlfile.Path(a).Item(i)) }
func (a at) field(k string) at   { return at(yamlfile.Path(a).Field(k)) }
func (a at) String() string      { return yamlfile.Path(a).String() }
func (a at) path() yamlfile.Path { return yamlfile.Path(a) }

// decoder turns yaml.Node trees into moniker.Node values (or domain
// records), collecting errors and warnings with file positions. The
// strict walking is yamlfile.Walker's; the schema code below calls it
// through the short names that follow. One decoder is used by one
// goroutine.
type decoder struct {
	yamlfile.Walker
	warns   []Warning
	regexps map[string]error // blocked patterns already compiled
}

func newDecoder(file string) *decoder {
	return &decoder{Walker: yamlfile.Walker{File: file, Noun: "node"}}
}

func (d *decoder) warnf(n *yaml.Node, format string, args ...any) {
	d.warns = append(d.warns, Warning{File: d.File, Line: d.Line(n), Node: d.Entry, Msg: fmt.Sprintf(format, args...)})
}

func (d *decoder) str(s string) string { return d.Str(s) }
func (d *decoder) errorf(n *yaml.Node, a at, format string, args ...any) {
	d.Errorf(n, a.path(), format, args...)
}
func (d *decoder) unknownKey(kn *yaml.Node, a at, key string, known []string) {
	d.UnknownKey(kn, a.path(), key, known)
}
func (d *decoder) pairs(m *yaml.Node, a at, depth int, fn func(key string, kn, vn *yaml.Node)) {
	d.Pairs(m, a.path(), depth, fn)
}
func (d *decoder) mapping(v *yaml.Node, a at) (*yaml.Node, bool) { return d.Mapping(v, a.path()) }
func (d *decoder) list(v *yaml.Node, a at) ([]*yaml.Node, bool)  { return d.List(v, a.path()) }
func (d *decoder) text(v *yaml.Node, a at) string                { return d.Text(v, a.path()) }
func (d *decoder) strings(v *yaml.Node, a at) []string           { return d.Strings(v, a.path()) }
func (d *decoder) boolean(v *yaml.Node, a at, def bool) bool     { return d.Bool(v, a.path(), def) }
func (d *decoder) integer(v *yaml.Node, a at) (int64, bool)      { return d.Int(v, a.path()) }
func (d *decoder) integers(v *yaml.Node, a at) []int64           { return d.Ints(v, a.path()) }
func (d *decoder) number(v *yaml.Node, a at) (float64, bool)     { return d.Number(v, a.path()) }
func (d *decoder) value(v *yaml.Node, a at, depth int) any       { return d.Value(v, a.path(), depth) }
func deref(n *yaml.Node) *yaml.Node                              { return yamlfile.Deref(n) }
func kindName(n *yaml.Node) string                               { return yamlfile.KindName(n) }

// entry decodes one top-level entry (key kn, value vn) into a node. It
// returns nil when the entry is unusable (errors were recorded).
func (d *decoder) entry(kn, vn *yaml.Node) *moniker.Node {
	kn = deref(kn)
	d.Entry = ""
	if kn.Kind != yaml.ScalarNode || kn.Tag == tagNull {
		d.errorf(kn, at{}, "node path must be a string, got %s", kindName(kn))
		return nil
	}
	path := strings.Clone(kn.Value)
	d.Entry = path
	if t := strings.Trim(path, "/"); t != path {
		if t == "" {
			d.errorf(kn, at{}, "node path is empty")
			return nil
		}
		d.warnf(kn, "leading or trailing \"/\" trimmed from node path; using %q", t)
		path = t
		d.Entry = t
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
	n := &moniker.Node{Path: path, File: d.File, Line: d.Line(kn)}
	d.pairs(v, at{}, 0, func(k string, kn, vn *yaml.Node) { d.nodeKey(n, k, kn, vn) })
	return n
}

// nodeKey decodes the value of top-level key k into n, as the node-field
// table says.
func (d *decoder) nodeKey(n *moniker.Node, k string, kn, vn *yaml.Node) {
	f, ok := moniker.FieldByKey(k)
	if !ok {
		d.unknownKey(kn, top(k), k, moniker.NodeKeys())
		return
	}
	switch f.Kind {
	case moniker.KindOwnership:
		if m, ok := d.mapping(vn, top(k)); ok {
			d.pairs(m, top(k), 0, func(k2 string, kn2, vn2 *yaml.Node) {
				f, ok := moniker.OwnerFieldByKey(k2)
				if !ok {
					d.unknownKey(kn2, under(k, k2), k2, moniker.OwnerKeys())
					return
				}
				n.Ownership[f] = d.text(vn2, under(k, k2))
			})
		}
	case moniker.KindBinding:
		if m, ok := d.mapping(vn, top(k)); ok {
			n.Binding = d.binding(m, kn)
		}
	case moniker.KindPolicy:
		if m, ok := d.mapping(vn, top(k)); ok {
			n.AccessPolicy = d.policy(m)
		}
	case moniker.KindExtra:
		if n.Extra == nil {
			n.Extra = make(map[string]any, 2)
		}
		n.Extra[k] = d.value(vn, top(k), 0)
	case moniker.KindBlock:
		if m, ok := d.mapping(vn, top(k)); ok {
			f.Block.New(n)
			d.pairs(m, top(k), 0, func(k2 string, kn2, vn2 *yaml.Node) {
				sf, ok := f.Block.Field(k2)
				if !ok {
					d.unknownKey(kn2, under(k, k2), k2, f.Block.Keys())
					return
				}
				d.field(n, sf, vn2, under(k, k2))
			})
		}
	default:
		d.field(n, f, vn, top(k))
	}
}

// field decodes the value vn (at key) of a field of a scalar kind, or of
// the schema's columns.
func (d *decoder) field(n *moniker.Node, f *moniker.NodeField, vn *yaml.Node, key at) {
	switch f.Kind {
	case moniker.KindText:
		*f.Text(n) = d.text(vn, key)
	case moniker.KindEnum:
		switch s := d.text(vn, key); {
		case s == "":
		case f.Valid(s):
			*f.Text(n) = s
		default:
			d.warnf(vn, "%s: unknown %s %q, using %s", key, f.Key, s, f.Default)
			*f.Text(n) = f.Default
		}
	case moniker.KindTags:
		if tags := d.strings(vn, key); len(tags) > 0 {
			slices.Sort(tags)
			*f.List(n) = slices.Compact(tags)
		}
	case moniker.KindList:
		*f.List(n) = d.strings(vn, key)
	case moniker.KindNumber:
		if x, ok := d.number(vn, key); ok {
			*f.Number(n) = &x
		}
	case moniker.KindAny:
		*f.Any(n) = d.value(vn, key, 0)
	case moniker.KindMap:
		if m, ok := d.mapping(vn, key); ok {
			*f.Map(n), _ = d.value(m, key, 0).(map[string]any)
		}
	case moniker.KindTextMap:
		if m, ok := d.mapping(vn, key); ok {
			tm := make(map[string]string, len(m.Content)/2)
			d.pairs(m, key, 0, func(k string, _, v *yaml.Node) { tm[k] = d.text(v, key.field(k)) })
			*f.TextMap(n) = tm
		}
	case moniker.KindColumns:
		items, _ := d.list(vn, key)
		cols := make([]moniker.Column, 0, len(items))
		for i, it := range items {
			if c, ok := d.column(it, key.item(i)); ok {
				cols = append(cols, c)
			}
		}
		n.Schema.Columns = cols
	}
}

func (d *decoder) binding(m, at *yaml.Node) *moniker.SourceBinding {
	const p = "source_binding"
	b := &moniker.SourceBinding{ReadOnly: true}
	hasType, substituted := false, false
	cfgAt := at
	d.pairs(m, top(p), 0, func(k string, kn, vn *yaml.Node) {
		key := under(p, k)
		switch k {
		case "type":
			hasType = true
			t := strings.ToLower(d.text(vn, key))
			if source.Lookup(t) == nil {
				d.warnf(vn, "%s: unknown source type %q, using static", key, t)
				t = "static"
				substituted = true
			}
			b.Type = d.str(t)
		case "config":
			cfgAt = vn
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
	} else if st := source.Lookup(b.Type); st != nil && !substituted {
		// A key the type's adapter cannot do without: /fetch would
		// fail on every moniker of the binding. (An unknown type read
		// as static, upstream's fallback, stays a warning.)
		for _, k := range st.MissingConfig(b.Config) {
			d.errorf(cfgAt, under(p, "config").field(k), "required by source type %s", b.Type)
		}
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

func (d *decoder) column(v *yaml.Node, p at) (moniker.Column, bool) {
	c := moniker.Column{Type: moniker.DefaultColumnType, Nullable: true}
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
