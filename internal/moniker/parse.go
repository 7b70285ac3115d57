package moniker

import (
	"fmt"
	"math"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Limits enforced by Parse. They bound the work a single request can cause
// and the size of anything that reaches a query template.
const (
	// MaxLen bounds the input and the canonical form (String) of a moniker,
	// in bytes. Bounding the canonical form too keeps String re-parseable:
	// query escaping can make it longer than the input.
	MaxLen = 4096
	// MaxSegmentLen bounds a path segment, a sub-resource part and a version.
	MaxSegmentLen = 128
	// MaxNamespaceLen bounds the namespace.
	MaxNamespaceLen = 64
	// MaxParams bounds the number of query parameters (before de-duplication).
	MaxParams = 64
	// MaxParamLen bounds a decoded query parameter key or value, in bytes.
	MaxParamLen = 1024
	// MaxNumber bounds a revision and a lookback value, so both fit an int
	// (and a SQL INTEGER) everywhere.
	MaxNumber = math.MaxInt32
)

const scheme = "moniker://"

// Parse parses a moniker string:
//
//	[moniker://][ns@]path[@version][/sub.resource][/vN][?k=v&...]
//
// It implements the f206ffd grammar exactly (reference §4.2; the order of
// the steps matters, e.g. "prices@20260101" is namespace "prices" with path
// "20260101", and a final "/v2" is always a revision), plus HEAD's
// "date@VALUE" as the final path segment, which is the same thing as
// "@VALUE": "prices/AAPL/date@20260115" and "prices/AAPL@20260115" parse to
// equal Monikers.
//
// Deliberate differences from upstream (DESIGN §4, reference §10):
//
//   - An 8-digit date version must be a real calendar date (Q19); a
//     lookback value must be 1..MaxNumber; "previous" is VersionPrevious.
//   - date@VALUE takes HEAD's value rule (case-insensitive \d{8},
//     [1-9]\d*[YMWD], latest, previous). A date@ segment that is not the
//     final segment is an error (HEAD's @id is not implemented), and so is
//     combining @version with date@.
//   - Query parameters are percent-decoded once ("+" is a space, blank
//     values kept, first value per key, keys in order of first appearance);
//     a malformed escape or a key or value that is not UTF-8 is an error.
//   - Injection guard: namespace, path segments, version and sub-resource
//     parts are the only moniker text that reaches query templates, which do
//     no escaping (reference §4.5, Q-sec). Their character rules
//     ([A-Za-z0-9][A-Za-z0-9_.-]* for segments and sub-resource parts,
//     [A-Za-z][A-Za-z0-9_-]* for the namespace, [A-Za-z0-9]* for the
//     version) already exclude quotes, semicolons, whitespace, "/*" and
//     "#"; in addition none of them may contain the SQL comment marker
//     "--", and each is length-bounded (MaxSegmentLen, MaxNamespaceLen).
//     Upstream's Python also accepted a trailing newline and non-ASCII
//     digits in places; this parser is ASCII-only.
//   - Input is bounded: MaxLen, MaxParams, MaxParamLen.
//
// Every error is a *ParseError (it wraps ErrInvalid) whose message names the
// offending part. Parse allocates only the Segments slice and the Params
// slice (plus decoded parameter text that needed unescaping); Path, the
// segments, the version and the other parts are substrings of s.
func Parse(s string) (Moniker, error) {
	if s == "" {
		return Moniker{}, parseErr(s, "empty moniker string")
	}
	if len(s) > MaxLen {
		return Moniker{}, parseErr(s, fmt.Sprintf("moniker too long: %d bytes, max %d", len(s), MaxLen))
	}
	t := strings.TrimSpace(s)
	var body, query string
	switch {
	case strings.HasPrefix(t, scheme):
		// Split like a URL: a "#fragment" is dropped (Q37), then the
		// query is what follows the first "?".
		rest := t[len(scheme):]
		if i := strings.IndexByte(rest, '#'); i >= 0 {
			rest = rest[:i]
		}
		body, query, _ = strings.Cut(rest, "?")
	case strings.Contains(t, "://"):
		return Moniker{}, parseErr(s, fmt.Sprintf("invalid scheme in %s: expected %q or no scheme", quote(t), scheme))
	default:
		// No fragment handling here: a "#" stays in the body (and fails
		// segment validation) or in the query (as part of a value).
		body, query, _ = strings.Cut(t, "?")
	}
	return parseBody(s, body, query)
}

// ParseParts parses a moniker given as its body ("[ns@]path[@version]
// [/sub.resource][/vN]", no scheme) and its raw, still percent-encoded
// query (without "?"). It is meant for HTTP handlers: pass the decoded URL
// path after the route prefix and r.URL.RawQuery. Unlike Parse it does no
// trimming and no scheme, "?" or "#" handling, so a "?" or "#" that was
// percent-encoded in the URL path is rejected by segment validation (400)
// instead of silently cutting the path short (Q37). The query is decoded
// exactly once (Q12). An empty body is the root moniker.
func ParseParts(body, rawQuery string) (Moniker, error) {
	if len(body)+len(rawQuery) > MaxLen {
		return Moniker{}, parseErr(joinInput(body, rawQuery),
			fmt.Sprintf("moniker too long: %d bytes, max %d", len(body)+len(rawQuery), MaxLen))
	}
	m, err := parseBody("", body, rawQuery)
	if err != nil {
		err.(*ParseError).Input = joinInput(body, rawQuery)
	}
	return m, err
}

func joinInput(body, query string) string {
	if query == "" {
		return body
	}
	return body + "?" + query
}

// parseBody runs steps 3-7 of the f206ffd algorithm (reference §4.2) with
// the date@ step inserted after the revision, as HEAD does. in is the
// original input, for errors.
func parseBody(in, body, query string) (Moniker, error) {
	var m Moniker

	// Step 3: namespace. The first "@" is a namespace separator when it
	// comes before the first "/" (or there is no "/").
	rem := body
	firstAt := strings.IndexByte(body, '@')
	firstSlash := strings.IndexByte(body, '/')
	if firstAt >= 0 && (firstSlash < 0 || firstAt < firstSlash) {
		ns := body[:firstAt]
		if reason := checkNamespace(ns); reason != "" {
			return Moniker{}, parseErr(in, "invalid namespace "+quote(ns)+": "+reason)
		}
		m.Namespace = ns
		rem = body[firstAt+1:]
	}

	// Step 4: revision. The last "/v" or "/V", when only digits follow it.
	if i := lastSlashV(rem); i >= 0 && isDigits(rem[i+2:]) {
		rev, ok := atoiBounded(rem[i+2:])
		if !ok {
			return Moniker{}, parseErr(in, fmt.Sprintf("invalid revision %s: must be at most %d", quote(rem[i+1:]), MaxNumber))
		}
		m.HasRevision, m.Revision = true, rev
		rem = rem[:i]
	}

	// Every step from here to the path needs an "@"; most monikers have none.
	if firstAt >= 0 {
		// HEAD step 6: date@VALUE as the final segment is the version.
		lastSlash := strings.LastIndexByte(rem, '/')
		if final := rem[lastSlash+1:]; strings.HasPrefix(final, "date@") {
			if msg := m.setDateParam(final[len("date@"):]); msg != "" {
				return Moniker{}, parseErr(in, msg)
			}
			rem = rem[:max(lastSlash, 0)]
			if at := strings.LastIndexByte(rem, '@'); at >= 0 {
				ver, _, _ := strings.Cut(rem[at+1:], "/")
				return Moniker{}, parseErr(in, "invalid date@ segment "+quote(final)+
					": cannot be combined with @version "+quote(ver)+"; use one of them")
			}
		}
		// A date@ segment anywhere else is an error (HEAD would take it
		// as an @id on a segment named "date", which we do not implement).
		if seg := nonFinalDateSegment(rem); seg != "" {
			return Moniker{}, parseErr(in, "invalid path segment "+quote(seg)+": a date@ segment must be the final path segment")
		}

		// Step 5: @version[/sub.resource], at the last "@". With a
		// namespace any "@" counts; without one only an "@" after the
		// first "/" (an earlier one was taken as the namespace).
		if at := strings.LastIndexByte(rem, '@'); at >= 0 && (m.Namespace != "" || at > strings.IndexByte(rem, '/')) {
			ver, sub, _ := strings.Cut(rem[at+1:], "/")
			rem = rem[:at]
			if reason := checkVersion(ver); reason != "" {
				return Moniker{}, parseErr(in, "invalid version "+quote(ver)+": "+reason)
			}
			m.HasVersion, m.Version = true, ver
			if msg := m.classifyVersion("version"); msg != "" {
				return Moniker{}, parseErr(in, msg)
			}
			if sub != "" {
				for part := range strings.SplitSeq(sub, ".") {
					if reason := checkSegment(part); reason != "" {
						return Moniker{}, parseErr(in, "invalid sub-resource segment "+quote(part)+": "+reason)
					}
				}
				m.SubResource = sub
			}
		}
	}

	// Step 6: the path, leading and trailing "/" stripped.
	path := strings.Trim(rem, "/")
	if path != "" {
		n, bad, reason := checkPath(path)
		if reason != "" {
			return Moniker{}, parseErr(in, "invalid path segment "+quote(bad)+": "+reason)
		}
		m.Path = path
		m.Segments = make([]string, n)
		for i := range n - 1 {
			j := strings.IndexByte(path, '/')
			m.Segments[i], path = path[:j], path[j+1:]
		}
		m.Segments[n-1] = path
	}

	// Step 7: query parameters.
	if query != "" {
		params, msg := parseQuery(query)
		if msg != "" {
			return Moniker{}, parseErr(in, msg)
		}
		m.Params = params
	}

	if n := m.canonicalLen(); n > MaxLen {
		return Moniker{}, parseErr(in, fmt.Sprintf("moniker too long: %d bytes in canonical form, max %d", n, MaxLen))
	}
	return m, nil
}

// lastSlashV returns the index of the last "/v" or "/V" in s, or -1.
func lastSlashV(s string) int {
	for i := len(s) - 2; i >= 0; i-- {
		if s[i] == '/' && (s[i+1] == 'v' || s[i+1] == 'V') {
			return i
		}
	}
	return -1
}

// nonFinalDateSegment returns the first segment of s that starts with
// "date@", or "".
func nonFinalDateSegment(s string) string {
	for i := 0; i < len(s); i++ {
		if s[i] != '@' || i < 4 || s[i-4:i] != "date" || (i > 4 && s[i-5] != '/') {
			continue
		}
		seg := s[i-4:]
		if j := strings.IndexByte(seg, '/'); j >= 0 {
			seg = seg[:j]
		}
		return seg
	}
	return ""
}

// setDateParam validates a date@ value with HEAD's rule and records it as
// the version. It returns an error message, or "".
func (m *Moniker) setDateParam(v string) string {
	if v == "" {
		return `invalid path segment "date@": empty date@ value`
	}
	ok := false
	switch {
	case len(v) == 8 && isDigits(v):
		ok = true
	case len(v) >= 2 && v[0] >= '1' && v[0] <= '9' && isDigits(v[:len(v)-1]) && lookbackUnit(v[len(v)-1]) != 0:
		ok = true
	case strings.EqualFold(v, "latest"), strings.EqualFold(v, "previous"):
		ok = true
	}
	if !ok {
		return "invalid date@ value " + quote(v) + ": must be a date YYYYMMDD, a lookback such as 3M, 1Y, 2W, 5D, or latest or previous"
	}
	m.HasVersion, m.Version = true, v
	return m.classifyVersion("date@ value")
}

// classifyVersion sets VersionType and the derived lookback fields from
// Version (reference §4.3, in that order, plus "previous"). It returns an
// error message, naming the version as what, for an impossible date or an
// out-of-range lookback, or "".
func (m *Moniker) classifyVersion(what string) string {
	v := m.Version
	switch {
	case v == "":
		m.VersionType = VersionNone
	case len(v) == 8 && isDigits(v):
		if !isCalendarDate(v) {
			return "invalid " + what + " " + quote(v) + ": not a real calendar date (YYYYMMDD)"
		}
		m.VersionType = VersionDate
	case len(v) >= 2 && isDigits(v[:len(v)-1]) && lookbackUnit(v[len(v)-1]) != 0:
		n, ok := atoiBounded(v[:len(v)-1])
		if !ok || n < 1 {
			return fmt.Sprintf("invalid %s %s: a lookback must be between 1 and %d", what, quote(v), MaxNumber)
		}
		m.VersionType = VersionLookback
		m.LookbackValue, m.LookbackUnit = n, lookbackUnit(v[len(v)-1])
	case strings.EqualFold(v, "daily"), strings.EqualFold(v, "weekly"), strings.EqualFold(v, "monthly"):
		m.VersionType = VersionFrequency
	case strings.EqualFold(v, "latest"):
		m.VersionType = VersionLatest
	case strings.EqualFold(v, "all"):
		m.VersionType = VersionAll
	case strings.EqualFold(v, "previous"):
		m.VersionType = VersionPrevious
	default:
		m.VersionType = VersionCustom
	}
	return ""
}

// Frequency returns the lower-cased frequency ("daily", "weekly" or
// "monthly") of a VersionFrequency moniker, else "".
func (m *Moniker) Frequency() string {
	if m.VersionType != VersionFrequency {
		return ""
	}
	for _, f := range [...]string{"daily", "weekly", "monthly"} {
		if strings.EqualFold(m.Version, f) {
			return f
		}
	}
	return ""
}

// lookbackUnit returns the upper-cased unit for a lookback suffix, or 0.
func lookbackUnit(c byte) byte {
	switch c {
	case 'Y', 'M', 'W', 'D':
		return c
	case 'y', 'm', 'w', 'd':
		return c - ('a' - 'A')
	}
	return 0
}

// isCalendarDate reports whether an 8-digit string is a real date YYYYMMDD
// (year 0001-9999, proleptic Gregorian).
func isCalendarDate(v string) bool {
	y, _ := strconv.Atoi(v[:4])
	mo, _ := strconv.Atoi(v[4:6])
	d, _ := strconv.Atoi(v[6:])
	if y < 1 || mo < 1 || mo > 12 || d < 1 {
		return false
	}
	days := [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[mo-1]
	if mo == 2 && y%4 == 0 && (y%100 != 0 || y%400 == 0) {
		days = 29
	}
	return d <= days
}

// isDigits reports whether s is non-empty and all ASCII digits.
func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// atoiBounded parses ASCII digits (leading zeros allowed) into 0..MaxNumber.
func atoiBounded(s string) (int, bool) {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
		if n > MaxNumber {
			return 0, false
		}
	}
	return n, true
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

const segmentRule = "must start with a letter or digit and contain only letters, digits, '_', '-', '.'"

// checkSegment validates a path segment or sub-resource part:
// [A-Za-z0-9][A-Za-z0-9_.-]*, at most MaxSegmentLen bytes, no "--", not
// ending in '-'.
// It returns why s is invalid, or "".
func checkSegment(s string) string {
	if s == "" {
		return "empty segment"
	}
	if len(s) > MaxSegmentLen {
		return fmt.Sprintf("longer than %d characters", MaxSegmentLen)
	}
	if !isAlnum(s[0]) {
		return segmentRule
	}
	for i := 1; i < len(s); i++ {
		c := s[i]
		if !isAlnum(c) && c != '_' && c != '-' && c != '.' {
			return segmentRule
		}
		if c == '-' && s[i-1] == '-' {
			return `must not contain "--"`
		}
	}
	if s[len(s)-1] == '-' {
		return trailingDash
	}
	return ""
}

// trailingDash: a value ending in '-' placed before a '-' in a template
// would spell a SQL comment marker ("x-" + "-1"), so none may end in '-'.
const trailingDash = "must not end with '-'"

// checkPath validates every "/"-separated segment of path with the rules
// of checkSegment in one pass. It returns the number of segments, or the
// first bad segment and why it is bad.
func checkPath(path string) (n int, bad, reason string) {
	start := 0
	for i := 0; i <= len(path); i++ {
		if i < len(path) {
			c := path[i]
			if c != '/' {
				if isAlnum(c) || i > start && (c == '_' || c == '.' || c == '-' && path[i-1] != '-') {
					continue
				}
				// Let checkSegment say what is wrong with the segment.
				end := strings.IndexByte(path[i:], '/')
				if end < 0 {
					end = len(path) - i
				}
				bad = path[start : i+end]
				return 0, bad, checkSegment(bad)
			}
		}
		if seg := path[start:i]; seg == "" || len(seg) > MaxSegmentLen || seg[len(seg)-1] == '-' {
			return 0, seg, checkSegment(seg)
		}
		n++
		start = i + 1
	}
	return n, "", ""
}

// checkNamespace validates a namespace: [A-Za-z][A-Za-z0-9_-]*, at most
// MaxNamespaceLen bytes, no "--". It returns why ns is invalid, or "".
func checkNamespace(ns string) string {
	const rule = "must start with a letter and contain only letters, digits, '_', '-'"
	if ns == "" {
		return "empty namespace"
	}
	if len(ns) > MaxNamespaceLen {
		return fmt.Sprintf("longer than %d characters", MaxNamespaceLen)
	}
	if c := ns[0]; !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z') {
		return rule
	}
	for i := 1; i < len(ns); i++ {
		c := ns[i]
		if !isAlnum(c) && c != '_' && c != '-' {
			return rule
		}
		if c == '-' && ns[i-1] == '-' {
			return `must not contain "--"`
		}
	}
	if ns[len(ns)-1] == '-' {
		return trailingDash
	}
	return ""
}

// checkVersion validates a version: [A-Za-z0-9]*, at most MaxSegmentLen
// bytes (empty is allowed: "x@" has an empty version, Q36).
func checkVersion(v string) string {
	if len(v) > MaxSegmentLen {
		return fmt.Sprintf("longer than %d characters", MaxSegmentLen)
	}
	for i := 0; i < len(v); i++ {
		if !isAlnum(v[i]) {
			return "must contain only letters and digits"
		}
	}
	return ""
}

// parseQuery decodes a raw query once: fields split on "&", empty fields
// skipped, key and value split on the first "=" (a field without "=" has a
// blank value), percent-decoding with "+" as space, first value per key,
// keys in order of first appearance. It returns an error message, or "".
func parseQuery(q string) ([]Param, string) {
	n := 0
	for f := range strings.SplitSeq(q, "&") {
		if f != "" {
			n++
		}
	}
	if n == 0 {
		return nil, ""
	}
	if n > MaxParams {
		return nil, fmt.Sprintf("too many query parameters: %d, max %d", n, MaxParams)
	}
	params := make([]Param, 0, n)
fields:
	for f := range strings.SplitSeq(q, "&") {
		if f == "" {
			continue
		}
		rk, rv, _ := strings.Cut(f, "=")
		k, err := url.QueryUnescape(rk)
		if err != nil {
			return nil, "invalid query parameter " + quote(f) + ": malformed percent-encoding"
		}
		v, err := url.QueryUnescape(rv)
		if err != nil {
			return nil, "invalid query parameter " + quote(f) + ": malformed percent-encoding"
		}
		if len(k) > MaxParamLen || len(v) > MaxParamLen {
			return nil, fmt.Sprintf("invalid query parameter %s: key or value longer than %d bytes", quote(k), MaxParamLen)
		}
		if !utf8.ValidString(k) || !utf8.ValidString(v) {
			return nil, "invalid query parameter " + quote(k) + ": not valid UTF-8"
		}
		for _, p := range params {
			if p.Key == k {
				continue fields
			}
		}
		params = append(params, Param{Key: k, Value: v})
	}
	return params, ""
}

// quote renders an offending part of the input for an error message:
// Go-quoted (so control characters are visible), long text shortened.
func quote(s string) string {
	const maxShown = 64
	if len(s) > maxShown {
		i := maxShown
		for i > 0 && !utf8.RuneStart(s[i]) {
			i--
		}
		return strconv.Quote(s[:i]) + "..."
	}
	return strconv.Quote(s)
}

func parseErr(in, msg string) *ParseError {
	return &ParseError{Input: in, Message: msg}
}
