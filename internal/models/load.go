package models

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// maxLoadErrors is how many errors one load collects before it stops.
const maxLoadErrors = 100

// maxAliasDepth bounds YAML alias chains.
const maxAliasDepth = 32

// LoadError is one problem in a models file. It wraps moniker.ErrInvalid.
type LoadError struct {
	File  string
	Line  int    // 1-based, 0 when unknown
	Model string // the model path, if any
	Key   string // the key inside the model, e.g. "appears_in[1].notes"
	Msg   string
}

// Error formats the error as
// `models.yaml:12: model "risk.analytics/dv01": ownership.owner: unknown key`.
func (e *LoadError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Model != "" {
		b.WriteString("model ")
		b.WriteString(strconv.Quote(e.Model))
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns moniker.ErrInvalid.
func (e *LoadError) Unwrap() error { return moniker.ErrInvalid }

// Keys of a model entry, its ownership, links and aliases. Every key
// upstream ever wrote is known; anything else is an error.
var (
	modelKeys     = [...]string{"display_name", "description", "formula", "unit", "data_type", "ownership", "documentation_url", "methodology_url", "wiki_link", "appears_in", "aliases", "semantic_tags", "tags"}
	ownershipKeys = [...]string{"methodology_owner", "business_steward", "support_channel"}
	linkKeys      = [...]string{"moniker_pattern", "column_name", "notes"}
	aliasKeys     = [...]string{"name", "type", "context"}
)

// LoadBytes parses a models file (name is used in messages): a mapping
// from model path to its fields (reference §8.3, plus HEAD's wiki_link and
// aliases). A null entry is a model with no fields; null lists are empty;
// an appears_in item may be a bare pattern string and an aliases item a
// bare name. Unknown keys, type errors, empty or malformed paths and
// patterns that do not compile are errors (*LoadError, joined) naming
// file, line, model and key. A later entry with the same path replaces an
// earlier one. Models come back in file order.
func LoadBytes(name string, data []byte) ([]*Model, error) {
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, &LoadError{File: name, Msg: err.Error()}
	}
	root := deref(&doc)
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = deref(root.Content[0])
	}
	if root.Kind == yaml.ScalarNode && root.Tag == "!!null" {
		return nil, nil
	}
	if root.Kind != yaml.MappingNode {
		return nil, &LoadError{File: name, Line: root.Line, Msg: "top level must be a mapping of model path to fields"}
	}
	d := &loader{file: name}
	var out []*Model
	index := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		kn, vn := deref(root.Content[i]), deref(root.Content[i+1])
		if kn.Kind != yaml.ScalarNode || kn.Tag == "!!null" {
			d.errorf(kn, "", "model paths must be strings")
			continue
		}
		d.model = kn.Value
		if msg := checkPathSyntax(kn.Value); msg != "" {
			d.errorf(kn, "", "invalid model path: %s", msg)
			continue
		}
		m := d.decode(kn.Value, vn)
		if j, ok := index[m.Path]; ok {
			out[j] = m
			continue
		}
		index[m.Path] = len(out)
		out = append(out, m)
	}
	if len(d.errs) > 0 {
		return nil, errors.Join(d.errs...)
	}
	return out, nil
}

// loader collects the errors of one load.
type loader struct {
	file  string
	model string
	errs  []error
}

func (d *loader) errorf(n *yaml.Node, key, format string, args ...any) {
	if len(d.errs) >= maxLoadErrors {
		return
	}
	d.errs = append(d.errs, &LoadError{File: d.file, Line: n.Line, Model: d.model, Key: key, Msg: fmt.Sprintf(format, args...)})
}

func deref(n *yaml.Node) *yaml.Node {
	for i := 0; n.Kind == yaml.AliasNode && n.Alias != nil && i < maxAliasDepth; i++ {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }

func kindName(n *yaml.Node) string {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping"
	case n.Kind == yaml.SequenceNode:
		return "a list"
	case isNull(n):
		return "null"
	case n.Kind == yaml.ScalarNode:
		return strconv.Quote(n.Value)
	}
	return "an unsupported value"
}

// pairs calls fn for each key of mapping m (a null m has none); a key not
// in known is an error.
func (d *loader) pairs(m *yaml.Node, prefix string, known []string, fn func(key, at string, v *yaml.Node)) {
	m = deref(m)
	if isNull(m) {
		return
	}
	if m.Kind != yaml.MappingNode {
		d.errorf(m, strings.TrimSuffix(prefix, "."), "expected a mapping, got %s", kindName(m))
		return
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		kn := deref(m.Content[i])
		if kn.Kind != yaml.ScalarNode || isNull(kn) {
			d.errorf(kn, strings.TrimSuffix(prefix, "."), "keys must be strings, got %s", kindName(kn))
			continue
		}
		if !slices.Contains(known, kn.Value) {
			d.errorf(kn, prefix+kn.Value, "unknown key (known: %s)", strings.Join(known, ", "))
			continue
		}
		fn(kn.Value, prefix+kn.Value, deref(m.Content[i+1]))
	}
}

// text reads a scalar as its text; null is "".
func (d *loader) text(v *yaml.Node, at string) string {
	if v.Kind != yaml.ScalarNode {
		d.errorf(v, at, "expected a string, got %s", kindName(v))
		return ""
	}
	if isNull(v) {
		return ""
	}
	return v.Value
}

