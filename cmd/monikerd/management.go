package main

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/demo"
	"github.com/moniker-svc/moniker/internal/domains"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/models"
	"github.com/moniker-svc/moniker/internal/requests"
	"github.com/moniker-svc/moniker/internal/store"
)

// editableCatalogPath is the catalog file the management plane edits: the
// configured definition file, else config_ui.yaml_output_path (working
// directory relative, as upstream), seeded from the embedded demo catalog
// when it does not exist yet, so the resolver (which reads the same file
// when it exists) and management agree.
func editableCatalogPath(cfg *config.Config) (string, error) {
	if p := cfg.CatalogPath(); p != "" {
		return p, nil
	}
	p, err := filepath.Abs(cfg.ConfigUI.YAMLOutputPath)
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
		data, err := fs.ReadFile(demo.Files(), "catalog.yaml")
		if err != nil {
			return "", err
		}
		if err := store.WriteFile(p, data, 0o644); err != nil {
			return "", fmt.Errorf("seeding %s with the demo catalog: %w", p, err)
		}
	}
	return p, nil
}

// buildManagement builds the control plane: the catalog working copy
// (read-write), the domain and model registries, the request workflow,
// the audit log, and the management routes. A registry whose config
// section is disabled is not built (its routes answer 503). withResolver
// says the process serves the resolver too (the all target): the pages
// then link to its catalog browser.
func buildManagement(cfg *config.Config, withResolver bool, getenv func(string) string, log *slog.Logger, health *httpapi.Health) ([]httpapi.Route, *catalogedit.Editor, error) {
	var c managementapi.Config
	c.ResolverPages = withResolver
	c.Log = log
	c.ProjectName = cfg.ProjectName
	c.ShowFilePaths = cfg.ConfigUI.ShowFilePaths

	catPath, err := editableCatalogPath(cfg)
	if err != nil {
		return nil, nil, err
	}
	c.Audit = audit.ForCatalog(catPath)
	health.Component("audit_log")
	if cfg.ConfigUI.Enabled {
		if c.Catalog, err = catalogedit.Open(catPath, catalogedit.Options{Audit: c.Audit, Log: log}); err != nil {
			return nil, nil, fmt.Errorf("catalog: %w", err)
		}
		health.Component("catalog_editor")
		health.Section("catalog_editor", func() any {
			return map[string]any{"file": c.Catalog.Path(), "version": c.Catalog.Version(), "unsaved": len(c.Catalog.Pending())}
		})
	}
	if c.Domains, err = domains.Open(cfg.DomainsPath(getenv), domains.WithAudit(c.Audit), domains.WithLogger(log)); err != nil {
		return nil, nil, fmt.Errorf("domains: %w", err)
	}
	health.Component("domain_registry")
	if cfg.Models.Enabled {
		if c.Models, err = models.Open(cfg.ModelsPath(getenv), models.WithAudit(c.Audit), models.WithLogger(log)); err != nil {
			return nil, nil, fmt.Errorf("models: %w", err)
		}
		health.Component("model_registry")
	}
	if cfg.Requests.Enabled {
		opts := requests.Options{Audit: c.Audit, Log: log}
		if c.Catalog != nil {
			opts.Catalog = c.Catalog
		}
		if c.Requests, err = requests.Open(cfg.RequestsPath(getenv), opts); err != nil {
			return nil, nil, fmt.Errorf("requests: %w", err)
		}
		health.Component("request_workflow")
	}
	health.Component("management_api")
	return managementapi.New(c).Routes(), c.Catalog, nil
}
