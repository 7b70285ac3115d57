package resolverapi

import (
	"net/http"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/nodejson"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// metadataResponse is the metadata answer. Its node-field members are
// written by metadataForm, the others by encoding/json; appendJSON writes
// them in upstream's order.
type metadataResponse struct {
	Moniker        string
	Path           string
	DisplayName    *string
	Description    *string
	DataProfile    *dataProfile
	Relationships  *relationships
	SemanticTags   []string
	UseCases       []string
	NLDescription  *string
	Ownership      map[string]*string
	QueryPatterns  *queryPatterns
	CostIndicators *costIndicators
	// node holds temporal_coverage (freshness), schema, data_quality and
	// documentation; nil: they are null.
	node *moniker.Node
}

func (m *metadataResponse) appendJSON(dst []byte) []byte {
	dst = append(dst, '{')
	for _, v := range [...]struct {
		key   string
		field string // a node field, written by metadataForm
		value any    // or this, through encoding/json
	}{
		{key: "moniker", value: m.Moniker}, {key: "path", value: m.Path}, {key: "display_name", value: m.DisplayName},
		{key: "description", value: m.Description}, {key: "data_profile", value: m.DataProfile},
		{key: "temporal_coverage", field: "freshness"}, {key: "relationships", value: m.Relationships},
		{key: "schema", field: "schema"}, {key: "semantic_tags", value: m.SemanticTags}, {key: "use_cases", value: m.UseCases},
		{key: "nl_description", value: m.NLDescription}, {key: "data_quality", field: "data_quality"},
		{key: "ownership", value: m.Ownership}, {key: "documentation", field: "documentation"},
		{key: "query_patterns", value: m.QueryPatterns}, {key: "cost_indicators", value: m.CostIndicators},
	} {
		dst = nodejson.Key(dst, v.key)
		if v.field != "" {
			f, _ := moniker.FieldByKey(v.field)
			dst = metadataForm.Append(dst, m.node, f)
		} else {
			dst = resolve.AppendJSONValue(dst, v.value)
		}
	}
	return append(dst, '}')
}

type dataProfile struct {
	EstimatedTotalRows     int64   `json:"estimated_total_rows"`
	BaseRowCount           int64   `json:"base_row_count"`
	CardinalityByDimension []int64 `json:"cardinality_by_dimension"`
	MaxRowsWarn            *int64  `json:"max_rows_warn"`
	MaxRowsBlock           *int64  `json:"max_rows_block"`
}

type foreignKey struct {
	Column     string `json:"column"`
	References string `json:"references"`
}

type relationships struct {
	RelatedMonikers      []string     `json:"related_monikers"`
	UpstreamDependencies []string     `json:"upstream_dependencies"`
	ForeignKeys          []foreignKey `json:"foreign_keys"`
}

type queryPatterns struct {
	BlockedPatterns    []string `json:"blocked_patterns"`
	MinFiltersRequired int      `json:"min_filters_required"`
	SuggestedQueries   []string `json:"suggested_queries"`
}

type costIndicators struct {
	QueryComplexity  string `json:"query_complexity"`
	EstimatedLatency string `json:"estimated_latency"`
}

func i64(n int64) *int64 {
	if n == 0 {
		return nil
	}
	return &n
}

func (s *Server) handleMetadata() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.tel.Tick()
		snap := s.begin(w)
		m, ok := s.pathOf(w, r, snap, "/metadata/", telemetry.OpDescribe, start)
		if !ok {
			return
		}
		if s.tel != nil {
			defer s.emitDone(r, snap, start, telemetry.OpDescribe, &m)
		}
		own := snap.Ownership(m.Path)
		out := metadataResponse{Moniker: m.String(), Path: m.Path, SemanticTags: []string{}, UseCases: []string{},
			Ownership: map[string]*string{}}
		for _, f := range []moniker.OwnerField{moniker.AccountableOwner, moniker.DataSpecialist, moniker.SupportChannel, moniker.ADOP, moniker.ADS, moniker.ADAL} {
			out.Ownership[f.Key()] = str(own[f].Value)
		}
		n := snap.Catalog().Get(m.Path)
		if n == nil {
			s.writeBody(w, out.appendJSON)
			return
		}
		dn := n.EffectiveDisplayName()
		out.DisplayName, out.Description = &dn, &n.Description
		out.node = n
		if sc := n.Schema; sc != nil {
			out.SemanticTags, out.UseCases, out.NLDescription = nonNil(sc.SemanticTags), nonNil(sc.UseCases), str(sc.Description)
		}
		if n.Schema != nil || n.Freshness != nil {
			rel := &relationships{RelatedMonikers: []string{}, UpstreamDependencies: []string{}, ForeignKeys: []foreignKey{}}
			if sc := n.Schema; sc != nil {
				rel.RelatedMonikers = nonNil(sc.RelatedMonikers)
				for _, c := range sc.Columns {
					if c.ForeignKey != "" {
						rel.ForeignKeys = append(rel.ForeignKeys, foreignKey{Column: c.Name, References: c.ForeignKey})
					}
				}
			}
			if n.Freshness != nil {
				rel.UpstreamDependencies = nonNil(n.Freshness.UpstreamDependencies)
			}
			out.Relationships = rel
		}
		if p := n.AccessPolicy; p != nil {
			base := p.BaseRowCount
			if base == 0 {
				base = 100
			}
			est := base
			for i := 0; i < 3; i++ {
				if i < len(p.CardinalityMultipliers) {
					est *= p.CardinalityMultipliers[i]
				}
			}
			card := p.CardinalityMultipliers
			if card == nil {
				card = []int64{}
			}
			out.DataProfile = &dataProfile{EstimatedTotalRows: est, BaseRowCount: base, CardinalityByDimension: card,
				MaxRowsWarn: i64(p.MaxRowsWarn), MaxRowsBlock: i64(p.MaxRowsBlock)}
			qp := &queryPatterns{BlockedPatterns: nonNil(p.BlockedPatterns), MinFiltersRequired: p.MinFilters, SuggestedQueries: []string{}}
			if n.Schema != nil {
				qp.SuggestedQueries = nonNil(n.Schema.Examples)
			}
			out.QueryPatterns = qp
			ci := &costIndicators{QueryComplexity: "low", EstimatedLatency: "low"}
			switch {
			case p.MaxRowsBlock > 100_000_000:
				ci.QueryComplexity = "high"
			case p.MaxRowsWarn != 0:
				ci.QueryComplexity = "medium"
			}
			switch {
			case est > 1_000_000_000:
				ci.EstimatedLatency = "high"
			case est > 1_000_000:
				ci.EstimatedLatency = "medium"
			}
			out.CostIndicators = ci
		}
		s.writeBody(w, out.appendJSON)
	})
}
