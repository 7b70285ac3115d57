package query

import (
	"strings"
	"testing"
	"time"
)

// now is "today" of reference §6.8's sample table.
var testNow = time.Date(2026, time.November, 27, 15, 4, 5, 0, time.UTC)

func TestDialectString(t *testing.T) {
	for d, want := range map[Dialect]string{Snowflake: "snowflake", Oracle: "oracle", MSSQL: "mssql", REST: "rest"} {
		if got := d.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", d, got, want)
		}
	}
}

func TestDialectExpressions(t *testing.T) {
	// Each row: the expression, then its value in snowflake, oracle,
	// mssql and rest.
	tests := []struct {
		name string
		fn   func(d Dialect) string
		want [4]string
	}{
		{"current date", func(d Dialect) string { return string(d.AppendCurrentDate(nil, testNow)) },
			[4]string{"CURRENT_DATE()", "SYSDATE", "CAST(GETDATE() AS DATE)", "2026-11-27"}},
		{"date literal", func(d Dialect) string { return string(d.AppendDateLiteral(nil, "20260115")) },
			[4]string{"TO_DATE('20260115', 'YYYYMMDD')", "TO_DATE('20260115', 'YYYYMMDD')", "CONVERT(DATE, '20260115', 112)", "2026-01-15"}},
		{"date literal leap day", func(d Dialect) string { return string(d.AppendDateLiteral(nil, "20240229")) },
			[4]string{"TO_DATE('20240229', 'YYYYMMDD')", "TO_DATE('20240229', 'YYYYMMDD')", "CONVERT(DATE, '20240229', 112)", "2024-02-29"}},
		// Segments are not validated as dates; REST reformats the digits (Q19: never fails).
		{"impossible date literal", func(d Dialect) string { return string(d.AppendDateLiteral(nil, "20261399")) },
			[4]string{"TO_DATE('20261399', 'YYYYMMDD')", "TO_DATE('20261399', 'YYYYMMDD')", "CONVERT(DATE, '20261399', 112)", "2026-13-99"}},
		{"no filter", func(d Dialect) string { return d.NoFilter() },
			[4]string{"1=1", "1=1", "1=1", ""}},
		// Reference §6.8 sample table, today = 2026-11-27.
		{"lookback 3M", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 3, 'M', testNow)) },
			[4]string{"DATEADD('MONTH', -3, CURRENT_DATE())", "ADD_MONTHS(SYSDATE, -3)", "DATEADD(MONTH, -3, CAST(GETDATE() AS DATE))", "2026-08-27"}},
		{"lookback 2Y", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 2, 'Y', testNow)) },
			[4]string{"DATEADD('YEAR', -2, CURRENT_DATE())", "ADD_MONTHS(SYSDATE, -24)", "DATEADD(YEAR, -2, CAST(GETDATE() AS DATE))", "2024-11-27"}},
		{"lookback 1W", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 1, 'W', testNow)) },
			[4]string{"DATEADD('WEEK', -1, CURRENT_DATE())", "SYSDATE - 7", "DATEADD(WEEK, -1, CAST(GETDATE() AS DATE))", "2026-11-20"}},
		{"lookback 5D", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 5, 'D', testNow)) },
			[4]string{"DATEADD('DAY', -5, CURRENT_DATE())", "SYSDATE - 5", "DATEADD(DAY, -5, CAST(GETDATE() AS DATE))", "2026-11-22"}},
		{"lookback 2W oracle multiplies", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 2, 'W', testNow)) },
			[4]string{"DATEADD('WEEK', -2, CURRENT_DATE())", "SYSDATE - 14", "DATEADD(WEEK, -2, CAST(GETDATE() AS DATE))", "2026-11-13"}},
		{"lower-case unit", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 3, 'm', testNow)) },
			[4]string{"DATEADD('MONTH', -3, CURRENT_DATE())", "ADD_MONTHS(SYSDATE, -3)", "DATEADD(MONTH, -3, CAST(GETDATE() AS DATE))", "2026-08-27"}},
		{"unknown unit is days", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 7, 'X', testNow)) },
			[4]string{"DATEADD('DAY', -7, CURRENT_DATE())", "SYSDATE - 7", "DATEADD(DAY, -7, CAST(GETDATE() AS DATE))", "2026-11-20"}},
		{"negative counts as zero", func(d Dialect) string { return string(d.AppendLookbackStart(nil, -3, 'D', testNow)) },
			[4]string{"DATEADD('DAY', -0, CURRENT_DATE())", "SYSDATE - 0", "DATEADD(DAY, -0, CAST(GETDATE() AS DATE))", "2026-11-27"}},
		{"date filter 3M", func(d Dialect) string { return string(d.AppendDateFilter(nil, "trade_date", 3, 'M', testNow)) },
			[4]string{"trade_date >= DATEADD('MONTH', -3, CURRENT_DATE())", "trade_date >= ADD_MONTHS(SYSDATE, -3)", "trade_date >= DATEADD(MONTH, -3, CAST(GETDATE() AS DATE))", "2026-08-27"}},
		{"date filter 1Y", func(d Dialect) string { return string(d.AppendDateFilter(nil, "valuation_date", 1, 'Y', testNow)) },
			[4]string{"valuation_date >= DATEADD('YEAR', -1, CURRENT_DATE())", "valuation_date >= ADD_MONTHS(SYSDATE, -12)", "valuation_date >= DATEADD(YEAR, -1, CAST(GETDATE() AS DATE))", "2025-11-27"}},
	}
	for _, tt := range tests {
		for d := Snowflake; d <= REST; d++ {
			if got := tt.fn(d); got != tt.want[d] {
				t.Errorf("%s, %v: got %q, want %q", tt.name, d, got, tt.want[d])
			}
		}
	}
}

