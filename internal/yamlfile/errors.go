package yamlfile

import (
	"bytes"
	"errors"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// MaxErrors is how many errors one load collects before it stops.
const MaxErrors = 100

// LoadError is one problem found while loading a YAML file (the config,
// a catalog, domains, models). It wraps moniker.ErrInvalid. Loaders
// return every LoadError they found (up to MaxErrors) joined with
// errors.Join; AsLoadErrors gets them back.
type LoadError struct {
	File string // the file as given to the loader
	Line int    // 1-based, 0 when unknown
	// Entry is the top-level entry the problem is in (a catalog path, a
	// domain name, a model path) and Noun what it names ("node",
	// "domain", "model"); both "" outside an entry.
	Noun, Entry string
	// Key is where in the entry (or the file) the problem is, dotted:
	// "access_policy.min_filters", "schema.columns[2].type"; "" when the
	// message says it.
	Key     string
	Message string
}

// Error formats the error as
// `catalog.yaml:123: node "risk.cvar": access_policy.min_filters: expected integer, got "abc"`,
// leaving out what is not known.
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
	if e.Entry != "" {
		b.WriteString(e.Noun)
		b.WriteByte(' ')
		b.WriteString(strconv.Quote(e.Entry))
		b.WriteString(": ")
	}
	if e.Key != "" {
		b.WriteString(e.Key)
		b.WriteString(": ")
	}
	b.WriteString(e.Message)
	return b.String()
}

// Unwrap returns moniker.ErrInvalid.
func (e *LoadError) Unwrap() error { return moniker.ErrInvalid }

// AsLoadErrors returns the LoadErrors inside err (as the loaders return
// them: one, or several joined), in order; nil when there are none.
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

// SyntaxError turns a yaml.v3 parse error into a LoadError located in the
// file: yaml.v3's "yaml: line N: msg" becomes line lineBase+N (lineBase is
// the file line before the parsed text, 0 for a whole file).
func SyntaxError(file string, lineBase int, err error) *LoadError {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if n, after, ok := strings.Cut(rest, ": "); ok {
			if l, err := strconv.Atoi(n); err == nil {
				return &LoadError{File: file, Line: lineBase + l, Message: "invalid YAML: " + after}
			}
		}
	}
	return &LoadError{File: file, Message: "invalid YAML: " + msg}
}

// TopMapping parses data, the contents of file, as one YAML document whose
// top level is a mapping, and returns that mapping. An empty document or a
// null top level gives nil and no error. A syntax error, a second
// document, or another kind of top level is a *LoadError; what names the
// mapping's entries in the message ("top level must be a mapping of
// <what>, got a list").
func TopMapping(file string, data []byte, what string) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, SyntaxError(file, 0, err)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		if err != nil {
			return nil, SyntaxError(file, 0, err)
		}
		return nil, &LoadError{File: file, Line: extra.Line, Message: "more than one YAML document in the file"}
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		return nil, nil
	}
	switch root := Deref(doc.Content[0]); {
	case root.Kind == yaml.MappingNode:
		return root, nil
	case IsNull(root):
		return nil, nil
	default:
		return nil, &LoadError{File: file, Line: root.Line, Message: "top level must be a mapping of " + what + ", got " + KindName(root)}
	}
}
