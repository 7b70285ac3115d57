package governance

import "github.com/prometheus/client_golang/prometheus"

// limiterDescs are the Limiter's metrics.
type limiterDescs struct {
	allowed, limited, active *prometheus.Desc
}

func newLimiterDescs() limiterDescs {
	return limiterDescs{
		allowed: prometheus.NewDesc("moniker_rate_limiter_allowed_total",
			"Requests the rate limiter let through.", nil, nil),
		limited: prometheus.NewDesc("moniker_rate_limiter_limited_total",
			"Requests refused with 429, by the bucket that refused them (global or caller).", []string{"scope"}, nil),
		active: prometheus.NewDesc("moniker_rate_limiter_active_callers",
			"Callers with a token bucket (idle ones are forgotten after 300 s).", nil, nil),
	}
}

// Describe implements prometheus.Collector: register a Limiter with
// reg.MustRegister(limiter). Its metrics are read from its own counters
// at scrape time; Allow touches no Prometheus state.
func (l *Limiter) Describe(ch chan<- *prometheus.Desc) {
	ch <- l.descs.allowed
	ch <- l.descs.limited
	ch <- l.descs.active
}

// Collect implements prometheus.Collector.
func (l *Limiter) Collect(ch chan<- prometheus.Metric) {
	d := &l.descs
	allowed, byCaller, byGlobal := l.counts()
	ch <- prometheus.MustNewConstMetric(d.allowed, prometheus.CounterValue, float64(allowed))
	ch <- prometheus.MustNewConstMetric(d.limited, prometheus.CounterValue, float64(byGlobal), "global")
	ch <- prometheus.MustNewConstMetric(d.limited, prometheus.CounterValue, float64(byCaller), "caller")
	ch <- prometheus.MustNewConstMetric(d.active, prometheus.GaugeValue, float64(l.active.Load()))
}

// breakerDescs are the Breaker's metrics.
type breakerDescs struct {
	state, transitions, rejected *prometheus.Desc
}

func newBreakerDescs() breakerDescs {
	return breakerDescs{
		state: prometheus.NewDesc("moniker_circuit_breaker_state",
			"1 for the state each source's circuit is in, 0 for the others.", []string{"source", "state"}, nil),
		transitions: prometheus.NewDesc("moniker_circuit_breaker_transitions_total",
			"Circuit state changes by source.", []string{"source", "from", "to"}, nil),
		rejected: prometheus.NewDesc("moniker_circuit_breaker_rejected_total",
			"Calls refused without calling the source, by source.", []string{"source"}, nil),
	}
}

// Describe implements prometheus.Collector: register a Breaker with
// reg.MustRegister(breaker).
func (b *Breaker) Describe(ch chan<- *prometheus.Desc) {
	ch <- b.descs.state
	ch <- b.descs.transitions
	ch <- b.descs.rejected
}

// Collect implements prometheus.Collector.
func (b *Breaker) Collect(ch chan<- prometheus.Metric) {
	type snapshot struct {
		key string
		c   circuit
	}
	b.mu.Lock()
	snap := make([]snapshot, 0, len(b.circuits))
	for key, c := range b.circuits {
		snap = append(snap, snapshot{key, *c})
	}
	b.mu.Unlock()

	d := &b.descs
	// The state changes a circuit can make.
	moves := [...][2]State{{Closed, Open}, {Open, HalfOpen}, {HalfOpen, Closed}, {HalfOpen, Open}}
	for _, s := range snap {
		for st := Closed; st <= HalfOpen; st++ {
			v := 0.0
			if s.c.state == st {
				v = 1
			}
			ch <- prometheus.MustNewConstMetric(d.state, prometheus.GaugeValue, v, s.key, st.String())
		}
		for _, m := range moves {
			ch <- prometheus.MustNewConstMetric(d.transitions, prometheus.CounterValue,
				float64(s.c.transitions[m[0]][m[1]]), s.key, m[0].String(), m[1].String())
		}
		ch <- prometheus.MustNewConstMetric(d.rejected, prometheus.CounterValue, float64(s.c.rejected), s.key)
	}
}
