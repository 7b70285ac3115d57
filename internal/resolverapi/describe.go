package resolverapi

import (
	"net/http"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// str returns nil for "" (JSON null) and &s otherwise.
func str(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

type describeResponse struct {
	Path             string                    `json:"path"`
	DisplayName      *string                   `json:"display_name"`
	Description      *string                   `json:"description"`
	Ownership        httpapi.ResolvedOwnership `json:"ownership"`
	HasSourceBinding bool                      `json:"has_source_binding"`
	SourceType       *string                   `json:"source_type"`
	Classification   *string                   `json:"classification"`
	Tags             []string                  `json:"tags"`
	DataQuality      *dataQuality              `json:"data_quality"`
	SLA              *sla                      `json:"sla"`
	Freshness        *freshness                `json:"freshness"`
	Schema           *nodeSchema               `json:"schema"`
	Documentation    map[string]any            `json:"documentation"`
	Models           []any                     `json:"models"`
	Status           *moniker.Status           `json:"status"`
}

type dataQuality struct {
	DQOwner         *string  `json:"dq_owner"`
	QualityScore    *float64 `json:"quality_score"`
	ValidationRules []string `json:"validation_rules"`
	KnownIssues     []string `json:"known_issues"`
	LastValidated   *string  `json:"last_validated"`
}

type sla struct {
	Freshness         *string `json:"freshness"`
	Availability      *string `json:"availability"`
	SupportHours      *string `json:"support_hours"`
	EscalationContact *string `json:"escalation_contact"`
}

type freshness struct {
	LastLoaded           *string  `json:"last_loaded"`
	RefreshSchedule      *string  `json:"refresh_schedule"`
	SourceSystem         *string  `json:"source_system"`
	UpstreamDependencies []string `json:"upstream_dependencies"`
}

type column struct {
	Name         string  `json:"name"`
	Type         string  `json:"type"`
	Description  *string `json:"description"`
	SemanticType *string `json:"semantic_type"`
	Example      any     `json:"example"`
	Nullable     bool    `json:"nullable"`
	PrimaryKey   bool    `json:"primary_key"`
	ForeignKey   *string `json:"foreign_key"`
}

type nodeSchema struct {
	Description     *string  `json:"description"`
	SemanticTags    []string `json:"semantic_tags,omitempty"`
	Granularity     *string  `json:"granularity"`
	TypicalRowCount any      `json:"typical_row_count"`
	UpdateFrequency *string  `json:"update_frequency"`
	PrimaryKey      []string `json:"primary_key"`
	Columns         []column `json:"columns"`
	UseCases        []string `json:"use_cases,omitempty"`
	Examples        []string `json:"examples"`
	RelatedMonikers []string `json:"related_monikers,omitempty"`
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func newDataQuality(d *moniker.DataQuality) *dataQuality {
	if d == nil {
		return nil
	}
	return &dataQuality{DQOwner: str(d.DQOwner), QualityScore: d.QualityScore,
		ValidationRules: nonNil(d.ValidationRules), KnownIssues: nonNil(d.KnownIssues), LastValidated: str(d.LastValidated)}
}

func newSLA(s *moniker.SLA) *sla {
	if s == nil {
		return nil
	}
	return &sla{Freshness: str(s.Freshness), Availability: str(s.Availability), SupportHours: str(s.SupportHours), EscalationContact: str(s.EscalationContact)}
}

func newFreshness(f *moniker.Freshness) *freshness {
	if f == nil {
		return nil
	}
	return &freshness{LastLoaded: str(f.LastLoaded), RefreshSchedule: str(f.RefreshSchedule), SourceSystem: str(f.SourceSystem),
		UpstreamDependencies: nonNil(f.UpstreamDependencies)}
}

// newNodeSchema converts a node schema; full=false drops semantic_tags,
// use_cases and related_monikers (the /metadata form).
func newNodeSchema(s *moniker.NodeSchema, full bool) *nodeSchema {
	if s == nil {
		return nil
	}
	out := &nodeSchema{Description: str(s.Description), Granularity: str(s.Granularity), TypicalRowCount: s.TypicalRowCount,
		UpdateFrequency: str(s.UpdateFrequency), PrimaryKey: nonNil(s.PrimaryKey), Examples: nonNil(s.Examples), Columns: []column{}}
	if full {
		out.SemanticTags, out.UseCases, out.RelatedMonikers = nonNil(s.SemanticTags), nonNil(s.UseCases), nonNil(s.RelatedMonikers)
	}
	for _, c := range s.Columns {
		typ := c.Type
		if typ == "" {
			typ = "string"
		}
		out.Columns = append(out.Columns, column{Name: c.Name, Type: typ, Description: str(c.Description), SemanticType: str(c.SemanticType),
			Example: c.Example, Nullable: c.Nullable, PrimaryKey: c.PrimaryKey, ForeignKey: str(c.ForeignKey)})
	}
	return out
}

// newDocumentation returns only the links that are set, plus additional.
func newDocumentation(d *moniker.Documentation) map[string]any {
	if d == nil {
		return nil
	}
	out := map[string]any{}
	for _, kv := range []struct{ k, v string }{
		{"glossary", d.Glossary}, {"runbook", d.Runbook}, {"onboarding", d.Onboarding},
		{"data_dictionary", d.DataDictionary}, {"api_docs", d.APIDocs}, {"architecture", d.Architecture},
		{"changelog", d.Changelog}, {"contact", d.Contact},
	} {
		if kv.v != "" {
			out[kv.k] = kv.v
		}
	}
	if len(d.Additional) > 0 {
		out["additional"] = d.Additional
	}
	return out
}

// pathOf parses the moniker of a path-carrying route, answering 400 on a
// parse error (recorded as an op access event that started at start).
func (s *Server) pathOf(w http.ResponseWriter, r *http.Request, snap *resolve.Snapshot, prefix string, op telemetry.Operation, start telemetry.Tick) (moniker.Moniker, bool) {
	body := httpapi.TrimPrefix(r, prefix)
	m, err := moniker.ParseParts(body, "")
	if err != nil {
		httpapi.WriteResolutionError(w, s.log, err, snap.Domain)
		if s.tel != nil {
			s.emitUnparsed(r, snap, start, op, rawMoniker(body, ""), body, err)
		}
		return m, false
	}
	return m, true
}

func (s *Server) handleDescribe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.tel.Tick()
		snap := s.begin(w)
		m, ok := s.pathOf(w, r, snap, "/describe/", telemetry.OpDescribe, start)
		if !ok {
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, describe(snap, m.Path))
		if s.tel != nil {
			s.emitDone(r, snap, start, telemetry.OpDescribe, &m)
		}
	})
}

func describe(snap *resolve.Snapshot, path string) *describeResponse {
	own := snap.Ownership(path)
	out := &describeResponse{Path: path, Ownership: httpapi.NewResolvedOwnership(&own), Tags: []string{}}
	if b := snap.FindBinding(path); b != nil {
		out.HasSourceBinding = true
		out.SourceType = &b.Binding.Type
	}
	n := snap.Catalog().Get(path)
	if n == nil {
		return out
	}
	dn, cl, st := n.EffectiveDisplayName(), n.EffectiveClassification(), n.EffectiveStatus()
	out.DisplayName, out.Description, out.Classification, out.Status = &dn, &n.Description, &cl, &st
	out.Tags = nonNil(n.Tags)
	out.DataQuality = newDataQuality(n.DataQuality)
	out.SLA = newSLA(n.SLA)
	out.Freshness = newFreshness(n.Freshness)
	out.Schema = newNodeSchema(n.Schema, true)
	out.Documentation = newDocumentation(n.Documentation)
	return out
}
