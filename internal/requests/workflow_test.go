package requests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

var ctx = context.Background()

func TestOpenTestQueue(t *testing.T) {
	path := copyTo(t, testQueue(t), "requests.yaml")
	w, _ := open(t, path, nil)
	all, counts, err := w.List("")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 9 || counts.Total != 9 {
		t.Fatalf("got %d requests (total %d), want 9", len(all), counts.Total)
	}
	want := map[Status]int{StatusPendingReview: 5, StatusApproved: 2, StatusRejected: 2,
		StatusDraft: 0, StatusChangesRequested: 0, StatusActive: 0}
	for s, n := range want {
		if counts.ByStatus[s] != n {
			t.Errorf("by_status[%s] = %d, want %d", s, counts.ByStatus[s], n)
		}
	}
	// Newest first: REQ-0009 was created last.
	if all[0].RequestID != "REQ-0009" || all[8].RequestID != "REQ-0001" {
		t.Errorf("order: first %s last %s, want REQ-0009 ... REQ-0001", all[0].RequestID, all[8].RequestID)
	}
	r, _, err := w.Get("REQ-0008")
	if err != nil {
		t.Fatal(err)
	}
	if r.CreatedAt != "2026-02-19T03:00:00+00:00" || r.UpdatedAt != "2026-02-19T04:45:00+00:00" {
		t.Errorf("timestamps not kept: %s %s", r.CreatedAt, r.UpdatedAt)
	}
	if r.Status != StatusRejected || r.ReviewedBy != "compliance@firm.com" || !strings.HasPrefix(r.RejectionReason, "Rejected: personal data") {
		t.Errorf("REQ-0008 = %+v", r)
	}
	if len(r.Comments) != 3 || r.Comments[2].Action != ActionReject {
		t.Errorf("REQ-0008 comments = %+v", r.Comments)
	}
	if top, _, _ := w.Get("REQ-0005"); !top.TopLevel() {
		t.Error("REQ-0005 (infrastructure) should be top-level")
	}
	pending, _, _ := w.List(StatusPendingReview)
	if len(pending) != 5 {
		t.Errorf("pending = %d, want 5", len(pending))
	}
	if _, _, err := w.List("retired"); !errors.Is(err, moniker.ErrInvalid) || err.Error() != "Invalid status: retired" {
		t.Errorf("List(retired) error = %v", err)
	}
}

