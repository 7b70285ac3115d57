package main

import (
	"context"
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
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/requests"
	"github.com/moniker-svc/moniker/internal/yamlfile"
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
		if err := yamlfile.WriteFile(p, data, 0o644); err != nil {
			return "", fmt.Errorf("seeding %s with the demo catalog: %w", p, err)
		}
	}
	return p, nil
}

// managementOptions say what else the process serves beside the
// management plane.
type managementOptions struct {
	// resolverPages: the process serves the resolver's catalog browser
	// too (the all target), so the pages link to it.
	resolverPages bool
}

// management is the control plane as built; a component whose config
// section is disabled is nil.
type management struct {
	routes []httpapi.Route
	c      managementapi.Config
	editor *catalogedit.Editor
	log    *slog.Logger
}

// buildManagement builds the control plane: the catalog working copy
// (read-write), the domain and model registries, the request workflow,
// the audit log, and the management routes. A registry whose config
// section is disabled is not built (its routes answer 503).
func buildManagement(d deps, o managementOptions) (*management, error) {
	cfg, log, health := d.cfg, d.log, d.health
	var c managementapi.Config
	c.ResolverPages = o.resolverPages
	c.Log = log
	c.ProjectName = cfg.ProjectName
	c.ShowFilePaths = cfg.ConfigUI.ShowFilePaths

	catPath, err := editableCatalogPath(cfg)
	if err != nil {
		return nil, err
	}
	c.Audit = audit.ForCatalog(catPath)
	health.Component("audit_log")
	if cfg.ConfigUI.Enabled {
		if c.Catalog, err = catalogedit.Open(catPath, catalogedit.Options{Audit: c.Audit, Log: log}); err != nil {
			return nil, fmt.Errorf("catalog: %w", err)
		}
		health.Component("catalog_editor")
		health.Section("catalog_editor", func() any {
			return map[string]any{"file": c.Catalog.Path(), "version": c.Catalog.Version(), "unsaved": len(c.Catalog.Pending())}
		})
	}
	if c.Domains, err = domains.Open(cfg.DomainsPath(d.getenv), domains.WithAudit(c.Audit), domains.WithLogger(log)); err != nil {
		return nil, fmt.Errorf("domains: %w", err)
	}
	health.Component("domain_registry")
	if cfg.Models.Enabled {
		if c.Models, err = models.Open(cfg.ModelsPath(d.getenv), models.WithAudit(c.Audit), models.WithLogger(log)); err != nil {
			return nil, fmt.Errorf("models: %w", err)
		}
		health.Component("model_registry")
	}
	if cfg.Requests.Enabled {
		opts := requests.Options{Audit: c.Audit, Log: log}
		if c.Catalog != nil {
			opts.Catalog = c.Catalog
		}
		if c.Requests, err = requests.Open(cfg.RequestsPath(d.getenv), opts); err != nil {
			return nil, fmt.Errorf("requests: %w", err)
		}
		health.Component("request_workflow")
	}
	health.Component("management_api")
	return &management{routes: managementapi.New(c).Routes(), c: c, editor: c.Catalog, log: log}, nil
}

// plane is the management part of the target. SIGHUP re-reads every file
// the plane holds, as POST /config/reload (without discard),
// /domains/reload, /models/reload and /requests/reload do: the catalog
// working copy takes the file's content and keeps this process's unsaved
// edits on top. A file that does not load keeps what was loaded before.
func (m *management) plane() plane {
	return plane{routes: m.routes, reload: m.reload, close: func() {}}
}

func (m *management) reload(ctx context.Context) {
	log := m.log.With("trigger", "sighup")
	if ed := m.c.Catalog; ed != nil {
		if err := ed.Reload(ctx); err != nil {
			log.Error("catalog reload failed: keeping the loaded catalog", "file", ed.Path(), "err", err)
		} else {
			log.Info("catalog reloaded", "file", ed.Path(), "monikers", ed.View().Len(), "version", ed.Version(), "unsaved_kept", len(ed.Pending()))
		}
	}
	reg := func(name string, reload func(context.Context) (int, error)) {
		n, err := reload(ctx)
		switch {
		case errors.Is(err, moniker.ErrNotFound):
			// No file yet (it is written on the first change).
			log.Info(name+": no file to reload, keeping the loaded "+name, "detail", err.Error())
		case err != nil:
			log.Error(name+" reload failed: keeping the loaded "+name, "err", err)
		default:
			log.Info(name+" reloaded", "count", n)
		}
	}
	if m.c.Domains != nil {
		reg("domains", m.c.Domains.Reload)
	}
	if m.c.Models != nil {
		reg("models", m.c.Models.Reload)
	}
	if m.c.Requests != nil {
		reg("requests", m.c.Requests.Reload)
	}
}
