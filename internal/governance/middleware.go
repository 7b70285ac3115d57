package governance

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"

	"github.com/moniker-svc/moniker/internal/httpapi"
)

// Anonymous is the key shared by every caller the limiter cannot tell
// apart.
const Anonymous = "anonymous"

// BatchBodyLimit is the most of a batch body BatchCost reads to count its
// items: the batch route's own body limit.
const BatchBodyLimit = httpapi.MaxBody

// Key is the bucket key of c: the authenticated principal; without one,
// the X-App-ID hint when the limiter was built with HeaderIdentity (auth
// off); else Anonymous. Upstream keyed by app id, then user id, and all
// header-less callers shared "anonymous"; we key by the authenticated
// identity first because a header is not proof.
func (l *Limiter) Key(c httpapi.Caller) string {
	switch {
	case c.Principal != "":
		return c.Principal
	case l.headerIdentity && c.AppID != "":
		return c.AppID
	default:
		return Anonymous
	}
}

// Middleware refuses requests over the caller's or the global limit with
// 429, an integer Retry-After header (whole seconds, rounded up, at least
// 1) and a {"detail","code":"rate_limited"} body, before the handler
// runs. cost returns a request's cost in tokens (nil = 1 per request).
// It must run inside the authentication middleware, which puts the
// caller in the request context. A disabled limiter returns next as is.
func (l *Limiter) Middleware(cost func(*http.Request) int) httpapi.Middleware {
	return func(next http.Handler) http.Handler {
		if !l.enabled {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := 1
			if cost != nil {
				n = cost(r)
			}
			key := l.Key(httpapi.CallerFrom(r.Context()))
			ok, wait, reason := l.Allow(key, n)
			if !ok {
				if l.onLimited != nil {
					l.onLimited(r, key, reason)
				}
				httpapi.SetRetryAfter(w.Header(), wait)
				httpapi.WriteDetail(w, http.StatusTooManyRequests, httpapi.CodeRateLimited, reason)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// BatchCost returns a cost function for POST /resolve/batch: the number
// of monikers in the body's "monikers" array, at least 1 and at most
// maxItems (a larger batch is refused by the handler anyway). It reads at
// most BatchBodyLimit+1 bytes and puts them back in front of the rest of
// the body, so the handler reads the body exactly as sent. A body it
// cannot count (too large, not JSON) costs 1 and is left to the handler
// to refuse.
func BatchCost(maxItems int) func(*http.Request) int {
	return func(r *http.Request) int {
		if r.Body == nil || r.Body == http.NoBody {
			return 1
		}
		data, err := io.ReadAll(io.LimitReader(r.Body, BatchBodyLimit+1))
		r.Body = readCloser{io.MultiReader(bytes.NewReader(data), r.Body), r.Body}
		if err != nil || len(data) > BatchBodyLimit {
			return 1
		}
		var body struct {
			Monikers []json.RawMessage `json:"monikers"`
		}
		if json.Unmarshal(data, &body) != nil {
			return 1
		}
		return min(max(len(body.Monikers), 1), maxItems)
	}
}

// readCloser reads from the peeked bytes and then the rest of the body,
// and closes the original body.
type readCloser struct {
	io.Reader
	io.Closer
}

// Protect returns a copy of routes with the limiter in front of the data
// routes issue 5 names: GET /resolve (both patterns), GET /catalog and
// GET /fetch cost one token; POST /resolve/batch costs one per moniker
// (BatchCost(maxBatch)). Routes are matched by their Doc path; others are
// returned as they are.
func (l *Limiter) Protect(routes []httpapi.Route, maxBatch int) []httpapi.Route {
	one := l.Middleware(nil)
	batch := l.Middleware(BatchCost(maxBatch))
	out := make([]httpapi.Route, len(routes))
	for i, rt := range routes {
		switch rt.Method + " " + rt.Doc {
		case "GET /resolve/{path}", "GET /catalog", "GET /fetch/{path}":
			rt.Handler = one(rt.Handler)
		case "POST /resolve/batch":
			rt.Handler = batch(rt.Handler)
		}
		out[i] = rt
	}
	return out
}
