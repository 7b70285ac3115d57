package client

import "encoding/json"

// Ownership is the 18-key resolved ownership of resolve and describe
// answers. Each *Source field is the catalog path the value was inherited
// from, or "domain:<name>" for the domain fallback; "" means null.
type Ownership struct {
	AccountableOwner       string `json:"accountable_owner"`
	AccountableOwnerSource string `json:"accountable_owner_source"`
	DataSpecialist         string `json:"data_specialist"`
	DataSpecialistSource   string `json:"data_specialist_source"`
	SupportChannel         string `json:"support_channel"`
	SupportChannelSource   string `json:"support_channel_source"`
	ADOP                   string `json:"adop"`
	ADOPSource             string `json:"adop_source"`
	ADOPName               string `json:"adop_name"`
	ADOPNameSource         string `json:"adop_name_source"`
	ADS                    string `json:"ads"`
	ADSSource              string `json:"ads_source"`
	ADSName                string `json:"ads_name"`
	ADSNameSource          string `json:"ads_name_source"`
	ADAL                   string `json:"adal"`
	ADALSource             string `json:"adal_source"`
	ADALName               string `json:"adal_name"`
	ADALNameSource         string `json:"adal_name_source"`
}

// OwnerField is one ownership value with the path it came from.
type OwnerField struct {
	Key, Value, Source string
}

// Fields returns the ownership values in the wire order, set or not.
func (o *Ownership) Fields() []OwnerField {
	return []OwnerField{
		{"accountable_owner", o.AccountableOwner, o.AccountableOwnerSource},
		{"data_specialist", o.DataSpecialist, o.DataSpecialistSource},
		{"support_channel", o.SupportChannel, o.SupportChannelSource},
		{"adop", o.ADOP, o.ADOPSource},
		{"adop_name", o.ADOPName, o.ADOPNameSource},
		{"ads", o.ADS, o.ADSSource},
		{"ads_name", o.ADSName, o.ADSNameSource},
		{"adal", o.ADAL, o.ADALSource},
		{"adal_name", o.ADALName, o.ADALNameSource},
	}
}

// ResolveResponse is the answer of GET /resolve/{path}.
type ResolveResponse struct {
	Moniker    string `json:"moniker"`
	Path       string `json:"path"`
	SourceType string `json:"source_type"`
	// Connection depends on the source type (account, warehouse, ... for
	// snowflake; base_url, ... for rest).
	Connection map[string]any `json:"connection"`
	// Query is the rendered query, URL path or file name; "" when null.
	Query string `json:"query"`
	// Params holds source-specific parameters plus moniker_version,
	// moniker_revision, moniker_namespace and (with a ?query)
	// moniker_params.
	Params             map[string]any `json:"params"`
	SchemaInfo         any            `json:"schema_info"`
	ReadOnly           bool           `json:"read_only"`
	Ownership          Ownership      `json:"ownership"`
	BindingPath        string         `json:"binding_path"`
	SubPath            string         `json:"sub_path"`
	Status             string         `json:"status"`
	DeprecationMessage string         `json:"deprecation_message"`
	Successor          string         `json:"successor"`
	SunsetDeadline     string         `json:"sunset_deadline"`
	MigrationGuideURL  string         `json:"migration_guide_url"`
	RedirectedFrom     string         `json:"redirected_from"`
	CacheTTLHint       int            `json:"cache_ttl_hint"`
}

// BatchResponse is the answer of POST /resolve/batch: the successful
// resolutions in input order, and an error message per failed input.
type BatchResponse struct {
	Results []ResolveResponse `json:"results"`
	Errors  map[string]string `json:"errors"`
}

// DataQuality is a node's data-quality block.
type DataQuality struct {
	DQOwner         string   `json:"dq_owner"`
	QualityScore    *float64 `json:"quality_score"`
	ValidationRules []string `json:"validation_rules"`
	KnownIssues     []string `json:"known_issues"`
	LastValidated   string   `json:"last_validated"`
}

// SLA is a node's service-level block.
type SLA struct {
	Freshness         string `json:"freshness"`
	Availability      string `json:"availability"`
	SupportHours      string `json:"support_hours"`
	EscalationContact string `json:"escalation_contact"`
}

// Freshness says when a node's data was loaded and how it refreshes
// (describe's freshness, metadata's temporal_coverage).
type Freshness struct {
	LastLoaded           string   `json:"last_loaded"`
	RefreshSchedule      string   `json:"refresh_schedule"`
	SourceSystem         string   `json:"source_system"`
	UpstreamDependencies []string `json:"upstream_dependencies"`
}

