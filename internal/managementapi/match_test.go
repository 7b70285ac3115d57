package managementapi_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/catalog/gen"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/models"
)

// matchURL is GET /config/matches with the pattern and, when not "", the
// limit.
func matchURL(pattern, limit string) string {
	v := url.Values{"pattern": {pattern}}
	if limit != "" {
		v.Set("limit", limit)
	}
	return "/config/matches?" + v.Encode()
}

// matchWant is the expected answer: every path of ed's working copy that
// pattern matches, sorted, cut to limit, and the total.
func matchWant(t testing.TB, ed *catalogedit.Editor, pattern string, limit int) ([]string, int) {
	t.Helper()
	p, err := models.Compile(pattern)
	if err != nil {
		t.Fatal(err)
	}
	var all []string
	for _, n := range ed.View().Nodes() {
		if p.Match(n.Path) {
			all = append(all, n.Path)
		}
	}
	slices.Sort(all)
	return all[:min(len(all), limit)], len(all)
}

// matchBody decodes the matches of an answer.
func matchBody(t *testing.T, r regResp) (matches []string, count int, truncated bool) {
	t.Helper()
	list, ok := r.body["matches"].([]any)
	if !ok {
		t.Fatalf("matches is not a list: %s", r.raw)
	}
	matches = []string{}
	for _, m := range list {
		matches = append(matches, m.(string))
	}
	return matches, int(r.body["count"].(float64)), r.body["truncated"].(bool)
}

// TestConfigMatches checks GET /config/matches on our test catalog:
// the paths (sorted), count and truncation for hand-checked patterns,
// every answer checked against the OpenAPI document.
func TestConfigMatches(t *testing.T) {
	e := newRegEnv(t, nil)
	for _, tt := range []struct {
		pattern, limit string
		want           []string
		count          int
	}{
		{"fixed_income/*/*", "", []string{"fixed_income/govies/sovereign", "fixed_income/govies/treasury", "fixed_income/mbs/pools", "fixed_income/mbs/prepay"}, 4},
		{"fixed_income/govies/*", "", []string{"fixed_income/govies/sovereign", "fixed_income/govies/treasury"}, 2},
		{"fixed_income/*/*", "2", []string{"fixed_income/govies/sovereign", "fixed_income/govies/treasury"}, 4},
		{"fixed_income/*/*", "0", []string{}, 4},
		{"fixed_income/**", "", []string{"fixed_income/govies", "fixed_income/govies/sovereign", "fixed_income/govies/treasury",
			"fixed_income/mbs", "fixed_income/mbs/pools", "fixed_income/mbs/prepay"}, 6},
		{"fixed_income/*", "", []string{"fixed_income/govies", "fixed_income/mbs"}, 2},
		// "." is literal and "*" does not cross "/".
		{"risk.*", "", []string{"risk.cvar", "risk.greeks", "risk.limits", "risk.stress", "risk.var"}, 5},
		{"risk?cvar", "", []string{}, 0},
		{"reference.calendars/exchange", "", []string{"reference.calendars/exchange"}, 1},
		{"prices.*/*", "", []string{}, 0},
	} {
		t.Run(tt.pattern+" limit="+tt.limit, func(t *testing.T) {
			r := e.do(http.MethodGet, matchURL(tt.pattern, tt.limit), "/config/matches", "").want(t, http.StatusOK, "")
			got, count, truncated := matchBody(t, r)
			if !slices.Equal(got, tt.want) || count != tt.count || truncated != (tt.count > len(tt.want)) {
				t.Errorf("got %q count %d truncated %v, want %q count %d", got, count, truncated, tt.want, tt.count)
			}
			if r.body["pattern"] != tt.pattern {
				t.Errorf("pattern %v, want %q", r.body["pattern"], tt.pattern)
			}
			if r.hdr.Get("X-Moniker-Catalog-Version") == "" {
				t.Error("no X-Moniker-Catalog-Version header")
			}
		})
	}
}

