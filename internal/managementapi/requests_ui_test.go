package managementapi_test

import (
	"context"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/requests"
)

// The review-queue page driven by headless Chromium against the real
// management routes: the catalog editor on a temp copy of the f206ffd
// catalog, the request workflow on a temp requests file.

// uiBrowser starts headless Chromium (CHROMIUM or /usr/bin/chromium) and
// returns its browser context. Without Chromium the test is skipped, or
// fails when CI=true.
func uiBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := os.Getenv("CHROMIUM")
	if bin == "" {
		bin = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(bin); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("chromium not found (%s): the browser tests must run in CI", bin)
		}
		t.Skipf("chromium not found (%s); set CHROMIUM", bin)
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 1000),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 90*time.Second)
	ctx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	ctx, cancelBrowser := chromedp.NewContext(ctx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
		cancelTimeout()
	})
	if err := chromedp.Do(ctx); err != nil { // starts the browser
		t.Fatalf("starting chromium: %v", err)
	}
	return ctx
}

// uiTab opens a tab of browser; script exceptions thrown in it fail the
// test when the tab is done.
func uiTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	var (
		mu   sync.Mutex
		errs []string
	)
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithListener(func(ev any) {
		if ex, ok := ev.(*runtime.EventExceptionThrown); ok {
			mu.Lock()
			errs = append(errs, (&chromedp.ExceptionError{ExceptionDetails: ex.ExceptionDetails}).Error())
			mu.Unlock()
		}
	}))
	t.Cleanup(func() {
		cancel()
		mu.Lock()
		defer mu.Unlock()
		for _, e := range errs {
			t.Errorf("script exception in the page: %s", e)
		}
	})
	return ctx
}

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

