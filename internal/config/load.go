package config

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// Environment variables the configuration reads (upstream's names).
const (
	EnvConfig   = "MONIKER_CONFIG"  // config file path, working-directory relative
	EnvDomains  = "DOMAINS_CONFIG"  // domains file when domains.definition_file is unset
	EnvModels   = "MODELS_CONFIG"   // models file when models.definition_file is unset
	EnvRequests = "REQUESTS_CONFIG" // requests file when requests.definition_file is unset
)

// DefaultFile is the config file looked for in the working directory.
const DefaultFile = "config.yaml"

// Find returns the config file to load: flag when set, else
// $MONIKER_CONFIG when set, else ./config.yaml when it exists, else ""
// (no config file: the caller serves the embedded demo). A file named by
// the flag or the environment must exist.
func Find(flag string, getenv func(string) string) (string, error) {
	for _, c := range []struct{ path, from string }{
		{flag, "-config.file"},
		{getenv(EnvConfig), "$" + EnvConfig},
	} {
		if c.path == "" {
			continue
		}
		fi, err := os.Stat(c.path)
		if err != nil {
			return "", fmt.Errorf("config file %q (from %s): %w", c.path, c.from, err)
		}
		if fi.IsDir() {
			return "", fmt.Errorf("config file %q (from %s) is a directory", c.path, c.from)
		}
		return c.path, nil
	}
	if fi, err := os.Stat(DefaultFile); err == nil && !fi.IsDir() {
		return DefaultFile, nil
	}
	return "", nil
}

// Load reads the file at path, decodes it strictly over the defaults,
// expands ${VAR} references in definition_file keys from the process
// environment, and validates the result.
func Load(path string) (*Config, error) { return LoadEnv(path, os.Getenv) }

// LoadEnv is Load with the environment given as getenv.
func LoadEnv(path string, getenv func(string) string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading config: %w", err)
	}
	return Parse(data, path, getenv)
}

// Parse decodes data, the contents of the config file named file, like
// LoadEnv. file names the file in errors and is the base of relative
// paths in it.
func Parse(data []byte, file string, getenv func(string) string) (*Config, error) {
	c := Default()
	c.file = file
	dir, err := filepath.Abs(filepath.Dir(file))
	if err != nil {
		return nil, fmt.Errorf("config file %s: %w", file, err)
	}
	c.dir = dir
	c.lines = make(map[string]int)

	root, err := yamlfile.TopMapping(file, data, "sections")
	if err != nil {
		return nil, err
	}
	d := &decoder{w: yamlfile.Walker{File: file, Duplicates: true}, lines: c.lines}
	if root != nil {
		d.mapping(root, reflect.ValueOf(c).Elem(), "")
	}
	if len(d.w.Errs) > 0 {
		return nil, errors.Join(d.w.Errs...)
	}
	for _, p := range []struct {
		key string
		v   *string
	}{
		{"catalog.definition_file", &c.Catalog.DefinitionFile},
		{"domains.definition_file", &c.Domains.DefinitionFile},
		{"models.definition_file", &c.Models.DefinitionFile},
		{"requests.definition_file", &c.Requests.DefinitionFile},
	} {
		s, err := expandEnv(*p.v, getenv)
		if err != nil {
			return nil, c.errorAt(p.key, "%v", err)
		}
		*p.v = s
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// decoder walks the YAML node tree against the Config struct with a
// yamlfile.Walker, so every unknown or duplicate key is reported with its
// line, and decodes each leaf value with yaml.v3. Problems are
// *yamlfile.LoadError values located by file and line.
type decoder struct {
	w     yamlfile.Walker
	lines map[string]int
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.w.Errorf(n, yamlfile.Path{}, format, args...)
}

// mapping decodes the mapping node n into the struct v. section is the
// dotted path of v ("" at the top level).
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, section string) {
	fields, names := yamlFields(v.Type())
	d.w.Pairs(n, yamlfile.Key(section), 0, func(key string, k, val *yaml.Node) {
		val = yamlfile.Deref(val)
		idx, ok := fields[key]
		if !ok {
			d.errorf(k, "unknown key %q %s%s", key, where(section), yamlfile.Hint(key, names))
			return
		}
		if yamlfile.IsNull(val) {
			return // null means the default, for sections and leaves alike
		}
		full := join(section, key)
		d.lines[full] = k.Line
		f := v.Field(idx)
		if f.Kind() == reflect.Struct {
			if val.Kind != yaml.MappingNode {
				d.errorf(val, "section %q must be a mapping, got %s", full, yamlfile.KindName(val))
				return
			}
			d.mapping(val, f, full)
			return
		}
		if f.Kind() == reflect.Map && val.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(val.Content); j += 2 {
				d.lines[full+"."+val.Content[j].Value] = val.Content[j].Line
			}
		}
		if err := val.Decode(f.Addr().Interface()); err != nil {
			if want := typeName(f.Kind()); want != "" && val.Kind == yaml.ScalarNode {
				d.errorf(val, "%s: %q is not %s", full, val.Value, want)
			} else {
				d.errorf(val, "%s: %s", full, decodeMessage(err))
			}
		}
	})
}

// yamlFields maps each yaml tag name of struct type t to its field index,
// and lists the names sorted.
func yamlFields(t reflect.Type) (map[string]int, []string) {
	m := make(map[string]int, t.NumField())
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name != "" && name != "-" {
			m[name] = i
		}
	}
	return m, slices.Sorted(maps.Keys(m))
}

// typeName describes a scalar kind for error messages; "" for others.
func typeName(k reflect.Kind) string {
	switch k {
	case reflect.Int:
		return "an integer"
	case reflect.Float64:
		return "a number"
	case reflect.Bool:
		return "true or false"
	case reflect.String:
		return "a string"
	}
	return ""
}

// decodeMessage strips yaml.v3's "line N:" prefixes (the caller adds its
// own location) from a decoding error.
func decodeMessage(err error) string {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return strings.TrimPrefix(err.Error(), "yaml: ")
	}
	msgs := make([]string, len(te.Errors))
	for i, m := range te.Errors {
		if rest, ok := strings.CutPrefix(m, "line "); ok {
			if _, after, ok := strings.Cut(rest, ": "); ok {
				m = after
			}
		}
		msgs[i] = m
	}
	return strings.Join(msgs, "; ")
}

func where(section string) string {
	if section == "" {
		return "at top level"
	}
	return fmt.Sprintf("in section %q", section)
}

func join(section, key string) string {
	if section == "" {
		return key
	}
	return section + "." + key
}

// expandEnv expands ${VAR} and ${VAR:-default} in s (HEAD's syntax for
// catalog.definition_file). A variable that is unset or empty takes its
// default; with no default it is an error, so a missing MONIKER_ENV does
// not silently select "catalog-.yaml". A "$" not followed by "{" is kept.
func expandEnv(s string, getenv func(string) string) (string, error) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), nil
		}
		b.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return "", errors.New("unterminated ${ (a reference is ${NAME} or ${NAME:-default})")
		}
		expr := s[i+2 : i+end]
		name, def, hasDef := strings.Cut(expr, ":-")
		if !validEnvName(name) {
			return "", fmt.Errorf("invalid variable reference ${%s}", expr)
		}
		val := getenv(name)
		if val == "" {
			if !hasDef {
				return "", fmt.Errorf("environment variable %s is not set (write ${%s:-default} for a default)", name, name)
			}
			val = def
		}
		b.WriteString(val)
		s = s[i+end+1:]
	}
}

func validEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		switch {
		case r == '_', r >= 'A' && r <= 'Z', r >= 'a' && r <= 'z':
		case r >= '0' && r <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
