package httpapi

import (
	"fmt"
	"log/slog"
	"net/http"
	"strings"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws to h so that the first middleware is the outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

// PathGuard answers 400 (JSON) for request paths that are not clean after
// percent-decoding: empty or dot segments ("//", "/./", "/../"), an encoded
// "?" or "#", or control characters. ServeMux would otherwise answer such
// paths with a redirect to a cleaned path, and a decoded "?" would smuggle
// query parameters into a moniker. Upstream answered 400 for these too.
func PathGuard() Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if msg := checkPath(r.URL.Path); msg != "" {
				WriteDetail(w, http.StatusBadRequest, CodeInvalidRequest, msg)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

// checkPath returns what is wrong with a decoded request path, or "".
func checkPath(p string) string {
	if p == "" || p[0] != '/' {
		return "invalid request path"
	}
	for i := 0; i < len(p); i++ {
		c := p[i]
		switch {
		case c == '?' || c == '#':
			return fmt.Sprintf("invalid request path: encoded %q is not allowed", c)
		case c < 0x20 || c == 0x7f:
			return "invalid request path: control characters are not allowed"
		case c == '/' && i+1 < len(p) && p[i+1] == '/':
			return "invalid request path: empty path segment ('//')"
		}
	}
	// Dot segments: "/." or "/.." followed by "/" or the end.
	for rest := p; ; {
		i := strings.Index(rest, "/.")
		if i < 0 {
			break
		}
		seg := rest[i+1:]
		if j := strings.IndexByte(seg, '/'); j >= 0 {
			seg = seg[:j]
		}
		if seg == "." || seg == ".." {
			return "invalid request path: '.' and '..' segments are not allowed"
		}
		rest = rest[i+2:]
	}
	return ""
}

// Recover turns a panic in a handler into a JSON 500 and a log line.
func Recover(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					if v == http.ErrAbortHandler {
						panic(v)
					}
					log.Error("panic in handler", "method", r.Method, "path", r.URL.Path, "panic", fmt.Sprint(v))
					WriteDetail(w, http.StatusInternalServerError, CodeInternal, "internal error")
				}
			}()
			next.ServeHTTP(w, r)
		})
	}
}

// Fallback is registered on a mux as the catch-all pattern "/". It
// answers a path that some other pattern serves with another method with
// a JSON 405 and an Allow header, and everything else with a JSON 404.
// (ServeMux's own answers are plain text.)
func Fallback(mux *http.ServeMux) http.Handler {
	methods := [...]string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var allow []string
		for _, m := range methods {
			if m == r.Method {
				continue
			}
			r2 := r.Clone(r.Context())
			r2.Method = m
			if _, pattern := mux.Handler(r2); pattern != "" && pattern != "/" {
				allow = append(allow, m)
			}
		}
		if len(allow) > 0 {
			w.Header().Set("Allow", strings.Join(allow, ", "))
			WriteDetail(w, http.StatusMethodNotAllowed, CodeMethodNotAllowed, "Method Not Allowed")
			return
		}
		WriteDetail(w, http.StatusNotFound, CodeNoRoute, "Not Found")
	})
}
