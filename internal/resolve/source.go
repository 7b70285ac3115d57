package resolve

import (
	"maps"
	"slices"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/query"
	"github.com/moniker-svc/moniker/internal/source"
)

// field is one key of a connection or params object, compiled once per
// snapshot: a static value, a templated string, or an object whose string
// values are templated (REST query_params).
type field struct {
	key   string
	value any             // static value (tmpl == nil && !isObj)
	tmpl  *query.Template // templated string
	obj   []field         // templated object, rendered into a map[string]any
	isObj bool
}

// staticField returns a field with a fixed value.
func staticField(key string, v any) field { return field{key: key, value: v} }

// isStatic reports whether f renders to its fixed value.
func (f *field) isStatic() bool { return f.tmpl == nil && !f.isObj }

// templatedField returns a field whose string value is a template; other
// values (numbers, lists, ...) pass through unchanged.
func templatedField(key string, v any) field {
	if s, ok := v.(string); ok {
		return field{key: key, tmpl: query.Compile(s)}
	}
	return staticField(key, v)
}

// templatedObject returns a field whose value, when it is a map, is
// rendered with each string value templated and other values passed
// through (upstream crashed on a non-string value).
func templatedObject(key string, v any) field {
	m, ok := v.(map[string]any)
	if !ok {
		return templatedField(key, v)
	}
	f := field{key: key, isObj: true}
	for _, k := range slices.Sorted(maps.Keys(m)) {
		f.obj = append(f.obj, templatedField(k, m[k]))
	}
	return f
}

// render returns the value of f for c, using buf as scratch space.
func (f *field) render(c *query.Context, buf []byte) any {
	switch {
	case f.tmpl != nil:
		return string(f.tmpl.Append(buf[:0], c))
	case !f.isObj:
		return f.value
	}
	m := make(map[string]any, len(f.obj))
	for i := range f.obj {
		m[f.obj[i].key] = f.obj[i].render(c, buf)
	}
	return m
}

// compiledBinding is a bound node's source binding prepared for resolving:
// its templates compiled, its static connection and params values boxed
// once, its access policy compiled.
type compiledBinding struct {
	node    *moniker.Node
	dialect query.Dialect
	// conn is the connection object in source-type key order; connStatic
	// is the same object, shared by every resolution, when no value of it
	// is templated.
	conn       []field
	connStatic []moniker.KV
	// query renders the query; nil gives JSON null. selectFrom wraps it
	// as "SELECT * FROM <table>".
	query      *query.Template
	selectFrom bool
	// params are the source-specific extra params.
	params []field
	policy *policy
}

// compileBinding prepares n's binding (reference §6.6) as its source type
// (internal/source) describes it.
func compileBinding(n *moniker.Node) *compiledBinding {
	b := n.Binding
	cfg := b.Config
	st := source.Lookup(b.Type)
	if st == nil {
		// The catalog accepts only registered types; a binding built in
		// code with another type resolves like the pass-through types.
		st = &source.Type{Name: b.Type, PassThrough: true, Query: source.Query{Key: "query", Table: true}}
	}
	cb := &compiledBinding{node: n, dialect: st.Dialect, policy: compilePolicy(n.AccessPolicy)}
	if st.PassThrough {
		// Every config key but the query's, string values templated, in
		// sorted key order; secret keys are never returned.
		for _, k := range slices.Sorted(maps.Keys(cfg)) {
			if k == "query" || k == "table" || source.SecretKey(k) {
				continue
			}
			cb.conn = append(cb.conn, templatedField(k, cfg[k]))
		}
	}
	for _, k := range st.Connection {
		if f, ok := keyField(k, cfg); ok {
			cb.conn = append(cb.conn, f)
		}
	}
	for _, k := range st.Params {
		if f, ok := keyField(k, cfg); ok {
			cb.params = append(cb.params, f)
		}
	}
	if q := st.Query; q.Key != "" {
		if s, ok := cfg[q.Key].(string); ok {
			cb.query = query.Compile(s)
		} else if s, ok := cfg["table"].(string); ok && q.Table {
			cb.query, cb.selectFrom = query.Compile(s), q.SelectFrom
		} else if q.Default != "" {
			cb.query = query.Compile(q.Default)
		}
	}
	if !slices.ContainsFunc(cb.conn, func(f field) bool { return !f.isStatic() }) {
		cb.connStatic = make([]moniker.KV, len(cb.conn))
		for i, f := range cb.conn {
			cb.connStatic[i] = moniker.KV{Key: f.key, Value: f.value}
		}
	}
	return cb
}

// keyField returns the field of connection or params key k for config
// cfg; false when k is only returned if set and cfg lacks it.
func keyField(k source.Key, cfg map[string]any) (field, bool) {
	v, ok := cfg[k.Name]
	if !ok {
		if k.OnlyIfSet {
			return field{}, false
		}
		v = k.Default
	}
	switch {
	case k.DropSecrets:
		v = withoutSecrets(v)
	case k.Object:
		return templatedObject(k.Name, v), true
	case k.Templated:
		return templatedField(k.Name, v), true
	}
	return staticField(k.Name, v), true
}

// withoutSecrets returns v without its secret keys (source.SecretKey)
// when v is a map; v itself when it has none or is not a map. Upstream
// passed REST headers through (Q-sec); DESIGN §7: no secret is ever
// returned.
func withoutSecrets(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	var out map[string]any
	for k := range m {
		if source.SecretKey(k) {
			out = make(map[string]any, len(m))
			break
		}
	}
	if out == nil {
		return v
	}
	for k, x := range m {
		if !source.SecretKey(k) {
			out[k] = x
		}
	}
	return out
}