// Column is one column of a node schema.
type Column struct {
	Name         string `json:"name"`
	Type         string `json:"type"`
	Description  string `json:"description"`
	SemanticType string `json:"semantic_type"`
	Example      any    `json:"example"`
	Nullable     bool   `json:"nullable"`
	PrimaryKey   bool   `json:"primary_key"`
	ForeignKey   string `json:"foreign_key"`
}

// Schema is a node's schema (AI metadata). Metadata answers leave out
// SemanticTags, UseCases and RelatedMonikers (they are top-level there).
type Schema struct {
	Description     string   `json:"description"`
	SemanticTags    []string `json:"semantic_tags"`
	Granularity     string   `json:"granularity"`
	TypicalRowCount any      `json:"typical_row_count"`
	UpdateFrequency string   `json:"update_frequency"`
	PrimaryKey      []string `json:"primary_key"`
	Columns         []Column `json:"columns"`
	UseCases        []string `json:"use_cases"`
	Examples        []string `json:"examples"`
	RelatedMonikers []string `json:"related_monikers"`
}

// Documentation holds a node's links; only the set ones are sent.
type Documentation struct {
	Glossary       string            `json:"glossary"`
	Runbook        string            `json:"runbook"`
	Onboarding     string            `json:"onboarding"`
	DataDictionary string            `json:"data_dictionary"`
	APIDocs        string            `json:"api_docs"`
	Architecture   string            `json:"architecture"`
	Changelog      string            `json:"changelog"`
	Contact        string            `json:"contact"`
	Additional     map[string]string `json:"additional"`
}

// DescribeResponse is the answer of GET /describe/{path}.
type DescribeResponse struct {
	Path             string         `json:"path"`
	DisplayName      string         `json:"display_name"`
	Description      string         `json:"description"`
	Ownership        Ownership      `json:"ownership"`
	HasSourceBinding bool           `json:"has_source_binding"`
	SourceType       string         `json:"source_type"`
	Classification   string         `json:"classification"`
	Tags             []string       `json:"tags"`
	DataQuality      *DataQuality   `json:"data_quality"`
	SLA              *SLA           `json:"sla"`
	Freshness        *Freshness     `json:"freshness"`
	Schema           *Schema        `json:"schema"`
	Documentation    *Documentation `json:"documentation"`
	// Models lists the business models that reference the path (null on
	// a resolver without the model registry).
	Models []map[string]any `json:"models"`
	// Status is the exact node's lifecycle status (an addition of this
	// server; "" when the path has no node).
	Status string `json:"status"`
}

// LineageSource is the binding a lineage answer found.
type LineageSource struct {
	Type             string `json:"type"`
	BindingDefinedAt string `json:"binding_defined_at"`
}

// GovernanceRole is one role (adop, ads, adal) of a lineage answer.
type GovernanceRole struct {
	Value       string `json:"value"`
	DefinedAt   string `json:"defined_at"`
	Description string `json:"description"`
}

// LineageResponse is the answer of GET /lineage/{path}.
type LineageResponse struct {
	Moniker string `json:"moniker"`
	Path    string `json:"path"`
	// Ownership maps accountable_owner, data_specialist, support_channel
	// and their *_defined_at paths to values ("" for null).
	Ownership     map[string]string `json:"ownership"`
	Source        LineageSource     `json:"source"`
	PathHierarchy []string          `json:"path_hierarchy"`
	// GovernanceRoles is an addition of this server (upstream computed it
	// and dropped it).
	GovernanceRoles map[string]GovernanceRole `json:"governance_roles"`
}

// ListResponse is the answer of GET /list/{path}.
type ListResponse struct {
	Children []string `json:"children"`
	Moniker  string   `json:"moniker"`
	Path     string   `json:"path"`
}

// TreeNode is one node of GET /tree. Ownership holds the node's own
// (not inherited) owners: accountable_owner, data_specialist,
// support_channel, and adop, ads, adal, ui when set.
type TreeNode struct {
	Path             string            `json:"path"`
	Name             string            `json:"name"`
	Children         []TreeNode        `json:"children"`
	Ownership        map[string]string `json:"ownership"`
	SourceType       string            `json:"source_type"`
	HasSourceBinding bool              `json:"has_source_binding"`
	Description      string            `json:"description"`
	Domain           string            `json:"domain"`
}

// SearchResult is one hit of GET /catalog/search. HasSourceBinding is
// about the node's own binding.
type SearchResult struct {
	Path             string   `json:"path"`
	DisplayName      string   `json:"display_name"`
	Description      string   `json:"description"`
	Status           string   `json:"status"`
	HasSourceBinding bool     `json:"has_source_binding"`
	Classification   string   `json:"classification"`
	Tags             []string `json:"tags"`
}

