package moniker

import (
	"reflect"
	"slices"
)

// The node-field table: every key a catalog node may have, in the order
// of the catalog file, with its kind, where its value lives in Node, its
// default and its checks. It is the one description of the node schema:
// the catalog decoder and writer, the editor's patches, diff and
// validation, the management plane's node JSON and the resolver's
// describe answers all read it, and each handles a kind in one way. A
// field that is not structured (KindOwnership, KindBinding, KindPolicy,
// KindColumns) needs nothing but its row.

// Kind is how a field's value is stored and read.
type Kind uint8

// Field kinds.
const (
	// KindText is a string (NodeField.Text); "" is unset.
	KindText Kind = iota + 1
	// KindEnum is a string from NodeField.Values (NodeField.Text); unset means
	// NodeField.Default. The catalog reads an unknown value as the default,
	// with a warning; a write refuses it.
	KindEnum
	// KindTags is a set of labels (NodeField.List): sorted, de-duplicated,
	// and empty rather than null in JSON.
	KindTags
	// KindList is a list of strings (NodeField.List), kept as written; an
	// empty list is not a missing one.
	KindList
	// KindNumber is an optional number (NodeField.Number).
	KindNumber
	// KindAny is a free-form value (NodeField.Any): a number or a text, as
	// written.
	KindAny
	// KindMap is a free-form mapping (NodeField.Map).
	KindMap
	// KindTextMap maps names to texts (NodeField.TextMap).
	KindTextMap
	// KindBlock is a mapping of sub-fields (NodeField.Block), none of them a
	// block.
	KindBlock
	// KindExtra is a key upstream defined that this service does not
	// model: its value is kept verbatim in Node.Extra, and JSON carries
	// these keys together in one object, ExtraKey.
	KindExtra

	// The structured kinds, one field each; every consumer has code of
	// its own for them.

	// KindOwnership is Node.Ownership.
	KindOwnership
	// KindBinding is Node.Binding.
	KindBinding
	// KindPolicy is Node.AccessPolicy.
	KindPolicy
	// KindColumns is NodeSchema.Columns (a sub-field of the schema block).
	KindColumns
)

// Format is what a write checks a text field holds.
type Format uint8

// Formats.
const (
	FormatNone Format = iota
	// FormatURL is an absolute http(s) URL.
	FormatURL
	// FormatPath is a plain catalog path other than the node's own.
	FormatPath
)

// ExtraKey names, in JSON answers and in patches, the object that holds
// a node's KindExtra fields (Node.Extra).
const ExtraKey = "extra"

// DefaultClassification is the classification of a node that sets none.
const DefaultClassification = "internal"

// NodeField is one row of the node-field table.
type NodeField struct {
	// Key is the field's YAML and JSON key.
	Key  string
	Kind Kind

	// The accessor of the field's value: the one its kind names (none
	// for KindExtra and the structured kinds). Sub-field accessors
	// expect their block to be there (Block.New).
	Text    func(*Node) *string
	List    func(*Node) *[]string
	Number  func(*Node) **float64
	Any     func(*Node) *any
	Map     func(*Node) *map[string]any
	TextMap func(*Node) *map[string]string
	Block   *Block

	// Default is what an unset text or enum means ("" for none);
	// PathDefault means the last segment of the node's path instead.
	Default     string
	PathDefault bool
	// NotNull: JSON shows an unset text as "", not null (fields with a
	// default show the default).
	NotNull bool
	// Values are the allowed values of an enum.
	Values []string
	// Format is what a write checks a text (or each text of a map) is.
	Format Format
	// Describe: GET /describe shows the field.
	Describe bool
}

// Block describes a KindBlock field: its sub-fields, in file order, and
// how the block itself is held by a node.
type Block struct {
	Fields []NodeField
	// Has reports whether the node has the block.
	Has func(*Node) bool
	// New gives the node a new, empty block (the sub-fields' accessors
	// then reach into it).
	New func(*Node)
	// Clear removes the block.
	Clear func(*Node)
	// Share makes dst hold src's block (the same one).
	Share func(dst, src *Node)
	// Equal reports whether a and b have equal blocks (or neither has one).
	Equal func(a, b *Node) bool
}

