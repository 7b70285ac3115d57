package models

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/registry"
	"github.com/moniker-svc/moniker/internal/strictjson"
)

// Optional is one field of a Patch as a JSON body gave it: absent (Set
// false), null (Set and Null) or a value.
type Optional[T any] = registry.Optional[T]

// Some returns an Optional holding v.
func Some[T any](v T) Optional[T] { return registry.Some(v) }

// Null returns an Optional that is an explicit null.
func Null[T any]() Optional[T] { return registry.Null[T]() }

// UnmarshalJSON accepts a link object ({"moniker_pattern", "column_name",
// "notes"}; unknown keys are errors) or a bare pattern string, as the
// YAML file does.
func (l *Link) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		*l = Link{}
		return json.Unmarshal(b, &l.MonikerPattern)
	}
	type plain Link
	var p plain
	if err := strictjson.Unmarshal(b, &p); err != nil {
		return err
	}
	*l = Link(p)
	return nil
}

// UnmarshalJSON accepts an alias object ({"name", "type", "context"};
// unknown keys are errors) or a bare name string.
func (a *Alias) UnmarshalJSON(b []byte) error {
	if b = bytes.TrimSpace(b); len(b) > 0 && b[0] == '"' {
		*a = Alias{}
		return json.Unmarshal(b, &a.Name)
	}
	type plain Alias
	var p plain
	if err := strictjson.Unmarshal(b, &p); err != nil {
		return err
	}
	*a = Alias(p)
	return nil
}

// Patch is a partial model: the body of PUT /models/{path} and of
// POST /models. It has JSON Merge Patch semantics: an absent field keeps
// its value, null resets it (data_type to DefaultDataType, lists and
// ownership to empty, strings to unset), a value replaces it. ownership
// and the lists are replaced as a whole; appears_in: [] clears the links.
type Patch struct {
	// Path is required on create; on update it may be sent but must equal
	// the model's path: a model cannot be moved.
	Path             Optional[string]    `json:"path"`
	DisplayName      Optional[string]    `json:"display_name"`
	Description      Optional[string]    `json:"description"`
	Formula          Optional[string]    `json:"formula"`
	Unit             Optional[string]    `json:"unit"`
	DataType         Optional[string]    `json:"data_type"`
	Ownership        Optional[Ownership] `json:"ownership"`
	DocumentationURL Optional[string]    `json:"documentation_url"`
	MethodologyURL   Optional[string]    `json:"methodology_url"`
	WikiLink         Optional[string]    `json:"wiki_link"`
	AppearsIn        Optional[[]Link]    `json:"appears_in"`
	Aliases          Optional[[]Alias]   `json:"aliases"`
	SemanticTags     Optional[[]string]  `json:"semantic_tags"`
	Tags             Optional[[]string]  `json:"tags"`
}

// Apply returns a copy of m with p applied, and the keys p set. Alias
// types default to DefaultAliasType and tags are sorted. It does not
// validate; Create and Update do.
func (p *Patch) Apply(m *Model) (out *Model, keys map[string]bool) {
	c := *m
	keys = map[string]bool{}
	registry.Assign(keys, "display_name", p.DisplayName, &c.DisplayName, "")
	registry.Assign(keys, "description", p.Description, &c.Description, "")
	registry.Assign(keys, "formula", p.Formula, &c.Formula, "")
	registry.Assign(keys, "unit", p.Unit, &c.Unit, "")
	registry.Assign(keys, "data_type", p.DataType, &c.DataType, DefaultDataType)
	registry.Assign(keys, "documentation_url", p.DocumentationURL, &c.DocumentationURL, "")
	registry.Assign(keys, "methodology_url", p.MethodologyURL, &c.MethodologyURL, "")
	registry.Assign(keys, "wiki_link", p.WikiLink, &c.WikiLink, "")
	registry.Assign(keys, "ownership", p.Ownership, &c.Ownership, Ownership{})
	if registry.Assign(keys, "appears_in", p.AppearsIn, &c.AppearsIn, nil) {
		c.AppearsIn = slices.Clone(c.AppearsIn)
	}
	if registry.Assign(keys, "aliases", p.Aliases, &c.Aliases, nil) {
		c.Aliases = slices.Clone(c.Aliases)
		for i := range c.Aliases {
			if c.Aliases[i].Type == "" {
				c.Aliases[i].Type = DefaultAliasType
			}
		}
	}
	if registry.Assign(keys, "semantic_tags", p.SemanticTags, &c.SemanticTags, nil) {
		c.SemanticTags = slices.Clone(c.SemanticTags)
	}
	if registry.Assign(keys, "tags", p.Tags, &c.Tags, nil) {
		c.Tags = normalizeTags(c.Tags)
	}
	if len(c.AppearsIn) == 0 {
		c.AppearsIn = nil
	}
	if len(c.Aliases) == 0 {
		c.Aliases = nil
	}
	if len(c.SemanticTags) == 0 {
		c.SemanticTags = nil
	}
	return &c, keys
}

// checkMove refuses a patch whose path differs from the model's.
func (p *Patch) checkMove(path string) error {
	if p.Path.Set && !p.Path.Null && p.Path.Value != path {
		return moniker.Invalid("path", fmt.Sprintf("a model cannot be moved (%q to %q)", path, p.Path.Value), p.Path.Value)
	}
	return nil
}
