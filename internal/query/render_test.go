package query

import (
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// mustParse parses a moniker for a test.
func mustParse(t testing.TB, s string) *moniker.Moniker {
	t.Helper()
	m, err := moniker.Parse(s)
	if err != nil {
		t.Fatalf("Parse(%q): %v", s, err)
	}
	return &m
}

// same gives one expected value for every dialect.
func same(s string) [4]string { return [4]string{s, s, s, s} }

// Expected dialect expressions with now = 2026-11-27, in Dialect order.
var (
	wantCurrent  = [4]string{"CURRENT_DATE()", "SYSDATE", "CAST(GETDATE() AS DATE)", "2026-11-27"}
	wantLiteral  = [4]string{"TO_DATE('20260115', 'YYYYMMDD')", "TO_DATE('20260115', 'YYYYMMDD')", "CONVERT(DATE, '20260115', 112)", "2026-01-15"}
	want3M       = [4]string{"DATEADD('MONTH', -3, CURRENT_DATE())", "ADD_MONTHS(SYSDATE, -3)", "DATEADD(MONTH, -3, CAST(GETDATE() AS DATE))", "2026-08-27"}
	want1D       = [4]string{"DATEADD('DAY', -1, CURRENT_DATE())", "SYSDATE - 1", "DATEADD(DAY, -1, CAST(GETDATE() AS DATE))", "2026-11-26"}
	wantNoFilter = [4]string{"1=1", "1=1", "1=1", ""}
)

// prefixed prepends p to every dialect's value.
func prefixed(p string, v [4]string) [4]string {
	for i := range v {
		v[i] = p + v[i]
	}
	return v
}

func renderAll(t *testing.T, tmpl string, m *moniker.Moniker, segs []string, path string) [4]string {
	t.Helper()
	compiled := Compile(tmpl)
	if len(compiled.Placeholders()) == 0 && strings.Contains(tmpl, "{") {
		t.Fatalf("%q has no known placeholder", tmpl)
	}
	var got [4]string
	for d := Snowflake; d <= REST; d++ {
		got[d] = compiled.Render(&Context{M: m, Segments: segs, Path: path, Dialect: d, Now: testNow})
	}
	return got
}

func TestRenderSegmentPlaceholders(t *testing.T) {
	m := mustParse(t, "prices.equity/AAPL/ALL/20260115/all@20260101")
	segs := []string{"AAPL", "ALL", "20260115", "all", "2026011", "a-b.c_d"}
	path := strings.Join(segs, "/")
	tests := []struct {
		tmpl string
		want [4]string
	}{
		{"{segments[0]}", same("AAPL")},
		{"{segments[3]}", same("all")},
		{"{segments[5]}", same("a-b.c_d")},
		{"{segments[00]}", same("AAPL")},
		{"{segments[6]}", same("")},
		{"{segments[99999999999999999999]}", same("")},
		{"{segments[2]:date}", same("2026-01-15")},
		{"{segments[0]:date}", same("AAPL")},
		{"{segments[4]:date}", same("2026011")},
		{"{segments[6]:date}", same("")},
		{"{segment_date_sql[2]}", wantLiteral},
		{"{segment_date_sql[0]}", same("'AAPL'")},
		{"{segment_date_sql[4]}", same("'2026011'")},
		{"{segment_date_sql[6]}", same("NULL")},
		{"{is_all[0]}", same("false")},
		{"{is_all[1]}", same("true")},
		{"{is_all[3]}", same("true")},
		{"{is_all[6]}", same("false")},
		{"{filter[0]:symbol}", same("symbol = 'AAPL'")},
		{"{filter[2]:as_of}", same("as_of = '20260115'")},
		{"{filter[1]:symbol}", wantNoFilter},
		{"{filter[3]:symbol}", wantNoFilter},
		{"{filter[6]:symbol}", wantNoFilter},
		{"{filter[99999999999999999999]:symbol}", wantNoFilter},
		{"{path}", same(path)},
		{"{{segments[0]}}", same("{AAPL}")},
		{"/{segments[0]}/{segments[1]}.json", same("/AAPL/ALL.json")},
	}
	for _, tt := range tests {
		if got := renderAll(t, tt.tmpl, m, segs, path); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.tmpl, got, tt.want)
		}
	}
}

