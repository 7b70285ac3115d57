package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/moniker-svc/moniker/client"
)

// pairs are key: value lines printed with the values aligned.
type pairs [][2]string

// add appends k: v unless v is empty (JSON null or unset).
func (p *pairs) add(k, v string) {
	if v != "" {
		*p = append(*p, [2]string{k, v})
	}
}

func (p pairs) write(w io.Writer, indent string) {
	width := 0
	for _, kv := range p {
		width = max(width, len(kv[0]))
	}
	for _, kv := range p {
		fmt.Fprintf(w, "%s%-*s %s\n", indent, width+1, kv[0]+":", kv[1])
	}
}

// section prints "name:" and the pairs indented under it, or nothing
// when there are none.
func section(w io.Writer, name string, p pairs) {
	if len(p) == 0 {
		return
	}
	fmt.Fprintln(w, name+":")
	p.write(w, "  ")
}

// block prints "name:" and text indented under it, line by line.
func block(w io.Writer, name, text string) {
	text = strings.TrimRight(text, "\n")
	if text == "" {
		return
	}
	fmt.Fprintln(w, name+":")
	for line := range strings.SplitSeq(text, "\n") {
		fmt.Fprintln(w, "  "+line)
	}
}

// mapPairs returns m's entries in key order, values formatted.
func mapPairs(m map[string]any) pairs {
	var p pairs
	for _, k := range slices.Sorted(maps.Keys(m)) {
		p = append(p, [2]string{k, formatValue(m[k])})
	}
	return p
}

