package resolve

import (
	"sync"
	"sync/atomic"
	"unsafe"
)

// CacheStats reports the resolve cache of a Snapshot.
type CacheStats struct {
	// Size is the number of stored entries, approximately: an entry
	// promoted from the previous generation counts twice until that
	// generation is dropped, and expired entries count until then.
	Size int
	// MaxSize is the configured bound (0 when the cache is disabled).
	MaxSize int
	// Hits and Misses count lookups since the Snapshot was built.
	Hits, Misses uint64
}

// cache is a bounded TTL cache of resolve entries with no locks on either
// path. It keeps two generations of sync.Map behind an atomic pointer:
// lookups try the current generation, then the previous one (promoting a
// live entry found there); when the current generation has taken
// genSize new keys it becomes the previous one and a fresh map becomes
// current, dropping the old previous generation wholesale. So the cache
// holds at most about 2*genSize entries, evicts roughly the least recently
// used half at a time, and never scans. Expiry is checked on read.
type cache struct {
	genSize      int64
	maxSize      int
	gens         atomic.Pointer[generations]
	hits, misses atomic.Uint64
}

// generations is an immutable pair; rotation swaps in a new pair.
type generations struct {
	cur, prev *generation // prev is nil until the first rotation
}

type generation struct {
	m sync.Map     // cache key (string) -> *Entry
	n atomic.Int64 // keys added
}

// newCache returns a cache of about maxSize entries (maxSize >= 1).
func newCache(maxSize int) *cache {
	c := &cache{genSize: int64(max(1, (maxSize+1)/2)), maxSize: maxSize}
	c.gens.Store(&generations{cur: new(generation)})
	return c
}

// get returns the live entry for key at time now (Unix nanoseconds), or
// nil. It does not allocate.
func (c *cache) get(key []byte, now int64) *Entry {
	// string(key) would copy a key longer than 32 bytes to the heap to box
	// it; the lookups only hash and compare k and keep no reference to it,
	// so a view of the caller's bytes is enough.
	k := unsafe.String(unsafe.SliceData(key), len(key))
	g := c.gens.Load()
	if v, ok := g.cur.m.Load(k); ok {
		if e := v.(*Entry); now < e.expires {
			c.hits.Add(1)
			return e
		}
		// Expired: the miss leads to a put that replaces it.
	} else if g.prev != nil {
		if v, ok := g.prev.m.Load(k); ok {
			if e := v.(*Entry); now < e.expires {
				c.hits.Add(1)
				c.add(g, e)
				return e
			}
		}
	}
	c.misses.Add(1)
	return nil
}

// put stores e under e.key.
func (c *cache) put(e *Entry) { c.add(c.gens.Load(), e) }

// add stores e in the current generation of g and rotates the generations
// when that one is full. A rotation that races with another is lost
// harmlessly (CompareAndSwap), and so, at worst, is an entry stored into a
// generation that was rotated out meanwhile.
func (c *cache) add(g *generations, e *Entry) {
	if _, loaded := g.cur.m.Swap(e.key, e); loaded {
		return
	}
	if g.cur.n.Add(1) >= c.genSize {
		c.gens.CompareAndSwap(g, &generations{cur: new(generation), prev: g.cur})
	}
}

func (c *cache) stats() CacheStats {
	g := c.gens.Load()
	n := g.cur.n.Load()
	if g.prev != nil {
		n += g.prev.n.Load()
	}
	return CacheStats{Size: int(n), MaxSize: c.maxSize, Hits: c.hits.Load(), Misses: c.misses.Load()}
}
