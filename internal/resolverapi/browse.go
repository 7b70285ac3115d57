package resolverapi

import (
	"bufio"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/nodejson"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

func (s *Server) handleList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.tel.Tick()
		snap := s.begin(w)
		m, ok := s.pathOf(w, r, snap, "/list/", telemetry.OpList, start)
		if !ok {
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Children []string `json:"children"`
			Moniker  string   `json:"moniker"`
			Path     string   `json:"path"`
		}{nonNil(snap.Catalog().ChildNames(m.Path)), m.String(), m.Path})
		if s.tel != nil {
			s.emitDone(r, snap, start, telemetry.OpList, &m)
		}
	})
}

type definedAt struct {
	Value     *string `json:"value"`
	DefinedAt *string `json:"defined_at"`
	// Description says what the role is.
	Description string `json:"description"`
}

type lineageResponse struct {
	Moniker   string `json:"moniker"`
	Path      string `json:"path"`
	Ownership struct {
		AccountableOwner          *string `json:"accountable_owner"`
		AccountableOwnerDefinedAt *string `json:"accountable_owner_defined_at"`
		DataSpecialist            *string `json:"data_specialist"`
		DataSpecialistDefinedAt   *string `json:"data_specialist_defined_at"`
		SupportChannel            *string `json:"support_channel"`
		SupportChannelDefinedAt   *string `json:"support_channel_defined_at"`
	} `json:"ownership"`
	Source struct {
		Type             *string `json:"type"`
		BindingDefinedAt *string `json:"binding_defined_at"`
	} `json:"source"`
	PathHierarchy []string `json:"path_hierarchy"`
	// GovernanceRoles is computed upstream but was dropped by its response
	// model (Q10); we return it (an additive field).
	GovernanceRoles map[string]definedAt `json:"governance_roles"`
}

func (s *Server) handleLineage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.tel.Tick()
		snap := s.begin(w)
		m, ok := s.pathOf(w, r, snap, "/lineage/", telemetry.OpLineage, start)
		if !ok {
			return
		}
		if s.tel != nil {
			defer s.emitDone(r, snap, start, telemetry.OpLineage, &m)
		}
		own := snap.Ownership(m.Path)
		out := lineageResponse{Moniker: m.String(), Path: m.Path}
		o := &out.Ownership
		o.AccountableOwner, o.AccountableOwnerDefinedAt = str(own[moniker.AccountableOwner].Value), str(own[moniker.AccountableOwner].Source)
		o.DataSpecialist, o.DataSpecialistDefinedAt = str(own[moniker.DataSpecialist].Value), str(own[moniker.DataSpecialist].Source)
		o.SupportChannel, o.SupportChannelDefinedAt = str(own[moniker.SupportChannel].Value), str(own[moniker.SupportChannel].Source)
		if b := snap.FindBinding(m.Path); b != nil {
			out.Source.Type, out.Source.BindingDefinedAt = &b.Binding.Type, &b.Path
		}
		out.PathHierarchy = pathHierarchy(m.Path)
		out.GovernanceRoles = map[string]definedAt{
			"adop": {str(own[moniker.ADOP].Value), str(own[moniker.ADOP].Source), "Accountable Data Owner/Principal"},
			"ads":  {str(own[moniker.ADS].Value), str(own[moniker.ADS].Source), "Accountable Data Steward"},
			"adal": {str(own[moniker.ADAL].Value), str(own[moniker.ADAL].Source), "Accountable Data Access Lead"},
		}
		httpapi.WriteJSON(w, http.StatusOK, out)
	})
}

// pathHierarchy is upstream's lineage path list (Q10, kept for client
// compatibility): "", then the "/"-ancestors, then the path itself.
func pathHierarchy(path string) []string {
	out := []string{""}
	for i := 0; i < len(path); i++ {
		if path[i] == '/' {
			out = append(out, path[:i])
		}
	}
	return append(out, path)
}

func (s *Server) handleCatalog() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.begin(w)
		limit, ok := httpapi.QueryInt(w, r, "limit", 100, 1, 1000)
		if !ok {
			return
		}
		st, ok := queryStatus(w, r)
		if !ok {
			return
		}
		cat := snap.Catalog()
		paths, next := cat.Page(r.URL.Query().Get("cursor"), limit, st)
		total := cat.Len()
		if st != "" {
			total = cat.StatusCounts().Get(string(st))
		}
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Paths      []string `json:"paths"`
			TotalCount int      `json:"total_count"`
			NextCursor *string  `json:"next_cursor"`
			HasMore    bool     `json:"has_more"`
		}{nonNil(paths), total, str(next), next != ""})
	})
}

// searchKeys are the node fields of a search result, in its order;
// "has_source_binding" (the node's own) follows "status".
var searchKeys = [...]string{"display_name", "description", "status", "classification", "tags"}

