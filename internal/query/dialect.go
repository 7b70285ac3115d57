package query

import (
	"math/bits"
	"strconv"
	"time"
)

// Dialect is the date dialect a template is rendered with (reference §6.8).
type Dialect uint8

// Dialects. The zero value is Snowflake. Each source type names its
// dialect in internal/source; every type of upstream's other than oracle,
// mssql and rest has Snowflake's, as upstream did (quirk Q20). PostgreSQL,
// MySQL (MariaDB too) and SQLite, which upstream did not have, render with
// their own engine's date functions: Snowflake's CURRENT_DATE() and
// TO_DATE(..., 'YYYYMMDD') are errors there.
const (
	Snowflake Dialect = iota
	Oracle
	MSSQL
	REST
	PostgreSQL
	MySQL
	SQLite
)

// LatestHint is upstream's {version_date} for an @latest version in every
// dialect, quotes included: latest data needs a catalog-defined subquery.
const LatestHint = "'__LATEST__'"

// String returns the dialect's name: snowflake, oracle, mssql, rest,
// postgres, mysql or sqlite.
func (d Dialect) String() string {
	switch d {
	case Oracle:
		return "oracle"
	case MSSQL:
		return "mssql"
	case REST:
		return "rest"
	case PostgreSQL:
		return "postgres"
	case MySQL:
		return "mysql"
	case SQLite:
		return "sqlite"
	}
	return "snowflake"
}

// NoFilter returns the dialect's match-everything filter: "1=1" for the SQL
// dialects, "" for REST.
func (d Dialect) NoFilter() string {
	if d == REST {
		return ""
	}
	return "1=1"
}

// AppendCurrentDate appends the dialect's current-date expression. REST
// has no expression: it appends now's calendar date as YYYY-MM-DD, in now's
// location (the caller decides UTC or local).
func (d Dialect) AppendCurrentDate(dst []byte, now time.Time) []byte {
	switch d {
	case Oracle:
		return append(dst, "SYSDATE"...)
	case MSSQL:
		return append(dst, "CAST(GETDATE() AS DATE)"...)
	case REST:
		y, m, day := now.Date()
		return appendISODate(dst, y, m, day)
	case PostgreSQL, MySQL:
		return append(dst, "CURRENT_DATE"...)
	case SQLite:
		return append(dst, "date('now')"...)
	}
	return append(dst, "CURRENT_DATE()"...)
}

// AppendDateLiteral appends the dialect's literal for an 8-digit YYYYMMDD
// date: TO_DATE('d', 'YYYYMMDD') (snowflake, oracle), CONVERT(DATE, 'd',
// 112) (mssql), YYYY-MM-DD (REST), DATE 'YYYY-MM-DD' (postgres, mysql),
// date('YYYY-MM-DD') (sqlite). It does not validate the date: the moniker
// parser validates versions, and segments are passed through as
// upstream's SQL dialects did (REST reformats the digits like
// {segments[N]:date}; upstream's REST dialect raised, quirk Q19); an
// impossible date is the engine's error (PostgreSQL, MySQL) or NULL
// (SQLite). A value that is not 8 bytes long is appended unchanged in the
// dashed forms.
func (d Dialect) AppendDateLiteral(dst []byte, yyyymmdd string) []byte {
	switch d {
	case MSSQL:
		dst = append(dst, "CONVERT(DATE, '"...)
		dst = append(dst, yyyymmdd...)
		return append(dst, "', 112)"...)
	case REST:
		return appendDashedDate(dst, yyyymmdd)
	case PostgreSQL, MySQL:
		dst = append(dst, "DATE '"...)
		dst = appendDashedDate(dst, yyyymmdd)
		return append(dst, '\'')
	case SQLite:
		dst = append(dst, "date('"...)
		dst = appendDashedDate(dst, yyyymmdd)
		return append(dst, "')"...)
	}
	dst = append(dst, "TO_DATE('"...)
	dst = append(dst, yyyymmdd...)
	return append(dst, "', 'YYYYMMDD')"...)
}

