package telemetry

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Sink receives batches of events. Write is called from one goroutine at
// a time; it must not keep events after it returns (the Emitter reuses
// the slice). An error drops the batch (no retry): the Emitter counts it
// and logs at most once per flush interval.
type Sink interface {
	Write(ctx context.Context, events []Event) error
	// Close releases the sink (files, sockets) after the last Write.
	Close() error
}

// Defaults of Options, upstream's defaults of the telemetry section.
const (
	DefaultBatchSize     = 1000
	DefaultFlushInterval = time.Second
	DefaultMaxQueue      = 10000
)

// Options configure an Emitter.
type Options struct {
	// BatchSize is the most events per Sink.Write; a full batch is
	// written at once. <= 0 means DefaultBatchSize.
	BatchSize int
	// FlushInterval is the longest an event waits before it is written.
	// <= 0 means DefaultFlushInterval.
	FlushInterval time.Duration
	// MaxQueue bounds the events waiting to be written (not counting
	// those the consumer is writing); Emit drops (and counts) events
	// beyond it. <= 0 means DefaultMaxQueue.
	MaxQueue int
	// Sink receives the batches. Required.
	Sink Sink
	// Log receives sink errors (at most one line per FlushInterval); nil
	// discards.
	Log *slog.Logger
}

// Emitter is the telemetry pipeline: Emit appends the event to a bounded
// queue and never waits for the sink, one goroutine takes the whole queue when the
// oldest event has waited a flush interval or a batch is full, and writes
// it to the Sink in batches. A nil *Emitter is valid and drops everything
// silently (telemetry off).
//
// The queue is a slice behind a mutex that the consumer swaps for an
// empty one: producers hold the lock for one copy, and the consumer takes
// it once per flush, not once per event (a channel would make the two
// sides contend on every event).
type Emitter struct {
	sink      Sink
	batchSize int
	maxQueue  int
	interval  time.Duration
	log       *slog.Logger
	base      time.Time // the clock origin of Tick

	mu     sync.Mutex
	queue  []Event // pending events, at most maxQueue
	spare  []Event // the consumer's batch buffer, swapped with queue
	closed bool    // Emit refuses events once Close has started

	wake chan struct{} // the first event after a swap: start the timer
	full chan struct{} // a batch is ready
	quit chan struct{} // closed by Close
	done chan struct{} // closed when the consumer has finished
	once sync.Once
	// abort cancels a sink write that outlives Close's context.
	writeCtx context.Context
	abort    context.CancelFunc

	closeErr error // the sink's Close error, set before done closes

	received    atomic.Uint64 // events taken off the queue
	dropped     atomic.Uint64
	failed      atomic.Uint64 // events in batches the sink refused
	batchesSent atomic.Uint64
	eventsSent  atomic.Uint64
	flushErrors atomic.Uint64
}

