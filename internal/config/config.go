// Package config reads the service configuration file (config.yaml).
//
// Every key upstream's Python service ever accepted is accepted here with
// the same meaning and default (reference/upstream-crosscutting.md §1.2),
// plus a few optional keys of ours (catalog.watch, domains.definition_file,
// management.url, auth.roles). Decoding is strict: an unknown key at any
// level is an error that names the key, the file and the line. A section
// that is present but null ("server:" with every key commented out) and an
// empty file mean defaults.
//
// Load finds nothing on its own: Find picks the file (flag, then
// $MONIKER_CONFIG, then ./config.yaml), Load reads and validates it, and
// the path helpers (CatalogPath, DomainsPath, ModelsPath, RequestsPath)
// apply upstream's relative-path rules.
package config

import (
	"net"
	"strconv"
	"time"
)

// Config is the whole configuration file. The zero value is not useful;
// start from Default or Load.
type Config struct {
	// ProjectName brands the landing page and /health (HEAD's top-level key).
	ProjectName string `yaml:"project_name"`

	Server      Server      `yaml:"server"`
	Telemetry   Telemetry   `yaml:"telemetry"`
	Cache       Cache       `yaml:"cache"`
	Redis       Redis       `yaml:"redis"`
	Catalog     Catalog     `yaml:"catalog"`
	Domains     Domains     `yaml:"domains"`
	Auth        Auth        `yaml:"auth"`
	ConfigUI    ConfigUI    `yaml:"config_ui"`
	Deprecation Deprecation `yaml:"deprecation"`
	Models      Models      `yaml:"models"`
	Requests    Requests    `yaml:"requests"`
	Governance  Governance  `yaml:"governance"`
	Community   Community   `yaml:"community"`
	Management  Management  `yaml:"management"`
	Fetch       Fetch       `yaml:"fetch"`

	// file is the path Load read ("" for Default and Seed configs); dir
	// is its absolute folder, the base of relative paths in the file.
	file string
	dir  string
	// lines maps a dotted key ("server.port") to the line it was set on,
	// so Validate can point at it.
	lines map[string]int
}

// Server is the server section. Host and Port give the listen address
// when monikerd's -listen flag is not set; Workers and Reload are accepted
// for compatibility and have no effect.
type Server struct {
	Host    string `yaml:"host"`
	Port    int    `yaml:"port"`
	Workers int    `yaml:"workers"`
	Reload  bool   `yaml:"reload"`
}

// Addr returns Host:Port, the listen address the section describes.
func (s Server) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// Telemetry is the telemetry section: where access events go and how they
// are batched.
type Telemetry struct {
	Enabled bool `yaml:"enabled"`
	// SinkType is console, file or zmq. Any other value falls back to
	// console with a warning, as upstream did (see EffectiveSinkType).
	SinkType string `yaml:"sink_type"`
	// SinkConfig is passed to the sink, which validates its own keys.
	SinkConfig           map[string]any `yaml:"sink_config"`
	BatchSize            int            `yaml:"batch_size"`
	FlushIntervalSeconds float64        `yaml:"flush_interval_seconds"`
	MaxQueueSize         int            `yaml:"max_queue_size"`
}

// Telemetry sink types.
const (
	SinkConsole = "console"
	SinkFile    = "file"
	SinkZMQ     = "zmq"
)

// EffectiveSinkType returns SinkType when it is a known sink, else
// SinkConsole (upstream's fallback; Warnings reports it).
func (t Telemetry) EffectiveSinkType() string {
	switch t.SinkType {
	case SinkConsole, SinkFile, SinkZMQ:
		return t.SinkType
	}
	return SinkConsole
}

// FlushInterval returns FlushIntervalSeconds as a duration.
func (t Telemetry) FlushInterval() time.Duration { return seconds(t.FlushIntervalSeconds) }

// Cache is the in-process resolve cache.
type Cache struct {
	Enabled           bool    `yaml:"enabled"`
	MaxSize           int     `yaml:"max_size"`
	DefaultTTLSeconds float64 `yaml:"default_ttl_seconds"`
}

