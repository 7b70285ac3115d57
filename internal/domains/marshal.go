package domains

import (
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/registry"
)

// Header starts a domains file this registry creates (reference §8.2).
const Header = "# Data Domains Configuration\n# Top-level organizational units for the moniker catalog\n\n"

// MarshalDomain appends d's entry in a domains file to dst: the name as
// the top-level key, then the fields in reference §8.2 order (id,
// display_name, short_code, data_category, color, owner, tech_custodian,
// business_steward, confidentiality, pii, help_channel, wiki_link, notes).
// Empty strings and a nil id are left out; pii is always written. Strings
// are quoted where YAML 1.1 or 1.2 would read them as something else
// ('#16A085', "yes", "2026-06-30"); multi-line notes become literal blocks.
// catalog.LoadDomainsBytes reads the result back to an equal record (the
// strings must be UTF-8, as every string read from JSON or YAML is).
func MarshalDomain(dst []byte, d *moniker.DomainRecord) []byte {
	m := &yaml.Node{Kind: yaml.MappingNode}
	if d.ID != nil {
		m.Content = append(m.Content, plain("id"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.Itoa(*d.ID)})
	}
	text := func(key, v string) {
		if v != "" {
			m.Content = append(m.Content, plain(key), str(v))
		}
	}
	text("display_name", d.DisplayName)
	text("short_code", d.ShortCode)
	text("data_category", d.DataCategory)
	text("color", d.Color)
	text("owner", d.Owner)
	text("tech_custodian", d.TechCustodian)
	text("business_steward", d.BusinessSteward)
	text("confidentiality", d.Confidentiality)
	m.Content = append(m.Content, plain("pii"), &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(d.PII)})
	text("help_channel", d.HelpChannel)
	text("wiki_link", d.WikiLink)
	text("notes", d.Notes)
	return registry.AppendEntry(dst, d.Name, m)
}

func plain(s string) *yaml.Node { return &yaml.Node{Kind: yaml.ScalarNode, Value: s} }

// str returns a string scalar that reads back as exactly s.
func str(s string) *yaml.Node { return catalog.StringNode(s) }
