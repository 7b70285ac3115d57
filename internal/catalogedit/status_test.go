package catalogedit_test

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// TestSetStatus: a status change lands in the file, applied to the node
// as it is on disk (another writer's edit kept, this instance's unsaved
// edit neither written nor lost), with updated_at from the editor's
// clock, audited by its actor; invalid changes and missing nodes are
// refused.
func TestSetStatus(t *testing.T) {
	p := writeTemp(t, "catalog.yaml", richCatalog)
	au := audit.New(filepath.Join(filepath.Dir(p), audit.FileName))
	now := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	e, err := catalogedit.Open(p, catalogedit.Options{Audit: au, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.Update(ctx, "prices.equity", catalogedit.Patch{Set: []string{"display_name"}, Node: moniker.Node{DisplayName: "unsaved"}}, "", ""); err != nil {
		t.Fatal(err)
	}
	// Another process edits the node on disk after this editor read it.
	data := strings.Replace(readFile(t, p), "  description: Equity prices\n", "  description: Equity prices (edited)\n", 1)
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	msg, succ := "use prices.equity2", "prices.equity2"
	res, err := e.SetStatus(ctx, "prices.equity", moniker.StatusChange{Status: moniker.StatusDeprecated, Actor: "gov@firm.com", DeprecationMessage: &msg, Successor: &succ})
	if err != nil {
		t.Fatal(err)
	}
	if res != (moniker.StatusResult{Path: "prices.equity", Status: moniker.StatusDeprecated, UpdatedBy: "gov@firm.com", Message: "Status changed to deprecated"}) {
		t.Errorf("result %+v", res)
	}
	n := load(t, p).Get("prices.equity")
	if n.Status != moniker.StatusDeprecated || n.Successor != succ || n.DeprecationMessage != msg ||
		n.Description != "Equity prices (edited)" || n.DisplayName == "unsaved" || n.Extra["updated_at"] != "2026-03-01T09:30:00Z" {
		t.Errorf("on disk: %+v", n)
	}
	if got := e.Pending(); !slices.Equal(got, []string{"prices.equity"}) {
		t.Errorf("pending %v, want the unsaved edit kept", got)
	}
	entries, err := au.Entries("prices.equity", 10)
	if err != nil || len(entries) != 1 || entries[0].Actor != "gov@firm.com" || entries[0].Action != "node_updated" {
		t.Errorf("audit %+v %v", entries, err)
	}

	if _, err := e.SetStatus(ctx, "prices.equity", moniker.StatusChange{Status: "gone", Actor: "a"}); !errors.Is(err, moniker.ErrInvalid) {
		t.Errorf("invalid status: %v", err)
	}
	if _, err := e.SetStatus(ctx, "prices.equity", moniker.StatusChange{Status: moniker.StatusActive}); !errors.Is(err, moniker.ErrInvalid) {
		t.Errorf("no actor: %v", err)
	}
	if _, err := e.SetStatus(ctx, "no/such", moniker.StatusChange{Status: moniker.StatusActive, Actor: "a"}); !errors.Is(err, moniker.ErrNotFound) {
		t.Errorf("missing node: %v", err)
	}
	if entries, _ := au.Entries("", 10); len(entries) != 1 {
		t.Errorf("refused changes were audited: %+v", entries)
	}
}
