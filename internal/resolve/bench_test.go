package resolve

import (
	"fmt"
	"testing"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// benchNodes is a catalog shaped like the hot paths of our test catalog: a
// dotted root with owners, a snowflake binding with the prices.equity
// query, and an oracle binding with the risk.cvar access policy.
func benchNodes() []*moniker.Node {
	nodes := []*moniker.Node{
		{Path: "prices", Ownership: owners("pricing-owners@firm.com", "pricing-ops@firm.com", "#pricing-help")},
		{Path: "prices.equity", Binding: snowflake("SELECT ticker, open_px, high_px, low_px, close_px, volume, vwap_px\n" +
			"FROM EQUITY_CLOSE\nWHERE {filter[0]:ticker}\n  AND price_date = CASE\n" +
			"    WHEN {is_latest} = 'true' THEN (SELECT MAX(price_date) FROM EQUITY_CLOSE)\n    ELSE {version_date}\n  END\n")},
		{Path: "risk", Ownership: owners("risk-owners@firm.com", "risk-analytics@firm.com", "#risk-help")},
		{Path: "risk.cvar", AccessPolicy: cvarPolicy(), Binding: &moniker.SourceBinding{Type: "oracle", ReadOnly: true,
			Config: map[string]any{"dsn": "risk-db.firm.com:1521/RISK", "query": "SELECT calc_date, book, instrument_id, es\n" +
				"FROM risk_owner.expected_shortfall\n" +
				"WHERE ('{segments[0]}' = 'ALL' OR book = '{segments[0]}')\n" +
				"  AND ('{segments[1]}' = 'ALL' OR ccy = '{segments[1]}')\n" +
				"  AND ('{segments[2]}' = 'ALL' OR instrument_id = '{segments[2]}')\n"}}},
	}
	for i := range 200 { // some bulk, so map lookups are not trivially small
		nodes = append(nodes, &moniker.Node{Path: fmt.Sprintf("bulk%d.x/y", i), Binding: snowflake("q {path}")})
	}
	return nodes
}

func BenchmarkResolveCached(b *testing.B) {
	for _, in := range []string{"prices.equity/AAPL@20260115", "risk.cvar/758-A/USD/B0YHY8V7"} {
		b.Run(in, func(b *testing.B) {
			s := newSnap(benchNodes(), nil, Options{CacheEnabled: true})
			m := mustParse(b, in)
			if _, _, err := s.Resolve(m); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, cached, err := s.Resolve(m); err != nil || !cached {
					b.Fatal(cached, err)
				}
			}
		})
	}
}

func BenchmarkResolveUncached(b *testing.B) {
	// Distinct monikers (a varying symbol), parsed up front: each resolve
	// misses the cache, builds the entry and stores it.
	const n = 1 << 15
	ms := make([]*moniker.Moniker, n)
	for i := range ms {
		ms[i] = mustParse(b, fmt.Sprintf("prices.equity/SYM%d@20260115", i))
	}
	for _, cache := range []bool{true, false} {
		b.Run(fmt.Sprintf("cache=%v", cache), func(b *testing.B) {
			s := newSnap(benchNodes(), nil, Options{CacheEnabled: cache, CacheMaxSize: 10000})
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				if _, cached, err := s.Resolve(ms[i%n]); err != nil || cached {
					b.Fatal(cached, err)
				}
				i++
			}
		})
	}
}

func BenchmarkAppendResolutionJSON(b *testing.B) {
	s := newSnap(benchNodes(), nil, Options{})
	e, _, err := s.Resolve(mustParse(b, "prices.equity/AAPL@20260115"))
	if err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	b.SetBytes(int64(len(e.Body)))
	for b.Loop() {
		buf = AppendResolutionJSON(buf[:0], e.Res)
	}
}
