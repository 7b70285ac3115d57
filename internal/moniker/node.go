package moniker

// Status is a node's lifecycle status (reference §7.2).
type Status string

// Lifecycle statuses. The zero value is treated as StatusActive.
const (
	StatusDraft         Status = "draft"
	StatusPendingReview Status = "pending_review"
	StatusApproved      Status = "approved"
	StatusActive        Status = "active"
	StatusDeprecated    Status = "deprecated"
	StatusArchived      Status = "archived"
)

// Statuses lists every valid status in lifecycle order.
var Statuses = [...]Status{StatusDraft, StatusPendingReview, StatusApproved, StatusActive, StatusDeprecated, StatusArchived}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Resolvable reports whether a binding on a node with this status may be
// used by resolve: draft, pending_review and archived bindings are skipped.
func (s Status) Resolvable() bool {
	return s != StatusDraft && s != StatusPendingReview && s != StatusArchived
}

// OwnerField names one ownership field. The order is the order of the
// 18-key ownership object in resolve and describe responses.
type OwnerField uint8

// Ownership fields.
const (
	AccountableOwner OwnerField = iota
	DataSpecialist
	SupportChannel
	ADOP
	ADOPName
	ADS
	ADSName
	ADAL
	ADALName
	UI
	NumOwnerFields
)

// ownerKeys are the YAML/JSON keys of the ownership fields.
var ownerKeys = [NumOwnerFields]string{
	"accountable_owner", "data_specialist", "support_channel",
	"adop", "adop_name", "ads", "ads_name", "adal", "adal_name", "ui",
}

// Key returns the YAML/JSON key of f.
func (f OwnerField) Key() string { return ownerKeys[f] }

// OwnerKeys returns the ownership keys in OwnerField order.
func OwnerKeys() []string { return append([]string(nil), ownerKeys[:]...) }

// OwnerFieldByKey returns the ownership field whose key is k.
func OwnerFieldByKey(k string) (OwnerField, bool) {
	for f, key := range ownerKeys {
		if key == k {
			return OwnerField(f), true
		}
	}
	return 0, false
}

// Ownership is a node's own ownership block: one string per OwnerField,
// "" meaning unset.
type Ownership [NumOwnerFields]string

// Empty reports whether no field is set.
func (o *Ownership) Empty() bool {
	for _, v := range o {
		if v != "" {
			return false
		}
	}
	return true
}

// SourceBinding says where a node's data lives (reference §7.2).
type SourceBinding struct {
	// Type is the lower-cased source type.
	Type string
	// Config is the source-specific map, values as YAML gave them
	// (string, int, float64, bool, nil, []any, map[string]any).
	Config map[string]any
	// Schema is source_binding.schema, passed through as schema_info.
	Schema any
	// ReadOnly defaults to true.
	ReadOnly bool
	// AllowedOperations is kept for round trips; nothing enforces it.
	AllowedOperations []string
	// Cache configures background result caching for /fetch.
	Cache *BindingCache
}

// ConfigString returns Config[key] when it is a string.
func (b *SourceBinding) ConfigString(key string) (string, bool) {
	s, ok := b.Config[key].(string)
	return s, ok
}

// BindingCache is source_binding.cache.
type BindingCache struct {
	Enabled                bool
	TTLSeconds             int
	RefreshIntervalSeconds int
	RefreshOnStartup       bool
}

// AccessPolicy guards a binding against expensive or unbounded queries.
type AccessPolicy struct {
	RequiredSegments         []int
	MinFilters               int
	BlockedPatterns          []string // regexes, case-insensitive, anchored at the start
	MaxRowsWarn              int64    // 0 = unset
	MaxRowsBlock             int64    // 0 = unset
	CardinalityMultipliers   []int64
	BaseRowCount             int64 // default 100
	RequireConfirmationAbove int64 // 0 = unset; parsed, not enforced
	DenialMessage            string
	AllowedRoles             []string
	AllowedHours             []any // kept for round trips; not enforced
}

