package catalogedit

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/query"
	"github.com/moniker-svc/moniker/internal/source"
)

// fields are the keys a Patch may set, in the order of the node JSON:
// those of the node-field table, its KindExtra fields together as
// moniker.ExtraKey (the map of keys upstream defined that this service
// keeps without modelling: created_at, vendor, ...).
var fields = func() []string {
	var out []string
	for _, f := range moniker.NodeFields() {
		if f.Kind != moniker.KindExtra {
			out = append(out, f.Key)
		}
	}
	return append(out, moniker.ExtraKey)
}()

// Fields returns the keys a Patch may set, in the order of the node JSON.
func Fields() []string { return slices.Clone(fields) }

// IsField reports whether a Patch may set key.
func IsField(key string) bool {
	_, ok := field(key)
	return ok
}

// field returns the table row of a patch key; nil, true for
// moniker.ExtraKey.
func field(key string) (*moniker.NodeField, bool) {
	if key == moniker.ExtraKey {
		return nil, true
	}
	f, ok := moniker.FieldByKey(key)
	return f, ok && f.Kind != moniker.KindExtra
}

// CheckPath returns why p cannot be a catalog node path, or "": it must
// be a plain moniker path, every segment valid under the moniker grammar,
// with no namespace, @version, sub-resource, /vN revision or ?params.
func CheckPath(p string) string {
	if p == "" {
		return "required"
	}
	m, err := moniker.Parse(p)
	if err != nil {
		var pe *moniker.ParseError
		if errors.As(err, &pe) {
			return pe.Message
		}
		return err.Error()
	}
	if m.Path != p || m.Namespace != "" || m.HasVersion || m.HasRevision || m.SubResource != "" || len(m.Params) > 0 {
		return fmt.Sprintf("%q is not a plain catalog path: segments separated by \"/\", without namespace, @version, /vN revision or ?params", p)
	}
	return ""
}

// checkTemplate returns why a query template is refused (it has text that
// looks like a placeholder but is none), or "".
func checkTemplate(s string) string {
	if unknown := query.Compile(s).Unknown(); len(unknown) > 0 {
		return fmt.Sprintf("unknown placeholder %s (GET /config/source-types lists the placeholders)", strings.Join(unknown, ", "))
	}
	return ""
}

// emailFields are the ownership fields that hold an e-mail address.
var emailFields = [...]moniker.OwnerField{moniker.AccountableOwner, moniker.DataSpecialist, moniker.ADOP, moniker.ADS, moniker.ADAL}

// changedFields lists the patch keys whose values differ between a and
// b (a nil means a node with nothing set).
func changedFields(a, b *moniker.Node) []string {
	if a == nil {
		a = &moniker.Node{}
	}
	var out []string
	for _, k := range fields {
		if f, _ := field(k); f == nil && !reflect.DeepEqual(a.Extra, b.Extra) || f != nil && !f.Equal(a, b) {
			out = append(out, k)
		}
	}
	return out
}

