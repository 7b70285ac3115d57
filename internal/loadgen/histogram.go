package loadgen

import (
	"math"
	"math/bits"
	"time"
)

// Log-linear bucketing in the HDR-histogram style: values below subCount
// get one bucket each; above that, every power-of-two range is split into
// subCount/2 equal buckets, so a bucket's width is under 1/64 (1.6%) of
// its value. Values are nanoseconds; anything at or above 2^maxBits ns
// (about 18 minutes) lands in the last bucket.
const (
	subBits    = 7
	subCount   = 1 << subBits
	maxBits    = 40
	numBuckets = subCount + (maxBits-subBits)*(subCount/2)
)

// Histogram records durations into log-linear buckets with bounded
// relative error (under 1.6%). The zero value is ready to use. It is not
// safe for concurrent use: give each goroutine its own and Merge them.
type Histogram struct {
	counts [numBuckets]uint64
	total  uint64
	min    uint64
	max    uint64
	sum    uint64
}

func bucketOf(v uint64) int {
	if v >= 1<<maxBits {
		return numBuckets - 1
	}
	if v < subCount {
		return int(v)
	}
	g := bits.Len64(v) - subBits // >= 1: v>>g is in [subCount/2, subCount)
	return subCount + (g-1)*(subCount/2) + int(v>>g) - subCount/2
}

// bucketHigh returns the largest value that falls into bucket i.
func bucketHigh(i int) uint64 {
	if i < subCount {
		return uint64(i)
	}
	g := (i-subCount)/(subCount/2) + 1
	m := uint64((i-subCount)%(subCount/2) + subCount/2)
	return (m+1)<<g - 1
}

// Record adds one observation. Negative durations count as zero.
func (h *Histogram) Record(d time.Duration) {
	v := uint64(max(d, 0))
	h.counts[bucketOf(v)]++
	if h.total == 0 || v < h.min {
		h.min = v
	}
	h.max = max(h.max, v)
	h.total++
	h.sum += v
}

// Merge adds all observations of o to h.
func (h *Histogram) Merge(o *Histogram) {
	if o.total == 0 {
		return
	}
	for i, c := range o.counts {
		h.counts[i] += c
	}
	if h.total == 0 || o.min < h.min {
		h.min = o.min
	}
	h.max = max(h.max, o.max)
	h.total += o.total
	h.sum += o.sum
}

// Count returns the number of observations.
func (h *Histogram) Count() uint64 { return h.total }

// Min returns the smallest observation (exact), 0 when empty.
func (h *Histogram) Min() time.Duration { return time.Duration(h.min) }

// Max returns the largest observation (exact), 0 when empty.
func (h *Histogram) Max() time.Duration { return time.Duration(h.max) }

// Mean returns the arithmetic mean (exact), 0 when empty.
func (h *Histogram) Mean() time.Duration {
	if h.total == 0 {
		return 0
	}
	return time.Duration(h.sum / h.total)
}

// Quantile returns the value at quantile q in [0, 1]: the upper bound of
// the bucket holding the ceil(q*n)-th smallest observation, clamped to
// the exact minimum and maximum. It returns 0 when empty.
func (h *Histogram) Quantile(q float64) time.Duration {
	if h.total == 0 {
		return 0
	}
	rank := uint64(math.Ceil(q * float64(h.total)))
	rank = min(max(rank, 1), h.total)
	var seen uint64
	for i, c := range h.counts {
		seen += c
		if seen >= rank {
			return time.Duration(min(max(bucketHigh(i), h.min), h.max))
		}
	}
	return time.Duration(h.max)
}
