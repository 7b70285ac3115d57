package moniker

import (
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

type parseCase struct {
	name  string
	in    string
	want  Moniker
	canon string // the expected String()
}

// parseCases are accepted inputs: every example of reference §4.5, the
// date@ rows of §5.3 that apply, the HTTP-ish paths of §2.1 and our own
// edge cases.
func parseCases() []parseCase {
	p := func(s ...string) []string { return s }
	return []parseCase{
		// Reference §4.5.
		{name: "plain", in: "prices.equity/AAPL",
			want:  Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL")},
			canon: "moniker://prices.equity/AAPL"},
		{name: "scheme", in: "moniker://prices.equity/AAPL",
			want:  Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL")},
			canon: "moniker://prices.equity/AAPL"},
		{name: "date version", in: "prices.equity/AAPL@20260115",
			want: Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL"),
				HasVersion: true, Version: "20260115", VersionType: VersionDate},
			canon: "moniker://prices.equity/AAPL@20260115"},
		{name: "latest", in: "prices.equity/AAPL@latest",
			want: Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL"),
				HasVersion: true, Version: "latest", VersionType: VersionLatest},
			canon: "moniker://prices.equity/AAPL@latest"},
		{name: "lookback", in: "prices.equity/AAPL@3M",
			want: Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL"),
				HasVersion: true, Version: "3M", VersionType: VersionLookback, LookbackValue: 3, LookbackUnit: 'M'},
			canon: "moniker://prices.equity/AAPL@3M"},
		{name: "frequency", in: "prices.equity/AAPL@daily",
			want: Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL"),
				HasVersion: true, Version: "daily", VersionType: VersionFrequency},
			canon: "moniker://prices.equity/AAPL@daily"},
		{name: "all", in: "prices.equity/AAPL@all",
			want: Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL"),
				HasVersion: true, Version: "all", VersionType: VersionAll},
			canon: "moniker://prices.equity/AAPL@all"},
		{name: "ALL upper", in: "prices.equity/AAPL@ALL",
			want: Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL"),
				HasVersion: true, Version: "ALL", VersionType: VersionAll},
			canon: "moniker://prices.equity/AAPL@ALL"},
		{name: "custom", in: "prices.equity/AAPL@v2beta",
			want: Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL"),
				HasVersion: true, Version: "v2beta", VersionType: VersionCustom},
			canon: "moniker://prices.equity/AAPL@v2beta"},
		{name: "version and revision", in: "commodities.derivatives/crypto/ETH@20260115/v2",
			want: Moniker{Path: "commodities.derivatives/crypto/ETH", Segments: p("commodities.derivatives", "crypto", "ETH"),
				HasVersion: true, Version: "20260115", VersionType: VersionDate, HasRevision: true, Revision: 2},
			canon: "moniker://commodities.derivatives/crypto/ETH@20260115/v2"},
		{name: "namespace and version", in: "verified@reference.security/ISIN/US0378331005@latest",
			want: Moniker{Namespace: "verified", Path: "reference.security/ISIN/US0378331005",
				Segments:   p("reference.security", "ISIN", "US0378331005"),
				HasVersion: true, Version: "latest", VersionType: VersionLatest},
			canon: "moniker://verified@reference.security/ISIN/US0378331005@latest"},
		{name: "namespace version revision", in: "user@analytics.risk/views/my-watchlist@20260115/v3",
			want: Moniker{Namespace: "user", Path: "analytics.risk/views/my-watchlist",
				Segments:   p("analytics.risk", "views", "my-watchlist"),
				HasVersion: true, Version: "20260115", VersionType: VersionDate, HasRevision: true, Revision: 3},
			canon: "moniker://user@analytics.risk/views/my-watchlist@20260115/v3"},
		{name: "sub-resource", in: "securities/012345678@20260101/details.corporate.actions",
			want: Moniker{Path: "securities/012345678", Segments: p("securities", "012345678"),
				HasVersion: true, Version: "20260101", VersionType: VersionDate, SubResource: "details.corporate.actions"},
			canon: "moniker://securities/012345678@20260101/details.corporate.actions"},
		{name: "sub-resource and revision", in: "prices/AAPL@20260101/details/v2",
			want: Moniker{Path: "prices/AAPL", Segments: p("prices", "AAPL"),
				HasVersion: true, Version: "20260101", VersionType: VersionDate, SubResource: "details",
				HasRevision: true, Revision: 2},
			canon: "moniker://prices/AAPL@20260101/details/v2"},
		{name: "params", in: "holdings/20260115/fund_alpha?format=json&limit=10",
			want: Moniker{Path: "holdings/20260115/fund_alpha", Segments: p("holdings", "20260115", "fund_alpha"),
				Params: []Param{{"format", "json"}, {"limit", "10"}}},
			canon: "moniker://holdings/20260115/fund_alpha?format=json&limit=10"},
		{name: "params first value and blank", in: "prices.equity/AAPL@20260115?x=1&x=2&y=",
			want: Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL"),
				HasVersion: true, Version: "20260115", VersionType: VersionDate,
				Params: []Param{{"x", "1"}, {"y", ""}}},
			canon: "moniker://prices.equity/AAPL@20260115?x=1&y="},
		{name: "revision", in: "prices.equity/AAPL/v2",
			want:  Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL"), HasRevision: true, Revision: 2},
			canon: "moniker://prices.equity/AAPL/v2"},
		{name: "trailing v2 is a revision (Q35)", in: "prices.equity/v2",
			want:  Moniker{Path: "prices.equity", Segments: p("prices.equity"), HasRevision: true, Revision: 2},
			canon: "moniker://prices.equity/v2"},
		{name: "vol is not a revision", in: "prices.equity/vol/x",
			want:  Moniker{Path: "prices.equity/vol/x", Segments: p("prices.equity", "vol", "x")},
			canon: "moniker://prices.equity/vol/x"},
		{name: "leading and trailing slash", in: "/prices.equity/AAPL/",
			want:  Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL")},
			canon: "moniker://prices.equity/AAPL"},
		{name: "namespace", in: "ns@prices",
			want:  Moniker{Namespace: "ns", Path: "prices", Segments: p("prices")},
			canon: "moniker://ns@prices"},
		{name: "namespace not version (Q34)", in: "prices@20260101",
			want:  Moniker{Namespace: "prices", Path: "20260101", Segments: p("20260101")},
			canon: "moniker://prices@20260101"},
		{name: "namespace version sub-resource", in: "a@b@c/d",
			want: Moniker{Namespace: "a", Path: "b", Segments: p("b"),
				HasVersion: true, Version: "c", VersionType: VersionCustom, SubResource: "d"},
			canon: "moniker://a@b@c/d"},
		{name: "empty version (Q36)", in: "prices.equity/AAPL@",
			want:  Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL"), HasVersion: true},
			canon: "moniker://prices.equity/AAPL@"},
		{name: "fragment dropped with scheme (Q37)", in: "moniker://prices.equity/AAPL#frag",
			want:  Moniker{Path: "prices.equity/AAPL", Segments: p("prices.equity", "AAPL")},
			canon: "moniker://prices.equity/AAPL"},
		{name: "scheme only is root", in: "moniker://", canon: "moniker://"},
		{name: "blank is root", in: "   ", canon: "moniker://"},

		// Version classification details (reference §4.3 and DESIGN).
		{name: "lookback lower-case unit", in: "x/y@12m",
			want: Moniker{Path: "x/y", Segments: p("x", "y"),
				HasVersion: true, Version: "12m", VersionType: VersionLookback, LookbackValue: 12, LookbackUnit: 'M'},
			canon: "moniker://x/y@12m"},
		{name: "lookback leading zero", in: "x/y@03d",
			want: Moniker{Path: "x/y", Segments: p("x", "y"),
				HasVersion: true, Version: "03d", VersionType: VersionLookback, LookbackValue: 3, LookbackUnit: 'D'},
			canon: "moniker://x/y@03d"},
		{name: "frequency upper", in: "x/y@WEEKLY",
			want: Moniker{Path: "x/y", Segments: p("x", "y"),
				HasVersion: true, Version: "WEEKLY", VersionType: VersionFrequency},
			canon: "moniker://x/y@WEEKLY"},
		{name: "previous", in: "x/y@previous",
			want: Moniker{Path: "x/y", Segments: p("x", "y"),
				HasVersion: true, Version: "previous", VersionType: VersionPrevious},
			canon: "moniker://x/y@previous"},
		{name: "leap day", in: "x/y@20240229",
			want: Moniker{Path: "x/y", Segments: p("x", "y"),
				HasVersion: true, Version: "20240229", VersionType: VersionDate},
			canon: "moniker://x/y@20240229"},
		{name: "nine digits is custom", in: "x/y@202601151",
			want: Moniker{Path: "x/y", Segments: p("x", "y"),
				HasVersion: true, Version: "202601151", VersionType: VersionCustom},
			canon: "moniker://x/y@202601151"},
		{name: "revision leading zeros", in: "x/y/v007",
			want:  Moniker{Path: "x/y", Segments: p("x", "y"), HasRevision: true, Revision: 7},
			canon: "moniker://x/y/v7"},
		{name: "revision upper V", in: "x/y/V10",
			want:  Moniker{Path: "x/y", Segments: p("x", "y"), HasRevision: true, Revision: 10},
			canon: "moniker://x/y/v10"},
		{name: "v without digits is a segment", in: "x/v",
			want:  Moniker{Path: "x/v", Segments: p("x", "v")},
			canon: "moniker://x/v"},
		{name: "empty sub-resource", in: "x/y@latest/",
			want: Moniker{Path: "x/y", Segments: p("x", "y"),
				HasVersion: true, Version: "latest", VersionType: VersionLatest},
			canon: "moniker://x/y@latest"},
		{name: "empty version with sub-resource", in: "x/y@/details",
			want:  Moniker{Path: "x/y", Segments: p("x", "y"), HasVersion: true, SubResource: "details"},
			canon: "moniker://x/y@/details"},
		{name: "root with version", in: "/@latest",
			want:  Moniker{HasVersion: true, Version: "latest", VersionType: VersionLatest},
			canon: "moniker:///@latest"},
		{name: "one segment with version needs a slash", in: "/prices@latest",
			want: Moniker{Path: "prices", Segments: p("prices"),
				HasVersion: true, Version: "latest", VersionType: VersionLatest},
			canon: "moniker:///prices@latest"},
		{name: "one segment, trailing slash, version", in: "0/@00010",
			want: Moniker{Path: "0", Segments: p("0"),
				HasVersion: true, Version: "00010", VersionType: VersionCustom},
			canon: "moniker:///0@00010"},
		{name: "one segment with namespace and version", in: "ns@prices@latest",
			want: Moniker{Namespace: "ns", Path: "prices", Segments: p("prices"),
				HasVersion: true, Version: "latest", VersionType: VersionLatest},
			canon: "moniker://ns@prices@latest"},
		{name: "last segment like a revision keeps its slash", in: "a/v2/",
			want:  Moniker{Path: "a/v2", Segments: p("a", "v2")},
			canon: "moniker://a/v2/"},
		{name: "revision after a revision-like segment", in: "a/V2/v3",
			want:  Moniker{Path: "a/V2", Segments: p("a", "V2"), HasRevision: true, Revision: 3},
			canon: "moniker://a/V2/v3"},
		{name: "version on a segment named date", in: "x/date/@latest",
			want: Moniker{Path: "x/date", Segments: p("x", "date"),
				HasVersion: true, Version: "latest", VersionType: VersionLatest},
			canon: "moniker://x/date/@latest"},
		{name: "version on a root segment named date", in: "/date/@3M",
			want: Moniker{Path: "date", Segments: p("date"),
				HasVersion: true, Version: "3M", VersionType: VersionLookback, LookbackValue: 3, LookbackUnit: 'M'},
			canon: "moniker:///date/@3M"},
		{name: "namespace and segment named date", in: "ns@date/@",
			want:  Moniker{Namespace: "ns", Path: "date", Segments: p("date"), HasVersion: true},
			canon: "moniker://ns@date/@"},
		{name: "root with namespace and version", in: "ns@@3W",
			want: Moniker{Namespace: "ns", HasVersion: true, Version: "3W", VersionType: VersionLookback,
				LookbackValue: 3, LookbackUnit: 'W'},
			canon: "moniker://ns@@3W"},
		{name: "root with namespace", in: "ns@",
			want:  Moniker{Namespace: "ns"},
			canon: "moniker://ns@"},
		{name: "root revision", in: "/v2",
			want:  Moniker{HasRevision: true, Revision: 2},
			canon: "moniker:///v2"},
		{name: "128-char segment", in: "x/" + strings.Repeat("a", 128),
			want:  Moniker{Path: "x/" + strings.Repeat("a", 128), Segments: p("x", strings.Repeat("a", 128))},
			canon: "moniker://x/" + strings.Repeat("a", 128)},
		{name: "64-char namespace", in: strings.Repeat("n", 64) + "@x",
			want:  Moniker{Namespace: strings.Repeat("n", 64), Path: "x", Segments: p("x")},
			canon: "moniker://" + strings.Repeat("n", 64) + "@x"},
		{name: "surrounding whitespace trimmed", in: " \t x/y@latest \n",
			want: Moniker{Path: "x/y", Segments: p("x", "y"),
				HasVersion: true, Version: "latest", VersionType: VersionLatest},
			canon: "moniker://x/y@latest"},
		{name: "dots inside segment", in: "a..b/c.d-e_f",
			want:  Moniker{Path: "a..b/c.d-e_f", Segments: p("a..b", "c.d-e_f")},
			canon: "moniker://a..b/c.d-e_f"},

		// HTTP-ish paths (reference §2.1).
		{name: "many slashes stripped", in: "//a/b//",
			want:  Moniker{Path: "a/b", Segments: p("a", "b")},
			canon: "moniker://a/b"},
		{name: "scheme with leading slash", in: "moniker:///a/b/",
			want:  Moniker{Path: "a/b", Segments: p("a", "b")},
			canon: "moniker://a/b"},
		{name: "slash is root", in: "/", canon: "moniker://"},

		// HEAD date@ (reference §5.3), as the same thing as @VALUE.
		{name: "date@ date", in: "prices/equity/AAPL/date@20260101",
			want: Moniker{Path: "prices/equity/AAPL", Segments: p("prices", "equity", "AAPL"),
				HasVersion: true, Version: "20260101", VersionType: VersionDate},
			canon: "moniker://prices/equity/AAPL@20260101"},
		{name: "date@ lookback", in: "prices/equity/AAPL/date@3M",
			want: Moniker{Path: "prices/equity/AAPL", Segments: p("prices", "equity", "AAPL"),
				HasVersion: true, Version: "3M", VersionType: VersionLookback, LookbackValue: 3, LookbackUnit: 'M'},
			canon: "moniker://prices/equity/AAPL@3M"},
		{name: "date@ lookback lower", in: "prices/equity/AAPL/date@10y",
			want: Moniker{Path: "prices/equity/AAPL", Segments: p("prices", "equity", "AAPL"),
				HasVersion: true, Version: "10y", VersionType: VersionLookback, LookbackValue: 10, LookbackUnit: 'Y'},
			canon: "moniker://prices/equity/AAPL@10y"},
		{name: "date@ latest", in: "prices/equity/AAPL/date@latest",
			want: Moniker{Path: "prices/equity/AAPL", Segments: p("prices", "equity", "AAPL"),
				HasVersion: true, Version: "latest", VersionType: VersionLatest},
			canon: "moniker://prices/equity/AAPL@latest"},
		{name: "date@ LATEST", in: "prices/equity/AAPL/date@LATEST",
			want: Moniker{Path: "prices/equity/AAPL", Segments: p("prices", "equity", "AAPL"),
				HasVersion: true, Version: "LATEST", VersionType: VersionLatest},
			canon: "moniker://prices/equity/AAPL@LATEST"},
		{name: "date@ previous", in: "prices/equity/AAPL/date@previous",
			want: Moniker{Path: "prices/equity/AAPL", Segments: p("prices", "equity", "AAPL"),
				HasVersion: true, Version: "previous", VersionType: VersionPrevious},
			canon: "moniker://prices/equity/AAPL@previous"},
		{name: "date@ with revision", in: "holdings/positions/summary/date@20260101/v2",
			want: Moniker{Path: "holdings/positions/summary", Segments: p("holdings", "positions", "summary"),
				HasVersion: true, Version: "20260101", VersionType: VersionDate, HasRevision: true, Revision: 2},
			canon: "moniker://holdings/positions/summary@20260101/v2"},
		{name: "date@ with namespace and params", in: "moniker://verified@prices/AAPL/date@1W?limit=5",
			want: Moniker{Namespace: "verified", Path: "prices/AAPL", Segments: p("prices", "AAPL"),
				HasVersion: true, Version: "1W", VersionType: VersionLookback, LookbackValue: 1, LookbackUnit: 'W',
				Params: []Param{{"limit", "5"}}},
			canon: "moniker://verified@prices/AAPL@1W?limit=5"},
		{name: "date@ alone is a namespace (HEAD)", in: "date@20260101",
			want:  Moniker{Namespace: "date", Path: "20260101", Segments: p("20260101")},
			canon: "moniker://date@20260101"},
		{name: "date@ on the root", in: "/date@latest",
			want:  Moniker{HasVersion: true, Version: "latest", VersionType: VersionLatest},
			canon: "moniker:///@latest"},
		{name: "date@ after namespace", in: "ns@date@3M",
			want: Moniker{Namespace: "ns", HasVersion: true, Version: "3M", VersionType: VersionLookback,
				LookbackValue: 3, LookbackUnit: 'M'},
			canon: "moniker://ns@@3M"},
		{name: "Date@ is case-sensitive: a plain version", in: "x/Date@3M",
			want: Moniker{Path: "x/Date", Segments: p("x", "Date"),
				HasVersion: true, Version: "3M", VersionType: VersionLookback, LookbackValue: 3, LookbackUnit: 'M'},
			canon: "moniker://x/Date@3M"},
		{name: "segment named date", in: "x/date/y",
			want:  Moniker{Path: "x/date/y", Segments: p("x", "date", "y")},
			canon: "moniker://x/date/y"},

		// Query parameters: decoded once (Q12), URL rules.
		{name: "params decoded once", in: "a/b?x=%2526&y=a+b%20c",
			want:  Moniker{Path: "a/b", Segments: p("a", "b"), Params: []Param{{"x", "%26"}, {"y", "a b c"}}},
			canon: "moniker://a/b?x=%2526&y=a+b+c"},
		{name: "encoded & and = stay in the value", in: "a/b?x=%26y%3D1",
			want:  Moniker{Path: "a/b", Segments: p("a", "b"), Params: []Param{{"x", "&y=1"}}},
			canon: "moniker://a/b?x=%26y%3D1"},
		{name: "key without = and empty key", in: "a/b?f&=e&&g=",
			want:  Moniker{Path: "a/b", Segments: p("a", "b"), Params: []Param{{"f", ""}, {"", "e"}, {"g", ""}}},
			canon: "moniker://a/b?f=&=e&g="},
		{name: "hash in query without scheme is data", in: "a/b?x=1#frag",
			want:  Moniker{Path: "a/b", Segments: p("a", "b"), Params: []Param{{"x", "1#frag"}}},
			canon: "moniker://a/b?x=1%23frag"},
		{name: "fragment before query with scheme", in: "moniker://a/b#frag?x=1",
			want:  Moniker{Path: "a/b", Segments: p("a", "b")},
			canon: "moniker://a/b"},
		{name: "query then fragment with scheme", in: "moniker://a/b?x=1#frag",
			want:  Moniker{Path: "a/b", Segments: p("a", "b"), Params: []Param{{"x", "1"}}},
			canon: "moniker://a/b?x=1"},
		{name: "scheme-like text in query with scheme", in: "moniker://a?u=http://h/p;q",
			want:  Moniker{Path: "a", Segments: p("a"), Params: []Param{{"u", "http://h/p;q"}}},
			canon: "moniker://a?u=http%3A%2F%2Fh%2Fp%3Bq"},
		{name: "empty query", in: "a/b?",
			want:  Moniker{Path: "a/b", Segments: p("a", "b")},
			canon: "moniker://a/b"},
		{name: "only separators", in: "a/b?&&",
			want:  Moniker{Path: "a/b", Segments: p("a", "b")},
			canon: "moniker://a/b"},
		{name: "unicode value", in: "a?n=%C3%A9t%C3%A9",
			want:  Moniker{Path: "a", Segments: p("a"), Params: []Param{{"n", "été"}}},
			canon: "moniker://a?n=%C3%A9t%C3%A9"},
	}
}