// TTL returns DefaultTTLSeconds as a duration.
func (c Cache) TTL() time.Duration { return seconds(c.DefaultTTLSeconds) }

// Redis is the shared query-result cache used by /fetch.
type Redis struct {
	Enabled              bool    `yaml:"enabled"`
	Host                 string  `yaml:"host"`
	Port                 int     `yaml:"port"`
	DB                   int     `yaml:"db"`
	Password             string  `yaml:"password"` // "" = none
	Prefix               string  `yaml:"prefix"`
	SocketTimeout        float64 `yaml:"socket_timeout"`
	SocketConnectTimeout float64 `yaml:"socket_connect_timeout"`
}

// Addr returns Host:Port.
func (r Redis) Addr() string { return net.JoinHostPort(r.Host, strconv.Itoa(r.Port)) }

// Timeout returns SocketTimeout as a duration.
func (r Redis) Timeout() time.Duration { return seconds(r.SocketTimeout) }

// ConnectTimeout returns SocketConnectTimeout as a duration.
func (r Redis) ConnectTimeout() time.Duration { return seconds(r.SocketConnectTimeout) }

// Catalog says where the catalog lives and how it is reloaded.
type Catalog struct {
	// DefinitionFile is a catalog file or folder, relative to the config
	// file's folder, with ${VAR} and ${VAR:-default} already expanded.
	// "" = none configured. Use CatalogPath for the resolved path.
	DefinitionFile string `yaml:"definition_file"`
	// ReloadIntervalSeconds is the resolver's poll period; 0 = no polling.
	ReloadIntervalSeconds float64 `yaml:"reload_interval_seconds"`
	// Watch turns on the file watch (inotify) besides the poll. Ours.
	Watch bool `yaml:"watch"`
}

// ReloadInterval returns ReloadIntervalSeconds as a duration.
func (c Catalog) ReloadInterval() time.Duration { return seconds(c.ReloadIntervalSeconds) }

// Domains is our domains section (upstream had only $DOMAINS_CONFIG).
type Domains struct {
	// DefinitionFile is relative to the config file's folder; see DomainsPath.
	DefinitionFile string `yaml:"definition_file"`
}

// Auth is the authentication section (reference §3).
type Auth struct {
	Enabled bool `yaml:"enabled"`
	Enforce bool `yaml:"enforce"`
	// MethodOrder lists the methods to try, each kerberos or jwt.
	MethodOrder []string `yaml:"method_order"`
	Kerberos    Kerberos `yaml:"kerberos"`
	Okta        Okta     `yaml:"okta"`
	// Roles maps a role (reader, editor, approver, admin) to the groups
	// (JWT groups claim) that hold it; the group "*" means any
	// authenticated caller. Ours.
	Roles map[string][]string `yaml:"roles"`
}

// Authentication methods accepted in auth.method_order.
const (
	MethodKerberos = "kerberos"
	MethodJWT      = "jwt"
)

// Roles accepted as keys of auth.roles.
const (
	RoleReader   = "reader"
	RoleEditor   = "editor"
	RoleApprover = "approver"
	RoleAdmin    = "admin"
)

// Kerberos configures SPNEGO authentication.
type Kerberos struct {
	Enabled          bool   `yaml:"enabled"`
	ServicePrincipal string `yaml:"service_principal"`
	KeytabPath       string `yaml:"keytab_path"`
	Realm            string `yaml:"realm"` // accepted; unused, as upstream
}

// Okta configures JWT (any OIDC issuer; the name is historical).
type Okta struct {
	Enabled bool `yaml:"enabled"`
	// Issuer is the expected iss and the JWKS base URL; "test" turns on
	// HS256 test mode with TestSecret.
	Issuer       string `yaml:"issuer"`
	Audience     string `yaml:"audience"`
	JWKSCacheTTL int    `yaml:"jwks_cache_ttl"` // seconds
	UserClaim    string `yaml:"user_claim"`
	GroupsClaim  string `yaml:"groups_claim"`
	TestSecret   string `yaml:"test_secret"`
}

