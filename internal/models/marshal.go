package models

import (
	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/registry"
)

// Header starts a models file this registry creates (reference §8.3).
const Header = "# Business Models Configuration\n# Measures, metrics, and fields that appear across monikers\n\n"

// MarshalModel appends m's entry in a models file to dst: the path as the
// top-level key, then display_name, description, formula, unit, data_type
// (only when not DefaultDataType), ownership (its set fields), the three
// URLs, appears_in, aliases, semantic_tags and tags (sorted), each only
// when set (reference §8.3 order, HEAD's wiki_link after the URLs and
// aliases after appears_in). A model with nothing set is written "path:
// {}". Strings are quoted where YAML would read them as something else.
// LoadBytes reads the result back to an equal model (the strings must be
// UTF-8, as every string read from JSON or YAML is).
func MarshalModel(dst []byte, m *Model) []byte {
	body := &yaml.Node{Kind: yaml.MappingNode}
	text(body, "display_name", m.DisplayName)
	text(body, "description", m.Description)
	text(body, "formula", m.Formula)
	text(body, "unit", m.Unit)
	if m.DataType != DefaultDataType {
		text(body, "data_type", m.DataType)
	}
	if !m.Ownership.Empty() {
		o := &yaml.Node{Kind: yaml.MappingNode}
		text(o, "methodology_owner", m.Ownership.MethodologyOwner)
		text(o, "business_steward", m.Ownership.BusinessSteward)
		text(o, "support_channel", m.Ownership.SupportChannel)
		body.Content = append(body.Content, str("ownership"), o)
	}
	text(body, "documentation_url", m.DocumentationURL)
	text(body, "methodology_url", m.MethodologyURL)
	text(body, "wiki_link", m.WikiLink)
	if len(m.AppearsIn) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, l := range m.AppearsIn {
			item := &yaml.Node{Kind: yaml.MappingNode}
			text(item, "moniker_pattern", l.MonikerPattern)
			text(item, "column_name", l.ColumnName)
			text(item, "notes", l.Notes)
			seq.Content = append(seq.Content, item)
		}
		body.Content = append(body.Content, str("appears_in"), seq)
	}
	if len(m.Aliases) > 0 {
		seq := &yaml.Node{Kind: yaml.SequenceNode}
		for _, a := range m.Aliases {
			item := &yaml.Node{Kind: yaml.MappingNode}
			text(item, "name", a.Name)
			if a.Type != DefaultAliasType {
				text(item, "type", a.Type)
			}
			text(item, "context", a.Context)
			seq.Content = append(seq.Content, item)
		}
		body.Content = append(body.Content, str("aliases"), seq)
	}
	list(body, "semantic_tags", m.SemanticTags)
	list(body, "tags", normalizeTags(m.Tags))
	if len(body.Content) == 0 {
		body.Style = yaml.FlowStyle
	}
	return registry.AppendEntry(dst, m.Path, body)
}

// text adds key: v to mapping m when v is set.
func text(m *yaml.Node, key, v string) {
	if v != "" {
		m.Content = append(m.Content, str(key), str(v))
	}
}

// list adds key: [vs...] (block style) to mapping m when vs is not empty.
func list(m *yaml.Node, key string, vs []string) {
	if len(vs) == 0 {
		return
	}
	seq := &yaml.Node{Kind: yaml.SequenceNode}
	for _, v := range vs {
		seq.Content = append(seq.Content, str(v))
	}
	m.Content = append(m.Content, str(key), seq)
}

// str returns a string scalar that reads back as exactly s.
func str(s string) *yaml.Node { return catalog.StringNode(s) }