type rejectCase struct {
	name string
	in   string
	msg  string // a substring of the error message
}

// rejectCases are inputs Parse must refuse, with part of the message.
func rejectCases() []rejectCase {
	return []rejectCase{
		// Reference §4.5.
		{"empty", "", "empty moniker string"},
		{"http scheme", "http://prices/AAPL", `invalid scheme in "http://prices/AAPL"`},
		{"upper-case scheme", "MONIKER://x", "invalid scheme"},
		{"scheme-like text in query without scheme", "a?u=http://h", "invalid scheme"},
		{"empty segment", "prices.equity//AAPL", `invalid path segment "": empty segment`},
		{"leading underscore", "prices.equity/_AAPL",
			`invalid path segment "_AAPL": must start with a letter or digit and contain only letters, digits, '_', '-', '.'`},
		{"dollar", "AAPL$", `invalid path segment "AAPL$"`},
		{"hash without scheme", "AAPL#frag", `invalid path segment "AAPL#frag"`},
		{"quote", "O'Brien", `invalid path segment "O'Brien"`},
		{"129-char segment", "x/" + strings.Repeat("a", 129), "longer than 128 characters"},
		{"dashed version", "prices.equity/AAPL@2026-01-15", `invalid version "2026-01-15": must contain only letters and digits`},
		{"namespace starts with digit", "1ns@prices/AAPL", `invalid namespace "1ns"`},
		{"namespace with dot", "ns.x@prices/AAPL", `invalid namespace "ns.x"`},
		{"sub-resource underscore", "prices/AAPL@20260101/_bad", `invalid sub-resource segment "_bad"`},
		{"sub-resource with slash", "prices/AAPL@20260101/details/more", `invalid sub-resource segment "details/more"`},

		// HTTP-ish paths (reference §2.1).
		{"double slash", "a//b", `invalid path segment ""`},
		{"dot dot", "..", `invalid path segment ".."`},
		{"dot", ".", `invalid path segment "."`},
		{"dot segment inside", "a/./b", `invalid path segment "."`},
		{"dot dot inside", "a/../b", `invalid path segment ".."`},
		{"space", "a b", `invalid path segment "a b"`},
		{"tab inside", "a\tb", `invalid path segment "a\tb"`},
		{"newline in version", "a/b@x\n/c", `invalid version "x\n"`},
		{"percent", "a%2Fb", `invalid path segment "a%2Fb"`},

		// HEAD date@ (reference §5.3) and our rules for it.
		{"date@ zero lookback", "prices/equity/AAPL/date@0M", `invalid date@ value "0M"`},
		{"date@ dashed date", "prices/equity/AAPL/date@2026-01-01", `invalid date@ value "2026-01-01"`},
		{"date@ empty", "prices/equity/AAPL/date@", "empty date@ value"},
		{"date@ frequency not allowed", "x/date@daily", `invalid date@ value "daily"`},
		{"date@ all not allowed", "x/date@all", `invalid date@ value "all"`},
		{"date@ leading zero lookback", "x/date@03M", `invalid date@ value "03M"`},
		{"date@ not a calendar date", "x/date@20261399", `invalid date@ value "20261399": not a real calendar date`},
		{"date@ huge lookback", "x/date@99999999999W", `invalid date@ value "99999999999W": a lookback must be between 1 and`},
		{"date@ not final", "prices/equity/date@20260101/AAPL",
			`invalid path segment "date@20260101": a date@ segment must be the final path segment`},
		{"date@ not final (trailing slash)", "x/date@3M/", "must be the final path segment"},
		{"date@ and @version", "x/AAPL@latest/date@3M",
			`invalid date@ segment "date@3M": cannot be combined with @version "latest"`},
		{"two date@", "x/date@3M/date@1Y", `invalid date@ segment "date@1Y": cannot be combined with @version "3M"`},

		// Version classification (DESIGN Q19, lookback bounds).
		{"impossible date", "x/y@20261399", `invalid version "20261399": not a real calendar date (YYYYMMDD)`},
		{"february 30", "x/y@20260230", "not a real calendar date"},
		{"not a leap year", "x/y@21000229", "not a real calendar date"},
		{"year zero", "x/y@00000101", "not a real calendar date"},
		{"zero lookback", "x/y@0M", `invalid version "0M": a lookback must be between 1 and 2147483647`},
		{"huge lookback", "x/y@99999999999D", "a lookback must be between 1 and"},
		{"long version", "x/y@" + strings.Repeat("a", 129), "invalid version"},

		// Revision bounds.
		{"huge revision", "x/v99999999999", `invalid revision "v99999999999"`},

		// Injection guard and limits.
		{"double dash segment", "x/a--b", `invalid path segment "a--b": must not contain "--"`},
		{"double dash first segment", "a--b/x", `invalid path segment "a--b"`},
		{"double dash sub-resource", "x/y@latest/a.b--c", `invalid sub-resource segment "b--c"`},
		{"double dash namespace", "a--b@x", `invalid namespace "a--b": must not contain "--"`},
		{"trailing dash segment", "x/a-", `invalid path segment "a-": must not end with '-'`},
		{"trailing dash first segment", "a-/x", `invalid path segment "a-"`},
		{"trailing dash sub-resource", "x/y@latest/a.b-", `invalid sub-resource segment "b-"`},
		{"trailing dash namespace", "a-@x/y", `invalid namespace "a-": must not end with '-'`},
		{"semicolon", "x/a;DROP", `invalid path segment "a;DROP"`},
		{"double quote", `x/a"b`, `invalid path segment "a\"b"`},
		{"comment", "x/a/*b", `invalid path segment "*b"`},
		{"quote in version", "x/y@a'b", "invalid version"},
		{"empty namespace", "@x", `invalid namespace "": empty namespace`},
		{"65-char namespace", strings.Repeat("n", 65) + "@x", "longer than 64 characters"},
		{"non-ASCII segment", "x/caf\u00e9", "invalid path segment"},
		{"too long", "x/" + strings.Repeat("a/", 2100), "moniker too long"},
		{"too long canonical", "a?x=" + strings.Repeat(":", 1000) + "&y=" + strings.Repeat(":", 1000), "in canonical form"},
		{"too many params", "a?" + strings.Repeat("k=v&", 65), "too many query parameters: 65, max 64"},
		{"long param value", "a?k=" + strings.Repeat("v", 1025), "longer than 1024 bytes"},
		{"long param key", "a?" + strings.Repeat("k", 1025) + "=v", "longer than 1024 bytes"},
		{"bad escape", "a?x=%zz", `invalid query parameter "x=%zz": malformed percent-encoding`},
		{"truncated escape", "a?x%2", "malformed percent-encoding"},
		{"param not UTF-8", "a?x=%ff", "not valid UTF-8"},
	}
}

