package domains_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/domains"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
)

// The registry is what resolve looks domains up in.
var _ resolve.Domains = (*domains.Registry)(nil)

func names(ds []*moniker.DomainRecord) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Name)
	}
	return out
}

// roundTrip checks each record reads back equal from its marshalled text.
func roundTrip(t *testing.T, records []*moniker.DomainRecord) {
	t.Helper()
	for _, d := range records {
		text := domains.MarshalDomain(nil, d)
		got, err := catalog.LoadDomainsBytes("roundtrip.yaml", text)
		if err != nil {
			t.Fatalf("%s: %v\n%s", d.Name, err, text)
		}
		if got.Len() != 1 || !reflect.DeepEqual(got.Get(d.Name), d) {
			t.Errorf("%s: round trip\n got %+v\nwant %+v\n%s", d.Name, got.Get(d.Name), d, text)
		}
	}
}

// TestOpenSamples opens our test domains and the compat ones.
func TestOpenSamples(t *testing.T) {
	for _, tc := range []struct {
		version     string
		fixed       string // the fixed-income domain's name in that version
		name, owner string // of rates
		color       string
	}{
		{"testdata", "fixed_income", "Rates", "rates-owners@firm.com", "#087F5B"},
		{"f206ffd", "fixed_income", "Interest Rates", "rates-governance@firm.com", "#16A085"},
		{"head", "fixed.income", "Interest Rates", "rates-governance@firm.com", "#16A085"},
	} {
		t.Run(tc.version, func(t *testing.T) {
			path := fixtures.File(t, "domains.yaml")
			if tc.version != "testdata" {
				path = fixtures.Compat(t, tc.version, "sample_domains.yaml")
			}
			r, err := domains.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			got := names(r.List())
			if len(got) != 12 || !slices.IsSorted(got) {
				t.Fatalf("List() = %v, want 12 names sorted", got)
			}
			rates := r.Get("rates")
			if rates == nil || rates.DisplayName != tc.name || rates.Owner != tc.owner ||
				rates.Color != tc.color || rates.ID == nil || *rates.ID != 5 || rates.PII {
				t.Fatalf("rates = %+v", rates)
			}
			if r.Get(tc.fixed) == nil || r.Lookup(tc.fixed) != r.Get(tc.fixed) {
				t.Errorf("domain %q missing", tc.fixed)
			}
			if r.Get("nope") != nil {
				t.Error("Get(nope) is not nil")
			}
			if r.ETag("rates") == "" || r.ETag("rates") == r.ETag("risk") {
				t.Errorf("ETags: rates %q, risk %q", r.ETag("rates"), r.ETag("risk"))
			}
		})
	}
}

func TestOpenMissingFileCreatesOnFirstChange(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sub", "..", "domains.yaml")
	r, err := domains.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if r.Len() != 0 {
		t.Fatalf("Len = %d", r.Len())
	}
	d := domains.New("rates")
	d.Owner = "rates@example.com"
	if _, err := r.Create(context.Background(), d, "alice"); err != nil {
		t.Fatal(err)
	}
	got := readFile(t, path)
	if !strings.HasPrefix(got, domains.Header) || !strings.Contains(got, "rates:\n  display_name: rates\n") {
		t.Fatalf("file:\n%s", got)
	}
	r2, err := domains.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	if g := r2.Get("rates"); g == nil || g.Owner != "rates@example.com" {
		t.Fatalf("reopened: %+v", g)
	}
}

func TestOpenErrors(t *testing.T) {
	for _, tc := range []struct {
		name, data, want string
	}{
		{"unknown key", "rates:\n  ownr: x\n", `domain "rates": ownr: unknown key (did you mean "owner"?)`},
		{"type error", "rates:\n  id: abc\n", "id: expected integer"},
		{"flow style", "{rates: {id: 1}}\n", "cannot edit entries in place"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(t.TempDir(), "domains.yaml")
			if err := os.WriteFile(p, []byte(tc.data), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := domains.Open(p)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Open: %v, want %q", err, tc.want)
			}
		})
	}
}