// appendSearchResults appends the results array of a search.
func appendSearchResults(dst []byte, nodes []*moniker.Node) []byte {
	dst = append(dst, '[')
	for i, n := range nodes {
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"path":`...)
		dst = resolve.AppendJSONString(dst, n.Path)
		for _, k := range searchKeys {
			f, _ := moniker.FieldByKey(k)
			dst = nodejson.Key(dst, k)
			dst = describeForm.Append(dst, n, f)
			if k == "status" {
				dst = append(dst, `,"has_source_binding":`...)
				dst = strconv.AppendBool(dst, n.Binding != nil)
			}
		}
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

func (s *Server) handleSearch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.begin(w)
		q := r.URL.Query()
		if _, present := q["q"]; !present {
			httpapi.WriteFields(w, httpapi.InQuery, httpapi.Missing("q"))
			return
		}
		limit, ok := httpapi.QueryInt(w, r, "limit", 50, 1, 200)
		if !ok {
			return
		}
		st, ok := queryStatus(w, r)
		if !ok {
			return
		}
		nodes := snap.Catalog().Search(q.Get("q"), st, limit)
		s.writeBody(w, func(b []byte) []byte {
			b = appendSearchResults(append(b, `{"results":`...), nodes)
			b = resolve.AppendJSONString(append(b, `,"query":`...), q.Get("q"))
			b = strconv.AppendInt(append(b, `,"total_results":`...), int64(len(nodes)), 10)
			return append(b, '}')
		})
	})
}

func (s *Server) handleStats() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.begin(w)
		httpapi.WriteJSON(w, http.StatusOK, snap.Catalog().Stats())
	})
}

func (s *Server) handleAudit() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.begin(w)
		rest := httpapi.TrimPrefix(r, "/catalog/")
		path, ok := strings.CutSuffix(rest, "/audit")
		if !ok {
			httpapi.WriteDetail(w, http.StatusNotFound, httpapi.CodeNoRoute, "Not Found")
			return
		}
		limit, ok := httpapi.QueryInt(w, r, "limit", 100, 1, 1000)
		if !ok {
			return
		}
		entries := []audit.Entry{}
		if s.audit != nil {
			var err error
			if entries, err = s.audit.Entries(path, limit); err != nil {
				httpapi.WriteError(w, s.log, err)
				return
			}
		}
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Entries      []audit.Entry `json:"entries"`
			Path         string        `json:"path"`
			TotalEntries int           `json:"total_entries"`
		}{entries, path, len(entries)})
	})
}

// treeOwnership is a tree node's own ownership: the three simple fields
// always, the governance roles and ui only when set.
type treeOwnership struct {
	AccountableOwner *string `json:"accountable_owner"`
	DataSpecialist   *string `json:"data_specialist"`
	SupportChannel   *string `json:"support_channel"`
	ADOP             string  `json:"adop,omitempty"`
	ADS              string  `json:"ads,omitempty"`
	ADAL             string  `json:"adal,omitempty"`
	UI               string  `json:"ui,omitempty"`
}

// treeFields are the scalar fields of a tree node; children are streamed.
type treeFields struct {
	Path             string        `json:"path"`
	Name             string        `json:"name"`
	Ownership        treeOwnership `json:"ownership"`
	SourceType       *string       `json:"source_type"`
	HasSourceBinding bool          `json:"has_source_binding"`
	Description      string        `json:"description"`
	Domain           *string       `json:"domain"`
	// ChildCount is how many children the node has, also below depth
	// (where children is empty), so a lazy tree knows leaves at once.
	ChildCount int `json:"child_count"`
}

func (s *Server) handleTree() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.begin(w)
		depth, ok := httpapi.QueryInt(w, r, "depth", -1, 0, 1<<20)
		if !ok {
			return
		}
		cat := snap.Catalog()
		path := strings.Trim(httpapi.TrimPrefix(r, "/tree/"), "/")
		if r.URL.Path == "/tree" {
			w.Header().Set("Content-Type", "application/json")
			bw := bufio.NewWriterSize(w, 32<<10)
			bw.WriteByte('[')
			for i, n := range cat.Roots() {
				if i > 0 {
					bw.WriteByte(',')
				}
				writeTree(bw, snap, n, 0, depth)
			}
			bw.WriteString("]\n")
			bw.Flush()
			return
		}
		n := cat.Get(path)
		if n == nil {
			httpapi.WriteError(w, s.log, moniker.Errorf(moniker.ErrNotFound, "Path not found: %s", path))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriterSize(w, 32<<10)
		writeTree(bw, snap, n, 0, depth)
		bw.WriteByte('\n')
		bw.Flush()
	})
}

// writeTree streams one tree node and its children (to maxDepth; -1 = all)
// so a 100,000-node tree is never held in memory twice.
func writeTree(w *bufio.Writer, snap *resolve.Snapshot, n *moniker.Node, depth, maxDepth int) {
	kids := snap.Catalog().Children(n.Path)
	f := treeFields{Path: n.Path, Name: n.Name(), Description: n.Description, Domain: str(n.Domain), ChildCount: len(kids)}
	o := &n.Ownership
	f.Ownership = treeOwnership{AccountableOwner: str(o[moniker.AccountableOwner]), DataSpecialist: str(o[moniker.DataSpecialist]),
		SupportChannel: str(o[moniker.SupportChannel]), ADOP: o[moniker.ADOP], ADS: o[moniker.ADS], ADAL: o[moniker.ADAL], UI: o[moniker.UI]}
	if n.Binding != nil {
		f.SourceType, f.HasSourceBinding = &n.Binding.Type, true
	}
	b, _ := json.Marshal(f)
	w.Write(b[:len(b)-1]) // without the closing brace
	w.WriteString(`,"children":[`)
	if maxDepth < 0 || depth < maxDepth {
		for i, c := range kids {
			if i > 0 {
				w.WriteByte(',')
			}
			writeTree(w, snap, c, depth+1, maxDepth)
		}
	}
	w.WriteString("]}")
}
