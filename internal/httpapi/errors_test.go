package httpapi

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/moniker"
)

type retryable struct{}

func (retryable) Error() string             { return "circuit open" }
func (retryable) Unwrap() error             { return moniker.ErrUnavailable }
func (retryable) RetryDelay() time.Duration { return 1500 * time.Millisecond }
func (retryable) ErrorCode() string         { return CodeCircuitOpen }

// TestWriteError: every kind and typed error gets its status, code and
// body shape, and an error answers by the kind it was given, not by a
// wrapped cause's.
func TestWriteError(t *testing.T) {
	current := Member{Key: "current", Value: map[string]any{"a": nil}}
	for _, tt := range []struct {
		name   string
		err    error
		extra  []Member
		status int
		body   string
	}{
		{"invalid", moniker.Errorf(moniker.ErrInvalid, "bad"), nil, 400, `{"detail":"bad","code":"invalid_request"}`},
		{"not found", fmt.Errorf("x: %w", moniker.ErrNotFound), nil, 404, `{"detail":"x: not found","code":"not_found"}`},
		{"denied", &moniker.DeniedError{Message: "no"}, nil, 403, `{"detail":"no","code":"access_denied"}`},
		{"conflict", moniker.Errorf(moniker.ErrConflict, "exists"), nil, 409, `{"detail":"exists","code":"conflict"}`},
		{"precondition", moniker.Errorf(moniker.ErrPrecondition, "stale"), nil, 412, `{"detail":"stale","code":"precondition_failed"}`},
		{"not implemented", moniker.Errorf(moniker.ErrNotImplemented, "later"), nil, 501, `{"detail":"later","code":"not_implemented"}`},
		{"unavailable", moniker.Errorf(moniker.ErrUnavailable, "down"), []Member{current}, 503, `{"detail":"down","code":"unavailable"}`},
		{"source error", moniker.Errorf(moniker.ErrSource, "relation \"nope\" does not exist"), []Member{current}, 502, `{"detail":"relation \"nope\" does not exist","code":"source_error"}`},
		{"source timeout", moniker.Errorf(moniker.ErrTimeout, "no answer within 30s: %w", context.DeadlineExceeded), nil, 504, `{"detail":"no answer within 30s: context deadline exceeded","code":"source_timeout"}`},
		{"retryable", fmt.Errorf("management: %w", retryable{}), nil, 503, `{"detail":"management: circuit open","code":"circuit_open"}`},
		{"internal", errors.New("disk on fire"), nil, 500, `{"detail":"internal error","code":"internal_error"}`},
		{"relayed", &StatusError{Status: 418, Code: "teapot", Detail: "short"}, nil, 418, `{"detail":"short","code":"teapot"}`},
		{"relayed body", &StatusError{Status: 409, Code: "conflict", Detail: "d", Body: []byte(`{"detail":"d","code":"conflict","paths":["a"]}` + "\n")}, nil,
			409, `{"detail":"d","code":"conflict","paths":["a"]}`},
		{"validation", &moniker.ValidationError{Fields: []moniker.FieldError{moniker.Field("a.b[1]", "bad", 3), {Type: "missing", Msg: "Field required"}}}, nil,
			422, `{"detail":[{"type":"value_error","loc":["body","a","b","1"],"msg":"bad","input":3},{"type":"missing","loc":["body"],"msg":"Field required","input":null}],"code":"validation_error"}`},
		{"conflict with paths", &moniker.ConflictError{Paths: []string{"a", "b"}}, []Member{{Key: "saved_paths", Value: []string{}}, current},
			409, `{"detail":"changed on disk since they were read: a, b","code":"conflict","paths":["a","b"],"saved_paths":[],"current":{"a":null}}`},
		{"children", fmt.Errorf("delete: %w", &moniker.ChildrenError{Path: "a", Children: []string{"a/b"}}), nil,
			400, `{"detail":"Cannot delete node with children. Delete children first: [a/b]","code":"invalid_request","children":["a/b"]}`},
		{"kind over cause", moniker.Errorf(moniker.ErrUnavailable, "file does not load: %w", moniker.Invalid("x", "bad", nil)), nil,
			503, `{"detail":"file does not load: x: bad","code":"unavailable"}`},
		{"conflict over cause", moniker.Errorf(moniker.ErrConflict, "broken: %w", &moniker.ParseError{Message: "p"}), []Member{{Key: "conflicts", Value: []string{}}},
			409, `{"detail":"broken: p","code":"conflict","conflicts":[]}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			rec := httptest.NewRecorder()
			WriteError(rec, nil, tt.err, tt.extra...)
			if rec.Code != tt.status || rec.Body.String() != tt.body+"\n" {
				t.Errorf("%d %s, want %d %s", rec.Code, rec.Body, tt.status, tt.body)
			}
			if got := rec.Header().Get("Retry-After"); (tt.name == "retryable") != (got == "2") {
				t.Errorf("Retry-After %q", got)
			}
		})
	}
}

func TestWriteFieldsQuery(t *testing.T) {
	rec := httptest.NewRecorder()
	WriteFields(rec, InQuery, moniker.FieldError{Type: "int_parsing", Loc: []string{"limit"}, Msg: "Input should be a valid integer", Input: "x"})
	const want = `{"detail":[{"type":"int_parsing","loc":["query","limit"],"msg":"Input should be a valid integer","input":"x"}],"code":"validation_error"}` + "\n"
	if rec.Code != 422 || rec.Body.String() != want {
		t.Errorf("%d %s", rec.Code, rec.Body)
	}
}
