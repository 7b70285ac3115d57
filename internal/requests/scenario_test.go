package requests

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// TestImportDemoScenario: our request scenario loads and the queue shows
// its nine requests with their outcomes.
func TestImportDemoScenario(t *testing.T) {
	data, err := os.ReadFile(fixtures.File(t, "demo_requests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	cat := newFakeCatalog(t)
	path := filepath.Join(t.TempDir(), "requests.yaml")
	w, log := open(t, path, cat)
	res, err := w.ImportScenario(ctx, data, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Imported) != 9 || len(res.Skipped) != 0 {
		t.Fatalf("imported %d, skipped %+v", len(res.Imported), res.Skipped)
	}
	if len(cat.commits) != 0 {
		t.Error("the import wrote catalog nodes")
	}
	// Restart: the queue is on disk.
	w, _ = open(t, path, cat)
	all, _ := checkScenarioQueue(t, w)
	byPath := map[string]*Request{}
	for _, r := range all {
		byPath[r.Path] = r
	}
	want := map[string]Status{
		"risk/stress/rate-shock": StatusPendingReview, "portfolios/attribution/credit": StatusPendingReview,
		"prices/options/implied-vol": StatusPendingReview, "reference/classifications/sustainability": StatusPendingReview,
		"infrastructure": StatusPendingReview, "risk/cvar/emerging-markets": StatusApproved, "rates/curves/inflation": StatusApproved,
		"portfolios/holdings/with-client-names": StatusRejected, "prices/equity/unlisted-quotes": StatusRejected,
	}
	for p, s := range want {
		r := byPath[p]
		if r == nil || r.Status != s {
			t.Errorf("%s: %+v, want status %s", p, r, s)
		}
	}
	if !byPath["infrastructure"].TopLevel() {
		t.Error("infrastructure is not top-level")
	}
	shock := byPath["risk/stress/rate-shock"]
	if len(shock.Comments) != 2 || shock.Comments[0].Author != "model-validation@firm.com" ||
		shock.SourceBindingConfig["warehouse"] != "RISK_WH" || !slices.Equal(shock.Tags, []string{"stress", "rates", "alm"}) {
		t.Errorf("rate-shock: %+v", shock)
	}
	em := byPath["risk/cvar/emerging-markets"]
	if em.ReviewedBy != "head.of.risk.data@firm.com" || len(em.Comments) != 2 ||
		em.Comments[1].Action != ActionApprove || em.Comments[1].AuthorName != "Head of Risk Data" ||
		!strings.HasPrefix(em.Comments[1].Content, "Owners confirmed") {
		t.Errorf("emerging-markets: %+v", em)
	}
	names := byPath["portfolios/holdings/with-client-names"]
	if !strings.HasPrefix(names.RejectionReason, "Rejected: personal data") || names.ReviewedBy != "compliance@firm.com" ||
		names.Comments[len(names.Comments)-1].Action != ActionReject {
		t.Errorf("with-client-names: %+v", names)
	}
	entries, _ := log.Entries("", 0)
	if len(entries) != 13 { // 9 submitted + 2 approved + 2 rejected
		t.Errorf("%d audit entries, want 13", len(entries))
	}
	// Importing again adds nothing.
	res, err = w.ImportScenario(ctx, data, "alice")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Imported) != 0 || len(res.Skipped) != 9 || !strings.Contains(res.Skipped[0].Reason, "already in the queue as REQ-") {
		t.Fatalf("re-import: imported %d, skipped %+v", len(res.Imported), res.Skipped)
	}
	// New ids continue after the imported ones.
	r, err := w.Submit(ctx, proposal("risk/stress/heat"), "")
	if err != nil || r.RequestID != "REQ-0010" {
		t.Fatalf("next submit: %v %v", r, err)
	}
}

// TestImportCompatScenario: the previous service's demo_requests.yaml
// imports into the queue it described (5 pending, 2 approved, 2
// rejected).
func TestImportCompatScenario(t *testing.T) {
	data, err := os.ReadFile(fixtures.Compat(t, "f206ffd", "demo_requests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	w, _ := open(t, filepath.Join(t.TempDir(), "requests.yaml"), newFakeCatalog(t))
	res, err := w.ImportScenario(ctx, data, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Imported) != 9 || len(res.Skipped) != 0 {
		t.Fatalf("imported %d, skipped %+v", len(res.Imported), res.Skipped)
	}
	all, _ := checkScenarioQueue(t, w)
	for _, r := range all {
		if r.Path == "alternatives" && !r.TopLevel() {
			t.Error("alternatives is not top-level")
		}
	}
}

// checkScenarioQueue lists w's requests and checks the counts a scenario
// of nine leaves: 5 pending, 2 approved, 2 rejected.
func checkScenarioQueue(t *testing.T, w *Workflow) ([]*Request, Counts) {
	t.Helper()
	all, counts, err := w.List("")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != 9 || counts.ByStatus[StatusPendingReview] != 5 || counts.ByStatus[StatusApproved] != 2 ||
		counts.ByStatus[StatusRejected] != 2 || counts.Total != 9 {
		t.Fatalf("queue: %d requests, counts %+v", len(all), counts)
	}
	return all, counts
}

func TestImportScenarioErrors(t *testing.T) {
	tests := []struct {
		name, data string
		loc        []string // of a *ValidationError; nil = other ErrInvalid
		msg        string
	}{
		{"not yaml", "requests: [", nil, "not a demo scenario file"},
		{"registry format", "requests:\n- request_id: REQ-1\n  path: a\n", nil, "not a demo scenario file"},
		{"empty", "requests: []\n", nil, "no requests"},
		{"bad outcome", "requests:\n- path: risk/x\n  requester: {name: n, email: n@x.com}\n  outcome: maybe\n", []string{"requests", "0", "outcome"}, "not one of"},
		{"approved without reviewer", "requests:\n- path: risk/x\n  requester: {name: n, email: n@x.com}\n  outcome: approved\n", []string{"requests", "0", "reviewer"}, "required"},
		{"rejected without reason", "requests:\n- path: risk/x\n  requester: {name: n, email: n@x.com}\n  outcome: rejected\n  reviewer: r@x.com\n", []string{"requests", "0", "review_reason"}, "required"},
		{"bad email", "requests:\n- path: risk/x\n  requester: {name: n, email: n@x.com}\n- path: risk/y\n  requester: {name: n, email: nope}\n", []string{"requests", "1", "requester", "email"}, "e-mail"},
		{"no path", "requests:\n- requester: {name: n, email: n@x.com}\n", []string{"requests", "0", "path"}, "required"},
		{"comment without content", "requests:\n- path: risk/x\n  requester: {name: n, email: n@x.com}\n  comments:\n  - {author: a}\n", []string{"requests", "0", "comments", "0", "content"}, "required"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, _ := open(t, filepath.Join(t.TempDir(), "requests.yaml"), newFakeCatalog(t))
			_, err := w.ImportScenario(ctx, []byte(tt.data), "")
			if !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), tt.msg) {
				t.Fatalf("error = %v, want %q", err, tt.msg)
			}
			var ve *moniker.ValidationError
			if errors.As(err, &ve) != (tt.loc != nil) {
				t.Fatalf("ValidationError %v, want %v", ve, tt.loc)
			}
			if tt.loc != nil && !slices.ContainsFunc(ve.Fields, func(f moniker.FieldError) bool { return slices.Equal(f.Loc, tt.loc) }) {
				t.Errorf("fields %+v do not name %v", ve.Fields, tt.loc)
			}
			if _, c, _ := w.List(""); c.Total != 0 {
				t.Error("a failed import kept requests")
			}
		})
	}
}

func TestImportSkips(t *testing.T) {
	cat := newFakeCatalog(t)
	w, _ := open(t, "", cat)
	if _, err := w.Submit(ctx, proposal("risk/stress/open"), ""); err != nil {
		t.Fatal(err)
	}
	data := `requests:
- path: risk.cvar
  requester: {name: n, email: n@x.com}
- path: risk/stress/open
  requester: {name: other, email: other@x.com}
- path: nowhere/x
  requester: {name: n, email: n@x.com}
- path: risk/new
  requester: {name: n, email: n@x.com}
- path: risk/new
  requester: {name: m, email: m@x.com}
`
	res, err := w.ImportScenario(ctx, []byte(data), "")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Imported) != 1 || res.Imported[0].Path != "risk/new" {
		t.Fatalf("imported %+v", res.Imported)
	}
	want := []string{"Path already exists in catalog", "A pending request already exists", "Top-level domain 'nowhere'", "A pending request already exists"}
	if len(res.Skipped) != len(want) {
		t.Fatalf("skipped %+v", res.Skipped)
	}
	for i, s := range res.Skipped {
		if !strings.HasPrefix(s.Reason, want[i]) {
			t.Errorf("skipped[%d] = %+v, want %q", i, s, want[i])
		}
	}
}