func TestParse(t *testing.T) {
	for _, tc := range parseCases() {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Parse(tc.in)
			if err != nil {
				t.Fatalf("Parse(%q): unexpected error %v", tc.in, err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Parse(%q)\n got %#v\nwant %#v", tc.in, got, tc.want)
			}
			if s := got.String(); s != tc.canon {
				t.Errorf("Parse(%q).String() = %q, want %q", tc.in, s, tc.canon)
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	for _, tc := range rejectCases() {
		t.Run(tc.name, func(t *testing.T) {
			m, err := Parse(tc.in)
			if err == nil {
				t.Fatalf("Parse(%q) = %#v, want an error containing %q", tc.in, m, tc.msg)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("Parse(%q) error %v does not wrap ErrInvalid", tc.in, err)
			}
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q) error %T is not a *ParseError", tc.in, err)
			}
			if pe.Input != tc.in {
				t.Errorf("ParseError.Input = %q, want %q", pe.Input, tc.in)
			}
			if !strings.Contains(err.Error(), tc.msg) {
				t.Errorf("Parse(%q) error = %q, want it to contain %q", tc.in, err.Error(), tc.msg)
			}
			if !reflect.DeepEqual(m, Moniker{}) {
				t.Errorf("Parse(%q) returned a non-zero Moniker with its error: %#v", tc.in, m)
			}
		})
	}
}

// TestParseErrorShortensLongParts checks that a huge offending part is not
// copied whole into the message.
func TestParseErrorShortensLongParts(t *testing.T) {
	_, err := Parse("x/_" + strings.Repeat("a", 1000))
	if err == nil {
		t.Fatal("want an error")
	}
	if len(err.Error()) > 300 {
		t.Errorf("error message is %d bytes long: %q", len(err.Error()), err.Error())
	}
}

// TestDateSegmentEqualsVersion pins DESIGN §4: ".../date@V" is the same
// thing as "...@V".
func TestDateSegmentEqualsVersion(t *testing.T) {
	pairs := [][2]string{
		{"prices.equity/AAPL/date@20260115", "prices.equity/AAPL@20260115"},
		{"prices/equity/AAPL/date@3M", "prices/equity/AAPL@3M"},
		{"prices/equity/AAPL/date@latest", "prices/equity/AAPL@latest"},
		{"prices/equity/AAPL/date@previous", "prices/equity/AAPL@previous"},
		{"ns@a/b/date@1y/v4?k=v", "ns@a/b@1y/v4?k=v"},
	}
	for _, p := range pairs {
		a, err := Parse(p[0])
		if err != nil {
			t.Fatalf("Parse(%q): %v", p[0], err)
		}
		b, err := Parse(p[1])
		if err != nil {
			t.Fatalf("Parse(%q): %v", p[1], err)
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("Parse(%q) = %#v\nParse(%q) = %#v", p[0], a, p[1], b)
		}
		if a.String() != b.String() {
			t.Errorf("String: %q vs %q", a.String(), b.String())
		}
	}
}

// TestRoundTrip checks that the canonical form re-parses to an equal
// Moniker and is a fixed point.
func TestRoundTrip(t *testing.T) {
	for _, tc := range parseCases() {
		m, err := Parse(tc.in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", tc.in, err)
		}
		s := m.String()
		again, err := Parse(s)
		if err != nil {
			t.Fatalf("Parse(%q) (canonical of %q): %v", s, tc.in, err)
		}
		if !reflect.DeepEqual(m, again) {
			t.Errorf("round trip of %q via %q:\n got %#v\nwant %#v", tc.in, s, again, m)
		}
		if s2 := again.String(); s2 != s {
			t.Errorf("canonical form not stable: %q then %q", s, s2)
		}
		if k := string(m.CacheKey(nil)); k != s {
			t.Errorf("CacheKey = %q, want %q", k, s)
		}
		if a := string(m.AppendString([]byte("x"))); a != "x"+s {
			t.Errorf("AppendString appended %q, want %q", a, "x"+s)
		}
		if n := m.canonicalLen(); n != len(s) {
			t.Errorf("canonicalLen(%q) = %d, want %d", s, n, len(s))
		}
	}
}

func TestCacheKeyDistinguishes(t *testing.T) {
	// Everything that can change an answer must change the key (Q3).
	inputs := []string{
		"prices.equity/AAPL",
		"prices.equity/AAPL@",
		"prices.equity/AAPL@latest",
		"prices.equity/AAPL@LATEST",
		"prices.equity/AAPL@20260115",
		"prices.equity/AAPL@20260115/details",
		"prices.equity/AAPL/v2",
		"ns@prices.equity/AAPL",
		"prices.equity/AAPL?x=1",
		"prices.equity/AAPL?x=2",
		"prices.equity/AAPL?x=",
		"prices.equity/AAPL?y=1",
	}
	seen := map[string]string{}
	for _, in := range inputs {
		m, err := Parse(in)
		if err != nil {
			t.Fatalf("Parse(%q): %v", in, err)
		}
		k := string(m.CacheKey(nil))
		if prev, dup := seen[k]; dup {
			t.Errorf("%q and %q share cache key %q", prev, in, k)
		}
		seen[k] = in
	}
}

func TestParseParts(t *testing.T) {
	m, err := ParseParts("prices.equity/AAPL@20260115", "x=%2526&y=a+b")
	if err != nil {
		t.Fatal(err)
	}
	want := Moniker{Path: "prices.equity/AAPL", Segments: []string{"prices.equity", "AAPL"},
		HasVersion: true, Version: "20260115", VersionType: VersionDate,
		Params: []Param{{"x", "%26"}, {"y", "a b"}}}
	if !reflect.DeepEqual(m, want) {
		t.Errorf("got %#v\nwant %#v", m, want)
	}
	root, err := ParseParts("", "")
	if err != nil || !reflect.DeepEqual(root, Moniker{}) {
		t.Errorf("ParseParts(\"\", \"\") = %#v, %v; want the root", root, err)
	}
	// A decoded "?" or "#" in the URL path is a bad segment, not a cut (Q37).
	for _, body := range []string{"a/b?x=1", "a/b#frag", " a/b", "moniker://a"} {
		_, err := ParseParts(body, "k=v")
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, ErrInvalid) {
			t.Errorf("ParseParts(%q) error = %v, want a *ParseError", body, err)
			continue
		}
		if pe.Input != body+"?k=v" {
			t.Errorf("ParseParts(%q) Input = %q", body, pe.Input)
		}
	}
	if _, err := ParseParts(strings.Repeat("a", MaxLen), "x=1"); err == nil {
		t.Error("ParseParts accepted an input longer than MaxLen")
	}
}