// TestMarshalRoundTrip: every record of our test domains and of the
// compat ones, and a few tricky ones, read back equal from MarshalDomain.
func TestMarshalRoundTrip(t *testing.T) {
	fixtures.ForEach(t, "domains.yaml", "sample_domains.yaml", func(t *testing.T, path string) {
		r, err := domains.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		roundTrip(t, r.List())
	})
	zero := 0
	tricky := []*moniker.DomainRecord{
		{Name: "a", DisplayName: "a", Color: "#6B7280", Confidentiality: "internal"},
		{Name: "b", ID: &zero, DisplayName: "yes", ShortCode: "007", DataCategory: "null", Color: "#abcdef",
			Owner: "o@x.io", Confidentiality: "strictly_confidential", PII: true, HelpChannel: "#chan: x",
			WikiLink: "https://x.io/a?b=c#d", Notes: "line one\n  indented: two\nthree # not a comment\n"},
		{Name: "c.d", DisplayName: "2026-06-30", Color: "#000000", Confidentiality: "public", Notes: "dV/dy × 0.0001 'q' \"dq\" \t tab"},
	}
	roundTrip(t, tricky)
	// Field order and omission follow reference §8.2.
	want := "b:\n  id: 0\n  display_name: \"yes\"\n  short_code: \"007\"\n  data_category: \"null\"\n  color: '#abcdef'\n" +
		"  owner: o@x.io\n  confidentiality: strictly_confidential\n  pii: true\n  help_channel: '#chan: x'\n" +
		"  wiki_link: https://x.io/a?b=c#d\n  notes: |\n    line one\n      indented: two\n    three # not a comment\n"
	if got := string(domains.MarshalDomain(nil, tricky[1])); got != want {
		t.Errorf("MarshalDomain:\n%s\nwant:\n%s", got, want)
	}
}

func TestValidate(t *testing.T) {
	ok := func() *moniker.DomainRecord {
		d := domains.New("rates")
		d.Owner = "rates@example.com"
		d.WikiLink = "https://wiki.example.com/rates"
		return d
	}
	if err := domains.Validate(ok()); err != nil {
		t.Fatalf("valid domain: %v", err)
	}
	for _, tc := range []struct {
		name  string
		edit  func(d *moniker.DomainRecord)
		field string
	}{
		{"empty name", func(d *moniker.DomainRecord) { d.Name = "" }, "name"},
		{"slash in name", func(d *moniker.DomainRecord) { d.Name = "a/b" }, "name"},
		{"space in name", func(d *moniker.DomainRecord) { d.Name = "a b" }, "name"},
		{"version in name", func(d *moniker.DomainRecord) { d.Name = "a@latest" }, "name"},
		{"namespace in name", func(d *moniker.DomainRecord) { d.Name = "ns@a" }, "name"},
		{"sql comment in name", func(d *moniker.DomainRecord) { d.Name = "a--b" }, "name"},
		{"reserved name", func(d *moniker.DomainRecord) { d.Name = "ui" }, "name"},
		{"short colour", func(d *moniker.DomainRecord) { d.Color = "#FFF" }, "color"},
		{"named colour", func(d *moniker.DomainRecord) { d.Color = "red" }, "color"},
		{"non-hex colour", func(d *moniker.DomainRecord) { d.Color = "#GGGGGG" }, "color"},
		{"confidentiality", func(d *moniker.DomainRecord) { d.Confidentiality = "restricted" }, "confidentiality"},
		{"empty confidentiality", func(d *moniker.DomainRecord) { d.Confidentiality = "" }, "confidentiality"},
		{"owner", func(d *moniker.DomainRecord) { d.Owner = "Rates Team" }, "owner"},
		{"owner with name", func(d *moniker.DomainRecord) { d.Owner = "Rates <rates@example.com>" }, "owner"},
		{"tech custodian", func(d *moniker.DomainRecord) { d.TechCustodian = "x@" }, "tech_custodian"},
		{"business steward", func(d *moniker.DomainRecord) { d.BusinessSteward = "@x" }, "business_steward"},
		{"relative wiki link", func(d *moniker.DomainRecord) { d.WikiLink = "/wiki/rates" }, "wiki_link"},
		{"ftp wiki link", func(d *moniker.DomainRecord) { d.WikiLink = "ftp://x.io/a" }, "wiki_link"},
		{"javascript wiki link", func(d *moniker.DomainRecord) { d.WikiLink = "javascript:alert(1)" }, "wiki_link"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d := ok()
			tc.edit(d)
			err := domains.Validate(d)
			var ve *moniker.ValidationError
			if !errors.As(err, &ve) || !errors.Is(err, moniker.ErrInvalid) {
				t.Fatalf("Validate: %v, want a *ValidationError", err)
			}
			if len(ve.Fields) != 1 || moniker.FieldPath(ve.Fields[0].Loc) != tc.field || !strings.HasPrefix(err.Error(), tc.field+": ") {
				t.Fatalf("Validate: %v, want one error on %s", err, tc.field)
			}
		})
	}
	// Free-text fields take anything.
	d := ok()
	d.HelpChannel, d.Notes, d.ShortCode, d.DataCategory = "ask in #rates or call 555", "<b>x</b>", "TOOLONGCODE", "Any Thing"
	if err := domains.Validate(d); err != nil {
		t.Errorf("free text: %v", err)
	}
}

