package models

import (
	"fmt"
	"regexp"
	"strings"
	"unicode"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// Pattern is a compiled appears_in.moniker_pattern (reference §5.3, the
// documented semantics): matched against a whole moniker path, "*" is any
// run of characters without "/" (possibly empty), "**" (or more stars) any
// run including "/" (possibly empty), and every other character is
// literal, dots and regular-expression metacharacters included. So
// "prices.*/*" matches "prices.equity/AAPL" (upstream's matcher did not:
// a "*" after "." was literal there), and "risk.cvar/*/*" does not match
// "risk.cvar/P1".
type Pattern struct {
	src    string
	prefix string // the literal text before the first "*"
	re     *regexp.Regexp
}

// Compile compiles a pattern. It must not be empty, longer than
// moniker.MaxLen, or contain white space or control characters. The error
// wraps moniker.ErrInvalid.
func Compile(p string) (*Pattern, error) {
	switch {
	case p == "":
		return nil, moniker.Errorf(moniker.ErrInvalid, "empty pattern")
	case len(p) > moniker.MaxLen:
		return nil, moniker.Errorf(moniker.ErrInvalid, "pattern longer than %d bytes", moniker.MaxLen)
	}
	if i := strings.IndexFunc(p, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }); i >= 0 {
		return nil, moniker.Errorf(moniker.ErrInvalid, "pattern %q contains white space or a control character", p)
	}
	var b strings.Builder
	b.WriteString(`^`)
	for rest := p; rest != ""; {
		i := strings.IndexByte(rest, '*')
		if i < 0 {
			b.WriteString(regexp.QuoteMeta(rest))
			break
		}
		b.WriteString(regexp.QuoteMeta(rest[:i]))
		rest = rest[i:]
		n := len(rest) - len(strings.TrimLeft(rest, "*"))
		if n == 1 {
			b.WriteString(`[^/]*`)
		} else {
			b.WriteString(`.*`)
		}
		rest = rest[n:]
	}
	b.WriteString(`$`)
	re, err := regexp.Compile(`(?s)` + b.String())
	if err != nil { // cannot happen: every literal is quoted
		return nil, fmt.Errorf("pattern %q: %w", p, err)
	}
	prefix, _, _ := strings.Cut(p, "*")
	return &Pattern{src: p, prefix: prefix, re: re}, nil
}

// Match reports whether path matches the whole pattern.
func (p *Pattern) Match(path string) bool {
	return strings.HasPrefix(path, p.prefix) && p.re.MatchString(path)
}

// String returns the pattern as written.
func (p *Pattern) String() string { return p.src }