// TestIssuer is the issuer value that selects HS256 test mode.
const TestIssuer = "test"

// JWKSCacheDuration returns JWKSCacheTTL as a duration.
func (o Okta) JWKSCacheDuration() time.Duration {
	return time.Duration(o.JWKSCacheTTL) * time.Second
}

// ConfigUI is the catalog editor (management plane).
type ConfigUI struct {
	Enabled bool `yaml:"enabled"`
	// YAMLOutputPath is the save target when no catalog file is
	// configured (working-directory relative, as upstream).
	YAMLOutputPath string `yaml:"yaml_output_path"`
	ShowFilePaths  bool   `yaml:"show_file_paths"`
}

// Deprecation switches the successor-redirect and reload-diff features.
type Deprecation struct {
	Enabled              bool `yaml:"enabled"`
	RedirectOnResolve    bool `yaml:"redirect_on_resolve"`
	ValidatedReload      bool `yaml:"validated_reload"`
	BlockBreakingReload  bool `yaml:"block_breaking_reload"`
	DeprecationTelemetry bool `yaml:"deprecation_telemetry"`
}

// Models is the business-model registry (management plane).
type Models struct {
	Enabled bool `yaml:"enabled"`
	// DefinitionFile: see ModelsPath.
	DefinitionFile string `yaml:"definition_file"`
}

// Requests is the access-request registry (management plane).
type Requests struct {
	Enabled bool `yaml:"enabled"`
	// DefinitionFile: see RequestsPath.
	DefinitionFile string `yaml:"definition_file"`
}

// Governance is the rate limiter (later upstream's section; its defaults
// are the limiter's own) and, ours, the circuit breaker.
type Governance struct {
	RateLimiterEnabled      bool    `yaml:"rate_limiter_enabled"`
	RequestsPerSecond       float64 `yaml:"requests_per_second"`
	BurstCapacity           float64 `yaml:"burst_capacity"`
	GlobalRequestsPerSecond float64 `yaml:"global_requests_per_second"`
	GlobalBurstCapacity     float64 `yaml:"global_burst_capacity"`
	// CircuitBreaker has upstream's breaker defaults; upstream had no
	// config keys for it.
	CircuitBreaker CircuitBreaker `yaml:"circuit_breaker"`
}

// CircuitBreaker configures the per-source circuit breakers guarding
// calls to other services (management, data sources).
type CircuitBreaker struct {
	Enabled bool `yaml:"enabled"`
	// FailureThreshold consecutive failures open a closed circuit.
	FailureThreshold int `yaml:"failure_threshold"`
	// SuccessThreshold successful probes close a half-open circuit.
	SuccessThreshold int `yaml:"success_threshold"`
	// TimeoutSeconds is how long a circuit stays open before it lets
	// probes through (half-open).
	TimeoutSeconds float64 `yaml:"timeout_seconds"`
	// HalfOpenMaxRequests is the most probes in flight at once while
	// half-open.
	HalfOpenMaxRequests int `yaml:"half_open_max_requests"`
}

// Timeout returns TimeoutSeconds as a duration.
func (c CircuitBreaker) Timeout() time.Duration { return seconds(c.TimeoutSeconds) }

// Community is HEAD's community-contributions section.
type Community struct {
	Enabled bool   `yaml:"enabled"`
	DataDir string `yaml:"data_dir"`
}

// Management says where a resolver reaches the management API. Ours.
type Management struct {
	// URL is the management base URL (http or https); "" = none, so a
	// resolver answers status writes with 503.
	URL string `yaml:"url"`
}

