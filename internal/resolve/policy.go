package resolve

import (
	"math"
	"regexp"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// defaultMultiplier is the row factor of an ALL segment whose position has
// no cardinality multiplier (reference §6.5).
const defaultMultiplier = 100

// defaultBaseRowCount is the row estimate of a fully filtered query when
// the policy sets none.
const defaultBaseRowCount = 100

// policy is an access policy compiled for one snapshot: its blocked
// patterns are compiled once, as the catalog validated them
// (catalog.BlockedPatternRegexp: (?i)^(?:pattern), Python's re.match with
// re.IGNORECASE, anchored at the start only).
type policy struct {
	p        *moniker.AccessPolicy
	blocked  []blockedPattern
	badRegex string // a blocked pattern that does not compile: deny everything
}

// blockedPattern is one compiled blocked pattern. A pattern without regexp
// metacharacters (such as "ALL/ALL/ALL") is matched as a case-insensitive
// prefix, which is what the regexp would do, without running it.
type blockedPattern struct {
	literal string
	re      *regexp.Regexp // nil for a literal
}

func (b *blockedPattern) match(s string) bool {
	if b.re == nil {
		return len(s) >= len(b.literal) && strings.EqualFold(s[:len(b.literal)], b.literal)
	}
	return b.re.MatchString(s)
}

// compilePolicy compiles p; nil for no policy.
func compilePolicy(p *moniker.AccessPolicy) *policy {
	if p == nil {
		return nil
	}
	cp := &policy{p: p, blocked: make([]blockedPattern, 0, len(p.BlockedPatterns))}
	for _, pat := range p.BlockedPatterns {
		if regexp.QuoteMeta(pat) == pat && isASCII(pat) {
			cp.blocked = append(cp.blocked, blockedPattern{literal: pat})
			continue
		}
		re, err := regexp.Compile(catalog.BlockedPatternRegexp(pat))
		if err != nil {
			// The catalog loader rejects such patterns; a catalog built
			// another way fails closed.
			cp.badRegex = pat
			continue
		}
		cp.blocked = append(cp.blocked, blockedPattern{re: re})
	}
	return cp
}

// isASCII reports whether s is all ASCII, where strings.EqualFold and the
// regexp's (?i) agree (the regexp also folds e.g. "K" with U+212A).
func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// isAll reports whether a segment is the ALL wildcard (case-insensitive).
func isAll(seg string) bool { return strings.EqualFold(seg, "ALL") }

// nextSegment splits the "/"-joined segments s into the first one and the
// rest; more is false when s held the last segment.
func nextSegment(s string) (seg, rest string, more bool) {
	if i := strings.IndexByte(s, '/'); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

// estimate returns the estimated row count for the segments of sub (the
// sub-path below the binding; "" means no segments): base_row_count times,
// for each ALL segment, its cardinality multiplier (100 when there is none
// for its position). A base_row_count <= 0 counts as the default 100 (a
// node built in code has 0). The product saturates at MaxInt64 where
// Python's integers would grow without bound.
func (cp *policy) estimate(sub string) int64 {
	rows := cp.p.BaseRowCount
	if rows <= 0 {
		rows = defaultBaseRowCount
	}
	for i, rest, more := 0, sub, sub != ""; more; i++ {
		var seg string
		seg, rest, more = nextSegment(rest)
		if !isAll(seg) {
			continue
		}
		m := int64(defaultMultiplier)
		if i < len(cp.p.CardinalityMultipliers) {
			m = cp.p.CardinalityMultipliers[i]
		}
		rows = mulSat(rows, m)
	}
	return rows
}

// mulSat multiplies a and b, saturating at ±MaxInt64.
func mulSat(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		if (a < 0) != (b < 0) {
			return -math.MaxInt64
		}
		return math.MaxInt64
	}
	return p
}

// check evaluates the policy against the segments of sub (reference §6.5,
// in upstream's order: blocked patterns, required segments, min_filters,
// max_rows_block). It returns the row estimate and, when access is denied,
// a *moniker.DeniedError. It allocates only to build a denial.
// allowed_roles, allowed_hours and require_confirmation_above are not
// enforced (Q16); max_rows_warn allows (see Snapshot.build for the log).
func (cp *policy) check(sub string) (int64, error) {
	rows := cp.estimate(sub)
	deny := func(msg string) (int64, error) {
		return rows, &moniker.DeniedError{Message: msg, EstimatedRows: rows, HasEstimate: true}
	}
	if cp.badRegex != "" {
		return deny("Access policy has an invalid blocked pattern '" + cp.badRegex + "'; access is denied")
	}
	for i := range cp.blocked {
		if cp.blocked[i].match(sub) {
			if cp.p.DenialMessage != "" {
				return deny(cp.p.DenialMessage)
			}
			return deny("Query pattern '" + sub + "' is blocked by access policy")
		}
	}
	for _, idx := range cp.p.RequiredSegments {
		if seg, ok := segmentAt(sub, idx); ok && isAll(seg) {
			return deny("Access policy requires segment " + strconv.Itoa(idx) + " to be specified (cannot use ALL)")
		}
	}
	if cp.p.MinFilters > 0 {
		filters := 0
		for rest, more := sub, sub != ""; more; {
			var seg string
			seg, rest, more = nextSegment(rest)
			if !isAll(seg) {
				filters++
			}
		}
		if filters < cp.p.MinFilters {
			return deny("Access policy requires at least " + strconv.Itoa(cp.p.MinFilters) +
				" specific filters, but only " + strconv.Itoa(filters) + " provided")
		}
	}
	if cp.p.MaxRowsBlock > 0 && rows > cp.p.MaxRowsBlock {
		if cp.p.DenialMessage != "" {
			return deny(cp.p.DenialMessage)
		}
		return deny("Query would return ~" + groupThousands(rows) + " rows, exceeding limit of " +
			groupThousands(cp.p.MaxRowsBlock) + ". Add more specific filters to reduce result size.")
	}
	return rows, nil
}

// warn reports whether rows exceeds the policy's max_rows_warn.
func (cp *policy) warn(rows int64) bool {
	return cp.p.MaxRowsWarn > 0 && rows > cp.p.MaxRowsWarn
}

// segmentAt returns segment i of the "/"-joined segments sub.
func segmentAt(sub string, i int) (string, bool) {
	if sub == "" || i < 0 {
		return "", false
	}
	for rest, more := sub, true; more; i-- {
		var seg string
		seg, rest, more = nextSegment(rest)
		if i == 0 {
			return seg, true
		}
	}
	return "", false
}

// groupThousands formats n as Python's f"{n:,}" does: 100000000 gives
// "100,000,000".
func groupThousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	digits := s
	sign := ""
	if n < 0 {
		sign, digits = "-", s[1:]
	}
	var b strings.Builder
	b.WriteString(sign)
	for i := range len(digits) {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(digits[i])
	}
	return b.String()
}
