package auth

import (
	"crypto/sha256"
	"sync"
	"time"
)

// Verified-token cache bounds: a client sends the same token with every
// request for its lifetime, and verifying an RSA or ECDSA signature costs
// tens of microseconds, far more than a resolve.
const (
	maxCachedTokens = 10000
	// maxCacheAge bounds how long a verified token is trusted without
	// verifying it again (also bounded by its exp).
	maxCacheAge = 5 * time.Minute
)

// tokenCache remembers tokens that verified, by the SHA-256 of the token,
// until the earlier of their exp and maxCacheAge. A refused token is not
// remembered.
type tokenCache struct {
	mu sync.RWMutex
	m  map[[sha256.Size]byte]cachedToken
}

type cachedToken struct {
	res   Result
	until time.Time
}

func newTokenCache() *tokenCache {
	return &tokenCache{m: map[[sha256.Size]byte]cachedToken{}}
}

// get returns the cached result for the token with hash k, if still
// valid at now.
func (c *tokenCache) get(k [sha256.Size]byte, now time.Time) (Result, bool) {
	c.mu.RLock()
	e, ok := c.m[k]
	c.mu.RUnlock()
	if !ok || !now.Before(e.until) {
		return Result{}, false
	}
	return e.res, true
}

// put remembers res for the token with hash k until until (capped at now
// + maxCacheAge). When the cache is full it first drops expired entries,
// then, if still full, about half of the rest.
func (c *tokenCache) put(k [sha256.Size]byte, res Result, now, until time.Time) {
	if limit := now.Add(maxCacheAge); until.After(limit) {
		until = limit
	}
	if !now.Before(until) {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= maxCachedTokens {
		for key, e := range c.m {
			if !now.Before(e.until) {
				delete(c.m, key)
			}
		}
		for key := range c.m {
			if len(c.m) < maxCachedTokens/2 {
				break
			}
			delete(c.m, key)
		}
	}
	c.m[k] = cachedToken{res: res, until: until}
}
