package moniker

import (
	"errors"
	"fmt"
)

// Error kinds. Every error the domain returns wraps exactly one of these;
// the HTTP layer maps them to status codes in one place.
var (
	// ErrInvalid: the input (a moniker, a query parameter, a body) is malformed. 400.
	ErrInvalid = errors.New("invalid")
	// ErrNotFound: no node, or no source binding, for a path. 404.
	ErrNotFound = errors.New("not found")
	// ErrDenied: an access policy refused the moniker. 403.
	ErrDenied = errors.New("access denied")
	// ErrConflict: a write lost a race with another writer. 409.
	ErrConflict = errors.New("conflict")
	// ErrUnavailable: a dependency (management, a source) cannot be reached. 503.
	ErrUnavailable = errors.New("unavailable")
	// ErrNotImplemented: the route or source type is not built (yet). 501.
	ErrNotImplemented = errors.New("not implemented")
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

// Errorf returns an error of kind kind with a formatted message, so
// errors.Is(err, kind) holds and err.Error() is the message alone.
func Errorf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}

type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }
