package moniker

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestErrorfWraps(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Nanosecond)
	defer cancel()
	<-ctx.Done()
	err := Errorf(ErrUnavailable, "management is unreachable: %w", fmt.Errorf("dial: %w", ctx.Err()))
	if !errors.Is(err, ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Errorf with %%w: Is(ErrUnavailable) %v, Is(DeadlineExceeded) %v", errors.Is(err, ErrUnavailable), errors.Is(err, context.DeadlineExceeded))
	}
	if got := err.Error(); got != "management is unreachable: dial: context deadline exceeded" {
		t.Errorf("message %q", got)
	}
	// %v formats the cause without wrapping it.
	if err := Errorf(ErrInvalid, "bad: %v", context.Canceled); !errors.Is(err, ErrInvalid) || errors.Is(err, context.Canceled) {
		t.Errorf("Errorf with %%v: %v", err)
	}
	// Two wrapped causes stay reachable; the kind is not one of them.
	a, b := errors.New("a"), errors.New("b")
	if err := Errorf(ErrConflict, "%w and %w", a, b); !errors.Is(err, a) || !errors.Is(err, b) || errors.Is(err, ErrInvalid) {
		t.Errorf("two causes: %v", err)
	}
	var ve *ValidationError
	err = Errorf(ErrUnavailable, "file: %w", Invalid("x", "bad", nil))
	if !errors.As(err, &ve) || !errors.Is(err, ErrUnavailable) {
		t.Errorf("typed cause lost: %v", err)
	}
	if k := KindOf(err); k != ErrUnavailable {
		t.Errorf("KindOf = %v, want the given kind, not the cause's", k)
	}
}

func TestFieldPath(t *testing.T) {
	for _, tt := range []struct {
		path string
		loc  []string
	}{
		{"", nil},
		{"color", []string{"color"}},
		{"source_binding.config.query", []string{"source_binding", "config", "query"}},
		{"appears_in[1].moniker_pattern", []string{"appears_in", "1", "moniker_pattern"}},
		{"tags[3]", []string{"tags", "3"}},
		{"a[0][2].b", []string{"a", "0", "2", "b"}},
	} {
		if got := FieldLoc(tt.path); !slices.Equal(got, tt.loc) {
			t.Errorf("FieldLoc(%q) = %q, want %q", tt.path, got, tt.loc)
		}
		if got := FieldPath(tt.loc); got != tt.path {
			t.Errorf("FieldPath(%q) = %q, want %q", tt.loc, got, tt.path)
		}
	}
}

func TestTypedErrors(t *testing.T) {
	ve := &ValidationError{Fields: []FieldError{Field("a.b[1]", "bad", 1), {Msg: "whole body"}}}
	if !errors.Is(ve, ErrInvalid) || ve.Error() != "a.b[1]: bad; whole body" {
		t.Errorf("ValidationError %q", ve)
	}
	ce := &ConflictError{Paths: []string{"x", "y"}}
	if !errors.Is(ce, ErrConflict) || ce.Error() != "changed on disk since they were read: x, y" {
		t.Errorf("ConflictError %q", ce)
	}
	if ce := (&ConflictError{Paths: []string{"x"}, Message: "m"}); ce.Error() != "m" {
		t.Errorf("ConflictError with a message: %q", ce)
	}
	if err := error(&ChildrenError{Path: "a", Children: []string{"a/b"}}); !errors.Is(err, ErrInvalid) {
		t.Errorf("ChildrenError is not ErrInvalid")
	}
}

func TestMatchETag(t *testing.T) {
	for _, tt := range []struct {
		header string
		want   bool
	}{
		{"", true}, {" ", true}, {"*", true}, {" * ", true}, {`"abc"`, true}, {"abc", true}, {`W/"abc"`, true},
		{`"x", "abc"`, true}, {`"x", *`, true}, {`"abd"`, false}, {`"ab"`, false}, {`"x"`, false},
	} {
		if got := MatchETag(tt.header, "abc"); got != tt.want {
			t.Errorf("MatchETag(%q) = %v", tt.header, got)
		}
	}
}

func TestKindOf(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want error
	}{
		{nil, nil},
		{errors.New("x"), nil},
		{ErrNotFound, ErrNotFound},
		{fmt.Errorf("a: %w", ErrPrecondition), ErrPrecondition},
		{&ConflictError{}, ErrConflict},
		{fmt.Errorf("b: %w", &ValidationError{}), ErrInvalid},
		{Errorf(ErrConflict, "no longer loads: %w", Invalid("x", "y", nil)), ErrConflict},
		{errors.Join(errors.New("x"), &ParseError{}), ErrInvalid},
		{Errorf(ErrSource, "relation t does not exist"), ErrSource},
		{Errorf(ErrTimeout, "after 30s: %w", context.DeadlineExceeded), ErrTimeout},
	} {
		if got := KindOf(tt.err); got != tt.want {
			t.Errorf("KindOf(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
}
