package resolve

import (
	"errors"
	"math"
	"testing"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// cvarPolicy is the risk.cvar policy of the 6c1a393 sample.
func cvarPolicy() *moniker.AccessPolicy {
	return &moniker.AccessPolicy{
		BlockedPatterns:        []string{"ALL/ALL/ALL"},
		MinFilters:             1,
		CardinalityMultipliers: []int64{1000, 50, 200000},
		BaseRowCount:           1000,
		MaxRowsWarn:            10_000_000,
		MaxRowsBlock:           100_000_000,
	}
}

func TestPolicyCheck(t *testing.T) {
	tests := []struct {
		name    string
		p       *moniker.AccessPolicy
		sub     string // "" = exact match, no segments
		rows    int64
		wantMsg string // "" = allowed
	}{
		{"blocked pattern, default message", cvarPolicy(), "ALL/ALL/ALL", 1000 * 1000 * 50 * 200000,
			"Query pattern 'ALL/ALL/ALL' is blocked by access policy"},
		{"blocked pattern is case-insensitive", cvarPolicy(), "all/All/aLL/x", 1000 * 1000 * 50 * 200000,
			"Query pattern 'all/All/aLL/x' is blocked by access policy"},
		{"blocked pattern anchored at the start only", cvarPolicy(), "X/ALL/ALL/ALL", 1000 * 50 * 200000 * 100,
			"Query would return ~1,000,000,000,000 rows, exceeding limit of 100,000,000. Add more specific filters to reduce result size."},
		{"one filter but too many rows", cvarPolicy(), "758-A/USD/ALL", 1000 * 200000,
			"Query would return ~200,000,000 rows, exceeding limit of 100,000,000. Add more specific filters to reduce result size."},
		{"allowed under the block", cvarPolicy(), "758-A/ALL/B0YHY8V7", 1000 * 50, ""},
		{"fully specified", cvarPolicy(), "758-A/USD/B0YHY8V7", 1000, ""},
		{"above max_rows_warn is allowed", cvarPolicy(), "ALL/ALL/X", 1000 * 1000 * 50, ""},
		{"min_filters denies the bare binding", cvarPolicy(), "", 1000,
			"Access policy requires at least 1 specific filters, but only 0 provided"},
		{"min_filters counts non-ALL", &moniker.AccessPolicy{MinFilters: 2, BaseRowCount: 100}, "a/ALL/all", 100 * 100 * 100,
			"Access policy requires at least 2 specific filters, but only 1 provided"},
		{"default multiplier 100 per ALL", &moniker.AccessPolicy{BaseRowCount: 100, MaxRowsBlock: 99_999_999}, "ALL/ALL/ALL/x", 100_000_000,
			"Query would return ~100,000,000 rows, exceeding limit of 99,999,999. Add more specific filters to reduce result size."},
		{"base_row_count unset counts as 100", &moniker.AccessPolicy{MaxRowsBlock: 150}, "ALL", 10000,
			"Query would return ~10,000 rows, exceeding limit of 150. Add more specific filters to reduce result size."},
		{"denial_message replaces the row-limit text", &moniker.AccessPolicy{MaxRowsBlock: 1, DenialMessage: "no"}, "x", 100, "no"},
		{"denial_message replaces the pattern text", &moniker.AccessPolicy{BlockedPatterns: []string{"x"}, DenialMessage: "nope\n"}, "xy", 100, "nope\n"},
		{"required segment is ALL", &moniker.AccessPolicy{RequiredSegments: []int{5, 1}}, "a/ALL", 100 * 100,
			"Access policy requires segment 1 to be specified (cannot use ALL)"},
		{"required segment past the end is ignored", &moniker.AccessPolicy{RequiredSegments: []int{2}}, "a/ALL", 100 * 100, ""},
		{"required segment specified", &moniker.AccessPolicy{RequiredSegments: []int{0}}, "a/ALL", 100 * 100, ""},
		{"blocked before required", &moniker.AccessPolicy{RequiredSegments: []int{0}, BlockedPatterns: []string{"ALL"}}, "ALL", 10000,
			"Query pattern 'ALL' is blocked by access policy"},
		{"literal pattern matches a longer path", &moniker.AccessPolicy{BlockedPatterns: []string{"all/all"}}, "ALL/ALL/x", 1000000,
			"Query pattern 'ALL/ALL/x' is blocked by access policy"},
		{"literal pattern longer than the path", &moniker.AccessPolicy{BlockedPatterns: []string{"ALL/ALL"}}, "ALL", 10000, ""},
		{"literal pattern on no segments", &moniker.AccessPolicy{BlockedPatterns: []string{"ALL"}}, "", 100, ""},
		{"empty pattern matches everything", &moniker.AccessPolicy{BlockedPatterns: []string{""}}, "", 100,
			"Query pattern '' is blocked by access policy"},
		{"regex alternation stays anchored", &moniker.AccessPolicy{BlockedPatterns: []string{"a|b"}}, "xb", 100, ""},
		{"regex alternation matches", &moniker.AccessPolicy{BlockedPatterns: []string{"a|b"}}, "bx", 100,
			"Query pattern 'bx' is blocked by access policy"},
		{"an invalid pattern denies everything", &moniker.AccessPolicy{BlockedPatterns: []string{"(?!x)"}}, "anything", 100,
			"Access policy has an invalid blocked pattern '(?!x)'; access is denied"},
		{"estimate saturates", &moniker.AccessPolicy{CardinalityMultipliers: []int64{math.MaxInt64, 2}}, "ALL/ALL", math.MaxInt64, ""},
		{"no checks", &moniker.AccessPolicy{}, "ALL/ALL", 100 * 100 * 100, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cp := compilePolicy(tt.p)
			rows, err := cp.check(tt.sub)
			if tt.wantMsg == "" {
				if err != nil {
					t.Fatalf("denied: %v", err)
				}
			} else {
				d := asDenied(t, err)
				if d.Message != tt.wantMsg || d.EstimatedRows != rows || !d.HasEstimate {
					t.Errorf("denial = %+v, want message %q", d, tt.wantMsg)
				}
			}
			if tt.rows != 0 && rows != tt.rows {
				t.Errorf("estimated rows = %d, want %d", rows, tt.rows)
			}
		})
	}
}

