package loadgen

import (
	"math/rand/v2"
	"testing"
	"time"
)

func TestBucketBounds(t *testing.T) {
	// Every bucket's upper bound maps back to it, the next value starts
	// the next bucket, and a bucket is narrower than 1/64 of its values.
	for i := 0; i < numBuckets-1; i++ {
		hi := bucketHigh(i)
		if got := bucketOf(hi); got != i {
			t.Fatalf("bucketOf(bucketHigh(%d)=%d) = %d", i, hi, got)
		}
		if got := bucketOf(hi + 1); got != i+1 {
			t.Fatalf("bucketOf(%d) = %d, want %d", hi+1, got, i+1)
		}
		if i >= subCount {
			lo := bucketHigh(i-1) + 1
			if width := hi - lo + 1; width*64 > lo {
				t.Fatalf("bucket %d [%d,%d] too wide", i, lo, hi)
			}
		}
	}
	if got := bucketOf(1 << 62); got != numBuckets-1 {
		t.Errorf("huge value in bucket %d, want the last (%d)", got, numBuckets-1)
	}
}

func TestHistogramQuantiles(t *testing.T) {
	tests := []struct {
		name   string
		values []time.Duration
		q      float64
		want   time.Duration
	}{
		{"empty", nil, 0.5, 0},
		{"single", []time.Duration{42 * time.Millisecond}, 0.99, 42 * time.Millisecond},
		{"small values are exact", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.5, 5},
		{"small values p90", []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 0.9, 9},
		{"q=0 is the minimum", []time.Duration{7 * time.Microsecond, time.Second}, 0, 7 * time.Microsecond},
		{"q=1 is the maximum", []time.Duration{7 * time.Microsecond, time.Second}, 1, time.Second},
		{"outlier does not move p50", append(repeat(100*time.Microsecond, 99), time.Second), 0.5, 100 * time.Microsecond},
		{"outlier is p100 only", append(repeat(100*time.Microsecond, 99), time.Second), 0.99, 100 * time.Microsecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var h Histogram
			for _, v := range tt.values {
				h.Record(v)
			}
			if got := h.Quantile(tt.q); !within(got, tt.want, 1.0/64) {
				t.Errorf("Quantile(%v) = %v, want %v (within 1/64)", tt.q, got, tt.want)
			}
		})
	}
}

func TestHistogramUniform(t *testing.T) {
	// 1..10000 µs in random order: the q-quantile is q*10000 µs.
	var h Histogram
	for _, i := range rand.Perm(10000) {
		h.Record(time.Duration(i+1) * time.Microsecond)
	}
	for _, q := range []float64{0.5, 0.9, 0.95, 0.99, 0.999} {
		want := time.Duration(q*10000) * time.Microsecond
		if got := h.Quantile(q); !within(got, want, 1.0/64) {
			t.Errorf("Quantile(%v) = %v, want %v", q, got, want)
		}
	}
	if h.Count() != 10000 || h.Min() != time.Microsecond || h.Max() != 10*time.Millisecond {
		t.Errorf("count/min/max = %d/%v/%v", h.Count(), h.Min(), h.Max())
	}
	if got, want := h.Mean(), 5000500*time.Nanosecond; got != want {
		t.Errorf("Mean = %v, want %v", got, want)
	}
}

func TestHistogramMerge(t *testing.T) {
	var a, b, all Histogram
	for i := range 1000 {
		v := time.Duration(i*i) * time.Nanosecond
		all.Record(v)
		if i%3 == 0 {
			a.Record(v)
		} else {
			b.Record(v)
		}
	}
	var m Histogram
	m.Merge(&Histogram{}) // merging an empty one changes nothing
	m.Merge(&a)
	m.Merge(&b)
	if m != all {
		t.Errorf("merge differs: count %d/%d min %v/%v max %v/%v", m.Count(), all.Count(), m.Min(), all.Min(), m.Max(), all.Max())
	}
}

func repeat(d time.Duration, n int) []time.Duration {
	s := make([]time.Duration, n)
	for i := range s {
		s[i] = d
	}
	return s
}

func within(got, want time.Duration, rel float64) bool {
	diff := float64(got - want)
	if diff < 0 {
		diff = -diff
	}
	return diff <= rel*float64(want)
}

func BenchmarkHistogramRecord(b *testing.B) {
	b.ReportAllocs()
	var h Histogram
	for i := 0; b.Loop(); i++ {
		h.Record(time.Duration(i&0xfffff) * time.Microsecond)
	}
}
