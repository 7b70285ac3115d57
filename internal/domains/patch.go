package domains

import (
	"fmt"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/registry"
)

// Optional is one field of a Patch as a JSON body gave it: absent (Set
// false), null (Set and Null) or a value.
type Optional[T any] = registry.Optional[T]

// Some returns an Optional holding v.
func Some[T any](v T) Optional[T] { return registry.Some(v) }

// Null returns an Optional that is an explicit null.
func Null[T any]() Optional[T] { return registry.Null[T]() }

// Patch is a partial domain: the body of PUT /domains/{name} and of
// POST /domains. It has JSON Merge Patch semantics: an absent field keeps
// its value, null resets it to its default (display_name to the name,
// color to DefaultColor, confidentiality to DefaultConfidentiality, id to
// none, pii to false, any other field to empty), a value replaces it.
type Patch struct {
	// Name may be sent on update, but must equal the domain's name: a
	// domain cannot be renamed.
	Name            Optional[string] `json:"name"`
	ID              Optional[int]    `json:"id"`
	DisplayName     Optional[string] `json:"display_name"`
	ShortCode       Optional[string] `json:"short_code"`
	DataCategory    Optional[string] `json:"data_category"`
	Color           Optional[string] `json:"color"`
	Owner           Optional[string] `json:"owner"`
	TechCustodian   Optional[string] `json:"tech_custodian"`
	BusinessSteward Optional[string] `json:"business_steward"`
	Confidentiality Optional[string] `json:"confidentiality"`
	PII             Optional[bool]   `json:"pii"`
	HelpChannel     Optional[string] `json:"help_channel"`
	WikiLink        Optional[string] `json:"wiki_link"`
	Notes           Optional[string] `json:"notes"`
}

// Apply returns a copy of d with p applied, and the keys p set. It does
// not validate; Create and Update do. An empty display_name becomes the
// name, as upstream did.
func (p *Patch) Apply(d *moniker.DomainRecord) (out *moniker.DomainRecord, keys map[string]bool) {
	c := *d
	keys = map[string]bool{}
	if p.ID.Set {
		keys["id"] = true
		if p.ID.Null {
			c.ID = nil
		} else {
			id := p.ID.Value
			c.ID = &id
		}
	}
	registry.Assign(keys, "display_name", p.DisplayName, &c.DisplayName, c.Name)
	registry.Assign(keys, "short_code", p.ShortCode, &c.ShortCode, "")
	registry.Assign(keys, "data_category", p.DataCategory, &c.DataCategory, "")
	registry.Assign(keys, "color", p.Color, &c.Color, DefaultColor)
	registry.Assign(keys, "owner", p.Owner, &c.Owner, "")
	registry.Assign(keys, "tech_custodian", p.TechCustodian, &c.TechCustodian, "")
	registry.Assign(keys, "business_steward", p.BusinessSteward, &c.BusinessSteward, "")
	registry.Assign(keys, "confidentiality", p.Confidentiality, &c.Confidentiality, DefaultConfidentiality)
	registry.Assign(keys, "pii", p.PII, &c.PII, false)
	registry.Assign(keys, "help_channel", p.HelpChannel, &c.HelpChannel, "")
	registry.Assign(keys, "wiki_link", p.WikiLink, &c.WikiLink, "")
	registry.Assign(keys, "notes", p.Notes, &c.Notes, "")
	if c.DisplayName == "" {
		c.DisplayName = c.Name
	}
	return &c, keys
}

// checkRename refuses a patch whose name differs from the domain's.
func (p *Patch) checkRename(name string) error {
	if p.Name.Set && !p.Name.Null && p.Name.Value != name {
		return moniker.Invalid("name", fmt.Sprintf("a domain cannot be renamed (%q to %q)", name, p.Name.Value), p.Name.Value)
	}
	return nil
}