// Documentation holds links about a node.
type Documentation struct {
	Glossary       string
	Runbook        string
	Onboarding     string
	DataDictionary string
	APIDocs        string
	Architecture   string
	Changelog      string
	Contact        string
	Additional     map[string]string
}

// DataQuality is a node's data-quality block.
type DataQuality struct {
	DQOwner         string
	QualityScore    *float64
	ValidationRules []string
	KnownIssues     []string
	LastValidated   string
}

// SLA is a node's service-level block.
type SLA struct {
	Freshness         string
	Availability      string
	SupportHours      string
	EscalationContact string
}

// Freshness says when a node's data was last loaded and how it refreshes.
type Freshness struct {
	LastLoaded           string
	RefreshSchedule      string
	SourceSystem         string
	UpstreamDependencies []string
}

// Column is one column of a node schema.
type Column struct {
	Name         string
	Type         string // default DefaultColumnType
	Description  string
	SemanticType string
	Example      any
	Nullable     bool // default true
	PrimaryKey   bool
	ForeignKey   string
}

// DefaultColumnType is the type of a column that names none.
const DefaultColumnType = "string"

// NodeSchema is the node-level schema (AI metadata), not the binding schema.
type NodeSchema struct {
	Columns         []Column
	Description     string
	SemanticTags    []string
	PrimaryKey      []string
	UseCases        []string
	Examples        []string
	RelatedMonikers []string
	Granularity     string
	TypicalRowCount any // number or text, as given
	UpdateFrequency string
}

// Node is one catalog entry. Nodes are immutable once a catalog snapshot
// is published: readers share them without locks. Its fields are those of
// the node-field table (fields.go), which says how each is read, written
// and checked; a new field is a row there (and the struct field its
// accessor names).
type Node struct {
	// Path is the catalog key, verbatim.
	Path string
	// Index is the node's position in load (YAML) order within its catalog.
	Index int

	DisplayName    string // "" = default (last "/"-segment of Path)
	Description    string
	Domain         string
	Ownership      Ownership
	Binding        *SourceBinding
	DataQuality    *DataQuality
	SLA            *SLA
	Freshness      *Freshness
	Schema         *NodeSchema
	AccessPolicy   *AccessPolicy
	Documentation  *Documentation
	Classification string   // "" = DefaultClassification
	Tags           []string // sorted, de-duplicated
	Metadata       map[string]any
	Status         Status // "" = active

	DeprecationMessage string
	Successor          string
	SunsetDeadline     string
	MigrationGuideURL  string

	// Extra holds keys upstream defined that this service does not model
	// (created_at, asset_class, vendor, ...), as YAML gave them, so they
	// survive a load/save round trip.
	Extra map[string]any

	// File and Line locate the node's key in its source file ("" and 0
	// for nodes built in code).
	File string
	Line int
}

// Name returns the last "/"-segment of the path (a dotted root stays whole).
func (n *Node) Name() string {
	for i := len(n.Path) - 1; i >= 0; i-- {
		if n.Path[i] == '/' {
			return n.Path[i+1:]
		}
	}
	return n.Path
}

// EffectiveDisplayName returns DisplayName, or Name() when it is unset.
func (n *Node) EffectiveDisplayName() string {
	if n.DisplayName != "" {
		return n.DisplayName
	}
	return n.Name()
}

// EffectiveStatus returns Status, or StatusActive when it is unset.
func (n *Node) EffectiveStatus() Status {
	if n.Status == "" {
		return StatusActive
	}
	return n.Status
}

// EffectiveClassification returns Classification, or
// DefaultClassification.
func (n *Node) EffectiveClassification() string {
	if n.Classification == "" {
		return DefaultClassification
	}
	return n.Classification
}

// DomainRecord is a governance domain record (reference §8).
type DomainRecord struct {
	Name            string
	ID              *int
	DisplayName     string // "" = Name
	ShortCode       string
	DataCategory    string
	Color           string // default "#6B7280"
	Owner           string
	TechCustodian   string
	BusinessSteward string
	Confidentiality string // default "internal"
	PII             bool
	HelpChannel     string
	WikiLink        string
	Notes           string
	// Extra keeps keys upstream defined that are not modelled.
	Extra map[string]any
}
