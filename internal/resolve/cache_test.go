package resolve

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/moniker"
)

func TestCacheGenerations(t *testing.T) {
	c := newCache(4) // two generations of 2
	put := func(k string) *Entry {
		e := &Entry{key: k, expires: 100}
		c.put(e)
		return e
	}
	get := func(k string) *Entry { return c.get([]byte(k), 50) }

	a, b := put("a"), put("b") // cur {a, b} is full: rotates to prev
	if get("a") != a || get("b") != b {
		t.Fatal("entries of the previous generation not found")
	}
	// get("a") and get("b") promoted both into the new current generation,
	// which then filled and rotated again: prev = {a, b}.
	cc := put("c")
	if get("c") != cc || get("a") != a {
		t.Fatal("lookups after rotation failed")
	}
	// Fill without touching b: b ages out.
	put("d")
	put("e")
	put("f")
	if get("b") != nil {
		t.Error("b survived two rotations without being read")
	}
	if st := c.stats(); st.Size > 4 || st.MaxSize != 4 {
		t.Errorf("stats = %+v, want at most 4 entries", st)
	}
	// Replacing a key does not count as a new one.
	n := c.gens.Load().cur.n.Load()
	put("f")
	if c.gens.Load().cur.n.Load() != n {
		t.Error("replacing a key counted as a new one")
	}
}

func TestCacheExpiry(t *testing.T) {
	c := newCache(10)
	e := &Entry{key: "k", expires: 100}
	c.put(e)
	if c.get([]byte("k"), 99) != e {
		t.Fatal("live entry not found")
	}
	if c.get([]byte("k"), 100) != nil {
		t.Fatal("expired entry returned")
	}
	if st := c.stats(); st.Hits != 1 || st.Misses != 1 {
		t.Errorf("stats = %+v, want 1 hit 1 miss", st)
	}
}

func TestCacheConcurrent(t *testing.T) {
	c := newCache(64)
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				k := fmt.Sprintf("k%d", (i*7+w)%200)
				if e := c.get([]byte(k), 1); e != nil && e.key != k {
					t.Errorf("got %q for %q", e.key, k)
					return
				}
				c.put(&Entry{key: k, expires: 10})
			}
		})
	}
	wg.Wait()
	if st := c.stats(); st.Size > 2*64 || st.Hits+st.Misses != 8000 {
		t.Errorf("stats = %+v", st)
	}
}

func cacheNodes() []*moniker.Node {
	return []*moniker.Node{
		{Path: "prices.equity", Binding: snowflake("d={version_date} v={version} r={revision} n={namespace} m={moniker}")},
	}
}