// formatValue prints strings bare, null as "null" and anything else as
// compact JSON.
func formatValue(v any) string {
	switch v := v.(type) {
	case nil:
		return "null"
	case string:
		return oneLine(v)
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// oneLine folds a multi-line value onto one line.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

func withOrigin(value, origin, word string) string {
	if value == "" || origin == "" {
		return value
	}
	return value + "  (" + word + " " + origin + ")"
}

func ownershipPairs(o *client.Ownership) pairs {
	var p pairs
	for _, f := range o.Fields() {
		p.add(f.Key, withOrigin(f.Value, f.Source, "from"))
	}
	return p
}

func printResolve(w io.Writer, r *client.ResolveResponse) {
	binding := r.BindingPath
	if r.SubPath != "" {
		binding += "  (sub_path " + r.SubPath + ")"
	}
	var p pairs
	p.add("moniker", r.Moniker)
	p.add("path", r.Path)
	p.add("source_type", r.SourceType)
	p.add("binding", binding)
	p.add("read_only", strconv.FormatBool(r.ReadOnly))
	p.add("status", r.Status)
	p.add("deprecation_message", oneLine(r.DeprecationMessage))
	p.add("successor", r.Successor)
	p.add("sunset_deadline", r.SunsetDeadline)
	p.add("migration_guide_url", r.MigrationGuideURL)
	p.add("redirected_from", r.RedirectedFrom)
	p.write(w, "")
	section(w, "connection", mapPairs(r.Connection))
	block(w, "query", r.Query)
	section(w, "params", mapPairs(r.Params))
	section(w, "ownership", ownershipPairs(&r.Ownership))
}

func printBatch(w io.Writer, res *client.BatchResponse) {
	for i := range res.Results {
		if i > 0 {
			fmt.Fprintln(w)
		}
		printResolve(w, &res.Results[i])
	}
}

func printDescribe(w io.Writer, d *client.DescribeResponse) {
	source := "none"
	if d.HasSourceBinding {
		source = d.SourceType
	}
	var p pairs
	p.add("path", d.Path)
	p.add("display_name", d.DisplayName)
	p.add("description", oneLine(d.Description))
	p.add("status", d.Status)
	p.add("classification", d.Classification)
	p.add("source_type", source)
	p.add("tags", strings.Join(d.Tags, ", "))
	p.write(w, "")
	section(w, "ownership", ownershipPairs(&d.Ownership))
	if s := d.SLA; s != nil {
		var sp pairs
		sp.add("freshness", s.Freshness)
		sp.add("availability", s.Availability)
		sp.add("support_hours", s.SupportHours)
		sp.add("escalation_contact", s.EscalationContact)
		section(w, "sla", sp)
	}
	if f := d.Freshness; f != nil {
		section(w, "freshness", freshnessPairs(f))
	}
	if q := d.DataQuality; q != nil {
		var qp pairs
		qp.add("dq_owner", q.DQOwner)
		if q.QualityScore != nil {
			qp.add("quality_score", strconv.FormatFloat(*q.QualityScore, 'g', -1, 64))
		}
		qp.add("validation_rules", strings.Join(q.ValidationRules, "; "))
		qp.add("known_issues", strings.Join(q.KnownIssues, "; "))
		qp.add("last_validated", q.LastValidated)
		section(w, "data_quality", qp)
	}
	if doc := d.Documentation; doc != nil {
		section(w, "documentation", documentationPairs(doc))
	}
	if s := d.Schema; s != nil {
		printSchema(w, s)
	}
	if len(d.Models) > 0 {
		fmt.Fprintln(w, "models:")
		for _, m := range d.Models {
			name := firstNonEmpty(formatField(m, "path"), formatField(m, "display_name"), formatValue(m))
			fmt.Fprintln(w, "  "+name)
		}
	}
}

func formatField(m map[string]any, k string) string {
	if v, ok := m[k].(string); ok {
		return v
	}
	return ""
}

func freshnessPairs(f *client.Freshness) pairs {
	var p pairs
	p.add("last_loaded", f.LastLoaded)
	p.add("refresh_schedule", f.RefreshSchedule)
	p.add("source_system", f.SourceSystem)
	p.add("upstream_dependencies", strings.Join(f.UpstreamDependencies, ", "))
	return p
}

func documentationPairs(d *client.Documentation) pairs {
	var p pairs
	p.add("glossary", d.Glossary)
	p.add("runbook", d.Runbook)
	p.add("onboarding", d.Onboarding)
	p.add("data_dictionary", d.DataDictionary)
	p.add("api_docs", d.APIDocs)
	p.add("architecture", d.Architecture)
	p.add("changelog", d.Changelog)
	p.add("contact", d.Contact)
	for _, k := range slices.Sorted(maps.Keys(d.Additional)) {
		p.add(k, d.Additional[k])
	}
	return p
}

func printSchema(w io.Writer, s *client.Schema) {
	var p pairs
	p.add("description", oneLine(s.Description))
	p.add("granularity", s.Granularity)
	if s.TypicalRowCount != nil {
		p.add("typical_row_count", formatValue(s.TypicalRowCount))
	}
	p.add("update_frequency", s.UpdateFrequency)
	p.add("primary_key", strings.Join(s.PrimaryKey, ", "))
	p.add("semantic_tags", strings.Join(s.SemanticTags, ", "))
	p.add("related_monikers", strings.Join(s.RelatedMonikers, ", "))
	if len(p) == 0 && len(s.Columns) == 0 {
		return
	}
	fmt.Fprintln(w, "schema:")
	p.write(w, "  ")
	if len(s.Columns) > 0 {
		fmt.Fprintln(w, "  columns:")
		tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
		for _, c := range s.Columns {
			fmt.Fprintf(tw, "    %s\t%s\t%s\n", c.Name, c.Type, oneLine(c.Description))
		}
		tw.Flush()
	}
}

func printLineage(w io.Writer, l *client.LineageResponse) {
	source := "none"
	if l.Source.Type != "" {
		source = withOrigin(l.Source.Type, l.Source.BindingDefinedAt, "binding at")
	}
	var p pairs
	p.add("moniker", l.Moniker)
	p.add("path", l.Path)
	p.add("source", source)
	p.write(w, "")
	if len(l.PathHierarchy) > 0 {
		fmt.Fprintln(w, "hierarchy:")
		for i, h := range l.PathHierarchy {
			if h == "" {
				h = "(root)"
			}
			fmt.Fprintf(w, "  %s%s\n", strings.Repeat("  ", i), h)
		}
	}
	var op pairs
	for _, k := range []string{"accountable_owner", "data_specialist", "support_channel"} {
		op.add(k, withOrigin(l.Ownership[k], l.Ownership[k+"_defined_at"], "defined at"))
	}
	section(w, "ownership", op)
	var gp pairs
	for _, k := range slices.Sorted(maps.Keys(l.GovernanceRoles)) {
		r := l.GovernanceRoles[k]
		gp.add(k, withOrigin(r.Value, r.DefinedAt, "defined at"))
	}
	section(w, "governance_roles", gp)
}

func printTree(w io.Writer, nodes []client.TreeNode, indent string) {
	for _, n := range nodes {
		line := indent + n.Name
		if n.SourceType != "" {
			line += "  [" + n.SourceType + "]"
		}
		fmt.Fprintln(w, line)
		printTree(w, n.Children, indent+"  ")
	}
}

func printSearch(w io.Writer, s *client.SearchResponse) {
	if len(s.Results) == 0 {
		fmt.Fprintf(w, "no results for %q\n", s.Query)
		return
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PATH\tSTATUS\tBINDING\tCLASSIFICATION\tDISPLAY NAME")
	for _, r := range s.Results {
		binding := "-"
		if r.HasSourceBinding {
			binding = "yes"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", r.Path, r.Status, binding, r.Classification, oneLine(r.DisplayName))
	}
	tw.Flush()
	fmt.Fprintf(w, "%d results\n", s.TotalResults)
}

func printMetadata(w io.Writer, m *client.MetadataResponse) {
	var p pairs
	p.add("moniker", m.Moniker)
	p.add("path", m.Path)
	p.add("display_name", m.DisplayName)
	p.add("description", oneLine(m.Description))
	p.add("nl_description", oneLine(m.NLDescription))
	p.add("semantic_tags", strings.Join(m.SemanticTags, ", "))
	p.add("use_cases", strings.Join(m.UseCases, "; "))
	p.write(w, "")
	var op pairs
	for _, k := range []string{"accountable_owner", "data_specialist", "support_channel", "adop", "ads", "adal"} {
		op.add(k, m.Ownership[k])
	}
	section(w, "ownership", op)
	if d := m.DataProfile; d != nil {
		var dp pairs
		dp.add("estimated_total_rows", strconv.FormatInt(d.EstimatedTotalRows, 10))
		dp.add("base_row_count", strconv.FormatInt(d.BaseRowCount, 10))
		if d.MaxRowsWarn != nil {
			dp.add("max_rows_warn", strconv.FormatInt(*d.MaxRowsWarn, 10))
		}
		if d.MaxRowsBlock != nil {
			dp.add("max_rows_block", strconv.FormatInt(*d.MaxRowsBlock, 10))
		}
		section(w, "data_profile", dp)
	}
	if t := m.TemporalCoverage; t != nil {
		section(w, "temporal_coverage", freshnessPairs(t))
	}
	if r := m.Relationships; r != nil {
		var rp pairs
		rp.add("related_monikers", strings.Join(r.RelatedMonikers, ", "))
		rp.add("upstream_dependencies", strings.Join(r.UpstreamDependencies, ", "))
		for _, fk := range r.ForeignKeys {
			rp.add("foreign_key", fk.Column+" -> "+fk.References)
		}
		section(w, "relationships", rp)
	}
	if s := m.Schema; s != nil {
		printSchema(w, s)
	}
	if q := m.QueryPatterns; q != nil {
		var qp pairs
		qp.add("min_filters_required", strconv.Itoa(q.MinFiltersRequired))
		qp.add("blocked_patterns", strings.Join(q.BlockedPatterns, ", "))
		qp.add("suggested_queries", strings.Join(q.SuggestedQueries, "; "))
		section(w, "query_patterns", qp)
	}
	if c := m.CostIndicators; c != nil {
		var cp pairs
		cp.add("query_complexity", c.QueryComplexity)
		cp.add("estimated_latency", c.EstimatedLatency)
		section(w, "cost_indicators", cp)
	}
	if doc := m.Documentation; doc != nil {
		section(w, "documentation", documentationPairs(doc))
	}
}

// countPairs returns m's entries, largest count first.
func countPairs(m map[string]int) pairs {
	keys := slices.Sorted(maps.Keys(m))
	slices.SortStableFunc(keys, func(a, b string) int { return m[b] - m[a] })
	var p pairs
	for _, k := range keys {
		p = append(p, [2]string{k, strconv.Itoa(m[k])})
	}
	return p
}

func printStats(w io.Writer, s *client.Stats) {
	c := s.OwnershipCoverage
	var p pairs
	p.add("total_monikers", strconv.Itoa(s.TotalMonikers))
	p.add("ownership_coverage", fmt.Sprintf("%g%%  (%d nodes with ownership, %d with governance roles)",
		c.CoveragePercent, c.HasOwnership, c.HasGovernanceRoles))
	p.write(w, "")
	section(w, "by_status", countPairs(s.ByStatus))
	section(w, "by_source_type", countPairs(s.BySourceType))
	section(w, "by_classification", countPairs(s.ByClassification))
}

func printHealth(w io.Writer, h *client.Health) {
	var p pairs
	p.add("status", h.Status)
	p.add("target", h.Target)
	p.add("components", strings.Join(h.Components, ", "))
	for _, k := range slices.Sorted(maps.Keys(h.Sections)) {
		p = append(p, [2]string{k, string(h.Sections[k])})
	}
	p.write(w, "")
}
