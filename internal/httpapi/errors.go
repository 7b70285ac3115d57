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
	// CodeSourceError: 502, a data source refused a query /fetch ran.
	CodeSourceError = "source_error"
	// CodeSourceTimeout: 504, a data source did not answer in time.
	CodeSourceTimeout = "source_timeout"
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

// The parts of a request a 422 entry's loc starts with.
const (
	InBody  = "body"
	InQuery = "query"
)

// fieldJSON is one entry of a 422 validation body, in the shape upstream's
// framework produced ({"type","loc","msg","input"}).
type fieldJSON struct {
	Type  string   `json:"type"`
	Loc   []string `json:"loc"`
	Msg   string   `json:"msg"`
	Input any      `json:"input"`
}

// Missing is the 422 entry of a required field the input lacks, at loc
// (none: the input itself).
func Missing(loc ...string) moniker.FieldError {
	return moniker.FieldError{Type: "missing", Loc: loc, Msg: "Field required"}
}

// WriteFields answers 422 {"detail": [{"type","loc","msg","input"}...],
// "code": "validation_error"}: each field's loc is in (InBody, InQuery)
// followed by its location; a field without a Type is a "value_error".
func WriteFields(w http.ResponseWriter, in string, fields ...moniker.FieldError) {
	out := make([]fieldJSON, len(fields))
	for i, f := range fields {
		typ := f.Type
		if typ == "" {
			typ = "value_error"
		}
		out[i] = fieldJSON{Type: typ, Loc: append([]string{in}, f.Loc...), Msg: f.Msg, Input: f.Input}
	}
	WriteJSON(w, http.StatusUnprocessableEntity, struct {
		Detail []fieldJSON `json:"detail"`
		Code   string      `json:"code"`
	}{out, CodeValidation})
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
	// Body, when set, is the other service's JSON object body, answered
	// as it came (a 409's paths, a 422's field list).
	Body []byte
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

// Member is a member an area adds to an error body, e.g. a save
// conflict's nodes as they are on disk now. It never changes the status.
type Member struct {
	Key   string
	Value any
}

// WriteError answers err: the one place an error becomes a status and a
// body. It answers by err's kind (moniker.KindOf: the kind an error was
// given, not a wrapped cause's):
//
//   - a *moniker.ValidationError: 422 listing the body fields (WriteFields);
//   - a *moniker.ConflictError: 409 {"detail","code","paths"};
//   - a *moniker.ChildrenError: 400 {"detail","code","children"};
//   - a *StatusError (relayed from another service): its status and
//     code, or its Body as it came;
//   - an unavailable Retryable: 503 with its code and a Retry-After header;
//   - otherwise {"detail","code"}: invalid 400, not found 404, denied 403,
//     conflict 409, precondition 412, not implemented 501, unavailable
//     503, source error 502 (a data source refused a query: the detail is
//     its message, which adapters keep free of credentials), source
//     timeout 504, anything else 500 "internal error" (the error goes to
//     the log).
//
// extra members are added to a 4xx body (a 5xx body says only "internal
// error" or why the service is unavailable).
func WriteError(w http.ResponseWriter, log *slog.Logger, err error, extra ...Member) {
	var (
		se *StatusError
		re Retryable
		ve *moniker.ValidationError
		ce *moniker.ConflictError
		ch *moniker.ChildrenError
	)
	kind := moniker.KindOf(err)
	switch {
	case kind == moniker.ErrUnavailable && errors.As(err, &re):
		SetRetryAfter(w.Header(), re.RetryDelay())
		WriteDetail(w, http.StatusServiceUnavailable, re.ErrorCode(), err.Error())
		return
	case kind == nil && errors.As(err, &se) && se.Body != nil:
		WriteRaw(w, se.Status, se.Body)
		return
	case kind == nil && errors.As(err, &se):
		writeBody(w, se.Status, Detail{Detail: se.Detail, Code: se.Code}, extra)
		return
	case kind == moniker.ErrInvalid && errors.As(err, &ve):
		WriteFields(w, InBody, ve.Fields...)
		return
	case kind == moniker.ErrInvalid && errors.As(err, &ch):
		writeBody(w, http.StatusBadRequest, struct {
			Detail   string   `json:"detail"`
			Code     string   `json:"code"`
			Children []string `json:"children"`
		}{ch.Error(), CodeInvalidRequest, nonNil(ch.Children)}, extra)
		return
	case kind == moniker.ErrConflict && errors.As(err, &ce):
		writeBody(w, http.StatusConflict, struct {
			Detail string   `json:"detail"`
			Code   string   `json:"code"`
			Paths  []string `json:"paths"`
		}{err.Error(), CodeConflict, nonNil(ce.Paths)}, extra)
		return
	}
	k, ok := kinds[kind]
	if !ok {
		if log != nil {
			log.Error("internal error", "err", err)
		}
		WriteDetail(w, http.StatusInternalServerError, CodeInternal, "internal error")
		return
	}
	if k.status >= 500 {
		extra = nil
	}
	writeBody(w, k.status, Detail{Detail: err.Error(), Code: k.code}, extra)
}

// ErrorCode returns the code WriteError answers err with (for metrics and
// logs that classify errors as the answers do).
func ErrorCode(err error) string {
	var (
		se *StatusError
		re Retryable
	)
	kind := moniker.KindOf(err)
	switch {
	case kind == moniker.ErrUnavailable && errors.As(err, &re):
		return re.ErrorCode()
	case kind == nil && errors.As(err, &se):
		return se.Code
	case kind == moniker.ErrInvalid && errors.As(err, new(*moniker.ValidationError)):
		return CodeValidation
	}
	if k, ok := kinds[kind]; ok {
		return k.code
	}
	return CodeInternal
}

// kinds are the status and code of each error kind.
var kinds = map[error]struct {
	status int
	code   string
}{
	moniker.ErrInvalid:        {http.StatusBadRequest, CodeInvalidRequest},
	moniker.ErrNotFound:       {http.StatusNotFound, CodeNotFound},
	moniker.ErrDenied:         {http.StatusForbidden, CodeAccessDenied},
	moniker.ErrConflict:       {http.StatusConflict, CodeConflict},
	moniker.ErrPrecondition:   {http.StatusPreconditionFailed, CodePrecondition},
	moniker.ErrNotImplemented: {http.StatusNotImplemented, CodeNotImplemented},
	moniker.ErrUnavailable:    {http.StatusServiceUnavailable, CodeUnavailable},
	moniker.ErrSource:         {http.StatusBadGateway, CodeSourceError},
	moniker.ErrTimeout:        {http.StatusGatewayTimeout, CodeSourceTimeout},
}

// writeBody writes base, a JSON object, with the extra members after its
// own.
func writeBody(w http.ResponseWriter, status int, base any, extra []Member) {
	b, err := json.Marshal(base)
	for _, m := range extra {
		if err != nil {
			break
		}
		var k, v []byte
		if k, err = json.Marshal(m.Key); err == nil {
			if v, err = json.Marshal(m.Value); err == nil {
				b = append(append(append(append(b[:len(b)-1], ','), k...), ':'), v...)
				b = append(b, '}')
			}
		}
	}
	if err != nil {
		b = []byte(`{"detail":"internal error","code":"internal_error"}`)
		status = http.StatusInternalServerError
	}
	WriteRaw(w, status, append(b, '\n'))
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// WriteReloadError answers a failed reload of the catalog files (POST
// /config/reload, on either plane): 422 reload_failed with the reason;
// the catalog that was in use stays.
func WriteReloadError(w http.ResponseWriter, err error) {
	WriteDetail(w, http.StatusUnprocessableEntity, CodeReloadFailed, "Failed to reload: "+err.Error())
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
