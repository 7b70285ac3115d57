// Package governance protects the service and what it depends on: a
// token-bucket rate limiter per caller plus a global one (reference
// §4.1–4.2), and a circuit breaker per source (§4.3), each with its HTTP
// glue, its /health section and its Prometheus metrics.
package governance

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moniker-svc/moniker/internal/config"
)

// IdleTimeout is how long a caller's bucket may go untouched (and full)
// before it is forgotten. A forgotten caller comes back to a full bucket,
// which is what an idle bucket would hold anyway.
const IdleTimeout = 300 * time.Second

// dead marks a bucket the sweeper removed; Allow then makes a new one.
const dead = math.MinInt64

// numStripes counter stripes spread the statistics counters of different
// callers over different cache lines.
const numStripes = 16

// Limiter is a token-bucket rate limiter: one bucket per caller key plus
// one global bucket, each refilled continuously at its rate up to its
// burst capacity; a new caller starts with a full bucket.
//
// Buckets are GCRA cells: one atomic "theoretical arrival time" per
// bucket, updated with a compare-and-swap, so Allow takes no lock and
// allocates nothing for a key it has seen. Idle buckets are removed by
// Sweep (run by Run in the background), never by Allow.
//
// A Limiter is a prometheus.Collector (see Describe). The zero value is
// not usable; build one with NewLimiter.
type Limiter struct {
	enabled        bool
	headerIdentity bool
	onLimited      func(r *http.Request, key, reason string)
	now            func() time.Time
	epoch          time.Time
	caller, global rate
	globalMsg      string
	descs          limiterDescs

	// globalTAT is the global bucket, alone on its cache line.
	_         [64]byte
	globalTAT atomic.Int64
	_         [56]byte

	buckets    sync.Map // key string → *bucket
	active     atomic.Int64
	nextStripe atomic.Uint32
	stripes    [numStripes]stripe
}

// rate is one bucket's parameters, in GCRA terms.
type rate struct {
	perSecond float64
	// interval is the time one token takes to refill, in nanoseconds.
	interval float64
	// tolerance is the time a full bucket takes to refill from empty
	// (burst × interval), in nanoseconds.
	tolerance int64
}

func newRate(perSecond, burst float64) rate {
	iv := float64(time.Second) / perSecond
	return rate{perSecond: perSecond, interval: iv, tolerance: int64(burst * iv)}
}

// cost is the time n tokens take to refill. A cost larger than the bucket
// is capped at the whole bucket, so it can pass when the bucket is full
// rather than never.
func (r rate) cost(n int) int64 {
	return int64(min(float64(n)*r.interval, float64(r.tolerance)))
}

// bucket is one caller's GCRA cell: tat is the time (nanoseconds since
// the limiter's epoch) at which the bucket will be full again; at or
// before now it is full. Padded to a cache line so busy callers do not
// share one.
type bucket struct {
	tat atomic.Int64
	st  *stripe
	_   [48]byte
}

// stripe holds request counters; each bucket counts in one stripe, so
// counts survive the bucket's removal.
type stripe struct {
	allowed, limitedCaller, limitedGlobal atomic.Uint64
	_                                     [40]byte
}

// LimiterOptions are a Limiter's settings that are not in the config file.
type LimiterOptions struct {
	// HeaderIdentity keys callers without an authenticated principal by
	// their X-App-ID hint. Set it only when authentication is off: with
	// auth on, a header anyone can send must not buy a fresh bucket, so
	// every unauthenticated caller shares the key "anonymous".
	HeaderIdentity bool
	// Now is the clock (nil = the monotonic clock). It must not go
	// backwards.
	Now func() time.Time
	// OnLimited, if set, is called by Middleware for every request it
	// refuses, with the caller key and the 429 message (e.g. to emit a
	// rate_limited access event). It runs on the request's goroutine and
	// must not block.
	OnLimited func(r *http.Request, key, reason string)
}

// NewLimiter returns a limiter with the governance section's rates
// (rate_limiter_enabled false = every request passes and nothing is
// counted).
func NewLimiter(g config.Governance, o LimiterOptions) (*Limiter, error) {
	if g.RateLimiterEnabled {
		if !(g.RequestsPerSecond > 0 && g.GlobalRequestsPerSecond > 0 && g.BurstCapacity >= 1 && g.GlobalBurstCapacity >= 1) {
			return nil, errors.New("governance: rates must be > 0 and burst capacities >= 1")
		}
	}
	l := &Limiter{
		enabled:        g.RateLimiterEnabled,
		headerIdentity: o.HeaderIdentity,
		onLimited:      o.OnLimited,
		now:            o.Now,
		epoch:          time.Now(),
		descs:          newLimiterDescs(),
	}
	if o.Now != nil {
		l.epoch = o.Now()
	}
	if l.enabled {
		l.caller = newRate(g.RequestsPerSecond, g.BurstCapacity)
		l.global = newRate(g.GlobalRequestsPerSecond, g.GlobalBurstCapacity)
		l.globalMsg = "Global rate limit exceeded (" + formatRate(g.GlobalRequestsPerSecond) + " req/s)"
	}
	return l, nil
}

func formatRate(r float64) string { return strconv.FormatFloat(r, 'g', -1, 64) }

// Enabled reports whether the limiter limits anything.
func (l *Limiter) Enabled() bool { return l.enabled }

