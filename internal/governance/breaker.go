package governance

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// State is a circuit's state.
type State int

// The three states of a circuit.
const (
	// Closed: calls go through; consecutive failures are counted.
	Closed State = iota
	// Open: calls fail fast with *OpenError until the timeout has passed.
	Open
	// HalfOpen: a few probe calls go through; enough successes close the
	// circuit, one failure opens it again.
	HalfOpen
)

func (s State) String() string {
	switch s {
	case Closed:
		return "closed"
	case Open:
		return "open"
	case HalfOpen:
		return "half_open"
	}
	return "State(" + strconv.Itoa(int(s)) + ")"
}

// probeWait is the Retry-After of a call refused because the half-open
// circuit's probes are all in flight: they finish within a call's
// timeout, usually much sooner.
const probeWait = time.Second

// OpenError is returned by Breaker.Do instead of calling a source whose
// circuit is open (or half-open with all its probes in flight). It wraps
// moniker.ErrUnavailable (503), and httpapi.WriteError answers it with the
// code circuit_open and a Retry-After header.
type OpenError struct {
	// Key is the source whose circuit is open.
	Key string
	// RetryAfter is when the circuit lets a probe through again.
	RetryAfter time.Duration
}

func (e *OpenError) Error() string {
	return fmt.Sprintf("circuit open for %s; retry in %ds", e.Key, httpapi.RetryAfterSeconds(e.RetryAfter))
}

// Unwrap makes an OpenError an unavailable-kind error.
func (e *OpenError) Unwrap() error { return moniker.ErrUnavailable }

// RetryDelay is RetryAfter (httpapi.Retryable).
func (e *OpenError) RetryDelay() time.Duration { return e.RetryAfter }

// ErrorCode is httpapi.CodeCircuitOpen (httpapi.Retryable).
func (e *OpenError) ErrorCode() string { return httpapi.CodeCircuitOpen }

// Breaker is a set of circuit breakers, one per source key (e.g.
// "management", or "<source type>:<binding path>" for /fetch). Unlike
// upstream's, a success while closed resets the failure count (only
// consecutive failures open a circuit), and a half-open circuit lets at
// most half_open_max_requests probes run at once.
//
// Calls to sources take milliseconds; one mutex held for a few
// nanoseconds per call guards every circuit. A Breaker is a
// prometheus.Collector (see Describe). A nil *Breaker calls through.
type Breaker struct {
	enabled          bool
	failureThreshold int
	successThreshold int
	maxProbes        int
	timeout          time.Duration
	now              func() time.Time
	log              *slog.Logger

	descs breakerDescs

	mu       sync.Mutex
	circuits map[string]*circuit
}

// circuit is one source's state. gen changes on every transition, so the
// outcome of a call admitted before a transition is not counted after
// it.
type circuit struct {
	state     State
	gen       uint64
	failures  int // consecutive, while closed
	successes int // while half-open
	probes    int // in flight, while half-open
	openedAt  time.Time
	rejected  uint64
	// transitions[from][to] counts state changes.
	transitions [3][3]uint64
}

// BreakerOptions are a Breaker's settings that are not in the config
// file.
type BreakerOptions struct {
	// Log receives a line per state change (nil = none).
	Log *slog.Logger
	// Now is the clock (nil = time.Now).
	Now func() time.Time
}

// NewBreaker returns a breaker with the section's thresholds (enabled
// false = every call goes through and nothing is tracked).
func NewBreaker(c config.CircuitBreaker, o BreakerOptions) (*Breaker, error) {
	if c.Enabled && (c.FailureThreshold < 1 || c.SuccessThreshold < 1 || c.TimeoutSeconds <= 0 || c.HalfOpenMaxRequests < 1) {
		return nil, errors.New("governance: circuit breaker thresholds and half_open_max_requests must be >= 1 and timeout_seconds > 0")
	}
	now := o.Now
	if now == nil {
		now = time.Now
	}
	return &Breaker{
		enabled:          c.Enabled,
		failureThreshold: c.FailureThreshold,
		successThreshold: c.SuccessThreshold,
		maxProbes:        c.HalfOpenMaxRequests,
		timeout:          c.Timeout(),
		now:              now,
		log:              o.Log,
		descs:            newBreakerDescs(),
		circuits:         map[string]*circuit{},
	}, nil
}

// outcome is what a call says about its source's health.
type outcome int

const (
	success outcome = iota // the source answered
	failure                // the source is down, failing or too slow
	ignored                // says nothing about the source
)

// classify says what err tells about the source:
//   - nil, a refusal of the request itself (a 4xx *httpapi.StatusError,
//     or an error of kind invalid, not found, denied, conflict,
//     precondition or not implemented): the source answered, success;
//   - context.Canceled: the caller gave up, ignored;
//   - anything else (unavailable, a transport error, a timeout, a 5xx
//     *httpapi.StatusError, an unknown error): failure.
func classify(err error) outcome {
	var se *httpapi.StatusError
	switch {
	case err == nil:
		return success
	case errors.Is(err, context.Canceled):
		return ignored
	case errors.As(err, &se):
		if se.Status >= 500 {
			return failure
		}
		return success
	}
	switch moniker.KindOf(err) {
	case moniker.ErrInvalid, moniker.ErrNotFound, moniker.ErrDenied, moniker.ErrConflict, moniker.ErrPrecondition, moniker.ErrNotImplemented:
		return success
	}
	return failure
}

