package moniker

import "testing"

// benchInputs are representative monikers, simple to heavy.
func benchInputs() []struct{ name, in string } {
	return []struct{ name, in string }{
		{"plain", "prices.equity/AAPL"},
		{"date", "prices.equity/AAPL@20260115"},
		{"date_segment", "prices/equity/AAPL/date@3M"},
		{"full", "moniker://verified@reference.security/ISIN/US0378331005@latest/details.corporate/v3?format=json&limit=10"},
		{"escaped_params", "holdings/20260115/fund_alpha?q=a+b%20c&f=%2526"},
	}
}

func BenchmarkParse(b *testing.B) {
	for _, bc := range benchInputs() {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Parse(bc.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkCacheKey(b *testing.B) {
	for _, bc := range benchInputs() {
		m, err := Parse(bc.in)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			buf := make([]byte, 0, 256)
			for b.Loop() {
				buf = m.CacheKey(buf[:0])
			}
		})
	}
}

func BenchmarkString(b *testing.B) {
	m, err := Parse("moniker://verified@reference.security/ISIN/US0378331005@latest/v3?format=json")
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = m.String()
	}
}
