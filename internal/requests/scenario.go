package requests

import (
	"bytes"
	"context"
	"errors"
	"io"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// A demo scenario file (upstream's demo/demo_requests.yaml, reference
// §6.7) lists requests to put in the queue, each with the outcome the
// demo wants. Upstream replayed it through the REST API with a script
// (hydrate_queue.py); here it is imported explicitly with ImportScenario
// (POST /requests/import). Open does not accept the format as a requests
// file (it says so and points at the import).

// scenarioComment is one comment of a scenario entry (no timestamp).
type scenarioComment struct {
	Author     string `yaml:"author"`
	AuthorName string `yaml:"author_name"`
	Content    string `yaml:"content"`
}

// scenarioEntry is one entry of a scenario file.
type scenarioEntry struct {
	Path          string    `yaml:"path"`
	DisplayName   string    `yaml:"display_name"`
	Description   string    `yaml:"description"`
	Justification string    `yaml:"justification"`
	Requester     Requester `yaml:"requester"`

	ADOP     string `yaml:"adop"`
	ADOPName string `yaml:"adop_name"`
	ADS      string `yaml:"ads"`
	ADSName  string `yaml:"ads_name"`
	ADAL     string `yaml:"adal"`
	ADALName string `yaml:"adal_name"`

	SourceBindingType   string         `yaml:"source_binding_type"`
	SourceBindingConfig map[string]any `yaml:"source_binding_config"`
	Tags                []string       `yaml:"tags"`

	// Outcome is pending (default), approved or rejected.
	Outcome      string            `yaml:"outcome"`
	Reviewer     string            `yaml:"reviewer"`
	ReviewerName string            `yaml:"reviewer_name"`
	ReviewReason string            `yaml:"review_reason"`
	Comments     []scenarioComment `yaml:"comments"`
}

type scenarioFile struct {
	Requests []*scenarioEntry `yaml:"requests"`
}

// decodeScenario parses a scenario file strictly.
func decodeScenario(data []byte) ([]*scenarioEntry, error) {
	var f scenarioFile
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return f.Requests, nil
}

// looksLikeScenario reports whether data is a scenario file with entries.
func looksLikeScenario(data []byte) bool {
	entries, err := decodeScenario(data)
	return err == nil && len(entries) > 0
}

// Skipped is a scenario entry the import left out, and why.
type Skipped struct {
	Index  int    `json:"index"`
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

// ImportResult is what ImportScenario did.
type ImportResult struct {
	Imported []*Request
	Skipped  []Skipped
}

// importActor is the audit actor of an import without an identity.
const importActor = "scenario-import"

// ImportScenario adds the requests of a demo scenario file to the queue,
// each in the state its outcome describes: pending → pending_review,
// approved → approved (reviewed_by = reviewer), rejected → rejected
// (rejection_reason = review_reason), with the entry's comments and the
// reviewer's note in the history, stamped with the import time. It is an
// import of records, not a replay: approved entries write no catalog
// node, and the self-approval rule does not apply to recorded history.
//
// Every entry is validated like a submission first (a bad one fails the
// whole import with a *moniker.ValidationError naming requests.<i>.<field>); the
// import then writes all requests in one transition. Like upstream's
// script, which counted 409 answers as "skipped", an entry whose path is
// a catalog node or has an open request, or that was imported before
// (same path and requester), is skipped and reported, so importing a file
// twice adds nothing. principal is the caller ("" = unknown).
func (w *Workflow) ImportScenario(ctx context.Context, data []byte, principal string) (*ImportResult, error) {
	entries, err := decodeScenario(data)
	if err != nil {
		return nil, moniker.Errorf(moniker.ErrInvalid, "not a demo scenario file: %w", err)
	}
	if len(entries) == 0 {
		return nil, moniker.Errorf(moniker.ErrInvalid, "not a demo scenario file: no requests")
	}
	var all fieldErrors
	props := make([]Proposal, len(entries))
	for i, e := range entries {
		at := []string{"requests", strconv.Itoa(i)}
		if e == nil {
			all.add("empty entry", nil, at...)
			continue
		}
		p, fe := normalizeProposal(Proposal{
			Path: e.Path, DisplayName: e.DisplayName, Description: e.Description, Justification: e.Justification,
			Requester: e.Requester,
			ADOP:      e.ADOP, ADOPName: e.ADOPName, ADS: e.ADS, ADSName: e.ADSName, ADAL: e.ADAL, ADALName: e.ADALName,
			SourceBindingType: e.SourceBindingType, SourceBindingConfig: e.SourceBindingConfig, Tags: e.Tags,
		})
		if p.Path == "" {
			fe.add("required", e.Path, "path")
		}
		e.Outcome = strings.TrimSpace(e.Outcome)
		e.Reviewer, e.ReviewReason = strings.TrimSpace(e.Reviewer), strings.TrimSpace(e.ReviewReason)
		switch e.Outcome {
		case "", "pending":
		case "approved", "rejected":
			if e.Reviewer == "" {
				fe.add("required when outcome is "+e.Outcome, e.Reviewer, "reviewer")
			}
			if e.Outcome == "rejected" && e.ReviewReason == "" {
				fe.add("required when outcome is rejected", e.ReviewReason, "review_reason")
			}
		default:
			fe.add("not one of pending, approved, rejected", e.Outcome, "outcome")
		}
		for j, c := range e.Comments {
			if strings.TrimSpace(c.Author) == "" {
				fe.add("required", c.Author, "comments", strconv.Itoa(j), "author")
			}
			if strings.TrimSpace(c.Content) == "" {
				fe.add("required", c.Content, "comments", strconv.Itoa(j), "content")
			}
		}
		all.list = append(all.list, fe.prefixed(at...)...)
		props[i] = p
	}
	if err := all.err(); err != nil {
		return nil, err
	}
	actor := actorOf(principal, importActor)
	res := &ImportResult{}
	out, err := w.update(ctx, func(cur *state) ([]*Request, error) {
		var batch []*Request
		for i, e := range entries {
			p := props[i]
			if reason := w.importSkip(cur, batch, p); reason != "" {
				res.Skipped = append(res.Skipped, Skipped{Index: i, Path: p.Path, Reason: reason})
				continue
			}
			level := domainLevel(p.Path)
			now := w.timestamp()
			r := &Request{RequestID: w.nextID(), Status: StatusPendingReview, DomainLevel: level, CreatedAt: now, UpdatedAt: now}
			setProposal(r, p)
			for _, c := range e.Comments {
				r.Comments = append(r.Comments, Comment{Timestamp: now, Author: strings.TrimSpace(c.Author),
					AuthorName: strings.TrimSpace(c.AuthorName), Content: strings.TrimSpace(c.Content), Action: ActionComment})
			}
			if e.Outcome == "approved" || e.Outcome == "rejected" {
				r.ReviewedBy, r.ReviewedAt = e.Reviewer, now
				c := Comment{Timestamp: now, Author: e.Reviewer, AuthorName: orDefault(strings.TrimSpace(e.ReviewerName), e.Reviewer)}
				if e.Outcome == "approved" {
					r.Status, c.Action, c.Content = StatusApproved, ActionApprove, orDefault(e.ReviewReason, "Approved")
				} else {
					r.Status, c.Action, c.Content = StatusRejected, ActionReject, e.ReviewReason
					r.RejectionReason = e.ReviewReason
				}
				r.Comments = append(r.Comments, c)
			}
			batch = append(batch, r)
		}
		return batch, nil
	})
	if err != nil {
		return nil, err
	}
	res.Imported = out
	var entriesOut []audit.Entry
	for _, r := range out {
		entriesOut = append(entriesOut, audit.Entry{
			Path: r.Path, Action: AuditSubmitted, Actor: actor, OldValue: nil, NewValue: string(StatusPendingReview),
			Details: map[string]any{"request_id": r.RequestID, "imported": true, "requester": r.Requester.Email},
		})
		switch r.Status {
		case StatusApproved:
			entriesOut = append(entriesOut, audit.Entry{
				Path: r.Path, Action: AuditApproved, Actor: actor, OldValue: string(StatusPendingReview), NewValue: string(r.Status),
				Details: map[string]any{"request_id": r.RequestID, "imported": true, "reviewer": r.ReviewedBy},
			})
		case StatusRejected:
			entriesOut = append(entriesOut, audit.Entry{
				Path: r.Path, Action: AuditRejected, Actor: actor, OldValue: string(StatusPendingReview), NewValue: string(r.Status),
				Details: map[string]any{"request_id": r.RequestID, "imported": true, "reviewer": r.ReviewedBy, "reason": r.RejectionReason},
			})
		}
	}
	if len(entriesOut) > 0 {
		w.record(ctx, entriesOut...)
	}
	return res, nil
}

// importSkip says why a scenario entry is left out ("" = import it): it
// was imported before (a request for the path from the same requester),
// or submitting it would be refused (path taken, open request, missing
// parent domain).
func (w *Workflow) importSkip(cur *state, batch []*Request, p Proposal) string {
	for _, list := range [][]*Request{cur.reqs, batch} {
		for _, r := range list {
			if r.Path != p.Path {
				continue
			}
			if sameIdentity(r.Requester.Email, p.Requester.Email) {
				return "already in the queue as " + r.RequestID
			}
			if r.Status.Open() {
				return "A pending request already exists for path: " + p.Path + " (" + r.RequestID + ")"
			}
		}
	}
	if _, err := w.checkPathFree(cur, p.Path, ""); err != nil {
		return err.Error()
	}
	return ""
}
