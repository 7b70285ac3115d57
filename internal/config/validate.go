package config

import (
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// errorAt returns a *yamlfile.LoadError for key, located at the line the
// key (or its nearest enclosing key) was set on.
func (c *Config) errorAt(key, format string, args ...any) error {
	line := 0
	for k := key; k != ""; {
		if l, ok := c.lines[k]; ok {
			line = l
			break
		}
		i := strings.LastIndexByte(k, '.')
		if i < 0 {
			break
		}
		k = k[:i]
	}
	return &yamlfile.LoadError{File: c.file, Line: line, Key: key, Message: fmt.Sprintf(format, args...)}
}

// Validate checks the values of c (ranges, known names, URLs) and returns
// every problem found, each naming its key, joined with errors.Join.
// Load calls it; call it again after changing a Config in code.
func (c *Config) Validate() error {
	var errs []error
	check := func(ok bool, key, format string, args ...any) {
		if !ok {
			errs = append(errs, c.errorAt(key, format, args...))
		}
	}

	check(c.Server.Port >= 0 && c.Server.Port <= 65535, "server.port", "%d is out of range 0..65535", c.Server.Port)
	check(c.Server.Workers >= 0, "server.workers", "%d must not be negative", c.Server.Workers)

	if c.Telemetry.Enabled {
		check(c.Telemetry.BatchSize > 0, "telemetry.batch_size", "%d must be > 0", c.Telemetry.BatchSize)
		check(c.Telemetry.FlushIntervalSeconds > 0, "telemetry.flush_interval_seconds", "%g must be > 0", c.Telemetry.FlushIntervalSeconds)
		check(c.Telemetry.MaxQueueSize > 0, "telemetry.max_queue_size", "%d must be > 0", c.Telemetry.MaxQueueSize)
	}

	if c.Cache.Enabled {
		check(c.Cache.MaxSize > 0, "cache.max_size", "%d must be > 0 (set cache.enabled: false to turn the cache off)", c.Cache.MaxSize)
		check(c.Cache.DefaultTTLSeconds > 0, "cache.default_ttl_seconds", "%g must be > 0 (set cache.enabled: false to turn the cache off)", c.Cache.DefaultTTLSeconds)
	}

	if c.Redis.Enabled {
		check(c.Redis.Host != "", "redis.host", "must be set when redis.enabled is true")
		check(c.Redis.Port > 0 && c.Redis.Port <= 65535, "redis.port", "%d is out of range 1..65535", c.Redis.Port)
		check(c.Redis.DB >= 0, "redis.db", "%d must not be negative", c.Redis.DB)
		check(c.Redis.SocketTimeout > 0, "redis.socket_timeout", "%g must be > 0", c.Redis.SocketTimeout)
		check(c.Redis.SocketConnectTimeout > 0, "redis.socket_connect_timeout", "%g must be > 0", c.Redis.SocketConnectTimeout)
	}

	check(c.Catalog.ReloadIntervalSeconds >= 0, "catalog.reload_interval_seconds", "%g must be >= 0 (0 turns polling off)", c.Catalog.ReloadIntervalSeconds)

	for _, m := range c.Auth.MethodOrder {
		check(m == MethodKerberos || m == MethodJWT, "auth.method_order", "unknown method %q (known: %s, %s)", m, MethodKerberos, MethodJWT)
	}
	check(c.Auth.Okta.JWKSCacheTTL >= 0, "auth.okta.jwks_cache_ttl", "%d must not be negative", c.Auth.Okta.JWKSCacheTTL)
	if c.Auth.Okta.Enabled {
		o := c.Auth.Okta
		switch {
		case o.Issuer == "":
			check(false, "auth.okta.issuer", "must be set when auth.okta.enabled is true")
		case o.Issuer == TestIssuer:
			check(o.TestSecret != "", "auth.okta.test_secret", "must be set when auth.okta.issuer is %q", TestIssuer)
		default:
			check(validHTTPURL(o.Issuer), "auth.okta.issuer", "%q is not an http(s) URL", o.Issuer)
		}
		check(o.UserClaim != "", "auth.okta.user_claim", "must not be empty")
		check(o.GroupsClaim != "", "auth.okta.groups_claim", "must not be empty")
	}
	if c.Auth.Enabled && c.Auth.Enforce {
		check(c.authMethodEnabled(), "auth.enforce",
			"is true but no method in auth.method_order is enabled (auth.kerberos.enabled, auth.okta.enabled): every request would be refused")
	}
	roles := []string{RoleReader, RoleEditor, RoleApprover, RoleAdmin}
	for _, role := range slices.Sorted(maps.Keys(c.Auth.Roles)) {
		key := "auth.roles." + role
		check(slices.Contains(roles, role), key, "unknown role %q (known: %s)", role, strings.Join(roles, ", "))
		for _, g := range c.Auth.Roles[role] {
			check(strings.TrimSpace(g) != "", key, "a group name is empty")
		}
	}

	if g := c.Governance; g.RateLimiterEnabled {
		check(g.RequestsPerSecond > 0, "governance.requests_per_second", "%g must be > 0", g.RequestsPerSecond)
		check(g.BurstCapacity >= 1, "governance.burst_capacity", "%g must be >= 1", g.BurstCapacity)
		check(g.GlobalRequestsPerSecond > 0, "governance.global_requests_per_second", "%g must be > 0", g.GlobalRequestsPerSecond)
		check(g.GlobalBurstCapacity >= 1, "governance.global_burst_capacity", "%g must be >= 1", g.GlobalBurstCapacity)
	}
	if cb := c.Governance.CircuitBreaker; cb.Enabled {
		const key = "governance.circuit_breaker."
		check(cb.FailureThreshold >= 1, key+"failure_threshold", "%d must be >= 1", cb.FailureThreshold)
		check(cb.SuccessThreshold >= 1, key+"success_threshold", "%d must be >= 1", cb.SuccessThreshold)
		check(cb.TimeoutSeconds > 0, key+"timeout_seconds", "%g must be > 0", cb.TimeoutSeconds)
		check(cb.HalfOpenMaxRequests >= 1, key+"half_open_max_requests", "%d must be >= 1", cb.HalfOpenMaxRequests)
	}

	{
		f := c.Fetch
		check(f.TimeoutSeconds > 0, "fetch.timeout_seconds", "%g must be > 0", f.TimeoutSeconds)
		check(f.MaxRows >= 1, "fetch.max_rows", "%d must be >= 1", f.MaxRows)
		check(f.Pool.MaxOpen >= 1, "fetch.pool.max_open", "%d must be >= 1", f.Pool.MaxOpen)
		check(f.Pool.MaxIdle >= 0, "fetch.pool.max_idle", "%d must be >= 0", f.Pool.MaxIdle)
		check(f.Pool.MaxLifetimeSeconds >= 0, "fetch.pool.max_lifetime_seconds", "%g must be >= 0 (0 = no limit)", f.Pool.MaxLifetimeSeconds)
		check(f.Pool.MaxIdleTimeSeconds >= 0, "fetch.pool.max_idle_time_seconds", "%g must be >= 0 (0 = no limit)", f.Pool.MaxIdleTimeSeconds)
	}

	if u := c.Management.URL; u != "" {
		check(validHTTPURL(u), "management.url", "%q is not an http(s) URL with a host", redactURL(u))
	}
	return errors.Join(errs...)
}

// Warnings returns problems that do not stop the service, to be logged at
// startup: settings upstream accepted and this service tolerates the same
// way.
func (c *Config) Warnings() []string {
	var w []string
	if t := c.Telemetry.SinkType; t != c.Telemetry.EffectiveSinkType() {
		w = append(w, fmt.Sprintf("telemetry.sink_type %q is not one of %s, %s, %s; using %s (as upstream did)",
			t, SinkConsole, SinkFile, SinkZMQ, SinkConsole))
	}
	if c.Auth.Enabled && !c.Auth.Enforce && !c.authMethodEnabled() {
		w = append(w, "auth.enabled is true but no method in auth.method_order is enabled: every caller is anonymous")
	}
	if c.Auth.Okta.Enabled && c.Auth.Okta.Issuer == TestIssuer {
		w = append(w, `auth.okta.issuer is "test": HS256 test tokens are accepted; do not use this in production`)
	}
	return w
}

// authMethodEnabled reports whether some method of auth.method_order has
// its own section enabled.
func (c *Config) authMethodEnabled() bool {
	for _, m := range c.Auth.MethodOrder {
		if (m == MethodKerberos && c.Auth.Kerberos.Enabled) || (m == MethodJWT && c.Auth.Okta.Enabled) {
			return true
		}
	}
	return false
}

func validHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}
