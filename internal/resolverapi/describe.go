package resolverapi

import (
	"net/http"
	"slices"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/nodejson"
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

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// describeForm is how describe and metadata answers show node fields
// (upstream's): without a node every text is null, a block's missing list
// is [], documentation is the dictionary of the links that are set, and
// the schema has upstream's key order, its semantic_tags, use_cases and
// related_monikers only when they hold something.
var describeForm = nodejson.Form{EmptyLists: true, NullWithoutNode: true, Views: map[string]*nodejson.View{
	"documentation": {Sparse: true},
	"schema":        {Order: describeSchemaOrder, OmitEmpty: metadataTopLevel},
}}

// metadataForm is describeForm but for the schema, which leaves out the
// keys the metadata answer has at its top level.
var metadataForm = nodejson.Form{EmptyLists: true, NullWithoutNode: true, Views: map[string]*nodejson.View{
	"documentation": {Sparse: true},
	"schema":        {Order: describeSchemaOrder, Omit: metadataTopLevel},
}}

var (
	describeSchemaOrder = []string{"description", "semantic_tags", "granularity", "typical_row_count",
		"update_frequency", "primary_key", "columns", "use_cases", "examples", "related_monikers"}
	metadataTopLevel = []string{"semantic_tags", "use_cases", "related_monikers"}
)

// describeLayout is upstream's describe answer after "path", in its
// order: fields of the node-field table, the resolved ownership in place
// of the node's own and, for the binding, whether resolve finds one (on
// the node or an ancestor) and its type. "models" follows, then every
// other field the table marks Describe, in table order (status, ours).
var describeLayout = [...]string{"display_name", "description", "ownership", "source_binding", "classification",
	"tags", "data_quality", "sla", "freshness", "schema", "documentation"}

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
		s.writeBody(w, func(b []byte) []byte { return appendDescribe(b, snap, m.Path) })
		if s.tel != nil {
			s.emitDone(r, snap, start, telemetry.OpDescribe, &m)
		}
	})
}

// appendDescribe appends the describe answer of path.
func appendDescribe(dst []byte, snap *resolve.Snapshot, path string) []byte {
	n := snap.Catalog().Get(path)
	dst = append(dst, `{"path":`...)
	dst = resolve.AppendJSONString(dst, path)
	for _, k := range describeLayout {
		dst = appendDescribeField(dst, snap, path, n, k)
	}
	dst = append(dst, `,"models":null`...)
	for _, f := range moniker.NodeFields() {
		if f.Describe && !slices.Contains(describeLayout[:], f.Key) {
			dst = appendDescribeField(dst, snap, path, n, f.Key)
		}
	}
	return append(dst, '}')
}

func appendDescribeField(dst []byte, snap *resolve.Snapshot, path string, n *moniker.Node, key string) []byte {
	f, _ := moniker.FieldByKey(key)
	switch f.Kind {
	case moniker.KindOwnership:
		own := snap.Ownership(path)
		dst = nodejson.Key(dst, key)
		return resolve.AppendOwnershipJSON(dst, &own)
	case moniker.KindBinding:
		b := snap.FindBinding(path)
		dst = append(dst, `,"has_source_binding":`...)
		if b == nil {
			return append(dst, `false,"source_type":null`...)
		}
		dst = append(dst, `true,"source_type":`...)
		return resolve.AppendJSONString(dst, b.Binding.Type)
	}
	dst = nodejson.Key(dst, key)
	return describeForm.Append(dst, n, f)
}