// versionPlaceholders lists every placeholder that depends on the moniker
// rather than the segments; TestRenderVersionPlaceholders checks each of
// them for every kind of version.
var versionPlaceholders = []string{
	"{version}", "{version_date}", "{revision}", "{namespace}", "{moniker}", "{sub_resource}",
	"{version_type}", "{is_date}", "{is_latest}", "{is_lookback}", "{is_frequency}", "{is_all}",
	"{lookback_value}", "{lookback_unit}", "{frequency}", "{current_date}", "{lookback_start_sql}",
	"{is_tenor}", "{tenor_value}", "{tenor_unit}", "{date_value}", "{date_sql}", "{date_filter:as_of}",
}

func TestRenderVersionPlaceholders(t *testing.T) {
	// base is the expectation for a moniker without a version; each case
	// overrides what its version changes.
	base := map[string][4]string{
		"{version}":            same(""),
		"{version_date}":       wantCurrent,
		"{revision}":           same(""),
		"{namespace}":          same(""),
		"{moniker}":            same("moniker://prices.equity/AAPL"),
		"{sub_resource}":       same(""),
		"{version_type}":       same(""),
		"{is_date}":            same("false"),
		"{is_latest}":          same("false"),
		"{is_lookback}":        same("false"),
		"{is_frequency}":       same("false"),
		"{is_all}":             same("false"),
		"{lookback_value}":     same(""),
		"{lookback_unit}":      same(""),
		"{frequency}":          same(""),
		"{current_date}":       wantCurrent,
		"{lookback_start_sql}": same(""),
		"{is_tenor}":           same("false"),
		"{tenor_value}":        same(""),
		"{tenor_unit}":         same(""),
		"{date_value}":         same(""),
		"{date_sql}":           same(""),
		"{date_filter:as_of}":  wantNoFilter,
	}
	if len(base) != len(versionPlaceholders) {
		t.Fatalf("base has %d entries, versionPlaceholders %d", len(base), len(versionPlaceholders))
	}
	tests := []struct {
		moniker string
		diff    map[string][4]string
	}{
		{"prices.equity/AAPL", nil},
		{"prices.equity/AAPL@", map[string][4]string{
			"{moniker}": same("moniker://prices.equity/AAPL@"),
		}},
		{"ns@prices.equity/AAPL@20260115/details.corporate/v007", map[string][4]string{
			"{version}":           same("20260115"),
			"{version_date}":      wantLiteral,
			"{revision}":          same("7"),
			"{namespace}":         same("ns"),
			"{moniker}":           same("moniker://ns@prices.equity/AAPL@20260115/details.corporate/v7"),
			"{sub_resource}":      same("details.corporate"),
			"{version_type}":      same("date"),
			"{is_date}":           same("true"),
			"{date_value}":        same("20260115"),
			"{date_sql}":          wantLiteral,
			"{date_filter:as_of}": prefixed("as_of = ", wantLiteral),
		}},
		{"prices.equity/AAPL@3m", map[string][4]string{
			"{version}":            same("3m"),
			"{version_date}":       want3M,
			"{moniker}":            same("moniker://prices.equity/AAPL@3m"),
			"{version_type}":       same("lookback"),
			"{is_lookback}":        same("true"),
			"{is_tenor}":           same("true"),
			"{lookback_value}":     same("3"),
			"{lookback_unit}":      same("M"),
			"{tenor_value}":        same("3"),
			"{tenor_unit}":         same("M"),
			"{lookback_start_sql}": want3M,
			"{date_value}":         same("3m"),
			"{date_sql}":           want3M,
			"{date_filter:as_of}":  {"as_of >= " + want3M[0], "as_of >= " + want3M[1], "as_of >= " + want3M[2], want3M[3]},
		}},
		{"prices.equity/AAPL@latest", map[string][4]string{
			"{version}":           same("latest"),
			"{version_date}":      same("'__LATEST__'"),
			"{moniker}":           same("moniker://prices.equity/AAPL@latest"),
			"{version_type}":      same("latest"),
			"{is_latest}":         same("true"),
			"{date_value}":        same("latest"),
			"{date_sql}":          wantCurrent,
			"{date_filter:as_of}": prefixed("as_of = ", wantCurrent),
		}},
		{"prices.equity/AAPL/date@previous", map[string][4]string{
			"{version}":           same("previous"),
			"{version_date}":      want1D,
			"{moniker}":           same("moniker://prices.equity/AAPL@previous"),
			"{version_type}":      same("previous"),
			"{date_value}":        same("previous"),
			"{date_sql}":          want1D,
			"{date_filter:as_of}": prefixed("as_of = ", want1D),
		}},
		{"prices.equity/AAPL@ALL", map[string][4]string{
			"{version}":      same("ALL"),
			"{version_date}": same("'ALL'"),
			"{moniker}":      same("moniker://prices.equity/AAPL@ALL"),
			"{version_type}": same("all"),
			"{is_all}":       same("true"),
			"{date_value}":   same("ALL"),
			"{date_sql}":     same("'ALL'"),
		}},
		{"prices.equity/AAPL@Daily", map[string][4]string{
			"{version}":      same("Daily"),
			"{version_date}": same("'Daily'"),
			"{moniker}":      same("moniker://prices.equity/AAPL@Daily"),
			"{version_type}": same("frequency"),
			"{is_frequency}": same("true"),
			"{frequency}":    same("daily"),
			"{date_value}":   same("Daily"),
			"{date_sql}":     same("'Daily'"),
		}},
		{"prices.equity/AAPL@v2beta?b=x%27y&a=1", map[string][4]string{
			"{version}":      same("v2beta"),
			"{version_date}": same("'v2beta'"),
			"{moniker}":      same("moniker://prices.equity/AAPL@v2beta?b=x%27y&a=1"),
			"{version_type}": same("custom"),
			"{date_value}":   same("v2beta"),
			"{date_sql}":     same("'v2beta'"),
		}},
	}
	for _, tt := range tests {
		m := mustParse(t, tt.moniker)
		for _, ph := range versionPlaceholders {
			want, ok := tt.diff[ph]
			if !ok {
				want = base[ph]
			}
			if got := renderAll(t, ph, m, []string{"AAPL"}, "AAPL"); got != want {
				t.Errorf("%s with %s:\n got %q\nwant %q", ph, tt.moniker, got, want)
			}
		}
	}
}