// Field returns the sub-field named key.
func (b *Block) Field(key string) (*NodeField, bool) {
	for i := range b.Fields {
		if b.Fields[i].Key == key {
			return &b.Fields[i], true
		}
	}
	return nil, false
}

// Keys returns the sub-fields' keys in file order.
func (b *Block) Keys() []string { return keys(b.Fields) }

// block builds the Block of a node's *T field at p.
func block[T any](p func(*Node) **T, fields ...NodeField) *Block {
	return &Block{
		Fields: fields,
		Has:    func(n *Node) bool { return *p(n) != nil },
		New:    func(n *Node) { *p(n) = new(T) },
		Clear:  func(n *Node) { *p(n) = nil },
		Share:  func(dst, src *Node) { *p(dst) = *p(src) },
		Equal:  func(a, b *Node) bool { return reflect.DeepEqual(*p(a), *p(b)) },
	}
}

// nodeFields is the table, in the order of the catalog file.
var nodeFields = []NodeField{
	{Key: "display_name", Kind: KindText, Text: func(n *Node) *string { return &n.DisplayName }, PathDefault: true, Describe: true},
	{Key: "description", Kind: KindText, Text: func(n *Node) *string { return &n.Description }, NotNull: true, Describe: true},
	{Key: "domain", Kind: KindText, Text: func(n *Node) *string { return &n.Domain }},
	{Key: "ownership", Kind: KindOwnership, Describe: true},
	{Key: "source_binding", Kind: KindBinding, Describe: true},
	{Key: "data_quality", Kind: KindBlock, Describe: true, Block: block(func(n *Node) **DataQuality { return &n.DataQuality },
		NodeField{Key: "dq_owner", Kind: KindText, Text: func(n *Node) *string { return &n.DataQuality.DQOwner }},
		NodeField{Key: "quality_score", Kind: KindNumber, Number: func(n *Node) **float64 { return &n.DataQuality.QualityScore }},
		NodeField{Key: "validation_rules", Kind: KindList, List: func(n *Node) *[]string { return &n.DataQuality.ValidationRules }},
		NodeField{Key: "known_issues", Kind: KindList, List: func(n *Node) *[]string { return &n.DataQuality.KnownIssues }},
		NodeField{Key: "last_validated", Kind: KindText, Text: func(n *Node) *string { return &n.DataQuality.LastValidated }},
	)},
	{Key: "sla", Kind: KindBlock, Describe: true, Block: block(func(n *Node) **SLA { return &n.SLA },
		NodeField{Key: "freshness", Kind: KindText, Text: func(n *Node) *string { return &n.SLA.Freshness }},
		NodeField{Key: "availability", Kind: KindText, Text: func(n *Node) *string { return &n.SLA.Availability }},
		NodeField{Key: "support_hours", Kind: KindText, Text: func(n *Node) *string { return &n.SLA.SupportHours }},
		NodeField{Key: "escalation_contact", Kind: KindText, Text: func(n *Node) *string { return &n.SLA.EscalationContact }},
	)},
	{Key: "freshness", Kind: KindBlock, Describe: true, Block: block(func(n *Node) **Freshness { return &n.Freshness },
		NodeField{Key: "last_loaded", Kind: KindText, Text: func(n *Node) *string { return &n.Freshness.LastLoaded }},
		NodeField{Key: "refresh_schedule", Kind: KindText, Text: func(n *Node) *string { return &n.Freshness.RefreshSchedule }},
		NodeField{Key: "source_system", Kind: KindText, Text: func(n *Node) *string { return &n.Freshness.SourceSystem }},
		NodeField{Key: "upstream_dependencies", Kind: KindList, List: func(n *Node) *[]string { return &n.Freshness.UpstreamDependencies }},
	)},
	{Key: "schema", Kind: KindBlock, Describe: true, Block: block(func(n *Node) **NodeSchema { return &n.Schema },
		NodeField{Key: "columns", Kind: KindColumns},
		NodeField{Key: "description", Kind: KindText, Text: func(n *Node) *string { return &n.Schema.Description }},
		NodeField{Key: "semantic_tags", Kind: KindList, List: func(n *Node) *[]string { return &n.Schema.SemanticTags }},
		NodeField{Key: "primary_key", Kind: KindList, List: func(n *Node) *[]string { return &n.Schema.PrimaryKey }},
		NodeField{Key: "use_cases", Kind: KindList, List: func(n *Node) *[]string { return &n.Schema.UseCases }},
		NodeField{Key: "examples", Kind: KindList, List: func(n *Node) *[]string { return &n.Schema.Examples }},
		NodeField{Key: "related_monikers", Kind: KindList, List: func(n *Node) *[]string { return &n.Schema.RelatedMonikers }},
		NodeField{Key: "granularity", Kind: KindText, Text: func(n *Node) *string { return &n.Schema.Granularity }},
		NodeField{Key: "typical_row_count", Kind: KindAny, Any: func(n *Node) *any { return &n.Schema.TypicalRowCount }},
		NodeField{Key: "update_frequency", Kind: KindText, Text: func(n *Node) *string { return &n.Schema.UpdateFrequency }},
	)},
	{Key: "access_policy", Kind: KindPolicy},
	{Key: "documentation", Kind: KindBlock, Describe: true, Block: block(func(n *Node) **Documentation { return &n.Documentation },
		NodeField{Key: "glossary", Kind: KindText, Text: func(n *Node) *string { return &n.Documentation.Glossary }, Format: FormatURL},
		NodeField{Key: "runbook", Kind: KindText, Text: func(n *Node) *string { return &n.Documentation.Runbook }, Format: FormatURL},
		NodeField{Key: "onboarding", Kind: KindText, Text: func(n *Node) *string { return &n.Documentation.Onboarding }, Format: FormatURL},
		NodeField{Key: "data_dictionary", Kind: KindText, Text: func(n *Node) *string { return &n.Documentation.DataDictionary }, Format: FormatURL},
		NodeField{Key: "api_docs", Kind: KindText, Text: func(n *Node) *string { return &n.Documentation.APIDocs }, Format: FormatURL},
		NodeField{Key: "architecture", Kind: KindText, Text: func(n *Node) *string { return &n.Documentation.Architecture }, Format: FormatURL},
		NodeField{Key: "changelog", Kind: KindText, Text: func(n *Node) *string { return &n.Documentation.Changelog }, Format: FormatURL},
		NodeField{Key: "contact", Kind: KindText, Text: func(n *Node) *string { return &n.Documentation.Contact }, Format: FormatURL},
		NodeField{Key: "additional", Kind: KindTextMap, TextMap: func(n *Node) *map[string]string { return &n.Documentation.Additional }, Format: FormatURL},
	)},
	{Key: "classification", Kind: KindText, Text: func(n *Node) *string { return &n.Classification }, Default: DefaultClassification, Describe: true},
	{Key: "tags", Kind: KindTags, List: func(n *Node) *[]string { return &n.Tags }, Describe: true},
	{Key: "metadata", Kind: KindMap, Map: func(n *Node) *map[string]any { return &n.Metadata }},
	{Key: "status", Kind: KindEnum, Text: func(n *Node) *string { return (*string)(&n.Status) }, Values: statusValues(), Default: string(StatusActive), Describe: true},
	{Key: "deprecation_message", Kind: KindText, Text: func(n *Node) *string { return &n.DeprecationMessage }},
	{Key: "successor", Kind: KindText, Text: func(n *Node) *string { return &n.Successor }, Format: FormatPath},
	{Key: "sunset_deadline", Kind: KindText, Text: func(n *Node) *string { return &n.SunsetDeadline }},
	{Key: "migration_guide_url", Kind: KindText, Text: func(n *Node) *string { return &n.MigrationGuideURL }, Format: FormatURL},

	// Keys upstream defined (f206ffd or HEAD) that this service keeps
	// without modelling.
	{Key: "created_at", Kind: KindExtra},
	{Key: "updated_at", Kind: KindExtra},
	{Key: "created_by", Kind: KindExtra},
	{Key: "approved_by", Kind: KindExtra},
	{Key: "is_leaf", Kind: KindExtra},
	{Key: "vendor", Kind: KindExtra},
	{Key: "asset_class", Kind: KindExtra},
	{Key: "update_frequency", Kind: KindExtra},
	{Key: "quality", Kind: KindExtra},
	{Key: "maturity", Kind: KindExtra},
	{Key: "technical_description", Kind: KindExtra},
}

