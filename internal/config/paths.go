package config

import "path/filepath"

// CatalogPath returns the catalog file or folder: catalog.definition_file
// resolved against the config file's folder (an absolute value stays
// as is). "" means none is configured.
func (c *Config) CatalogPath() string { return c.fromConfigDir(c.Catalog.DefinitionFile) }

// DomainsPath returns the domains file: domains.definition_file (relative
// to the config file's folder), else $DOMAINS_CONFIG, else domains.yaml;
// the last two relative to the working directory, as upstream.
func (c *Config) DomainsPath(getenv func(string) string) string {
	return c.firstPath(c.Domains.DefinitionFile, getenv(EnvDomains), "domains.yaml")
}

// ModelsPath returns the models file: models.definition_file (relative to
// the config file's folder), else $MODELS_CONFIG, else models.yaml; the
// last two relative to the working directory, as upstream.
func (c *Config) ModelsPath(getenv func(string) string) string {
	return c.firstPath(c.Models.DefinitionFile, getenv(EnvModels), "models.yaml")
}

// RequestsPath returns the requests file: requests.definition_file
// (relative to the config file's folder), else $REQUESTS_CONFIG, else
// requests.yaml; the last two relative to the working directory, as
// upstream.
func (c *Config) RequestsPath(getenv func(string) string) string {
	return c.firstPath(c.Requests.DefinitionFile, getenv(EnvRequests), "requests.yaml")
}

func (c *Config) firstPath(configured, env, def string) string {
	if configured != "" {
		return c.fromConfigDir(configured)
	}
	if env != "" {
		return filepath.Clean(env)
	}
	return def
}

// fromConfigDir resolves p against the config file's folder; without a
// config file (Default, Seed) against the working directory.
func (c *Config) fromConfigDir(p string) string {
	if p == "" {
		return ""
	}
	if filepath.IsAbs(p) || c.dir == "" {
		return filepath.Clean(p)
	}
	return filepath.Join(c.dir, p)
}