// SearchResponse is the answer of GET /catalog/search. TotalResults is the
// number of results returned.
type SearchResponse struct {
	Results      []SearchResult `json:"results"`
	Query        string         `json:"query"`
	TotalResults int            `json:"total_results"`
}

// CatalogPage is the answer of GET /catalog.
type CatalogPage struct {
	Paths      []string `json:"paths"`
	TotalCount int      `json:"total_count"`
	NextCursor string   `json:"next_cursor"` // "" when null
	HasMore    bool     `json:"has_more"`
}

// OwnershipCoverage counts nodes with their own ownership.
type OwnershipCoverage struct {
	HasOwnership       int     `json:"has_ownership"`
	HasGovernanceRoles int     `json:"has_governance_roles"`
	CoveragePercent    float64 `json:"coverage_percent"`
}

// Stats is the answer of GET /catalog/stats.
type Stats struct {
	TotalMonikers     int               `json:"total_monikers"`
	ByStatus          map[string]int    `json:"by_status"`
	BySourceType      map[string]int    `json:"by_source_type"`
	ByClassification  map[string]int    `json:"by_classification"`
	OwnershipCoverage OwnershipCoverage `json:"ownership_coverage"`
}

// DataProfile is metadata's row-count profile (from the access policy).
type DataProfile struct {
	EstimatedTotalRows     int64   `json:"estimated_total_rows"`
	BaseRowCount           int64   `json:"base_row_count"`
	CardinalityByDimension []int64 `json:"cardinality_by_dimension"`
	MaxRowsWarn            *int64  `json:"max_rows_warn"`
	MaxRowsBlock           *int64  `json:"max_rows_block"`
}

// ForeignKey is one foreign key of metadata's relationships.
type ForeignKey struct {
	Column     string `json:"column"`
	References string `json:"references"`
}

// Relationships is metadata's relationships block.
type Relationships struct {
	RelatedMonikers      []string     `json:"related_monikers"`
	UpstreamDependencies []string     `json:"upstream_dependencies"`
	ForeignKeys          []ForeignKey `json:"foreign_keys"`
}

// QueryPatterns is metadata's query guidance (with an access policy).
type QueryPatterns struct {
	BlockedPatterns    []string `json:"blocked_patterns"`
	MinFiltersRequired int      `json:"min_filters_required"`
	SuggestedQueries   []string `json:"suggested_queries"`
}

// CostIndicators is metadata's cost estimate (with an access policy).
type CostIndicators struct {
	QueryComplexity  string `json:"query_complexity"`
	EstimatedLatency string `json:"estimated_latency"`
}

// MetadataResponse is the answer of GET /metadata/{path}.
type MetadataResponse struct {
	Moniker          string         `json:"moniker"`
	Path             string         `json:"path"`
	DisplayName      string         `json:"display_name"`
	Description      string         `json:"description"`
	DataProfile      *DataProfile   `json:"data_profile"`
	TemporalCoverage *Freshness     `json:"temporal_coverage"`
	Relationships    *Relationships `json:"relationships"`
	Schema           *Schema        `json:"schema"`
	SemanticTags     []string       `json:"semantic_tags"`
	UseCases         []string       `json:"use_cases"`
	NLDescription    string         `json:"nl_description"`
	DataQuality      *DataQuality   `json:"data_quality"`
	// Ownership maps accountable_owner, data_specialist, support_channel,
	// adop, ads and adal (inherited) to values.
	Ownership      map[string]string `json:"ownership"`
	Documentation  *Documentation    `json:"documentation"`
	QueryPatterns  *QueryPatterns    `json:"query_patterns"`
	CostIndicators *CostIndicators   `json:"cost_indicators"`
}

// Health is the answer of GET /health: the status, the target and the
// components the server built, and every other top-level section
// (telemetry, cache, rate_limiter, circuit_breaker, catalog_counts, ...)
// as raw JSON, since their shapes belong to the components.
type Health struct {
	Status     string
	Target     string
	Components []string
	Sections   map[string]json.RawMessage
}

// UnmarshalJSON implements json.Unmarshaler.
func (h *Health) UnmarshalJSON(b []byte) error {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		return err
	}
	for key, dst := range map[string]any{"status": &h.Status, "target": &h.Target, "components": &h.Components} {
		if raw, ok := m[key]; ok {
			if err := json.Unmarshal(raw, dst); err != nil {
				return err
			}
			delete(m, key)
		}
	}
	h.Sections = m
	return nil
}