// AppendLookbackStart appends the start of a lookback of n units before
// today. unit is Y, M, W or D (either case; anything else means D, as
// upstream). A negative n counts as 0.
//
//	snowflake  DATEADD('MONTH', -3, CURRENT_DATE())
//	oracle     ADD_MONTHS(SYSDATE, -3); Y: ADD_MONTHS(SYSDATE, -12N); W: SYSDATE - 7N; D: SYSDATE - N
//	mssql      DATEADD(MONTH, -3, CAST(GETDATE() AS DATE))
//	rest       now's date minus the lookback, as YYYY-MM-DD
//	postgres   CAST(CURRENT_DATE - INTERVAL '3 months' AS DATE) (years, months, weeks, days)
//	mysql      DATE_SUB(CURRENT_DATE, INTERVAL 3 MONTH)
//	sqlite     date('now', '-3 months'); Y: '-N years'; W: '-7N days'; D: '-N days'
//
// REST month and year arithmetic clamps to the month end (Mar 31 - 1M is
// Feb 28 or 29, Feb 29 - 1Y is Feb 28), as Python's relativedelta does; a
// lookback reaching before 0001-01-01 gives 0001-01-01.
func (d Dialect) AppendLookbackStart(dst []byte, n int, unit byte, now time.Time) []byte {
	u := uint64(0)
	if n > 0 {
		u = uint64(n)
	}
	unit = normUnit(unit)
	switch d {
	case Oracle:
		switch unit {
		case 'Y':
			dst = append(dst, "ADD_MONTHS(SYSDATE, -"...)
			dst = appendMul(dst, u, 12)
			return append(dst, ')')
		case 'M':
			dst = append(dst, "ADD_MONTHS(SYSDATE, -"...)
			dst = strconv.AppendUint(dst, u, 10)
			return append(dst, ')')
		case 'W':
			dst = append(dst, "SYSDATE - "...)
			return appendMul(dst, u, 7)
		}
		dst = append(dst, "SYSDATE - "...)
		return strconv.AppendUint(dst, u, 10)
	case MSSQL:
		dst = append(dst, "DATEADD("...)
		dst = append(dst, unitName(unit)...)
		dst = append(dst, ", -"...)
		dst = strconv.AppendUint(dst, u, 10)
		return append(dst, ", CAST(GETDATE() AS DATE))"...)
	case REST:
		y, m, day := restLookback(now, u, unit)
		return appendISODate(dst, y, m, day)
	case PostgreSQL:
		dst = append(dst, "CAST(CURRENT_DATE - INTERVAL '"...)
		dst = strconv.AppendUint(dst, u, 10)
		dst = append(dst, ' ')
		dst = append(dst, pgUnit(unit)...)
		return append(dst, "' AS DATE)"...)
	case MySQL:
		dst = append(dst, "DATE_SUB(CURRENT_DATE, INTERVAL "...)
		dst = strconv.AppendUint(dst, u, 10)
		dst = append(dst, ' ')
		dst = append(dst, unitName(unit)...)
		return append(dst, ')')
	case SQLite:
		dst = append(dst, "date('now', '-"...)
		switch unit {
		case 'Y':
			dst = strconv.AppendUint(dst, u, 10)
			dst = append(dst, " years"...)
		case 'M':
			dst = strconv.AppendUint(dst, u, 10)
			dst = append(dst, " months"...)
		case 'W':
			dst = appendMul(dst, u, 7)
			dst = append(dst, " days"...)
		default:
			dst = strconv.AppendUint(dst, u, 10)
			dst = append(dst, " days"...)
		}
		return append(dst, "')"...)
	}
	dst = append(dst, "DATEADD('"...)
	dst = append(dst, unitName(unit)...)
	dst = append(dst, "', -"...)
	dst = strconv.AppendUint(dst, u, 10)
	return append(dst, ", CURRENT_DATE())"...)
}

// AppendDateFilter appends the dialect's lookback filter on column col:
// "col >= <lookback start>" for the SQL dialects, and for REST the ISO
// lookback date alone (no column), as upstream.
func (d Dialect) AppendDateFilter(dst []byte, col string, n int, unit byte, now time.Time) []byte {
	if d != REST {
		dst = append(dst, col...)
		dst = append(dst, " >= "...)
	}
	return d.AppendLookbackStart(dst, n, unit, now)
}