// list returns the items of a sequence; null is empty.
func (d *loader) list(v *yaml.Node, at string) []*yaml.Node {
	if isNull(v) {
		return nil
	}
	if v.Kind != yaml.SequenceNode {
		d.errorf(v, at, "expected a list, got %s", kindName(v))
		return nil
	}
	return v.Content
}

// strings reads a list of non-empty strings.
func (d *loader) strings(v *yaml.Node, at string) []string {
	var out []string
	for i, it := range d.list(v, at) {
		it = deref(it)
		item := fmt.Sprintf("%s[%d]", at, i)
		if s := d.text(it, item); s != "" {
			out = append(out, s)
		} else if it.Kind == yaml.ScalarNode {
			d.errorf(it, item, "must not be empty")
		}
	}
	return out
}

func (d *loader) decode(path string, v *yaml.Node) *Model {
	m := &Model{Path: path, DataType: DefaultDataType}
	d.pairs(v, "", modelKeys[:], func(key, at string, v *yaml.Node) {
		switch key {
		case "display_name":
			m.DisplayName = d.text(v, at)
		case "description":
			m.Description = d.text(v, at)
		case "formula":
			m.Formula = d.text(v, at)
		case "unit":
			m.Unit = d.text(v, at)
		case "data_type":
			if s := d.text(v, at); s != "" {
				m.DataType = s
			}
		case "ownership":
			d.pairs(v, "ownership.", ownershipKeys[:], func(key, at string, v *yaml.Node) {
				switch key {
				case "methodology_owner":
					m.Ownership.MethodologyOwner = d.text(v, at)
				case "business_steward":
					m.Ownership.BusinessSteward = d.text(v, at)
				case "support_channel":
					m.Ownership.SupportChannel = d.text(v, at)
				}
			})
		case "documentation_url":
			m.DocumentationURL = d.text(v, at)
		case "methodology_url":
			m.MethodologyURL = d.text(v, at)
		case "wiki_link":
			m.WikiLink = d.text(v, at)
		case "appears_in":
			for i, it := range d.list(v, at) {
				if l, ok := d.link(deref(it), fmt.Sprintf("appears_in[%d]", i)); ok {
					m.AppearsIn = append(m.AppearsIn, l)
				}
			}
		case "aliases":
			for i, it := range d.list(v, at) {
				if a, ok := d.alias(deref(it), fmt.Sprintf("aliases[%d]", i)); ok {
					m.Aliases = append(m.Aliases, a)
				}
			}
		case "semantic_tags":
			m.SemanticTags = d.strings(v, at)
		case "tags":
			m.Tags = normalizeTags(d.strings(v, at))
		}
	})
	return m
}

func (d *loader) link(v *yaml.Node, at string) (Link, bool) {
	var l Link
	if v.Kind == yaml.ScalarNode && !isNull(v) {
		l.MonikerPattern = v.Value
	} else {
		d.pairs(v, at+".", linkKeys[:], func(key, at string, v *yaml.Node) {
			switch key {
			case "moniker_pattern":
				l.MonikerPattern = d.text(v, at)
			case "column_name":
				l.ColumnName = d.text(v, at)
			case "notes":
				l.Notes = d.text(v, at)
			}
		})
	}
	if _, err := Compile(l.MonikerPattern); err != nil {
		d.errorf(v, at+".moniker_pattern", "%v", err)
		return l, false
	}
	return l, true
}

func (d *loader) alias(v *yaml.Node, at string) (Alias, bool) {
	a := Alias{Type: DefaultAliasType}
	if v.Kind == yaml.ScalarNode && !isNull(v) {
		a.Name = v.Value
	} else {
		d.pairs(v, at+".", aliasKeys[:], func(key, at string, v *yaml.Node) {
			switch key {
			case "name":
				a.Name = d.text(v, at)
			case "type":
				if s := d.text(v, at); s != "" {
					a.Type = s
				}
			case "context":
				a.Context = d.text(v, at)
			}
		})
	}
	if a.Name == "" {
		d.errorf(v, at+".name", "missing alias name")
		return a, false
	}
	return a, true
}

// normalizeTags sorts tags and drops duplicates (tags are a set).
func normalizeTags(tags []string) []string {
	if len(tags) == 0 {
		return nil
	}
	tags = slices.Clone(tags)
	slices.Sort(tags)
	return slices.Compact(tags)
}

// checkPathSyntax: a model path is "/"-separated non-empty segments
// without white space or control characters. It returns why path is
// invalid, or "".
func checkPathSyntax(path string) string {
	if path == "" {
		return "empty path"
	}
	if len(path) > moniker.MaxLen {
		return fmt.Sprintf("longer than %d bytes", moniker.MaxLen)
	}
	for seg := range strings.SplitSeq(path, "/") {
		if seg == "" {
			return fmt.Sprintf("empty segment in %q", path)
		}
	}
	if strings.ContainsFunc(path, func(r rune) bool { return r <= ' ' || r == 0x7f }) {
		return fmt.Sprintf("white space or control character in %q", path)
	}
	return ""
}
