package governance

import (
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/config"
)

// fakeClock is a clock tests move by hand.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time {
	return time.Unix(1_760_000_000, 0).Add(time.Duration(c.ns.Load()))
}

func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// gov is an enabled governance section.
func gov(rate, burst, globalRate, globalBurst float64) config.Governance {
	return config.Governance{RateLimiterEnabled: true, RequestsPerSecond: rate, BurstCapacity: burst,
		GlobalRequestsPerSecond: globalRate, GlobalBurstCapacity: globalBurst}
}

func newTestLimiter(t testing.TB, g config.Governance, clk *fakeClock) *Limiter {
	t.Helper()
	l, err := NewLimiter(g, LimiterOptions{Now: clk.now})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// call is one Allow and what it must answer.
type call struct {
	advance time.Duration // moved before the call
	key     string
	cost    int
	ok      bool
	wait    time.Duration // retryAfter when refused
	reason  string        // reason when refused
}

func TestLimiterAllow(t *testing.T) {
	const (
		callerMsg = "Rate limit exceeded for alice (10 req/s)"
		globalMsg = "Global rate limit exceeded (100 req/s)"
	)
	tests := []struct {
		name  string
		g     config.Governance
		calls []call
	}{
		{"burst then refused", gov(10, 3, 1000, 1000), []call{
			{key: "alice", cost: 1, ok: true},
			{key: "alice", cost: 1, ok: true},
			{key: "alice", cost: 1, ok: true},
			{key: "alice", cost: 1, wait: 100 * time.Millisecond, reason: callerMsg},
			{key: "alice", cost: 1, wait: 100 * time.Millisecond, reason: callerMsg},
		}},
		{"refill over time, capped at the burst", gov(10, 3, 1000, 1000), []call{
			{key: "alice", cost: 3, ok: true},
			{advance: 40 * time.Millisecond, key: "alice", cost: 1, wait: 60 * time.Millisecond, reason: callerMsg},
			{advance: 60 * time.Millisecond, key: "alice", cost: 1, ok: true},
			{key: "alice", cost: 1, wait: 100 * time.Millisecond, reason: callerMsg},
			{advance: time.Hour, key: "alice", cost: 3, ok: true},
			{key: "alice", cost: 1, wait: 100 * time.Millisecond, reason: callerMsg},
		}},
		{"callers are isolated", gov(10, 2, 1000, 1000), []call{
			{key: "alice", cost: 2, ok: true},
			{key: "alice", cost: 1, wait: 100 * time.Millisecond, reason: callerMsg},
			{key: "bob", cost: 2, ok: true},
			{key: "bob", cost: 1, wait: 100 * time.Millisecond, reason: "Rate limit exceeded for bob (10 req/s)"},
		}},
		{"global limit across callers", gov(10, 100, 100, 3), []call{
			{key: "a", cost: 1, ok: true},
			{key: "b", cost: 1, ok: true},
			{key: "c", cost: 1, ok: true},
			{key: "d", cost: 1, wait: 10 * time.Millisecond, reason: globalMsg},
			{advance: 10 * time.Millisecond, key: "d", cost: 1, ok: true},
		}},
		{"a caller's refusal gives the global tokens back", gov(10, 2, 100, 4), []call{
			{key: "alice", cost: 2, ok: true}, // global: 2 left
			{key: "alice", cost: 1, wait: 100 * time.Millisecond, reason: callerMsg},
			{key: "alice", cost: 1, wait: 100 * time.Millisecond, reason: callerMsg},
			{key: "bob", cost: 2, ok: true}, // would fail had alice's refusals kept global tokens
			{key: "carol", cost: 1, wait: 10 * time.Millisecond, reason: globalMsg},
		}},
		{"batch cost is all or nothing", gov(10, 5, 1000, 1000), []call{
			{key: "alice", cost: 3, ok: true},
			{key: "alice", cost: 3, wait: 100 * time.Millisecond, reason: callerMsg},
			{key: "alice", cost: 2, ok: true}, // the refused batch took nothing
			{key: "alice", cost: 1, wait: 100 * time.Millisecond, reason: callerMsg},
			{advance: 200 * time.Millisecond, key: "alice", cost: 3, wait: 100 * time.Millisecond, reason: callerMsg},
		}},
		{"a global refusal takes nothing from the caller", gov(10, 5, 100, 2), []call{
			{key: "alice", cost: 2, ok: true},
			{key: "alice", cost: 2, wait: 20 * time.Millisecond, reason: globalMsg},
			{advance: 20 * time.Millisecond, key: "alice", cost: 2, ok: true},
			{advance: 20 * time.Millisecond, key: "alice", cost: 1, ok: true}, // 5th token
			{advance: 20 * time.Millisecond, key: "alice", cost: 1, wait: 40 * time.Millisecond, reason: callerMsg},
		}},
		{"a cost above the burst needs a full bucket", gov(10, 3, 1000, 1000), []call{
			{key: "alice", cost: 50, ok: true},
			{key: "alice", cost: 1, wait: 100 * time.Millisecond, reason: callerMsg},
			{advance: 200 * time.Millisecond, key: "alice", cost: 50, wait: 100 * time.Millisecond, reason: callerMsg},
		}},
		{"cost below 1 costs 1", gov(10, 2, 1000, 1000), []call{
			{key: "alice", cost: 0, ok: true},
			{key: "alice", cost: -5, ok: true},
			{key: "alice", cost: 0, wait: 100 * time.Millisecond, reason: callerMsg},
		}},
		{"fractional rates", gov(0.5, 1, 1000, 1000), []call{
			{key: "alice", cost: 1, ok: true},
			{key: "alice", cost: 1, wait: 2 * time.Second, reason: "Rate limit exceeded for alice (0.5 req/s)"},
		}},
		{"disabled", config.Governance{}, []call{
			{key: "alice", cost: 1000, ok: true},
			{key: "alice", cost: 1000, ok: true},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := &fakeClock{}
			l := newTestLimiter(t, tt.g, clk)
			for i, c := range tt.calls {
				clk.advance(c.advance)
				ok, wait, reason := l.Allow(c.key, c.cost)
				if ok != c.ok || wait != c.wait || reason != c.reason {
					t.Fatalf("call %d (%s, cost %d): Allow = %v, %v, %q; want %v, %v, %q",
						i, c.key, c.cost, ok, wait, reason, c.ok, c.wait, c.reason)
				}
			}
		})
	}
}

func TestLimiterStats(t *testing.T) {
	clk := &fakeClock{}
	l := newTestLimiter(t, gov(10, 2, 100, 3), clk)
	l.Allow("alice", 1)
	l.Allow("alice", 1)
	l.Allow("alice", 1) // caller
	l.Allow("bob", 1)
	l.Allow("carol", 1) // global
	l.Allow("carol", 1) // global
	got := l.Stats()
	want := LimiterStats{Enabled: true, ActiveCallers: 3, TotalRequests: 6, TotalLimited: 3, LimitRatePercent: 50,
		LimitedGlobal: 2, LimitedCaller: 1}
	if got != want {
		t.Errorf("Stats() = %+v\nwant %+v", got, want)
	}
	l.Allow("dave", 1)
	if p := l.Stats().LimitRatePercent; p != 57.14 {
		t.Errorf("limit_rate_percent = %v, want 57.14 (4/7, two decimals)", p)
	}
	off := newTestLimiter(t, config.Governance{}, clk)
	off.Allow("alice", 1)
	if got := off.Stats(); got != (LimiterStats{}) {
		t.Errorf("disabled Stats() = %+v, want zeros", got)
	}
}

func TestLimiterIdleExpiry(t *testing.T) {
	clk := &fakeClock{}
	l := newTestLimiter(t, gov(1, 2, 1000, 1000), clk)
	l.Allow("alice", 2) // empty; full again after 2 s
	l.Allow("bob", 1)
	clk.advance(IdleTimeout)
	if n := l.Sweep(); n != 0 {
		t.Fatalf("Sweep after %v removed %d buckets, want 0 (full for less than the idle timeout)", IdleTimeout, n)
	}
	l.Allow("bob", 1) // bob stays busy
	clk.advance(2*time.Second + time.Nanosecond)
	if n := l.Sweep(); n != 1 {
		t.Fatalf("Sweep removed %d buckets, want 1 (alice)", n)
	}
	if _, ok := l.buckets.Load("alice"); ok {
		t.Error("alice's bucket is still there")
	}
	if got := l.Stats().ActiveCallers; got != 1 {
		t.Errorf("active_callers = %d, want 1", got)
	}
	// A forgotten caller comes back to a full bucket.
	if ok, _, _ := l.Allow("alice", 2); !ok {
		t.Error("alice refused after expiry")
	}
	if got := l.Stats(); got.ActiveCallers != 2 || got.TotalRequests != 4 {
		t.Errorf("stats after return = %+v, want 2 active callers and 4 requests (counts survive expiry)", got)
	}
}

// TestLimiterSweptBucketRace is the sweeper removing a bucket between
// Allow's lookup and its take: Allow must start a new bucket, not take
// from the dead one or lose the request.
func TestLimiterSweptBucketRace(t *testing.T) {
	clk := &fakeClock{}
	l := newTestLimiter(t, gov(1, 2, 1000, 1000), clk)
	l.Allow("alice", 2)
	v, _ := l.buckets.Load("alice")
	old := v.(*bucket)
	old.tat.Store(dead) // swept, still in the map
	if ok, _, reason := l.Allow("alice", 1); !ok {
		t.Fatalf("Allow on a swept bucket refused: %s", reason)
	}
	v, _ = l.buckets.Load("alice")
	if nb := v.(*bucket); nb == old || nb.tat.Load() == dead {
		t.Fatal("the dead bucket was not replaced")
	}
	if ok, _, _ := l.Allow("alice", 1); !ok {
		t.Error("the new bucket did not start full")
	}
	if ok, _, _ := l.Allow("alice", 1); ok {
		t.Error("the new bucket held more than the burst")
	}
}

// TestLimiterConcurrent hammers the limiter from many goroutines on a
// stopped clock: no token may be handed out twice or lost, whatever the
// interleaving, including refunds of global tokens.
func TestLimiterConcurrent(t *testing.T) {
	const (
		callers     = 4
		callerBurst = 50
		globalBurst = 150 // less than callers × callerBurst: both limits bind
		goroutines  = 16
		perG        = 400
	)
	clk := &fakeClock{}
	l := newTestLimiter(t, gov(1, callerBurst, 1, globalBurst), clk)
	keys := [callers]string{"a", "b", "c", "d"}
	var got [callers]atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for g := range goroutines {
		wg.Go(func() {
			<-start
			for i := range perG {
				k := (g + i) % callers
				cost := 1 + (g*7+i)%3
				if ok, _, _ := l.Allow(keys[k], cost); ok {
					got[k].Add(int64(cost))
				}
			}
		})
	}
	close(start)
	wg.Wait()
	// Drain what is left one token at a time, per caller.
	drainCalls := 0
	for k := range callers {
		for {
			drainCalls++
			ok, _, _ := l.Allow(keys[k], 1)
			if !ok {
				break
			}
			got[k].Add(1)
		}
	}
	var total int64
	for k := range callers {
		n := got[k].Load()
		if n > callerBurst {
			t.Errorf("caller %s got %d tokens, burst is %d", keys[k], n, callerBurst)
		}
		total += n
	}
	if total != globalBurst {
		t.Errorf("callers got %d tokens in all, want exactly the global burst %d", total, globalBurst)
	}
	if st := l.Stats(); st.TotalRequests != uint64(goroutines*perG+drainCalls) {
		t.Errorf("total_requests = %d, want %d", st.TotalRequests, goroutines*perG+drainCalls)
	}
}

func TestLimiterConcurrentOneKey(t *testing.T) {
	const burst = 100
	clk := &fakeClock{}
	l := newTestLimiter(t, gov(1, burst, 1, 1e6), clk)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for range 50 {
				if ok, _, _ := l.Allow("hot", 1); ok {
					allowed.Add(1)
				}
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != burst {
		t.Errorf("allowed %d requests on a stopped clock, want exactly the burst %d", n, burst)
	}
	if st := l.Stats(); st.TotalRequests != 32*50 || st.TotalLimited != 32*50-burst {
		t.Errorf("stats %+v, want %d requests, %d limited", st, 32*50, 32*50-burst)
	}
}

func TestNewLimiterRejectsBadRates(t *testing.T) {
	for _, g := range []config.Governance{gov(0, 1, 1, 1), gov(1, 0.5, 1, 1), gov(1, 1, -1, 1), gov(1, 1, 1, 0)} {
		if _, err := NewLimiter(g, LimiterOptions{}); err == nil || !strings.Contains(err.Error(), "governance") {
			t.Errorf("NewLimiter(%+v) = %v, want an error", g, err)
		}
	}
	// Disabled: the rates do not matter.
	if _, err := NewLimiter(config.Governance{}, LimiterOptions{}); err != nil {
		t.Error(err)
	}
}

func BenchmarkLimiterAllow(b *testing.B) {
	// Rates so high nothing is refused: the benchmark measures the
	// admitting path, the one every request takes.
	g := gov(1e9, 1e9, 1e9, 1e9)
	b.Run("hot_key", func(b *testing.B) {
		l, _ := NewLimiter(g, LimiterOptions{})
		l.Allow("hot", 1)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if ok, _, _ := l.Allow("hot", 1); !ok {
					b.Fatal("refused")
				}
			}
		})
	})
	b.Run("many_keys", func(b *testing.B) {
		l, _ := NewLimiter(g, LimiterOptions{})
		keys := make([]string, 10000)
		for i := range keys {
			keys[i] = "caller-" + strconv.Itoa(i)
			l.Allow(keys[i], 1)
		}
		var next atomic.Uint64
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			i := next.Add(7919)
			for pb.Next() {
				i++
				if ok, _, _ := l.Allow(keys[i%uint64(len(keys))], 1); !ok {
					b.Fatal("refused")
				}
			}
		})
	})
	b.Run("refused", func(b *testing.B) {
		l, _ := NewLimiter(gov(1, 1, 1e9, 1e9), LimiterOptions{})
		l.Allow("hot", 1)
		b.ReportAllocs()
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Allow("hot", 1)
			}
		})
	})
}