func TestPatchApply(t *testing.T) {
	id := 7
	old := &moniker.DomainRecord{Name: "rates", ID: &id, DisplayName: "Rates", Color: "#111111",
		Confidentiality: "confidential", PII: true, Owner: "o@x.io", Notes: "n"}
	p := domains.Patch{
		ID:              domains.Null[int](),
		DisplayName:     domains.Some(""),
		Color:           domains.Null[string](),
		Confidentiality: domains.Null[string](),
		PII:             domains.Null[bool](),
		Owner:           domains.Some("new@x.io"),
		HelpChannel:     domains.Some("#rates"),
	}
	got, keys := p.Apply(old)
	want := &moniker.DomainRecord{Name: "rates", DisplayName: "rates", Color: domains.DefaultColor,
		Confidentiality: domains.DefaultConfidentiality, Owner: "new@x.io", HelpChannel: "#rates", Notes: "n"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Apply:\n got %+v\nwant %+v", got, want)
	}
	wantKeys := []string{"color", "confidentiality", "display_name", "help_channel", "id", "owner", "pii"}
	var gotKeys []string
	for k := range keys {
		gotKeys = append(gotKeys, k)
	}
	slices.Sort(gotKeys)
	if !slices.Equal(gotKeys, wantKeys) {
		t.Errorf("keys %v, want %v", gotKeys, wantKeys)
	}
	if old.ID == nil || *old.ID != 7 || old.Owner != "o@x.io" {
		t.Error("Apply modified its input")
	}
}