func TestOpenFiles(t *testing.T) {
	tests := []struct {
		name, data string
		want       int    // requests
		err        string // substring of the error; "" = no error
	}{
		{"empty file", "", 0, ""},
		{"comment only", "# nothing yet\n", 0, ""},
		{"empty list", "requests: []\n", 0, ""},
		{"null list", "requests:\n", 0, ""},
		{"one request", "requests:\n- request_id: REQ-0007\n  path: a/b\n  status: approved\n  created_at: '2026-01-01T00:00:00+00:00'\n", 1, ""},
		{"naive timestamp", "requests:\n- request_id: REQ-1\n  path: a\n  status: draft\n  created_at: '2026-01-01T00:00:00.123456'\n", 1, ""},
		{"unknown key", "requests:\n- request_id: REQ-1\n  path: a\n  status: draft\n  created_at: '2026-01-01T00:00:00+00:00'\n  colour: red\n", 0, "field colour not found"},
		{"unknown top key", "requests: []\nextra: 1\n", 0, "field extra not found"},
		{"bad status", "requests:\n- request_id: REQ-1\n  path: a\n  status: done\n  created_at: '2026-01-01T00:00:00+00:00'\n", 0, `status "done"`},
		{"missing id", "requests:\n- path: a\n  status: draft\n  created_at: '2026-01-01T00:00:00+00:00'\n", 0, "request_id is required"},
		{"duplicate id", "requests:\n- request_id: REQ-1\n  path: a\n  status: draft\n  created_at: '2026-01-01T00:00:00+00:00'\n- request_id: REQ-1\n  path: b\n  status: draft\n  created_at: '2026-01-01T00:00:00+00:00'\n", 0, "duplicate request_id REQ-1"},
		{"bad timestamp", "requests:\n- request_id: REQ-1\n  path: a\n  status: draft\n  created_at: yesterday\n", 0, "created_at"},
		{"bad action", "requests:\n- request_id: REQ-1\n  path: a\n  status: draft\n  created_at: '2026-01-01T00:00:00+00:00'\n  comments:\n  - {author: x, content: y, action: shout}\n", 0, `action "shout"`},
		{"bad domain level", "requests:\n- request_id: REQ-1\n  path: a\n  status: draft\n  created_at: '2026-01-01T00:00:00+00:00'\n  domain_level: middle\n", 0, "domain_level"},
		{"two documents", "requests: []\n---\nrequests: []\n", 0, "more than one YAML document"},
		{"scenario file", "requests:\n- path: a/b\n  requester: {name: n, email: n@x.com}\n  outcome: pending\n", 0, "demo scenario file"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, tt.data)
			w, err := Open(path, Options{})
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("Open error = %v, want %q", err, tt.err)
				}
				if !strings.Contains(err.Error(), path) {
					t.Errorf("error %q does not name the file", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if _, c, _ := w.List(""); c.Total != tt.want {
				t.Errorf("total = %d, want %d", c.Total, tt.want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		w, err := Open(filepath.Join(t.TempDir(), "requests.yaml"), Options{})
		if err != nil {
			t.Fatal(err)
		}
		if _, c, _ := w.List(""); c.Total != 0 {
			t.Errorf("total = %d", c.Total)
		}
	})
}

// seed writes a file with one request REQ-0001 for risk/stress/climate in
// status s, submitted by a.analyst@example.com, and opens it.
func seed(t *testing.T, s Status, cat Committer) (*Workflow, string) {
	t.Helper()
	data := fmt.Sprintf(`requests:
- request_id: REQ-0001
  path: risk/stress/climate
  display_name: Climate
  description: ''
  justification: because
  status: %s
  domain_level: sub_path
  created_at: '2026-02-18T09:15:02.123456+00:00'
  updated_at: '2026-02-18T09:15:02.123456+00:00'
  requester:
    name: A. Analyst
    email: a.analyst@example.com
    team: Risk
    app_id: stress-engine
  adop: owner@example.com
  source_binding_type: snowflake
  source_binding_config:
    database: STRESS
  tags:
  - climate
`, s)
	path := writeTemp(t, data)
	w, _ := open(t, path, cat)
	return w, path
}

// TestStateMachine tries every transition from every status.
func TestStateMachine(t *testing.T) {
	type outcome struct {
		to   Status // new status; "" = refused
		kind error  // refused: error kind
		msg  string // refused: message substring
	}
	ok := func(s Status) outcome { return outcome{to: s} }
	notPendingMsg := func(s Status) outcome {
		return outcome{kind: moniker.ErrInvalid, msg: "Request is not pending review (current status: " + string(s) + ")"}
	}
	notAmendable := func(s Status) outcome {
		return outcome{kind: moniker.ErrConflict, msg: "cannot be amended (current status: " + string(s) + ")"}
	}
	reviewer := Review{Actor: "reviewer@example.com", ActorName: "Reviewer", Reason: "looks right"}
	actions := []struct {
		name string
		do   func(w *Workflow) (*Request, error)
	}{
		{"approve", func(w *Workflow) (*Request, error) { return w.Approve(ctx, "REQ-0001", reviewer) }},
		{"reject", func(w *Workflow) (*Request, error) { return w.Reject(ctx, "REQ-0001", reviewer) }},
		{"request_changes", func(w *Workflow) (*Request, error) { return w.RequestChanges(ctx, "REQ-0001", reviewer) }},
		{"amend", func(w *Workflow) (*Request, error) {
			d := "now with a description"
			return w.Amend(ctx, "REQ-0001", Amendment{Actor: "a.analyst@example.com", Description: &d})
		}},
		{"comment", func(w *Workflow) (*Request, error) {
			return w.Comment(ctx, "REQ-0001", Note{Author: "someone@example.com", Content: "hello"})
		}},
	}
	table := map[Status][]outcome{ // in the order of actions
		StatusPendingReview:    {ok(StatusApproved), ok(StatusRejected), ok(StatusChangesRequested), ok(StatusPendingReview), ok(StatusPendingReview)},
		StatusChangesRequested: {notPendingMsg(StatusChangesRequested), notPendingMsg(StatusChangesRequested), notPendingMsg(StatusChangesRequested), ok(StatusPendingReview), ok(StatusChangesRequested)},
		StatusApproved:         {notPendingMsg(StatusApproved), notPendingMsg(StatusApproved), notPendingMsg(StatusApproved), notAmendable(StatusApproved), ok(StatusApproved)},
		StatusRejected:         {notPendingMsg(StatusRejected), notPendingMsg(StatusRejected), notPendingMsg(StatusRejected), notAmendable(StatusRejected), ok(StatusRejected)},
		StatusDraft:            {notPendingMsg(StatusDraft), notPendingMsg(StatusDraft), notPendingMsg(StatusDraft), notAmendable(StatusDraft), ok(StatusDraft)},
		StatusActive:           {notPendingMsg(StatusActive), notPendingMsg(StatusActive), notPendingMsg(StatusActive), notAmendable(StatusActive), ok(StatusActive)},
	}
	for _, from := range Statuses {
		row, found := table[from]
		if !found {
			t.Fatalf("no row for status %s", from)
		}
		for i, a := range actions {
			want := row[i]
			t.Run(string(from)+"/"+a.name, func(t *testing.T) {
				cat := newFakeCatalog(t)
				w, path := seed(t, from, cat)
				before, _ := os.ReadFile(path)
				r, err := a.do(w)
				after, _ := os.ReadFile(path)
				if want.to == "" {
					if err == nil || !errors.Is(err, want.kind) || !strings.Contains(err.Error(), want.msg) {
						t.Fatalf("error = %v, want %v containing %q", err, want.kind, want.msg)
					}
					if !bytes.Equal(before, after) {
						t.Error("a refused transition changed the file")
					}
					if len(cat.commits) != 0 {
						t.Error("a refused transition wrote to the catalog")
					}
					return
				}
				if err != nil {
					t.Fatalf("unexpected error %v", err)
				}
				if r.Status != want.to {
					t.Fatalf("status = %s, want %s", r.Status, want.to)
				}
				// Written through: a fresh Workflow sees the new status.
				w2, _ := open(t, path, nil)
				r2, _, err := w2.Get("REQ-0001")
				if err != nil || r2.Status != want.to {
					t.Fatalf("after re-open: %v %v", r2, err)
				}
				if got := len(r2.Comments); got != 1 {
					t.Errorf("history has %d entries, want 1", got)
				}
				if r2.CreatedAt != "2026-02-18T09:15:02.123456+00:00" {
					t.Errorf("created_at changed to %s", r2.CreatedAt)
				}
				if approved := len(cat.commits) == 1; approved != (a.name == "approve") {
					t.Errorf("catalog commits = %d", len(cat.commits))
				}
			})
		}
	}
}

func TestSubmitValidation(t *testing.T) {
	tests := []struct {
		name   string
		change func(p *Proposal)
		kind   error
		msg    string   // substring
		loc    []string // field of a *ValidationError
	}{
		{"empty path", func(p *Proposal) { p.Path = " / " }, moniker.ErrInvalid, "Path cannot be empty", nil},
		{"bad path", func(p *Proposal) { p.Path = "risk/_bad" }, moniker.ErrInvalid, "not a valid moniker path", []string{"path"}},
		{"version in path", func(p *Proposal) { p.Path = "risk/x@20260101" }, moniker.ErrInvalid, "plain catalog path", []string{"path"}},
		{"revision in path", func(p *Proposal) { p.Path = "risk/x/v2" }, moniker.ErrInvalid, "plain catalog path", []string{"path"}},
		{"namespace in path", func(p *Proposal) { p.Path = "ns@risk/x" }, moniker.ErrInvalid, "plain catalog path", []string{"path"}},
		{"no requester email", func(p *Proposal) { p.Requester.Email = "" }, moniker.ErrInvalid, "required", []string{"requester", "email"}},
		{"bad requester email", func(p *Proposal) { p.Requester.Email = "A Analyst <a@x.com>" }, moniker.ErrInvalid, "e-mail", []string{"requester", "email"}},
		{"bad adop", func(p *Proposal) { p.ADOP = "not an email" }, moniker.ErrInvalid, "e-mail", []string{"adop"}},
		{"bad adal", func(p *Proposal) { p.ADAL = "x@" }, moniker.ErrInvalid, "e-mail", []string{"adal"}},
		{"bad source type", func(p *Proposal) { p.SourceBindingType = "excelsior" }, moniker.ErrInvalid, "not a source type", []string{"source_binding_type"}},
		{"config without type", func(p *Proposal) { p.SourceBindingType = "" }, moniker.ErrInvalid, "needs a source_binding_type", []string{"source_binding_config"}},
		{"unknown placeholder", func(p *Proposal) { p.SourceBindingConfig["query"] = "SELECT {segment[0]}" }, moniker.ErrInvalid, "unknown placeholder {segment[0]}", []string{"source_binding_config", "query"}},
		{"table placeholder", func(p *Proposal) { p.SourceBindingConfig = map[string]any{"table": "T_{segments[0]:DATE}"} }, moniker.ErrInvalid, "unknown placeholder", []string{"source_binding_config", "table"}},
		{"rest base_url", func(p *Proposal) {
			p.SourceBindingType, p.SourceBindingConfig = "rest", map[string]any{"base_url": "ftp://x"}
		}, moniker.ErrInvalid, "absolute http(s) URL", []string{"source_binding_config", "base_url"}},
		{"rest query_params", func(p *Proposal) {
			p.SourceBindingType = "rest"
			p.SourceBindingConfig = map[string]any{"base_url": "https://x", "query_params": map[string]any{"d": "{dte}"}}
		}, moniker.ErrInvalid, "unknown placeholder {dte}", []string{"source_binding_config", "query_params", "d"}},
		{"empty tag", func(p *Proposal) { p.Tags = []string{"a", " "} }, moniker.ErrInvalid, "empty tag", []string{"tags", "1"}},
		{"long name", func(p *Proposal) { p.DisplayName = strings.Repeat("x", maxNameLen+1) }, moniker.ErrInvalid, "longer than", []string{"display_name"}},
		{"path exists", func(p *Proposal) { p.Path = "risk.cvar" }, moniker.ErrConflict, "Path already exists in catalog: risk.cvar", nil},
		{"no parent domain", func(p *Proposal) { p.Path = "nowhere/x" }, moniker.ErrInvalid, "Top-level domain 'nowhere' does not exist. Create it first.", nil},
		{"no dotted parent", func(p *Proposal) { p.Path = "nowhere.x" }, moniker.ErrInvalid, "Top-level domain 'nowhere' does not exist", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := open(t, "", newFakeCatalog(t))
			p := proposal("risk/stress/climate")
			tt.change(&p)
			_, err := w.Submit(ctx, p, "")
			if !errors.Is(err, tt.kind) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("error = %v, want %v containing %q", err, tt.kind, tt.msg)
			}
			var ve *moniker.ValidationError
			if errors.As(err, &ve) != (tt.loc != nil) {
				t.Fatalf("ValidationError = %v, want one: %v", ve, tt.loc != nil)
			}
			if tt.loc != nil && !slices.ContainsFunc(ve.Fields, func(f moniker.FieldError) bool { return slices.Equal(f.Loc, tt.loc) }) {
				t.Errorf("fields %+v do not name %v", ve.Fields, tt.loc)
			}
			if _, c, _ := w.List(""); c.Total != 0 {
				t.Error("a refused submission was kept")
			}
		})
	}
}

