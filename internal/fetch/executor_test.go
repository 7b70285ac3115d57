package fetch

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/governance"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// fakeAdapter's sources are keyed by the config's "db"; a query text says
// what the source does:
//
//	rows:N     N rows (id int64, name string), whatever MaxRows says
//	refuse     ErrSource without a cause (a bad table)
//	down       ErrSource caused by a refused connection
//	hang       block until the context is done, then its error
//	hang-rows  one row, then block in Next until the context is done
//	boom       an error of no kind
type fakeAdapter struct {
	mu      sync.Mutex
	opens   map[string]int
	closes  map[string]int
	openErr error
	queries atomic.Int64
	maxRows atomic.Int64 // the last MaxRows seen
}

func newFake() *fakeAdapter {
	return &fakeAdapter{opens: map[string]int{}, closes: map[string]int{}}
}

func (a *fakeAdapter) Key(cfg map[string]any) (string, error) {
	db, _ := cfg["db"].(string)
	if db == "" {
		return "", moniker.Errorf(moniker.ErrInvalid, "db: required")
	}
	return "db=" + db, nil
}

func (a *fakeAdapter) Open(_ context.Context, cfg map[string]any, _ Env) (Source, error) {
	if a.openErr != nil {
		return nil, a.openErr
	}
	db := cfg["db"].(string)
	a.mu.Lock()
	a.opens[db]++
	a.mu.Unlock()
	return &fakeSource{a: a, db: db}, nil
}

func (a *fakeAdapter) count(m map[string]int, db string) int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return m[db]
}

type fakeSource struct {
	a  *fakeAdapter
	db string
}

func (s *fakeSource) Close() error {
	s.a.mu.Lock()
	s.a.closes[s.db]++
	s.a.mu.Unlock()
	return nil
}

var fakeCols = []Column{{"id", TypeInt}, {"name", TypeString}}

func (s *fakeSource) Query(ctx context.Context, q *Query) (Rows, error) {
	s.a.queries.Add(1)
	s.a.maxRows.Store(int64(q.MaxRows))
	switch {
	case strings.HasPrefix(q.Text, "rows:"):
		n, _ := strconv.Atoi(strings.TrimPrefix(q.Text, "rows:"))
		return &fakeRows{n: n}, nil
	case q.Text == "refuse":
		return nil, moniker.Errorf(moniker.ErrSource, `relation "nope" does not exist`)
	case q.Text == "down":
		return nil, moniker.Errorf(moniker.ErrSource, "dial tcp 127.0.0.1:1: %w", syscall.ECONNREFUSED)
	case q.Text == "hang":
		<-ctx.Done()
		return nil, ctx.Err()
	case q.Text == "hang-rows":
		return &fakeRows{n: 1, hang: ctx}, nil
	}
	return nil, errors.New("boom")
}

type fakeRows struct {
	n, i   int
	row    []any
	hang   context.Context
	err    error
	closed bool
}

func (r *fakeRows) Columns() []Column { return fakeCols }
func (r *fakeRows) Next() bool {
	if r.i >= r.n {
		if r.hang != nil {
			<-r.hang.Done()
			r.err = r.hang.Err()
		}
		return false
	}
	r.i++
	r.row = []any{int64(r.i), fmt.Sprintf("row %d", r.i)}
	return true
}
func (r *fakeRows) Row() []any   { return r.row }
func (r *fakeRows) Err() error   { return r.err }
func (r *fakeRows) Close() error { r.closed = true; return nil }

func request(db, query string, limit int, extra ...any) *Request {
	cfg := map[string]any{"db": db}
	for i := 0; i+1 < len(extra); i += 2 {
		cfg[extra[i].(string)] = extra[i+1]
	}
	return &Request{
		Resolution: &moniker.Resolution{Path: "p/" + db, SourceType: "fake", BindingPath: "p/" + db, Query: query, HasQuery: true},
		Binding:    &moniker.SourceBinding{Type: "fake", Config: cfg},
		Limit:      limit,
	}
}

func newExec(t *testing.T, a *fakeAdapter, o Options) *Executor {
	t.Helper()
	o.Adapters = Adapters{"fake": a}
	x := NewExecutor(o)
	t.Cleanup(x.Close)
	return x
}

func readRows(t *testing.T, rows Rows) (n int, err error) {
	t.Helper()
	for rows.Next() {
		n++
	}
	err = rows.Err()
	rows.Close()
	return n, err
}

