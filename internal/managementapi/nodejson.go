package managementapi

import (
	"math"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// ---- the node JSON (reference §3.1, plus the fields upstream dropped) ----

// nodeJSON is a node in /config answers: every key always present.
type nodeJSON struct {
	Path               string             `json:"path"`
	DisplayName        string             `json:"display_name"`
	Description        string             `json:"description"`
	Domain             *string            `json:"domain"`
	Ownership          *ownershipJSON     `json:"ownership"`
	SourceBinding      *bindingJSON       `json:"source_binding"`
	DataQuality        *dataQualityJSON   `json:"data_quality"`
	SLA                *slaJSON           `json:"sla"`
	Freshness          *freshnessJSON     `json:"freshness"`
	Schema             *schemaJSON        `json:"schema"`
	AccessPolicy       *policyJSON        `json:"access_policy"`
	Documentation      *documentationJSON `json:"documentation"`
	Classification     string             `json:"classification"`
	Tags               []string           `json:"tags"`
	Metadata           map[string]any     `json:"metadata"`
	IsLeaf             bool               `json:"is_leaf"`
	Status             string             `json:"status"`
	DeprecationMessage *string            `json:"deprecation_message"`
	Successor          *string            `json:"successor"`
	SunsetDeadline     *string            `json:"sunset_deadline"`
	MigrationGuideURL  *string            `json:"migration_guide_url"`
	Extra              map[string]any     `json:"extra"`
}

func toNodeJSON(n *moniker.Node) nodeJSON {
	out := nodeJSON{
		Path: n.Path, DisplayName: n.EffectiveDisplayName(), Description: n.Description, Domain: strPtr(n.Domain),
		Ownership: toOwnershipJSON(&n.Ownership), SourceBinding: toBindingJSON(n.Binding),
		DataQuality: toDataQualityJSON(n.DataQuality), SLA: toSLAJSON(n.SLA), Freshness: toFreshnessJSON(n.Freshness),
		Schema: toSchemaJSON(n.Schema), AccessPolicy: toPolicyJSON(n.AccessPolicy), Documentation: toDocumentationJSON(n.Documentation),
		Classification: n.EffectiveClassification(), Tags: n.Tags, Metadata: map[string]any{}, IsLeaf: n.Binding != nil,
		Status: string(n.EffectiveStatus()), DeprecationMessage: strPtr(n.DeprecationMessage), Successor: strPtr(n.Successor),
		SunsetDeadline: strPtr(n.SunsetDeadline), MigrationGuideURL: strPtr(n.MigrationGuideURL), Extra: map[string]any{},
	}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if n.Metadata != nil {
		out.Metadata = jsonSafe(n.Metadata).(map[string]any)
	}
	if n.Extra != nil {
		out.Extra = jsonSafe(n.Extra).(map[string]any)
	}
	return out
}

// nodeSummary is a light GET /config/nodes?summary=true row.
type nodeSummary struct {
	Path           string   `json:"path"`
	DisplayName    string   `json:"display_name"`
	Description    string   `json:"description"`
	Domain         *string  `json:"domain"`
	Status         string   `json:"status"`
	Classification string   `json:"classification"`
	Tags           []string `json:"tags"`
	IsLeaf         bool     `json:"is_leaf"`
	SourceType     *string  `json:"source_type"`
}

func toNodeSummary(n *moniker.Node) nodeSummary {
	out := nodeSummary{Path: n.Path, DisplayName: n.EffectiveDisplayName(), Description: n.Description,
		Domain: strPtr(n.Domain), Status: string(n.EffectiveStatus()), Classification: n.EffectiveClassification(),
		Tags: n.Tags, IsLeaf: n.Binding != nil}
	if out.Tags == nil {
		out.Tags = []string{}
	}
	if n.Binding != nil {
		out.SourceType = &n.Binding.Type
	}
	return out
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// ownershipJSON is a node's own ownership: the ten fields, or null when
// none is set.
type ownershipJSON struct {
	AccountableOwner *string `json:"accountable_owner"`
	DataSpecialist   *string `json:"data_specialist"`
	SupportChannel   *string `json:"support_channel"`
	ADOP             *string `json:"adop"`
	ADS              *string `json:"ads"`
	ADAL             *string `json:"adal"`
	ADOPName         *string `json:"adop_name"`
	ADSName          *string `json:"ads_name"`
	ADALName         *string `json:"adal_name"`
	UI               *string `json:"ui"`
}

func toOwnershipJSON(o *moniker.Ownership) *ownershipJSON {
	if o.Empty() {
		return nil
	}
	return &ownershipJSON{
		AccountableOwner: strPtr(o[moniker.AccountableOwner]), DataSpecialist: strPtr(o[moniker.DataSpecialist]),
		SupportChannel: strPtr(o[moniker.SupportChannel]), ADOP: strPtr(o[moniker.ADOP]), ADS: strPtr(o[moniker.ADS]),
		ADAL: strPtr(o[moniker.ADAL]), ADOPName: strPtr(o[moniker.ADOPName]), ADSName: strPtr(o[moniker.ADSName]),
		ADALName: strPtr(o[moniker.ADALName]), UI: strPtr(o[moniker.UI]),
	}
}

func (o *ownershipJSON) ownership() moniker.Ownership {
	var out moniker.Ownership
	if o == nil {
		return out
	}
	out[moniker.AccountableOwner], out[moniker.DataSpecialist], out[moniker.SupportChannel] = deref(o.AccountableOwner), deref(o.DataSpecialist), deref(o.SupportChannel)
	out[moniker.ADOP], out[moniker.ADS], out[moniker.ADAL] = deref(o.ADOP), deref(o.ADS), deref(o.ADAL)
	out[moniker.ADOPName], out[moniker.ADSName], out[moniker.ADALName] = deref(o.ADOPName), deref(o.ADSName), deref(o.ADALName)
	out[moniker.UI] = deref(o.UI)
	return out
}

// bindingJSON is a source binding. config holds the source's settings,
// secret values masked.
type bindingJSON struct {
	Type              string         `json:"type"`
	Config            map[string]any `json:"config"`
	AllowedOperations []string       `json:"allowed_operations"`
	Schema            any            `json:"schema"`
	ReadOnly          *bool          `json:"read_only"`
	Cache             *cacheJSON     `json:"cache"`
}

type cacheJSON struct {
	Enabled                *bool `json:"enabled"`
	TTLSeconds             *int  `json:"ttl_seconds"`
	RefreshIntervalSeconds *int  `json:"refresh_interval_seconds"`
	RefreshOnStartup       *bool `json:"refresh_on_startup"`
}

func toBindingJSON(b *moniker.SourceBinding) *bindingJSON {
	if b == nil {
		return nil
	}
	ro := b.ReadOnly
	out := &bindingJSON{Type: b.Type, AllowedOperations: b.AllowedOperations, Schema: jsonSafe(b.Schema), ReadOnly: &ro}
	if b.Config != nil {
		out.Config = maskSecrets(jsonSafe(b.Config)).(map[string]any)
	}
	if c := b.Cache; c != nil {
		out.Cache = &cacheJSON{Enabled: &c.Enabled, TTLSeconds: &c.TTLSeconds, RefreshIntervalSeconds: &c.RefreshIntervalSeconds, RefreshOnStartup: &c.RefreshOnStartup}
	}
	return out
}

// binding builds the node's binding from a decoded body (cfg: the config
// with masked secrets restored). Absent or null values take the loader's
// defaults.
func (b *bindingJSON) binding(cfg any) *moniker.SourceBinding {
	out := &moniker.SourceBinding{Type: b.Type, AllowedOperations: b.AllowedOperations, ReadOnly: true}
	if m, ok := cfg.(map[string]any); ok && m != nil {
		out.Config = freeForm(m).(map[string]any)
	}
	if b.Schema != nil {
		out.Schema = freeForm(b.Schema)
	}
	if b.ReadOnly != nil {
		out.ReadOnly = *b.ReadOnly
	}
	if c := b.Cache; c != nil {
		bc := &moniker.BindingCache{TTLSeconds: 3600, RefreshIntervalSeconds: 600, RefreshOnStartup: true}
		if c.Enabled != nil {
			bc.Enabled = *c.Enabled
		}
		if c.TTLSeconds != nil {
			bc.TTLSeconds = *c.TTLSeconds
		}
		if c.RefreshIntervalSeconds != nil {
			bc.RefreshIntervalSeconds = *c.RefreshIntervalSeconds
		}
		if c.RefreshOnStartup != nil {
			bc.RefreshOnStartup = *c.RefreshOnStartup
		}
		out.Cache = bc
	}
	return out
}

type dataQualityJSON struct {
	DQOwner         *string  `json:"dq_owner"`
	QualityScore    *float64 `json:"quality_score"`
	ValidationRules []string `json:"validation_rules"`
	KnownIssues     []string `json:"known_issues"`
	LastValidated   *string  `json:"last_validated"`
}

func toDataQualityJSON(d *moniker.DataQuality) *dataQualityJSON {
	if d == nil {
		return nil
	}
	out := &dataQualityJSON{DQOwner: strPtr(d.DQOwner), ValidationRules: d.ValidationRules, KnownIssues: d.KnownIssues, LastValidated: strPtr(d.LastValidated)}
	if q := d.QualityScore; q != nil && !math.IsNaN(*q) && !math.IsInf(*q, 0) {
		out.QualityScore = q
	}
	return out
}

func (d *dataQualityJSON) dataQuality() *moniker.DataQuality {
	if d == nil {
		return nil
	}
	return &moniker.DataQuality{DQOwner: deref(d.DQOwner), QualityScore: d.QualityScore, ValidationRules: d.ValidationRules,
		KnownIssues: d.KnownIssues, LastValidated: deref(d.LastValidated)}
}

type slaJSON struct {
	Freshness         *string `json:"freshness"`
	Availability      *string `json:"availability"`
	SupportHours      *string `json:"support_hours"`
	EscalationContact *string `json:"escalation_contact"`
}

func toSLAJSON(s *moniker.SLA) *slaJSON {
	if s == nil {
		return nil
	}
	return &slaJSON{strPtr(s.Freshness), strPtr(s.Availability), strPtr(s.SupportHours), strPtr(s.EscalationContact)}
}

func (s *slaJSON) sla() *moniker.SLA {
	if s == nil {
		return nil
	}
	return &moniker.SLA{Freshness: deref(s.Freshness), Availability: deref(s.Availability), SupportHours: deref(s.SupportHours), EscalationContact: deref(s.EscalationContact)}
}

type freshnessJSON struct {
	LastLoaded           *string  `json:"last_loaded"`
	RefreshSchedule      *string  `json:"refresh_schedule"`
	SourceSystem         *string  `json:"source_system"`
	UpstreamDependencies []string `json:"upstream_dependencies"`
}

func toFreshnessJSON(f *moniker.Freshness) *freshnessJSON {
	if f == nil {
		return nil
	}
	return &freshnessJSON{strPtr(f.LastLoaded), strPtr(f.RefreshSchedule), strPtr(f.SourceSystem), f.UpstreamDependencies}
}

func (f *freshnessJSON) freshness() *moniker.Freshness {
	if f == nil {
		return nil
	}
	return &moniker.Freshness{LastLoaded: deref(f.LastLoaded), RefreshSchedule: deref(f.RefreshSchedule), SourceSystem: deref(f.SourceSystem), UpstreamDependencies: f.UpstreamDependencies}
}

type columnJSON struct {
	Name         string  `json:"name"`
	Type         *string `json:"type"`
	Description  *string `json:"description"`
	SemanticType *string `json:"semantic_type"`
	Example      any     `json:"example"`
	Nullable     *bool   `json:"nullable"`
	PrimaryKey   *bool   `json:"primary_key"`
	ForeignKey   *string `json:"foreign_key"`
}

type schemaJSON struct {
	Columns         []columnJSON `json:"columns"`
	Description     *string      `json:"description"`
	SemanticTags    []string     `json:"semantic_tags"`
	PrimaryKey      []string     `json:"primary_key"`
	UseCases        []string     `json:"use_cases"`
	Examples        []string     `json:"examples"`
	RelatedMonikers []string     `json:"related_monikers"`
	Granularity     *string      `json:"granularity"`
	TypicalRowCount any          `json:"typical_row_count"`
	UpdateFrequency *string      `json:"update_frequency"`
}

func toSchemaJSON(s *moniker.NodeSchema) *schemaJSON {
	if s == nil {
		return nil
	}
	out := &schemaJSON{Description: strPtr(s.Description), SemanticTags: s.SemanticTags, PrimaryKey: s.PrimaryKey,
		UseCases: s.UseCases, Examples: s.Examples, RelatedMonikers: s.RelatedMonikers, Granularity: strPtr(s.Granularity),
		TypicalRowCount: jsonSafe(s.TypicalRowCount), UpdateFrequency: strPtr(s.UpdateFrequency)}
	if s.Columns != nil {
		out.Columns = make([]columnJSON, len(s.Columns))
		for i, c := range s.Columns {
			out.Columns[i] = columnJSON{Name: c.Name, Type: &c.Type, Description: strPtr(c.Description), SemanticType: strPtr(c.SemanticType),
				Example: jsonSafe(c.Example), Nullable: &c.Nullable, PrimaryKey: &c.PrimaryKey, ForeignKey: strPtr(c.ForeignKey)}
		}
	}
	return out
}

func (s *schemaJSON) nodeSchema() (*moniker.NodeSchema, *moniker.FieldError) {
	if s == nil {
		return nil, nil
	}
	out := &moniker.NodeSchema{Description: deref(s.Description), SemanticTags: s.SemanticTags, PrimaryKey: s.PrimaryKey,
		UseCases: s.UseCases, Examples: s.Examples, RelatedMonikers: s.RelatedMonikers, Granularity: deref(s.Granularity),
		TypicalRowCount: freeForm(s.TypicalRowCount), UpdateFrequency: deref(s.UpdateFrequency)}
	if s.Columns != nil {
		out.Columns = make([]moniker.Column, len(s.Columns))
		for i, c := range s.Columns {
			col := moniker.Column{Name: c.Name, Type: deref(c.Type), Description: deref(c.Description), SemanticType: deref(c.SemanticType),
				Example: freeForm(c.Example), Nullable: true, ForeignKey: deref(c.ForeignKey)}
			if col.Type == "" {
				col.Type = "string"
			}
			if c.Nullable != nil {
				col.Nullable = *c.Nullable
			}
			if c.PrimaryKey != nil {
				col.PrimaryKey = *c.PrimaryKey
			}
			out.Columns[i] = col
		}
	}
	return out, nil
}

type policyJSON struct {
	RequiredSegments         []int    `json:"required_segments"`
	MinFilters               *int     `json:"min_filters"`
	BlockedPatterns          []string `json:"blocked_patterns"`
	MaxRowsWarn              *int64   `json:"max_rows_warn"`
	MaxRowsBlock             *int64   `json:"max_rows_block"`
	CardinalityMultipliers   []int64  `json:"cardinality_multipliers"`
	BaseRowCount             *int64   `json:"base_row_count"`
	RequireConfirmationAbove *int64   `json:"require_confirmation_above"`
	DenialMessage            *string  `json:"denial_message"`
	AllowedRoles             []string `json:"allowed_roles"`
	AllowedHours             []any    `json:"allowed_hours"`
}

func i64Ptr(v int64) *int64 {
	if v == 0 {
		return nil
	}
	return &v
}

func toPolicyJSON(p *moniker.AccessPolicy) *policyJSON {
	if p == nil {
		return nil
	}
	mf, brc := p.MinFilters, p.BaseRowCount
	out := &policyJSON{RequiredSegments: p.RequiredSegments, MinFilters: &mf, BlockedPatterns: p.BlockedPatterns,
		MaxRowsWarn: i64Ptr(p.MaxRowsWarn), MaxRowsBlock: i64Ptr(p.MaxRowsBlock), CardinalityMultipliers: p.CardinalityMultipliers,
		BaseRowCount: &brc, RequireConfirmationAbove: i64Ptr(p.RequireConfirmationAbove), DenialMessage: strPtr(p.DenialMessage),
		AllowedRoles: p.AllowedRoles}
	if p.AllowedHours != nil {
		out.AllowedHours = jsonSafe(p.AllowedHours).([]any)
	}
	return out
}

func (p *policyJSON) policy() *moniker.AccessPolicy {
	if p == nil {
		return nil
	}
	out := &moniker.AccessPolicy{RequiredSegments: p.RequiredSegments, BlockedPatterns: p.BlockedPatterns,
		CardinalityMultipliers: p.CardinalityMultipliers, BaseRowCount: 100, DenialMessage: deref(p.DenialMessage), AllowedRoles: p.AllowedRoles}
	if len(out.RequiredSegments) == 0 {
		out.RequiredSegments = nil // the loader keeps no empty list here
	}
	if len(out.BlockedPatterns) == 0 {
		out.BlockedPatterns = nil
	}
	if p.MinFilters != nil {
		out.MinFilters = *p.MinFilters
	}
	if p.MaxRowsWarn != nil {
		out.MaxRowsWarn = *p.MaxRowsWarn
	}
	if p.MaxRowsBlock != nil {
		out.MaxRowsBlock = *p.MaxRowsBlock
	}
	if p.BaseRowCount != nil {
		out.BaseRowCount = *p.BaseRowCount
	}
	if p.RequireConfirmationAbove != nil {
		out.RequireConfirmationAbove = *p.RequireConfirmationAbove
	}
	if p.AllowedHours != nil {
		out.AllowedHours = freeForm(p.AllowedHours).([]any)
	}
	return out
}

type documentationJSON struct {
	Glossary       *string           `json:"glossary"`
	Runbook        *string           `json:"runbook"`
	Onboarding     *string           `json:"onboarding"`
	DataDictionary *string           `json:"data_dictionary"`
	APIDocs        *string           `json:"api_docs"`
	Architecture   *string           `json:"architecture"`
	Changelog      *string           `json:"changelog"`
	Contact        *string           `json:"contact"`
	Additional     map[string]string `json:"additional"`
}

func toDocumentationJSON(d *moniker.Documentation) *documentationJSON {
	if d == nil {
		return nil
	}
	return &documentationJSON{strPtr(d.Glossary), strPtr(d.Runbook), strPtr(d.Onboarding), strPtr(d.DataDictionary),
		strPtr(d.APIDocs), strPtr(d.Architecture), strPtr(d.Changelog), strPtr(d.Contact), d.Additional}
}

func (d *documentationJSON) documentation() *moniker.Documentation {
	if d == nil {
		return nil
	}
	return &moniker.Documentation{Glossary: deref(d.Glossary), Runbook: deref(d.Runbook), Onboarding: deref(d.Onboarding),
		DataDictionary: deref(d.DataDictionary), APIDocs: deref(d.APIDocs), Architecture: deref(d.Architecture),
		Changelog: deref(d.Changelog), Contact: deref(d.Contact), Additional: d.Additional}
}