func TestAppendKeepsPrefix(t *testing.T) {
	for d := Snowflake; d <= SQLite; d++ {
		got := string(d.AppendLookbackStart([]byte("x >= "), 1, 'D', testNow))
		if got[:5] != "x >= " || len(got) <= 5 {
			t.Errorf("%v: prefix lost: %q", d, got)
		}
	}
}

func TestRESTLookbackClamps(t *testing.T) {
	day := func(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 12, 0, 0, 0, time.UTC) }
	tests := []struct {
		now  time.Time
		n    int
		unit byte
		want string
	}{
		{day(2026, time.March, 31), 1, 'M', "2026-02-28"},
		{day(2024, time.March, 31), 1, 'M', "2024-02-29"},
		{day(2026, time.May, 31), 1, 'M', "2026-04-30"},
		{day(2026, time.January, 31), 2, 'M', "2025-11-30"},
		{day(2026, time.January, 15), 1, 'M', "2025-12-15"},
		{day(2026, time.January, 15), 13, 'M', "2024-12-15"},
		{day(2026, time.March, 31), 25, 'M', "2024-02-29"},
		{day(2024, time.February, 29), 1, 'Y', "2023-02-28"},
		{day(2024, time.February, 29), 4, 'Y', "2020-02-29"},
		{day(2026, time.March, 1), 1, 'D', "2026-02-28"},
		{day(2024, time.March, 1), 1, 'D', "2024-02-29"},
		{day(2026, time.January, 3), 1, 'W', "2025-12-27"},
		{day(2026, time.November, 27), 0, 'D', "2026-11-27"},
		// A lookback before 0001-01-01 clamps there instead of failing.
		{day(2026, time.November, 27), 2026, 'Y', "0001-01-01"},
		{day(2026, time.November, 27), 2025, 'Y', "0001-11-27"},
		{day(2026, time.November, 27), 2026 * 12, 'M', "0001-01-01"},
		{day(2026, time.November, 27), 2025*12 + 10, 'M', "0001-01-27"},
		{day(2026, time.November, 27), 2025*12 + 11, 'M', "0001-01-01"},
		{day(2026, time.November, 27), 1 << 40, 'D', "0001-01-01"},
		{day(2026, time.November, 27), 1<<62 + 5, 'W', "0001-01-01"},
		{day(2, time.January, 1), 365, 'D', "0001-01-01"},
		{day(2, time.January, 1), 366, 'D', "0001-01-01"},
		{day(2, time.January, 2), 366, 'D', "0001-01-01"},
		{day(2, time.January, 2), 1, 'D', "0002-01-01"},
		{day(123, time.June, 9), 0, 'D', "0123-06-09"},
		{time.Time{}, 1, 'D', "0001-01-01"},
	}
	for _, tt := range tests {
		got := string(REST.AppendLookbackStart(nil, tt.n, tt.unit, tt.now))
		if got != tt.want {
			t.Errorf("REST lookback %d%c from %s = %q, want %q", tt.n, tt.unit, tt.now.Format(time.DateOnly), got, tt.want)
		}
	}
}

func TestRESTCurrentDateUsesNowsLocation(t *testing.T) {
	// 23:30 UTC on Nov 27 is already Nov 28 in Tokyo: the caller's
	// choice of location decides "today".
	utc := time.Date(2026, time.November, 27, 23, 30, 0, 0, time.UTC)
	tokyo := utc.In(time.FixedZone("JST", 9*3600))
	if got := string(REST.AppendCurrentDate(nil, utc)); got != "2026-11-27" {
		t.Errorf("UTC: %q", got)
	}
	if got := string(REST.AppendCurrentDate(nil, tokyo)); got != "2026-11-28" {
		t.Errorf("JST: %q", got)
	}
}

