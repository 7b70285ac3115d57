package domains

import (
	"fmt"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// Defaults of a domain record's fields (reference §4.1).
const (
	DefaultColor           = "#6B7280"
	DefaultConfidentiality = "internal"
)

// Confidentialities are the valid confidentiality values.
var Confidentialities = [...]string{"public", "internal", "confidential", "strictly_confidential"}

// Reserved are names a domain may not take: GET /domains/ui serves the
// Domains page, so a domain called "ui" could never be read.
var Reserved = [...]string{"ui"}

// New returns a domain record named name with every field at its default.
func New(name string) *moniker.DomainRecord {
	return &moniker.DomainRecord{Name: name, DisplayName: name, Color: DefaultColor, Confidentiality: DefaultConfidentiality}
}

// validatedKeys are the fields Validate checks, in the order it reports them.
var validatedKeys = [...]string{"name", "color", "confidentiality", "owner", "tech_custodian", "business_steward", "wiki_link"}

// check validates the field key of d. It returns why it is invalid and
// the rejected value, or "".
func check(key string, d *moniker.DomainRecord) (msg string, input any) {
	switch key {
	case "name":
		return checkName(d.Name), d.Name
	case "color":
		return checkColor(d.Color), d.Color
	case "confidentiality":
		for _, c := range Confidentialities {
			if d.Confidentiality == c {
				return "", nil
			}
		}
		return fmt.Sprintf("must be one of %s, got %q", strings.Join(Confidentialities[:], ", "), d.Confidentiality), d.Confidentiality
	case "owner":
		return moniker.CheckEmail(d.Owner), d.Owner
	case "tech_custodian":
		return moniker.CheckEmail(d.TechCustodian), d.TechCustodian
	case "business_steward":
		return moniker.CheckEmail(d.BusinessSteward), d.BusinessSteward
	case "wiki_link":
		return moniker.CheckURL(d.WikiLink), d.WikiLink
	}
	return "", nil
}

// Validate checks every field of d: the name is a single moniker segment
// and not reserved, color is #RRGGBB, confidentiality is one of
// Confidentialities, owner, tech_custodian and business_steward are email
// addresses when set, wiki_link is an absolute http(s) URL when set. The
// error is a *moniker.ValidationError naming each bad field.
func Validate(d *moniker.DomainRecord) error { return validate(d, nil) }

// validate checks the fields of d whose keys are in only (every field when
// only is nil).
func validate(d *moniker.DomainRecord, only map[string]bool) error {
	var errs []moniker.FieldError
	for _, key := range validatedKeys {
		if only != nil && !only[key] {
			continue
		}
		if msg, in := check(key, d); msg != "" {
			errs = append(errs, moniker.Field(key, msg, in))
		}
	}
	if errs != nil {
		return &moniker.ValidationError{Fields: errs}
	}
	return nil
}

// checkName: a domain name is one moniker path segment (it is the first
// segment of the monikers it governs).
func checkName(name string) string {
	if name == "" {
		return "must not be empty"
	}
	for _, r := range Reserved {
		if name == r {
			return fmt.Sprintf("%q is reserved (GET /domains/%s serves a page)", name, name)
		}
	}
	m, err := moniker.ParseParts(name, "")
	if err != nil {
		return fmt.Sprintf("must be a single moniker path segment: %v", err)
	}
	if len(m.Segments) != 1 || m.Path != name || m.Namespace != "" || m.HasVersion || m.SubResource != "" || m.HasRevision {
		return fmt.Sprintf("must be a single moniker path segment, got %q", name)
	}
	return ""
}

func checkColor(c string) string {
	ok := len(c) == 7 && c[0] == '#'
	for i := 1; ok && i < len(c); i++ {
		x := c[i]
		ok = '0' <= x && x <= '9' || 'a' <= x && x <= 'f' || 'A' <= x && x <= 'F'
	}
	if !ok {
		return fmt.Sprintf("must be a colour #RRGGBB, got %q", c)
	}
	return ""
}