// TestFetchReadsAtMostLimitPlusOne: the source is asked for limit+1
// rows, and a source that gives more is cut there.
func TestFetchReadsAtMostLimitPlusOne(t *testing.T) {
	a := newFake()
	x := newExec(t, a, Options{})
	res, err := x.Fetch(context.Background(), request("a", "rows:50", 10))
	if err != nil {
		t.Fatal(err)
	}
	if got := a.maxRows.Load(); got != 11 {
		t.Errorf("MaxRows = %d, want 11", got)
	}
	if n, err := readRows(t, res.Rows); n != 11 || err != nil {
		t.Errorf("read %d rows (%v), want 11", n, err)
	}
	if res.Cached || res.Cache != nil {
		t.Error("a live result says it is cached")
	}
}

// TestSourcesShared: bindings with the same connection key share one
// source; another key opens another.
func TestSourcesShared(t *testing.T) {
	a := newFake()
	x := newExec(t, a, Options{})
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Go(func() {
			db := "a"
			if i%2 == 1 {
				db = "b"
			}
			res, err := x.Fetch(context.Background(), request(db, "rows:2", 5))
			if err != nil {
				t.Error(err)
				return
			}
			readRows(t, res.Rows)
		})
	}
	wg.Wait()
	if a.count(a.opens, "a") != 1 || a.count(a.opens, "b") != 1 {
		t.Errorf("opens = %v, want one per connection", a.opens)
	}
	if st := x.Stats(); len(st.Sources) != 2 || st.Sources[0] != "fake:p/a" {
		t.Errorf("stats sources = %v", st.Sources)
	}
}

// TestRetainClosesUnreferenced: a reload that drops every binding of a
// connection closes its source, at once when idle and when its last fetch
// ends otherwise; one still referenced stays open.
func TestRetainClosesUnreferenced(t *testing.T) {
	a := newFake()
	x := newExec(t, a, Options{})
	for _, db := range []string{"a", "b", "c"} {
		res, err := x.Fetch(context.Background(), request(db, "rows:1", 5))
		if err != nil {
			t.Fatal(err)
		}
		readRows(t, res.Rows)
	}
	busy, err := x.Fetch(context.Background(), request("b", "rows:3", 5))
	if err != nil {
		t.Fatal(err)
	}
	node := func(path, db string) *moniker.Node {
		return &moniker.Node{Path: path, Binding: &moniker.SourceBinding{Type: "fake", Config: map[string]any{"db": db}}}
	}
	x.Retain([]*moniker.Node{node("z/c", "c"), node("m/c", "c"), {Path: "unbound"}})
	if a.count(a.closes, "a") != 1 {
		t.Error("idle unreferenced source a is not closed")
	}
	if a.count(a.closes, "b") != 0 {
		t.Error("source b was closed under a running fetch")
	}
	if a.count(a.closes, "c") != 0 {
		t.Error("referenced source c was closed")
	}
	readRows(t, busy.Rows)
	if a.count(a.closes, "b") != 1 {
		t.Error("source b is not closed when its last fetch ends")
	}
	// A new source of c's key is named after the first of its bindings.
	x.Close()
	x2 := newExec(t, a, Options{})
	x2.Retain([]*moniker.Node{node("z/c", "c"), node("m/c", "c")})
	res, err := x2.Fetch(context.Background(), request("c", "rows:1", 5))
	if err != nil {
		t.Fatal(err)
	}
	readRows(t, res.Rows)
	if st := x2.Stats(); len(st.Sources) != 1 || st.Sources[0] != "fake:m/c" {
		t.Errorf("sources = %v, want [fake:m/c]", st.Sources)
	}
	// Once an open source is dropped, a fetch of its key opens it again.
	x2.Retain(nil)
	res, err = x2.Fetch(context.Background(), request("c", "rows:1", 5))
	if err != nil {
		t.Fatal(err)
	}
	readRows(t, res.Rows)
	if got := a.count(a.opens, "c"); got != 3 {
		t.Errorf("c opened %d times, want 3", got)
	}
}