// Fetch is server-side execution (/fetch). Ours: upstream had no keys for
// it (its limit of 10,000 rows was a constant, its SQL adapters had no
// timeout and no pool).
type Fetch struct {
	// TimeoutSeconds bounds one execution: running the query and reading
	// its rows. A binding's config key timeout (seconds) overrides it.
	TimeoutSeconds float64 `yaml:"timeout_seconds"`
	// MaxRows is the largest limit a /fetch may ask for.
	MaxRows int `yaml:"max_rows"`
	// Pool bounds each SQL connection pool (one per distinct connection).
	Pool FetchPool `yaml:"pool"`
}

// Timeout returns TimeoutSeconds as a duration.
func (f Fetch) Timeout() time.Duration { return seconds(f.TimeoutSeconds) }

// FetchPool bounds one connection pool.
type FetchPool struct {
	// MaxOpen is the most connections open at once (in use or idle).
	MaxOpen int `yaml:"max_open"`
	// MaxIdle is the most idle connections kept (more than MaxOpen
	// counts as MaxOpen).
	MaxIdle int `yaml:"max_idle"`
	// MaxLifetimeSeconds closes a connection this long after it was
	// opened (0 = never).
	MaxLifetimeSeconds float64 `yaml:"max_lifetime_seconds"`
	// MaxIdleTimeSeconds closes a connection idle this long (0 = never).
	MaxIdleTimeSeconds float64 `yaml:"max_idle_time_seconds"`
}

// MaxLifetime returns MaxLifetimeSeconds as a duration.
func (p FetchPool) MaxLifetime() time.Duration { return seconds(p.MaxLifetimeSeconds) }

// MaxIdleTime returns MaxIdleTimeSeconds as a duration.
func (p FetchPool) MaxIdleTime() time.Duration { return seconds(p.MaxIdleTimeSeconds) }

// Default returns the configuration used when there is no config file:
// upstream's defaults plus ours.
func Default() *Config {
	return &Config{
		ProjectName: "Moniker Service",
		Server:      Server{Host: "0.0.0.0", Port: 8050, Workers: 4},
		Telemetry: Telemetry{
			Enabled:              true,
			SinkType:             SinkConsole,
			SinkConfig:           map[string]any{},
			BatchSize:            1000,
			FlushIntervalSeconds: 1.0,
			MaxQueueSize:         10000,
		},
		Cache: Cache{Enabled: true, MaxSize: 10000, DefaultTTLSeconds: 300},
		Redis: Redis{
			Host:                 "localhost",
			Port:                 6379,
			Prefix:               "moniker:cache:",
			SocketTimeout:        5.0,
			SocketConnectTimeout: 5.0,
		},
		Catalog: Catalog{Watch: true},
		Auth: Auth{
			MethodOrder: []string{MethodKerberos, MethodJWT},
			Okta:        Okta{JWKSCacheTTL: 3600, UserClaim: "sub", GroupsClaim: "groups"},
		},
		ConfigUI: ConfigUI{Enabled: true, YAMLOutputPath: "catalog_output.yaml"},
		Deprecation: Deprecation{
			RedirectOnResolve:    true,
			ValidatedReload:      true,
			DeprecationTelemetry: true,
		},
		Models:   Models{Enabled: true},
		Requests: Requests{Enabled: true},
		Governance: Governance{
			RateLimiterEnabled:      true,
			RequestsPerSecond:       50,
			BurstCapacity:           200,
			GlobalRequestsPerSecond: 500,
			GlobalBurstCapacity:     2000,
			CircuitBreaker: CircuitBreaker{
				Enabled:             true,
				FailureThreshold:    5,
				SuccessThreshold:    3,
				TimeoutSeconds:      30,
				HalfOpenMaxRequests: 3,
			},
		},
		Community: Community{Enabled: true, DataDir: "community_data"},
		Fetch: Fetch{
			TimeoutSeconds: 30,
			MaxRows:        10000,
			Pool:           FetchPool{MaxOpen: 10, MaxIdle: 10, MaxLifetimeSeconds: 1800, MaxIdleTimeSeconds: 300},
		},
	}
}

// File returns the path the configuration was loaded from, "" when it was
// not loaded from a file.
func (c *Config) File() string { return c.file }

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