func TestOracleHugeLookbackDoesNotOverflow(t *testing.T) {
	const maxInt = int(^uint(0) >> 1)
	tests := []struct {
		n    int
		unit byte
		want string
	}{
		{maxInt, 'Y', "ADD_MONTHS(SYSDATE, -110680464442257309684)"}, // 12 * (2^63-1)
		{maxInt, 'W', "SYSDATE - 64563604257983430649"},              // 7 * (2^63-1)
		{maxInt, 'M', "ADD_MONTHS(SYSDATE, -9223372036854775807)"},
		{1 << 62, 'W', "SYSDATE - 32281802128991715328"},
	}
	for _, tt := range tests {
		if got := string(Oracle.AppendLookbackStart(nil, tt.n, tt.unit, testNow)); got != tt.want {
			t.Errorf("oracle %d%c = %q, want %q", tt.n, tt.unit, got, tt.want)
		}
	}
}

// dialectNamed returns the dialect whose String is name (any case), else
// Snowflake: for tests that read a source type from a sample catalog
// (internal/source maps types to dialects; it imports this package).
func dialectNamed(name string) Dialect {
	for _, d := range [...]Dialect{Oracle, MSSQL, REST, PostgreSQL, MySQL, SQLite} {
		if strings.EqualFold(d.String(), name) {
			return d
		}
	}
	return Snowflake
}

// TestEngineDialects: PostgreSQL, MySQL and SQLite speak their own
// engine's date SQL (each form checked by hand on PostgreSQL 15, MariaDB
// 10.11 and SQLite 3; the /fetch end-to-end tests run them).
func TestEngineDialects(t *testing.T) {
	tests := []struct {
		name string
		fn   func(d Dialect) string
		want [3]string // postgres, mysql, sqlite
	}{
		{"current date", func(d Dialect) string { return string(d.AppendCurrentDate(nil, testNow)) },
			[3]string{"CURRENT_DATE", "CURRENT_DATE", "date('now')"}},
		{"date literal", func(d Dialect) string { return string(d.AppendDateLiteral(nil, "20260115")) },
			[3]string{"DATE '2026-01-15'", "DATE '2026-01-15'", "date('2026-01-15')"}},
		{"no filter", func(d Dialect) string { return d.NoFilter() }, [3]string{"1=1", "1=1", "1=1"}},
		{"lookback 3M", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 3, 'M', testNow)) },
			[3]string{"CAST(CURRENT_DATE - INTERVAL '3 months' AS DATE)", "DATE_SUB(CURRENT_DATE, INTERVAL 3 MONTH)", "date('now', '-3 months')"}},
		{"lookback 2Y", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 2, 'Y', testNow)) },
			[3]string{"CAST(CURRENT_DATE - INTERVAL '2 years' AS DATE)", "DATE_SUB(CURRENT_DATE, INTERVAL 2 YEAR)", "date('now', '-2 years')"}},
		{"lookback 2W", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 2, 'W', testNow)) },
			[3]string{"CAST(CURRENT_DATE - INTERVAL '2 weeks' AS DATE)", "DATE_SUB(CURRENT_DATE, INTERVAL 2 WEEK)", "date('now', '-14 days')"}},
		{"lookback 5D", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 5, 'd', testNow)) },
			[3]string{"CAST(CURRENT_DATE - INTERVAL '5 days' AS DATE)", "DATE_SUB(CURRENT_DATE, INTERVAL 5 DAY)", "date('now', '-5 days')"}},
		{"negative counts as zero", func(d Dialect) string { return string(d.AppendLookbackStart(nil, -1, 'D', testNow)) },
			[3]string{"CAST(CURRENT_DATE - INTERVAL '0 days' AS DATE)", "DATE_SUB(CURRENT_DATE, INTERVAL 0 DAY)", "date('now', '-0 days')"}},
		{"huge weeks do not overflow", func(d Dialect) string { return string(d.AppendLookbackStart(nil, 1<<62, 'W', testNow)) },
			[3]string{"CAST(CURRENT_DATE - INTERVAL '4611686018427387904 weeks' AS DATE)", "DATE_SUB(CURRENT_DATE, INTERVAL 4611686018427387904 WEEK)", "date('now', '-32281802128991715328 days')"}},
		{"date filter 1Y", func(d Dialect) string { return string(d.AppendDateFilter(nil, "asof", 1, 'Y', testNow)) },
			[3]string{"asof >= CAST(CURRENT_DATE - INTERVAL '1 years' AS DATE)", "asof >= DATE_SUB(CURRENT_DATE, INTERVAL 1 YEAR)", "asof >= date('now', '-1 years')"}},
	}
	for _, tt := range tests {
		for i, d := range [...]Dialect{PostgreSQL, MySQL, SQLite} {
			if got := tt.fn(d); got != tt.want[i] {
				t.Errorf("%s, %v: got %q, want %q", tt.name, d, got, tt.want[i])
			}
		}
	}
	for d, want := range map[Dialect]string{PostgreSQL: "postgres", MySQL: "mysql", SQLite: "sqlite"} {
		if got := d.String(); got != want {
			t.Errorf("%d.String() = %q, want %q", d, got, want)
		}
	}
}
