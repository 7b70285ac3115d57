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

// Fields are the node fields a Patch may set, by JSON/YAML key, in the
// order of the node JSON. "extra" is the map of keys upstream defined that
// this service keeps without modelling (created_at, vendor, ...).
var Fields = [...]string{
	"display_name", "description", "domain", "ownership", "source_binding",
	"data_quality", "sla", "freshness", "schema", "access_policy",
	"documentation", "classification", "tags", "metadata", "status",
	"deprecation_message", "successor", "sunset_deadline", "migration_guide_url", "extra",
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

// changedFields lists the Fields whose values differ between a and b
// (a nil means a node with nothing set).
func changedFields(a, b *moniker.Node) []string {
	if a == nil {
		a = &moniker.Node{}
	}
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	var out []string
	for _, f := range Fields {
		name := fieldNames[f]
		if !reflect.DeepEqual(va.FieldByName(name).Interface(), vb.FieldByName(name).Interface()) {
			out = append(out, f)
		}
	}
	return out
}

// fieldNames maps Fields to moniker.Node's Go field names.
var fieldNames = map[string]string{
	"display_name": "DisplayName", "description": "Description", "domain": "Domain",
	"ownership": "Ownership", "source_binding": "Binding", "data_quality": "DataQuality",
	"sla": "SLA", "freshness": "Freshness", "schema": "Schema", "access_policy": "AccessPolicy",
	"documentation": "Documentation", "classification": "Classification", "tags": "Tags",
	"metadata": "Metadata", "status": "Status", "deprecation_message": "DeprecationMessage",
	"successor": "Successor", "sunset_deadline": "SunsetDeadline",
	"migration_guide_url": "MigrationGuideURL", "extra": "Extra",
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
	if n.Status != old.Status && n.Status != "" && !n.Status.Valid() {
		valid := make([]string, len(moniker.Statuses))
		for i, s := range moniker.Statuses {
			valid[i] = string(s)
		}
		add("status", fmt.Sprintf("invalid status %q (one of %s)", n.Status, strings.Join(valid, ", ")), string(n.Status))
	}
	if s := n.Successor; s != "" && s != old.Successor {
		if s == n.Path {
			add("successor", "a node cannot be its own successor", s)
		} else {
			add("successor", CheckPath(s), s)
		}
	}
	if s := n.MigrationGuideURL; s != "" && s != old.MigrationGuideURL {
		add("migration_guide_url", moniker.CheckURL(s), s)
	}
	if d := n.Documentation; d != nil {
		od := old.Documentation
		if od == nil {
			od = &moniker.Documentation{}
		}
		for _, l := range [...]struct {
			key      string
			now, was string
		}{
			{"glossary", d.Glossary, od.Glossary}, {"runbook", d.Runbook, od.Runbook},
			{"onboarding", d.Onboarding, od.Onboarding}, {"data_dictionary", d.DataDictionary, od.DataDictionary},
			{"api_docs", d.APIDocs, od.APIDocs}, {"architecture", d.Architecture, od.Architecture},
			{"changelog", d.Changelog, od.Changelog}, {"contact", d.Contact, od.Contact},
		} {
			if l.now != "" && l.now != l.was {
				add("documentation."+l.key, moniker.CheckURL(l.now), l.now)
			}
		}
		for _, k := range sortedKeys(d.Additional) {
			if v := d.Additional[k]; v != "" && v != od.Additional[k] {
				add("documentation.additional."+k, moniker.CheckURL(v), v)
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
	if !slices.Equal(n.Tags, old.Tags) {
		for i, t := range n.Tags {
			if strings.TrimSpace(t) == "" {
				add(fmt.Sprintf("tags[%d]", i), "must not be empty", t)
			}
		}
	}
	if len(errs) > 0 {
		return &moniker.ValidationError{Fields: errs}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
