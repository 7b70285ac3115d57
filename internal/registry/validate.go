package registry

import (
	"fmt"
	"net/mail"
	"net/url"
)

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
