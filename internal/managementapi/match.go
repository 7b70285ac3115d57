package managementapi

import (
	"net/http"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/models"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// Limits of GET /config/matches.
const (
	// matchDefaultLimit is how many paths are listed without ?limit.
	matchDefaultLimit = 50
	// matchMaxLimit bounds ?limit.
	matchMaxLimit = 1000
)

// matchesJSON is the GET /config/matches answer.
type matchesJSON struct {
	Pattern   string   `json:"pattern"`
	Matches   []string `json:"matches"`
	Count     int      `json:"count"`
	Truncated bool     `json:"truncated"`
}

// configMatches is GET /config/matches?pattern=&limit=: the paths of the
// working copy's nodes that the pattern matches (models.Pattern: "*" any
// run without "/", "**" any run), sorted, at most limit of them (default
// 50, at most 1000; 0 counts only); count is the total. A missing or
// invalid pattern answers 422 naming it.
func (s *Server) configMatches(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	raw, present := q["pattern"]
	if !present || raw[0] == "" {
		httpapi.WriteFields(w, httpapi.InQuery, httpapi.Missing("pattern"))
		return
	}
	pat, err := models.Compile(raw[0])
	if err != nil {
		httpapi.WriteFields(w, httpapi.InQuery, moniker.FieldError{Type: "value_error", Loc: []string{"pattern"}, Msg: err.Error(), Input: raw[0]})
		return
	}
	limit := matchDefaultLimit
	if q.Get("limit") != "" {
		n, ok := httpapi.QueryInt(w, r, "limit", 0, 0, matchMaxLimit)
		if !ok {
			return
		}
		limit = n
	}
	paths, count := matchPaths(ed.View(), pat, limit)
	httpapi.WriteJSON(w, http.StatusOK, matchesJSON{Pattern: pat.String(), Matches: paths, Count: count, Truncated: count > len(paths)})
}

// matcher is a compiled pattern with exact shortcuts in front of its
// regular expression (models.Pattern.Match decides every other case):
// a pattern that is a literal prefix and then "**" matches exactly the
// paths with that prefix; a path that does not end with the text after
// the last "*", or whose number of "/" differs from a pattern without
// "**", cannot match.
type matcher struct {
	pat        *models.Pattern
	prefix     string // the text before the first "*"
	suffix     string // the text after the last "*"
	prefixOnly bool   // the pattern is prefix + "**"
	slashes    int    // the number of "/" a match has; -1 with "**"
}

func newMatcher(pat *models.Pattern) matcher {
	src := pat.String()
	m := matcher{pat: pat, slashes: -1}
	first, last := strings.IndexByte(src, '*'), strings.LastIndexByte(src, '*')
	if first < 0 {
		m.prefix = src
		m.slashes = strings.Count(src, "/")
		return m
	}
	m.prefix, m.suffix = src[:first], src[last+1:]
	stars := src[first : last+1]
	m.prefixOnly = len(stars) >= 2 && strings.Trim(stars, "*") == "" && m.suffix == ""
	if !strings.Contains(src, "**") {
		m.slashes = strings.Count(src, "/")
	}
	return m
}

// match reports whether path matches the pattern.
func (m *matcher) match(path string) bool {
	switch {
	case !strings.HasPrefix(path, m.prefix):
		return false
	case m.prefixOnly:
		return true
	case !strings.HasSuffix(path, m.suffix):
		return false
	case m.slashes >= 0 && strings.Count(path, "/") != m.slashes:
		return false
	}
	return m.pat.Match(path)
}

// matchPaths returns the first limit paths (in string order) of cat's
// nodes that pat matches, and how many match in all. One pass over the
// nodes; it allocates O(limit), not O(matches): matches are buffered up
// to twice limit, then sorted and cut back to limit, and a match after
// the current limit-th path is dropped at once.
func matchPaths(cat *catalog.Catalog, pat *models.Pattern, limit int) (paths []string, count int) {
	m := newMatcher(pat)
	buf := make([]string, 0, 2*limit)
	var bound string // the largest path kept, once buf has been cut
	bounded := false
	for _, n := range cat.Nodes() {
		p := n.Path
		if !m.match(p) {
			continue
		}
		count++
		if limit == 0 || bounded && p > bound {
			continue
		}
		buf = append(buf, p)
		if len(buf) == cap(buf) {
			slices.Sort(buf)
			buf = buf[:limit]
			bound, bounded = buf[limit-1], true
		}
	}
	slices.Sort(buf)
	return buf[:min(len(buf), limit)], count
}
