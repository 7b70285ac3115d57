package domains

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// Optional is one field of a Patch as a JSON body gave it: absent (Set
// false), null (Set and Null) or a value.
type Optional[T any] struct {
	Set   bool
	Null  bool
	Value T
}

// Some returns an Optional holding v.
func Some[T any](v T) Optional[T] { return Optional[T]{Set: true, Value: v} }

// Null returns an Optional that is an explicit null.
func Null[T any]() Optional[T] { return Optional[T]{Set: true, Null: true} }

// UnmarshalJSON records that the field was present, and whether it was
// null. A value is decoded strictly (unknown object keys are errors).
func (o *Optional[T]) UnmarshalJSON(b []byte) error {
	o.Set = true
	if bytes.Equal(bytes.TrimSpace(b), []byte("null")) {
		o.Null = true
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	return dec.Decode(&o.Value)
}

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
	text := func(key string, o Optional[string], dst *string, def string) {
		if !o.Set {
			return
		}
		keys[key] = true
		if o.Null {
			*dst = def
		} else {
			*dst = o.Value
		}
	}
	if p.ID.Set {
		keys["id"] = true
		if p.ID.Null {
			c.ID = nil
		} else {
			id := p.ID.Value
			c.ID = &id
		}
	}
	text("display_name", p.DisplayName, &c.DisplayName, c.Name)
	text("short_code", p.ShortCode, &c.ShortCode, "")
	text("data_category", p.DataCategory, &c.DataCategory, "")
	text("color", p.Color, &c.Color, DefaultColor)
	text("owner", p.Owner, &c.Owner, "")
	text("tech_custodian", p.TechCustodian, &c.TechCustodian, "")
	text("business_steward", p.BusinessSteward, &c.BusinessSteward, "")
	text("confidentiality", p.Confidentiality, &c.Confidentiality, DefaultConfidentiality)
	if p.PII.Set {
		keys["pii"] = true
		c.PII = !p.PII.Null && p.PII.Value
	}
	text("help_channel", p.HelpChannel, &c.HelpChannel, "")
	text("wiki_link", p.WikiLink, &c.WikiLink, "")
	text("notes", p.Notes, &c.Notes, "")
	if c.DisplayName == "" {
		c.DisplayName = c.Name
	}
	return &c, keys
}

// checkRename refuses a patch whose name differs from the domain's.
func (p *Patch) checkRename(name string) error {
	if p.Name.Set && !p.Name.Null && p.Name.Value != name {
		return &ValidationError{Errs: []FieldError{{
			Field: "name",
			Msg:   fmt.Sprintf("a domain cannot be renamed (%q to %q)", name, p.Name.Value),
			Input: p.Name.Value,
		}}}
	}
	return nil
}
