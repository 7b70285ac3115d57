package requests

import (
	"context"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// Audit actions, one per transition.
const (
	AuditSubmitted        = "request_submitted"
	AuditApproved         = "request_approved"
	AuditRejected         = "request_rejected"
	AuditChangesRequested = "request_changes_requested"
	AuditAmended          = "request_amended"
	AuditCommented        = "request_commented"
)

// find returns the index of request id in cur, checking the caller's
// If-Match value against its version.
func find(cur *state, id, ifMatch string) (int, error) {
	i, ok := cur.index[id]
	if !ok {
		return 0, notFound(id)
	}
	if v := yamlfile.Hash(cur.texts[i]); !moniker.MatchETag(ifMatch, v) {
		return 0, preconditionFailed(id, v)
	}
	return i, nil
}

// actorOf returns who performs an action: the authenticated principal
// when known, else the identity the body declared (actor or author).
func actorOf(principal, declared string) string {
	if p := strings.TrimSpace(principal); p != "" {
		return p
	}
	return strings.TrimSpace(declared)
}

// checkPathFree runs submit's catalog and queue checks (reference §6.3
// steps 2-4) for path, ignoring request self, and returns the path's
// domain level.
func (w *Workflow) checkPathFree(cur *state, path, self string) (DomainLevel, error) {
	if w.cat != nil {
		if _, _, ok := w.cat.Get(path); ok {
			return "", moniker.Errorf(moniker.ErrConflict, "Path already exists in catalog: %s", path)
		}
	}
	for _, r := range cur.reqs {
		if r.Path == path && r.Status.Open() && r.RequestID != self {
			return "", moniker.Errorf(moniker.ErrConflict, "A pending request already exists for path: %s (%s)", path, r.RequestID)
		}
	}
	level := domainLevel(path)
	if level == DomainSubPath && w.cat != nil {
		d := parentDomain(path)
		if _, _, ok := w.cat.Get(d); !ok {
			return "", moniker.Errorf(moniker.ErrInvalid, "Top-level domain '%s' does not exist. Create it first.", d)
		}
	}
	return level, nil
}

// checkProposal normalises and validates a proposal: an empty path is
// upstream's 400 "Path cannot be empty", other problems a
// *moniker.ValidationError naming every bad field.
func checkProposal(p Proposal) (Proposal, error) {
	p, fe := normalizeProposal(p)
	if p.Path == "" {
		return p, moniker.Errorf(moniker.ErrInvalid, "Path cannot be empty")
	}
	return p, fe.err()
}

// setProposal copies a proposal's fields into r.
func setProposal(r *Request, p Proposal) {
	r.Path, r.DisplayName, r.Description, r.Justification = p.Path, p.DisplayName, p.Description, p.Justification
	r.Requester = p.Requester
	r.ADOP, r.ADOPName, r.ADS, r.ADSName, r.ADAL, r.ADALName = p.ADOP, p.ADOPName, p.ADS, p.ADSName, p.ADAL, p.ADALName
	r.SourceBindingType, r.SourceBindingConfig, r.Tags = p.SourceBindingType, p.SourceBindingConfig, p.Tags
}

// proposalOf returns the proposal a request carries.
func proposalOf(r *Request) Proposal {
	return Proposal{
		Path: r.Path, DisplayName: r.DisplayName, Description: r.Description, Justification: r.Justification,
		Requester: r.Requester,
		ADOP:      r.ADOP, ADOPName: r.ADOPName, ADS: r.ADS, ADSName: r.ADSName, ADAL: r.ADAL, ADALName: r.ADALName,
		SourceBindingType: r.SourceBindingType, SourceBindingConfig: cloneMap(r.SourceBindingConfig),
		Tags: slices.Clone(r.Tags),
	}
}

// Submit validates a proposal and files it as a new request in
// pending_review (reference §6.3). principal is the authenticated caller
// ("" when unknown); it is recorded as submitted_by and may not approve
// the request. Nothing is written to the catalog.
//
// Errors: 400 "Path cannot be empty"; *moniker.ValidationError (422) for bad
// fields (path grammar, e-mails, source type, placeholders, lengths); 409
// when the path is a catalog node or has an open request; 400 when the
// parent domain is not a catalog node.
func (w *Workflow) Submit(ctx context.Context, p Proposal, principal string) (*Request, error) {
	p, err := checkProposal(p)
	if err != nil {
		return nil, err
	}
	out, err := w.update(ctx, func(cur *state) ([]*Request, error) {
		level, err := w.checkPathFree(cur, p.Path, "")
		if err != nil {
			return nil, err
		}
		now := w.timestamp()
		r := &Request{
			RequestID: w.nextID(), Status: StatusPendingReview, DomainLevel: level,
			CreatedAt: now, UpdatedAt: now, SubmittedBy: strings.TrimSpace(principal),
		}
		setProposal(r, p)
		return []*Request{r}, nil
	})
	if err != nil {
		return nil, err
	}
	r := out[0]
	w.record(ctx, audit.Entry{
		Path: r.Path, Action: AuditSubmitted, Actor: actorOf(principal, r.Requester.Email),
		OldValue: nil, NewValue: string(r.Status),
		Details: map[string]any{"request_id": r.RequestID, "domain_level": string(r.DomainLevel)},
	})
	return r, nil
}

// Review is a reviewer's approve, reject or request-changes call.
type Review struct {
	// Principal is the authenticated caller ("" = unknown); when set it
	// is the actor, whatever the body says.
	Principal string
	// Actor and ActorName are the body's actor fields; Actor is required
	// when Principal is "".
	Actor, ActorName string
	// Reason is the reviewer's note; required to reject or request
	// changes.
	Reason string
	// IfMatch is the caller's If-Match header ("" = no precondition).
	IfMatch string
}

// reviewer checks a review's identity and reason and returns the actor
// and its display name.
func (rv Review) reviewer(needReason bool) (actor, name, reason string, err error) {
	var fe fieldErrors
	actor = actorOf(rv.Principal, rv.Actor)
	if actor == "" {
		fe.add("required (no authenticated identity)", rv.Actor, "actor")
	}
	name = strings.TrimSpace(rv.ActorName)
	if len(name) > maxNameLen {
		fe.add("too long", nil, "actor_name")
	}
	reason = strings.TrimSpace(rv.Reason)
	switch {
	case needReason && reason == "":
		fe.add("required", rv.Reason, "reason")
	case len(reason) > maxTextLen:
		fe.add("too long", nil, "reason")
	}
	return actor, name, reason, fe.err()
}

// Approve approves a pending request: it writes the proposed node
// (display name, description, ownership, tags, binding, status active,
// approved_by) to the catalog through Committer.Commit, and only then
// marks the request approved with reviewed_by = the actor. When the
// commit fails (the path became a node meanwhile, a catalog conflict) the
// request stays pending and the error is returned. (Should writing the
// request fail after the node was committed — a disk error — the node
// stays, the failure is logged, and a retry answers 409: the path is a
// node.)
//
// Errors: 404; 412 (If-Match); 400 "Request is not pending review
// (current status: X)"; 403 when the actor (the principal, or the body's
// actor) is the requester; 409 when the path is already a node or the
// catalog commit conflicts; 503 without a catalog.
func (w *Workflow) Approve(ctx context.Context, id string, rv Review) (*Request, error) {
	actor, name, reason, err := rv.reviewer(false)
	if err != nil {
		return nil, err
	}
	committed := false
	var old Status
	out, err := w.update(ctx, func(cur *state) ([]*Request, error) {
		i, err := find(cur, id, rv.IfMatch)
		if err != nil {
			return nil, err
		}
		r := cur.reqs[i]
		if r.Status != StatusPendingReview {
			return nil, notPending(r.Status)
		}
		for _, who := range []string{rv.Principal, rv.Actor} {
			if sameIdentity(who, r.Requester.Email) || sameIdentity(who, r.SubmittedBy) {
				return nil, moniker.Errorf(moniker.ErrDenied,
					"Self-approval refused: %s submitted request %s and may not approve it", strings.TrimSpace(who), r.RequestID)
			}
		}
		if w.cat == nil {
			return nil, moniker.Errorf(moniker.ErrUnavailable, "Catalog not initialized: cannot write the approved node")
		}
		if _, _, ok := w.cat.Get(r.Path); ok {
			return nil, moniker.Errorf(moniker.ErrConflict, "Path already exists in catalog: %s", r.Path)
		}
		now := w.timestamp()
		node := proposedNode(r, actor, now)
		// Create: the commit fails with a conflict when the path became a
		// node on disk since the check above.
		if err := w.cat.Commit(ctx, []catalogedit.NodeChange{{Path: node.Path, Node: node, Create: true}}, actor); err != nil {
			return nil, err
		}
		committed = true
		old = r.Status
		nr := r.clone()
		nr.Status = StatusApproved
		nr.ReviewedBy, nr.ReviewedAt, nr.UpdatedAt = actor, now, now
		nr.ApprovedNodePath = node.Path
		nr.Comments = append(nr.Comments, Comment{Timestamp: now, Author: actor, AuthorName: orDefault(name, actor),
			Content: orDefault(reason, "Approved"), Action: ActionApprove})
		return []*Request{nr}, nil
	})
	if err != nil {
		if committed {
			w.log.Error("the approved node was written to the catalog but the request could not be marked approved",
				"request_id", id, "err", err)
		}
		return nil, err
	}
	r := out[0]
	w.record(ctx, audit.Entry{
		Path: r.Path, Action: AuditApproved, Actor: actor, OldValue: string(old), NewValue: string(r.Status),
		Details: map[string]any{"request_id": r.RequestID, "node_path": r.ApprovedNodePath, "reason": reason},
	})
	return r, nil
}

// proposedNode is the catalog node an approved request creates.
func proposedNode(r *Request, approver, now string) *moniker.Node {
	n := &moniker.Node{
		Path: r.Path, DisplayName: r.DisplayName, Description: r.Description,
		Status: moniker.StatusActive,
		Extra:  map[string]any{"created_at": now, "approved_by": approver},
	}
	if r.Requester.Email != "" {
		n.Extra["created_by"] = r.Requester.Email
	}
	n.Ownership[moniker.ADOP], n.Ownership[moniker.ADOPName] = r.ADOP, r.ADOPName
	n.Ownership[moniker.ADS], n.Ownership[moniker.ADSName] = r.ADS, r.ADSName
	n.Ownership[moniker.ADAL], n.Ownership[moniker.ADALName] = r.ADAL, r.ADALName
	if len(r.Tags) > 0 {
		n.Tags = slices.Compact(slices.Sorted(slices.Values(r.Tags)))
	}
	if r.SourceBindingType != "" {
		cfg := cloneMap(r.SourceBindingConfig)
		if cfg == nil {
			cfg = map[string]any{}
		}
		n.Binding = &moniker.SourceBinding{Type: r.SourceBindingType, Config: cfg, ReadOnly: true}
	}
	return n
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Reject rejects a pending request with a reason. The catalog is not
// touched; the path may be requested again.
//
// Errors: 404; 412; 400 not pending; 422 without a reason or actor.
func (w *Workflow) Reject(ctx context.Context, id string, rv Review) (*Request, error) {
	return w.review(ctx, id, rv, StatusRejected)
}

// RequestChanges sends a pending request back to its requester with a
// reason (status changes_requested); the requester amends it.
//
// Errors: 404; 412; 400 not pending; 422 without a reason or actor.
func (w *Workflow) RequestChanges(ctx context.Context, id string, rv Review) (*Request, error) {
	return w.review(ctx, id, rv, StatusChangesRequested)
}

// review is reject and request-changes.
func (w *Workflow) review(ctx context.Context, id string, rv Review, to Status) (*Request, error) {
	actor, name, reason, err := rv.reviewer(true)
	if err != nil {
		return nil, err
	}
	action, auditAction := ActionReject, AuditRejected
	if to == StatusChangesRequested {
		action, auditAction = ActionRequestChanges, AuditChangesRequested
	}
	var old Status
	out, err := w.update(ctx, func(cur *state) ([]*Request, error) {
		i, err := find(cur, id, rv.IfMatch)
		if err != nil {
			return nil, err
		}
		r := cur.reqs[i]
		if r.Status != StatusPendingReview {
			return nil, notPending(r.Status)
		}
		old = r.Status
		now := w.timestamp()
		nr := r.clone()
		nr.Status, nr.UpdatedAt = to, now
		if to == StatusRejected {
			nr.ReviewedBy, nr.ReviewedAt, nr.RejectionReason = actor, now, reason
		}
		nr.Comments = append(nr.Comments, Comment{Timestamp: now, Author: actor, AuthorName: orDefault(name, actor),
			Content: reason, Action: action})
		return []*Request{nr}, nil
	})
	if err != nil {
		return nil, err
	}
	r := out[0]
	w.record(ctx, audit.Entry{
		Path: r.Path, Action: auditAction, Actor: actor, OldValue: string(old), NewValue: string(r.Status),
		Details: map[string]any{"request_id": r.RequestID, "reason": reason},
	})
	return r, nil
}

// Note is a comment on a request.
type Note struct {
	// Principal is the authenticated caller ("" = unknown); when set it
	// is the author.
	Principal string
	// Author (required without a principal), AuthorName and Content
	// (required) come from the body.
	Author, AuthorName, Content string
}

// Comment adds a comment to a request in any status; the status does not
// change.
//
// Errors: 404; 422 without content or author.
func (w *Workflow) Comment(ctx context.Context, id string, n Note) (*Request, error) {
	var fe fieldErrors
	author := actorOf(n.Principal, n.Author)
	if author == "" {
		fe.add("required (no authenticated identity)", n.Author, "author")
	}
	name := strings.TrimSpace(n.AuthorName)
	if len(name) > maxNameLen {
		fe.add("too long", nil, "author_name")
	}
	content := strings.TrimSpace(n.Content)
	switch {
	case content == "":
		fe.add("required", n.Content, "content")
	case len(content) > maxTextLen:
		fe.add("too long", nil, "content")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	out, err := w.update(ctx, func(cur *state) ([]*Request, error) {
		i, err := find(cur, id, "")
		if err != nil {
			return nil, err
		}
		now := w.timestamp()
		nr := cur.reqs[i].clone()
		nr.UpdatedAt = now
		nr.Comments = append(nr.Comments, Comment{Timestamp: now, Author: author, AuthorName: orDefault(name, author),
			Content: content, Action: ActionComment})
		return []*Request{nr}, nil
	})
	if err != nil {
		return nil, err
	}
	r := out[0]
	w.record(ctx, audit.Entry{
		Path: r.Path, Action: AuditCommented, Actor: author, OldValue: string(r.Status), NewValue: string(r.Status),
		Details: map[string]any{"request_id": r.RequestID, "comment": content},
	})
	return r, nil
}

// Amendment is the requester's change to a request in pending_review or
// changes_requested. A nil field keeps the current value; a non-nil one
// replaces it (an empty value clears it). The requester cannot be
// changed.
type Amendment struct {
	// Principal is the authenticated caller ("" = unknown); Actor the
	// body's actor (required without a principal). Either must be the
	// requester's e-mail (or the principal that submitted).
	Principal, Actor, ActorName string
	// Comment is an optional note for the history.
	Comment string
	// IfMatch is the caller's If-Match header.
	IfMatch string

	Path, DisplayName, Description, Justification *string
	ADOP, ADOPName, ADS, ADSName, ADAL, ADALName  *string
	SourceBindingType                             *string
	SourceBindingConfig                           *map[string]any
	Tags                                          *[]string
}

// overlay returns p with the amendment's set fields.
func (a *Amendment) overlay(p Proposal) Proposal {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&p.Path, a.Path)
	set(&p.DisplayName, a.DisplayName)
	set(&p.Description, a.Description)
	set(&p.Justification, a.Justification)
	set(&p.ADOP, a.ADOP)
	set(&p.ADOPName, a.ADOPName)
	set(&p.ADS, a.ADS)
	set(&p.ADSName, a.ADSName)
	set(&p.ADAL, a.ADAL)
	set(&p.ADALName, a.ADALName)
	set(&p.SourceBindingType, a.SourceBindingType)
	if a.SourceBindingConfig != nil {
		p.SourceBindingConfig = cloneMap(*a.SourceBindingConfig)
	}
	if a.Tags != nil {
		p.Tags = slices.Clone(*a.Tags)
	}
	return p
}

// changedFields lists the proposal fields that differ between two
// requests, for the history note.
func changedFields(a, b *Request) []string {
	var out []string
	for _, f := range []struct {
		name string
		x, y string
	}{
		{"path", a.Path, b.Path}, {"display_name", a.DisplayName, b.DisplayName},
		{"description", a.Description, b.Description}, {"justification", a.Justification, b.Justification},
		{"adop", a.ADOP, b.ADOP}, {"adop_name", a.ADOPName, b.ADOPName},
		{"ads", a.ADS, b.ADS}, {"ads_name", a.ADSName, b.ADSName},
		{"adal", a.ADAL, b.ADAL}, {"adal_name", a.ADALName, b.ADALName},
		{"source_binding_type", a.SourceBindingType, b.SourceBindingType},
	} {
		if f.x != f.y {
			out = append(out, f.name)
		}
	}
	ca, _ := encodeItem(&Request{SourceBindingConfig: a.SourceBindingConfig})
	cb, _ := encodeItem(&Request{SourceBindingConfig: b.SourceBindingConfig})
	if string(ca) != string(cb) {
		out = append(out, "source_binding_config")
	}
	if !slices.Equal(a.Tags, b.Tags) {
		out = append(out, "tags")
	}
	return out
}

// Amend applies the requester's amendment and puts the request back in
// pending_review. The amended proposal is validated like a submission
// (its path must still be free, ignoring this request).
//
// Errors: 404; 412; 409 when the request is approved or rejected (or the
// amended path is taken); 403 when the caller is not the requester; 400
// and 422 as for Submit.
func (w *Workflow) Amend(ctx context.Context, id string, a Amendment) (*Request, error) {
	var fe fieldErrors
	actor := actorOf(a.Principal, a.Actor)
	if actor == "" {
		fe.add("required (no authenticated identity)", a.Actor, "actor")
	}
	note := strings.TrimSpace(a.Comment)
	if len(note) > maxTextLen {
		fe.add("too long", nil, "comment")
	}
	if err := fe.err(); err != nil {
		return nil, err
	}
	var (
		old     Status
		changed []string
	)
	out, err := w.update(ctx, func(cur *state) ([]*Request, error) {
		i, err := find(cur, id, a.IfMatch)
		if err != nil {
			return nil, err
		}
		r := cur.reqs[i]
		if r.Status != StatusPendingReview && r.Status != StatusChangesRequested {
			return nil, moniker.Errorf(moniker.ErrConflict,
				"Request %s cannot be amended (current status: %s)", r.RequestID, r.Status)
		}
		if !sameIdentity(actor, r.Requester.Email) && !sameIdentity(actor, r.SubmittedBy) {
			return nil, moniker.Errorf(moniker.ErrDenied,
				"Only the requester (%s) may amend request %s", r.Requester.Email, r.RequestID)
		}
		p, err := checkProposal(a.overlay(proposalOf(r)))
		if err != nil {
			return nil, err
		}
		level, err := w.checkPathFree(cur, p.Path, r.RequestID)
		if err != nil {
			return nil, err
		}
		old = r.Status
		now := w.timestamp()
		nr := r.clone()
		setProposal(nr, p)
		nr.DomainLevel, nr.Status, nr.UpdatedAt = level, StatusPendingReview, now
		changed = changedFields(r, nr)
		content := note
		if len(changed) > 0 {
			content = strings.TrimSpace("Amended: " + strings.Join(changed, ", ") + "\n" + note)
		} else if content == "" {
			content = "Resubmitted for review"
		}
		nr.Comments = append(nr.Comments, Comment{Timestamp: now, Author: actor,
			AuthorName: orDefault(strings.TrimSpace(a.ActorName), orDefault(r.Requester.Name, actor)),
			Content:    content, Action: ActionAmend})
		return []*Request{nr}, nil
	})
	if err != nil {
		return nil, err
	}
	r := out[0]
	if changed == nil {
		changed = []string{}
	}
	w.record(ctx, audit.Entry{
		Path: r.Path, Action: AuditAmended, Actor: actor, OldValue: string(old), NewValue: string(r.Status),
		Details: map[string]any{"request_id": r.RequestID, "changed": changed},
	})
	return r, nil
}
