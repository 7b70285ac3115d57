package moniker

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestStatusChange(t *testing.T) {
	bad := StatusChange{Status: "gone", Actor: "a"}
	if err := bad.Validate(); !errors.Is(err, ErrInvalid) || !strings.HasPrefix(err.Error(), "Invalid status 'gone'. Valid: ['draft'") {
		t.Errorf("bad status: %v", err)
	}
	if err := (&StatusChange{Status: StatusActive}).Validate(); err == nil {
		t.Error("no actor accepted")
	}
	msg, succ := "use b", "b"
	n := &Node{Path: "a", Status: StatusActive, Extra: map[string]any{"vendor": "x"}}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	d := (&StatusChange{Status: StatusDeprecated, Actor: "alice", DeprecationMessage: &msg, Successor: &succ}).Apply(n, now)
	if d.Status != StatusDeprecated || d.DeprecationMessage != "use b" || d.Successor != "b" || d.Extra["updated_at"] != "2026-11-27T10:00:00Z" || d.Extra["vendor"] != "x" {
		t.Errorf("applied %+v", d)
	}
	if n.Status != StatusActive || n.Extra["updated_at"] != nil {
		t.Error("Apply changed its input")
	}
	a := (&StatusChange{Status: StatusApproved, Actor: "bob", DeprecationMessage: &msg}).Apply(n, now)
	if a.Extra["approved_by"] != "bob" || a.DeprecationMessage != "" {
		t.Errorf("approved %+v", a)
	}
}

func TestCheckEmailURL(t *testing.T) {
	for _, tt := range []struct {
		check func(string) string
		in    string
		ok    bool
	}{
		{CheckEmail, "", true}, {CheckEmail, "a@b.io", true}, {CheckEmail, "A <a@b.io>", false},
		{CheckEmail, "team", false}, {CheckEmail, "a b@c.io", false},
		{CheckURL, "", true}, {CheckURL, "https://wiki.example.com/x", true}, {CheckURL, "/x", false},
		{CheckURL, "ftp://h/x", false}, {CheckURL, "https://", false},
	} {
		if got := tt.check(tt.in) == ""; got != tt.ok {
			t.Errorf("%q: ok=%v, want %v", tt.in, got, tt.ok)
		}
	}
}
