package httpapi

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// Error codes: stable, machine-readable, added to every error body as "code".
const (
	CodeInvalidMoniker   = "invalid_moniker"
	CodeInvalidRequest   = "invalid_request"
	CodeValidation       = "validation_error"
	CodeNotFound         = "not_found"
	CodeNoRoute          = "no_route"
	CodeMethodNotAllowed = "method_not_allowed"
	CodeAccessDenied     = "access_denied"
	CodeConflict         = "conflict"
	CodePrecondition     = "precondition_failed"
	CodeNotInitialized   = "not_initialized"
	CodeReloadFailed     = "reload_failed"
	CodeBatchTooLarge    = "batch_too_large"
	CodeBodyTooLarge     = "body_too_large"
	CodeNotImplemented   = "not_implemented"
	CodeUnavailable      = "unavailable"
	CodeInternal         = "internal_error"
	CodeRateLimited      = "rate_limited"
	CodeCircuitOpen      = "circuit_open"
	// CodeUnauthenticated: 401, no acceptable credential (auth.enforce,
	// or a write route without a principal).
	CodeUnauthenticated = "unauthenticated"
	// CodeForbidden: 403, the caller lacks the role a write route needs.
	CodeForbidden = "forbidden"
)

// Detail is the {"detail": ..., "code": ...} body upstream's explicit HTTP
// errors used, plus our stable code.
type Detail struct {
	Detail string `json:"detail"`
	Code   string `json:"code"`
}

// WriteDetail answers status with a {"detail","code"} body.
func WriteDetail(w http.ResponseWriter, status int, code, detail string) {
	WriteJSON(w, status, Detail{Detail: detail, Code: code})
}

// FieldError is one entry of a 422 validation body, in the shape upstream's
// framework produced ({"type","loc","msg","input"}).
type FieldError struct {
	Type  string   `json:"type"`
	Loc   []string `json:"loc"`
	Msg   string   `json:"msg"`
	Input any      `json:"input"`
}

// WriteValidation answers 422 with {"detail": [FieldError...], "code"}.
func WriteValidation(w http.ResponseWriter, errs ...FieldError) {
	WriteJSON(w, http.StatusUnprocessableEntity, struct {
		Detail []FieldError `json:"detail"`
		Code   string       `json:"code"`
	}{errs, CodeValidation})
}

// ResolutionError is the {"error","detail",...} body of resolution routes
// (/resolve, /fetch): parse errors, not found, access denied.
type ResolutionError struct {
	Error  string `json:"error"`
	Detail string `json:"detail"`
	Code   string `json:"code"`
	// Domain hint on 404 (reference §2.4).
	Domain        string `json:"domain,omitempty"`
	Documentation string `json:"documentation,omitempty"`
	HelpChannel   string `json:"help_channel,omitempty"`
}

// deniedBody is the 403 body: estimated_rows is always present (null
// when the policy made no estimate).
type deniedBody struct {
	Error         string `json:"error"`
	Detail        string `json:"detail"`
	Code          string `json:"code"`
	EstimatedRows *int64 `json:"estimated_rows"`
}

// DomainFunc returns the domain record a path belongs to, or nil.
type DomainFunc func(path string) *moniker.DomainRecord

// WriteResolutionError answers a resolution error in upstream's
// {"error","detail"} shape. domain may be nil.
func WriteResolutionError(w http.ResponseWriter, log *slog.Logger, err error, domain DomainFunc) {
	var (
		pe *moniker.ParseError
		nf *moniker.NotFoundError
		de *moniker.DeniedError
	)
	switch {
	case errors.As(err, &pe):
		WriteJSON(w, http.StatusBadRequest, ResolutionError{Error: "Invalid moniker", Detail: pe.Message, Code: CodeInvalidMoniker})
	case errors.As(err, &nf):
		body := ResolutionError{Error: "Not found", Detail: nf.Error(), Code: CodeNotFound}
		if domain != nil {
			if d := domain(nf.Path); d != nil {
				body.Domain = d.Name
				body.Documentation = d.WikiLink
				body.HelpChannel = d.HelpChannel
			}
		}
		WriteJSON(w, http.StatusNotFound, body)
	case errors.As(err, &de):
		body := deniedBody{Error: "Access denied", Detail: de.Message, Code: CodeAccessDenied}
		if de.HasEstimate {
			n := de.EstimatedRows
			body.EstimatedRows = &n
		}
		WriteJSON(w, http.StatusForbidden, body)
	default:
		WriteError(w, log, err)
	}
}

// StatusError is an error that already knows its HTTP answer, e.g. one
// relayed from another service (the management plane).
type StatusError struct {
	Status int
	Code   string
	Detail string
}

func (e *StatusError) Error() string { return e.Detail }

// Retryable is implemented by errors that know when the caller may try
// again, e.g. an open circuit breaker's. WriteError answers an
// unavailable-kind Retryable with its own code and a Retry-After header.
type Retryable interface {
	error
	// RetryDelay is how long the caller should wait.
	RetryDelay() time.Duration
	// ErrorCode is the body's code, e.g. CodeCircuitOpen.
	ErrorCode() string
}

// SetRetryAfter sets the Retry-After header to d in whole seconds,
// rounded up and at least 1 (RFC 9110 allows only integers).
func SetRetryAfter(h http.Header, d time.Duration) {
	h.Set("Retry-After", strconv.FormatInt(RetryAfterSeconds(d), 10))
}

// RetryAfterSeconds is d in whole seconds, rounded up, at least 1.
func RetryAfterSeconds(d time.Duration) int64 {
	s := int64((d + time.Second - 1) / time.Second)
	return max(s, 1)
}

// WriteError maps any error to its status and a {"detail","code"} body,
// by its kind (moniker.KindOf: the kind an error was given, not a wrapped
// cause's). 5xx bodies say "internal error"; the detail goes to the log.
func WriteError(w http.ResponseWriter, log *slog.Logger, err error) {
	var (
		se *StatusError
		re Retryable
	)
	kind := moniker.KindOf(err)
	switch {
	case kind == moniker.ErrUnavailable && errors.As(err, &re):
		SetRetryAfter(w.Header(), re.RetryDelay())
		WriteDetail(w, http.StatusServiceUnavailable, re.ErrorCode(), err.Error())
	case errors.As(err, &se):
		WriteDetail(w, se.Status, se.Code, se.Detail)
	case kind == moniker.ErrInvalid:
		WriteDetail(w, http.StatusBadRequest, CodeInvalidRequest, err.Error())
	case kind == moniker.ErrNotFound:
		WriteDetail(w, http.StatusNotFound, CodeNotFound, err.Error())
	case kind == moniker.ErrDenied:
		WriteDetail(w, http.StatusForbidden, CodeAccessDenied, err.Error())
	case kind == moniker.ErrConflict:
		WriteDetail(w, http.StatusConflict, CodeConflict, err.Error())
	case kind == moniker.ErrNotImplemented:
		WriteDetail(w, http.StatusNotImplemented, CodeNotImplemented, err.Error())
	case kind == moniker.ErrUnavailable:
		WriteDetail(w, http.StatusServiceUnavailable, CodeUnavailable, err.Error())
	default:
		if log != nil {
			log.Error("internal error", "err", err)
		}
		WriteDetail(w, http.StatusInternalServerError, CodeInternal, "internal error")
	}
}

// WriteJSON writes v as a JSON body with status.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		b = []byte(`{"detail":"internal error","code":"internal_error"}`)
		status = http.StatusInternalServerError
	}
	WriteRaw(w, status, append(b, '\n'))
}

// WriteRaw writes a pre-encoded JSON body with status.
func WriteRaw(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