func TestPolicyCheckDoesNotAllocateWhenAllowed(t *testing.T) {
	cp := compilePolicy(cvarPolicy())
	allocs := testing.AllocsPerRun(100, func() {
		if _, err := cp.check("758-A/ALL/B0YHY8V7"); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("check allocates %v times", allocs)
	}
}

func TestGroupThousands(t *testing.T) {
	for n, want := range map[int64]string{0: "0", 999: "999", 1000: "1,000", -1234567: "-1,234,567",
		100000000: "100,000,000", math.MaxInt64: "9,223,372,036,854,775,807"} {
		if got := groupThousands(n); got != want {
			t.Errorf("groupThousands(%d) = %q, want %q", n, got, want)
		}
	}
}

// TestPolicyOnResolve checks the policy through Resolve: the segments are
// the sub-path below the binding, with none on an exact match; denials are
// not cached; and a cache hit is checked again.
func TestPolicyOnResolve(t *testing.T) {
	nodes := []*moniker.Node{
		{Path: "risk"},
		{Path: "risk.cvar", AccessPolicy: cvarPolicy(), Binding: &moniker.SourceBinding{Type: "oracle",
			Config: map[string]any{"dsn": "d", "query": "'{segments[0]}' '{segments[1]}' '{segments[2]}'"}}},
	}
	s := newSnap(nodes, nil, Options{CacheEnabled: true})

	for _, in := range []string{"risk.cvar", "risk.cvar/ALL/ALL/ALL", "risk.cvar/758-A/USD/ALL"} {
		for range 2 {
			_, cached, err := s.Resolve(mustParse(t, in))
			asDenied(t, err)
			if cached {
				t.Errorf("%s: a denial came from the cache", in)
			}
		}
	}
	if st := s.CacheStats(); st.Size != 0 {
		t.Fatalf("denials were cached: %+v", st)
	}

	e, cached, err := s.Resolve(mustParse(t, "risk.cvar/758-A/ALL/B0YHY8V7@20260115"))
	if err != nil || cached {
		t.Fatalf("allowed moniker: cached %v err %v", cached, err)
	}
	if e.Res.EstimatedRows != 50000 || e.Res.Query != "'758-A' 'ALL' 'B0YHY8V7'" {
		t.Errorf("estimated rows %d, query %q", e.Res.EstimatedRows, e.Res.Query)
	}
	if _, cached, err = s.Resolve(mustParse(t, "risk.cvar/758-A/ALL/B0YHY8V7@20260115")); err != nil || !cached {
		t.Fatalf("second resolve: cached %v err %v", cached, err)
	}

	// A cached entry is re-checked on every hit: plant an entry for a
	// moniker the policy denies (as if it had been cached before the
	// policy applied) and expect a denial, not the entry.
	m := mustParse(t, "risk.cvar/ALL/ALL/ALL")
	planted := *e
	planted.key = string(m.CacheKey(nil))
	planted.policySub = "ALL/ALL/ALL"
	s.cache.put(&planted)
	if _, ok := s.cache.gens.Load().cur.m.Load(planted.key); !ok {
		t.Fatal("planted entry not in the cache")
	}
	_, cached, err = s.Resolve(m)
	if d := asDenied(t, err); d.EstimatedRows != 1000*1000*50*200000 || cached {
		t.Errorf("planted hit: %+v cached %v", d, cached)
	}
	if st := s.CacheStats(); st.Hits != 2 {
		t.Errorf("hits = %d, want 2 (the allowed hit and the denied one)", st.Hits)
	}
}

func TestPolicyOfSkippedNodeNotApplied(t *testing.T) {
	// A draft node's policy is not used: the ancestor's binding and
	// policy are.
	nodes := []*moniker.Node{
		{Path: "a", Binding: snowflake("q {path}")},
		{Path: "a/b", Status: moniker.StatusDraft, AccessPolicy: &moniker.AccessPolicy{MinFilters: 5}, Binding: snowflake("draft")},
	}
	s := NewSnapshot(catalog.New(nodes), nil, Options{})
	e, _, err := s.Resolve(mustParse(t, "a/b"))
	if err != nil {
		t.Fatal(err)
	}
	if e.Res.Query != "q b" || e.Res.Status != moniker.StatusDraft {
		t.Errorf("query %q status %q", e.Res.Query, e.Res.Status)
	}
	if errors.Is(err, moniker.ErrDenied) {
		t.Error("draft node's policy applied")
	}
}
