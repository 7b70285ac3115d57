package registry

import (
	"fmt"
	"net/mail"
	"net/url"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// FieldError is one invalid field of a write.
type FieldError struct {
	// Field is the JSON/YAML key of the value, e.g. "color" or
	// "appears_in[1].moniker_pattern".
	Field string
	Msg   string
	Input any // the rejected value
}

// ValidationError lists the invalid fields of a write. It wraps
// moniker.ErrInvalid (400).
type ValidationError struct {
	Errs []FieldError
}

func (e *ValidationError) Error() string {
	var b strings.Builder
	for i, f := range e.Errs {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(f.Field)
		b.WriteString(": ")
		b.WriteString(f.Msg)
	}
	return b.String()
}

// Unwrap returns moniker.ErrInvalid.
func (e *ValidationError) Unwrap() error { return moniker.ErrInvalid }

// Invalid returns a *ValidationError for one field.
func Invalid(field, msg string, input any) error {
	return &ValidationError{Errs: []FieldError{{Field: field, Msg: msg, Input: input}}}
}

// CheckEmail accepts "" (unset) or a bare email address. It returns why s
// is invalid, or "".
func CheckEmail(s string) string {
	if s == "" {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Sprintf("must be an email address, got %q", s)
	}
	return ""
}

// CheckURL accepts "" (unset) or an absolute http or https URL with a
// host. It returns why s is invalid, or "".
func CheckURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("must be an absolute http(s) URL, got %q", s)
	}
	return ""
}