// validate checks the values of n that differ from old (nil: n is new and
// every value is checked, its path too). Values a write does not change
// are not checked, so a node that predates a rule (an owner that is not an
// e-mail address, a template with an unknown placeholder) can still be
// edited in its other fields.
func validate(old, n *moniker.Node) error {
	var errs []moniker.FieldError
	add := func(field, msg string, input any) {
		if msg != "" {
			errs = append(errs, moniker.Field(field, msg, input))
		}
	}
	if old == nil {
		add("path", CheckPath(n.Path), n.Path)
		old = &moniker.Node{}
	}
	for _, f := range emailFields {
		if v := n.Ownership[f]; v != "" && v != old.Ownership[f] {
			add("ownership."+f.Key(), moniker.CheckEmail(v), v)
		}
	}
	if v := n.Ownership[moniker.UI]; v != "" && v != old.Ownership[moniker.UI] {
		add("ownership.ui", moniker.CheckURL(v), v)
	}
	if b := n.Binding; b != nil {
		ob := old.Binding
		if ob == nil {
			ob = &moniker.SourceBinding{}
		}
		st := source.Lookup(b.Type)
		if st == nil {
			if old.Binding == nil || b.Type != ob.Type {
				add("source_binding.type", fmt.Sprintf("invalid source type %q (one of %s)", b.Type, strings.Join(source.Names(), ", ")), b.Type)
			}
		} else {
			var before map[string]string
			if ost := source.Lookup(ob.Type); ost != nil {
				before = make(map[string]string)
				for _, tv := range ost.Templates(ob.Config) {
					before[tv.Key] = tv.Value
				}
			}
			for _, tv := range st.Templates(b.Config) {
				if prev, ok := before[tv.Key]; !ok || prev != tv.Value {
					add("source_binding.config."+tv.Key, checkTemplate(tv.Value), tv.Value)
				}
			}
			for _, f := range st.Config {
				if s, ok := b.Config[f.Key].(string); ok && f.URL && ob.Config[f.Key] != any(s) {
					add("source_binding.config."+f.Key, moniker.CheckURL(s), s)
				}
			}
			// The catalog loader refuses these too: the written file
			// would not load.
			for _, k := range st.MissingConfig(b.Config) {
				errs = append(errs, moniker.FieldError{Type: "missing", Loc: moniker.FieldLoc("source_binding.config." + k),
					Msg: "required by source type " + b.Type})
			}
		}
		if c := b.Cache; c != nil {
			if c.TTLSeconds < 0 {
				add("source_binding.cache.ttl_seconds", "must not be negative", c.TTLSeconds)
			}
			if c.RefreshIntervalSeconds < 0 {
				add("source_binding.cache.refresh_interval_seconds", "must not be negative", c.RefreshIntervalSeconds)
			}
		}
	}
	// The text fields of the table, then those of its blocks.
	table := moniker.NodeFields()
	for i := range table {
		if f := &table[i]; f.Kind == moniker.KindText || f.Kind == moniker.KindEnum {
			add(f.Key, checkText(f, old, n), *f.Text(n))
		}
	}
	for i := range table {
		f := &table[i]
		if f.Kind != moniker.KindBlock || !f.Block.Has(n) {
			continue
		}
		was := old
		if !f.Block.Has(old) {
			was = &moniker.Node{}
			f.Block.New(was)
		}
		for j := range f.Block.Fields {
			sf := &f.Block.Fields[j]
			name := f.Key + "." + sf.Key
			switch sf.Kind {
			case moniker.KindText, moniker.KindEnum:
				add(name, checkText(sf, was, n), *sf.Text(n))
			case moniker.KindTextMap:
				m, prev := *sf.TextMap(n), *sf.TextMap(was)
				for _, k := range sortedKeys(m) {
					if v := m[k]; v != "" && v != prev[k] {
						add(name+"."+k, checkFormat(sf.Format, n, sf.Key, v), v)
					}
				}
			}
		}
	}
	if p := n.AccessPolicy; p != nil {
		op := old.AccessPolicy
		if op == nil {
			op = &moniker.AccessPolicy{}
		}
		for i, pat := range p.BlockedPatterns {
			if slices.Contains(op.BlockedPatterns, pat) {
				continue
			}
			if _, err := regexp.Compile(catalog.BlockedPatternRegexp(pat)); err != nil {
				add(fmt.Sprintf("access_policy.blocked_patterns[%d]", i), fmt.Sprintf("invalid regular expression %q: %v",
					pat, strings.TrimPrefix(err.Error(), "error parsing regexp: ")), pat)
			}
		}
		for i, s := range p.RequiredSegments {
			if s < 0 {
				add(fmt.Sprintf("access_policy.required_segments[%d]", i), "must not be negative", s)
			}
		}
		for _, f := range [...]struct {
			key string
			v   int64
		}{
			{"min_filters", int64(p.MinFilters)}, {"max_rows_warn", p.MaxRowsWarn}, {"max_rows_block", p.MaxRowsBlock},
			{"base_row_count", p.BaseRowCount}, {"require_confirmation_above", p.RequireConfirmationAbove},
		} {
			if f.v < 0 {
				add("access_policy."+f.key, "must not be negative", f.v)
			}
		}
	}
	if s := n.Schema; s != nil && (old.Schema == nil || !reflect.DeepEqual(s.Columns, old.Schema.Columns)) {
		for i, c := range s.Columns {
			if strings.TrimSpace(c.Name) == "" {
				add(fmt.Sprintf("schema.columns[%d].name", i), "required", c.Name)
			}
		}
	}
	for i := range table {
		if f := &table[i]; f.Kind == moniker.KindTags && !slices.Equal(*f.List(n), *f.List(old)) {
			for i, t := range *f.List(n) {
				if strings.TrimSpace(t) == "" {
					add(fmt.Sprintf("%s[%d]", f.Key, i), "must not be empty", t)
				}
			}
		}
	}
	if len(errs) > 0 {
		return &moniker.ValidationError{Fields: errs}
	}
	return nil
}

// checkText returns why the value a write gives text or enum field f is
// refused, or "": a value the write does not change is not checked.
func checkText(f *moniker.NodeField, old, n *moniker.Node) string {
	v := *f.Text(n)
	if v == "" || v == *f.Text(old) {
		return ""
	}
	if f.Kind == moniker.KindEnum && !f.Valid(v) {
		return fmt.Sprintf("invalid %s %q (one of %s)", f.Key, v, strings.Join(f.Values, ", "))
	}
	return checkFormat(f.Format, n, f.Key, v)
}

// checkFormat returns why v is not a value of the format, or "".
func checkFormat(format moniker.Format, n *moniker.Node, key, v string) string {
	switch {
	case format == moniker.FormatURL:
		return moniker.CheckURL(v)
	case format == moniker.FormatPath && v == n.Path:
		return fmt.Sprintf("a node cannot be its own %s", key)
	case format == moniker.FormatPath:
		return CheckPath(v)
	}
	return ""
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