// Do calls fn through key's circuit: when the circuit is open (or
// half-open with all its probes busy) it returns an *OpenError without
// calling fn; otherwise it calls fn, records what fn's error says about
// the source (see below) and returns fn's error as it is.
//
// Failures are errors of kind unavailable, transport errors, timeouts,
// 5xx *httpapi.StatusErrors and unknown errors; 4xx StatusErrors and
// errors of kind invalid, not found, denied, conflict, precondition or
// not implemented are the source answering, so successes. An error while ctx is done (the
// caller gave up) counts as neither, and so does a panic in fn.
func (b *Breaker) Do(ctx context.Context, key string, fn func(context.Context) error) error {
	if b == nil || !b.enabled {
		return fn(ctx)
	}
	gen, err := b.admit(key)
	if err != nil {
		return err
	}
	res := ignored
	defer func() { b.record(key, gen, res) }()
	err = fn(ctx)
	if err == nil || ctx.Err() == nil {
		res = classify(err)
	}
	return err
}

// Begin admits one call through key's circuit as Do does, for a call
// whose outcome is known only later than a function's return (a result
// that is read after the call that opened it). When the circuit refuses
// the call, err is an *OpenError; otherwise end records the call's
// outcome from its error, classified as Do classifies fn's (nil is a
// success; pass context.Canceled for a call the caller gave up on). end
// must be called exactly once. A nil or disabled Breaker admits every
// call and end does nothing.
func (b *Breaker) Begin(key string) (end func(err error), err error) {
	if b == nil || !b.enabled {
		return func(error) {}, nil
	}
	gen, err := b.admit(key)
	if err != nil {
		return nil, err
	}
	return func(err error) { b.record(key, gen, classify(err)) }, nil
}

// admit lets a call through key's circuit or refuses it, and returns the
// circuit's generation for record.
func (b *Breaker) admit(key string) (uint64, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.circuits[key]
	if c == nil {
		c = &circuit{}
		b.circuits[key] = c
	}
	switch c.state {
	case Open:
		now := b.now()
		if waited := now.Sub(c.openedAt); waited < b.timeout {
			c.rejected++
			return 0, &OpenError{Key: key, RetryAfter: b.timeout - waited}
		}
		b.transition(key, c, HalfOpen, now)
		fallthrough
	case HalfOpen:
		if c.probes >= b.maxProbes {
			c.rejected++
			return 0, &OpenError{Key: key, RetryAfter: probeWait}
		}
		c.probes++
	}
	return c.gen, nil
}

// record counts the outcome of a call admitted at generation gen.
func (b *Breaker) record(key string, gen uint64, res outcome) {
	b.mu.Lock()
	defer b.mu.Unlock()
	c := b.circuits[key]
	if c.gen != gen {
		return // admitted before a state change: stale
	}
	switch c.state {
	case Closed:
		switch res {
		case success:
			c.failures = 0
		case failure:
			c.failures++
			if c.failures >= b.failureThreshold {
				b.transition(key, c, Open, b.now())
			}
		}
	case HalfOpen:
		c.probes--
		switch res {
		case success:
			c.successes++
			if c.successes >= b.successThreshold {
				b.transition(key, c, Closed, b.now())
			}
		case failure:
			b.transition(key, c, Open, b.now())
		}
	}
}

// transition moves c to state to. b.mu is held.
func (b *Breaker) transition(key string, c *circuit, to State, now time.Time) {
	from := c.state
	c.transitions[from][to]++
	c.state = to
	c.gen++
	c.failures, c.successes, c.probes = 0, 0, 0
	if to == Open {
		c.openedAt = now
	}
	if b.log != nil {
		level := slog.LevelInfo
		if to == Open {
			level = slog.LevelWarn
		}
		b.log.Log(context.Background(), level, "circuit breaker state change", "source", key, "from", from.String(), "to", to.String())
	}
}

// BreakerStats is the /health "circuit_breaker" section: upstream's keys
// plus each source's state.
type BreakerStats struct {
	Enabled        bool                   `json:"enabled"`
	TrackedSources int                    `json:"tracked_sources"`
	States         StateCounts            `json:"states"`
	Sources        map[string]SourceStats `json:"sources"`
}

// StateCounts counts sources by state.
type StateCounts struct {
	Closed   int `json:"closed"`
	Open     int `json:"open"`
	HalfOpen int `json:"half_open"`
}

// SourceStats is one source's circuit.
type SourceStats struct {
	State string `json:"state"`
	// ConsecutiveFailures counts failures since the last success while
	// closed.
	ConsecutiveFailures int `json:"consecutive_failures"`
	// Rejected counts calls refused without calling the source.
	Rejected uint64 `json:"rejected"`
}

// Stats returns every tracked source's state.
func (b *Breaker) Stats() BreakerStats {
	s := BreakerStats{Enabled: b.enabled, Sources: map[string]SourceStats{}}
	b.mu.Lock()
	defer b.mu.Unlock()
	for key, c := range b.circuits {
		switch c.state {
		case Closed:
			s.States.Closed++
		case Open:
			s.States.Open++
		case HalfOpen:
			s.States.HalfOpen++
		}
		s.Sources[key] = SourceStats{State: c.state.String(), ConsecutiveFailures: c.failures, Rejected: c.rejected}
	}
	s.TrackedSources = len(b.circuits)
	return s
}
