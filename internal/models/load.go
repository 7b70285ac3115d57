package models

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

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
// patterns that do not compile are errors (*yamlfile.LoadError, joined)
// naming file, line, model and key. A later entry with the same path
// replaces an earlier one. Models come back in file order.
func LoadBytes(name string, data []byte) ([]*Model, error) {
	root, err := yamlfile.TopMapping(name, data, "model path to fields")
	if err != nil || root == nil {
		return nil, err
	}
	d := &loader{Walker: yamlfile.Walker{File: name, Noun: "model"}}
	var out []*Model
	index := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		kn, vn := yamlfile.Deref(root.Content[i]), yamlfile.Deref(root.Content[i+1])
		d.Entry = ""
		if kn.Kind != yaml.ScalarNode || yamlfile.IsNull(kn) {
			d.Errorf(kn, yamlfile.Path{}, "model paths must be strings")
			continue
		}
		d.Entry = kn.Value
		if msg := checkPathSyntax(kn.Value); msg != "" {
			d.Errorf(kn, yamlfile.Path{}, "invalid model path: %s", msg)
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
	if len(d.Errs) > 0 {
		return nil, errors.Join(d.Errs...)
	}
	return out, nil
}

// loader reads model entries with a yamlfile.Walker, which collects the
// errors of one load.
type loader struct {
	yamlfile.Walker
}

// pairs calls fn for each key of mapping m (a null m has none); a key not
// in known is an error.
func (d *loader) pairs(m *yaml.Node, at yamlfile.Path, known []string, fn func(key string, at yamlfile.Path, v *yaml.Node)) {
	m, ok := d.Mapping(m, at)
	if !ok {
		return
	}
	d.Pairs(m, at, 0, func(key string, kn, vn *yaml.Node) {
		if !slices.Contains(known, key) {
			d.UnknownKey(kn, at.Field(key), key, known)
			return
		}
		fn(key, at.Field(key), yamlfile.Deref(vn))
	})
}

// list returns the items of a sequence; null is empty.
func (d *loader) list(v *yaml.Node, at yamlfile.Path) []*yaml.Node {
	items, _ := d.List(v, at)
	return items
}

// strings reads a list of non-empty strings.
func (d *loader) strings(v *yaml.Node, at yamlfile.Path) []string {
	var out []string
	for i, it := range d.list(v, at) {
		it = yamlfile.Deref(it)
		item := at.Item(i)
		if s := d.Text(it, item); s != "" {
			out = append(out, s)
		} else if it.Kind == yaml.ScalarNode {
			d.Errorf(it, item, "must not be empty")
		}
	}
	return out
}

func (d *loader) decode(path string, v *yaml.Node) *Model {
	m := &Model{Path: path, DataType: DefaultDataType}
	d.pairs(v, yamlfile.Path{}, modelKeys[:], func(key string, at yamlfile.Path, v *yaml.Node) {
		switch key {
		case "display_name":
			m.DisplayName = d.Text(v, at)
		case "description":
			m.Description = d.Text(v, at)
		case "formula":
			m.Formula = d.Text(v, at)
		case "unit":
			m.Unit = d.Text(v, at)
		case "data_type":
			if s := d.Text(v, at); s != "" {
				m.DataType = s
			}
		case "ownership":
			d.pairs(v, at, ownershipKeys[:], func(key string, at yamlfile.Path, v *yaml.Node) {
				switch key {
				case "methodology_owner":
					m.Ownership.MethodologyOwner = d.Text(v, at)
				case "business_steward":
					m.Ownership.BusinessSteward = d.Text(v, at)
				case "support_channel":
					m.Ownership.SupportChannel = d.Text(v, at)
				}
			})
		case "documentation_url":
			m.DocumentationURL = d.Text(v, at)
		case "methodology_url":
			m.MethodologyURL = d.Text(v, at)
		case "wiki_link":
			m.WikiLink = d.Text(v, at)
		case "appears_in":
			for i, it := range d.list(v, at) {
				if l, ok := d.link(yamlfile.Deref(it), at.Item(i)); ok {
					m.AppearsIn = append(m.AppearsIn, l)
				}
			}
		case "aliases":
			for i, it := range d.list(v, at) {
				if a, ok := d.alias(yamlfile.Deref(it), at.Item(i)); ok {
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

func (d *loader) link(v *yaml.Node, at yamlfile.Path) (Link, bool) {
	var l Link
	if v.Kind == yaml.ScalarNode && !yamlfile.IsNull(v) {
		l.MonikerPattern = v.Value
	} else {
		d.pairs(v, at, linkKeys[:], func(key string, at yamlfile.Path, v *yaml.Node) {
			switch key {
			case "moniker_pattern":
				l.MonikerPattern = d.Text(v, at)
			case "column_name":
				l.ColumnName = d.Text(v, at)
			case "notes":
				l.Notes = d.Text(v, at)
			}
		})
	}
	if _, err := Compile(l.MonikerPattern); err != nil {
		d.Errorf(v, at.Field("moniker_pattern"), "%v", err)
		return l, false
	}
	return l, true
}

func (d *loader) alias(v *yaml.Node, at yamlfile.Path) (Alias, bool) {
	a := Alias{Type: DefaultAliasType}
	if v.Kind == yaml.ScalarNode && !yamlfile.IsNull(v) {
		a.Name = v.Value
	} else {
		d.pairs(v, at, aliasKeys[:], func(key string, at yamlfile.Path, v *yaml.Node) {
			switch key {
			case "name":
				a.Name = d.Text(v, at)
			case "type":
				if s := d.Text(v, at); s != "" {
					a.Type = s
				}
			case "context":
				a.Context = d.Text(v, at)
			}
		})
	}
	if a.Name == "" {
		d.Errorf(v, at.Field("name"), "missing alias name")
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
