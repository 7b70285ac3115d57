package mgmtclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/governance"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// These unit tests use a stand-in management server; the end-to-end tests
// in cmd/monikerd forward to a real management process.
func TestSetStatus(t *testing.T) {
	var gotPath, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.EscapedPath()
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		switch {
		case strings.Contains(gotPath, "missing"):
			httpapi.WriteDetail(w, 404, httpapi.CodeNotFound, "Node not found: missing")
		case strings.Contains(gotPath, "busy"):
			httpapi.WriteError(w, nil, &moniker.ConflictError{Paths: []string{"busy"}})
		case strings.Contains(gotPath, "boom"):
			httpapi.WriteDetail(w, 500, httpapi.CodeInternal, "internal error")
		default:
			httpapi.WriteJSON(w, 200, moniker.StatusResult{Path: "a/b c", Status: "deprecated", UpdatedBy: "alice", Message: "Status changed to deprecated"})
		}
	}))
	defer srv.Close()
	c, err := New(srv.URL+"/", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := c.SetStatus(ctx, "a/b c", moniker.StatusChange{Status: "deprecated", Actor: "alice"})
	if err != nil || res.UpdatedBy != "alice" || gotPath != "/config/status/a/b%20c" || !strings.Contains(gotBody, `"status":"deprecated"`) {
		t.Fatalf("res %+v err %v path %s body %s", res, err, gotPath, gotBody)
	}
	_, err = c.SetStatus(ctx, "missing", moniker.StatusChange{Status: "active", Actor: "a"})
	var se *httpapi.StatusError
	if !errors.As(err, &se) || se.Status != 404 || se.Detail != "Node not found: missing" {
		t.Errorf("404 relay: %v", err)
	}
	// An error body of the management plane is answered as it came.
	_, err = c.SetStatus(ctx, "busy", moniker.StatusChange{Status: "active", Actor: "a"})
	rec := httptest.NewRecorder()
	httpapi.WriteError(rec, nil, err)
	if want := `{"detail":"changed on disk since they were read: busy","code":"conflict","paths":["busy"]}` + "\n"; rec.Code != 409 || rec.Body.String() != want {
		t.Errorf("409 relay: %d %s", rec.Code, rec.Body)
	}
	if _, err := c.SetStatus(ctx, "boom", moniker.StatusChange{Status: "active", Actor: "a"}); !errors.Is(err, moniker.ErrUnavailable) {
		t.Errorf("500: %v", err)
	}
	srv.Close()
	if _, err := c.SetStatus(ctx, "x", moniker.StatusChange{Status: "active", Actor: "a"}); !errors.Is(err, moniker.ErrUnavailable) {
		t.Errorf("unreachable: %v", err)
	}
	if _, err := New("ftp://x", time.Second); err == nil {
		t.Error("ftp URL accepted")
	}
}

// TestSetStatusDeadline: a management plane slower than the caller's
// deadline is unavailable, and the error still says it was the deadline
// (moniker.Errorf keeps the %w cause).
func TestSetStatusDeadline(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	c, err := New(srv.URL, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err = c.SetStatus(ctx, "a", moniker.StatusChange{Status: "active", Actor: "a"})
	if !errors.Is(err, moniker.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v: Is(ErrUnavailable) %v, Is(DeadlineExceeded) %v", err, errors.Is(err, moniker.ErrUnavailable), errors.Is(err, context.DeadlineExceeded))
	}
}

// clock is a clock the test moves by hand.
type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// TestSetStatusBreaker: a failing management plane opens the circuit,
// which then fails fast without calling it (503, circuit_open,
// Retry-After), lets a probe through after the timeout and closes again
// once management answers.
func TestSetStatusBreaker(t *testing.T) {
	var hits atomic.Int64
	var healthy atomic.Bool
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case strings.Contains(r.URL.Path, "missing"):
			httpapi.WriteDetail(w, 404, httpapi.CodeNotFound, "Node not found: missing")
		case !healthy.Load():
			httpapi.WriteDetail(w, 500, httpapi.CodeInternal, "internal error")
		default:
			httpapi.WriteJSON(w, 200, moniker.StatusResult{Path: "p", Status: "active"})
		}
	}))
	defer srv.Close()
	clk := &clock{t: time.Unix(1_760_000_000, 0)}
	br, err := governance.NewBreaker(config.CircuitBreaker{Enabled: true, FailureThreshold: 3, SuccessThreshold: 2, TimeoutSeconds: 30, HalfOpenMaxRequests: 1},
		governance.BreakerOptions{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	c, err := New(srv.URL, time.Second, WithBreaker(br))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ch := moniker.StatusChange{Status: "active", Actor: "a"}
	set := func(path string) error {
		_, err := c.SetStatus(ctx, path, ch)
		return err
	}

	// 4xx answers are management answering: they never open the circuit.
	for range 5 {
		if err := set("missing"); err == nil {
			t.Fatal("404 relayed as success")
		}
	}
	// Three 500s in a row open it.
	for i := range 3 {
		if err := set("p"); !errors.Is(err, moniker.ErrUnavailable) {
			t.Fatalf("500 #%d: %v", i+1, err)
		}
	}
	if hits.Load() != 8 {
		t.Fatalf("management saw %d calls, want 8", hits.Load())
	}
	clk.t = clk.t.Add(10 * time.Second)
	err = set("p")
	var oe *governance.OpenError
	if !errors.As(err, &oe) || oe.Key != BreakerKey || oe.RetryAfter != 20*time.Second || !errors.Is(err, moniker.ErrUnavailable) {
		t.Fatalf("open circuit: %v", err)
	}
	if hits.Load() != 8 {
		t.Fatalf("an open circuit called management (%d calls)", hits.Load())
	}
	rec := httptest.NewRecorder()
	httpapi.WriteError(rec, nil, err)
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "20" || !strings.Contains(rec.Body.String(), `"code":"circuit_open"`) ||
		!strings.Contains(rec.Body.String(), "the status was not changed") {
		t.Errorf("answer: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}

	// After the timeout one probe goes through; management is back.
	healthy.Store(true)
	clk.t = clk.t.Add(20 * time.Second)
	for i := range 2 {
		if err := set("p"); err != nil {
			t.Fatalf("probe %d: %v", i+1, err)
		}
	}
	if hits.Load() != 10 {
		t.Errorf("management saw %d calls, want 10", hits.Load())
	}
	if st := br.Stats(); st.States.Closed != 1 || st.Sources[BreakerKey].State != "closed" {
		t.Errorf("after recovery: %+v", st)
	}

	// Unreachable counts too.
	srv.Close()
	for range 3 {
		_ = set("p")
	}
	if err := set("p"); !errors.As(err, &oe) {
		t.Errorf("unreachable management did not open the circuit: %v", err)
	}
}
