package requests

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// editorEnv is a Workflow whose catalog is a real catalogedit.Editor on a
// temp copy of our test catalog, both auditing to one log.
type editorEnv struct {
	catPath string
	orig    []byte
	ed      *catalogedit.Editor
	w       *Workflow
	log     *audit.Log
}

func newEditorEnv(t *testing.T) *editorEnv {
	t.Helper()
	catPath := fixtures.Copy(t, "catalog.yaml", "", "catalog.yaml")
	dir := filepath.Dir(catPath)
	log := audit.New(filepath.Join(dir, audit.FileName))
	ed, err := catalogedit.Open(catPath, catalogedit.Options{Audit: log})
	if err != nil {
		t.Fatal(err)
	}
	w, err := Open(filepath.Join(dir, "requests.yaml"), Options{Catalog: ed, Audit: log, Now: newClock().Now})
	if err != nil {
		t.Fatal(err)
	}
	orig, _ := os.ReadFile(catPath)
	return &editorEnv{catPath: catPath, orig: orig, ed: ed, w: w, log: log}
}

// disk loads the catalog file as the resolver would.
func (e *editorEnv) disk(t *testing.T) *catalog.Catalog {
	t.Helper()
	cat, _, err := catalog.Load(e.catPath)
	if err != nil {
		t.Fatalf("the catalog file no longer loads: %v", err)
	}
	return cat
}

// TestApproveWithEditor: approval writes the proposed node to the catalog
// file through the editor's conflict-safe commit; every other node keeps
// its bytes.
func TestApproveWithEditor(t *testing.T) {
	e := newEditorEnv(t)
	before := e.disk(t)
	r, err := e.w.Submit(ctx, proposal("risk/stress/climate"), "")
	if err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(e.catPath); !bytes.Equal(data, e.orig) {
		t.Fatal("submitting changed the catalog file")
	}
	if _, _, ok := e.ed.Get("risk/stress/climate"); ok {
		t.Fatal("a pending request is a node of the working copy")
	}
	got, err := e.w.Approve(ctx, r.RequestID, Review{Actor: "reviewer@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != StatusApproved || got.ApprovedNodePath != "risk/stress/climate" {
		t.Fatalf("approved %+v", got)
	}
	after := e.disk(t)
	n := after.Get("risk/stress/climate")
	if n == nil {
		t.Fatal("the approved node is not in the catalog file")
	}
	checkApprovedNode(t, n)
	if after.Len() != before.Len()+1 {
		t.Errorf("%d nodes after approval, want %d", after.Len(), before.Len()+1)
	}
	data, _ := os.ReadFile(e.catPath)
	if !bytes.HasPrefix(data, bytes.TrimRight(e.orig, "\n")) {
		t.Error("the other nodes' text changed")
	}
	if _, _, ok := e.ed.Get("risk/stress/climate"); !ok {
		t.Error("the editor does not see the approved node")
	}
	entries, _ := e.log.Entries("risk/stress/climate", 0)
	var actions []string
	for _, en := range entries {
		actions = append(actions, en.Action)
	}
	if !slices.Contains(actions, AuditApproved) || !slices.Contains(actions, "node_created") {
		t.Errorf("audit actions %v", actions)
	}
	// The node exists now: a new request for the path is refused.
	if _, err := e.w.Submit(ctx, proposal("risk/stress/climate"), ""); !errors.Is(err, moniker.ErrConflict) {
		t.Errorf("submit for an approved path: %v", err)
	}
}

// TestRejectWithEditor: rejection leaves the catalog file untouched and
// the path can be requested again.
func TestRejectWithEditor(t *testing.T) {
	e := newEditorEnv(t)
	r, _ := e.w.Submit(ctx, proposal("risk/stress/climate"), "")
	if _, err := e.w.Reject(ctx, r.RequestID, Review{Actor: "reviewer@example.com", Reason: "not now"}); err != nil {
		t.Fatal(err)
	}
	if data, _ := os.ReadFile(e.catPath); !bytes.Equal(data, e.orig) {
		t.Fatal("rejection changed the catalog file")
	}
	if _, err := e.w.Submit(ctx, proposal("risk/stress/climate"), ""); err != nil {
		t.Fatalf("resubmission: %v", err)
	}
}

// TestApproveConflictWithEditor: another process created the node on disk
// after the request was filed; approval fails with a conflict and the
// request stays pending.
func TestApproveConflictWithEditor(t *testing.T) {
	e := newEditorEnv(t)
	r, _ := e.w.Submit(ctx, proposal("risk/stress/climate"), "")
	other, err := catalogedit.Open(e.catPath, catalogedit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Commit(ctx, []catalogedit.NodeChange{{Path: "risk/stress/climate",
		Node: &moniker.Node{Path: "risk/stress/climate", DisplayName: "Made elsewhere"}, Create: true}}, "someone"); err != nil {
		t.Fatal(err)
	}
	_, err = e.w.Approve(ctx, r.RequestID, Review{Actor: "reviewer@example.com"})
	if !errors.Is(err, moniker.ErrConflict) {
		t.Fatalf("approve over a node created elsewhere: %v", err)
	}
	if got, _, _ := e.w.Get(r.RequestID); got.Status != StatusPendingReview {
		t.Errorf("status %s after a failed approval", got.Status)
	}
	if n := e.disk(t).Get("risk/stress/climate"); n == nil || n.DisplayName != "Made elsewhere" {
		t.Errorf("the other process's node was overwritten: %+v", n)
	}
}

// TestApproveInvalidBindingWithEditor: a request filed before a rule
// existed (hand-written into requests.yaml) whose binding the catalog
// refuses stays pending with the catalog's validation error.
func TestApproveInvalidBindingWithEditor(t *testing.T) {
	e := newEditorEnv(t)
	data := `requests:
- request_id: REQ-0001
  path: risk/stress/bad
  display_name: Bad
  description: ''
  justification: ''
  status: pending_review
  domain_level: sub_path
  created_at: '2026-02-18T09:15:02+00:00'
  updated_at: '2026-02-18T09:15:02+00:00'
  requester: {name: A, email: a@example.com, team: '', app_id: ''}
  source_binding_type: oracle
  source_binding_config:
    query: SELECT {segment[0]}
`
	if err := os.WriteFile(e.w.Path(), []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := e.w.Reload(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := e.w.Approve(ctx, "REQ-0001", Review{Actor: "reviewer@example.com"})
	if !errors.Is(err, moniker.ErrInvalid) {
		t.Fatalf("approve of an invalid binding: %v", err)
	}
	if got, _, _ := e.w.Get("REQ-0001"); got.Status != StatusPendingReview {
		t.Errorf("status %s", got.Status)
	}
	if b, _ := os.ReadFile(e.catPath); !bytes.Equal(b, e.orig) {
		t.Error("a refused approval changed the catalog file")
	}
}
