package fetch

import (
	"database/sql/driver"
	"errors"
	"io"
	"net"
	"syscall"
)

// ErrConnection marks a source error whose cause is the connection to
// the source rather than the source's answer: the source is down,
// unreachable or failing (a refused or reset connection, a broken pipe,
// an answer cut short, an HTTP API answering 5xx). The executor counts
// such errors against the source's circuit breaker; a source's refusal
// of a query (a bad table, a syntax error, a 4xx) is the source
// answering, and does not count. A marked error keeps its kind and its
// message: errors.Is(err, ErrConnection) tells.
var ErrConnection = errors.New("the connection to the source failed")

// Unreachable returns err marked with ErrConnection (see there).
func Unreachable(err error) error {
	if err == nil || errors.Is(err, ErrConnection) {
		return err
	}
	return &connError{err}
}

// ConnectionError returns err, an error an adapter made from cause (its
// driver's or transport's error, whose message may carry secrets and so
// is not wrapped), marked with ErrConnection when cause is a connection
// failure (IsConnectionFailure); else err as it is.
func ConnectionError(err, cause error) error {
	if IsConnectionFailure(cause) {
		return Unreachable(err)
	}
	return err
}

// IsConnectionFailure reports whether err is a failure of the connection
// to a source: a network error, a refused or reset connection, a broken
// pipe, a connection the driver found broken, an answer cut short, a
// closed connection; or an error marked with ErrConnection.
func IsConnectionFailure(err error) bool {
	var ne net.Error
	return errors.Is(err, ErrConnection) || errors.As(err, &ne) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) || errors.Is(err, driver.ErrBadConn) ||
		errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed)
}

type connError struct{ error }

func (e *connError) Unwrap() []error { return []error{e.error, ErrConnection} }