// TestTimeout: a query or a row that takes longer than the timeout is
// ErrTimeout; a binding's timeout key overrides the executor's.
func TestTimeout(t *testing.T) {
	a := newFake()
	x := newExec(t, a, Options{Timeout: 50 * time.Millisecond})
	t0 := time.Now()
	_, err := x.Fetch(context.Background(), request("a", "hang", 5))
	if !errors.Is(err, moniker.ErrTimeout) || moniker.KindOf(err) != moniker.ErrTimeout {
		t.Fatalf("err = %v, want ErrTimeout", err)
	}
	if took := time.Since(t0); took > 5*time.Second {
		t.Errorf("took %v", took)
	}
	res, err := x.Fetch(context.Background(), request("a", "hang-rows", 5))
	if err != nil {
		t.Fatal(err)
	}
	if n, err := readRows(t, res.Rows); n != 1 || !errors.Is(err, moniker.ErrTimeout) {
		t.Errorf("rows: %d, %v; want 1 row then ErrTimeout", n, err)
	}
	t0 = time.Now()
	_, err = x.Fetch(context.Background(), request("a", "hang", 5, TimeoutKey, 0.3))
	if took := time.Since(t0); !errors.Is(err, moniker.ErrTimeout) || took < 250*time.Millisecond {
		t.Errorf("binding timeout 0.3s: %v after %v", err, took)
	}
	if _, err := x.Fetch(context.Background(), request("a", "rows:1", 5, TimeoutKey, "soon")); moniker.KindOf(err) != moniker.ErrSource ||
		!strings.Contains(err.Error(), "timeout") {
		t.Errorf("a bad timeout key: %v, want a source error naming the key", err)
	}
}

// TestCancelled: a caller that gives up gets an error that says so, and
// it does not count against the source.
func TestCancelled(t *testing.T) {
	a := newFake()
	br := breaker(t)
	x := newExec(t, a, Options{Breaker: br})
	for range 5 {
		ctx, cancel := context.WithCancel(context.Background())
		go func() { time.Sleep(time.Millisecond); cancel() }()
		_, err := x.Fetch(ctx, request("a", "hang", 5))
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	}
	if st := br.Stats().Sources["fake:p/a"]; st.State != "closed" || st.ConsecutiveFailures != 0 {
		t.Errorf("circuit after cancellations: %+v", st)
	}
}

