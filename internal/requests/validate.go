package requests

import (
	"errors"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/query"
	"github.com/moniker-svc/moniker/internal/source"
)

// Limits on what a request may carry (they bound the file and the pages).
const (
	maxNameLen    = 256   // display names, people's names, team, app id
	maxTextLen    = 10000 // description, justification, reasons, comments
	maxTags       = 64
	maxTagLen     = 128
	maxEmailLen   = 254
	maxConfigKeys = 256
)

// preconditionFailed is the moniker.ErrPrecondition error of request id,
// whose current version is version: the caller's If-Match is stale.
func preconditionFailed(id, version string) error {
	return moniker.Errorf(moniker.ErrPrecondition, "request %s has changed since it was read (current version %q): re-read it and retry", id, version)
}

// fieldErrors collects the invalid fields of a submission, amendment or
// review; err returns them as a *moniker.ValidationError (422 naming each
// field).
type fieldErrors struct {
	list []moniker.FieldError
}

func (f *fieldErrors) add(msg string, input any, loc ...string) {
	f.list = append(f.list, moniker.FieldError{Loc: loc, Msg: msg, Input: input})
}

func (f *fieldErrors) err() error {
	if len(f.list) == 0 {
		return nil
	}
	return &moniker.ValidationError{Fields: f.list}
}

// prefixed returns f's errors with prefix put before each location.
func (f *fieldErrors) prefixed(prefix ...string) []moniker.FieldError {
	out := make([]moniker.FieldError, len(f.list))
	for i, e := range f.list {
		e.Loc = append(append([]string(nil), prefix...), e.Loc...)
		out[i] = e
	}
	return out
}

// Proposal is what a submission proposes (reference §6.3's submit body
// without the transport details).
type Proposal struct {
	Path          string
	DisplayName   string
	Description   string
	Justification string
	Requester     Requester

	ADOP, ADOPName string
	ADS, ADSName   string
	ADAL, ADALName string

	SourceBindingType   string
	SourceBindingConfig map[string]any
	Tags                []string
}

// NormalizePath trims whitespace and leading and trailing "/", as
// upstream's submit did.
func NormalizePath(p string) string {
	return strings.Trim(strings.TrimSpace(p), "/")
}

// checkPath validates a (normalised, non-empty) request path: it must be
// a plain catalog path under the moniker grammar (no namespace, version,
// revision, sub-resource or query).
func checkPath(p string) string {
	m, err := moniker.Parse(p)
	if err != nil {
		var pe *moniker.ParseError
		if errors.As(err, &pe) {
			return "not a valid moniker path: " + pe.Message
		}
		return "not a valid moniker path"
	}
	if m.Path != p || m.Namespace != "" || m.HasVersion || m.HasRevision || m.SubResource != "" || len(m.Params) > 0 {
		return "must be a plain catalog path (no namespace, @version, /vN revision, sub-resource or query)"
	}
	return ""
}

// domainLevel classifies a path as upstream did at f206ffd: one segment
// without dots is a new top-level domain.
func domainLevel(p string) DomainLevel {
	if strings.ContainsAny(p, "/.") {
		return DomainSubPath
	}
	return DomainTopLevel
}

// parentDomain returns the catalog node that must exist before a sub-path
// may be requested (f206ffd's domain guard): the first "/"-segment, or for
// a dotted single segment the part before the last dot.
func parentDomain(p string) string {
	if i := strings.IndexByte(p, '/'); i >= 0 {
		return p[:i]
	}
	if i := strings.LastIndexByte(p, '.'); i >= 0 {
		return p[:i]
	}
	return ""
}

// validEmail reports whether s is a bare e-mail address (no display name)
// of at most maxEmailLen bytes.
func validEmail(s string) bool {
	return len(s) <= maxEmailLen && moniker.CheckEmail(s) == "" && s != ""
}