func TestFrequency(t *testing.T) {
	for in, want := range map[string]string{
		"x/y@daily": "daily", "x/y@Weekly": "weekly", "x/y@MONTHLY": "monthly", "x/y@latest": "", "x/y": "", "x@daily": "",
	} {
		m, err := Parse(in)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.Frequency(); got != want {
			t.Errorf("Parse(%q).Frequency() = %q, want %q", in, got, want)
		}
	}
}

func TestAppendQueryEscapeMatchesNetURL(t *testing.T) {
	var all [256]byte
	for i := range all {
		all[i] = byte(i)
	}
	for _, s := range []string{string(all[:]), "a b+c&d=e#f", "été", ""} {
		if got, want := string(appendQueryEscape(nil, s)), url.QueryEscape(s); got != want {
			t.Errorf("appendQueryEscape(%q) = %q, want %q", s, got, want)
		}
		if got, want := queryEscapeLen(s), len(url.QueryEscape(s)); got != want {
			t.Errorf("queryEscapeLen(%q) = %d, want %d", s, got, want)
		}
	}
}

// TestParseAllocs pins the hot-path budget: one allocation (the Segments
// slice) for a typical moniker, none for CacheKey into a reused buffer.
func TestParseAllocs(t *testing.T) {
	const in = "prices.equity/AAPL@20260115"
	var m Moniker
	if n := testing.AllocsPerRun(100, func() { m, _ = Parse(in) }); n > 1 {
		t.Errorf("Parse(%q) allocates %v times, want <= 1", in, n)
	}
	buf := make([]byte, 0, 128)
	if n := testing.AllocsPerRun(100, func() { buf = m.CacheKey(buf[:0]) }); n != 0 {
		t.Errorf("CacheKey allocates %v times, want 0", n)
	}
	if n := testing.AllocsPerRun(100, func() { _ = m.String() }); n > 1 {
		t.Errorf("String allocates %v times, want <= 1", n)
	}
}

