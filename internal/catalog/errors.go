package catalog

import (
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// maxErrors is how many errors one load collects before it stops.
const maxErrors = 100

// LoadError is one problem found while loading a catalog or domains file.
// It wraps moniker.ErrInvalid. Load returns every LoadError of a load
// (up to 100) joined with errors.Join; use errors.As on each, or
// AsLoadErrors, to get them back.
type LoadError struct {
	File string // the file as given to Load (or the name given to LoadBytes)
	Line int    // 1-based line, 0 when unknown
	Node string // the catalog path (or domain name) the problem is in, if any
	Key  string // the key inside the node, dotted ("access_policy.min_filters"), if any
	Msg  string

	domain bool // Node names a domain, not a catalog node
}

// Error formats the error as
// `catalog.yaml:123: node "risk.cvar": access_policy.min_filters: expected integer, got "abc"`.
func (e *LoadError) Error() string {
	var b strings.Builder
	if e.File != "" {
		b.WriteString(e.File)
		if e.Line > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Line))
		}
		b.WriteString(": ")
	}
	if e.Node != "" {
		if e.domain {
			b.WriteString("domain ")
		} else {
			b.WriteString("node ")
		}
		b.WriteString(strconv.Quote(e.Node))
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Unwrap returns moniker.ErrInvalid.
func (e *LoadError) Unwrap() error { return moniker.ErrInvalid }

// AsLoadErrors returns the LoadErrors inside err (as returned by Load,
// LoadBytes or LoadDomains), in order; nil when there are none.
func AsLoadErrors(err error) []*LoadError {
	var out []*LoadError
	var walk func(error)
	walk = func(err error) {
		switch e := err.(type) {
		case nil:
		case *LoadError:
			out = append(out, e)
		case interface{ Unwrap() []error }:
			for _, x := range e.Unwrap() {
				walk(x)
			}
		case interface{ Unwrap() error }:
			walk(e.Unwrap())
		}
	}
	walk(err)
	return out
}

// Warning is a tolerated problem: the catalog loads, but something was
// changed or ignored (an unknown status became active, an unknown source
// type became static, a key had a leading or trailing "/" trimmed).
type Warning struct {
	File string
	Line int
	Node string
	Msg  string
}

// String formats the warning like LoadError.Error.
func (w Warning) String() string {
	e := LoadError{File: w.File, Line: w.Line, Node: w.Node, Msg: w.Msg}
	return e.Error()
}