// normUnit upper-cases a lookback unit; anything but Y, M, W maps to D.
func normUnit(unit byte) byte {
	switch unit {
	case 'Y', 'y':
		return 'Y'
	case 'M', 'm':
		return 'M'
	case 'W', 'w':
		return 'W'
	}
	return 'D'
}

// unitName is the SQL date part of a normalised unit.
func unitName(unit byte) string {
	switch unit {
	case 'Y':
		return "YEAR"
	case 'M':
		return "MONTH"
	case 'W':
		return "WEEK"
	}
	return "DAY"
}

// pgUnit is PostgreSQL's interval unit of a normalised unit.
func pgUnit(unit byte) string {
	switch unit {
	case 'Y':
		return "years"
	case 'M':
		return "months"
	case 'W':
		return "weeks"
	}
	return "days"
}

// appendMul appends u*k in decimal without overflowing (k is small).
func appendMul(dst []byte, u, k uint64) []byte {
	hi, lo := bits.Mul64(u, k)
	if hi == 0 {
		return strconv.AppendUint(dst, lo, 10)
	}
	// hi < k <= 10^19, so the quotient fits: print it, then the
	// remainder zero-padded to 19 digits.
	const e19 = 10_000_000_000_000_000_000
	q, r := bits.Div64(hi, lo, e19)
	dst = strconv.AppendUint(dst, q, 10)
	var buf [19]byte
	for i := len(buf) - 1; i >= 0; i-- {
		buf[i] = byte('0' + r%10)
		r /= 10
	}
	return append(dst, buf[:]...)
}

// minYear, minMonth, minDay is the earliest REST date: Python's date.min.
const (
	minYear  = 1
	minMonth = time.January
	minDay   = 1
)

// restLookback is now's calendar date minus u units, clamped to the month
// end for Y and M and to 0001-01-01 at the low end.
func restLookback(now time.Time, u uint64, unit byte) (int, time.Month, int) {
	y, m, d := now.Date()
	if y < minYear {
		return minYear, minMonth, minDay
	}
	switch unit {
	case 'Y':
		if u >= uint64(y) {
			return minYear, minMonth, minDay
		}
		y -= int(u)
		return y, m, min(d, daysIn(y, m))
	case 'M':
		total := uint64(y)*12 + uint64(m-1) // months since year 0
		if u > total-12 {
			return minYear, minMonth, minDay
		}
		total -= u
		y, m = int(total/12), time.Month(total%12)+1
		return y, m, min(d, daysIn(y, m))
	case 'W':
		if u > (1<<62)/7 {
			return minYear, minMonth, minDay
		}
		u *= 7
	}
	today := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400
	first := time.Date(minYear, minMonth, minDay, 0, 0, 0, 0, time.UTC).Unix() / 86400
	if u > uint64(today-first) {
		return minYear, minMonth, minDay
	}
	return time.Date(y, m, d-int(u), 0, 0, 0, 0, time.UTC).Date()
}

// daysIn is the number of days in month m of year y.
func daysIn(y int, m time.Month) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// appendISODate appends YYYY-MM-DD (the year zero-padded to 4 digits).
func appendISODate(dst []byte, y int, m time.Month, d int) []byte {
	if y < minYear {
		y, m, d = minYear, minMonth, minDay
	}
	if y < 1000 {
		dst = append(dst, "000"[:4-digits(y)]...)
	}
	dst = strconv.AppendInt(dst, int64(y), 10)
	dst = append(dst, '-', byte('0'+m/10), byte('0'+m%10), '-')
	return append(dst, byte('0'+d/10), byte('0'+d%10))
}

// digits is the number of decimal digits of 0 < y < 1000.
func digits(y int) int {
	switch {
	case y < 10:
		return 1
	case y < 100:
		return 2
	}
	return 3
}

// appendDashedDate appends an 8-byte YYYYMMDD as YYYY-MM-DD, anything else
// unchanged.
func appendDashedDate(dst []byte, s string) []byte {
	if len(s) != 8 {
		return append(dst, s...)
	}
	dst = append(dst, s[:4]...)
	dst = append(dst, '-')
	dst = append(dst, s[4:6]...)
	dst = append(dst, '-')
	return append(dst, s[6:]...)
}
