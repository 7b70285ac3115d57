package source

import (
	"slices"
	"testing"

	"github.com/moniker-svc/moniker/internal/query"
)

func TestRegistry(t *testing.T) {
	names := Names()
	if len(names) != 16 || names[0] != "snowflake" {
		t.Fatalf("names %v", names)
	}
	for _, ty := range Types() {
		if Lookup(ty.Name) != ty {
			t.Errorf("Lookup(%q) does not find it", ty.Name)
		}
		if n := len(slices.DeleteFunc(slices.Clone(names), func(s string) bool { return s != ty.Name })); n != 1 {
			t.Errorf("%s registered %d times", ty.Name, n)
		}
		if ty.DisplayName == "" || ty.Execution.Hint == "" || len(ty.Config) == 0 {
			t.Errorf("%s: display name, execution hint and config schema are required", ty.Name)
		}
		if m := ty.Execution.Mode; m != "client" && m != "server" {
			t.Errorf("%s: execution mode %q", ty.Name, m)
		}
		keys := map[string]bool{}
		for _, f := range ty.Config {
			if keys[f.Key] {
				t.Errorf("%s: config field %s twice", ty.Name, f.Key)
			}
			keys[f.Key] = true
			if !slices.Contains([]string{"string", "number", "sql", "text", "json", "select"}, f.Kind) || f.Description == "" {
				t.Errorf("%s.%s: kind %q, description %q", ty.Name, f.Key, f.Kind, f.Description)
			}
		}
		// What the resolver reads, the editor can edit.
		for _, k := range append(slices.Clip(ty.Connection), ty.Params...) {
			if !keys[k.Name] {
				t.Errorf("%s: connection/params key %s has no config field", ty.Name, k.Name)
			}
		}
		if q := ty.Query.Key; q != "" && !ty.PassThrough && !keys[q] {
			t.Errorf("%s: query key %s has no config field", ty.Name, q)
		}
		// A required key has no default: the query key's default makes
		// it optional.
		if f := ty.Field(ty.Query.Key); f != nil && f.Required && ty.Query.Default != "" {
			t.Errorf("%s: %s is required but has the default %q", ty.Name, f.Key, ty.Query.Default)
		}
		if ty.Adapter && ty.NoFetch != "" {
			t.Errorf("%s: an adapter and a reason why there can be none", ty.Name)
		}
	}
	if Lookup("Snowflake") != nil || Lookup("") != nil {
		t.Error("Lookup is exact (types are lower-cased when a catalog is read)")
	}
}

// TestDialects: oracle, mssql and rest have their own date dialects, and
// so do the engines upstream did not have (postgres, mysql, sqlite); every
// other type renders with Snowflake's, as upstream did (quirk Q20).
func TestDialects(t *testing.T) {
	want := map[string]query.Dialect{"oracle": query.Oracle, "mssql": query.MSSQL, "rest": query.REST,
		"postgres": query.PostgreSQL, "mysql": query.MySQL, "sqlite": query.SQLite}
	for _, ty := range Types() {
		if ty.Dialect != want[ty.Name] {
			t.Errorf("%s: dialect %v, want %v", ty.Name, ty.Dialect, want[ty.Name])
		}
	}
}

func TestMissingConfig(t *testing.T) {
	pg := Lookup("postgres")
	if got := pg.MissingConfig(map[string]any{"host": "db", "database": ""}); !slices.Equal(got, []string{"database"}) {
		t.Errorf("postgres: %v, want [database]", got)
	}
	if got := pg.MissingConfig(map[string]any{"host": "db", "database": "d"}); got != nil {
		t.Errorf("postgres complete: %v", got)
	}
	if got := Lookup("static").MissingConfig(map[string]any{"base_path": "/data"}); got != nil {
		t.Errorf("static without file_pattern (it has a default): %v", got)
	}
	// A type the service does not read needs no key.
	if got := Lookup("derived").MissingConfig(nil); got != nil {
		t.Errorf("derived: %v", got)
	}
}

func TestPlaceholders(t *testing.T) {
	all := len(query.Placeholders())
	if n := len(Lookup("postgres").Placeholders()); n != all {
		t.Errorf("postgres: %d placeholders, want all %d", n, all)
	}
	for _, p := range Lookup("static").Placeholders() {
		if p.SQL {
			t.Errorf("static files get the SQL placeholder %s", p.Name)
		}
	}
}

func TestTemplates(t *testing.T) {
	got := Lookup("rest").Templates(map[string]any{
		"base_url": "https://x", "path_template": "/v1/{path}", "query_params": map[string]any{"b": "{segments[0]}", "a": 3},
	})
	want := []TemplateValue{{"path_template", "/v1/{path}"}, {"query_params.b", "{segments[0]}"}}
	if !slices.Equal(got, want) {
		t.Errorf("rest templates %v, want %v", got, want)
	}
	got = Lookup("derived").Templates(map[string]any{"source_moniker": "a/{path}", "n": 1})
	if !slices.Equal(got, []TemplateValue{{"source_moniker", "a/{path}"}}) {
		t.Errorf("derived templates %v", got)
	}
	got = Lookup("snowflake").Templates(map[string]any{"table": "T_{segments[0]}", "account": "{x}"})
	if !slices.Equal(got, []TemplateValue{{"table", "T_{segments[0]}"}}) {
		t.Errorf("snowflake templates %v", got)
	}
}

func TestSecretKey(t *testing.T) {
	for _, k := range []string{"password", "DB_PASSWORD", "api_key", "X-Api-Key", "Authorization", "client_secret", "token", "key", "KEY", "pwd"} {
		if !SecretKey(k) {
			t.Errorf("%s is a secret", k)
		}
	}
	for _, k := range []string{"host", "user", "database", "Accept", "primary_key_column", "keys"} {
		if SecretKey(k) {
			t.Errorf("%s is not a secret", k)
		}
	}
}
