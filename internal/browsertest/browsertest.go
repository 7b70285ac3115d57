// Package browsertest runs the web pages' tests in a real browser: a
// headless Chromium driven over the DevTools protocol by chromedp.
//
// New starts the browser (from /usr/bin/chromium, or $CHROMIUM) with a
// fresh profile and returns a tab bound to the test; the browser stops at
// the end of the test. Where Chromium is missing the test is skipped,
// except on CI (CI=true), where a missing browser fails the test: .ci/run
// installs it. Screenshots are written to <module root>/artifacts/screenshots/
// (gitignored), as the test's artifacts.
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/moniker-svc/moniker/internal/fixtures"
)

// DefaultChromium is where Debian's chromium package installs the browser.
const DefaultChromium = "/usr/bin/chromium"

// StepTimeout bounds each Run: a page that never gets where the test waits
// for fails the test instead of hanging it. It is generous because the
// race-detector suite shares two cores with Chromium.
const StepTimeout = 60 * time.Second

// Tab is one browser tab of a test.
type Tab struct {
	t   testing.TB
	ctx context.Context

	mu     sync.Mutex
	errors []string // uncaught exceptions and console.error calls
}

// Chromium returns the browser to run: $CHROMIUM, else DefaultChromium.
// When it is not an executable it skips the test, or fails it when CI is
// "true".
func Chromium(t testing.TB) string {
	t.Helper()
	p := os.Getenv("CHROMIUM")
	if p == "" {
		p = DefaultChromium
	}
	if _, err := exec.LookPath(p); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("browsertest: no Chromium at %s (CI=true: .ci/run installs it): %v", p, err)
		} else {
			t.Skipf("browsertest: no Chromium at %s (set CHROMIUM, or install the chromium package): %v", p, err)
		}
	}
	return p
}

// startAttempts is how often New tries to start the browser: on a loaded
// machine Chromium now and then exits before it answers (seen on a shared
// 2-core host), which says nothing about the page under test.
const startAttempts = 3

// New starts a headless Chromium with a temporary profile and returns a
// tab. The browser is stopped when the test ends; uncaught exceptions and
// console errors of the page fail the test then. A browser that does not
// start is retried (startAttempts in all) before the test fails.
func New(t testing.TB) *Tab {
	t.Helper()
	bin := Chromium(t)
	tab := &Tab{t: t}
	var err error
	for attempt := 1; attempt <= startAttempts; attempt++ {
		var stop func()
		tab.ctx, stop, err = start(t, bin, tab.listen)
		if err == nil {
			t.Cleanup(func() {
				stop()
				tab.mu.Lock()
				defer tab.mu.Unlock()
				for _, e := range tab.errors {
					t.Errorf("browser: %s", e)
				}
			})
			return tab
		}
		stop()
		t.Logf("browsertest: starting %s (attempt %d of %d): %v", bin, attempt, startAttempts, err)
	}
	t.Fatalf("browsertest: %s did not start: %v", bin, err)
	return nil
}

// start launches one browser with a fresh profile and opens a tab; stop
// ends both.
func start(t testing.TB, bin string, listen func(ev any)) (context.Context, func(), error) {
	profile := t.TempDir() // removed after the browser stops (cleanups run last-in first-out)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx,
		chromedp.WithListener(listen),
		chromedp.WithLogf(t.Logf),
		chromedp.WithErrorf(func(f string, a ...any) { t.Logf("chromedp: "+f, a...) }),
	)
	stop := func() {
		cancelTab()
		cancelAlloc()
	}
	// Start the browser now, so that a broken browser shows here.
	return ctx, stop, chromedp.Do(ctx)
}

// listen records the page's uncaught exceptions and console errors.
func (b *Tab) listen(ev any) {
	var msg string
	switch e := ev.(type) {
	case *runtime.EventExceptionThrown:
		msg = "uncaught exception: " + e.ExceptionDetails.Text
		if e.ExceptionDetails.Exception != nil && e.ExceptionDetails.Exception.Description != "" {
			msg += ": " + e.ExceptionDetails.Exception.Description
		}
	case *runtime.EventConsoleAPICalled:
		if e.Type != runtime.ConsoleAPICalledTypeError {
			return
		}
		var parts []string
		for _, a := range e.Args {
			if a.Description != "" {
				parts = append(parts, a.Description)
			} else {
				parts = append(parts, string(a.Value))
			}
		}
		msg = "console.error: " + strings.Join(parts, " ")
	default:
		return
	}
	b.mu.Lock()
	b.errors = append(b.errors, msg)
	b.mu.Unlock()
}

// Context is the tab's context, for chromedp.Run and chromedp.Do.
func (b *Tab) Context() context.Context { return b.ctx }

// Do runs actions in the tab, failing the test on an error or when they
// take longer than StepTimeout.
func (b *Tab) Do(actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.t.Fatalf("browser: %v", err)
	}
}

// Eval evaluates a JavaScript expression in the page and returns its value
// (a promise's, once it settles) decoded as T, failing the test on an
// error.
func Eval[T any](b *Tab, expr string) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("browser: evaluating %s: %v", expr, err)
	}
	return v
}

// WaitFor polls a JavaScript expression until it is truthy, failing the
// test after StepTimeout. A poll that loses its page to a navigation
// (the document it ran in was replaced) starts again in the new one.
func (b *Tab) WaitFor(expr string) {
	b.t.Helper()
	if err := b.poll(expr, StepTimeout); err != nil {
		b.t.Fatalf("browser: waiting for %s: %v", expr, err)
	}
}

// WaitUntil polls a JavaScript expression until it is truthy or d has
// passed, and reports which; for checks that report a failure themselves.
func (b *Tab) WaitUntil(expr string, d time.Duration) bool {
	return b.poll(expr, d) == nil
}

// poll polls expr until it is truthy, for at most d, starting again when
// a navigation replaced the document it ran in.
func (b *Tab) poll(expr string, d time.Duration) error {
	ctx, cancel := context.WithTimeout(b.ctx, d)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool]("!!("+expr+")"))
		if err == nil || ctx.Err() != nil || !contextLost(err) {
			return err
		}
	}
}

// contextLost reports whether err says the page's JavaScript context went
// away under an evaluation: the document was replaced by a navigation.
func contextLost(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "Cannot find context with specified id") ||
		strings.Contains(msg, "Execution context was destroyed")
}

// Screenshot saves a PNG of the whole page as
// <module root>/artifacts/screenshots/<name>.png and returns its path.
func (b *Tab) Screenshot(name string) string {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, StepTimeout)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Fatalf("browser: screenshot %s: %v", name, err)
	}
	dir := ArtifactsDir(b.t)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		b.t.Fatal(err)
	}
	p := filepath.Join(dir, name+".png")
	if err := os.WriteFile(p, png, 0o644); err != nil {
		b.t.Fatal(err)
	}
	b.t.Logf("screenshot: %s", p)
	return p
}

// ArtifactsDir is where screenshots go: <module root>/artifacts/screenshots.
func ArtifactsDir(t testing.TB) string {
	return filepath.Join(fixtures.ModuleRoot(t), "artifacts", "screenshots")
}

// Errors returns the uncaught exceptions and console errors seen so far.
func (b *Tab) Errors() []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]string(nil), b.errors...)
}
