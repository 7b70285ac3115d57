package browsertest

import (
	"net/http"
	"sync"
	"time"
)

// ServerClock wraps a handler and sums the time the server spends on
// requests, by path: what "the page opens in under a second of server
// time" is measured with.
type ServerClock struct {
	h  http.Handler
	mu sync.Mutex
	by map[string]time.Duration
	n  int
}

// NewServerClock returns a clock around h; serve it (httptest.NewServer).
func NewServerClock(h http.Handler) *ServerClock {
	return &ServerClock{h: h, by: map[string]time.Duration{}}
}

// ServeHTTP serves the request with the wrapped handler and records its
// time.
func (c *ServerClock) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	c.h.ServeHTTP(w, r)
	d := time.Since(start)
	c.mu.Lock()
	c.by[r.URL.Path] += d
	c.n++
	c.mu.Unlock()
}

// Take returns the time spent since the last Take, in all and by path,
// and the number of requests, and starts over.
func (c *ServerClock) Take() (total time.Duration, by map[string]time.Duration, n int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, d := range c.by {
		total += d
	}
	by, n = c.by, c.n
	c.by, c.n = map[string]time.Duration{}, 0
	return total, by, n
}

// TaskDelay is how long a task queued in the page now waits before it
// runs: a page that stays responsive answers in a few milliseconds.
func (b *Tab) TaskDelay() time.Duration {
	b.t.Helper()
	ms := Eval[float64](b, `new Promise(r => { const t0 = performance.now(); setTimeout(() => r(performance.now() - t0), 0); })`)
	return time.Duration(ms * float64(time.Millisecond))
}