// normalizeProposal trims and checks a proposal's own fields (everything
// but the catalog and queue checks) and returns the normalised proposal.
func normalizeProposal(p Proposal) (Proposal, *fieldErrors) {
	var fe fieldErrors
	p.Path = NormalizePath(p.Path)
	if p.Path != "" {
		if msg := checkPath(p.Path); msg != "" {
			fe.add(msg, p.Path, "path")
		}
	}
	text := func(v *string, limit int, loc ...string) {
		*v = strings.TrimSpace(*v)
		if len(*v) > limit {
			fe.add("longer than "+strconv.Itoa(limit)+" characters", nil, loc...)
		}
	}
	text(&p.DisplayName, maxNameLen, "display_name")
	text(&p.Description, maxTextLen, "description")
	text(&p.Justification, maxTextLen, "justification")
	text(&p.Requester.Name, maxNameLen, "requester", "name")
	text(&p.Requester.Team, maxNameLen, "requester", "team")
	text(&p.Requester.AppID, maxNameLen, "requester", "app_id")
	p.Requester.Email = strings.TrimSpace(p.Requester.Email)
	switch {
	case p.Requester.Email == "":
		fe.add("required", p.Requester.Email, "requester", "email")
	case !validEmail(p.Requester.Email):
		fe.add("not a valid e-mail address", p.Requester.Email, "requester", "email")
	}
	for _, r := range []struct {
		id, name *string
		key      string
	}{{&p.ADOP, &p.ADOPName, "adop"}, {&p.ADS, &p.ADSName, "ads"}, {&p.ADAL, &p.ADALName, "adal"}} {
		*r.id = strings.TrimSpace(*r.id)
		if *r.id != "" && !validEmail(*r.id) {
			fe.add("not a valid e-mail address", *r.id, r.key)
		}
		text(r.name, maxNameLen, r.key+"_name")
	}
	p.SourceBindingType = strings.ToLower(strings.TrimSpace(p.SourceBindingType))
	if p.SourceBindingType != "" && source.Lookup(p.SourceBindingType) == nil {
		fe.add("not a source type; one of "+strings.Join(source.Names(), ", "), p.SourceBindingType, "source_binding_type")
	}
	if len(p.SourceBindingConfig) > 0 && p.SourceBindingType == "" {
		fe.add("source_binding_config needs a source_binding_type", nil, "source_binding_config")
	}
	if len(p.SourceBindingConfig) > maxConfigKeys {
		fe.add("more than "+strconv.Itoa(maxConfigKeys)+" keys", nil, "source_binding_config")
	}
	for k := range p.SourceBindingConfig {
		if strings.TrimSpace(k) == "" {
			fe.add("empty key", k, "source_binding_config")
		}
	}
	checkBindingConfig(&fe, p.SourceBindingType, p.SourceBindingConfig)
	if len(p.SourceBindingConfig) == 0 {
		p.SourceBindingConfig = nil
	}
	if len(p.Tags) > maxTags {
		fe.add("more than "+strconv.Itoa(maxTags)+" tags", nil, "tags")
	}
	tags := make([]string, 0, len(p.Tags))
	seen := map[string]bool{}
	for i, t := range p.Tags {
		t = strings.TrimSpace(t)
		switch {
		case t == "":
			fe.add("empty tag", p.Tags[i], "tags", strconv.Itoa(i))
		case len(t) > maxTagLen:
			fe.add("longer than "+strconv.Itoa(maxTagLen)+" characters", nil, "tags", strconv.Itoa(i))
		case !seen[t]:
			seen[t] = true
			tags = append(tags, t)
		}
	}
	p.Tags = tags
	if len(p.Tags) == 0 {
		p.Tags = nil
	}
	return p, &fe
}

// checkBindingConfig checks what the catalog will check when the approved
// node is written, so a request that passes submit can be approved: no
// unknown placeholder in any value the type's resolution templates (the
// resolver would leave it in the query unrendered), and absolute http(s)
// URLs where the type's schema wants one (rest's base_url).
func checkBindingConfig(fe *fieldErrors, typ string, cfg map[string]any) {
	st := source.Lookup(typ)
	if st == nil {
		return // the type itself is reported
	}
	for _, tv := range st.Templates(cfg) {
		if unknown := query.Compile(tv.Value).Unknown(); len(unknown) > 0 {
			fe.add("unknown placeholder "+strings.Join(unknown, ", "), tv.Value, append([]string{"source_binding_config"}, strings.Split(tv.Key, ".")...)...)
		}
	}
	for _, f := range st.Config {
		if v, ok := cfg[f.Key]; ok && f.URL {
			s, _ := v.(string)
			if moniker.CheckURL(s) != "" || s == "" {
				fe.add("not an absolute http(s) URL", v, "source_binding_config", f.Key)
			}
		}
	}
}