func open(t *testing.T, path string, opts ...domains.Option) *domains.Registry {
	t.Helper()
	r, err := domains.Open(path, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestCRUDWritesThrough(t *testing.T) {
	ctx := context.Background()
	path := fixtures.Copy(t, "domains.yaml", "", "domains.yaml")
	before := readFile(t, path)
	log := audit.New(filepath.Join(t.TempDir(), "audit.jsonl"))
	r := open(t, path, domains.WithAudit(log))

	// Create: appended, every other byte kept.
	d := domains.New("credit")
	d.Owner = "credit@firm.com"
	d.DataCategory = "Market"
	created, err := r.Create(ctx, d, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if created.Owner != "credit@firm.com" || r.Get("credit") != created {
		t.Fatalf("created %+v", created)
	}
	after := readFile(t, path)
	if !strings.HasPrefix(after, before) || !strings.HasSuffix(after, "credit:\n  display_name: credit\n  data_category: Market\n  color: '#6B7280'\n  owner: credit@firm.com\n  confidentiality: internal\n  pii: false\n") {
		t.Fatalf("after create:\n%s", after)
	}
	if _, err := r.Create(ctx, domains.New("credit"), "alice"); !errors.Is(err, moniker.ErrConflict) || err.Error() != "Domain already exists: credit" {
		t.Errorf("second create: %v", err)
	}
	if _, err := r.Create(ctx, &moniker.DomainRecord{Name: "bad", Color: "red", Confidentiality: "internal"}, "alice"); !errors.Is(err, moniker.ErrInvalid) {
		t.Errorf("invalid create: %v", err)
	}

	// Update: only the rates entry changes.
	etag := r.ETag("rates")
	up, err := r.Update(ctx, "rates", domains.Patch{Notes: domains.Some("Curves"), Owner: domains.Null[string]()}, etag, "bob")
	if err != nil {
		t.Fatal(err)
	}
	if up.Notes != "Curves" || up.Owner != "" || up.HelpChannel != "#rates-help" {
		t.Fatalf("updated %+v", up)
	}
	if r.ETag("rates") == etag {
		t.Error("ETag did not change")
	}
	file := readFile(t, path)
	if !strings.Contains(file, "rates:\n  id: 5\n  display_name: Rates\n") || strings.Contains(file, "rates-owners@firm.com") {
		t.Errorf("rates entry not rewritten:\n%s", file)
	}
	if !strings.Contains(file, "risk:\n  id: 8\n  display_name: Risk\n  short_code: RSK\n") {
		t.Error("another entry changed")
	}
	// A patch that changes nothing writes nothing.
	v := r.Version()
	if _, err := r.Update(ctx, "rates", domains.Patch{Notes: domains.Some("Curves")}, "", "bob"); err != nil || r.Version() != v {
		t.Errorf("no-op update: %v, version %s -> %s", err, v, r.Version())
	}
	// Errors.
	if _, err := r.Update(ctx, "nope", domains.Patch{}, "", "bob"); !errors.Is(err, moniker.ErrNotFound) || err.Error() != "Domain not found: nope" {
		t.Errorf("update missing: %v", err)
	}
	if _, err := r.Update(ctx, "rates", domains.Patch{Notes: domains.Some("x")}, etag, "bob"); !errors.Is(err, moniker.ErrPrecondition) {
		t.Errorf("stale If-Match: %v", err)
	}
	if _, err := r.Update(ctx, "rates", domains.Patch{Name: domains.Some("rates2")}, "", "bob"); !errors.Is(err, moniker.ErrInvalid) || !strings.HasPrefix(err.Error(), "name: ") {
		t.Errorf("rename: %v", err)
	}
	if _, err := r.Update(ctx, "rates", domains.Patch{Color: domains.Some("blue")}, "", "bob"); !errors.Is(err, moniker.ErrInvalid) || !strings.HasPrefix(err.Error(), "color: ") {
		t.Errorf("bad colour: %v", err)
	}
	if _, err := r.Update(ctx, "rates", domains.Patch{Name: domains.Some("rates"), Notes: domains.Some("y")}, `W/"x", `+r.ETag("rates"), "bob"); err != nil {
		t.Errorf("same name, matching tag in a list: %v", err)
	}

	// Delete.
	if err := r.Delete(ctx, "credit", `"stale"`, "carol"); !errors.Is(err, moniker.ErrPrecondition) {
		t.Errorf("stale delete: %v", err)
	}
	if err := r.Delete(ctx, "credit", "*", "carol"); err != nil {
		t.Fatal(err)
	}
	if err := r.Delete(ctx, "credit", "", "carol"); !errors.Is(err, moniker.ErrNotFound) {
		t.Errorf("second delete: %v", err)
	}
	if strings.Contains(readFile(t, path), "credit") {
		t.Error("credit still in the file")
	}

	// A fresh registry on the file sees it all.
	r2 := open(t, path)
	if r2.Len() != 12 || r2.Get("rates").Notes != "y" || r2.Get("credit") != nil {
		t.Errorf("reopened: %v, rates %+v", names(r2.List()), r2.Get("rates"))
	}

	// The audit log has every change with its actor.
	entries, err := log.Entries("", 0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Action+" "+e.Path+" "+e.Actor)
	}
	want := []string{"domain_created domain:credit alice", "domain_updated domain:rates bob", "domain_updated domain:rates bob", "domain_deleted domain:credit carol"}
	if !slices.Equal(got, want) {
		t.Errorf("audit:\n got %v\nwant %v", got, want)
	}
	if entries[0].OldValue != nil || !strings.Contains(entries[0].NewValue.(string), "credit@firm.com") || entries[3].NewValue != nil {
		t.Errorf("audit values: %+v", entries)
	}
}

func TestConflictWithAnotherWriter(t *testing.T) {
	ctx := context.Background()
	path := fixtures.Copy(t, "domains.yaml", "", "domains.yaml")
	a, b := open(t, path), open(t, path)

	if _, err := a.Update(ctx, "rates", domains.Patch{Notes: domains.Some("from a")}, "", "a"); err != nil {
		t.Fatal(err)
	}
	// b read rates before a changed it: refused, naming the domain.
	_, err := b.Update(ctx, "rates", domains.Patch{Notes: domains.Some("from b")}, "", "b")
	var ce *moniker.ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, moniker.ErrConflict) || !slices.Equal(ce.Paths, []string{"rates"}) {
		t.Fatalf("b's update: %v, want a conflict on rates", err)
	}
	// b re-based: it now sees a's change and can retry.
	if got := b.Get("rates").Notes; got != "from a" {
		t.Fatalf("b after the conflict sees notes %q", got)
	}
	if _, err := b.Update(ctx, "rates", domains.Patch{Notes: domains.Some("from b")}, "", "b"); err != nil {
		t.Fatal(err)
	}
	// Changes to different domains both land, and each writer picks up
	// the other's on its next save.
	if _, err := a.Update(ctx, "risk", domains.Patch{Notes: domains.Some("risk from a")}, "", "a"); err != nil {
		t.Fatal(err)
	}
	if a.Get("rates").Notes != "from b" {
		t.Errorf("a did not pick up b's rates change: %q", a.Get("rates").Notes)
	}
	// Creating a domain another writer created meanwhile is a conflict.
	if _, err := a.Create(ctx, domains.New("credit"), "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Create(ctx, domains.New("credit"), "b"); !errors.As(err, &ce) || !slices.Equal(ce.Paths, []string{"credit"}) {
		t.Errorf("b's create: %v", err)
	}
	// Deleting a domain another writer changed is a conflict.
	if _, err := a.Update(ctx, "nav", domains.Patch{Notes: domains.Some("x")}, "", "a"); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Update(ctx, "flows", domains.Patch{Notes: domains.Some("y")}, "", "b"); err != nil {
		t.Fatal(err) // different domain: fine, and b re-bases on a's nav change
	}
	if err := a.Delete(ctx, "flows", "", "a"); !errors.As(err, &ce) {
		t.Errorf("a's delete of flows b changed: %v", err)
	}

	final := open(t, path)
	for name, notes := range map[string]string{"rates": "from b", "risk": "risk from a", "nav": "x", "flows": "y"} {
		if got := final.Get(name).Notes; got != notes {
			t.Errorf("%s notes %q, want %q", name, got, notes)
		}
	}
}

func TestConcurrentWritersLoseNothing(t *testing.T) {
	ctx := context.Background()
	path := fixtures.Copy(t, "domains.yaml", "", "domains.yaml")
	regs := []*domains.Registry{open(t, path), open(t, path)}
	targets := [][]string{{"rates", "risk", "nav"}, {"flows", "prices", "reports"}}
	const rounds = 5
	var wg sync.WaitGroup
	errs := make(chan error, 2*3*rounds)
	for i, r := range regs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range rounds {
				for _, name := range targets[i] {
					if _, err := r.Update(ctx, name, domains.Patch{Notes: domains.Some(fmt.Sprintf("%s %d", name, n))}, "", "w"); err != nil {
						errs <- err
					}
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	final := open(t, path)
	for _, ts := range targets {
		for _, name := range ts {
			if got, want := final.Get(name).Notes, fmt.Sprintf("%s %d", name, rounds-1); got != want {
				t.Errorf("%s notes %q, want %q", name, got, want)
			}
		}
	}
}

func TestBrokenFileOnDisk(t *testing.T) {
	ctx := context.Background()
	path := fixtures.Copy(t, "domains.yaml", "", "domains.yaml")
	r := open(t, path)
	good := readFile(t, path)
	broken := strings.Replace(good, "  short_code: RSK\n", "  short_cod: RSK\n", 1)
	if err := os.WriteFile(path, []byte(broken), 0o644); err != nil {
		t.Fatal(err)
	}
	// Reload keeps the old state.
	if _, err := r.Reload(ctx); err == nil || !strings.Contains(err.Error(), "short_cod") || !strings.Contains(err.Error(), "12 domains loaded before are kept") {
		t.Fatalf("Reload of a broken file: %v", err)
	}
	if r.Len() != 12 || r.Get("risk").ShortCode != "RSK" {
		t.Fatalf("state after a failed reload: %d domains", r.Len())
	}
	// A write refuses to save into a file that no longer loads.
	if _, err := r.Update(ctx, "rates", domains.Patch{Notes: domains.Some("x")}, "", "a"); !errors.Is(err, moniker.ErrConflict) || !strings.Contains(err.Error(), "no longer loads") {
		t.Errorf("update into a broken file: %v", err)
	}
	if readFile(t, path) != broken {
		t.Error("the broken file was modified")
	}
	// Fixed and changed on disk: reload picks it up.
	if err := os.WriteFile(path, []byte(strings.Replace(good, "  short_code: RSK\n", "  short_code: RK\n", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	if n, err := r.Reload(ctx); err != nil || n != 12 || r.Get("risk").ShortCode != "RK" {
		t.Fatalf("Reload: %d, %v", n, err)
	}
	// A missing file is not found, and the state stays.
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Reload(ctx); !errors.Is(err, moniker.ErrNotFound) || !strings.Contains(err.Error(), "Domains file not found") {
		t.Errorf("Reload of a missing file: %v", err)
	}
	if r.Len() != 12 {
		t.Errorf("state after reloading a missing file: %d", r.Len())
	}
	// Save recreates it from the working state.
	if n, err := r.Save(ctx); err != nil || n != 12 {
		t.Fatalf("Save: %d, %v", n, err)
	}
	again := open(t, path)
	if !reflect.DeepEqual(again.List(), r.List()) {
		t.Error("the recreated file does not load back to the same domains")
	}
	// Save with the file present writes nothing.
	before := readFile(t, path)
	if n, err := r.Save(ctx); err != nil || n != 12 || readFile(t, path) != before {
		t.Errorf("Save with the file present: %d, %v", n, err)
	}
}

func TestMonikerPaths(t *testing.T) {
	cat, _, err := catalog.LoadBytes("catalog.yaml", []byte(`
prices:
  display_name: Prices
prices.equity:
  display_name: Equity
prices.equity/AAPL: {}
risk/cvar:
  domain: prices
risk/cvar/desk: {}
risk/var: {}
other/x:
  domain: risk
`))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		domain string
		want   []string
	}{
		{"prices", []string{"prices", "prices.equity", "prices.equity/AAPL", "risk/cvar", "risk/cvar/desk"}},
		{"risk", []string{"other/x", "risk/var"}},
		{"nav", []string{}},
	} {
		if got := domains.MonikerPaths(cat, tc.domain); !slices.Equal(got, tc.want) || got == nil {
			t.Errorf("MonikerPaths(%s) = %v, want %v", tc.domain, got, tc.want)
		}
	}
	if got := domains.MonikerPaths(nil, "x"); got == nil || len(got) != 0 {
		t.Errorf("nil catalog: %v", got)
	}
}
