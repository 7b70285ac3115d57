package fetch

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/moniker-svc/moniker/internal/httpapi"
)

// Metrics are the /fetch metrics, labelled by source type (never by
// connection: that is the breaker's source label, a name without
// secrets). A nil *Metrics counts nothing.
type Metrics struct {
	queries *prometheus.CounterVec
	errors  *prometheus.CounterVec
	latency *prometheus.HistogramVec
	rows    *prometheus.CounterVec
	hits    *prometheus.CounterVec
	misses  *prometheus.CounterVec
	sources prometheus.Gauge
}

// NewMetrics registers the /fetch metrics on reg:
//
//	moniker_fetch_queries_total{source_type}            executions that reached a source
//	moniker_fetch_errors_total{source_type,code}        failed fetches, by the answer's error code
//	moniker_fetch_query_duration_seconds{source_type}   from running the query to the last row read
//	moniker_fetch_rows_total{source_type}               rows returned
//	moniker_fetch_cache_hits_total{source_type}         answers from a result cache (CacheHit)
//	moniker_fetch_cache_misses_total{source_type}       result cache misses (CacheMiss)
//	moniker_fetch_sources_open                          sources (connection pools) open
//
// The circuit of each source is moniker_circuit_breaker_state{source}.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	st := []string{"source_type"}
	m := &Metrics{
		queries: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "moniker_fetch_queries_total",
			Help: "Fetch executions that reached a source, by source type."}, st),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "moniker_fetch_errors_total",
			Help: "Failed fetches by source type and error code (source_error, source_timeout, circuit_open, not_implemented, ...)."},
			[]string{"source_type", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "moniker_fetch_query_duration_seconds",
			Help:    "Fetch execution time, from running the query to the last row read, by source type.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}}, st),
		rows: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "moniker_fetch_rows_total",
			Help: "Rows returned by /fetch, by source type."}, st),
		hits: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "moniker_fetch_cache_hits_total",
			Help: "Fetches answered from a result cache, by source type."}, st),
		misses: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "moniker_fetch_cache_misses_total",
			Help: "Fetches a result cache could not answer, by source type."}, st),
		sources: prometheus.NewGauge(prometheus.GaugeOpts{Name: "moniker_fetch_sources_open",
			Help: "Sources (connection pools, clients) open."}),
	}
	reg.MustRegister(m.queries, m.errors, m.latency, m.rows, m.hits, m.misses, m.sources)
	return m
}

// CacheHit counts a fetch answered from a result cache.
func (m *Metrics) CacheHit(sourceType string, rows int) {
	if m != nil {
		m.hits.WithLabelValues(sourceType).Inc()
		m.rows.WithLabelValues(sourceType).Add(float64(rows))
	}
}

// CacheMiss counts a fetch a result cache could not answer.
func (m *Metrics) CacheMiss(sourceType string) {
	if m != nil {
		m.misses.WithLabelValues(sourceType).Inc()
	}
}

// failed counts a fetch that failed before its query ran.
func (m *Metrics) failed(typ string, err error) {
	if m != nil {
		m.errors.WithLabelValues(typ, httpapi.ErrorCode(err)).Inc()
	}
}

// done counts an execution that reached the source.
func (m *Metrics) done(typ string, took time.Duration, rows int, err error) {
	if m == nil {
		return
	}
	m.queries.WithLabelValues(typ).Inc()
	m.latency.WithLabelValues(typ).Observe(took.Seconds())
	m.rows.WithLabelValues(typ).Add(float64(rows))
	if err != nil {
		m.errors.WithLabelValues(typ, httpapi.ErrorCode(err)).Inc()
	}
}

func (m *Metrics) opened(n int) {
	if m != nil {
		m.sources.Add(float64(n))
	}
}
