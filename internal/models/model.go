package models

import (
	"encoding/json"
	"strings"
)

// DefaultDataType is a model's data_type when none is given.
const DefaultDataType = "float"

// DefaultAliasType is an alias's type when none is given.
const DefaultAliasType = "common_name"

// AliasTypes are the valid alias types (HEAD).
var AliasTypes = [...]string{"abbreviation", "common_name", "system_name", "legacy_name", "vendor_name"}

// Model is a business model (reference §5.2, plus HEAD's wiki_link and
// aliases). An empty string means unset (JSON null). A model with no
// AppearsIn links is a container.
type Model struct {
	// Path is the key: "/" separates hierarchy levels, dots are literal.
	Path             string
	DisplayName      string
	Description      string
	Formula          string
	Unit             string
	DataType         string // DefaultDataType when not given
	Ownership        Ownership
	DocumentationURL string
	MethodologyURL   string
	WikiLink         string
	AppearsIn        []Link
	Aliases          []Alias
	SemanticTags     []string // in order
	Tags             []string // a set: sorted, no duplicates
}

// Ownership is a model's own ownership (not inherited between models).
type Ownership struct {
	MethodologyOwner string `json:"methodology_owner"`
	BusinessSteward  string `json:"business_steward"`
	SupportChannel   string `json:"support_channel"`
}

// Empty reports whether no field is set.
func (o Ownership) Empty() bool { return o == Ownership{} }

// Link says a model appears in the monikers matching MonikerPattern.
type Link struct {
	MonikerPattern string `json:"moniker_pattern"`
	ColumnName     string `json:"column_name"` // the column's name there, if different
	Notes          string `json:"notes"`
}

// Alias is another name of a model (HEAD).
type Alias struct {
	Name    string `json:"name"`
	Type    string `json:"type"` // one of AliasTypes; DefaultAliasType when not given
	Context string `json:"context"`
}

// Name returns the last "/"-segment of the path.
func (m *Model) Name() string {
	return m.Path[strings.LastIndexByte(m.Path, '/')+1:]
}

// Parent returns the path without its last "/"-segment ("" for a root).
func (m *Model) Parent() string {
	i := strings.LastIndexByte(m.Path, '/')
	if i < 0 {
		return ""
	}
	return m.Path[:i]
}

// IsContainer reports whether the model has no appears_in links.
func (m *Model) IsContainer() bool { return len(m.AppearsIn) == 0 }

// Patterns returns the model's moniker patterns, in order.
func (m *Model) Patterns() []string {
	out := make([]string, len(m.AppearsIn))
	for i, l := range m.AppearsIn {
		out[i] = l.MonikerPattern
	}
	return out
}

// Summary is the short form of a model that lookups by moniker return.
type Summary struct {
	Path             string
	DisplayName      string
	Description      string
	Unit             string
	Formula          string
	DocumentationURL string
	WikiLink         string
}

// Summary returns m's summary.
func (m *Model) Summary() Summary {
	return Summary{Path: m.Path, DisplayName: m.DisplayName, Description: m.Description, Unit: m.Unit,
		Formula: m.Formula, DocumentationURL: m.DocumentationURL, WikiLink: m.WikiLink}
}

// TreeNode is one node of the model hierarchy (GET /models/tree).
type TreeNode struct {
	Path        string
	Name        string // last "/"-segment
	DisplayName string
	Children    []*TreeNode // by name
	// IsContainer: the model has no appears_in links (always true for a
	// virtual node).
	IsContainer bool
	// Virtual: no model has this path; the node stands for the missing
	// ancestor of models below it, so they stay reachable.
	Virtual bool
}

// nullable is s, or nil for "".
func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// MarshalJSON writes the API form of a model (reference §5.4): every
// field, unset strings as null, ownership null when empty, tags sorted.
func (m *Model) MarshalJSON() ([]byte, error) {
	var own *ownershipJSON
	if !m.Ownership.Empty() {
		own = &ownershipJSON{nullable(m.Ownership.MethodologyOwner), nullable(m.Ownership.BusinessSteward), nullable(m.Ownership.SupportChannel)}
	}
	links := make([]linkJSON, len(m.AppearsIn))
	for i, l := range m.AppearsIn {
		links[i] = linkJSON{l.MonikerPattern, nullable(l.ColumnName), nullable(l.Notes)}
	}
	aliases := make([]aliasJSON, len(m.Aliases))
	for i, a := range m.Aliases {
		aliases[i] = aliasJSON{a.Name, a.Type, nullable(a.Context)}
	}
	return json.Marshal(modelJSON{
		Path: m.Path, DisplayName: m.DisplayName, Description: m.Description,
		Formula: nullable(m.Formula), Unit: nullable(m.Unit), DataType: m.DataType, Ownership: own,
		DocumentationURL: nullable(m.DocumentationURL), MethodologyURL: nullable(m.MethodologyURL),
		WikiLink: nullable(m.WikiLink), AppearsIn: links, Aliases: aliases,
		SemanticTags: nonNil(m.SemanticTags), Tags: nonNil(m.Tags),
	})
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

type modelJSON struct {
	Path             string         `json:"path"`
	DisplayName      string         `json:"display_name"`
	Description      string         `json:"description"`
	Formula          *string        `json:"formula"`
	Unit             *string        `json:"unit"`
	DataType         string         `json:"data_type"`
	Ownership        *ownershipJSON `json:"ownership"`
	DocumentationURL *string        `json:"documentation_url"`
	MethodologyURL   *string        `json:"methodology_url"`
	WikiLink         *string        `json:"wiki_link"`
	AppearsIn        []linkJSON     `json:"appears_in"`
	Aliases          []aliasJSON    `json:"aliases"`
	SemanticTags     []string       `json:"semantic_tags"`
	Tags             []string       `json:"tags"`
}

type ownershipJSON struct {
	MethodologyOwner *string `json:"methodology_owner"`
	BusinessSteward  *string `json:"business_steward"`
	SupportChannel   *string `json:"support_channel"`
}

type linkJSON struct {
	MonikerPattern string  `json:"moniker_pattern"`
	ColumnName     *string `json:"column_name"`
	Notes          *string `json:"notes"`
}

type aliasJSON struct {
	Name    string  `json:"name"`
	Type    string  `json:"type"`
	Context *string `json:"context"`
}

// MarshalJSON writes the summary: path, display_name, description, unit,
// formula, documentation_url, wiki_link (unset strings as null).
func (s Summary) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Path             string  `json:"path"`
		DisplayName      string  `json:"display_name"`
		Description      string  `json:"description"`
		Unit             *string `json:"unit"`
		Formula          *string `json:"formula"`
		DocumentationURL *string `json:"documentation_url"`
		WikiLink         *string `json:"wiki_link"`
	}{s.Path, s.DisplayName, s.Description, nullable(s.Unit), nullable(s.Formula), nullable(s.DocumentationURL), nullable(s.WikiLink)})
}

// MarshalJSON writes the tree node: path, name, display_name, children,
// is_container, has_children, virtual.
func (n *TreeNode) MarshalJSON() ([]byte, error) {
	children := n.Children
	if children == nil {
		children = []*TreeNode{}
	}
	return json.Marshal(struct {
		Path        string      `json:"path"`
		Name        string      `json:"name"`
		DisplayName string      `json:"display_name"`
		Children    []*TreeNode `json:"children"`
		IsContainer bool        `json:"is_container"`
		HasChildren bool        `json:"has_children"`
		Virtual     bool        `json:"virtual"`
	}{n.Path, n.Name, n.DisplayName, children, n.IsContainer, len(n.Children) > 0, n.Virtual})
}
