package registry_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/registry"
)

func TestOptionalJSON(t *testing.T) {
	type body struct {
		S registry.Optional[string]          `json:"s"`
		O registry.Optional[struct{ A int }] `json:"o"`
	}
	tests := []struct {
		json    string
		want    body
		wantErr bool
	}{
		{`{}`, body{}, false},
		{`{"s": null}`, body{S: registry.Null[string]()}, false},
		{`{"s": "x"}`, body{S: registry.Some("x")}, false},
		{`{"o": {"A": 1}}`, body{O: registry.Some(struct{ A int }{1})}, false},
		{`{"o": {"B": 1}}`, body{}, true}, // strict
		{`{"s": 1}`, body{}, true},
	}
	for _, tt := range tests {
		var got body
		err := json.Unmarshal([]byte(tt.json), &got)
		if (err != nil) != tt.wantErr || !tt.wantErr && got != tt.want {
			t.Errorf("Unmarshal(%s) = %+v, %v", tt.json, got, err)
		}
	}
}

func TestAssign(t *testing.T) {
	tests := []struct {
		name    string
		o       registry.Optional[string]
		want    string
		wantSet bool
	}{
		{"absent keeps", registry.Optional[string]{}, "old", false},
		{"null resets", registry.Null[string](), "def", true},
		{"value replaces", registry.Some("new"), "new", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys := map[string]bool{}
			v := "old"
			set := registry.Assign(keys, "k", tt.o, &v, "def")
			if v != tt.want || set != tt.wantSet || keys["k"] != tt.wantSet {
				t.Errorf("Assign() = %v: value %q, keys %v", set, v, keys)
			}
		})
	}
}

func TestValidation(t *testing.T) {
	if err := moniker.Invalid("x", "m", 1); err.Error() != "x: m" || !errors.Is(err, moniker.ErrInvalid) {
		t.Errorf("Invalid() = %v", err)
	}
	checks := []struct {
		name  string
		check func(string) string
		in    string
		ok    bool
	}{
		{"email unset", moniker.CheckEmail, "", true},
		{"email", moniker.CheckEmail, "a@b.io", true},
		{"email with a name", moniker.CheckEmail, "A <a@b.io>", false},
		{"not an email", moniker.CheckEmail, "team", false},
		{"url unset", moniker.CheckURL, "", true},
		{"url", moniker.CheckURL, "https://wiki.firm.com/x", true},
		{"relative url", moniker.CheckURL, "/x", false},
		{"ftp url", moniker.CheckURL, "ftp://h/x", false},
	}
	for _, c := range checks {
		if msg := c.check(c.in); (msg == "") != c.ok || !c.ok && !strings.Contains(msg, c.in) {
			t.Errorf("%s: check(%q) = %q", c.name, c.in, msg)
		}
	}
}

func TestChange(t *testing.T) {
	refused := errors.New("refused")
	invalid := errors.New("invalid")
	apply := func(old *string) (*string, map[string]bool) {
		v := *old + "+"
		return &v, map[string]bool{"v": true}
	}
	tests := []struct {
		name     string
		refuse   error
		validErr error
		want     string
		wantErr  error
	}{
		{"applied", nil, nil, "old+", nil},
		{"refused before applying", refused, invalid, "", refused},
		{"invalid", nil, invalid, "", invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			validate := func(v *string, keys map[string]bool) error {
				if *v != "old+" || !keys["v"] {
					t.Errorf("validate(%q, %v): not what apply returned", *v, keys)
				}
				return tt.validErr
			}
			old := "old"
			got, err := registry.Change(tt.refuse, apply, validate)(&old)
			if !errors.Is(err, tt.wantErr) || err == nil && *got != tt.want {
				t.Errorf("change = %v, %v", got, err)
			}
		})
	}
}
