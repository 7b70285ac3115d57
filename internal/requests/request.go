package requests

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
)

// Status is a request's workflow status.
type Status string

// Request statuses. Upstream defined draft and active but never used them;
// they stay valid values (a file may carry them, the list filter accepts
// them). changes_requested is ours.
const (
	StatusDraft            Status = "draft"
	StatusPendingReview    Status = "pending_review"
	StatusChangesRequested Status = "changes_requested"
	StatusApproved         Status = "approved"
	StatusRejected         Status = "rejected"
	StatusActive           Status = "active"
)

// Statuses lists every valid status, in the order counts are reported.
var Statuses = [...]Status{
	StatusDraft, StatusPendingReview, StatusChangesRequested, StatusApproved, StatusRejected, StatusActive,
}

// Valid reports whether s is one of Statuses.
func (s Status) Valid() bool {
	for _, v := range Statuses {
		if s == v {
			return true
		}
	}
	return false
}

// Open reports whether a request in status s still holds its path: a
// second request for the path is refused while one is open.
func (s Status) Open() bool {
	return s == StatusPendingReview || s == StatusChangesRequested || s == StatusDraft
}

// DomainLevel says whether a request creates a top-level domain (one
// segment, no dots: "requires elevated review") or a path below one.
type DomainLevel string

// Domain levels.
const (
	DomainTopLevel DomainLevel = "top_level"
	DomainSubPath  DomainLevel = "sub_path"
)

// Action is what a history entry (upstream's "comment") records.
type Action string

// Actions. Upstream produced comment, approve and reject; request_changes
// and amend are ours.
const (
	ActionComment        Action = "comment"
	ActionApprove        Action = "approve"
	ActionReject         Action = "reject"
	ActionRequestChanges Action = "request_changes"
	ActionAmend          Action = "amend"
)

// Requester is who asked for the path, as declared in the submission.
type Requester struct {
	Name  string `yaml:"name" json:"name"`
	Email string `yaml:"email" json:"email"`
	Team  string `yaml:"team" json:"team"`
	AppID string `yaml:"app_id" json:"app_id"`
}

// Comment is one entry of a request's history: a comment or the note a
// transition left.
type Comment struct {
	Timestamp  string `yaml:"timestamp" json:"timestamp"`
	Author     string `yaml:"author" json:"author"`
	AuthorName string `yaml:"author_name" json:"author_name"`
	Content    string `yaml:"content" json:"content"`
	Action     Action `yaml:"action" json:"action"`
}

// Request is one moniker request (reference §6.1). The YAML tags give
// requests.yaml's keys in upstream's writer order (§8.4): the first nine
// always, the rest only when set. Timestamps are kept as the file gave
// them (ISO-8601 with offset; new ones are written in upstream's form).
type Request struct {
	RequestID     string      `yaml:"request_id"`
	Path          string      `yaml:"path"`
	DisplayName   string      `yaml:"display_name"`
	Description   string      `yaml:"description"`
	Justification string      `yaml:"justification"`
	Status        Status      `yaml:"status"`
	DomainLevel   DomainLevel `yaml:"domain_level"`
	CreatedAt     string      `yaml:"created_at"`
	UpdatedAt     string      `yaml:"updated_at"`
	Requester     Requester   `yaml:"requester,omitempty"`

	ADOP     string `yaml:"adop,omitempty"`
	ADS      string `yaml:"ads,omitempty"`
	ADAL     string `yaml:"adal,omitempty"`
	ADOPName string `yaml:"adop_name,omitempty"`
	ADSName  string `yaml:"ads_name,omitempty"`
	ADALName string `yaml:"adal_name,omitempty"`

	SourceBindingType   string         `yaml:"source_binding_type,omitempty"`
	SourceBindingConfig map[string]any `yaml:"source_binding_config,omitempty"`
	Tags                []string       `yaml:"tags,omitempty"`
	Comments            []Comment      `yaml:"comments,omitempty"`

	ReviewedBy      string `yaml:"reviewed_by,omitempty"`
	ReviewedAt      string `yaml:"reviewed_at,omitempty"`
	RejectionReason string `yaml:"rejection_reason,omitempty"`

	// SubmittedBy is the authenticated principal that submitted the
	// request ("" when identity was unknown). Ours.
	SubmittedBy string `yaml:"submitted_by,omitempty"`
	// ApprovedNodePath is the catalog node the approval wrote. Ours.
	ApprovedNodePath string `yaml:"approved_node_path,omitempty"`
}

// clone returns a deep copy of r (the binding config is copied as JSON
// values: maps and slices are new, scalars shared).
func (r *Request) clone() *Request {
	c := *r
	c.SourceBindingConfig = cloneMap(r.SourceBindingConfig)
	c.Tags = append([]string(nil), r.Tags...)
	c.Comments = append([]Comment(nil), r.Comments...)
	return &c
}

