package config

import (
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

func envMap(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func noEnv(string) string { return "" }

func TestDefault(t *testing.T) {
	c := Default()
	if err := c.Validate(); err != nil {
		t.Fatalf("Default().Validate() = %v", err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"server.addr", c.Server.Addr(), "0.0.0.0:8050"},
		{"server.workers", c.Server.Workers, 4},
		{"telemetry.sink_type", c.Telemetry.SinkType, "console"},
		{"telemetry.batch_size", c.Telemetry.BatchSize, 1000},
		{"telemetry.flush_interval", c.Telemetry.FlushInterval(), time.Second},
		{"telemetry.max_queue_size", c.Telemetry.MaxQueueSize, 10000},
		{"cache.ttl", c.Cache.TTL(), 300 * time.Second},
		{"cache.max_size", c.Cache.MaxSize, 10000},
		{"redis.enabled", c.Redis.Enabled, false},
		{"redis.addr", c.Redis.Addr(), "localhost:6379"},
		{"redis.prefix", c.Redis.Prefix, "moniker:cache:"},
		{"redis.timeout", c.Redis.Timeout(), 5 * time.Second},
		{"catalog.definition_file", c.CatalogPath(), ""},
		{"catalog.reload_interval", c.Catalog.ReloadInterval(), time.Duration(0)},
		{"catalog.watch", c.Catalog.Watch, true},
		{"auth.method_order", c.Auth.MethodOrder, []string{"kerberos", "jwt"}},
		{"auth.okta.jwks_cache_ttl", c.Auth.Okta.JWKSCacheDuration(), time.Hour},
		{"auth.okta.user_claim", c.Auth.Okta.UserClaim, "sub"},
		{"auth.okta.groups_claim", c.Auth.Okta.GroupsClaim, "groups"},
		{"config_ui.yaml_output_path", c.ConfigUI.YAMLOutputPath, "catalog_output.yaml"},
		{"deprecation.enabled", c.Deprecation.Enabled, false},
		{"deprecation.redirect_on_resolve", c.Deprecation.RedirectOnResolve, true},
		{"deprecation.validated_reload", c.Deprecation.ValidatedReload, true},
		{"deprecation.block_breaking_reload", c.Deprecation.BlockBreakingReload, false},
		{"deprecation.deprecation_telemetry", c.Deprecation.DeprecationTelemetry, true},
		{"models.enabled", c.Models.Enabled, true},
		{"requests.enabled", c.Requests.Enabled, true},
		{"governance", c.Governance, Governance{true, 50, 200, 500, 2000, CircuitBreaker{true, 5, 3, 30, 3}}},
		{"governance.circuit_breaker.Timeout", c.Governance.CircuitBreaker.Timeout(), 30 * time.Second},
		{"community", c.Community, Community{Enabled: true, DataDir: "community_data"}},
		{"management.url", c.Management.URL, ""},
		{"fetch", c.Fetch, Fetch{TimeoutSeconds: 30, MaxRows: 10000, Pool: FetchPool{MaxOpen: 10, MaxIdle: 10, MaxLifetimeSeconds: 1800, MaxIdleTimeSeconds: 300}}},
		{"fetch.timeout", c.Fetch.Timeout(), 30 * time.Second},
		{"fetch.pool.max_lifetime", c.Fetch.Pool.MaxLifetime(), 30 * time.Minute},
		{"file", c.File(), ""},
	}
	for _, tc := range checks {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
	// Default hands out fresh maps and slices: changing one config must
	// not change the next.
	c.Telemetry.SinkConfig["x"] = 1
	c.Auth.MethodOrder[0] = "jwt"
	if d := Default(); len(d.Telemetry.SinkConfig) != 0 || d.Auth.MethodOrder[0] != "kerberos" {
		t.Error("Default() shares state between calls")
	}
}

// TestLoadSampleConfigs loads our test configurations (testdata/): every
// section of the previous service's config.yaml, with our values.
func TestLoadSampleConfigs(t *testing.T) {
	for _, name := range []string{"config.yaml", "config_zmq.yaml"} {
		t.Run(name, func(t *testing.T) {
			f := fixtures.File(t, name)
			c, err := LoadEnv(f, noEnv)
			if err != nil {
				t.Fatalf("LoadEnv: %v", err)
			}
			if got, want := c.CatalogPath(), filepath.Join(filepath.Dir(f), "catalog.yaml"); got != want {
				t.Errorf("CatalogPath() = %q, want %q", got, want)
			}
			if c.Server.Port != 8050 || c.File() != f {
				t.Errorf("server.port = %d, File() = %q", c.Server.Port, c.File())
			}
			if w := c.Warnings(); len(w) != 0 {
				t.Errorf("Warnings() = %q, want none", w)
			}
		})
	}
	c, err := LoadEnv(fixtures.File(t, "config.yaml"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Dir(c.File())
	checks := []struct {
		name      string
		got, want any
	}{
		{"project_name", c.ProjectName, "Moniker Test Bench"},
		{"server.workers", c.Server.Workers, 2},
		{"telemetry", []any{c.Telemetry.SinkConfig["format"], c.Telemetry.BatchSize, c.Telemetry.FlushInterval(), c.Telemetry.MaxQueueSize},
			[]any{"compact", 500, 2 * time.Second, 5000}},
		{"cache", []any{c.Cache.MaxSize, c.Cache.TTL()}, []any{5000, 120 * time.Second}},
		{"redis", []any{c.Redis.Enabled, c.Redis.Addr(), c.Redis.DB, c.Redis.Prefix}, []any{false, "cache.firm.com:6379", 2, "mk:results:"}},
		{"catalog.reload_interval", c.Catalog.ReloadInterval(), 30 * time.Second},
		{"DomainsPath", c.DomainsPath(noEnv), filepath.Join(dir, "domains.yaml")},
		{"ModelsPath", c.ModelsPath(noEnv), filepath.Join(dir, "models.yaml")},
		{"RequestsPath", c.RequestsPath(noEnv), filepath.Join(dir, "requests.yaml")},
		{"deprecation", []bool{c.Deprecation.Enabled, c.Deprecation.RedirectOnResolve}, []bool{true, true}},
		{"auth.method_order", c.Auth.MethodOrder, []string{"kerberos", "jwt"}},
		{"auth.kerberos.realm", c.Auth.Kerberos.Realm, "CORP.FIRM.COM"},
		{"auth.okta", []any{c.Auth.Okta.Issuer, c.Auth.Okta.UserClaim, c.Auth.Okta.JWKSCacheTTL}, []any{"https://login.firm.com/oauth2/moniker", "email", 1800}},
		{"config_ui.show_file_paths", c.ConfigUI.ShowFilePaths, true},
		{"community", []any{c.Community.Enabled, c.Community.DataDir}, []any{false, "community"}},
	}
	for _, tc := range checks {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
	zmq, err := LoadEnv(fixtures.File(t, "config_zmq.yaml"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if zmq.Telemetry.SinkType != "zmq" || zmq.Telemetry.BatchSize != 1 || zmq.Telemetry.FlushIntervalSeconds != 0.25 ||
		zmq.Telemetry.SinkConfig["endpoint"] != "tcp://*:5557" || zmq.Telemetry.SinkConfig["topic"] != "moniker.access" ||
		zmq.Telemetry.SinkConfig["high_water_mark"] != 2000 {
		t.Errorf("zmq telemetry = %+v", zmq.Telemetry)
	}
	if zmq.Catalog.ReloadIntervalSeconds != 0 || zmq.Telemetry.MaxQueueSize != 10000 || zmq.ConfigUI.Enabled {
		t.Errorf("zmq: unset keys lost their defaults, or set ones were ignored: %+v %+v %+v", zmq.Catalog, zmq.Telemetry, zmq.ConfigUI)
	}
}

// TestLoadCompatSamples loads the previous service's sample configs.
func TestLoadCompatSamples(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(fixtures.CompatDir(t), "*", "sample_config*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 3 {
		t.Fatalf("found %d compat sample configs, want at least 3: %v", len(files), files)
	}
	for _, f := range files {
		t.Run(filepath.Base(filepath.Dir(f))+"/"+filepath.Base(f), func(t *testing.T) {
			c, err := LoadEnv(f, noEnv)
			if err != nil {
				t.Fatalf("LoadEnv: %v", err)
			}
			if got, want := c.CatalogPath(), filepath.Join(filepath.Dir(f), "catalog.yaml"); got != want {
				t.Errorf("CatalogPath() = %q, want %q", got, want)
			}
			if c.Server.Port != 8050 || c.File() != f {
				t.Errorf("server.port = %d, File() = %q", c.Server.Port, c.File())
			}
			if w := c.Warnings(); len(w) != 0 {
				t.Errorf("Warnings() = %q, want none", w)
			}
		})
	}

	// Spot-check values that differ between the samples.
	zmq, err := LoadEnv(fixtures.Compat(t, "f206ffd", "sample_config_zmq.yaml"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if zmq.Telemetry.SinkType != "zmq" || zmq.Telemetry.BatchSize != 1 || zmq.Telemetry.FlushIntervalSeconds != 0.1 ||
		zmq.Telemetry.SinkConfig["endpoint"] != "tcp://*:5556" || zmq.Telemetry.SinkConfig["topic"] != "moniker" {
		t.Errorf("zmq sample telemetry = %+v", zmq.Telemetry)
	}
	if zmq.Catalog.ReloadIntervalSeconds != 0 || zmq.Telemetry.MaxQueueSize != 10000 {
		t.Errorf("zmq sample: unset keys lost their defaults: %+v %+v", zmq.Catalog, zmq.Telemetry)
	}
	f206, err := LoadEnv(fixtures.Compat(t, "f206ffd", "sample_config.yaml"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if f206.Catalog.ReloadIntervalSeconds != 60 || f206.Auth.Kerberos.Realm != "FIRM.COM" ||
		f206.Auth.Okta.Issuer != "https://firm.okta.com/oauth2/default" || f206.Telemetry.SinkConfig["format"] != "compact" {
		t.Errorf("f206ffd sample decoded wrongly: %+v %+v", f206.Catalog, f206.Auth)
	}
	head, err := LoadEnv(fixtures.Compat(t, "head", "sample_config.yaml"), noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if head.ProjectName != "Moniker Service" || !head.Community.Enabled || head.Community.DataDir != "community_data" ||
		!reflect.DeepEqual(head.Auth.MethodOrder, []string{"jwt"}) || head.Auth.Kerberos.ServicePrincipal != "" {
		t.Errorf("head sample decoded wrongly: project=%q community=%+v auth=%+v", head.ProjectName, head.Community, head.Auth)
	}
}

// TestBadConfigs is the Prometheus-style table: every file in
// testdata/bad must fail with the listed messages (file:line: message).
func TestBadConfigs(t *testing.T) {
	want := map[string][]string{
		"unknown_top.yaml":         {`unknown_top.yaml:3: unknown key "telemtry" at top level (did you mean "telemetry"?)`},
		"unknown_server_key.yaml":  {`unknown_server_key.yaml:4: unknown key "prot" in section "server" (did you mean "port"?)`},
		"unknown_okta_key.yaml":    {`unknown_okta_key.yaml:5: unknown key "isuer" in section "auth.okta" (did you mean "issuer"?)`},
		"unknown_keys_many.yaml":   {`unknown_keys_many.yaml:3: unknown key "maxsize" in section "cache"`, `unknown_keys_many.yaml:5: unknown key "hots" in section "redis"`},
		"duplicate_key.yaml":       {`duplicate_key.yaml:5: duplicate key "server" (first set at line 1)`},
		"duplicate_nested.yaml":    {`duplicate_nested.yaml:4: auth.okta: duplicate key "issuer" (first set at line 3)`},
		"section_not_mapping.yaml": {`section_not_mapping.yaml:1: section "server" must be a mapping, got "8050"`},
		"port_not_int.yaml":        {`port_not_int.yaml:3: server.port: "eighty" is not an integer`},
		"port_range.yaml":          {`port_range.yaml:2: server.port: 70000 is out of range 0..65535`},
		"syntax.yaml":              {`syntax.yaml:2: invalid YAML: did not find expected key`},
		"top_level_list.yaml":      {`top_level_list.yaml:1: top level must be a mapping of sections, got a list`},
		"two_documents.yaml":       {`two_documents.yaml:3: more than one YAML document`},
		"method_order.yaml":        {`method_order.yaml:3: auth.method_order: unknown method "ldap"`},
		"role_unknown.yaml":        {`role_unknown.yaml:4: auth.roles.superuser: unknown role "superuser"`},
		"management_url.yaml":      {`management_url.yaml:2: management.url: "ftp://mgmt.example.com" is not an http(s) URL`},
		"okta_test_no_secret.yaml": {`okta_test_no_secret.yaml:4: auth.okta.test_secret: must be set when auth.okta.issuer is "test"`},
		"enforce_no_method.yaml":   {`enforce_no_method.yaml:3: auth.enforce: is true but no method`},
		"reload_negative.yaml":     {`reload_negative.yaml:3: catalog.reload_interval_seconds: -5 must be >= 0`},
		"env_unset.yaml":           {`env_unset.yaml:2: catalog.definition_file: environment variable MONIKER_ENV is not set`},
		"cache_size.yaml":          {`cache_size.yaml:3: cache.max_size: 0 must be > 0`},
		"governance.yaml":          {`governance.yaml:3: governance.requests_per_second: 0 must be > 0`},
		"watch_not_bool.yaml":      {`watch_not_bool.yaml:2: catalog.watch: "sometimes" is not true or false`},
		"fetch.yaml":               {`fetch.yaml:2: fetch.max_rows: 0 must be >= 1`, `fetch.yaml:4: fetch.pool.max_open: 0 must be >= 1`},
	}
	files, err := filepath.Glob(filepath.Join("testdata", "bad", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) != len(want) {
		t.Errorf("testdata/bad has %d files, the table %d: every bad file needs its expected error", len(files), len(want))
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			msgs, ok := want[filepath.Base(f)]
			if !ok {
				t.Fatalf("no expected error listed for %s", f)
			}
			_, err := LoadEnv(f, noEnv)
			if err == nil {
				t.Fatalf("LoadEnv(%s) succeeded, want errors %q", f, msgs)
			}
			for _, m := range msgs {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error\n  %v\nlacks %q", err, m)
				}
			}
			var ce *yamlfile.LoadError
			if !errors.As(err, &ce) || ce.File != f || ce.Line == 0 {
				t.Errorf("error %v is not a located *yamlfile.LoadError for %s", err, f)
			}
		})
	}
}

func TestGoodConfigs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "good", "*.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no testdata/good files")
	}
	for _, f := range files {
		t.Run(filepath.Base(f), func(t *testing.T) {
			c, err := LoadEnv(f, noEnv)
			if err != nil {
				t.Fatalf("LoadEnv: %v", err)
			}
			if filepath.Base(f) == "ours.yaml" {
				return // checked in TestOurKeys
			}
			// Everything else in good/ means "all defaults".
			d := Default()
			c.file, c.dir, c.lines = "", "", nil
			if !reflect.DeepEqual(c, d) {
				t.Errorf("%s did not give the defaults:\n got %+v\nwant %+v", f, c, d)
			}
		})
	}
}

func TestOurKeys(t *testing.T) {
	f := filepath.Join("testdata", "good", "ours.yaml")
	abs, err := filepath.Abs(filepath.Dir(f))
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadEnv(f, envMap(map[string]string{"MODELS_CONFIG": "ignored.yaml"}))
	if err != nil {
		t.Fatal(err)
	}
	checks := []struct {
		name      string
		got, want any
	}{
		{"project_name", c.ProjectName, "Market Data Names"},
		{"CatalogPath", c.CatalogPath(), filepath.Join(abs, "catalogs", "catalog-dev.yaml")},
		{"catalog.watch", c.Catalog.Watch, false},
		{"ReloadInterval", c.Catalog.ReloadInterval(), 15 * time.Second},
		{"DomainsPath", c.DomainsPath(noEnv), filepath.Join(abs, "domains.yaml")},
		{"ModelsPath (config beats env)", c.ModelsPath(envMap(map[string]string{"MODELS_CONFIG": "env.yaml"})), filepath.Join(abs, "models.yaml")},
		{"RequestsPath (absolute)", c.RequestsPath(noEnv), "/var/lib/moniker/requests.yaml"},
		{"management.url", c.Management.URL, "http://mgmt.internal:8052"},
		{"auth.roles", c.Auth.Roles, map[string][]string{
			"reader": {"*"}, "editor": {"data-stewards"}, "approver": {"governance"}, "admin": {"platform-admins"},
		}},
		{"governance", c.Governance, Governance{true, 10, 20, 100, 400, CircuitBreaker{true, 4, 2, 12.5, 1}}},
		{"sink_config.max_bytes", c.Telemetry.SinkConfig["max_bytes"], 104857600},
		{"telemetry.batch_size default kept", c.Telemetry.BatchSize, 1000},
		{"fetch", c.Fetch, Fetch{TimeoutSeconds: 12, MaxRows: 5000, Pool: FetchPool{MaxOpen: 4, MaxIdle: 2, MaxLifetimeSeconds: 600}}},
	}
	for _, tc := range checks {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s = %#v, want %#v", tc.name, tc.got, tc.want)
		}
	}
}

func TestParseNullAndEmpty(t *testing.T) {
	cases := map[string]string{
		"empty":            "",
		"null document":    "~\n",
		"null section":     "server:\n",
		"nested null":      "auth:\n  okta:\n  kerberos: ~\n",
		"null leaves":      "server:\n  host: null\n  port: ~\nauth:\n  method_order: ~\n",
		"explicit default": "server:\n  port: 8050\n",
	}
	for name, data := range cases {
		t.Run(name, func(t *testing.T) {
			c, err := Parse([]byte(data), "config.yaml", noEnv)
			if err != nil {
				t.Fatal(err)
			}
			if c.Server.Addr() != "0.0.0.0:8050" || len(c.Auth.MethodOrder) != 2 || c.Auth.Okta.UserClaim != "sub" {
				t.Errorf("defaults lost: server=%+v auth=%+v", c.Server, c.Auth)
			}
		})
	}
}

func TestExpandEnv(t *testing.T) {
	env := envMap(map[string]string{"MONIKER_ENV": "prod", "EMPTY": ""})
	cases := []struct {
		in, want, err string
	}{
		{in: "./catalog.yaml", want: "./catalog.yaml"},
		{in: "catalogs/catalog-${MONIKER_ENV}.yaml", want: "catalogs/catalog-prod.yaml"},
		{in: "catalogs/catalog-${MONIKER_ENV:-dev}.yaml", want: "catalogs/catalog-prod.yaml"},
		{in: "catalogs/catalog-${UNSET:-dev}.yaml", want: "catalogs/catalog-dev.yaml"},
		{in: "catalogs/catalog-${EMPTY:-dev}.yaml", want: "catalogs/catalog-dev.yaml"},
		{in: "${UNSET:-}x", want: "x"},
		{in: "${MONIKER_ENV}/${MONIKER_ENV}", want: "prod/prod"},
		{in: "$MONIKER_ENV/a", want: "$MONIKER_ENV/a"},
		{in: "a/${UNSET}", err: "environment variable UNSET is not set"},
		{in: "a/${MONIKER_ENV", err: "unterminated"},
		{in: "a/${1BAD}", err: "invalid variable reference"},
		{in: "a/${}", err: "invalid variable reference"},
	}
	for _, tc := range cases {
		got, err := expandEnv(tc.in, env)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("expandEnv(%q) error = %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("expandEnv(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestPaths(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "etc", "config.yaml")
	env := envMap(map[string]string{
		"MONIKER_ENV":     "uat",
		"DOMAINS_CONFIG":  "env/domains.yaml",
		"MODELS_CONFIG":   "/abs/models.yaml",
		"REQUESTS_CONFIG": "",
	})
	cases := []struct {
		name, yaml string
		get        func(*Config) string
		want       string
	}{
		{"catalog relative to config dir", "catalog:\n  definition_file: ./catalog.yaml\n",
			(*Config).CatalogPath, filepath.Join(dir, "etc", "catalog.yaml")},
		{"catalog parent dir", "catalog:\n  definition_file: ../data/catalogs\n",
			(*Config).CatalogPath, filepath.Join(dir, "data", "catalogs")},
		{"catalog absolute", "catalog:\n  definition_file: /srv/catalog.yaml\n",
			(*Config).CatalogPath, "/srv/catalog.yaml"},
		{"catalog env default", "catalog:\n  definition_file: catalogs/catalog-${MONIKER_ENV:-dev}.yaml\n",
			(*Config).CatalogPath, filepath.Join(dir, "etc", "catalogs", "catalog-uat.yaml")},
		{"catalog unset", "", (*Config).CatalogPath, ""},
		{"domains from config", "domains:\n  definition_file: d.yaml\n",
			func(c *Config) string { return c.DomainsPath(env) }, filepath.Join(dir, "etc", "d.yaml")},
		{"domains from env (cwd-relative)", "",
			func(c *Config) string { return c.DomainsPath(env) }, "env/domains.yaml"},
		{"domains default", "", func(c *Config) string { return c.DomainsPath(noEnv) }, "domains.yaml"},
		{"models from config", "models:\n  definition_file: m/${MONIKER_ENV}.yaml\n",
			func(c *Config) string { return c.ModelsPath(env) }, filepath.Join(dir, "etc", "m", "uat.yaml")},
		{"models from env", "", func(c *Config) string { return c.ModelsPath(env) }, "/abs/models.yaml"},
		{"requests empty env means default", "", func(c *Config) string { return c.RequestsPath(env) }, "requests.yaml"},
		{"requests from config", "requests:\n  definition_file: r.yaml\n",
			func(c *Config) string { return c.RequestsPath(env) }, filepath.Join(dir, "etc", "r.yaml")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Parse([]byte(tc.yaml), cfgFile, env)
			if err != nil {
				t.Fatal(err)
			}
			if got := tc.get(c); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
	// Without a config file, relative paths stay working-directory relative.
	d := Default()
	d.Catalog.DefinitionFile = "cat.yaml"
	if got := d.CatalogPath(); got != "cat.yaml" {
		t.Errorf("Default CatalogPath = %q, want cat.yaml", got)
	}
}

func TestFind(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	write := func(name string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("server:\n  port: 1\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	flagFile, envFile := write("flag.yaml"), write("env.yaml")
	if err := os.Mkdir(filepath.Join(dir, "adir"), 0o755); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		name       string
		createCWD  bool // ./config.yaml exists
		flag, env  string
		want, err  string
		wantNoFile bool
	}{
		{name: "nothing at all", wantNoFile: true},
		{name: "env beats nothing", env: envFile, want: envFile},
		{name: "flag beats env", flag: flagFile, env: envFile, want: flagFile},
		{name: "missing flag file is an error", flag: filepath.Join(dir, "nope.yaml"), env: envFile, err: "-config.file"},
		{name: "missing env file is an error", env: filepath.Join(dir, "nope.yaml"), err: "$MONIKER_CONFIG"},
		{name: "directory is an error", flag: filepath.Join(dir, "adir"), err: "is a directory"},
		{name: "cwd config.yaml", createCWD: true, want: "config.yaml"},
		{name: "env beats cwd config.yaml", createCWD: true, env: envFile, want: envFile},
		{name: "flag beats cwd config.yaml", createCWD: true, flag: flagFile, want: flagFile},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			if s.createCWD {
				write("config.yaml")
			}
			got, err := Find(s.flag, envMap(map[string]string{"MONIKER_CONFIG": s.env}))
			switch {
			case s.err != "":
				if err == nil || !strings.Contains(err.Error(), s.err) {
					t.Errorf("Find error = %v, want %q", err, s.err)
				}
			case err != nil:
				t.Errorf("Find: %v", err)
			case s.wantNoFile && got != "":
				t.Errorf("Find = %q, want no file", got)
			case !s.wantNoFile && got != s.want:
				t.Errorf("Find = %q, want %q", got, s.want)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		name   string
		mutate func(*Config)
		want   string // "" = valid
	}{
		{"defaults", func(*Config) {}, ""},
		{"port 0 is allowed (any free port)", func(c *Config) { c.Server.Port = 0 }, ""},
		{"negative port", func(c *Config) { c.Server.Port = -1 }, "server.port: -1 is out of range"},
		{"telemetry batch", func(c *Config) { c.Telemetry.BatchSize = 0 }, "telemetry.batch_size"},
		{"telemetry disabled skips sizes", func(c *Config) { c.Telemetry.Enabled = false; c.Telemetry.BatchSize = 0 }, ""},
		{"cache disabled skips sizes", func(c *Config) { c.Cache.Enabled = false; c.Cache.MaxSize = 0 }, ""},
		{"cache ttl", func(c *Config) { c.Cache.DefaultTTLSeconds = -1 }, "cache.default_ttl_seconds"},
		{"redis port", func(c *Config) { c.Redis.Enabled = true; c.Redis.Port = 0 }, "redis.port: 0 is out of range 1..65535"},
		{"redis timeout", func(c *Config) { c.Redis.Enabled = true; c.Redis.SocketTimeout = 0 }, "redis.socket_timeout"},
		{"okta without issuer", func(c *Config) { c.Auth.Okta.Enabled = true }, "auth.okta.issuer: must be set"},
		{"okta bad issuer", func(c *Config) { c.Auth.Okta.Enabled = true; c.Auth.Okta.Issuer = "firm.okta.com" }, "is not an http(s) URL"},
		{"okta test mode", func(c *Config) {
			c.Auth.Okta.Enabled, c.Auth.Okta.Issuer, c.Auth.Okta.TestSecret = true, "test", "s3cr3t"
		}, ""},
		{"empty group", func(c *Config) { c.Auth.Roles = map[string][]string{"admin": {" "}} }, "auth.roles.admin: a group name is empty"},
		{"management url no host", func(c *Config) { c.Management.URL = "http://" }, "management.url"},
		{"management url ok", func(c *Config) { c.Management.URL = "https://mgmt:8052/base" }, ""},
		{"fetch timeout", func(c *Config) { c.Fetch.TimeoutSeconds = 0 }, "fetch.timeout_seconds: 0 must be > 0"},
		{"fetch max rows", func(c *Config) { c.Fetch.MaxRows = 0 }, "fetch.max_rows: 0 must be >= 1"},
		{"fetch pool", func(c *Config) { c.Fetch.Pool.MaxOpen = 0 }, "fetch.pool.max_open: 0 must be >= 1"},
		{"fetch idle above open counts as open", func(c *Config) { c.Fetch.Pool.MaxIdle = 11 }, ""},
		{"fetch idle negative", func(c *Config) { c.Fetch.Pool.MaxIdle = -1 }, "fetch.pool.max_idle: -1 must be >= 0"},
		{"fetch lifetime", func(c *Config) { c.Fetch.Pool.MaxLifetimeSeconds = -1 }, "fetch.pool.max_lifetime_seconds"},
		{"fetch idle time", func(c *Config) { c.Fetch.Pool.MaxIdleTimeSeconds = -1 }, "fetch.pool.max_idle_time_seconds"},
		{"global burst", func(c *Config) { c.Governance.GlobalBurstCapacity = 0.5 }, "governance.global_burst_capacity"},
		{"limiter off skips rates", func(c *Config) { c.Governance.RateLimiterEnabled = false; c.Governance.RequestsPerSecond = 0 }, ""},
		{"breaker failure threshold", func(c *Config) { c.Governance.CircuitBreaker.FailureThreshold = 0 }, "governance.circuit_breaker.failure_threshold: 0 must be >= 1"},
		{"breaker success threshold", func(c *Config) { c.Governance.CircuitBreaker.SuccessThreshold = 0 }, "governance.circuit_breaker.success_threshold"},
		{"breaker timeout", func(c *Config) { c.Governance.CircuitBreaker.TimeoutSeconds = 0 }, "governance.circuit_breaker.timeout_seconds: 0 must be > 0"},
		{"breaker probes", func(c *Config) { c.Governance.CircuitBreaker.HalfOpenMaxRequests = 0 }, "governance.circuit_breaker.half_open_max_requests"},
		{"breaker off skips thresholds", func(c *Config) {
			c.Governance.CircuitBreaker = CircuitBreaker{Enabled: false}
		}, ""},
		{"jwks ttl", func(c *Config) { c.Auth.Okta.JWKSCacheTTL = -1 }, "auth.okta.jwks_cache_ttl"},
		{"enforce with jwt", func(c *Config) {
			c.Auth.Enabled, c.Auth.Enforce = true, true
			c.Auth.Okta.Enabled, c.Auth.Okta.Issuer = true, "https://idp/"
		}, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.mutate(c)
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Validate() = %v, want %q", err, tc.want)
			}
		})
	}
}

func TestValidateReportsAll(t *testing.T) {
	data := "server:\n  port: 99999\ncache:\n  max_size: -1\n"
	_, err := Parse([]byte(data), "c.yaml", noEnv)
	if err == nil {
		t.Fatal("want errors")
	}
	for _, m := range []string{"c.yaml:2: server.port", "c.yaml:4: cache.max_size"} {
		if !strings.Contains(err.Error(), m) {
			t.Errorf("error %q lacks %q", err, m)
		}
	}
}

func TestWarnings(t *testing.T) {
	c, err := Parse([]byte("telemetry:\n  sink_type: kafka\n"), "c.yaml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Telemetry.EffectiveSinkType(); got != "console" {
		t.Errorf("EffectiveSinkType() = %q, want console", got)
	}
	w := c.Warnings()
	if len(w) != 1 || !strings.Contains(w[0], `telemetry.sink_type "kafka"`) {
		t.Errorf("Warnings() = %q", w)
	}
	c, err = Parse([]byte("auth:\n  enabled: true\n"), "c.yaml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	if w := c.Warnings(); len(w) != 1 || !strings.Contains(w[0], "every caller is anonymous") {
		t.Errorf("Warnings() = %q", w)
	}
}

func TestRedacted(t *testing.T) {
	data := `redis:
  password: hunter2
auth:
  okta:
    test_secret: "very-secret-value-of-32-characters"
telemetry:
  sink_config:
    broker_token: abc123
    nested:
      sasl_password: pw
    endpoint: "tcp://*:5556"
management:
  url: "http://svc:topsecret@mgmt:8052"
`
	c, err := Parse([]byte(data), "c.yaml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	out := c.Redacted()
	for _, secret := range []string{"hunter2", "very-secret-value", "abc123", "sasl_password: pw", "topsecret"} {
		if strings.Contains(out, secret) {
			t.Errorf("Redacted() leaks %q:\n%s", secret, out)
		}
	}
	for _, keep := range []string{"password: <redacted>", "test_secret: <redacted>", "tcp://*:5556", "mgmt:8052", "port: 8050", "project_name: Moniker Service"} {
		if !strings.Contains(out, keep) {
			t.Errorf("Redacted() lacks %q:\n%s", keep, out)
		}
	}
	// The config itself is untouched.
	if c.Redis.Password != "hunter2" {
		t.Error("Redacted modified the config")
	}
	// The redacted YAML is itself a valid config.
	if _, err := Parse([]byte(Default().Redacted()), "r.yaml", noEnv); err != nil {
		t.Errorf("Redacted output does not load: %v", err)
	}
}

func TestIsSet(t *testing.T) {
	c, err := Parse([]byte("server:\n  port: 9000\n  host: ~\ncatalog:\n"), "c.yaml", noEnv)
	if err != nil {
		t.Fatal(err)
	}
	for key, want := range map[string]bool{
		"server.port":     true,
		"server":          true,
		"server.host":     false, // null means the default
		"catalog":         false,
		"server.workers":  false,
		"telemetry":       false,
		"no.such.setting": false,
	} {
		if got := c.IsSet(key); got != want {
			t.Errorf("IsSet(%q) = %v, want %v", key, got, want)
		}
	}
	if Default().IsSet("server.port") {
		t.Error("Default().IsSet(server.port) = true")
	}
}
