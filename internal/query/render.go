package query

import (
	"strconv"
	"time"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// Context is what a template is rendered with.
type Context struct {
	// M is the parsed moniker; nil renders as the root moniker.
	M *moniker.Moniker
	// Segments are the template segments: the sub-path after the binding
	// split on "/", or on an exact binding match the full path's segments
	// (reference §6.4, quirk Q18).
	Segments []string
	// Path is {path}: the sub-path, or the full path on an exact match.
	Path string
	// Dialect is the dialect of the binding's source type (DialectFor).
	Dialect Dialect
	// Now is the time REST dates are computed from; its location decides
	// which calendar day "today" is.
	Now time.Time
}

// Render renders t with c and returns the result as a string.
func (t *Template) Render(c *Context) string {
	return string(t.Append(nil, c))
}

// Append appends the rendering of t with c to dst and returns the extended
// buffer. It does not allocate when dst has room.
//
// Values (reference §6.7 and §5.4; N indexes c.Segments, "out of range"
// means N >= len(c.Segments); "ALL" is matched case-insensitively):
//
//	{segments[N]}          segment N; out of range ""
//	{segments[N]:date}     an 8-digit segment as YYYY-MM-DD, another segment as is; out of range ""
//	{segment_date_sql[N]}  an 8-digit segment as the dialect's date literal, another as '<seg>'; out of range NULL
//	{is_all[N]}            true when segment N is ALL, else (and out of range) false
//	{filter[N]:COL}        COL = '<seg>'; ALL or out of range: the dialect's no-filter (1=1, or "" for REST)
//	{path}                 c.Path
//	{version}              the raw version, or ""
//	{version_date}         none: {current_date}; latest: '__LATEST__'; date: date literal;
//	                       lookback: lookback start; previous: 1-day lookback start;
//	                       otherwise the version single-quoted ('all', 'daily', 'v2beta')
//	{revision}             the revision, or ""
//	{namespace}            the namespace, or ""
//	{moniker}              the canonical moniker (moniker.Moniker.AppendString)
//	{sub_resource}         the sub-resource, or ""
//	{version_type}         date, latest, lookback, frequency, all, previous, custom, or ""
//	{is_date} {is_latest} {is_lookback} {is_frequency} {is_all}
//	                       true when the version type is date, latest, lookback, frequency, all
//	{lookback_value} {lookback_unit}
//	                       e.g. 3 and M for a lookback version, else ""
//	{frequency}            daily, weekly or monthly (lower-cased), else ""
//	{current_date}         the dialect's current date
//	{lookback_start_sql}   the lookback start for a lookback version, else ""
//	{is_tenor} {tenor_value} {tenor_unit}
//	                       aliases of {is_lookback} {lookback_value} {lookback_unit}
//	{date_value}           (HEAD) the raw version, or ""
//	{date_sql}             (HEAD) latest: current date; previous: 1-day lookback start;
//	                       date: date literal; lookback: lookback start; none: "";
//	                       otherwise the version single-quoted
//	{date_filter:COL}      see below
//
// {date_filter:COL} merges f206ffd's definition (§6.7 step 6) with HEAD's
// date@ values (§5.4):
//
//	lookback   COL >= <lookback start>   (REST: the ISO lookback date alone)
//	date       COL = <date literal>
//	latest     COL = <current date>
//	previous   COL = <1-day lookback start>
//	all        no-filter
//	otherwise  no-filter (no version, frequency, custom)
//
// "previous" is a 1-day lookback only for the date expressions above; its
// {is_lookback}, {lookback_value}, {lookback_unit} and {lookback_start_sql}
// are those of a non-lookback version.
//
// Upstream substituted in sequential passes over the whole text, each pass
// working on the output of the one before (§6.7). This renderer makes a
// single pass over the template, so a rendered value is never scanned
// again. The outputs are the same for every template except ones where a
// value together with the template text around it spells a placeholder of
// a later pass: upstream rendered "{{segments[0]}}" with segment "path" as
// the value of {path}, and "{{version}namespace}" with no version as the
// namespace; here they give "{path}" and "{namespace}". No real template
// does this, and it is what keeps a moniker's values from ever being read
// as template text.
func (t *Template) Append(dst []byte, c *Context) []byte {
	m := c.M
	if m == nil {
		m = new(moniker.Moniker)
	}
	d := c.Dialect
	for i := range t.parts {
		p := &t.parts[i]
		switch p.kind {
		case kLiteral:
			dst = append(dst, p.text...)
		case kSegment:
			if seg, ok := segment(c.Segments, p.idx); ok {
				dst = append(dst, seg...)
			}
		case kSegmentDate:
			if seg, ok := segment(c.Segments, p.idx); ok {
				if isDate8(seg) {
					dst = appendDashedDate(dst, seg)
				} else {
					dst = append(dst, seg...)
				}
			}
		case kSegmentDateSQL:
			seg, ok := segment(c.Segments, p.idx)
			switch {
			case !ok:
				dst = append(dst, "NULL"...)
			case isDate8(seg):
				dst = d.AppendDateLiteral(dst, seg)
			default:
				dst = appendQuoted(dst, seg)
			}
		case kIsAllN:
			seg, ok := segment(c.Segments, p.idx)
			dst = strconv.AppendBool(dst, ok && isALL(seg))
		case kFilter:
			seg, ok := segment(c.Segments, p.idx)
			if !ok || isALL(seg) {
				dst = append(dst, d.NoFilter()...)
			} else {
				dst = append(dst, p.text...)
				dst = append(dst, " = "...)
				dst = appendQuoted(dst, seg)
			}
		case kDateFilter:
			dst = appendDateFilter(dst, p.text, m, d, c.Now)
		case kPath:
			dst = append(dst, c.Path...)
		case kVersion, kDateValue:
			dst = append(dst, m.Version...)
		case kVersionDate:
			dst = appendVersionDate(dst, m, d, c.Now)
		case kRevision:
			if m.HasRevision {
				dst = strconv.AppendInt(dst, int64(m.Revision), 10)
			}
		case kNamespace:
			dst = append(dst, m.Namespace...)
		case kMoniker:
			dst = m.AppendString(dst)
		case kSubResource:
			dst = append(dst, m.SubResource...)
		case kVersionType:
			dst = append(dst, m.VersionType.String()...)
		case kIsDate:
			dst = strconv.AppendBool(dst, m.VersionType == moniker.VersionDate)
		case kIsLatest:
			dst = strconv.AppendBool(dst, m.VersionType == moniker.VersionLatest)
		case kIsLookback:
			dst = strconv.AppendBool(dst, m.VersionType == moniker.VersionLookback)
		case kIsFrequency:
			dst = strconv.AppendBool(dst, m.VersionType == moniker.VersionFrequency)
		case kIsAll:
			dst = strconv.AppendBool(dst, m.VersionType == moniker.VersionAll)
		case kLookbackValue:
			if m.VersionType == moniker.VersionLookback {
				dst = strconv.AppendInt(dst, int64(m.LookbackValue), 10)
			}
		case kLookbackUnit:
			if m.VersionType == moniker.VersionLookback {
				dst = append(dst, normUnit(m.LookbackUnit))
			}
		case kFrequency:
			if m.VersionType == moniker.VersionFrequency {
				dst = appendLower(dst, m.Version)
			}
		case kCurrentDate:
			dst = d.AppendCurrentDate(dst, c.Now)
		case kLookbackStartSQL:
			if m.VersionType == moniker.VersionLookback {
				dst = d.AppendLookbackStart(dst, m.LookbackValue, m.LookbackUnit, c.Now)
			}
		case kDateSQL:
			dst = appendDateSQL(dst, m, d, c.Now)
		}
	}
	return dst
}

// appendVersionDate appends {version_date}.
func appendVersionDate(dst []byte, m *moniker.Moniker, d Dialect, now time.Time) []byte {
	switch {
	case m.Version == "":
		return d.AppendCurrentDate(dst, now)
	case m.VersionType == moniker.VersionLatest:
		return append(dst, LatestHint...)
	case m.VersionType == moniker.VersionPrevious:
		return d.AppendLookbackStart(dst, 1, 'D', now)
	}
	return appendDateSQL(dst, m, d, now)
}

// appendDateSQL appends HEAD's {date_sql}; appendVersionDate shares its
// date, lookback and quoted cases.
func appendDateSQL(dst []byte, m *moniker.Moniker, d Dialect, now time.Time) []byte {
	switch m.VersionType {
	case moniker.VersionNone:
		return dst
	case moniker.VersionLatest:
		return d.AppendCurrentDate(dst, now)
	case moniker.VersionPrevious:
		return d.AppendLookbackStart(dst, 1, 'D', now)
	case moniker.VersionDate:
		return d.AppendDateLiteral(dst, m.Version)
	case moniker.VersionLookback:
		return d.AppendLookbackStart(dst, m.LookbackValue, m.LookbackUnit, now)
	}
	return appendQuoted(dst, m.Version)
}

// appendDateFilter appends {date_filter:col} (see Template.Append).
func appendDateFilter(dst []byte, col string, m *moniker.Moniker, d Dialect, now time.Time) []byte {
	switch m.VersionType {
	case moniker.VersionLookback:
		return d.AppendDateFilter(dst, col, m.LookbackValue, m.LookbackUnit, now)
	case moniker.VersionDate, moniker.VersionLatest, moniker.VersionPrevious:
		dst = append(dst, col...)
		dst = append(dst, " = "...)
		return appendDateSQL(dst, m, d, now)
	}
	return append(dst, d.NoFilter()...)
}

// segment returns segs[idx] when idx is in range.
func segment(segs []string, idx int) (string, bool) {
	if idx < 0 || idx >= len(segs) {
		return "", false
	}
	return segs[idx], true
}

// isALL reports whether s is "ALL" in any case.
func isALL(s string) bool {
	return len(s) == 3 && s[0]|0x20 == 'a' && s[1]|0x20 == 'l' && s[2]|0x20 == 'l'
}

// isDate8 reports whether s is exactly 8 ASCII digits.
func isDate8(s string) bool {
	if len(s) != 8 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

func appendQuoted(dst []byte, s string) []byte {
	dst = append(dst, '\'')
	dst = append(dst, s...)
	return append(dst, '\'')
}

// appendLower appends s with ASCII letters lower-cased.
func appendLower(dst []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		dst = append(dst, c)
	}
	return dst
}
