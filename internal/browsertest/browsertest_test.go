package browsertest

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// recorder is a testing.TB that records Fatalf and Skipf instead of
// stopping, so Chromium's decision can be checked.
type recorder struct {
	testing.TB
	fatal, skip string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Fatalf(f string, a ...any) { r.fatal = fmt.Sprintf(f, a...) }
func (r *recorder) Skipf(f string, a ...any)  { r.skip = fmt.Sprintf(f, a...) }

func TestChromium(t *testing.T) {
	tests := []struct {
		name, chromium, ci  string
		wantFatal, wantSkip bool
	}{
		{"missing, local: skip", "/nonexistent/chromium", "", false, true},
		{"missing, CI: fail", "/nonexistent/chromium", "true", true, false},
		{"present", "/bin/sh", "true", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("CHROMIUM", tt.chromium)
			t.Setenv("CI", tt.ci)
			r := &recorder{TB: t}
			if got := Chromium(r); got != tt.chromium {
				t.Errorf("Chromium = %q, want %q", got, tt.chromium)
			}
			if (r.fatal != "") != tt.wantFatal || (r.skip != "") != tt.wantSkip {
				t.Errorf("fatal %q, skip %q; want fatal %v, skip %v", r.fatal, r.skip, tt.wantFatal, tt.wantSkip)
			}
		})
	}
}

// TestScreenshot starts the real browser (skipped without one, failing
// on CI), renders a page and checks the PNG lands in the artifacts.
func TestScreenshot(t *testing.T) {
	tab := New(t)
	tab.Do()
	if got := Eval[int](tab, `1 + 2`); got != 3 {
		t.Fatalf("1 + 2 = %d", got)
	}
	p := tab.Screenshot("browsertest-blank")
	if want := ArtifactsDir(t) + string(filepath.Separator); !strings.HasPrefix(p, want) {
		t.Errorf("screenshot at %s, want under %s", p, want)
	}
}