// New starts an Emitter. It panics when o.Sink is nil.
func New(o Options) *Emitter {
	if o.Sink == nil {
		panic("telemetry: New without a Sink")
	}
	if o.BatchSize <= 0 {
		o.BatchSize = DefaultBatchSize
	}
	if o.FlushInterval <= 0 {
		o.FlushInterval = DefaultFlushInterval
	}
	if o.MaxQueue <= 0 {
		o.MaxQueue = DefaultMaxQueue
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	em := &Emitter{
		sink:      o.Sink,
		batchSize: o.BatchSize,
		maxQueue:  o.MaxQueue,
		interval:  o.FlushInterval,
		log:       o.Log.With("component", "telemetry"),
		base:      time.Now(),
		queue:     make([]Event, 0, o.MaxQueue),
		spare:     make([]Event, 0, o.MaxQueue),
		wake:      make(chan struct{}, 1),
		full:      make(chan struct{}, 1),
		quit:      make(chan struct{}),
		done:      make(chan struct{}),
	}
	em.writeCtx, em.abort = context.WithCancel(context.Background())
	go em.run()
	return em
}

// Tick is a monotonic clock reading, for measuring an access's latency
// with one clock read at each end (time.Now reads two clocks).
type Tick time.Duration

// Tick reads the clock (0 on a nil Emitter).
func (em *Emitter) Tick() Tick {
	if em == nil {
		return 0
	}
	return Tick(time.Since(em.base))
}

// Time is the wall-clock time of the reading t.
func (em *Emitter) Time(t Tick) time.Time {
	if em == nil {
		return time.Time{}
	}
	return em.base.Add(time.Duration(t))
}

// Milliseconds is the time from start to end in milliseconds.
func Milliseconds(start, end Tick) float64 {
	return float64(end-start) / float64(time.Millisecond)
}

// Emit queues a copy of e; it never waits for the sink (it holds a mutex
// for one copy) and does not allocate. It reports false when the event
// was dropped: the queue is full, the Emitter is closed, or nil.
func (em *Emitter) Emit(e *Event) bool {
	if em == nil {
		return false
	}
	em.mu.Lock()
	n := len(em.queue)
	if n >= em.maxQueue || em.closed {
		em.mu.Unlock()
		em.dropped.Add(1)
		return false
	}
	em.queue = append(em.queue, *e)
	em.mu.Unlock()
	if n == 0 {
		signal(em.wake)
	}
	if n+1 == em.batchSize {
		signal(em.full)
	}
	return true
}

// signal leaves a token in c (capacity 1) unless one is there already.
func signal(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// take swaps the queue for the empty spare and returns what was queued.
func (em *Emitter) take() []Event {
	em.mu.Lock()
	q := em.queue
	em.queue = em.spare[:0]
	em.mu.Unlock()
	em.received.Add(uint64(len(q)))
	return q
}

// run is the consumer. Idle, it waits for a first event; then for the
// flush interval (so no event waits longer) or a full batch; then it
// takes the queue, writes it in batches, and is idle again. An event
// queued while it writes has left a wake-up, so it goes round again.
func (em *Emitter) run() {
	defer func() {
		em.abort()
		if err := em.sink.Close(); err != nil {
			em.closeErr = fmt.Errorf("telemetry: closing the sink: %w", err)
		}
		close(em.done)
	}()
	ids := make([]byte, 16*em.batchSize)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	var lastLog time.Time
	var quiet int // failed batches not logged since lastLog
	write := func(batch []Event) {
		_, _ = rand.Read(ids[:16*len(batch)]) // never fails (crypto/rand)
		for i := range batch {
			batch[i].setUUID(ids[16*i : 16*i+16])
		}
		err := em.sink.Write(em.writeCtx, batch)
		if err == nil {
			em.batchesSent.Add(1)
			em.eventsSent.Add(uint64(len(batch)))
			return
		}
		em.flushErrors.Add(1)
		em.failed.Add(uint64(len(batch)))
		if now := time.Now(); now.Sub(lastLog) >= em.interval {
			em.log.Warn("telemetry sink failed; batch dropped", "error", err, "events", len(batch),
				"batches_dropped_since_last_log", quiet)
			lastLog, quiet = now, 0
		} else {
			quiet++
		}
	}
	flush := func() {
		all := em.take()
		for q := all; len(q) > 0; {
			n := min(len(q), em.batchSize)
			write(q[:n])
			q = q[n:]
		}
		clear(all) // drop the events' strings
		em.spare = all[:0]
	}
	for {
		select {
		case <-em.quit:
			flush()
			return
		case <-em.wake:
		}
		timer.Reset(em.interval)
		select {
		case <-em.quit:
			timer.Stop()
			flush()
			return
		case <-em.full:
			timer.Stop()
		case <-timer.C:
		}
		flush()
	}
}

// Close stops accepting events (they are dropped and counted), writes
// everything queued and closes the sink. If ctx ends first, Close cancels
// the sink write in progress and returns ctx's error; the consumer then
// finishes on its own (the sinks fail fast on a cancelled context, so the
// rest count as failed). Close on a nil Emitter does nothing.
func (em *Emitter) Close(ctx context.Context) error {
	if em == nil {
		return nil
	}
	em.once.Do(func() {
		em.mu.Lock()
		em.closed = true
		em.mu.Unlock()
		close(em.quit)
	})
	select {
	case <-em.done:
		return em.closeErr
	case <-ctx.Done():
		em.abort()
		return ctx.Err()
	}
}

// Stats are the Emitter's counters: upstream's /health telemetry keys
// (emitted, dropped, errors, queue_depth, consumers) plus the batcher's.
type Stats struct {
	// Emitted counts events accepted onto the queue.
	Emitted uint64 `json:"emitted"`
	// Dropped counts events refused because the queue was full (or the
	// Emitter closed).
	Dropped uint64 `json:"dropped"`
	// Errors counts events lost because the sink refused their batch.
	Errors uint64 `json:"errors"`
	// QueueDepth is the events waiting now.
	QueueDepth int `json:"queue_depth"`
	// Consumers is the number of consumers (always 1).
	Consumers int `json:"consumers"`
	// BatchesSent and EventsSent count successful sink writes.
	BatchesSent uint64 `json:"batches_sent"`
	EventsSent  uint64 `json:"events_sent"`
	// FlushErrors counts failed sink writes (batches dropped).
	FlushErrors uint64 `json:"flush_errors"`
}

// Stats returns the current counters (zero on a nil Emitter).
func (em *Emitter) Stats() Stats {
	if em == nil {
		return Stats{}
	}
	em.mu.Lock()
	depth := len(em.queue)
	em.mu.Unlock()
	return Stats{
		Emitted:     em.received.Load() + uint64(depth),
		Dropped:     em.dropped.Load(),
		Errors:      em.failed.Load(),
		QueueDepth:  depth,
		Consumers:   1,
		BatchesSent: em.batchesSent.Load(),
		EventsSent:  em.eventsSent.Load(),
		FlushErrors: em.flushErrors.Load(),
	}
}

// Collectors returns the Prometheus metrics of the Emitter, to register
// once (nil on a nil Emitter).
func (em *Emitter) Collectors() []prometheus.Collector {
	if em == nil {
		return nil
	}
	counter := func(name, help string, f func() uint64) prometheus.Collector {
		return prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, func() float64 { return float64(f()) })
	}
	return []prometheus.Collector{
		counter("moniker_telemetry_events_emitted_total", "Access events accepted onto the telemetry queue.",
			func() uint64 { return em.Stats().Emitted }),
		counter("moniker_telemetry_events_dropped_total", "Access events dropped because the telemetry queue was full.", em.dropped.Load),
		counter("moniker_telemetry_events_failed_total", "Access events lost because the sink refused their batch.", em.failed.Load),
		counter("moniker_telemetry_events_sent_total", "Access events written to the sink.", em.eventsSent.Load),
		counter("moniker_telemetry_batches_sent_total", "Batches written to the sink.", em.batchesSent.Load),
		counter("moniker_telemetry_flush_errors_total", "Batches the sink refused (dropped, not retried).", em.flushErrors.Load),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "moniker_telemetry_queue_depth", Help: "Access events waiting to be written."},
			func() float64 { return float64(em.Stats().QueueDepth) }),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: "moniker_telemetry_queue_capacity", Help: "Capacity of the telemetry queue (telemetry.max_queue_size)."},
			func() float64 { return float64(em.maxQueue) }),
	}
}
