package query

import (
	"strings"
	"testing"
)

func BenchmarkRender(b *testing.B) {
	benchmarks := []struct {
		name, tmpl, moniker, binding string
		dialect                      Dialect
	}{
		{"sovereign", "WHERE {filter[0]:index_family} AND {filter[1]:currency} AND as_of_date = {version_date}",
			"benchmarks.sovereign/developed/EU.GovBondAgg/EUR@20260115", "benchmarks.sovereign/developed", Snowflake},
		{"segment", "/api/v3/assets/{segments[0]}", "commodities.derivatives/crypto/ETH", "commodities.derivatives/crypto", REST},
		{"rest_lookback", "/api/{path}?from={date_filter:d}&to={current_date}", "prices/AAPL@3M", "prices", REST},
	}
	for _, bm := range benchmarks {
		b.Run(bm.name, func(b *testing.B) {
			m := mustParse(b, bm.moniker)
			sub := strings.TrimPrefix(m.Path, bm.binding+"/")
			c := &Context{M: m, Segments: strings.Split(sub, "/"), Path: sub, Dialect: bm.dialect, Now: testNow}
			tmpl := Compile(bm.tmpl)
			buf := tmpl.Append(nil, c)
			b.ReportAllocs()
			b.SetBytes(int64(len(buf)))
			for b.Loop() {
				buf = tmpl.Append(buf[:0], c)
			}
		})
	}
}

func BenchmarkCompile(b *testing.B) {
	const tmpl = "SELECT index_id, currency, weight FROM DM_SOVEREIGN_INDICES\nWHERE {filter[0]:index_family}\n  AND {filter[1]:currency}\n  AND as_of_date = {version_date}\n"
	b.ReportAllocs()
	for b.Loop() {
		Compile(tmpl)
	}
}
