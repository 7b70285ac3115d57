package resolve

import (
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/query"
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
	for _, k := range sortedKeys(m) {
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

// compileBinding prepares n's binding (reference §6.6).
func compileBinding(n *moniker.Node) *compiledBinding {
	b := n.Binding
	cfg := b.Config
	cb := &compiledBinding{node: n, dialect: query.DialectFor(b.Type), policy: compilePolicy(n.AccessPolicy)}
	get := func(key string, def any) any {
		if v, ok := cfg[key]; ok {
			return v
		}
		return def
	}
	conn := func(keys ...string) {
		for _, k := range keys {
			cb.conn = append(cb.conn, staticField(k, get(k, nil)))
		}
	}
	connDefault := func(key string, def any) { cb.conn = append(cb.conn, staticField(key, get(key, def))) }
	templ := func(key, def string) *query.Template {
		if s, ok := cfg[key].(string); ok {
			return query.Compile(s)
		}
		if def != "" {
			return query.Compile(def)
		}
		return nil
	}
	sqlQuery := func() {
		if cb.query = templ("query", ""); cb.query == nil {
			if cb.query = templ("table", ""); cb.query != nil {
				cb.selectFrom = true
			}
		}
	}

	switch b.Type {
	case "snowflake":
		conn("account", "warehouse", "database")
		connDefault("schema", "PUBLIC")
		conn("role")
		sqlQuery()
	case "oracle":
		conn("dsn", "host", "port", "service_name")
		sqlQuery()
	case "mssql":
		conn("server")
		connDefault("port", 1433)
		conn("database")
		connDefault("driver", "ODBC Driver 18 for SQL Server")
		sqlQuery()
	case "rest":
		conn("base_url")
		connDefault("auth_type", "none")
		cb.conn = append(cb.conn, staticField("headers", withoutSecrets(get("headers", map[string]any{}))))
		cb.query = templ("path_template", "/{path}")
		cb.params = append(cb.params, staticField("method", get("method", "GET")),
			staticField("response_path", get("response_path", nil)))
		if v, ok := cfg["query_params"]; ok {
			cb.params = append(cb.params, templatedObject("query_params", v))
		}
	case "static":
		connDefault("base_path", ".")
		cb.query = templ("file_pattern", "{path}.json")
		cb.params = append(cb.params, staticField("format", get("format", "json")),
			staticField("encoding", get("encoding", "utf-8")))
	case "excel":
		connDefault("base_path", ".")
		cb.query = templ("file_pattern", "{path}.xlsx")
		cb.params = append(cb.params, staticField("sheet", get("sheet", nil)),
			staticField("header_row", get("header_row", 1)))
	case "bloomberg":
		connDefault("host", "localhost")
		connDefault("port", 8194)
		connDefault("api_type", "blpapi")
		cb.params = append(cb.params, staticField("fields", get("fields", []any{"PX_LAST"})),
			templatedField("securities", get("securities", "{path}")))
	case "refinitiv":
		connDefault("api_type", "eikon")
		cb.params = append(cb.params, staticField("fields", get("fields", []any{})),
			templatedField("instruments", get("instruments", "{path}")))
	case "opensearch":
		connDefault("hosts", []any{})
		conn("index")
		cb.query = templ("query", "")
	default:
		// composite and derived (upstream's fallback branch), and the
		// types upstream did not have (fred, yfinance, postgres, mysql,
		// sqlite): every config key but query and table, string values
		// templated, in sorted key order; the query is the templated
		// query, else the templated table (not wrapped in SELECT).
		for _, k := range sortedKeys(cfg) {
			if k == "query" || k == "table" || secretKey(k) {
				continue
			}
			cb.conn = append(cb.conn, templatedField(k, cfg[k]))
		}
		if cb.query = templ("query", ""); cb.query == nil {
			cb.query = templ("table", "")
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

// secretKey reports whether a config key of a fallback-shape binding, or a
// REST header name, names a secret. Such keys are never returned (DESIGN
// §7: no secret is ever returned), where upstream passed REST headers and
// every composite/derived key through (Q-sec).
func secretKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range [...]string{"password", "passwd", "secret", "token", "credential", "private_key",
		"api_key", "apikey", "api-key", "authorization", "cookie"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// withoutSecrets returns v without its secret keys (secretKey) when v is
// a map; v itself when it has none or is not a map.
func withoutSecrets(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	var out map[string]any
	for k := range m {
		if secretKey(k) {
			out = make(map[string]any, len(m))
			break
		}
	}
	if out == nil {
		return v
	}
	for k, x := range m {
		if !secretKey(k) {
			out[k] = x
		}
	}
	return out
}

// sortedKeys returns the keys of m in sorted order.
func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
