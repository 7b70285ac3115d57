package moniker

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Error kinds. Every error the service returns wraps one of these, or is
// one of the typed errors below (which wrap one); internal/httpapi maps
// them to status codes and bodies in one place (WriteError).
var (
	// ErrInvalid: the input (a moniker, a query parameter, a body) is malformed. 400.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound: no node, or no source binding, for a path. 404.
	ErrNotFound = errors.New("not found")
	// ErrDenied: an access policy refused the moniker. 403.
	ErrDenied = errors.New("access denied")
	// ErrConflict: a write lost a race with another writer, or what it
	// creates exists. 409.
	ErrConflict = errors.New("conflict")
	// ErrPrecondition: an If-Match value does not match the current
	// version of what a write changes; nothing was written. 412.
	ErrPrecondition = errors.New("precondition failed")
	// ErrUnavailable: a dependency (management, a source) cannot be reached. 503.
	ErrUnavailable = errors.New("unavailable")
	// ErrNotImplemented: the route or source type is not built (yet). 501.
	ErrNotImplemented = errors.New("not implemented")
	// ErrSource: a data source refused a query /fetch ran (a bad table, a
	// syntax error, a refused login). 502.
	ErrSource = errors.New("source error")
	// ErrTimeout: a data source did not answer in time. 504.
	ErrTimeout = errors.New("source timeout")
)

// ParseError is returned by Parse. It wraps ErrInvalid.
type ParseError struct {
	Input   string // the input as given
	Message string // what is wrong, e.g. "invalid path segment '_AAPL'"
}

func (e *ParseError) Error() string { return e.Message }
func (e *ParseError) Unwrap() error { return ErrInvalid }

// NotFoundError says which path has no source binding. It wraps ErrNotFound.
type NotFoundError struct {
	Path string
}

func (e *NotFoundError) Error() string { return "No source binding for: " + e.Path }
func (e *NotFoundError) Unwrap() error { return ErrNotFound }

// DeniedError is an access-policy denial. It wraps ErrDenied.
type DeniedError struct {
	Message       string
	EstimatedRows int64 // the policy's row estimate; reported to the caller
	HasEstimate   bool  // false when the policy computed none (JSON null)
}

func (e *DeniedError) Error() string { return e.Message }
func (e *DeniedError) Unwrap() error { return ErrDenied }

// FieldError is one invalid field of an input (a body, a file entry).
type FieldError struct {
	// Loc is where the value is, from the input's root: the keys of the
	// objects and the indexes of the arrays on the way, e.g.
	// {"requester", "email"} or {"appears_in", "1", "moniker_pattern"}.
	// Empty: the input as a whole.
	Loc []string
	// Msg says what is wrong.
	Msg string
	// Input is the rejected value (nil: not reported).
	Input any
	// Type classifies the problem in upstream's terms ("missing",
	// "extra_forbidden", "string_type", ...); "" means "value_error".
	Type string
}

// Field returns a FieldError at path, a field path as FieldPath writes it
// ("source_binding.config.query", "appears_in[1].moniker_pattern").
func Field(path, msg string, input any) FieldError {
	return FieldError{Loc: FieldLoc(path), Msg: msg, Input: input}
}

// ValidationError lists the invalid fields of an input. It wraps
// ErrInvalid; over HTTP it is a 422 naming each field.
type ValidationError struct {
	Fields []FieldError
}

// Error lists the fields as "path: message", separated by "; ".
func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, f := range e.Fields {
		if i > 0 {
			b.WriteString("; ")
		}
		if p := FieldPath(f.Loc); p != "" {
			b.WriteString(p)
			b.WriteString(": ")
		}
		b.WriteString(f.Msg)
	}
	return b.String()
}

// Unwrap returns ErrInvalid.
func (e *ValidationError) Unwrap() error { return ErrInvalid }

// Invalid returns a *ValidationError for one field at path (see Field).
func Invalid(path, msg string, input any) error {
	return &ValidationError{Fields: []FieldError{Field(path, msg, input)}}
}

