// Package auth authenticates HTTP callers and authorizes writes by role.
//
// Two methods, tried in the order of auth.method_order (a method takes
// part only when its own section is enabled):
//
//   - jwt: "Authorization: Bearer <token>", RS256/RS384/RS512,
//     ES256/ES384/ES512 or EdDSA verified against the issuer's JWKS (OIDC
//     discovery, then the two well-known JWKS locations), or HS256 with
//     auth.okta.test_secret when auth.okta.issuer is "test".
//   - kerberos: "Authorization: Negotiate <SPNEGO token>" verified with the
//     configured keytab.
//
// Service.Middleware puts the caller on the request context
// (httpapi.Caller); Service.RequireRole and Service.Protect guard the
// write routes with the roles of auth.roles; RoleFor is the table of
// which role each write route needs.
package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/moniker-svc/moniker/internal/config"
)

// Method names reported in Result.Method.
const (
	MethodJWT      = config.MethodJWT
	MethodKerberos = config.MethodKerberos
)

// Result is the outcome of one authenticator for a request it claimed.
// Err is nil when the credential was accepted.
type Result struct {
	// Principal is the authenticated identity: the JWT user claim, or
	// user@REALM for Kerberos.
	Principal string
	// Method is MethodJWT or MethodKerberos.
	Method string
	// Groups are the JWT groups claim (none for Kerberos).
	Groups []string
	// Service is the JWT client_id (else azp) claim: the OAuth client the
	// token was issued to.
	Service string
	// Team is the JWT team claim.
	Team string
	// Claims are all the JWT claims (nil for Kerberos).
	Claims map[string]any
	// Err says why the credential was refused; nil on success.
	Err error
}

// Authenticator checks one kind of credential. claimed is false when the
// request carries no credential of its kind (the next authenticator is
// asked); when claimed is true, the result's Err is nil on success and
// says why the credential was refused otherwise.
type Authenticator interface {
	Authenticate(r *http.Request) (res Result, claimed bool)
}

// challenger is an authenticator that names its WWW-Authenticate
// challenge. invalid is true when the request carried a credential of
// this kind that was refused.
type challenger interface {
	challenge(invalid bool) string
}

// Composite asks its authenticators in order: the first success wins; a
// refused credential does not stop the chain. When none succeeded, it
// returns the last refusal (claimed true) or, when no authenticator
// claimed the request, claimed false.
type Composite []Authenticator

// Authenticate implements Authenticator.
func (c Composite) Authenticate(r *http.Request) (Result, bool) {
	var (
		last    Result
		claimed bool
	)
	for _, a := range c {
		res, ok := a.Authenticate(r)
		if !ok {
			continue
		}
		if res.Err == nil {
			return res, true
		}
		last, claimed = res, true
	}
	return last, claimed
}

// Options are the dependencies of New.
type Options struct {
	// Log receives authentication failures (debug) and JWKS fetch
	// problems (warn); nil discards.
	Log *slog.Logger
	// HTTPClient fetches the OIDC discovery document and the JWKS; nil
	// means a client with a 10 s timeout.
	HTTPClient *http.Client
	// Now is the clock for token times and the JWKS cache; nil means
	// time.Now.
	Now func() time.Time
	// JWKSMinRefresh is the least time between two JWKS fetches, so a
	// flood of tokens with unknown key ids cannot hammer the issuer; 0
	// means DefaultJWKSMinRefresh.
	JWKSMinRefresh time.Duration
}

// withDefaults fills o's unset fields.
func (o Options) withDefaults() Options {
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.HTTPClient == nil {
		o.HTTPClient = &http.Client{Timeout: 10 * time.Second}
	}
	if o.JWKSMinRefresh <= 0 {
		o.JWKSMinRefresh = DefaultJWKSMinRefresh
	}
	return o
}

// DefaultJWKSMinRefresh is the default Options.JWKSMinRefresh.
const DefaultJWKSMinRefresh = 30 * time.Second

// Leeway is the clock skew allowed on a JWT's exp, nbf and iat. Kerberos
// ticket times allow 5 minutes, MIT's default clockskew.
const Leeway = 30 * time.Second

// Service authenticates requests and checks roles, as configured by the
// auth section.
type Service struct {
	enabled bool
	enforce bool
	chain   Composite
	roles   map[string][]string
	log     *slog.Logger
}

// New builds the authenticators of c.MethodOrder whose sections are
// enabled. It fails when one cannot be built (a keytab that does not
// load, an issuer that is not a URL).
func New(c config.Auth, o Options) (*Service, error) {
	o = o.withDefaults()
	o.Log = o.Log.With("component", "auth")
	s := &Service{enabled: c.Enabled, enforce: c.Enabled && c.Enforce, roles: c.Roles, log: o.Log}
	if !c.Enabled {
		return s, nil
	}
	var errs []error
	seen := map[string]bool{}
	for _, m := range c.MethodOrder {
		if seen[m] {
			continue
		}
		seen[m] = true
		switch {
		case m == MethodJWT && c.Okta.Enabled:
			j, err := NewJWT(c.Okta, o)
			if err != nil {
				errs = append(errs, fmt.Errorf("auth.okta: %w", err))
				continue
			}
			s.chain = append(s.chain, j)
		case m == MethodKerberos && c.Kerberos.Enabled:
			k, err := NewKerberos(c.Kerberos)
			if err != nil {
				errs = append(errs, fmt.Errorf("auth.kerberos: %w", err))
				continue
			}
			s.chain = append(s.chain, k)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return s, nil
}

// Enabled reports whether authentication is on (auth.enabled).
func (s *Service) Enabled() bool { return s.enabled }

// Authenticator returns the configured authenticators as one (empty when
// auth is off).
func (s *Service) Authenticator() Authenticator { return s.chain }

type resultKey struct{}

// contextWithResult returns ctx carrying the authentication result of its
// request, successful or not.
func contextWithResult(ctx context.Context, r Result) context.Context {
	return context.WithValue(ctx, resultKey{}, r)
}

// FromContext returns the successful authentication result of the
// request ctx belongs to, as Service.Middleware stored it.
func FromContext(ctx context.Context) (Result, bool) {
	r, ok := ctx.Value(resultKey{}).(Result)
	if !ok || r.Err != nil {
		return Result{}, false
	}
	return r, true
}

// refusedMethod returns the method whose credential the request's
// authentication refused, "" if none.
func refusedMethod(ctx context.Context) string {
	if r, ok := ctx.Value(resultKey{}).(Result); ok && r.Err != nil {
		return r.Method
	}
	return ""
}