// TestResolveCacheKeyedOnFullMoniker is the Q3 regression: monikers that
// differ only in version, revision, namespace or params get their own
// results.
func TestResolveCacheKeyedOnFullMoniker(t *testing.T) {
	s := newSnap(cacheNodes(), nil, Options{CacheEnabled: true})
	inputs := []struct{ in, query string }{
		{"prices.equity/AAPL@20260115", "d=TO_DATE('20260115', 'YYYYMMDD') v=20260115 r= n= m=moniker://prices.equity/AAPL@20260115"},
		{"prices.equity/AAPL@20260116", "d=TO_DATE('20260116', 'YYYYMMDD') v=20260116 r= n= m=moniker://prices.equity/AAPL@20260116"},
		{"prices.equity/AAPL", "d=CURRENT_DATE() v= r= n= m=moniker://prices.equity/AAPL"},
		{"prices.equity/AAPL@", "d=CURRENT_DATE() v= r= n= m=moniker://prices.equity/AAPL@"},
		{"prices.equity/AAPL@20260115/v2", "d=TO_DATE('20260115', 'YYYYMMDD') v=20260115 r=2 n= m=moniker://prices.equity/AAPL@20260115/v2"},
		{"ns@prices.equity/AAPL@20260115", "d=TO_DATE('20260115', 'YYYYMMDD') v=20260115 r= n=ns m=moniker://ns@prices.equity/AAPL@20260115"},
		{"prices.equity/AAPL@20260115?x=1", "d=TO_DATE('20260115', 'YYYYMMDD') v=20260115 r= n= m=moniker://prices.equity/AAPL@20260115?x=1"},
	}
	entries := map[string]*Entry{}
	for round := range 2 {
		for _, tt := range inputs {
			e, cached, err := s.Resolve(mustParse(t, tt.in))
			if err != nil {
				t.Fatal(err)
			}
			if cached != (round == 1) {
				t.Errorf("round %d %s: cached = %v", round, tt.in, cached)
			}
			if e.Res.Query != tt.query {
				t.Errorf("round %d %s: query = %q\nwant %q", round, tt.in, e.Res.Query, tt.query)
			}
			if round == 1 && entries[tt.in] != e {
				t.Errorf("%s: hit returned a different entry", tt.in)
			}
			entries[tt.in] = e
		}
	}
	// The same canonical moniker written differently shares one entry,
	// and its "moniker" field is the canonical form.
	e, cached, err := s.Resolve(mustParse(t, "moniker://prices.equity/AAPL/date@20260115"))
	if err != nil || !cached || e != entries["prices.equity/AAPL@20260115"] {
		t.Errorf("equivalent spelling: cached %v err %v", cached, err)
	}
	if e.Res.Moniker != "moniker://prices.equity/AAPL@20260115" {
		t.Errorf("moniker = %q", e.Res.Moniker)
	}
	if st := s.CacheStats(); st.Size != len(inputs) || st.Hits != uint64(len(inputs)+1) || st.Misses != uint64(len(inputs)) ||
		st.MaxSize != DefaultCacheMaxSize {
		t.Errorf("stats = %+v", st)
	}
}

func TestResolveCacheTTL(t *testing.T) {
	clock := &fixedClock{t: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)}
	s := newSnap(cacheNodes(), nil, Options{CacheEnabled: true, CacheTTL: time.Minute, CacheMaxSize: 100, Now: clock.now})
	m := mustParse(t, "prices.equity/AAPL")
	resolve := func() (*Entry, bool) {
		t.Helper()
		e, cached, err := s.Resolve(m)
		if err != nil {
			t.Fatal(err)
		}
		return e, cached
	}
	first, cached := resolve()
	if cached {
		t.Fatal("first resolve was a hit")
	}
	clock.t = clock.t.Add(time.Minute - time.Nanosecond)
	if e, cached := resolve(); !cached || e != first {
		t.Fatal("entry expired early")
	}
	clock.t = clock.t.Add(time.Nanosecond)
	second, cached := resolve()
	if cached || second == first {
		t.Fatal("expired entry served")
	}
	if e, cached := resolve(); !cached || e != second {
		t.Fatal("refreshed entry not cached")
	}
	if st := s.CacheStats(); st.Hits != 2 || st.Misses != 2 || st.MaxSize != 100 {
		t.Errorf("stats = %+v", st)
	}
}

func TestResolveCacheDisabled(t *testing.T) {
	s := newSnap(cacheNodes(), nil, Options{CacheMaxSize: 10})
	m := mustParse(t, "prices.equity/AAPL")
	a, c1, err1 := s.Resolve(m)
	b, c2, err2 := s.Resolve(m)
	if err1 != nil || err2 != nil || c1 || c2 || a == b {
		t.Fatalf("disabled cache: %v %v %v %v", c1, c2, err1, err2)
	}
	if string(a.Body) != string(b.Body) || a.Res.Moniker != "moniker://prices.equity/AAPL" {
		t.Errorf("bodies differ or moniker %q", a.Res.Moniker)
	}
	if st := s.CacheStats(); st != (CacheStats{}) {
		t.Errorf("stats = %+v", st)
	}
}