// FieldLoc splits a field path into its location: "a.b[2].c" is
// {"a", "b", "2", "c"}.
func FieldLoc(path string) []string {
	var out []string
	for part := range strings.SplitSeq(path, ".") {
		for {
			i := strings.IndexByte(part, '[')
			j := strings.IndexByte(part, ']')
			if i < 0 || j < i {
				break
			}
			if i > 0 {
				out = append(out, part[:i])
			}
			out = append(out, part[i+1:j])
			part = part[j+1:]
		}
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

// FieldPath writes a location as a field path: keys joined with ".",
// indexes in brackets ({"a", "b", "2", "c"} is "a.b[2].c").
func FieldPath(loc []string) string {
	var b strings.Builder
	for i, s := range loc {
		if _, err := strconv.Atoi(s); err == nil && i > 0 {
			b.WriteString("[" + s + "]")
			continue
		}
		if i > 0 {
			b.WriteByte('.')
		}
		b.WriteString(s)
	}
	return b.String()
}

// ConflictError refuses a write of entries (catalog nodes, domains,
// models, requests) that changed on disk since the writer read them. It
// wraps ErrConflict; over HTTP it is a 409 listing Paths.
type ConflictError struct {
	// Paths are the entries' keys (node paths, domain names, ...), sorted.
	Paths []string
	// Message says what happened; "" gives a message naming Paths.
	Message string
}

func (e *ConflictError) Error() string {
	if e.Message != "" {
		return e.Message
	}
	return "changed on disk since they were read: " + strings.Join(e.Paths, ", ")
}

// Unwrap returns ErrConflict.
func (e *ConflictError) Unwrap() error { return ErrConflict }

// ChildrenError refuses to delete a node that has children. It wraps
// ErrInvalid (400, as upstream answered, listing the children).
type ChildrenError struct {
	Path     string
	Children []string // sorted
}

func (e *ChildrenError) Error() string {
	return "Cannot delete node with children. Delete children first: [" + strings.Join(e.Children, ", ") + "]"
}

// Unwrap returns ErrInvalid.
func (e *ChildrenError) Unwrap() error { return ErrInvalid }

// MatchETag reports whether an If-Match header value accepts a write to
// an entity whose tag is etag (unquoted): an empty header and "*" accept
// any; otherwise one of its comma-separated entity tags (quoted or not,
// weak or strong) must be etag. A write it refuses fails with
// ErrPrecondition.
func MatchETag(ifMatch, etag string) bool {
	if strings.TrimSpace(ifMatch) == "" {
		return true
	}
	for part := range strings.SplitSeq(ifMatch, ",") {
		t := strings.TrimSpace(part)
		if t == "*" || strings.Trim(strings.TrimPrefix(t, "W/"), `"`) == etag {
			return true
		}
	}
	return false
}

// KindOf returns the kind of err: the first of the error kinds above met
// walking err's tree in the order errors.Is does, so the kind an error
// was given wins over the kinds of the causes it wraps; nil when err has
// none.
func KindOf(err error) error {
	switch err {
	case nil:
		return nil
	case ErrInvalid, ErrNotFound, ErrDenied, ErrConflict, ErrPrecondition, ErrUnavailable, ErrNotImplemented, ErrSource, ErrTimeout:
		return err
	}
	switch e := err.(type) {
	case interface{ Unwrap() error }:
		return KindOf(e.Unwrap())
	case interface{ Unwrap() []error }:
		for _, c := range e.Unwrap() {
			if k := KindOf(c); k != nil {
				return k
			}
		}
	}
	return nil
}

// Errorf returns an error of kind kind with a message formatted as
// fmt.Errorf does: errors.Is(err, kind) holds, err.Error() is the message
// alone, and an error the format wraps with %w stays reachable
// (errors.Is(err, context.DeadlineExceeded)). KindOf(err) is kind, not
// the kind of a wrapped cause.
func Errorf(kind error, format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	e := &kindError{kind: kind, msg: err.Error()}
	switch err.(type) {
	case interface{ Unwrap() error }, interface{ Unwrap() []error }:
		e.cause = err
	}
	return e
}

type kindError struct {
	kind  error
	msg   string
	cause error // what the format wrapped with %w; nil: nothing
}

func (e *kindError) Error() string { return e.msg }

func (e *kindError) Unwrap() []error {
	if e.cause == nil {
		return []error{e.kind}
	}
	return []error{e.kind, e.cause}
}
