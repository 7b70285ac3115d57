package main

import (
	"log/slog"
	"os"
	"path/filepath"

	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/excel"
	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/governance"
	"github.com/moniker-svc/moniker/internal/mssql"
	"github.com/moniker-svc/moniker/internal/mysql"
	"github.com/moniker-svc/moniker/internal/oracle"
	"github.com/moniker-svc/moniker/internal/postgres"
	"github.com/moniker-svc/moniker/internal/rest"
	"github.com/moniker-svc/moniker/internal/snowflake"
	"github.com/moniker-svc/moniker/internal/sqlite"
	"github.com/moniker-svc/moniker/internal/static"
)

// adapters is the one table of the source types /fetch reads, each the
// adapter of the package named after what it wraps. A type that is not
// here answers 501 naming the type and why (its source-type entry's
// execution hint).
func adapters(log *slog.Logger) fetch.Adapters {
	return fetch.Adapters{
		"postgres":  postgres.Adapter(log),
		"mysql":     mysql.Adapter(log),
		"sqlite":    sqlite.Adapter(log),
		"mssql":     mssql.Adapter(log),
		"oracle":    oracle.Adapter(log),
		"snowflake": snowflake.Adapter(log), // checks the keys, then 501: no driver in the build yet
		"rest":      rest.Adapter(),
		"excel":     excel.Adapter(),
		"static":    static.Adapter(),
	}
}

// buildExecutor builds /fetch's executor: the adapters, one circuit per
// source connection on the breaker, the secrets from getenv and files
// relative to the catalog's folder, and fetch.* of the config.
func buildExecutor(cfg *config.Config, getenv func(string) string, br *governance.Breaker, d deps) *fetch.Executor {
	dir := ""
	if p := cfg.CatalogPath(); p != "" {
		dir = p
		if fi, err := os.Stat(p); err != nil || !fi.IsDir() {
			dir = filepath.Dir(p)
		}
	}
	readFile := func(name string) ([]byte, error) {
		if !filepath.IsAbs(name) && dir != "" {
			name = filepath.Join(dir, name)
		}
		return os.ReadFile(name)
	}
	p := cfg.Fetch.Pool
	return fetch.NewExecutor(fetch.Options{
		Adapters: adapters(d.log),
		Breaker:  br,
		Env: fetch.Env{Getenv: getenv, ReadFile: readFile, Dir: dir,
			Pool: fetch.PoolConfig{MaxOpen: p.MaxOpen, MaxIdle: p.MaxIdle, MaxLifetime: p.MaxLifetime(), MaxIdleTime: p.MaxIdleTime()}},
		Timeout: cfg.Fetch.Timeout(),
		Metrics: fetch.NewMetrics(d.reg),
		Log:     d.log.With("component", "fetch"),
	})
}
