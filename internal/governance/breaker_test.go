package governance

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// cb is an enabled breaker section: 3 failures open, 2 successes close,
// 30 s open, 1 probe at a time unless changed.
func cb(probes int) config.CircuitBreaker {
	return config.CircuitBreaker{Enabled: true, FailureThreshold: 3, SuccessThreshold: 2, TimeoutSeconds: 30, HalfOpenMaxRequests: probes}
}

func newTestBreaker(t *testing.T, c config.CircuitBreaker, clk *fakeClock) *Breaker {
	t.Helper()
	b, err := NewBreaker(c, BreakerOptions{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *Breaker) stateOf(key string) State {
	b.mu.Lock()
	defer b.mu.Unlock()
	if c := b.circuits[key]; c != nil {
		return c.state
	}
	return Closed
}

var (
	errDown  = moniker.Errorf(moniker.ErrUnavailable, "source down")
	err404   = &httpapi.StatusError{Status: 404, Code: httpapi.CodeNotFound, Detail: "no such node"}
	err502   = &httpapi.StatusError{Status: 502, Code: httpapi.CodeInternal, Detail: "bad gateway"}
	errOther = errors.New("connection reset by peer")
)

// step is one call through the breaker (err is what the source returns;
// nil = success) after moving the clock, and what must come of it.
type step struct {
	advance time.Duration
	err     error
	// refused: Do returns an *OpenError with this RetryAfter without
	// calling the source.
	refused time.Duration
	state   State // after the call
}

func TestBreakerStateMachine(t *testing.T) {
	const timeout = 30 * time.Second
	tests := []struct {
		name  string
		steps []step
	}{
		{"closed opens after N consecutive failures", []step{
			{err: errDown, state: Closed},
			{err: errDown, state: Closed},
			{err: errDown, state: Open},
			{refused: timeout, state: Open},
			{advance: 10 * time.Second, refused: 20 * time.Second, state: Open},
		}},
		{"a success while closed resets the count", []step{
			{err: errDown}, {err: errDown}, {err: nil},
			{err: errDown}, {err: errDown, state: Closed},
			{err: errDown, state: Open},
		}},
		{"4xx answers are the source answering", []step{
			{err: err404}, {err: err404}, {err: err404}, {err: err404, state: Closed},
			{err: moniker.Errorf(moniker.ErrNotFound, "x")}, {err: moniker.Errorf(moniker.ErrInvalid, "x")},
			{err: &moniker.DeniedError{Message: "no"}, state: Closed},
		}},
		{"5xx, transport and unknown errors are failures", []step{
			{err: err502}, {err: errOther}, {err: fmt.Errorf("dial: %w", context.DeadlineExceeded), state: Open},
		}},
		{"open, then half-open after the timeout, closed after M successes", []step{
			{err: errDown}, {err: errDown}, {err: errDown, state: Open},
			{advance: timeout - time.Nanosecond, refused: time.Nanosecond, state: Open},
			{advance: time.Nanosecond, err: nil, state: HalfOpen},
			{err: nil, state: Closed},
			// Closed again: it takes N failures anew.
			{err: errDown}, {err: errDown, state: Closed},
		}},
		{"a half-open failure opens it again for a whole timeout", []step{
			{err: errDown}, {err: errDown}, {err: errDown, state: Open},
			{advance: timeout, err: nil, state: HalfOpen},
			{advance: 5 * time.Second, err: errDown, state: Open},
			{refused: timeout, state: Open},
			{advance: timeout, err: nil, state: HalfOpen},
		}},
		{"a 4xx probe counts as a success", []step{
			{err: errDown}, {err: errDown}, {err: errDown, state: Open},
			{advance: timeout, err: err404, state: HalfOpen},
			{err: err404, state: Closed},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{}
			b := newTestBreaker(t, cb(1), clk)
			for i, s := range tt.steps {
				clk.advance(s.advance)
				called := false
				err := b.Do(context.Background(), "src", func(context.Context) error {
					called = true
					return s.err
				})
				var oe *OpenError
				switch {
				case s.refused > 0:
					if called || !errors.As(err, &oe) || oe.Key != "src" || oe.RetryAfter != s.refused {
						t.Fatalf("step %d: called %v, err %#v; want refused with RetryAfter %v", i, called, err, s.refused)
					}
				case !called || err != s.err:
					t.Fatalf("step %d: called %v, err %v; want the source called and its error %v", i, called, err, s.err)
				}
				if got := b.stateOf("src"); got != s.state {
					t.Fatalf("step %d: state %v, want %v", i, got, s.state)
				}
			}
		})
	}
}

// openBreaker returns a breaker whose "src" circuit has just opened.
func openBreaker(t *testing.T, c config.CircuitBreaker, clk *fakeClock) *Breaker {
	t.Helper()
	b := newTestBreaker(t, c, clk)
	for range c.FailureThreshold {
		_ = b.Do(context.Background(), "src", func(context.Context) error { return errDown })
	}
	if b.stateOf("src") != Open {
		t.Fatal("circuit did not open")
	}
	return b
}

// TestBreakerProbeCap: a half-open circuit lets at most
// half_open_max_requests probes run at once; the rest fail fast.
func TestBreakerProbeCap(t *testing.T) {
	clk := &fakeClock{}
	b := openBreaker(t, cb(2), clk)
	clk.advance(30 * time.Second)
	release := make(chan struct{})
	started := make(chan struct{}, 2)
	var wg sync.WaitGroup
	for range 2 {
		wg.Go(func() {
			_ = b.Do(context.Background(), "src", func(context.Context) error {
				started <- struct{}{}
				<-release
				return nil
			})
		})
	}
	<-started
	<-started
	called := false
	err := b.Do(context.Background(), "src", func(context.Context) error { called = true; return nil })
	var oe *OpenError
	if called || !errors.As(err, &oe) || oe.RetryAfter != probeWait {
		t.Fatalf("third concurrent probe: called %v, err %v; want refused with RetryAfter %v", called, err, probeWait)
	}
	close(release)
	wg.Wait()
	if got := b.stateOf("src"); got != Closed {
		t.Errorf("after 2 successful probes: %v, want closed", got)
	}
	if st := b.Stats().Sources["src"]; st.Rejected != 1 {
		t.Errorf("rejected = %d, want 1 (the third probe)", st.Rejected)
	}
}

// TestBreakerIgnoredOutcomes: a call whose caller gave up, or that
// panicked, says nothing about the source, and frees its probe slot.
func TestBreakerIgnoredOutcomes(t *testing.T) {
	clk := &fakeClock{}
	b := newTestBreaker(t, cb(1), clk)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for range 5 {
		_ = b.Do(ctx, "src", func(ctx context.Context) error { return moniker.Errorf(moniker.ErrUnavailable, "%v", ctx.Err()) })
	}
	if got := b.stateOf("src"); got != Closed {
		t.Fatalf("failures after the caller gave up opened the circuit: %v", got)
	}

	b = openBreaker(t, cb(1), clk)
	clk.advance(30 * time.Second)
	func() {
		defer func() { _ = recover() }()
		_ = b.Do(context.Background(), "src", func(context.Context) error { panic("boom") })
	}()
	if got := b.stateOf("src"); got != HalfOpen {
		t.Fatalf("after a panicking probe: %v, want half_open", got)
	}
	called := false
	_ = b.Do(context.Background(), "src", func(context.Context) error { called = true; return nil })
	if !called {
		t.Error("the panicking probe kept its slot")
	}
}

// TestBreakerStaleOutcome: a call admitted before the circuit opened does
// not count once it has.
func TestBreakerStaleOutcome(t *testing.T) {
	clk := &fakeClock{}
	b := newTestBreaker(t, cb(1), clk)
	release := make(chan struct{})
	started := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = b.Do(context.Background(), "src", func(context.Context) error {
			close(started)
			<-release
			return errDown
		})
	}()
	<-started
	for range 3 {
		_ = b.Do(context.Background(), "src", func(context.Context) error { return errDown })
	}
	clk.advance(10 * time.Second)
	close(release)
	<-done
	err := b.Do(context.Background(), "src", func(context.Context) error { return nil })
	var oe *OpenError
	if !errors.As(err, &oe) || oe.RetryAfter != 20*time.Second {
		t.Errorf("err %v; want open with 20s left (the late failure must not restart the timeout)", err)
	}
}

// TestBreakerBegin: a call admitted with Begin counts when its end is
// called, as Do's would, and a refused Begin returns the OpenError.
func TestBreakerBegin(t *testing.T) {
	clk := &fakeClock{}
	b := newTestBreaker(t, cb(1), clk)
	var ends []func(error)
	for range 3 {
		end, err := b.Begin("src")
		if err != nil {
			t.Fatal(err)
		}
		ends = append(ends, end)
	}
	if got := b.stateOf("src"); got != Closed {
		t.Fatalf("before any end: %v, want closed", got)
	}
	ends[0](context.Canceled) // the caller gave up: neither
	ends[1](errDown)
	ends[2](errDown)
	if got := b.stateOf("src"); got != Closed {
		t.Fatalf("two failures: %v, want closed", got)
	}
	end, _ := b.Begin("src")
	end(moniker.Errorf(moniker.ErrTimeout, "slow"))
	if got := b.stateOf("src"); got != Open {
		t.Fatalf("three failures: %v, want open", got)
	}
	var oe *OpenError
	if end, err := b.Begin("src"); end != nil || !errors.As(err, &oe) || oe.RetryAfter != 30*time.Second {
		t.Fatalf("Begin on an open circuit = %v, %v; want an OpenError with 30s", end != nil, err)
	}
	clk.advance(30 * time.Second)
	probe, err := b.Begin("src")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Begin("src"); !errors.As(err, &oe) {
		t.Fatalf("a second probe while one is in flight: %v, want refused", err)
	}
	probe(nil)
	end, _ = b.Begin("src")
	end(nil)
	if got := b.stateOf("src"); got != Closed {
		t.Errorf("after two successful probes: %v, want closed", got)
	}
	var nilB *Breaker
	end, err = nilB.Begin("src")
	if err != nil || end == nil {
		t.Fatalf("nil breaker Begin = %v", err)
	}
	end(errDown)
}

func TestBreakerDisabledAndNil(t *testing.T) {
	clk := &fakeClock{}
	b := newTestBreaker(t, config.CircuitBreaker{}, clk)
	var nilB *Breaker
	for _, br := range []*Breaker{b, nilB} {
		calls := 0
		for range 10 {
			_ = br.Do(context.Background(), "src", func(context.Context) error { calls++; return errDown })
		}
		if calls != 10 {
			t.Errorf("%v: called the source %d times, want 10", br, calls)
		}
	}
	if st := b.Stats(); st.Enabled || st.TrackedSources != 0 {
		t.Errorf("disabled stats %+v", st)
	}
}

func TestNewBreakerRejectsBadConfig(t *testing.T) {
	for _, c := range []config.CircuitBreaker{
		{Enabled: true, FailureThreshold: 0, SuccessThreshold: 1, TimeoutSeconds: 1, HalfOpenMaxRequests: 1},
		{Enabled: true, FailureThreshold: 1, SuccessThreshold: 0, TimeoutSeconds: 1, HalfOpenMaxRequests: 1},
		{Enabled: true, FailureThreshold: 1, SuccessThreshold: 1, TimeoutSeconds: 0, HalfOpenMaxRequests: 1},
		{Enabled: true, FailureThreshold: 1, SuccessThreshold: 1, TimeoutSeconds: 1, HalfOpenMaxRequests: 0},
	} {
		if _, err := NewBreaker(c, BreakerOptions{}); err == nil {
			t.Errorf("NewBreaker(%+v) accepted", c)
		}
	}
}

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want outcome
	}{
		{nil, success},
		{err404, success},
		{&httpapi.StatusError{Status: 409}, success},
		{moniker.Errorf(moniker.ErrConflict, "x"), success},
		{moniker.Errorf(moniker.ErrNotImplemented, "x"), success},
		{&moniker.ParseError{Message: "bad"}, success},
		{&moniker.NotFoundError{Path: "a"}, success},
		{err502, failure},
		{&httpapi.StatusError{Status: 503}, failure},
		{errDown, failure},
		{errOther, failure},
		{context.DeadlineExceeded, failure},
		{fmt.Errorf("get: %w", context.Canceled), ignored},
	}
	for _, tt := range tests {
		if got := classify(tt.err); got != tt.want {
			t.Errorf("classify(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}

func TestBreakerStatsAndMetrics(t *testing.T) {
	clk := &fakeClock{}
	b := openBreaker(t, cb(1), clk)
	_ = b.Do(context.Background(), "src", func(context.Context) error { return nil }) // refused
	_ = b.Do(context.Background(), "management", func(context.Context) error { return errDown })
	clk.advance(30 * time.Second)
	_ = b.Do(context.Background(), "src", func(context.Context) error { return nil }) // half-open probe

	got := b.Stats()
	want := BreakerStats{Enabled: true, TrackedSources: 2, States: StateCounts{Closed: 1, HalfOpen: 1},
		Sources: map[string]SourceStats{
			"src":        {State: "half_open", Rejected: 1},
			"management": {State: "closed", ConsecutiveFailures: 1},
		}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Stats() = %+v\nwant %+v", got, want)
	}

	expected := `
# HELP moniker_circuit_breaker_rejected_total Calls refused without calling the source, by source.
# TYPE moniker_circuit_breaker_rejected_total counter
moniker_circuit_breaker_rejected_total{source="management"} 0
moniker_circuit_breaker_rejected_total{source="src"} 1
# HELP moniker_circuit_breaker_state 1 for the state each source's circuit is in, 0 for the others.
# TYPE moniker_circuit_breaker_state gauge
moniker_circuit_breaker_state{source="management",state="closed"} 1
moniker_circuit_breaker_state{source="management",state="half_open"} 0
moniker_circuit_breaker_state{source="management",state="open"} 0
moniker_circuit_breaker_state{source="src",state="closed"} 0
moniker_circuit_breaker_state{source="src",state="half_open"} 1
moniker_circuit_breaker_state{source="src",state="open"} 0
# HELP moniker_circuit_breaker_transitions_total Circuit state changes by source.
# TYPE moniker_circuit_breaker_transitions_total counter
moniker_circuit_breaker_transitions_total{from="closed",source="management",to="open"} 0
moniker_circuit_breaker_transitions_total{from="closed",source="src",to="open"} 1
moniker_circuit_breaker_transitions_total{from="half_open",source="management",to="closed"} 0
moniker_circuit_breaker_transitions_total{from="half_open",source="management",to="open"} 0
moniker_circuit_breaker_transitions_total{from="half_open",source="src",to="closed"} 0
moniker_circuit_breaker_transitions_total{from="half_open",source="src",to="open"} 0
moniker_circuit_breaker_transitions_total{from="open",source="management",to="half_open"} 0
moniker_circuit_breaker_transitions_total{from="open",source="src",to="half_open"} 1
`
	if err := testutil.CollectAndCompare(b, strings.NewReader(expected)); err != nil {
		t.Error(err)
	}
}

func TestLimiterMetrics(t *testing.T) {
	clk := &fakeClock{}
	l := newTestLimiter(t, gov(10, 1, 100, 2), clk)
	l.Allow("alice", 1)
	l.Allow("alice", 1) // caller
	l.Allow("bob", 1)
	l.Allow("carol", 1) // global
	expected := `
# HELP moniker_rate_limiter_active_callers Callers with a token bucket (idle ones are forgotten after 300 s).
# TYPE moniker_rate_limiter_active_callers gauge
moniker_rate_limiter_active_callers 3
# HELP moniker_rate_limiter_allowed_total Requests the rate limiter let through.
# TYPE moniker_rate_limiter_allowed_total counter
moniker_rate_limiter_allowed_total 2
# HELP moniker_rate_limiter_limited_total Requests refused with 429, by the bucket that refused them (global or caller).
# TYPE moniker_rate_limiter_limited_total counter
moniker_rate_limiter_limited_total{scope="caller"} 1
moniker_rate_limiter_limited_total{scope="global"} 1
`
	if err := testutil.CollectAndCompare(l, strings.NewReader(expected)); err != nil {
		t.Error(err)
	}
}

// TestOpenErrorAnswer: httpapi.WriteError answers an open circuit, even
// wrapped, with 503, circuit_open and an integer Retry-After.
func TestOpenErrorAnswer(t *testing.T) {
	err := fmt.Errorf("management plane is unavailable: %w", &OpenError{Key: "management", RetryAfter: 1500 * time.Millisecond})
	if !errors.Is(err, moniker.ErrUnavailable) {
		t.Fatal("an OpenError is not unavailable")
	}
	rec := httptest.NewRecorder()
	httpapi.WriteError(rec, nil, err)
	want := `{"detail":"management plane is unavailable: circuit open for management; retry in 2s","code":"circuit_open"}` + "\n"
	if rec.Code != http.StatusServiceUnavailable || rec.Header().Get("Retry-After") != "2" || rec.Body.String() != want {
		t.Errorf("answer %d, Retry-After %q, body %s; want 503, 2, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body, want)
	}
	// A plain unavailable error keeps its own answer.
	rec = httptest.NewRecorder()
	httpapi.WriteError(rec, nil, errDown)
	if rec.Code != 503 || rec.Header().Get("Retry-After") != "" || !strings.Contains(rec.Body.String(), `"code":"unavailable"`) {
		t.Errorf("plain unavailable: %d, Retry-After %q, %s", rec.Code, rec.Header().Get("Retry-After"), rec.Body)
	}
}

func TestRetryAfterSeconds(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want int64
	}{
		{-time.Second, 1}, {0, 1}, {time.Nanosecond, 1}, {time.Second, 1},
		{time.Second + time.Nanosecond, 2}, {2 * time.Second, 2}, {90 * time.Second, 90},
	} {
		if got := httpapi.RetryAfterSeconds(tt.d); got != tt.want {
			t.Errorf("RetryAfterSeconds(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}
