package catalog

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// childList is the direct children of one parent path.
type childList struct {
	nodes []*moniker.Node // sorted case-insensitively by path
	names []string        // /list names: cut at the last "/", unique, sorted
}

// buildTree registers every node under its parent (moniker.Parent), even
// when the parent is not a node itself (reference §7.3, management §2.1).
func buildTree(nodes []*moniker.Node) map[string]*childList {
	tree := make(map[string]*childList)
	for _, n := range nodes {
		p := moniker.Parent(n.Path)
		cl := tree[p]
		if cl == nil {
			cl = &childList{}
			tree[p] = cl
		}
		cl.nodes = append(cl.nodes, n)
	}
	for _, cl := range tree {
		cl.nodes = slices.Clip(cl.nodes)
		slices.SortStableFunc(cl.nodes, func(a, b *moniker.Node) int { return compareFold(a.Path, b.Path) })
		names := make([]string, len(cl.nodes))
		for i, n := range cl.nodes {
			names[i] = n.Path[strings.LastIndexByte(n.Path, '/')+1:]
		}
		slices.Sort(names)
		cl.names = slices.Clip(slices.Compact(names))
	}
	return tree
}

// compareFold orders strings case-insensitively (by lower-cased runes),
// then by their bytes so the order is total.
func compareFold(a, b string) int {
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		ca, cb := a[i], b[j]
		if ca < utf8.RuneSelf && cb < utf8.RuneSelf {
			if 'A' <= ca && ca <= 'Z' {
				ca += 'a' - 'A'
			}
			if 'A' <= cb && cb <= 'Z' {
				cb += 'a' - 'A'
			}
			if ca != cb {
				return int(ca) - int(cb)
			}
			i++
			j++
			continue
		}
		ra, na := utf8.DecodeRuneInString(a[i:])
		rb, nb := utf8.DecodeRuneInString(b[j:])
		if la, lb := unicode.ToLower(ra), unicode.ToLower(rb); la != lb {
			return int(la) - int(lb)
		}
		i += na
		j += nb
	}
	if d := (len(a) - i) - (len(b) - j); d != 0 {
		return d
	}
	return strings.Compare(a, b)
}

// Children returns the direct children of path that are nodes, sorted
// case-insensitively by path (the /tree order). A node whose parent is not
// a node (an orphan) is a child of its virtual parent path only, so it is
// never reached by walking down from Roots. The slice must not be
// modified.
func (c *Catalog) Children(path string) []*moniker.Node {
	if cl := c.tree[path]; cl != nil {
		return cl.nodes
	}
	return nil
}

// Roots returns the nodes whose parent is the root "" (the /tree forest).
func (c *Catalog) Roots() []*moniker.Node { return c.Children("") }

// ChildNames returns what GET /list/{path} lists (reference §3.4, Q32):
// the paths of path's direct child nodes, each cut at its last "/",
// de-duplicated and sorted. A dotted child keeps its full path, a slash
// child only its last segment. The slice must not be modified.
func (c *Catalog) ChildNames(path string) []string {
	if cl := c.tree[path]; cl != nil {
		return cl.names
	}
	return nil
}

// pageIndex holds node indexes sorted by path, all and per status.
type pageIndex struct {
	all      []int32
	byStatus map[moniker.Status][]int32
}

func buildPaging(nodes []*moniker.Node) pageIndex {
	all := make([]int32, len(nodes))
	for i := range all {
		all[i] = int32(i)
	}
	slices.SortFunc(all, func(a, b int32) int { return strings.Compare(nodes[a].Path, nodes[b].Path) })
	counts := map[moniker.Status]int{}
	for _, n := range nodes {
		counts[n.EffectiveStatus()]++
	}
	by := make(map[moniker.Status][]int32, len(counts))
	for s, k := range counts {
		by[s] = make([]int32, 0, k)
	}
	for _, i := range all {
		s := nodes[i].EffectiveStatus()
		by[s] = append(by[s], i)
	}
	return pageIndex{all: all, byStatus: by}
}

// Page lists node paths for GET /catalog (reference §3.8): paths sorted
// by plain string order, restricted to nodes whose effective status is
// status ("" = all), starting after cursor ("" = from the start), at most
// limit of them. next is the page's last path when the page has exactly
// limit paths, "" otherwise (JSON null). Callers clamp limit; limit <= 0
// gives an empty page. It costs O(log n + limit).
func (c *Catalog) Page(cursor string, limit int, status moniker.Status) (paths []string, next string) {
	if limit <= 0 {
		return []string{}, ""
	}
	list := c.paging.all
	if status != "" {
		list = c.paging.byStatus[status]
	}
	i := 0
	if cursor != "" {
		i = sort.Search(len(list), func(k int) bool { return c.nodes[list[k]].Path > cursor })
	}
	end := min(len(list), i+limit)
	paths = make([]string, 0, end-i)
	for _, k := range list[i:end] {
		paths = append(paths, c.nodes[k].Path)
	}
	if len(paths) == limit {
		next = paths[len(paths)-1]
	}
	return paths, next
}