// clock is nanoseconds since the limiter was built. time.Since reads
// only the monotonic clock, half the price of time.Now.
func (l *Limiter) clock() int64 {
	if l.now == nil {
		return int64(time.Since(l.epoch))
	}
	return int64(l.now().Sub(l.epoch))
}

// Allow takes cost tokens (at least 1) from the global bucket and then
// from key's bucket, all of them or none. When the caller's bucket
// refuses, the global tokens just taken are given back, so a caller over
// its own limit does not eat into everybody's. On refusal retryAfter is
// when enough tokens will be there again (if nobody else takes them) and
// reason is the 429 message. A cost larger than a bucket's capacity
// needs a full bucket.
func (l *Limiter) Allow(key string, cost int) (ok bool, retryAfter time.Duration, reason string) {
	if !l.enabled {
		return true, 0, ""
	}
	cost = max(cost, 1)
	now := l.clock()
	b := l.bucket(key, now)
	st := b.st
	ginc := l.global.cost(cost)
	if ok, wait, _ := take(&l.globalTAT, now, ginc, l.global.tolerance); !ok {
		st.limitedGlobal.Add(1)
		return false, time.Duration(wait), l.globalMsg
	}
	cinc := l.caller.cost(cost)
	for {
		ok, wait, gone := take(&b.tat, now, cinc, l.caller.tolerance)
		if gone {
			// Swept between the lookup and the take: start afresh.
			l.buckets.CompareAndDelete(key, b)
			b = l.bucket(key, now)
			continue
		}
		if !ok {
			l.globalTAT.Add(-ginc)
			st.limitedCaller.Add(1)
			return false, time.Duration(wait), "Rate limit exceeded for " + key + " (" + formatRate(l.caller.perSecond) + " req/s)"
		}
		st.allowed.Add(1)
		return true, 0, ""
	}
}

// take is one GCRA step: inc more nanoseconds of debt on the cell tat if
// that keeps the debt within tol, else how long until it would. gone
// reports a removed bucket.
func take(tat *atomic.Int64, now, inc, tol int64) (ok bool, wait int64, gone bool) {
	for {
		t := tat.Load()
		if t == dead {
			return false, 0, true
		}
		next := max(t, now) + inc
		if next-now > tol {
			return false, next - tol - now, false
		}
		if tat.CompareAndSwap(t, next) {
			return true, 0, false
		}
	}
}

// bucket returns key's bucket, making a full one if there is none.
func (l *Limiter) bucket(key string, now int64) *bucket {
	if v, ok := l.buckets.Load(key); ok {
		return v.(*bucket)
	}
	nb := &bucket{st: &l.stripes[l.nextStripe.Add(1)%numStripes]}
	nb.tat.Store(now)
	v, loaded := l.buckets.LoadOrStore(strings.Clone(key), nb)
	if !loaded {
		l.active.Add(1)
	}
	return v.(*bucket)
}

// Sweep removes the buckets of callers idle for more than IdleTimeout
// (their bucket has been full that long) and returns how many it removed.
// It walks every bucket: Run calls it once a minute, never per request.
func (l *Limiter) Sweep() int {
	if !l.enabled {
		return 0
	}
	now := l.clock()
	idle := int64(IdleTimeout)
	n := 0
	l.buckets.Range(func(k, v any) bool {
		b := v.(*bucket)
		t := b.tat.Load()
		if t != dead && now-t > idle && b.tat.CompareAndSwap(t, dead) {
			l.buckets.CompareAndDelete(k, b)
			l.active.Add(-1)
			n++
		}
		return true
	})
	return n
}

// Run sweeps idle buckets once a minute until ctx is done.
func (l *Limiter) Run(ctx context.Context) {
	if !l.enabled {
		return
	}
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			l.Sweep()
		}
	}
}

// LimiterStats is the /health "rate_limiter" section: upstream's keys
// plus the refusals by scope.
type LimiterStats struct {
	Enabled          bool    `json:"enabled"`
	ActiveCallers    int64   `json:"active_callers"`
	TotalRequests    uint64  `json:"total_requests"`
	TotalLimited     uint64  `json:"total_limited"`
	LimitRatePercent float64 `json:"limit_rate_percent"`
	LimitedGlobal    uint64  `json:"limited_global"`
	LimitedCaller    uint64  `json:"limited_caller"`
}

// Stats returns the counters since the limiter was built.
func (l *Limiter) Stats() LimiterStats {
	allowed, byCaller, byGlobal := l.counts()
	s := LimiterStats{
		Enabled:       l.enabled,
		ActiveCallers: l.active.Load(),
		TotalRequests: allowed + byCaller + byGlobal,
		TotalLimited:  byCaller + byGlobal,
		LimitedGlobal: byGlobal,
		LimitedCaller: byCaller,
	}
	if s.TotalRequests > 0 {
		s.LimitRatePercent = math.Round(float64(s.TotalLimited)/float64(s.TotalRequests)*10000) / 100
	}
	return s
}

func (l *Limiter) counts() (allowed, limitedCaller, limitedGlobal uint64) {
	for i := range l.stripes {
		s := &l.stripes[i]
		allowed += s.allowed.Load()
		limitedCaller += s.limitedCaller.Load()
		limitedGlobal += s.limitedGlobal.Load()
	}
	return allowed, limitedCaller, limitedGlobal
}
