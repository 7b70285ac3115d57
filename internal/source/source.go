// Package source is the registry of source types: for each type a binding
// may name (source_binding.type), everything the service knows about it in
// one entry — its SQL date dialect, the keys of the connection object and
// params that /resolve returns, where its query template comes from, the
// config schema the Config UI edits, which template placeholders apply, and
// how the data is read. The catalog decoder, resolution, rendering and the
// management API all read this registry; adding a source type is one file
// here (its Type value) plus its line in registry.
//
// The registry is immutable data: nothing in it changes after start.
package source

import (
	"maps"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/query"
)

// Type describes one source type.
type Type struct {
	// Name is the lower-case type name of source_binding.type.
	Name string
	// DisplayName names the type in the Config UI.
	DisplayName string
	// Dialect is the date dialect its templates render with (reference
	// §6.8).
	Dialect query.Dialect
	// Connection lists the keys of the resolved connection object, in
	// answer order. With PassThrough the object is every config key
	// instead.
	Connection []Key
	// PassThrough: the connection object is every config key except
	// "query", "table" and secret keys (SecretKey), string values
	// templated, in sorted key order (upstream's fallback branch for
	// composite and derived).
	PassThrough bool
	// Query says which config key holds the query template.
	Query Query
	// Params lists the type's extra params, after which every type gets
	// the moniker_* params.
	Params []Key
	// Config is the editor's schema of source_binding.config, in display
	// order.
	Config []Field
	// SQL: the query is SQL text, so the SQL placeholders apply.
	SQL bool
	// Execution says who reads the data: the client, or the service
	// (/fetch).
	Execution Execution
	// Adapter says the service reads this type itself: /fetch has an
	// adapter for it (in cmd/monikerd's adapters table) that runs
	// queries. Only such a type's Required config keys are enforced
	// (MissingConfig): a binding of a type the service does not read
	// (clients run its queries themselves) needs no key here.
	Adapter bool
	// NoFetch says why the service can never read this type itself (a
	// vendor SDK it cannot include): /fetch answers 501 with it. "" for
	// the other types; one without an adapter is answered with a
	// generic message.
	NoFetch string
}

// Key is one key of a resolved connection object or params object.
type Key struct {
	Name string
	// Default is the value when the config lacks the key (nil: JSON null).
	Default any
	// Templated: a string value is a query template rendered per moniker.
	Templated bool
	// Object: a map value's string values are templates (REST
	// query_params); other values pass through.
	Object bool
	// OnlyIfSet leaves the key out when the config lacks it.
	OnlyIfSet bool
	// DropSecrets removes the secret keys (SecretKey) of a map value
	// (REST headers).
	DropSecrets bool
}

// Query says where a type's query template is.
type Query struct {
	// Key is the config key of the template ("" = the type has none).
	Key string
	// Default is the template when the config lacks Key.
	Default string
	// Table: without Key, a "table" config key is read instead; SelectFrom
	// wraps it as SELECT * FROM <table>.
	Table      bool
	SelectFrom bool
}

// Field is one field of the editor's config schema.
type Field struct {
	Key string
	// Kind is string, number, sql, text, json or select.
	Kind string
	// Required: the type's adapter cannot do without the key, so (for a
	// type with an Adapter) a binding without it is refused when the
	// catalog loads and when a node is written. A key with a default
	// (a query template's, a port) is not required.
	Required    bool
	Description string
	// Options are the choices of a select.
	Options []string
	// URL: the value must be an absolute http(s) URL (checked when a
	// node is written).
	URL bool
}

// Execution says how the data of a binding is read.
type Execution struct {
	// Mode is "client" (the caller runs the resolved query itself) or
	// "server" (the service can read it).
	Mode string
	Hint string
}

// registry lists every source type in answer order: upstream's f206ffd
// set, HEAD's fred and yfinance, then the SQL engines DESIGN §6 adds.
var registry = []*Type{
	&snowflake, &oracle, &mssql, &rest, &static, &excel, &bloomberg,
	&refinitiv, &opensearch, &composite, &derived, &fred, &yfinance,
	&postgres, &mysql, &sqlite,
}

// Types returns every source type, in registry order. The caller must not
// change them.
func Types() []*Type { return slices.Clone(registry) }

// Names returns the name of every source type, in registry order.
func Names() []string {
	out := make([]string, len(registry))
	for i, t := range registry {
		out[i] = t.Name
	}
	return out
}

// Lookup returns the source type named name (lower-case), or nil.
func Lookup(name string) *Type {
	for _, t := range registry {
		if t.Name == name {
			return t
		}
	}
	return nil
}

