package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
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

// Error is one problem in a configuration, located by file and line when
// they are known. Load and Validate return one Error per problem, joined
// with errors.Join.
type Error struct {
	File string // "" when the configuration did not come from a file
	Line int    // 0 when unknown
	Msg  string
}

func (e *Error) Error() string {
	switch {
	case e.File != "" && e.Line > 0:
		return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg
	case e.File != "":
		return e.File + ": " + e.Msg
	}
	return e.Msg
}

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

	d := &decoder{file: file, lines: c.lines}
	root, err := d.document(data)
	if err != nil {
		return nil, err
	}
	if root != nil {
		d.mapping(root, reflect.ValueOf(c).Elem(), "")
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
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

// decoder walks the YAML node tree against the Config struct, so every
// unknown or duplicate key is reported with its line, and decodes each
// leaf value with yaml.v3.
type decoder struct {
	file  string
	lines map[string]int
	errs  []error
}

func (d *decoder) errorf(line int, format string, args ...any) {
	d.errs = append(d.errs, &Error{File: d.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// document parses data and returns its top-level mapping, or nil when the
// file is empty or null.
func (d *decoder) document(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, d.syntaxError(err)
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, d.syntaxError(err)
		}
		return nil, &Error{File: d.file, Line: next.Line, Msg: "more than one YAML document (only one is allowed)"}
	}
	if len(doc.Content) == 0 {
		return nil, nil
	}
	root := deref(doc.Content[0])
	if isNull(root) {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, &Error{File: d.file, Line: root.Line, Msg: "the top level must be a mapping of sections, got " + describe(root)}
	}
	return root, nil
}

// syntaxError turns yaml.v3's "yaml: line N: msg" into file:N: msg.
func (d *decoder) syntaxError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 0
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(n); err == nil {
				line, msg = l, after
			}
		}
	}
	return &Error{File: d.file, Line: line, Msg: "invalid YAML: " + msg}
}

// mapping decodes the mapping node n into the struct v. section is the
// dotted path of v ("" at the top level).
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, section string) {
	fields := yamlFields(v.Type())
	seen := make(map[string]int, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := deref(n.Content[i]), deref(n.Content[i+1])
		key := k.Value
		if k.Kind != yaml.ScalarNode {
			d.errorf(k.Line, "a key %s is a %s, not a name", where(section), describe(k))
			continue
		}
		if first, dup := seen[key]; dup {
			d.errorf(k.Line, "duplicate key %q %s (first set at line %d)", key, where(section), first)
			continue
		}
		seen[key] = k.Line
		idx, ok := fields[key]
		if !ok {
			d.errorf(k.Line, "unknown key %q %s%s", key, where(section), suggest(key, fields))
			continue
		}
		if isNull(val) {
			continue // null means the default, for sections and leaves alike
		}
		full := join(section, key)
		d.lines[full] = k.Line
		f := v.Field(idx)
		if f.Kind() == reflect.Struct {
			if val.Kind != yaml.MappingNode {
				d.errorf(val.Line, "section %q must be a mapping, got %s", full, describe(val))
				continue
			}
			d.mapping(val, f, full)
			continue
		}
		if f.Kind() == reflect.Map && val.Kind == yaml.MappingNode {
			for j := 0; j+1 < len(val.Content); j += 2 {
				d.lines[full+"."+val.Content[j].Value] = val.Content[j].Line
			}
		}
		if err := val.Decode(f.Addr().Interface()); err != nil {
			if want := typeName(f.Kind()); want != "" && val.Kind == yaml.ScalarNode {
				d.errorf(val.Line, "%s: %q is not %s", full, val.Value, want)
			} else {
				d.errorf(val.Line, "%s: %s", full, decodeMessage(err))
			}
		}
	}
}

// yamlFields maps each yaml tag name of struct type t to its field index.
func yamlFields(t reflect.Type) map[string]int {
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
	return m
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

func deref(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.Tag == "!!null"
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.ScalarNode:
		return "value " + strconv.Quote(n.Value)
	}
	return "node"
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

// suggest returns ` (did you mean "x"?)` for the known key closest to key,
// or "" when none is close.
func suggest(key string, known map[string]int) string {
	names := make([]string, 0, len(known))
	for k := range known {
		names = append(names, k)
	}
	sort.Strings(names)
	best, bestDist := "", 3 // only suggest within two edits
	for _, k := range names {
		if d := editDistance(key, k); d < bestDist && d < len(key) {
			best, bestDist = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

// editDistance is the Levenshtein distance between a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
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