func statusValues() []string {
	out := make([]string, len(Statuses))
	for i, s := range Statuses {
		out[i] = string(s)
	}
	return out
}

// fieldIndex finds a top-level row by key.
var fieldIndex = func() map[string]int {
	m := make(map[string]int, len(nodeFields))
	for i := range nodeFields {
		m[nodeFields[i].Key] = i
	}
	return m
}()

// NodeFields returns the table's top-level rows in file order. The rows
// are shared: callers must not modify them.
func NodeFields() []NodeField { return nodeFields }

// FieldByKey returns the top-level row named key.
func FieldByKey(key string) (*NodeField, bool) {
	i, ok := fieldIndex[key]
	if !ok {
		return nil, false
	}
	return &nodeFields[i], true
}

// NodeKeys returns every top-level key in file order (the KindExtra
// ones last).
func NodeKeys() []string { return keys(nodeFields) }

func keys(fields []NodeField) []string {
	out := make([]string, len(fields))
	for i := range fields {
		out[i] = fields[i].Key
	}
	return out
}

// Value returns a text or enum field's value, its default when unset.
func (f *NodeField) Value(n *Node) string {
	v := *f.Text(n)
	switch {
	case v != "":
		return v
	case f.PathDefault:
		return n.Name()
	}
	return f.Default
}