// TestCanonicalRoundTripCombinations builds Monikers from parts chosen to
// collide with the grammar's ambiguities (namespace vs version "@", "date@",
// revision-like segments, empty versions, the root) and checks that every
// canonical form parses back to the same Moniker.
func TestCanonicalRoundTripCombinations(t *testing.T) {
	namespaces := []string{"", "ns", "date", "v2"}
	paths := []string{"", "a", "v2", "date", "a/b", "a/v2", "a/date", "date/a", "v2/date", "a/V10", "date.x/v0"}
	versions := []string{"", "latest", "3M", "v2", "date", "20240229"}
	subs := []string{"", "x", "v2", "date.v2"}
	params := [][]Param{nil, {{"", ""}}, {{"a b", "#&=?/"}, {"date@x", "v2"}}}
	n := 0
	for _, ns := range namespaces {
		for _, path := range paths {
			for vi := -1; vi < len(versions); vi++ {
				for si, sub := range subs {
					if vi < 0 && si > 0 {
						continue // a sub-resource needs a version
					}
					for rev := -1; rev <= 2; rev += 2 {
						if sub == "v2" && rev < 0 {
							continue // not expressible: "@x/v2" is a revision
						}
						for _, ps := range params {
							m := Moniker{Namespace: ns, Path: path, SubResource: sub, Params: ps}
							if path != "" {
								m.Segments = strings.Split(path, "/")
							}
							if vi >= 0 {
								m.HasVersion, m.Version = true, versions[vi]
								if msg := m.classifyVersion("version"); msg != "" {
									t.Fatal(msg)
								}
							}
							if rev >= 0 {
								m.HasRevision, m.Revision = true, rev
							}
							s := m.String()
							got, err := Parse(s)
							if err != nil {
								t.Fatalf("Parse(%q): %v", s, err)
							}
							if !reflect.DeepEqual(got, m) {
								t.Fatalf("Parse(%q)\n got %#v\nwant %#v", s, got, m)
							}
							n++
						}
					}
				}
			}
		}
	}
	if n < 1000 {
		t.Fatalf("only %d combinations checked", n)
	}
}