// TestConfigMatchesTruncation compares the answer with a sort of every
// match on a generated catalog (not in path order), for limits below,
// at and above the number of matches, so that the bounded buffer is cut
// many times.
func TestConfigMatchesTruncation(t *testing.T) {
	ed := genEditor(t, 3000)
	h := matchMux(t, managementapi.Config{Catalog: ed})
	for _, pattern := range []string{"**", "***", "*", "*/*", "*/*/*", "prices0.*/*", "prices0.**", "prices0.limits/emea",
		"*/emea", "**/emea", "**emea", "*0.*", "rates*", "r*s*.*s/*", "nothing/here"} {
		for _, limit := range []int{0, 1, 2, 7, 50, 1000} {
			t.Run(pattern+" "+strconv.Itoa(limit), func(t *testing.T) {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, matchURL(pattern, strconv.Itoa(limit)), nil))
				r := regResp{code: rec.Code, raw: rec.Body.String()}
				if err := json.Unmarshal(rec.Body.Bytes(), &r.body); err != nil {
					t.Fatal(err)
				}
				r.want(t, http.StatusOK, "")
				got, count, truncated := matchBody(t, r)
				want, total := matchWant(t, ed, pattern, limit)
				if want == nil {
					want = []string{}
				}
				if !slices.Equal(got, want) || count != total || truncated != (total > limit) {
					t.Errorf("got %d paths %.3q… count %d truncated %v; want %d paths %.3q… count %d", len(got), got, count, truncated, len(want), want, total)
				}
			})
		}
	}
}

// TestConfigMatchesInvalid checks the 422 answers (a missing, empty or
// malformed pattern names "pattern"; a bad limit names "limit") and the
// 503 without a catalog.
func TestConfigMatchesInvalid(t *testing.T) {
	e := newRegEnv(t, nil)
	for _, tt := range []struct {
		name, target, loc string
	}{
		{"missing pattern", "/config/matches", "query.pattern"},
		{"empty pattern", "/config/matches?pattern=", "query.pattern"},
		{"white space", matchURL("risk cvar/*", ""), "query.pattern"},
		{"control character", matchURL("risk\x01", ""), "query.pattern"},
		{"limit not a number", matchURL("**", "ten"), "query.limit"},
		{"limit too large", matchURL("**", "1001"), "query.limit"},
		{"limit negative", matchURL("**", "-1"), "query.limit"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := e.do(http.MethodGet, tt.target, "/config/matches", "").want(t, http.StatusUnprocessableEntity, httpapi.CodeValidation)
			if got := r.fieldLoc(); got != tt.loc {
				t.Errorf("loc %q, want %q: %s", got, tt.loc, r.raw)
			}
		})
	}
	t.Run("no catalog", func(t *testing.T) {
		e := newRegEnv(t, func(c *managementapi.Config) { c.Catalog = nil })
		e.do(http.MethodGet, matchURL("**", ""), "/config/matches", "").want(t, http.StatusServiceUnavailable, httpapi.CodeNotInitialized)
	})
}

// genEditor opens a catalog editor on a generated catalog of n nodes.
func genEditor(t testing.TB, n int) *catalogedit.Editor {
	t.Helper()
	p := filepath.Join(t.TempDir(), "catalog.yaml")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := gen.Write(f, gen.Options{Nodes: n, Seed: 1}); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	ed, err := catalogedit.Open(p, catalogedit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ed
}

// matchMux serves the management routes of c.
func matchMux(t testing.TB, c managementapi.Config) http.Handler {
	t.Helper()
	mux := http.NewServeMux()
	httpapi.Register(mux, httpapi.NewMetrics(prometheus.NewRegistry()), managementapi.New(c).Routes())
	return mux
}

// BenchmarkConfigMatches is GET /config/matches on a 100,000-node
// catalog: a pattern with a literal prefix, one without (the pattern is
// tried on every node) and "**" (every node matches; the answer still
// allocates for 50 paths only).
func BenchmarkConfigMatches(b *testing.B) {
	ed := genEditor(b, 100_000)
	h := matchMux(b, managementapi.Config{Catalog: ed})
	for _, pattern := range []string{"prices0.*/*", "*/emea", "**"} {
		b.Run(pattern, func(b *testing.B) {
			req := httptest.NewRequest(http.MethodGet, matchURL(pattern, ""), nil)
			b.ReportAllocs()
			for b.Loop() {
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
