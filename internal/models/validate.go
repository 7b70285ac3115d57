package models

import (
	"fmt"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// validatedKeys are the fields Validate checks, in the order it reports them.
var validatedKeys = [...]string{"path", "data_type", "ownership", "documentation_url", "methodology_url", "wiki_link", "appears_in", "aliases", "semantic_tags", "tags"}

// Validate checks every field of m: the path (CheckPath), data_type not
// empty, ownership methodology_owner and business_steward email addresses
// when set, the URLs absolute http(s) when set, every appears_in pattern
// compiles, every alias has a name and a type of AliasTypes, no tag is
// empty. The error is a *moniker.ValidationError naming each bad field.
func Validate(m *Model) error { return validate(m, nil) }

// validate checks the fields of m whose keys are in only (every field
// when only is nil).
func validate(m *Model, only map[string]bool) error {
	var errs []moniker.FieldError
	add := func(field, msg string, in any) {
		if msg != "" {
			errs = append(errs, moniker.Field(field, msg, in))
		}
	}
	for _, key := range validatedKeys {
		if only != nil && !only[key] {
			continue
		}
		switch key {
		case "path":
			add(key, CheckPath(m.Path), m.Path)
		case "data_type":
			if m.DataType == "" {
				add(key, "must not be empty", m.DataType)
			}
		case "ownership":
			add("ownership.methodology_owner", moniker.CheckEmail(m.Ownership.MethodologyOwner), m.Ownership.MethodologyOwner)
			add("ownership.business_steward", moniker.CheckEmail(m.Ownership.BusinessSteward), m.Ownership.BusinessSteward)
		case "documentation_url":
			add(key, moniker.CheckURL(m.DocumentationURL), m.DocumentationURL)
		case "methodology_url":
			add(key, moniker.CheckURL(m.MethodologyURL), m.MethodologyURL)
		case "wiki_link":
			add(key, moniker.CheckURL(m.WikiLink), m.WikiLink)
		case "appears_in":
			for i, l := range m.AppearsIn {
				if _, err := Compile(l.MonikerPattern); err != nil {
					add(fmt.Sprintf("appears_in[%d].moniker_pattern", i), err.Error(), l.MonikerPattern)
				}
			}
		case "aliases":
			for i, a := range m.Aliases {
				if a.Name == "" {
					add(fmt.Sprintf("aliases[%d].name", i), "must not be empty", a.Name)
				}
				if !slices.Contains(AliasTypes[:], a.Type) {
					add(fmt.Sprintf("aliases[%d].type", i), fmt.Sprintf("must be one of %s, got %q", strings.Join(AliasTypes[:], ", "), a.Type), a.Type)
				}
			}
		case "semantic_tags", "tags":
			tags := m.SemanticTags
			if key == "tags" {
				tags = m.Tags
			}
			for i, t := range tags {
				if strings.TrimSpace(t) == "" {
					add(fmt.Sprintf("%s[%d]", key, i), "must not be empty", t)
				}
			}
		}
	}
	if errs != nil {
		return &moniker.ValidationError{Fields: errs}
	}
	return nil
}

// CheckPath checks a new model's path: "/"-separated segments, each
// starting with a letter or digit and made of letters, digits, '_', '-'
// and '.' (at most moniker.MaxSegmentLen bytes), and not a path the
// routes reserve: "ui" and "tree" (GET /models/ui, GET /models/tree), a
// first segment "for-moniker" (GET /models/for-moniker/{path}) or a last
// segment "monikers" (GET /models/{path}/monikers). It returns why path is
// invalid, or "".
func CheckPath(path string) string {
	if msg := checkPathSyntax(path); msg != "" {
		return msg
	}
	segs := strings.Split(path, "/")
	for _, s := range segs {
		if len(s) > moniker.MaxSegmentLen {
			return fmt.Sprintf("segment %q is longer than %d characters", s, moniker.MaxSegmentLen)
		}
		ok := isAlnum(s[0])
		for i := 1; ok && i < len(s); i++ {
			ok = isAlnum(s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.'
		}
		if !ok {
			return fmt.Sprintf("segment %q must start with a letter or digit and contain only letters, digits, '_', '-', '.'", s)
		}
	}
	switch {
	case path == "ui" || path == "tree":
		return fmt.Sprintf("%q is reserved (GET /models/%s is another route)", path, path)
	case segs[0] == "for-moniker":
		return `a first segment "for-moniker" is reserved (GET /models/for-moniker/{path} is another route)`
	case segs[len(segs)-1] == "monikers":
		return `a last segment "monikers" is reserved (GET /models/{path}/monikers is another route)`
	}
	return ""
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}