func TestRenderByHandMoniker(t *testing.T) {
	// Monikers built by hand rather than parsed: a lower-case unit and a
	// revision 0.
	m := &moniker.Moniker{
		Path: "x", Segments: []string{"x"}, HasVersion: true, Version: "2w",
		VersionType: moniker.VersionLookback, LookbackValue: 2, LookbackUnit: 'w',
		HasRevision: true, Revision: 0,
	}
	got := Compile("{lookback_unit} {revision} {lookback_start_sql}").Render(&Context{M: m, Dialect: Oracle})
	if want := "W 0 SYSDATE - 14"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRenderNilMonikerIsRoot(t *testing.T) {
	got := Compile("{moniker}|{version}|{version_date}|{date_sql}|{is_date}").Render(&Context{})
	if want := "moniker://||CURRENT_DATE()||false"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestRenderWorkedExample(t *testing.T) {
	// Reference §6.7: sample benchmarks.sovereign/developed, snowflake.
	const tmpl = "WHERE {filter[0]:index_family} AND {filter[1]:currency} AND as_of_date = {version_date}"
	compiled := Compile(tmpl)
	tests := []struct {
		moniker string
		want    string
	}{
		{"benchmarks.sovereign/developed/EU.GovBondAgg/EUR@20260115",
			"WHERE index_family = 'EU.GovBondAgg' AND currency = 'EUR' AND as_of_date = TO_DATE('20260115', 'YYYYMMDD')"},
		{"benchmarks.sovereign/developed/ALL/ALL",
			"WHERE 1=1 AND 1=1 AND as_of_date = CURRENT_DATE()"},
		{"benchmarks.sovereign/developed/all/USD@latest",
			"WHERE 1=1 AND currency = 'USD' AND as_of_date = '__LATEST__'"},
	}
	for _, tt := range tests {
		m := mustParse(t, tt.moniker)
		sub, ok := moniker.SubPath(m.Path, "benchmarks.sovereign/developed")
		if !ok {
			t.Fatalf("%s is not under the binding", m.Path)
		}
		c := &Context{M: m, Segments: strings.Split(sub, "/"), Path: sub, Dialect: Snowflake, Now: testNow}
		if got := compiled.Render(c); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.moniker, got, tt.want)
		}
	}
}

