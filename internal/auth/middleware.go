package auth

import (
	"net/http"
	"strings"

	"github.com/moniker-svc/moniker/internal/httpapi"
)

// Identity hint headers: recorded on the caller, never proof of anything.
const (
	HeaderAppID = "X-App-ID"
	HeaderTeam  = "X-Team"
)

// IsPublic reports whether a request path is served without a credential
// even when auth.enforce is on: /health, /metrics, /openapi.json and
// /docs (with everything below it). Every other path needs one.
func IsPublic(path string) bool {
	switch path {
	case "/health", "/metrics", "/openapi.json", "/docs":
		return true
	}
	return strings.HasPrefix(path, "/docs/")
}

// Middleware puts the request's caller on its context
// (httpapi.WithCaller, and the whole Result for FromContext):
//
//   - always AppID and Team from the X-App-ID and X-Team headers (Team
//     falls back to the JWT team claim);
//   - with auth.enabled, Principal and Groups from the first
//     authenticator that accepts the request's credential;
//   - with auth.enforce, a request to a non-public path (IsPublic) whose
//     credential is absent or refused is answered 401
//     {"detail":"Authentication required","code":"unauthenticated"} with a
//     WWW-Authenticate challenge per enabled method; without enforce it
//     goes on as anonymous (Principal "").
func (s *Service) Middleware() httpapi.Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := httpapi.Caller{AppID: r.Header.Get(HeaderAppID), Team: r.Header.Get(HeaderTeam)}
			if !s.enabled && c.AppID == "" && c.Team == "" {
				// Nothing to record: the zero Caller is what CallerFrom
				// returns anyway, and the hot path keeps its request.
				next.ServeHTTP(w, r)
				return
			}
			ctx := r.Context()
			if s.enabled {
				res, claimed := s.chain.Authenticate(r)
				switch {
				case claimed && res.Err == nil:
					c.Principal, c.Groups = res.Principal, res.Groups
					if c.Team == "" {
						c.Team = res.Team
					}
					ctx = contextWithResult(ctx, res)
				case s.enforce && !IsPublic(r.URL.Path):
					if claimed {
						s.log.Debug("credential refused", "method", res.Method, "path", r.URL.Path, "err", res.Err)
					}
					s.unauthorized(w, res.Method)
					return
				case claimed:
					s.log.Debug("credential refused; caller is anonymous", "method", res.Method, "path", r.URL.Path, "err", res.Err)
					ctx = contextWithResult(ctx, res)
				}
			}
			next.ServeHTTP(w, r.WithContext(httpapi.WithCaller(ctx, c)))
		})
	}
}

// unauthorized answers 401 with one WWW-Authenticate challenge per
// enabled method. refused names the method whose credential was refused
// ("" if none), so its challenge can say error="invalid_token".
func (s *Service) unauthorized(w http.ResponseWriter, refused string) {
	for _, a := range s.chain {
		if c, ok := a.(challenger); ok {
			w.Header().Add("WWW-Authenticate", c.challenge(methodOf(a) == refused))
		}
	}
	httpapi.WriteDetail(w, http.StatusUnauthorized, httpapi.CodeUnauthenticated, "Authentication required")
}

// Challenges returns the WWW-Authenticate challenges of the enabled
// methods, in method order (empty when auth is off).
func (s *Service) Challenges() []string {
	var out []string
	for _, a := range s.chain {
		if c, ok := a.(challenger); ok {
			out = append(out, c.challenge(false))
		}
	}
	return out
}

// methodOf names an authenticator's method.
func methodOf(a Authenticator) string {
	switch a.(type) {
	case *JWT:
		return MethodJWT
	case *Kerberos:
		return MethodKerberos
	}
	return ""
}