// Nullable reports whether JSON shows the unset text or enum field as
// null.
func (f *NodeField) Nullable() bool {
	return !f.NotNull && !f.PathDefault && f.Default == ""
}

// Valid reports whether v is one of an enum's values ("" is unset, and
// valid).
func (f *NodeField) Valid(v string) bool { return v == "" || slices.Contains(f.Values, v) }

// Equal reports whether a and b hold the same value in the field. Lists
// and maps that are empty differ from missing ones, as the catalog file
// keeps them apart. KindExtra fields compare the one value each.
func (f *NodeField) Equal(a, b *Node) bool {
	switch f.Kind {
	case KindText, KindEnum:
		return *f.Text(a) == *f.Text(b)
	case KindTags, KindList:
		x, y := *f.List(a), *f.List(b)
		return (x == nil) == (y == nil) && slices.Equal(x, y)
	case KindNumber:
		x, y := *f.Number(a), *f.Number(b)
		return x == y || x != nil && y != nil && *x == *y
	case KindAny:
		return reflect.DeepEqual(*f.Any(a), *f.Any(b))
	case KindMap:
		return reflect.DeepEqual(*f.Map(a), *f.Map(b))
	case KindTextMap:
		return reflect.DeepEqual(*f.TextMap(a), *f.TextMap(b))
	case KindBlock:
		return f.Block.Equal(a, b)
	case KindExtra:
		x, okx := a.Extra[f.Key]
		y, oky := b.Extra[f.Key]
		return okx == oky && reflect.DeepEqual(x, y)
	case KindOwnership:
		return a.Ownership == b.Ownership
	case KindBinding:
		return reflect.DeepEqual(a.Binding, b.Binding)
	case KindPolicy:
		return reflect.DeepEqual(a.AccessPolicy, b.AccessPolicy)
	case KindColumns:
		return reflect.DeepEqual(a.Schema.Columns, b.Schema.Columns)
	}
	return false
}

// Copy sets the field of dst to src's value (lists, maps and blocks are
// shared, not copied). A KindExtra field is not copied: Node.Extra goes
// whole (CopyExtra).
func (f *NodeField) Copy(dst, src *Node) {
	switch f.Kind {
	case KindText, KindEnum:
		*f.Text(dst) = *f.Text(src)
	case KindTags, KindList:
		*f.List(dst) = *f.List(src)
	case KindNumber:
		*f.Number(dst) = *f.Number(src)
	case KindAny:
		*f.Any(dst) = *f.Any(src)
	case KindMap:
		*f.Map(dst) = *f.Map(src)
	case KindTextMap:
		*f.TextMap(dst) = *f.TextMap(src)
	case KindBlock:
		f.Block.Share(dst, src)
	case KindOwnership:
		dst.Ownership = src.Ownership
	case KindBinding:
		dst.Binding = src.Binding
	case KindPolicy:
		dst.AccessPolicy = src.AccessPolicy
	case KindColumns:
		dst.Schema.Columns = src.Schema.Columns
	}
}
