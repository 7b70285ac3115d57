package telemetry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
)

// chanSink hands every batch (a copy) to the test. gate, when set, is
// received from before each write (a blocked sink until the test sends),
// entered is signalled when a write starts, and fail makes writes fail.
type chanSink struct {
	batches chan []Event
	entered chan struct{}
	gate    chan struct{}
	fail    error
	closed  atomic.Bool
}

func newChanSink() *chanSink {
	return &chanSink{batches: make(chan []Event, 1000), entered: make(chan struct{}, 1000)}
}

func (s *chanSink) Write(ctx context.Context, events []Event) error {
	select {
	case s.entered <- struct{}{}:
	default:
	}
	if s.gate != nil {
		select {
		case <-s.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if s.fail != nil {
		return s.fail
	}
	s.batches <- append([]Event(nil), events...)
	return nil
}

func (s *chanSink) Close() error {
	s.closed.Store(true)
	return nil
}

// wait returns the next batch, failing after a generous deadline.
func (s *chanSink) wait(t *testing.T) []Event {
	t.Helper()
	select {
	case b := <-s.batches:
		return b
	case <-time.After(10 * time.Second):
		t.Fatal("no batch written within 10s")
		return nil
	}
}

// none fails if a batch is already waiting.
func (s *chanSink) none(t *testing.T) {
	t.Helper()
	select {
	case b := <-s.batches:
		t.Fatalf("unexpected batch of %d", len(b))
	default:
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

func ev(i int) *Event {
	return &Event{MonikerPath: fmt.Sprintf("p/%d", i), Operation: OpRead, Outcome: OutcomeSuccess}
}

func closeEmitter(t *testing.T, em *Emitter) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := em.Close(ctx); err != nil {
		t.Fatalf("Close: %v", err)
	}
}

func TestBatchBySize(t *testing.T) {
	sink := newChanSink()
	em := New(Options{BatchSize: 3, FlushInterval: time.Hour, MaxQueue: 100, Sink: sink})
	for round := range 2 {
		for i := range 3 {
			em.Emit(ev(round*3 + i))
		}
		b := sink.wait(t)
		if len(b) != 3 {
			t.Fatalf("round %d: batch of %d, want 3", round, len(b))
		}
		for i, e := range b {
			if want := fmt.Sprintf("p/%d", round*3+i); e.MonikerPath != want {
				t.Errorf("round %d event %d: %s, want %s (order kept)", round, i, e.MonikerPath, want)
			}
			if !uuidV4.MatchString(e.ID()) {
				t.Errorf("request_id %q is not a UUID v4", e.ID())
			}
		}
	}
	em.Emit(ev(6))
	sink.none(t) // one event, interval an hour: it waits
	closeEmitter(t, em)
	if b := sink.wait(t); len(b) != 1 || b[0].MonikerPath != "p/6" {
		t.Fatalf("Close flushed %v", b)
	}
	if !sink.closed.Load() {
		t.Error("sink not closed")
	}
	st := em.Stats()
	if st.Emitted != 7 || st.EventsSent != 7 || st.BatchesSent != 3 || st.Dropped != 0 || st.QueueDepth != 0 || st.Consumers != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestBatchByInterval(t *testing.T) {
	sink := newChanSink()
	const interval = 30 * time.Millisecond
	em := New(Options{BatchSize: 1000, FlushInterval: interval, Sink: sink})
	defer closeEmitter(t, em)
	// Twice, so the consumer goes idle and is woken again.
	for round := range 2 {
		start := time.Now()
		em.Emit(ev(round))
		em.Emit(ev(round + 10))
		b := sink.wait(t)
		if d := time.Since(start); d < interval {
			t.Errorf("round %d: flushed after %v, before the interval", round, d)
		}
		if len(b) != 2 {
			t.Errorf("round %d: batch of %d, want 2", round, len(b))
		}
	}
}

// TestDropWhenFull blocks the sink, fills the queue and checks that
// further Emits return at once, dropped and counted.
func TestDropWhenFull(t *testing.T) {
	sink := newChanSink()
	sink.gate = make(chan struct{})
	em := New(Options{BatchSize: 1, FlushInterval: time.Millisecond, MaxQueue: 4, Sink: sink})
	if !em.Emit(ev(0)) {
		t.Fatal("first event dropped")
	}
	<-sink.entered // the consumer holds event 0 in a blocked write
	for i := 1; i <= 4; i++ {
		if !em.Emit(ev(i)) {
			t.Fatalf("event %d dropped with room in the queue", i)
		}
	}
	start := time.Now()
	for i := 5; i < 1005; i++ {
		if em.Emit(ev(i)) {
			t.Fatalf("event %d accepted by a full queue", i)
		}
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("1000 dropped Emits took %v: Emit blocks", d)
	}
	st := em.Stats()
	if st.Dropped != 1000 || st.QueueDepth != 4 || st.Emitted != 5 {
		t.Errorf("stats with a blocked sink: %+v", st)
	}
	close(sink.gate)
	closeEmitter(t, em)
	got := 0
	for len(sink.batches) > 0 {
		got += len(<-sink.batches)
	}
	if st := em.Stats(); got != 5 || st.EventsSent != 5 || st.Dropped != 1000 {
		t.Errorf("after release: %d events written, stats %+v", got, em.Stats())
	}
	if em.Emit(ev(0)) {
		t.Error("Emit after Close accepted")
	}
	if st := em.Stats(); st.Dropped != 1001 {
		t.Errorf("Emit after Close not counted as dropped: %+v", st)
	}
}

// recordHandler counts log records.
type recordHandler struct {
	mu   sync.Mutex
	msgs []string
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.msgs = append(h.msgs, r.Message)
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }

func (h *recordHandler) count() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.msgs)
}

func TestSinkErrorDropsBatchLogsOnce(t *testing.T) {
	sink := newChanSink()
	sink.fail = errors.New("disk full")
	logs := &recordHandler{}
	em := New(Options{BatchSize: 2, FlushInterval: time.Hour, Sink: sink, Log: slog.New(logs)})
	for i := range 10 {
		em.Emit(ev(i))
		if i%2 == 1 {
			// One batch at a time, so each write sees exactly two events.
			waitFor(t, "failed batch", func() bool { return em.Stats().FlushErrors == uint64(i+1)/2 })
		}
	}
	closeEmitter(t, em)
	st := em.Stats()
	if st.FlushErrors != 5 || st.Errors != 10 || st.EventsSent != 0 || st.BatchesSent != 0 {
		t.Errorf("stats %+v", st)
	}
	if n := logs.count(); n != 1 {
		t.Errorf("%d log lines for 5 failures within one interval, want 1", n)
	}
}

func TestCloseDrains(t *testing.T) {
	sink := newChanSink()
	em := New(Options{BatchSize: 16, FlushInterval: time.Hour, MaxQueue: 1000, Sink: sink})
	for i := range 100 {
		if !em.Emit(ev(i)) {
			t.Fatalf("event %d dropped", i)
		}
	}
	closeEmitter(t, em)
	var got []Event
	for len(sink.batches) > 0 {
		b := <-sink.batches
		if len(b) > 16 {
			t.Errorf("batch of %d > batch size 16", len(b))
		}
		got = append(got, b...)
	}
	if len(got) != 100 {
		t.Fatalf("%d events written at Close, want 100", len(got))
	}
	for i, e := range got {
		if want := fmt.Sprintf("p/%d", i); e.MonikerPath != want {
			t.Fatalf("event %d is %s, want %s", i, e.MonikerPath, want)
		}
	}
	if err := em.Close(context.Background()); err != nil {
		t.Errorf("second Close: %v", err)
	}
}

func TestCloseDeadline(t *testing.T) {
	sink := newChanSink()
	sink.gate = make(chan struct{}) // never opened: the sink honours ctx
	em := New(Options{BatchSize: 1, FlushInterval: time.Millisecond, Sink: sink})
	em.Emit(ev(0))
	<-sink.entered
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if err := em.Close(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Close with a stuck sink: %v", err)
	}
	waitFor(t, "consumer to finish", sink.closed.Load)
	if st := em.Stats(); st.Errors != 1 || st.FlushErrors != 1 {
		t.Errorf("the aborted batch is not counted: %+v", st)
	}
}

func TestConcurrentEmit(t *testing.T) {
	sink := newChanSink()
	sink.batches = make(chan []Event, 100000)
	em := New(Options{BatchSize: 7, FlushInterval: time.Millisecond, MaxQueue: 64, Sink: sink})
	const workers, each = 4, 2000
	var wg sync.WaitGroup
	var accepted atomic.Uint64
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				if em.Emit(ev(w*each + i)) {
					accepted.Add(1)
				}
			}
		})
	}
	wg.Wait()
	closeEmitter(t, em)
	got := 0
	for len(sink.batches) > 0 {
		got += len(<-sink.batches)
	}
	st := em.Stats()
	if uint64(got) != accepted.Load() || st.EventsSent != accepted.Load() || st.Emitted != accepted.Load() ||
		st.Dropped+accepted.Load() != workers*each {
		t.Errorf("accepted %d, written %d, stats %+v", accepted.Load(), got, st)
	}
}

