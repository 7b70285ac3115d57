package moniker

import (
	"fmt"
	"net/mail"
	"net/url"
)

// CheckEmail returns why s is not a bare e-mail address (name@example.com,
// no display name), or "" when it is one or s is empty (unset). Every
// write that takes an e-mail address (ownership fields, domains, models,
// requests) checks it here.
func CheckEmail(s string) string {
	if s == "" {
		return ""
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Name != "" || a.Address != s {
		return fmt.Sprintf("%q is not an e-mail address (name@example.com)", s)
	}
	return ""
}

// CheckURL returns why s is not an absolute http or https URL with a host,
// or "" when it is one or s is empty (unset).
func CheckURL(s string) string {
	if s == "" {
		return ""
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("%q is not an absolute http(s) URL", s)
	}
	return ""
}