// Count is one key of an ordered count object.
type Count struct {
	Key string
	N   int
}

// Counts is an ordered map of counts; it marshals to a JSON object with
// its keys in slice order.
type Counts []Count

// Get returns the count for key (0 when absent).
func (cs Counts) Get(key string) int {
	for _, c := range cs {
		if c.Key == key {
			return c.N
		}
	}
	return 0
}

// MarshalJSON writes {"key": n, ...} in order.
func (cs Counts) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, c := range cs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, err := json.Marshal(c.Key)
		if err != nil {
			return nil, err
		}
		b.Write(k)
		b.WriteByte(':')
		b.WriteString(jsonInt(c.N))
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

func jsonInt(n int) string {
	out, _ := json.Marshal(n)
	return string(out)
}

// Stats is GET /catalog/stats (reference §3.10), computed once per
// catalog. Counts use each node's own fields, not inherited ones.
type Stats struct {
	Total int
	// The three count maps are ordered by count, highest first, as
	// upstream's body shows; equal counts keep lifecycle order (statuses)
	// or order of first appearance in load order (the others).

	// ByStatus counts effective statuses.
	ByStatus Counts
	// BySourceType counts nodes' own binding types.
	BySourceType Counts
	// ByClassification counts effective classifications.
	ByClassification Counts
	// HasOwnership counts nodes with any of accountable_owner,
	// data_specialist, support_channel, adop, ads, adal set.
	HasOwnership int
	// HasGovernanceRoles counts nodes with adop, ads or adal set.
	HasGovernanceRoles int
	// CoveragePercent is HasOwnership / max(Total, 1) x 100, rounded to
	// one decimal.
	CoveragePercent float64
}

// MarshalJSON writes the reference §3.10 body.
func (s Stats) MarshalJSON() ([]byte, error) {
	type coverage struct {
		HasOwnership       int     `json:"has_ownership"`
		HasGovernanceRoles int     `json:"has_governance_roles"`
		CoveragePercent    float64 `json:"coverage_percent"`
	}
	return json.Marshal(struct {
		Total            int      `json:"total_monikers"`
		ByStatus         Counts   `json:"by_status"`
		BySourceType     Counts   `json:"by_source_type"`
		ByClassification Counts   `json:"by_classification"`
		Coverage         coverage `json:"ownership_coverage"`
	}{s.Total, s.ByStatus, s.BySourceType, s.ByClassification,
		coverage{s.HasOwnership, s.HasGovernanceRoles, s.CoveragePercent}})
}

func buildStats(nodes []*moniker.Node) Stats {
	s := Stats{Total: len(nodes), ByStatus: Counts{}, BySourceType: Counts{}, ByClassification: Counts{}}
	var byStatus [len(moniker.Statuses)]int
	types := map[string]int{}
	classes := map[string]int{}
	add := func(cs *Counts, pos map[string]int, key string) {
		if i, ok := pos[key]; ok {
			(*cs)[i].N++
			return
		}
		pos[key] = len(*cs)
		*cs = append(*cs, Count{Key: key, N: 1})
	}
	for _, n := range nodes {
		byStatus[slices.Index(moniker.Statuses[:], n.EffectiveStatus())]++
		if n.Binding != nil {
			add(&s.BySourceType, types, n.Binding.Type)
		}
		add(&s.ByClassification, classes, n.EffectiveClassification())
		o := &n.Ownership
		gov := o[moniker.ADOP] != "" || o[moniker.ADS] != "" || o[moniker.ADAL] != ""
		if gov {
			s.HasGovernanceRoles++
		}
		if gov || o[moniker.AccountableOwner] != "" || o[moniker.DataSpecialist] != "" || o[moniker.SupportChannel] != "" {
			s.HasOwnership++
		}
	}
	for i, k := range byStatus {
		if k > 0 {
			s.ByStatus = append(s.ByStatus, Count{Key: string(moniker.Statuses[i]), N: k})
		}
	}
	for _, cs := range []Counts{s.ByStatus, s.BySourceType, s.ByClassification} {
		slices.SortStableFunc(cs, func(a, b Count) int { return b.N - a.N })
	}
	s.CoveragePercent = math.Round(float64(s.HasOwnership)/float64(max(s.Total, 1))*1000) / 10
	return s
}

// Stats returns the precomputed catalog statistics.
func (c *Catalog) Stats() Stats { return c.stats }

// StatusCounts is /health's catalog_counts: each effective status present
// with its node count (ordered as Stats.ByStatus), then "total".
func (c *Catalog) StatusCounts() Counts {
	out := make(Counts, 0, len(c.stats.ByStatus)+1)
	out = append(out, c.stats.ByStatus...)
	return append(out, Count{Key: "total", N: c.stats.Total})
}
