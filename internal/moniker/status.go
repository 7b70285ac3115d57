package moniker

import (
	"strings"
	"time"
)

// StatusChange is a lifecycle status change of one node (PUT
// /catalog/{path}/status, reference §3.11). Nil optional fields leave the
// node's value as it is.
type StatusChange struct {
	Status             Status  `json:"status"`
	Actor              string  `json:"actor"`
	Reason             string  `json:"reason,omitempty"`
	DeprecationMessage *string `json:"deprecation_message,omitempty"`
	Successor          *string `json:"successor,omitempty"`
	SunsetDeadline     *string `json:"sunset_deadline,omitempty"`
	MigrationGuideURL  *string `json:"migration_guide_url,omitempty"`
}

// StatusResult is the answer to a status change (upstream's shape).
type StatusResult struct {
	Path      string `json:"path"`
	Status    Status `json:"status"`
	UpdatedBy string `json:"updated_by"`
	Message   string `json:"message"`
}

// Validate checks the change: a valid status and an actor.
func (c *StatusChange) Validate() error {
	if !c.Status.Valid() {
		valid := make([]string, len(Statuses))
		for i, s := range Statuses {
			valid[i] = "'" + string(s) + "'"
		}
		return Errorf(ErrInvalid, "Invalid status '%s'. Valid: [%s]", c.Status, strings.Join(valid, ", "))
	}
	if strings.TrimSpace(c.Actor) == "" {
		return Errorf(ErrInvalid, "actor: required")
	}
	return nil
}

// Apply returns a copy of n with the change applied at now: the status,
// updated_at (kept in Extra, where the loader keeps it), approved_by when
// the status is approved, the deprecation message only when the new
// status is deprecated, and the successor, sunset deadline and migration
// guide when given.
func (c *StatusChange) Apply(n *Node, now time.Time) *Node {
	m := *n
	m.Extra = make(map[string]any, len(n.Extra)+2)
	for k, v := range n.Extra {
		m.Extra[k] = v
	}
	m.Status = c.Status
	m.Extra["updated_at"] = now.UTC().Format(time.RFC3339)
	if c.Status == StatusApproved {
		m.Extra["approved_by"] = c.Actor
	}
	if c.DeprecationMessage != nil && c.Status == StatusDeprecated {
		m.DeprecationMessage = *c.DeprecationMessage
	}
	if c.Successor != nil {
		m.Successor = *c.Successor
	}
	if c.SunsetDeadline != nil {
		m.SunsetDeadline = *c.SunsetDeadline
	}
	if c.MigrationGuideURL != nil {
		m.MigrationGuideURL = *c.MigrationGuideURL
	}
	return &m
}