func cloneMap(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = cloneValue(v)
	}
	return out
}

func cloneValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return cloneMap(t)
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = cloneValue(x)
		}
		return out
	}
	return v
}

// TopLevel reports whether the request asks for a new top-level domain.
func (r *Request) TopLevel() bool { return r.DomainLevel == DomainTopLevel }

// requestJSON is the API shape of a request (upstream's to_dict): every
// key present, unset optional values null.
type requestJSON struct {
	RequestID           string         `json:"request_id"`
	Path                string         `json:"path"`
	DisplayName         string         `json:"display_name"`
	Description         string         `json:"description"`
	Justification       string         `json:"justification"`
	Requester           Requester      `json:"requester"`
	ADOP                *string        `json:"adop"`
	ADOPName            *string        `json:"adop_name"`
	ADS                 *string        `json:"ads"`
	ADSName             *string        `json:"ads_name"`
	ADAL                *string        `json:"adal"`
	ADALName            *string        `json:"adal_name"`
	SourceBindingType   *string        `json:"source_binding_type"`
	SourceBindingConfig map[string]any `json:"source_binding_config"`
	Tags                []string       `json:"tags"`
	Status              Status         `json:"status"`
	DomainLevel         DomainLevel    `json:"domain_level"`
	Comments            []Comment      `json:"comments"`
	ReviewedBy          *string        `json:"reviewed_by"`
	ReviewedAt          *string        `json:"reviewed_at"`
	RejectionReason     *string        `json:"rejection_reason"`
	CreatedAt           string         `json:"created_at"`
	UpdatedAt           string         `json:"updated_at"`
	SubmittedBy         *string        `json:"submitted_by"`
	ApprovedNodePath    *string        `json:"approved_node_path"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// MarshalJSON encodes the request in the API shape.
func (r Request) MarshalJSON() ([]byte, error) {
	j := requestJSON{
		RequestID: r.RequestID, Path: r.Path, DisplayName: r.DisplayName,
		Description: r.Description, Justification: r.Justification, Requester: r.Requester,
		ADOP: nullable(r.ADOP), ADOPName: nullable(r.ADOPName),
		ADS: nullable(r.ADS), ADSName: nullable(r.ADSName),
		ADAL: nullable(r.ADAL), ADALName: nullable(r.ADALName),
		SourceBindingType:   nullable(r.SourceBindingType),
		SourceBindingConfig: r.SourceBindingConfig,
		Tags:                r.Tags,
		Status:              r.Status,
		DomainLevel:         r.DomainLevel,
		Comments:            r.Comments,
		ReviewedBy:          nullable(r.ReviewedBy),
		ReviewedAt:          nullable(r.ReviewedAt),
		RejectionReason:     nullable(r.RejectionReason),
		CreatedAt:           r.CreatedAt,
		UpdatedAt:           r.UpdatedAt,
		SubmittedBy:         nullable(r.SubmittedBy),
		ApprovedNodePath:    nullable(r.ApprovedNodePath),
	}
	if j.SourceBindingConfig == nil {
		j.SourceBindingConfig = map[string]any{}
	}
	if j.Tags == nil {
		j.Tags = []string{}
	}
	if j.Comments == nil {
		j.Comments = []Comment{}
	}
	return json.Marshal(j)
}

// idPrefix starts every request id.
const idPrefix = "REQ-"

// formatID returns the id for number n: REQ- and at least four digits.
func formatID(n int) string {
	s := strconv.Itoa(n)
	if len(s) < 4 {
		s = strings.Repeat("0", 4-len(s)) + s
	}
	return idPrefix + s
}

// idNumber returns the number of an id REQ-<digits>, or 0 for an id of
// another form (a hand-written one), which takes no part in numbering.
func idNumber(id string) int {
	d, ok := strings.CutPrefix(id, idPrefix)
	if !ok || d == "" || len(d) > 9 {
		return 0
	}
	n := 0
	for i := 0; i < len(d); i++ {
		if d[i] < '0' || d[i] > '9' {
			return 0
		}
		n = 10*n + int(d[i]-'0')
	}
	return n
}

// formatTime writes a timestamp as upstream did (Python's isoformat of an
// aware UTC datetime): microseconds and a +00:00 offset.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000000") + "+00:00"
}

// parseTime parses a stored timestamp: RFC 3339 (upstream's isoformat
// with offset), or a naive ISO form taken as UTC.
func parseTime(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t, true
	}
	if t, err := time.Parse("2006-01-02T15:04:05.999999999", s); err == nil {
		return t, true
	}
	return time.Time{}, false
}
