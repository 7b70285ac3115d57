package managementapi_test

import (
	"context"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/moniker-svc/moniker/internal/browsertest"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/requests"
)

// The review-queue page driven by headless Chromium (internal/browsertest)
// against the real management routes: the catalog editor on a temp copy
// of our test catalog, the request workflow on a temp requests file.

// uiEnv is a management server with the catalog editor and the request
// workflow, served over HTTP.
type uiEnv struct {
	url string
	cat *catalogedit.Editor
	wf  *requests.Workflow
}

func uiServe(t *testing.T) *uiEnv {
	t.Helper()
	cat, _ := reqCatalog(t)
	wf, err := requests.Open(filepath.Join(t.TempDir(), "requests.yaml"), requests.Options{Catalog: cat})
	if err != nil {
		t.Fatal(err)
	}
	mux, _ := serveDocumented(t, managementapi.Config{Catalog: cat, Requests: wf})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return &uiEnv{url: srv.URL, cat: cat, wf: wf}
}

// submit queues a request for path by ann@example.com directly through
// the workflow.
func (e *uiEnv) submit(t *testing.T, p requests.Proposal) *requests.Request {
	t.Helper()
	if p.Requester.Email == "" {
		p.Requester = requests.Requester{Name: "Ann", Email: "ann@example.com"}
	}
	r, err := e.wf.Submit(context.Background(), p, "")
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// get reads a request of the workflow.
func (e *uiEnv) get(t *testing.T, id string) *requests.Request {
	t.Helper()
	r, _, err := e.wf.Get(id)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// actAs opens the page's "Acting as" section and types the reviewer's
// identity.
func actAs(email string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Click(chromedp.CSS(`.cfg-side details > summary`)),
		chromedp.SendKeys(chromedp.CSS(`#actor`), email),
	)
}

// TestRequestsUIBrowser runs the page's scenarios in one browser (one
// launch), each against a server of its own.
func TestRequestsUIBrowser(t *testing.T) {
	tab := browsertest.New(t)
	for _, check := range []func(*testing.T, *browsertest.Tab){
		uiCheckSubmitAndApprove,
		uiCheckRefusals,
		uiCheckRequestChangesAndAmend,
		uiCheckStoredTextIsNotMarkup,
	} {
		check(t, tab)
	}
}

// uiCheckSubmitAndApprove submits a request through the form, approves
// it through the dialog and finds the node in the catalog editor.
func uiCheckSubmitAndApprove(t *testing.T, tab *browsertest.Tab) {
	env := uiServe(t)
	const path = "commodities.energy/ui_test_feed"
	if _, _, ok := env.cat.Get(path); ok {
		t.Fatalf("%s is already in the catalog", path)
	}
	t.Log("step: submit through the form and approve through the dialog")
	tab.Do(
		chromedp.Navigate(env.url+"/requests/ui"),
		chromedp.WaitVisible(chromedp.CSS(`#req-list[data-state="ready"]`)),
		actAs("reviewer@example.com"),
		chromedp.SendKeys(chromedp.CSS(`#actor-name`), "Rita Reviewer"),
		// the form.
		chromedp.Click(chromedp.CSS(`#new-request`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-dialog[open] #nr-path`)),
		chromedp.SendKeys(chromedp.CSS(`#nr-path`), path),
		chromedp.SendKeys(chromedp.CSS(`#nr-display-name`), "UI test feed"),
		chromedp.SendKeys(chromedp.CSS(`#nr-justification`), "Needed by the browser test"),
		chromedp.SendKeys(chromedp.CSS(`#nr-req-name`), "Ann Requester"),
		chromedp.SendKeys(chromedp.CSS(`#nr-req-email`), "ann@example.com"),
		chromedp.SetValue(chromedp.CSS(`#nr-adop`), "owner@example.com"),
		chromedp.SetValue(chromedp.CSS(`#nr-source-type`), "static"),
		chromedp.SetValue(chromedp.CSS(`#nr-source-config`), `{"base_path": "/data/ui"}`),
		chromedp.SetValue(chromedp.CSS(`#nr-tags`), "ui, test"),
		chromedp.Click(chromedp.CSS(`#new-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#detail[data-id="REQ-0001"][data-status="pending_review"] #btn-approve`)),
		// approve through the dialog.
		chromedp.Click(chromedp.CSS(`#btn-approve`)),
		chromedp.WaitVisible(chromedp.CSS(`#review-dialog[open] #review-reason`)),
		chromedp.SendKeys(chromedp.CSS(`#review-reason`), "Looks right"),
		chromedp.Click(chromedp.CSS(`#review-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`#detail[data-status="approved"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#review-dialog[open]`)),
		chromedp.WaitVisible(chromedp.CSS(`#req-list button[data-id="REQ-0001"] .s-approved`)),
	)
	tab.Screenshot("requests-ui-approved")
	if got := browsertest.Eval[string](tab, `document.querySelector('#req-list button[data-id="REQ-0001"] .badge').textContent`); got != "approved" {
		t.Errorf("list badge = %q, want approved", got)
	}
	if browsertest.Eval[bool](tab, `document.getElementById('btn-approve') !== null`) {
		t.Error("an approved request still offers Approve")
	}
	if got := browsertest.Eval[string](tab, `document.querySelector('#comments li').innerText`); !strings.Contains(got, "Rita Reviewer") || !strings.Contains(got, "Looks right") {
		t.Errorf("approval comment = %q, want the reviewer's name and note", got)
	}
	// the pending tab is now empty, and pressed.
	t.Log("step: pending filter")
	tab.Do(
		chromedp.Click(chromedp.CSS(`#filters button[data-status="pending_review"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#filters button[data-status="pending_review"][aria-pressed="true"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#req-list button[data-id]`)),
	)
	if got := browsertest.Eval[string](tab, `document.querySelector('#filters button[data-status="pending_review"]').textContent`); got != "Pending review (0)" {
		t.Errorf("pending tab = %q, want Pending review (0)", got)
	}

	got := env.get(t, "REQ-0001")
	if got.Status != requests.StatusApproved || got.ReviewedBy != "reviewer@example.com" || got.Requester.Email != "ann@example.com" {
		t.Errorf("request = status %s reviewed by %q requester %q", got.Status, got.ReviewedBy, got.Requester.Email)
	}
	if strings.Join(got.Tags, ",") != "ui,test" || got.SourceBindingConfig["base_path"] != "/data/ui" || got.ADOP != "owner@example.com" {
		t.Errorf("request tags %v config %v adop %q: the form's values did not arrive", got.Tags, got.SourceBindingConfig, got.ADOP)
	}
	n, _, ok := env.cat.Get(path)
	if !ok {
		t.Fatalf("approved %s is not in the catalog editor", path)
	}
	if n.DisplayName != "UI test feed" {
		t.Errorf("catalog node display name = %q", n.DisplayName)
	}
}

// uiCheckRefusals: a reason is required to reject, Escape closes the
// dialog, and the requester's own approval is refused with the
// server's detail in a toast.
func uiCheckRefusals(t *testing.T, tab *browsertest.Tab) {
	env := uiServe(t)
	env.submit(t, requests.Proposal{Path: "commodities.energy/ui_reason"})
	// a reject without a reason stays in the dialog, the field marked.
	t.Log("step: reject without a reason")
	tab.Do(
		chromedp.Navigate(env.url+"/requests/ui#REQ-0001"),
		chromedp.WaitVisible(chromedp.CSS(`#detail[data-id="REQ-0001"] #btn-reject`)),
		chromedp.Click(chromedp.CSS(`#btn-reject`)),
		chromedp.WaitVisible(chromedp.CSS(`#review-dialog[open] #review-reason`)),
		chromedp.Click(chromedp.CSS(`#review-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`#review-reason[aria-invalid="true"]`)),
	)
	if !browsertest.Eval[bool](tab, `document.getElementById('review-dialog').open`) {
		t.Error("the dialog closed on a reject without a reason")
	}
	// Escape closes the dialog and gives the focus back to its button.
	t.Log("step: Escape")
	tab.Do(
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotPresent(chromedp.CSS(`#review-dialog[open]`)),
	)
	tab.WaitFor(`document.activeElement.id === 'btn-reject'`) // the focus goes back to the dialog's button
	// the requester may not approve: the server's detail is toasted.
	t.Log("step: self-approval")
	tab.Do(
		actAs("ann@example.com"),
		chromedp.Click(chromedp.CSS(`#btn-approve`)),
		chromedp.WaitVisible(chromedp.CSS(`#review-dialog[open] #review-reason`)),
		chromedp.Click(chromedp.CSS(`#review-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`#review-error`)),
	)
	const refused = "Self-approval refused: ann@example.com submitted request REQ-0001"
	if got := browsertest.Eval[string](tab, `document.getElementById('review-error').textContent`); !strings.Contains(got, refused) {
		t.Errorf("the dialog's error %q does not carry the server's detail %q", got, refused)
	}
	if got := browsertest.Eval[string](tab, `Array.from(document.querySelectorAll('.toast.error .toast-text')).map((e) => e.textContent).join('|')`); !strings.Contains(got, refused) {
		t.Errorf("error toasts %q do not carry the server's detail %q", got, refused)
	}
	if got := env.get(t, "REQ-0001"); got.Status != requests.StatusPendingReview {
		t.Errorf("status = %s after a refused reject and approval", got.Status)
	}
	// a change made elsewhere shows on refresh (the auto-refresh's step).
	if _, err := env.wf.Reject(context.Background(), "REQ-0001", requests.Review{Actor: "boss@example.com", Reason: "elsewhere"}); err != nil {
		t.Fatal(err)
	}
	t.Log("step: refresh")
	tab.Do(
		chromedp.KeyEvent(kb.Escape),
		chromedp.WaitNotPresent(chromedp.CSS(`#review-dialog[open]`)),
		chromedp.Click(chromedp.CSS(`#refresh`)),
		chromedp.WaitVisible(chromedp.CSS(`#detail[data-status="rejected"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#req-list button[data-id="REQ-0001"] .s-rejected`)),
	)
	if browsertest.Eval[bool](tab, `document.getElementById('btn-reject') !== null`) {
		t.Error("a rejected request still offers Reject")
	}
}

// uiCheckRequestChangesAndAmend: a reviewer requests changes, the
// requester amends, and the request is back in review.
func uiCheckRequestChangesAndAmend(t *testing.T, tab *browsertest.Tab) {
	env := uiServe(t)
	env.submit(t, requests.Proposal{Path: "commodities.energy/ui_amend", Justification: "first try", Tags: []string{"keep"}})
	t.Log("step: request changes, amend, comment")
	tab.Do(
		chromedp.Navigate(env.url+"/requests/ui#REQ-0001"),
		actAs("reviewer@example.com"),
		chromedp.Click(chromedp.CSS(`#detail[data-id="REQ-0001"] #btn-changes`)),
		chromedp.WaitVisible(chromedp.CSS(`#review-dialog[open] #review-reason`)),
		chromedp.SendKeys(chromedp.CSS(`#review-reason`), "Say why"),
		chromedp.Click(chromedp.CSS(`#review-confirm`)),
		chromedp.WaitVisible(chromedp.CSS(`#detail[data-status="changes_requested"] #btn-amend`)),
		// the requester amends.
		chromedp.SetValue(chromedp.CSS(`#actor`), "ann@example.com"),
		chromedp.Click(chromedp.CSS(`#btn-amend`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-dialog[open] #nr-justification`)),
		chromedp.SetValue(chromedp.CSS(`#nr-justification`), "second try"),
		chromedp.SendKeys(chromedp.CSS(`#nr-note`), "done"),
		chromedp.Click(chromedp.CSS(`#new-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#detail[data-status="pending_review"] #btn-approve`)),
		// and comments.
		chromedp.SendKeys(chromedp.CSS(`#comment-text`), "ping"),
		chromedp.Click(chromedp.CSS(`#comment-submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#comments li:nth-child(3)`)),
	)
	if got := browsertest.Eval[string](tab, `document.querySelector('#comments li:last-child').innerText`); !strings.Contains(got, "ping") || !strings.Contains(got, "ann@example.com") {
		t.Errorf("last comment = %q, want ann@example.com's ping", got)
	}
	if got := browsertest.Eval[string](tab, `document.getElementById('comment-text').value`); got != "" {
		t.Errorf("comment box keeps %q after sending", got)
	}
	got := env.get(t, "REQ-0001")
	if got.Status != requests.StatusPendingReview || got.Justification != "second try" || got.Path != "commodities.energy/ui_amend" ||
		strings.Join(got.Tags, ",") != "keep" {
		t.Errorf("amended request: status %s justification %q path %q tags %v", got.Status, got.Justification, got.Path, got.Tags)
	}
	var history []string
	for _, c := range got.Comments {
		history = append(history, string(c.Action)+":"+c.Content)
	}
	if s := strings.Join(history, " "); !strings.Contains(s, "request_changes:Say why") || !strings.Contains(s, "done") || !strings.Contains(s, "comment:ping") {
		t.Errorf("history %q lacks the review reason or the amendment note", s)
	}
}

// uiCheckStoredTextIsNotMarkup: a request whose every text field is
// markup shows it as text, and no element is created from it.
func uiCheckStoredTextIsNotMarkup(t *testing.T, tab *browsertest.Tab) {
	env := uiServe(t)
	const x = `<img src=x onerror="window.__xss=1">`
	// every free-text field; the owner ids must be e-mail addresses.
	req := env.submit(t, requests.Proposal{
		Path: "commodities.energy/ui_xss", DisplayName: x, Description: x, Justification: x,
		Requester: requests.Requester{Name: x, Email: "xss@example.com", Team: x, AppID: x},
		ADOP:      "o@example.com", ADOPName: x, ADS: "s@example.com", ADSName: x, ADAL: "l@example.com", ADALName: x,
		SourceBindingType: "static", SourceBindingConfig: map[string]any{"base_path": x},
		Tags: []string{x},
	})
	if _, err := env.wf.Comment(context.Background(), req.RequestID, requests.Note{Author: x, AuthorName: x, Content: x}); err != nil {
		t.Fatal(err)
	}
	t.Log("step: open the XSS request")
	tab.Do(
		chromedp.Navigate(env.url+"/requests/ui#"+req.RequestID),
		chromedp.WaitVisible(chromedp.CSS(`#detail[data-state="ready"] #comments`)),
		chromedp.WaitVisible(chromedp.CSS(`#req-list button[data-id="`+req.RequestID+`"]`)),
	)
	if xss, imgs := browsertest.Eval[string](tab, `typeof window.__xss`), browsertest.Eval[int](tab, `document.querySelectorAll('img').length`); xss != "undefined" || imgs != 0 {
		t.Errorf("window.__xss is %s and the page has %d img elements: stored text became markup", xss, imgs)
	}
	// display name, description, justification, requester name, team,
	// app id, the three owner names, the tag, the comment's author name
	// and content; the config as JSON.
	detail := browsertest.Eval[string](tab, `document.getElementById('detail').innerText`)
	if n := strings.Count(detail, x); n != 12 {
		t.Errorf("the payload shows as text %d times in the detail, want 12:\n%s", n, detail)
	}
	if want := `"base_path": "<img src=x onerror=\"window.__xss=1\">"`; !strings.Contains(detail, want) {
		t.Errorf("the detail does not show the source config %s as text:\n%s", want, detail)
	}
	if list := browsertest.Eval[string](tab, `document.getElementById('req-list').innerText`); !strings.Contains(list, x) {
		t.Errorf("the list does not show the requester name as text: %q", list)
	}
	tab.Screenshot("requests-ui-xss")
}