// Placeholders returns the template placeholders that apply to the type:
// every placeholder for a SQL type, the ones that render plain values for
// the others.
func (t *Type) Placeholders() []query.Placeholder {
	var out []query.Placeholder
	for _, p := range query.Placeholders() {
		if t.SQL || !p.SQL {
			out = append(out, p)
		}
	}
	return out
}

// secretWords are the parts of a config key, header or parameter name
// that mark its value as a secret.
var secretWords = [...]string{"password", "passwd", "secret", "token", "credential", "private_key",
	"api_key", "apikey", "api-key", "authorization", "cookie"}

// SecretKey reports whether a config key (or a REST header name) names a
// secret. A secret's value is never returned or logged (DESIGN §7): the
// resolver leaves such keys out of its answers, the management API masks
// them.
func SecretKey(k string) bool {
	k = strings.ToLower(k)
	if k == "key" || k == "pass" || k == "pwd" {
		return true // REST auth_config.key (upstream's API key), short password names
	}
	for _, s := range secretWords {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// Editor's schema shorthands, shared by the types' files.
func str(key, desc string) Field { return Field{Key: key, Kind: "string", Description: desc} }
func required(key, desc string) Field {
	return Field{Key: key, Kind: "string", Required: true, Description: desc}
}
func num(key, desc string) Field { return Field{Key: key, Kind: "number", Description: desc} }
func jsonField(key, desc string) Field {
	return Field{Key: key, Kind: "json", Description: desc}
}
func choice(key, desc string, opts ...string) Field {
	return Field{Key: key, Kind: "select", Description: desc, Options: opts}
}

// secretFields are the three ways a binding gives a secret (fetch.Secret):
// the value itself (${VAR} expanded), an environment variable's name, or
// a file.
func secretFields(key, what string) []Field {
	return []Field{
		str(key, "The "+what+", or ${VAR} to take it from the service's environment (better: "+key+"_env or "+key+"_file)"),
		str(key+"_env", "Name of the environment variable holding the "+what),
		str(key+"_file", "File holding the "+what+" (relative to the catalog's folder)"),
	}
}

// fields joins field lists.
func fields(lists ...[]Field) []Field { return slices.Concat(lists...) }

// The fields every SQL type has.
var (
	sqlQuery     = Query{Key: "query", Table: true, SelectFrom: true}
	queryField   = Field{Key: "query", Kind: "sql", Description: "Query template; placeholders such as {segments[0]} are rendered per moniker."}
	tableField   = str("table", "Table to read (SELECT * FROM <table>) when there is no query.")
	segmentNames = str("segment_names", "Comma-separated names of the path segments below the node (a hint for the placeholder helper).")
)

// conn returns plain connection keys without defaults.
func conn(names ...string) []Key {
	out := make([]Key, len(names))
	for i, n := range names {
		out[i] = Key{Name: n}
	}
	return out
}

// TemplateValue is one templated string of a binding's config.
type TemplateValue struct {
	// Key is where it is: "query", or "query_params.symbol" inside an
	// object key.
	Key   string
	Value string
}

// Templates returns the string values of cfg that resolution renders as
// templates for this type, in a stable order: the query key (and "table"
// when it stands in for it), templated and object keys, and for a
// pass-through type every string value.
func (t *Type) Templates(cfg map[string]any) []TemplateValue {
	var out []TemplateValue
	add := func(k string) {
		if s, ok := cfg[k].(string); ok {
			out = append(out, TemplateValue{k, s})
		}
	}
	if t.PassThrough {
		for _, k := range slices.Sorted(maps.Keys(cfg)) {
			add(k)
		}
		return out
	}
	if t.Query.Key != "" {
		add(t.Query.Key)
		if t.Query.Table {
			add("table")
		}
	}
	for _, k := range append(slices.Clip(t.Connection), t.Params...) {
		switch {
		case k.Templated:
			add(k.Name)
		case k.Object:
			m, _ := cfg[k.Name].(map[string]any)
			for _, sub := range slices.Sorted(maps.Keys(m)) {
				if s, ok := m[sub].(string); ok {
					out = append(out, TemplateValue{k.Name + "." + sub, s})
				}
			}
		}
	}
	return out
}

// MissingConfig returns the Required config keys cfg lacks (absent, null
// or an empty string), in schema order; none for a type without an
// Adapter.
func (t *Type) MissingConfig(cfg map[string]any) []string {
	if !t.Adapter {
		return nil
	}
	var out []string
	for _, f := range t.Config {
		if !f.Required {
			continue
		}
		if v, ok := cfg[f.Key]; !ok || v == nil || v == "" {
			out = append(out, f.Key)
		}
	}
	return out
}

// Field returns the editor's schema field of config key key, or nil.
func (t *Type) Field(key string) *Field {
	for i := range t.Config {
		if t.Config[i].Key == key {
			return &t.Config[i]
		}
	}
	return nil
}
