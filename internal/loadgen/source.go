package loadgen

import (
	"strconv"
	"strings"
)

// A Source produces request paths (with any query string). n is unique
// for each request of a run across all workers (0, 1, 2, ... in the order
// requests are issued), so a Source can cycle a list or make every path
// distinct. AppendPath appends the path to dst and returns it; it is
// called concurrently by all workers and must not retain dst.
type Source interface {
	AppendPath(dst []byte, n uint64) []byte
}

type fixed string

func (f fixed) AppendPath(dst []byte, _ uint64) []byte { return append(dst, f...) }

// Fixed returns a Source that sends every request to path.
func Fixed(path string) Source { return fixed(path) }

type cycle []string

func (c cycle) AppendPath(dst []byte, n uint64) []byte {
	return append(dst, c[n%uint64(len(c))]...)
}

// Cycle returns a Source that walks paths in order, wrapping around, with
// all workers sharing one position. It panics when paths is empty.
func Cycle(paths []string) Source {
	if len(paths) == 0 {
		panic("loadgen: Cycle with no paths")
	}
	return cycle(append([]string(nil), paths...))
}

// Placeholder is the marker Distinct replaces with the request number.
const Placeholder = "{n}"

type distinct struct{ before, after string }

func (d distinct) AppendPath(dst []byte, n uint64) []byte {
	dst = append(dst, d.before...)
	dst = strconv.AppendUint(dst, n, 10)
	return append(dst, d.after...)
}

// Distinct returns a Source that makes every path of a run different by
// putting the request number where template has Placeholder, e.g.
// "/resolve/prices.equity/SYM{n}@20260115". Without a placeholder the
// number is appended to the end.
func Distinct(template string) Source {
	before, after, ok := strings.Cut(template, Placeholder)
	if !ok {
		return distinct{before: template}
	}
	return distinct{before: before, after: after}
}
