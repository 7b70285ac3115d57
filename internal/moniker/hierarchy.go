package moniker

import "strings"

// Parent returns the parent path under the f206ffd hierarchy rule (DESIGN
// §4, reference §7.3): everything before the last "/"; with no "/",
// everything before the last "."; otherwise the root "".
func Parent(path string) string {
	if i := strings.LastIndexByte(path, '/'); i >= 0 {
		return path[:i]
	}
	if i := strings.LastIndexByte(path, '.'); i >= 0 {
		return path[:i]
	}
	return ""
}

// Ancestors calls fn for each ancestor of path, nearest first, excluding
// the root and path itself, until fn returns false. It does not allocate.
func Ancestors(path string, fn func(ancestor string) bool) {
	for p := Parent(path); p != ""; p = Parent(p) {
		if !fn(p) {
			return
		}
	}
}

// Root returns the root-most ancestor of path (path itself when it has
// no parent): the domain a path belongs to under the dot hierarchy.
// "prices.equity/AAPL" gives "prices".
func Root(path string) string {
	for p := path; p != ""; {
		q := Parent(p)
		if q == "" {
			return p
		}
		p = q
	}
	return ""
}

// SubPath returns what follows base in path under the hierarchy: with
// base "prices" and path "prices.equity/AAPL" it is "equity/AAPL" (no
// leading separator, fixing upstream's ".equity"). ok is false when base
// is not path or an ancestor of it; sub is "" when they are equal.
func SubPath(path, base string) (sub string, ok bool) {
	if path == base {
		return "", true
	}
	if base == "" {
		return path, true
	}
	if len(path) <= len(base) || path[:len(base)] != base {
		return "", false
	}
	switch path[len(base)] {
	case '/':
		return path[len(base)+1:], true
	case '.':
		// A "." child is only a child when no "/" precedes it in base
		// (dots split only the first segment).
		if strings.IndexByte(base, '/') < 0 {
			return path[len(base)+1:], true
		}
	}
	return "", false
}