func TestNilEmitter(t *testing.T) {
	var em *Emitter
	if em.Emit(ev(0)) {
		t.Error("nil Emitter accepted an event")
	}
	if em.Stats() != (Stats{}) || em.Collectors() != nil || em.Tick() != 0 || !em.Time(5).IsZero() {
		t.Error("nil Emitter is not inert")
	}
	if err := em.Close(context.Background()); err != nil {
		t.Error(err)
	}
}

func TestTick(t *testing.T) {
	em := New(Options{Sink: newChanSink()})
	defer closeEmitter(t, em)
	before := time.Now()
	a := em.Tick()
	b := em.Tick()
	after := time.Now()
	if b < a || Milliseconds(a, b) < 0 {
		t.Errorf("ticks go backwards: %v then %v", a, b)
	}
	if ts := em.Time(a); ts.Before(before.Add(-time.Millisecond)) || ts.After(after.Add(time.Millisecond)) {
		t.Errorf("Time(tick) = %v, not between %v and %v", ts, before, after)
	}
	if got := Milliseconds(0, Tick(1500*time.Microsecond)); got != 1.5 {
		t.Errorf("Milliseconds = %v, want 1.5", got)
	}
}

func TestCollectors(t *testing.T) {
	sink := newChanSink()
	em := New(Options{BatchSize: 2, FlushInterval: time.Hour, MaxQueue: 10, Sink: sink})
	reg := prometheus.NewRegistry()
	reg.MustRegister(em.Collectors()...)
	em.Emit(ev(0))
	em.Emit(ev(1))
	sink.wait(t)
	closeEmitter(t, em)
	want := `
# HELP moniker_telemetry_events_sent_total Access events written to the sink.
# TYPE moniker_telemetry_events_sent_total counter
moniker_telemetry_events_sent_total 2
# HELP moniker_telemetry_queue_capacity Capacity of the telemetry queue (telemetry.max_queue_size).
# TYPE moniker_telemetry_queue_capacity gauge
moniker_telemetry_queue_capacity 10
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "moniker_telemetry_events_sent_total", "moniker_telemetry_queue_capacity"); err != nil {
		t.Error(err)
	}
	if n, err := testutil.GatherAndCount(reg); err != nil || n != 8 {
		t.Errorf("%d metrics (%v), want 8", n, err)
	}
}

// TestEmitDoesNotAllocate holds the consumer in a blocked write so only
// Emit runs, and counts its allocations.
func TestEmitDoesNotAllocate(t *testing.T) {
	sink := newChanSink()
	sink.gate = make(chan struct{})
	sink.batches = make(chan []Event, 2000)
	em := New(Options{BatchSize: 1, MaxQueue: 1 << 16, Sink: sink})
	em.Emit(ev(0))
	<-sink.entered
	e := sampleEvent()
	if n := testing.AllocsPerRun(1000, func() { em.Emit(&e) }); n != 0 {
		t.Errorf("Emit allocates %v times per call", n)
	}
	close(sink.gate)
	closeEmitter(t, em)
}

// BenchmarkEmit measures Emit with the consumer encoding every event to
// io.Discard (the console sink), sequentially and from all cores.
func BenchmarkEmit(b *testing.B) {
	for _, parallel := range []bool{false, true} {
		b.Run(fmt.Sprintf("parallel=%v", parallel), func(b *testing.B) {
			c, _ := NewConsole(io.Discard, FormatJSON, DefaultPrefix)
			em := New(Options{Sink: c, MaxQueue: 1 << 16})
			e := sampleEvent()
			b.ReportAllocs()
			if parallel {
				b.RunParallel(func(pb *testing.PB) {
					e := e
					for pb.Next() {
						em.Emit(&e)
					}
				})
			} else {
				for b.Loop() {
					em.Emit(&e)
				}
			}
			b.StopTimer()
			_ = em.Close(context.Background())
			st := em.Stats()
			b.ReportMetric(float64(st.Dropped)/float64(st.Dropped+st.Emitted), "dropped/op")
		})
	}
}