func TestSubmit(t *testing.T) {
	cat := newFakeCatalog(t)
	path := filepath.Join(t.TempDir(), "requests.yaml")
	w, log := open(t, path, cat)
	p := proposal("  /risk/stress/climate/ ")
	p.SourceBindingType = "Snowflake"
	p.Tags = []string{"b", "a", "b"}
	r, err := w.Submit(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	if r.RequestID != "REQ-0001" || r.Path != "risk/stress/climate" || r.Status != StatusPendingReview ||
		r.DomainLevel != DomainSubPath || r.SourceBindingType != "snowflake" || !slices.Equal(r.Tags, []string{"b", "a"}) {
		t.Fatalf("submitted %+v", r)
	}
	if r.CreatedAt != "2026-03-01T12:00:01.000000+00:00" || r.UpdatedAt != r.CreatedAt {
		t.Errorf("timestamps %s %s", r.CreatedAt, r.UpdatedAt)
	}
	if _, _, ok := cat.Get(r.Path); ok {
		t.Error("a pending request created a catalog node")
	}
	// A second request for the same path is refused while one is open.
	if _, err := w.Submit(ctx, proposal("risk/stress/climate"), ""); !errors.Is(err, moniker.ErrConflict) ||
		err.Error() != "A pending request already exists for path: risk/stress/climate (REQ-0001)" {
		t.Errorf("duplicate submit: %v", err)
	}
	// Top-level.
	top, err := w.Submit(ctx, proposal("alternatives"), "")
	if err != nil || !top.TopLevel() {
		t.Fatalf("top-level submit: %+v %v", top, err)
	}
	// Audit.
	entries, err := log.Entries("", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 2 || entries[0].Action != AuditSubmitted || entries[0].Actor != "a.analyst@example.com" ||
		entries[0].Path != "risk/stress/climate" || entries[0].NewValue != "pending_review" || entries[0].OldValue != nil {
		t.Errorf("audit = %+v", entries)
	}
	// The file is upstream's format.
	data, _ := os.ReadFile(path)
	for _, want := range []string{"requests:\n- request_id: REQ-0001\n  path: risk/stress/climate\n", "  status: pending_review\n  domain_level: sub_path\n", "  requester:\n    name: A. Analyst\n"} {
		if !bytes.Contains(data, []byte(want)) {
			t.Errorf("file lacks %q:\n%s", want, data)
		}
	}
}

func TestApproveWritesNode(t *testing.T) {
	cat := newFakeCatalog(t)
	w, log := open(t, filepath.Join(t.TempDir(), "requests.yaml"), cat)
	r, err := w.Submit(ctx, proposal("risk/stress/climate"), "")
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.Approve(ctx, r.RequestID, Review{Actor: "reviewer@example.com", ActorName: "Reviewer"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusApproved || got.ReviewedBy != "reviewer@example.com" || got.ReviewedAt == "" ||
		got.ApprovedNodePath != "risk/stress/climate" {
		t.Fatalf("approved request %+v", got)
	}
	if c := got.Comments[len(got.Comments)-1]; c.Action != ActionApprove || c.Content != "Approved" || c.AuthorName != "Reviewer" {
		t.Errorf("approval note %+v", c)
	}
	if len(cat.commits) != 1 || cat.actors[0] != "reviewer@example.com" {
		t.Fatalf("commits %+v by %v", cat.commits, cat.actors)
	}
	n, _, ok := cat.Get("risk/stress/climate")
	if !ok {
		t.Fatal("approval wrote no node")
	}
	checkApprovedNode(t, n)
	entries, _ := log.Entries("risk/stress/climate", 0)
	if last := entries[len(entries)-1]; last.Action != AuditApproved || last.OldValue != "pending_review" || last.NewValue != "approved" || last.Actor != "reviewer@example.com" {
		t.Errorf("audit %+v", last)
	}
}

// checkApprovedNode checks the node proposal("risk/stress/climate")
// becomes.
func checkApprovedNode(t *testing.T, n *moniker.Node) {
	t.Helper()
	if n.DisplayName != "Climate Stress Scenarios" || n.Description != "Forward-looking climate stress scenarios" ||
		n.EffectiveStatus() != moniker.StatusActive {
		t.Errorf("node %+v", n)
	}
	if n.Ownership[moniker.ADOP] != "owner@example.com" || n.Ownership[moniker.ADOPName] != "Owner Name" ||
		n.Ownership[moniker.ADS] != "steward-team@example.com" || n.Ownership[moniker.ADSName] != "Steward Team" ||
		n.Ownership[moniker.ADAL] != "" {
		t.Errorf("ownership %v", n.Ownership)
	}
	if !slices.Equal(n.Tags, []string{"climate", "stress-testing"}) {
		t.Errorf("tags %v", n.Tags)
	}
	if n.Binding == nil || n.Binding.Type != "snowflake" || n.Binding.Config["database"] != "STRESS" ||
		n.Binding.Config["query"] != "SELECT * FROM t WHERE d = '{segments[0]}'" {
		t.Errorf("binding %+v", n.Binding)
	}
	if n.Extra["approved_by"] != "reviewer@example.com" || n.Extra["created_by"] != "a.analyst@example.com" {
		t.Errorf("extra %v", n.Extra)
	}
}

func TestApproveCommitFails(t *testing.T) {
	cat := newFakeCatalog(t)
	w, _ := open(t, filepath.Join(t.TempDir(), "requests.yaml"), cat)
	r, _ := w.Submit(ctx, proposal("risk/stress/climate"), "")
	rv := Review{Actor: "reviewer@example.com"}

	cat.err = yamlfile.Conflict("catalog.yaml", []string{"risk/stress/climate"})
	if _, err := w.Approve(ctx, r.RequestID, rv); !errors.Is(err, moniker.ErrConflict) {
		t.Fatalf("approve with a failing commit: %v", err)
	}
	if got, _, _ := w.Get(r.RequestID); got.Status != StatusPendingReview || len(got.Comments) != 0 {
		t.Fatalf("request after a failed commit: %+v", got)
	}
	// The path became a node meanwhile (created through /config).
	cat.err = nil
	cat.nodes["risk/stress/climate"] = &moniker.Node{Path: "risk/stress/climate"}
	if _, err := w.Approve(ctx, r.RequestID, rv); !errors.Is(err, moniker.ErrConflict) ||
		err.Error() != "Path already exists in catalog: risk/stress/climate" {
		t.Fatalf("approve over an existing node: %v", err)
	}
	if got, _, _ := w.Get(r.RequestID); got.Status != StatusPendingReview {
		t.Fatalf("status %s", got.Status)
	}
	// Without a catalog, approval cannot write the node.
	w2, _ := open(t, "", nil)
	r2, _ := w2.Submit(ctx, proposal("risk/stress/climate"), "")
	if _, err := w2.Approve(ctx, r2.RequestID, rv); !errors.Is(err, moniker.ErrUnavailable) {
		t.Fatalf("approve without catalog: %v", err)
	}
}

func TestRejectAllowsResubmission(t *testing.T) {
	cat := newFakeCatalog(t)
	w, log := open(t, filepath.Join(t.TempDir(), "requests.yaml"), cat)
	r, _ := w.Submit(ctx, proposal("risk/stress/climate"), "")
	if _, err := w.Reject(ctx, r.RequestID, Review{Actor: "reviewer@example.com"}); !errors.Is(err, moniker.ErrInvalid) {
		t.Fatalf("reject without a reason: %v", err)
	}
	got, err := w.Reject(ctx, r.RequestID, Review{Actor: "reviewer@example.com", Reason: "  wrong domain  "})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusRejected || got.RejectionReason != "wrong domain" || got.ReviewedBy != "reviewer@example.com" {
		t.Fatalf("rejected %+v", got)
	}
	if len(cat.commits) != 0 {
		t.Fatal("rejection touched the catalog")
	}
	if _, _, ok := cat.Get("risk/stress/climate"); ok {
		t.Fatal("rejection created a node")
	}
	again, err := w.Submit(ctx, proposal("risk/stress/climate"), "")
	if err != nil {
		t.Fatalf("resubmission after rejection: %v", err)
	}
	if again.RequestID != "REQ-0002" {
		t.Errorf("resubmission id %s", again.RequestID)
	}
	entries, _ := log.Entries("", 0)
	if a := entries[1]; a.Action != AuditRejected || a.NewValue != "rejected" {
		t.Errorf("audit %+v", a)
	}
}

func TestSelfApprovalRefused(t *testing.T) {
	tests := []struct {
		name      string
		submitter string // principal at submit
		review    Review
		refused   bool
	}{
		{"principal is requester", "", Review{Principal: "A.Analyst@Example.com"}, true},
		{"body actor is requester", "", Review{Actor: "a.analyst@example.com"}, true},
		{"principal submitted", "alice", Review{Principal: "ALICE"}, true},
		{"principal other, body actor requester", "", Review{Principal: "bob", Actor: "a.analyst@example.com"}, true},
		{"other reviewer", "alice", Review{Principal: "bob"}, false},
		{"other body actor", "", Review{Actor: "reviewer@example.com"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cat := newFakeCatalog(t)
			w, _ := open(t, "", cat)
			r, err := w.Submit(ctx, proposal("risk/stress/climate"), tt.submitter)
			if err != nil {
				t.Fatal(err)
			}
			_, err = w.Approve(ctx, r.RequestID, tt.review)
			if tt.refused {
				if !errors.Is(err, moniker.ErrDenied) || !strings.Contains(err.Error(), "Self-approval refused") {
					t.Fatalf("error = %v, want self-approval refused", err)
				}
				if len(cat.commits) != 0 {
					t.Error("refused approval wrote the node")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestAmend(t *testing.T) {
	cat := newFakeCatalog(t)
	w, log := open(t, filepath.Join(t.TempDir(), "requests.yaml"), cat)
	r, _ := w.Submit(ctx, proposal("risk/stress/climate"), "")
	other, _ := w.Submit(ctx, proposal("risk/stress/flood"), "")
	if _, err := w.RequestChanges(ctx, r.RequestID, Review{Actor: "reviewer@example.com", Reason: "add ADAL"}); err != nil {
		t.Fatal(err)
	}
	adal, empty, tags := "adal@example.com", "", []string{"climate"}
	cases := []struct {
		name string
		a    Amendment
		kind error
		msg  string
	}{
		{"no actor", Amendment{ADAL: &adal}, moniker.ErrInvalid, "actor"},
		{"not the requester", Amendment{Actor: "reviewer@example.com", ADAL: &adal}, moniker.ErrDenied, "Only the requester (a.analyst@example.com)"},
		{"principal not the requester", Amendment{Principal: "mallory", Actor: "a.analyst@example.com"}, moniker.ErrDenied, "Only the requester"},
		{"bad email", Amendment{Actor: "a.analyst@example.com", ADAL: ptr("nope")}, moniker.ErrInvalid, "adal"},
		{"path taken by an open request", Amendment{Actor: "a.analyst@example.com", Path: ptr(other.Path)}, moniker.ErrConflict, "A pending request already exists"},
		{"stale version", Amendment{Actor: "a.analyst@example.com", IfMatch: `"0000"`}, moniker.ErrPrecondition, "has changed"},
	}
	for _, c := range cases {
		if _, err := w.Amend(ctx, r.RequestID, c.a); !errors.Is(err, c.kind) || !strings.Contains(err.Error(), c.msg) {
			t.Errorf("%s: error = %v, want %v containing %q", c.name, err, c.kind, c.msg)
		}
	}
	_, version, _ := w.Get(r.RequestID)
	got, err := w.Amend(ctx, r.RequestID, Amendment{
		Actor: "A.ANALYST@example.com", IfMatch: `W/"` + version + `"`, Comment: "added the ADAL",
		ADAL: &adal, Description: &empty, Tags: &tags, SourceBindingType: &empty, SourceBindingConfig: &map[string]any{},
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusPendingReview || got.ADAL != adal || got.Description != "" || !slices.Equal(got.Tags, tags) ||
		got.SourceBindingType != "" || got.SourceBindingConfig != nil || got.DisplayName != "Climate Stress Scenarios" {
		t.Fatalf("amended %+v", got)
	}
	last := got.Comments[len(got.Comments)-1]
	if last.Action != ActionAmend || last.Content != "Amended: description, adal, source_binding_type, source_binding_config, tags\nadded the ADAL" {
		t.Errorf("amend note %q", last.Content)
	}
	// Amending a pending request keeps it pending; it can then be approved.
	if _, err := w.Amend(ctx, r.RequestID, Amendment{Actor: "a.analyst@example.com"}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Approve(ctx, r.RequestID, Review{Actor: "reviewer@example.com"}); err != nil {
		t.Fatal(err)
	}
	n, _, _ := cat.Get("risk/stress/climate")
	if n.Ownership[moniker.ADAL] != adal || n.Binding != nil || n.Description != "" {
		t.Errorf("approved node after amendment %+v", n)
	}
	var actions []string
	entries, _ := log.Entries("risk/stress/climate", 0)
	for _, e := range entries {
		actions = append(actions, e.Action)
	}
	want := []string{AuditSubmitted, AuditChangesRequested, AuditAmended, AuditAmended, AuditApproved}
	if !slices.Equal(actions, want) {
		t.Errorf("audit actions %v, want %v", actions, want)
	}
}

func ptr[T any](v T) *T { return &v }

func TestComment(t *testing.T) {
	w, log := open(t, filepath.Join(t.TempDir(), "requests.yaml"), newFakeCatalog(t))
	r, _ := w.Submit(ctx, proposal("risk/stress/climate"), "")
	for _, n := range []Note{{Content: "x"}, {Author: "x@example.com", Content: "  "}} {
		if _, err := w.Comment(ctx, r.RequestID, n); !errors.Is(err, moniker.ErrInvalid) {
			t.Errorf("comment %+v: %v", n, err)
		}
	}
	if _, err := w.Comment(ctx, "REQ-9999", Note{Author: "x", Content: "y"}); !errors.Is(err, moniker.ErrNotFound) ||
		err.Error() != "Request not found: REQ-9999" {
		t.Errorf("comment on a missing request: %v", err)
	}
	got, err := w.Comment(ctx, r.RequestID, Note{Principal: "carol", Author: "ignored", Content: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	if c := got.Comments[0]; c.Author != "carol" || c.AuthorName != "carol" || c.Content != "hello" || c.Action != ActionComment {
		t.Errorf("comment %+v", c)
	}
	if got.UpdatedAt == r.UpdatedAt || got.CreatedAt != r.CreatedAt {
		t.Errorf("timestamps after comment: %s %s", got.CreatedAt, got.UpdatedAt)
	}
	entries, _ := log.Entries("", 0)
	if e := entries[len(entries)-1]; e.Action != AuditCommented || e.Actor != "carol" {
		t.Errorf("audit %+v", e)
	}
}

func TestIfMatch(t *testing.T) {
	w, _ := open(t, filepath.Join(t.TempDir(), "requests.yaml"), newFakeCatalog(t))
	r, _ := w.Submit(ctx, proposal("risk/stress/climate"), "")
	_, v1, _ := w.Get(r.RequestID)
	if v1 == "" || Version(r) != v1 {
		t.Fatalf("version %q vs %q", v1, Version(r))
	}
	if _, err := w.Comment(ctx, r.RequestID, Note{Author: "x@example.com", Content: "c"}); err != nil {
		t.Fatal(err)
	}
	_, v2, _ := w.Get(r.RequestID)
	if v2 == v1 {
		t.Fatal("version did not change")
	}
	rv := Review{Actor: "reviewer@example.com", IfMatch: `"` + v1 + `"`}
	if _, err := w.Approve(ctx, r.RequestID, rv); !errors.Is(err, moniker.ErrPrecondition) || !strings.Contains(err.Error(), v2) {
		t.Fatalf("stale If-Match: %v", err)
	}
	rv.IfMatch = `"zzz", "` + v2 + `"`
	if _, err := w.Approve(ctx, r.RequestID, rv); err != nil {
		t.Fatalf("matching If-Match: %v", err)
	}
}

// TestIDsNeverReused: ids continue after a restart, never repeat across
// two Workflows on one file, and are not reused after a refused submit.
func TestIDsNeverReused(t *testing.T) {
	path := copyTo(t, testQueue(t), "requests.yaml")
	cat := newFakeCatalog(t)
	w1, _ := open(t, path, cat)
	r, err := w1.Submit(ctx, proposal("risk/stress/heat"), "")
	if err != nil {
		t.Fatal(err)
	}
	if r.RequestID != "REQ-0010" {
		t.Fatalf("first id after the demo queue = %s, want REQ-0010", r.RequestID)
	}
	// Restart.
	w2, _ := open(t, path, cat)
	if _, err := w2.Submit(ctx, proposal("nowhere/x"), ""); err == nil {
		t.Fatal("submit under a missing domain succeeded")
	}
	r, _ = w2.Submit(ctx, proposal("risk/stress/cold"), "")
	if r.RequestID != "REQ-0011" {
		t.Fatalf("id after restart = %s, want REQ-0011", r.RequestID)
	}
	// w1 has not seen REQ-0011; it must not mint it again.
	r, _ = w1.Submit(ctx, proposal("risk/stress/wind"), "")
	if r.RequestID != "REQ-0012" {
		t.Fatalf("id from the other Workflow = %s, want REQ-0012", r.RequestID)
	}
	all, _, _ := w2.List("")
	if len(all) != 12 {
		t.Fatalf("w2 sees %d requests, want 12", len(all))
	}
	// Timestamps of the stored requests are unchanged after all this.
	w3, _ := open(t, path, nil)
	r1, _, _ := w3.Get("REQ-0001")
	if r1.CreatedAt != "2026-02-16T09:00:00+00:00" || r1.UpdatedAt != "2026-02-16T10:10:00+00:00" {
		t.Errorf("REQ-0001 timestamps %s %s", r1.CreatedAt, r1.UpdatedAt)
	}
	r12, _, _ := w3.Get("REQ-0012")
	if r12.CreatedAt == "" || r12.CreatedAt != r.CreatedAt {
		t.Errorf("REQ-0012 created_at %q, want %q", r12.CreatedAt, r.CreatedAt)
	}
}

// TestConcurrentWorkflows: two Workflows on one file (as two processes
// would be) submit and comment at the same time; nothing is lost and no
// id repeats.
func TestConcurrentWorkflows(t *testing.T) {
	path := filepath.Join(t.TempDir(), "requests.yaml")
	cat := newFakeCatalog(t)
	w1, _ := open(t, path, cat)
	w2, _ := open(t, path, cat)
	seedReq, err := w1.Submit(ctx, proposal("risk/stress/base"), "")
	if err != nil {
		t.Fatal(err)
	}
	const n = 10
	var wg sync.WaitGroup
	errs := make(chan error, 4*n)
	for i := range n {
		for j, w := range []*Workflow{w1, w2} {
			wg.Add(2)
			go func() {
				defer wg.Done()
				_, err := w.Submit(ctx, proposal(fmt.Sprintf("risk/stress/s%d-%d", j, i)), "")
				errs <- err
			}()
			go func() {
				defer wg.Done()
				_, err := w.Comment(ctx, seedReq.RequestID, Note{Author: "x@example.com", Content: fmt.Sprintf("c%d-%d", j, i)})
				errs <- err
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	w3, _ := open(t, path, nil)
	all, _, _ := w3.List("")
	if len(all) != 1+2*n {
		t.Fatalf("%d requests, want %d", len(all), 1+2*n)
	}
	ids := map[string]bool{}
	for _, r := range all {
		if ids[r.RequestID] {
			t.Fatalf("id %s minted twice", r.RequestID)
		}
		ids[r.RequestID] = true
	}
	base, _, _ := w3.Get(seedReq.RequestID)
	if len(base.Comments) != 2*n {
		t.Fatalf("%d comments, want %d", len(base.Comments), 2*n)
	}
}

func TestSaveAndReload(t *testing.T) {
	path := copyTo(t, testQueue(t), "requests.yaml")
	w, _ := open(t, path, newFakeCatalog(t))
	if n, err := w.Save(ctx); err != nil || n != 9 {
		t.Fatalf("Save = %d, %v", n, err)
	}
	if n, err := w.Reload(ctx); err != nil || n != 9 {
		t.Fatalf("Reload = %d, %v", n, err)
	}
	// A broken file does not replace the requests.
	if err := os.WriteFile(path, []byte("requests:\n- request_id: [\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := w.Reload(ctx); !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), "requests.yaml") {
		t.Fatalf("Reload of a broken file: %v", err)
	}
	if _, c, _ := w.List(""); c.Total != 9 {
		t.Fatalf("after a failed reload: %d requests", c.Total)
	}
	// Nor is a broken file overwritten by a transition or a save.
	if _, err := w.Comment(ctx, "REQ-0001", Note{Author: "x", Content: "y"}); !errors.Is(err, moniker.ErrUnavailable) ||
		!strings.Contains(err.Error(), "requests.yaml does not load") || strings.Contains(err.Error(), filepath.Dir(path)) {
		t.Fatalf("comment over a broken file: %v", err)
	}
	if _, err := w.Save(ctx); err == nil {
		t.Fatal("save over a broken file succeeded")
	}
	if data, _ := os.ReadFile(path); string(data) != "requests:\n- request_id: [\n" {
		t.Fatal("the broken file was overwritten")
	}
	// A deleted file: reload says so; save writes it again.
	os.Remove(path)
	if _, err := w.Reload(ctx); !errors.Is(err, moniker.ErrNotFound) || err.Error() != "Requests file not found: requests.yaml" {
		t.Fatalf("Reload of a missing file: %v", err)
	}
	if n, err := w.Save(ctx); err != nil || n != 9 {
		t.Fatalf("Save of a missing file = %d, %v", n, err)
	}
	w2, _ := open(t, path, nil)
	if _, c, _ := w2.List(""); c.Total != 9 {
		t.Fatalf("saved file holds %d requests", c.Total)
	}
	// In memory only.
	mem, _ := open(t, "", nil)
	if _, err := mem.Save(ctx); err == nil || err.Error() != "No YAML path configured for requests" {
		t.Errorf("Save in memory: %v", err)
	}
	if _, err := mem.Reload(ctx); !errors.Is(err, moniker.ErrInvalid) {
		t.Errorf("Reload in memory: %v", err)
	}
}

// TestWriteKeepsOtherBytes: a transition replaces only its request's text;
// the header comments and every other request keep every byte.
func TestWriteKeepsOtherBytes(t *testing.T) {
	path := copyTo(t, testQueue(t), "requests.yaml")
	orig, _ := os.ReadFile(path)
	w, _ := open(t, path, newFakeCatalog(t))
	if _, err := w.Comment(ctx, "REQ-0003", Note{Author: "x@example.com", Content: "hi"}); err != nil {
		t.Fatal(err)
	}
	r, err := w.Submit(ctx, proposal("risk/stress/heat"), "")
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(path)
	l, ok := layout(orig)
	if !ok || len(l.items) != 9 {
		t.Fatalf("layout of the demo queue: %v %d", ok, len(l.items))
	}
	// Everything before REQ-0003 and after it is unchanged.
	before := orig[:l.items[2].start]
	after := orig[l.items[2].end:]
	if !bytes.HasPrefix(data, before) {
		t.Fatal("bytes before the changed request differ")
	}
	rest := data[len(before):]
	i := bytes.Index(rest, after)
	if i < 0 {
		t.Fatal("bytes after the changed request differ")
	}
	if !bytes.HasPrefix(rest[i+len(after):], []byte("- request_id: "+r.RequestID)) {
		t.Errorf("new request not appended at the end:\n%s", rest[i+len(after):])
	}
}

func TestSplice(t *testing.T) {
	item := func(id string) string {
		return "- request_id: " + id + "\n  path: a/" + id + "\n  status: draft\n  created_at: '2026-01-01T00:00:00+00:00'\n"
	}
	indented := "  - request_id: R2\n    path: a/R2\n    status: draft\n    created_at: '2026-01-01T00:00:00+00:00'\n"
	tests := []struct {
		name string
		data string
		keep []string // texts that must survive byte for byte ("" = none: rewritten)
	}{
		{"block", "# head\nrequests:\n" + item("R1") + item("R2"), []string{"# head\nrequests:\n", item("R2")}},
		{"indented list", "requests:\n  - request_id: R1\n    path: a/R1\n    status: draft\n    created_at: '2026-01-01T00:00:00+00:00'\n  # between\n" + indented,
			[]string{"  # between\n" + indented}},
		{"no final newline", "requests:\n" + item("R1") + strings.TrimSuffix(item("R2"), "\n"), []string{strings.TrimSuffix(item("R2"), "\n") + "\n- request_id: REQ-0001"}},
		{"flow", "# head\nrequests: [{request_id: R1, path: a/R1, status: draft, created_at: '2026-01-01T00:00:00+00:00'}, {request_id: R2, path: a/R2, status: draft, created_at: '2026-01-01T00:00:00+00:00'}]\n", []string{"# head\n"}},
		{"trailing comment", "requests:\n" + item("R1") + item("R2") + "# the end\n", []string{item("R2"), "  app_id: \"\"\n# the end\n"}},
		{"block scalar with a hash line", "requests:\n" + strings.TrimSuffix(item("R1"), "\n") + "\n  description: |-\n    first\n    # not a comment\n# a real comment\n" + item("R2"),
			[]string{"# a real comment\n" + item("R2")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := writeTemp(t, tt.data)
			w, _ := open(t, path, nil)
			if _, err := w.Comment(ctx, "R1", Note{Author: "x", Content: "y"}); err != nil {
				t.Fatal(err)
			}
			if _, err := w.Submit(ctx, Proposal{Path: "top", Requester: Requester{Email: "e@x.com"}}, ""); err != nil {
				t.Fatal(err)
			}
			w2, _ := open(t, path, nil)
			all, _, _ := w2.List("")
			if len(all) != 3 {
				t.Fatalf("%d requests", len(all))
			}
			r1, _, _ := w2.Get("R1")
			r2, _, _ := w2.Get("R2")
			if len(r1.Comments) != 1 || r2.Path != "a/R2" || len(r2.Comments) != 0 {
				t.Errorf("R1 %+v R2 %+v", r1, r2)
			}
			data, _ := os.ReadFile(path)
			for _, k := range tt.keep {
				if !strings.Contains(string(data), k) {
					t.Errorf("lost %q:\n%s", k, data)
				}
			}
			if strings.Contains(tt.name, "hash line") {
				if r1.Description != "first\n# not a comment" || strings.Count(string(data), "# not a comment") != 1 {
					t.Errorf("block scalar: %q\n%s", r1.Description, data)
				}
			}
		})
	}
}

// TestConflictWithUnlockedWriter: apply refuses a change whose request
// changed on disk since the transition read it.
func TestConflictWithUnlockedWriter(t *testing.T) {
	st, err := newState([]byte("requests:\n- request_id: R1\n  path: a\n  status: draft\n  created_at: '2026-01-01T00:00:00+00:00'\n"), true)
	if err != nil {
		t.Fatal(err)
	}
	r := st.reqs[0].clone()
	r.Description = "changed"
	nr, text, _ := normalize(r)
	stale := []byte("- request_id: R1\n  path: a\n")
	_, err = apply("requests.yaml", st, []change{{r: nr, text: text, base: stale}})
	var ce *moniker.ConflictError
	if !errors.As(err, &ce) || !slices.Equal(ce.Paths, []string{"R1"}) || !errors.Is(err, moniker.ErrConflict) {
		t.Fatalf("stale base: %v", err)
	}
	// A new id that appeared on disk meanwhile.
	nr.RequestID = "R1"
	if _, err := apply("requests.yaml", st, []change{{r: nr, text: text}}); !errors.As(err, &ce) {
		t.Fatalf("new id present on disk: %v", err)
	}
	if _, err := apply("requests.yaml", st, []change{{r: nr, text: text, base: st.texts[0]}}); err != nil {
		t.Fatalf("current base: %v", err)
	}
}

// TestRefreshSeesOtherWriters: reads show what another Workflow wrote.
func TestRefreshSeesOtherWriters(t *testing.T) {
	path := copyTo(t, testQueue(t), "requests.yaml")
	w1, _ := open(t, path, newFakeCatalog(t))
	w2, _ := open(t, path, newFakeCatalog(t))
	if _, err := w2.Reject(ctx, "REQ-0001", Review{Actor: "r@example.com", Reason: "no"}); err != nil {
		t.Fatal(err)
	}
	r, _, _ := w1.Get("REQ-0001")
	if r.Status != StatusRejected {
		t.Fatalf("w1 sees %s", r.Status)
	}
	// w1 acts on the current state: REQ-0001 is no longer pending.
	if _, err := w1.Approve(ctx, "REQ-0001", Review{Actor: "r@example.com"}); err == nil ||
		err.Error() != "Request is not pending review (current status: rejected)" {
		t.Fatalf("approve of a request rejected elsewhere: %v", err)
	}
}
