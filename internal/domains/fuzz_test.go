package domains_test

import (
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/domains"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// FuzzMarshalDomain: whatever the strings, MarshalDomain writes text that
// catalog.LoadDomainsBytes reads back to the same record.
func FuzzMarshalDomain(f *testing.F) {
	f.Add("rates", "Interest Rates", "#16A085", "rates@firm.com", "#rates", "Curves\nand swaps", 5, true)
	f.Add("a.b", "yes", "#000000", "", "null", "  lead: x # y", 0, false)
	f.Add("x", "2026-06-30", "~", "'q'", "\"dq\"", "\t", -1, false)
	f.Fuzz(func(t *testing.T, name, display, color, owner, help, notes string, id int, pii bool) {
		if name == "" || display == "" || color == "" {
			return // the loader turns these into their defaults
		}
		for _, s := range []string{name, display, color, owner, help, notes} {
			if !utf8.ValidString(s) {
				return // every string from JSON or YAML is UTF-8
			}
		}
		d := &moniker.DomainRecord{Name: name, ID: &id, DisplayName: display, Color: color, Owner: owner,
			Confidentiality: "internal", PII: pii, HelpChannel: help, Notes: notes}
		text := domains.MarshalDomain(nil, d)
		got, err := catalog.LoadDomainsBytes("fuzz.yaml", text)
		if err != nil {
			t.Fatalf("marshalled text does not load: %v\n%s", err, text)
		}
		if got.Len() != 1 || !reflect.DeepEqual(got.Get(name), d) {
			t.Fatalf("round trip differs\n got %+v\nwant %+v\n%s", got.Get(name), d, text)
		}
	})
}