func breaker(t *testing.T) *governance.Breaker {
	t.Helper()
	br, err := governance.NewBreaker(config.CircuitBreaker{Enabled: true, FailureThreshold: 3, SuccessThreshold: 1,
		TimeoutSeconds: 0.2, HalfOpenMaxRequests: 1}, governance.BreakerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return br
}

// TestBreakerPerSource: connection failures open that source's circuit
// (503 circuit_open, the source not called), a refusal does not, other
// sources are not affected, and the circuit closes after its timeout
// once the source answers.
func TestBreakerPerSource(t *testing.T) {
	a := newFake()
	x := newExec(t, a, Options{Breaker: breaker(t)})
	for range 5 {
		if _, err := x.Fetch(context.Background(), request("a", "refuse", 5)); moniker.KindOf(err) != moniker.ErrSource {
			t.Fatalf("refuse: %v", err)
		}
	}
	for range 3 {
		if _, err := x.Fetch(context.Background(), request("a", "down", 5)); moniker.KindOf(err) != moniker.ErrSource {
			t.Fatalf("down: %v", err)
		}
	}
	before := a.queries.Load()
	_, err := x.Fetch(context.Background(), request("a", "rows:1", 5))
	var oe *governance.OpenError
	if !errors.As(err, &oe) || oe.Key != "fake:p/a" {
		t.Fatalf("after 3 connection failures: %v, want the circuit open", err)
	}
	if a.queries.Load() != before {
		t.Error("the open circuit called the source")
	}
	if res, err := x.Fetch(context.Background(), request("b", "rows:1", 5)); err != nil {
		t.Errorf("another source: %v", err)
	} else {
		readRows(t, res.Rows)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		res, err := x.Fetch(context.Background(), request("a", "rows:1", 5))
		if err == nil {
			readRows(t, res.Rows)
			break
		}
		if !errors.As(err, &oe) || time.Now().After(deadline) {
			t.Fatalf("the circuit did not recover: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if res, err := x.Fetch(context.Background(), request("a", "rows:1", 5)); err != nil {
		t.Errorf("after recovery: %v", err)
	} else {
		readRows(t, res.Rows)
	}
}

func TestErrorKinds(t *testing.T) {
	a := newFake()
	x := NewExecutor(Options{Adapters: Adapters{"fake": a}})
	defer x.Close()
	_, err := x.Fetch(context.Background(), request("a", "boom", 5))
	if moniker.KindOf(err) != moniker.ErrSource || err.Error() != "boom" {
		t.Errorf("an error of no kind: %v (%v), want a source error", err, moniker.KindOf(err))
	}
	_, err = x.Fetch(context.Background(), request("", "rows:1", 5))
	if moniker.KindOf(err) != moniker.ErrSource || !strings.Contains(err.Error(), "db: required") {
		t.Errorf("an invalid binding config: %v, want a source error naming the key", err)
	}
	a.openErr = moniker.Errorf(moniker.ErrInvalid, "port: must be a whole number")
	_, err = x.Fetch(context.Background(), request("new", "rows:1", 5))
	if moniker.KindOf(err) != moniker.ErrSource || !strings.Contains(err.Error(), "port") {
		t.Errorf("Open refused the config: %v", err)
	}
	a.openErr = nil
	if res, err := x.Fetch(context.Background(), request("new", "rows:1", 5)); err != nil {
		t.Errorf("a failed open is not tried again: %v", err)
	} else {
		readRows(t, res.Rows)
	}

	for typ, want := range map[string]string{
		"bloomberg":  "No adapter available for source type: bloomberg. Bloomberg data is read through Bloomberg's own SDK (BLPAPI)",
		"refinitiv":  "No adapter available for source type: refinitiv. Refinitiv data is read through the vendor's own SDK",
		"opensearch": "No adapter available for source type: opensearch. This service cannot read it yet",
	} {
		req := request("a", "rows:1", 5)
		req.Binding.Type = typ
		_, err := x.Fetch(context.Background(), req)
		if moniker.KindOf(err) != moniker.ErrNotImplemented || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v", typ, err)
		}
	}
	x.Close()
	if _, err := x.Fetch(context.Background(), request("a", "rows:1", 5)); moniker.KindOf(err) != moniker.ErrUnavailable {
		t.Errorf("after Close: %v", err)
	}
}

func TestMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	a := newFake()
	x := newExec(t, a, Options{Metrics: m})
	res, _ := x.Fetch(context.Background(), request("a", "rows:7", 5))
	readRows(t, res.Rows)
	_, _ = x.Fetch(context.Background(), request("a", "refuse", 5))
	req := request("a", "rows:1", 5)
	req.Binding.Type = "bloomberg"
	_, _ = x.Fetch(context.Background(), req)
	m.CacheHit("fake", 2)
	m.CacheMiss("fake")
	for _, c := range []struct {
		c    prometheus.Collector
		want float64
	}{
		{m.queries.WithLabelValues("fake"), 2},
		{m.rows.WithLabelValues("fake"), 5 + 2},
		{m.errors.WithLabelValues("fake", "source_error"), 1},
		{m.errors.WithLabelValues("bloomberg", "not_implemented"), 1},
		{m.hits.WithLabelValues("fake"), 1},
		{m.misses.WithLabelValues("fake"), 1},
		{m.sources, 1},
	} {
		if got := testutil.ToFloat64(c.c); got != c.want {
			t.Errorf("%v = %v, want %v", c.c, got, c.want)
		}
	}
	if n := testutil.CollectAndCount(m.latency); n != 1 {
		t.Errorf("latency series = %d, want 1", n)
	}
	var nilM *Metrics
	nilM.CacheHit("x", 1) // a nil Metrics counts nothing
}

func TestBuffer(t *testing.T) {
	b, err := ReadAll(&fakeRows{n: 5}, 3)
	if err != nil || len(b.Rows) != 3 || b.Rows[2][0] != int64(3) {
		t.Fatalf("ReadAll = %+v, %v", b, err)
	}
	for range 2 { // each Open reads from the start
		rows := b.Open()
		if n, err := readRows(t, rows); n != 3 || err != nil {
			t.Errorf("Open: %d rows, %v", n, err)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ReadAll(&fakeRows{n: 1, hang: ctx}, 0); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadAll of failing rows: %v", err)
	}
}

func TestConnectionMarks(t *testing.T) {
	base := moniker.Errorf(moniker.ErrSource, "postgres: dial failed")
	cause := fmt.Errorf("dial tcp: %w", syscall.ECONNREFUSED)
	for _, err := range []error{Unreachable(base), ConnectionError(base, cause)} {
		if !errors.Is(err, ErrConnection) || moniker.KindOf(err) != moniker.ErrSource || err.Error() != base.Error() {
			t.Errorf("%v: marked %v, kind %v", err, errors.Is(err, ErrConnection), moniker.KindOf(err))
		}
		if breakerOutcome(err) == nil {
			t.Errorf("%v does not count against the source", err)
		}
	}
	if err := ConnectionError(base, errors.New(`relation "x" does not exist`)); errors.Is(err, ErrConnection) || breakerOutcome(err) != nil {
		t.Errorf("a refusal is marked or counts: %v", err)
	}
	if Unreachable(nil) != nil {
		t.Error("Unreachable(nil) != nil")
	}
}