// uiScreenshot writes png under <module root>/artifacts/screenshots
// (gitignored).
func uiScreenshot(t *testing.T, name string, png []byte) {
	t.Helper()
	dir := filepath.Join(fixtures.ModuleRoot(t), "artifacts", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRequestsUIBrowser(t *testing.T) {
	browser := uiBrowser(t)

	t.Run("submit and approve", func(t *testing.T) {
		env := uiServe(t)
		ctx := uiTab(t, browser)
		const path = "commodities.energy/ui_test_feed"
		if _, _, ok := env.cat.Get(path); ok {
			t.Fatalf("%s is already in the catalog", path)
		}
		err := chromedp.Do(ctx,
			chromedp.Navigate(env.url+"/requests/ui"),
			chromedp.WaitVisible(chromedp.CSS(`#req-list[data-state="ready"]`)),
			// who reviews: a different person from the requester.
			chromedp.Click(chromedp.CSS(`.cfg-side details > summary`)),
			chromedp.SendKeys(chromedp.CSS(`#actor`), "reviewer@example.com"),
			chromedp.SendKeys(chromedp.CSS(`#actor-name`), "Rita Reviewer"),
			// the form.
			chromedp.Click(chromedp.CSS(`#new-request`)),
			chromedp.WaitVisible(chromedp.CSS(`#new-dialog[open]`)),
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
		if err != nil {
			t.Fatal(err)
		}
		listStatus, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#req-list button[data-id="REQ-0001"] .badge`)))
		if err != nil {
			t.Fatal(err)
		}
		// the pending tab is now empty, and pressed.
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`#filters button[data-status="pending_review"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#filters button[data-status="pending_review"][aria-pressed="true"]`)),
			chromedp.WaitNotPresent(chromedp.CSS(`#req-list button[data-id]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		pendingTab, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#filters button[data-status="pending_review"]`)))
		if err != nil {
			t.Fatal(err)
		}
		if pendingTab != "Pending review (0)" {
			t.Errorf("pending tab = %q, want Pending review (0)", pendingTab)
		}
		approveBtn, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('btn-approve') !== null`))
		if err != nil {
			t.Fatal(err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		uiScreenshot(t, "requests-ui-approved.png", png)
		if listStatus != "approved" {
			t.Errorf("list badge = %q, want approved", listStatus)
		}
		if approveBtn {
			t.Error("an approved request still offers Approve")
		}
		got, _, err := env.wf.Get("REQ-0001")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != requests.StatusApproved || got.ReviewedBy != "reviewer@example.com" || got.Requester.Email != "ann@example.com" {
			t.Errorf("request = status %s reviewed by %q requester %q", got.Status, got.ReviewedBy, got.Requester.Email)
		}
		if strings.Join(got.Tags, ",") != "ui,test" || got.SourceBindingConfig["base_path"] != "/data/ui" {
			t.Errorf("request tags %v config %v: the form's values did not arrive", got.Tags, got.SourceBindingConfig)
		}
		n, _, ok := env.cat.Get(path)
		if !ok {
			t.Fatalf("approved %s is not in the catalog editor", path)
		}
		if n.DisplayName != "UI test feed" {
			t.Errorf("catalog node display name = %q", n.DisplayName)
		}
	})

	t.Run("refusals", func(t *testing.T) {
		env := uiServe(t)
		ctx := uiTab(t, browser)
		if _, err := env.wf.Submit(context.Background(), requests.Proposal{Path: "commodities.energy/ui_reason",
			Requester: requests.Requester{Name: "Ann", Email: "ann@example.com"}}, ""); err != nil {
			t.Fatal(err)
		}
		err := chromedp.Do(ctx,
			chromedp.Navigate(env.url+"/requests/ui#REQ-0001"),
			chromedp.WaitVisible(chromedp.CSS(`#detail[data-id="REQ-0001"] #btn-reject`)),
			chromedp.Click(chromedp.CSS(`#btn-reject`)),
			chromedp.WaitVisible(chromedp.CSS(`#review-dialog[open] #review-reason`)),
			chromedp.Click(chromedp.CSS(`#review-confirm`)),
			chromedp.WaitVisible(chromedp.CSS(`#review-reason[aria-invalid="true"]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		stillOpen, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.getElementById('review-dialog').open`))
		if err != nil {
			t.Fatal(err)
		}
		invalid, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#review-reason`), "aria-invalid"))
		if err != nil {
			t.Fatal(err)
		}
		if invalid.Value != "true" || !stillOpen {
			t.Errorf("empty reason: aria-invalid %q, dialog open %v; want the dialog kept open and the field marked", invalid.Value, stillOpen)
		}
		// Escape closes the dialog and gives the focus back to its button.
		err = chromedp.Do(ctx,
			chromedp.KeyEvent(kb.Escape),
			chromedp.WaitNotPresent(chromedp.CSS(`#review-dialog[open]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		focused, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.activeElement.id`))
		if err != nil {
			t.Fatal(err)
		}
		if focused != "btn-reject" {
			t.Errorf("focus after Escape is on %q, want btn-reject", focused)
		}
		// the requester may not approve: the server's detail is toasted.
		err = chromedp.Do(ctx,
			chromedp.Click(chromedp.CSS(`.cfg-side details > summary`)),
			chromedp.SendKeys(chromedp.CSS(`#actor`), "ann@example.com"),
			chromedp.Click(chromedp.CSS(`#btn-approve`)),
			chromedp.WaitVisible(chromedp.CSS(`#review-dialog[open] #review-reason`)),
			chromedp.Click(chromedp.CSS(`#review-confirm`)),
			chromedp.WaitVisible(chromedp.CSS(`.toast.error`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		toastText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.toast.error .toast-text`)))
		if err != nil {
			t.Fatal(err)
		}
		if want := "Self-approval refused: ann@example.com submitted request REQ-0001"; !strings.Contains(toastText, want) {
			t.Errorf("error toast %q does not carry the server's detail %q", toastText, want)
		}
		if got, _, _ := env.wf.Get("REQ-0001"); got.Status != requests.StatusPendingReview {
			t.Errorf("status = %s after a refused reject and approval", got.Status)
		}
	})

	t.Run("request changes and amend", func(t *testing.T) {
		env := uiServe(t)
		ctx := uiTab(t, browser)
		if _, err := env.wf.Submit(context.Background(), requests.Proposal{Path: "commodities.energy/ui_amend", Justification: "first try",
			Requester: requests.Requester{Name: "Ann", Email: "ann@example.com"}, Tags: []string{"keep"}}, ""); err != nil {
			t.Fatal(err)
		}
		err := chromedp.Do(ctx,
			chromedp.Navigate(env.url+"/requests/ui#REQ-0001"),
			chromedp.Click(chromedp.CSS(`.cfg-side details > summary`)),
			chromedp.SendKeys(chromedp.CSS(`#actor`), "reviewer@example.com"),
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
		)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := env.wf.Get("REQ-0001")
		if err != nil {
			t.Fatal(err)
		}
		if got.Status != requests.StatusPendingReview || got.Justification != "second try" || got.Path != "commodities.energy/ui_amend" ||
			strings.Join(got.Tags, ",") != "keep" {
			t.Errorf("amended request: status %s justification %q path %q tags %v", got.Status, got.Justification, got.Path, got.Tags)
		}
		var actions []string
		for _, c := range got.Comments {
			actions = append(actions, string(c.Action)+":"+c.Content)
		}
		if s := strings.Join(actions, " "); !strings.Contains(s, "request_changes:Say why") || !strings.Contains(s, "done") {
			t.Errorf("history %q lacks the review reason or the amendment note", s)
		}
	})

	t.Run("stored text is not markup", func(t *testing.T) {
		env := uiServe(t)
		ctx := uiTab(t, browser)
		const x = `<img src=x onerror="window.__xss=1">`
		req, err := env.wf.Submit(context.Background(), requests.Proposal{
			Path: "commodities.energy/ui_xss", DisplayName: x, Description: x, Justification: x,
			Requester: requests.Requester{Name: x, Email: "xss@example.com", Team: x, AppID: x},
			ADOP:      "o@example.com", ADOPName: x, ADS: "s@example.com", ADSName: x, ADAL: "l@example.com", ADALName: x,
			SourceBindingType: "static", SourceBindingConfig: map[string]any{"base_path": x},
			Tags: []string{x},
		}, "")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := env.wf.Comment(context.Background(), req.RequestID, requests.Note{Author: x, AuthorName: x, Content: x}); err != nil {
			t.Fatal(err)
		}
		err = chromedp.Do(ctx,
			chromedp.Navigate(env.url+"/requests/ui#"+req.RequestID),
			chromedp.WaitVisible(chromedp.CSS(`#detail[data-state="ready"] #comments`)),
			chromedp.WaitVisible(chromedp.CSS(`#req-list button[data-id="`+req.RequestID+`"]`)),
		)
		if err != nil {
			t.Fatal(err)
		}
		xss, err := chromedp.Run(ctx, chromedp.Evaluate[string](`typeof window.__xss`))
		if err != nil {
			t.Fatal(err)
		}
		imgs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('img').length`))
		if err != nil {
			t.Fatal(err)
		}
		detail, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#detail`)))
		if err != nil {
			t.Fatal(err)
		}
		listText, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#req-list`)))
		if err != nil {
			t.Fatal(err)
		}
		if xss != "undefined" || imgs != 0 {
			t.Errorf("window.__xss is %s and the page has %d img elements: stored text became markup", xss, imgs)
		}
		// every text field shows as text: display name, description,
		// justification, requester name, team, app id, the three owner
		// names, the tag, the comment's author name and content (the
		// owner ids must be e-mail addresses); the config as JSON.
		if n := strings.Count(detail, x); n != 12 {
			t.Errorf("the payload shows as text %d times in the detail, want 12:\n%s", n, detail)
		}
		if want := `"base_path": "<img src=x onerror=\"window.__xss=1\">"`; !strings.Contains(detail, want) {
			t.Errorf("the detail does not show the source config %s as text:\n%s", want, detail)
		}
		if !strings.Contains(listText, x) {
			t.Errorf("the list does not show the requester name as text: %q", listText)
		}
	})
}