func TestRenderExactMatchUsesFullPath(t *testing.T) {
	// Q18: on an exact binding match the caller passes the full path's
	// segments, so {segments[0]} is the first segment of the path.
	m := mustParse(t, "risk.cvar")
	c := &Context{M: m, Segments: m.Segments, Path: m.Path}
	if got := Compile("{segments[0]}|{path}|{segments[1]}").Render(c); got != "risk.cvar|risk.cvar|" {
		t.Errorf("got %q", got)
	}
}

func TestRenderIsSinglePass(t *testing.T) {
	// A rendered value is never read as template text (documented
	// difference: upstream's later passes would expand these).
	m := mustParse(t, "a/path")
	c := &Context{M: m, Segments: []string{"path", "version"}, Path: "a/path"}
	tests := map[string]string{
		"{{segments[0]}}":           "{path}",
		"{{segments[1]}}":           "{version}",
		"{{version}namespace}":      "{namespace}",
		"{segments[{segments[0]}]}": "{segments[path]}",
	}
	for tmpl, want := range tests {
		if got := Compile(tmpl).Render(c); got != want {
			t.Errorf("%s: got %q, want %q", tmpl, got, want)
		}
	}
}

func TestAppendPreservesDst(t *testing.T) {
	m := mustParse(t, "a/b@20260115")
	c := &Context{M: m, Segments: []string{"b"}, Path: "b", Dialect: MSSQL, Now: testNow}
	got := string(Compile("x={segments[0]} d={version_date}").Append([]byte("prefix:"), c))
	if want := "prefix:x=b d=CONVERT(DATE, '20260115', 112)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestAppendDoesNotAllocate(t *testing.T) {
	var all strings.Builder
	for _, ph := range versionPlaceholders {
		all.WriteString(ph)
		all.WriteByte(' ')
	}
	all.WriteString("{segments[0]} {segments[1]:date} {segment_date_sql[1]} {is_all[0]} {filter[0]:c} {filter[9]:c} {path}")
	tmpl := Compile(all.String())
	for _, s := range []string{"prices/ALL/20260115@3M/x.y/v2?a=b", "prices/X/20260115@previous", "ns@p/X/20260115@latest"} {
		m := mustParse(t, s)
		for d := Snowflake; d <= SQLite; d++ {
			c := &Context{M: m, Segments: m.Segments[1:], Path: "x", Dialect: d, Now: testNow}
			buf := tmpl.Append(nil, c)
			if n := testing.AllocsPerRun(20, func() { buf = tmpl.Append(buf[:0], c) }); n != 0 {
				t.Errorf("%s, %v: %v allocs per Append into a reused buffer", s, d, n)
			}
		}
	}
}
