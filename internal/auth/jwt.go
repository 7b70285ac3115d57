package auth

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/MicahParks/keyfunc/v3"
	"github.com/golang-jwt/jwt/v5"

	"github.com/moniker-svc/moniker/internal/config"
)

// JWT authenticates "Authorization: Bearer <token>" requests (auth.okta).
//
// Normal mode verifies RS256/RS384/RS512, ES256/ES384/ES512 and EdDSA
// (Ed25519) signatures with the issuer's JWKS (keyfunc looks the key up in
// an issuerKeys; fitting checks it suits the alg); test mode (issuer
// "test") verifies HS256 with the test secret. Both require iss to equal
// the issuer, aud to contain the audience when one is configured, and exp
// to be present; exp, nbf and iat are checked with Leeway.
type JWT struct {
	issuer      string
	audience    string
	userClaim   string
	groupsClaim string
	parser      *jwt.Parser
	key         jwt.Keyfunc
	now         func() time.Time
	cache       *tokenCache
}

// NewJWT returns the JWT authenticator for c.
func NewJWT(c config.Okta, o Options) (*JWT, error) {
	o = o.withDefaults()
	j := &JWT{issuer: c.Issuer, audience: c.Audience, userClaim: c.UserClaim, groupsClaim: c.GroupsClaim, now: o.Now, cache: newTokenCache()}
	if j.userClaim == "" {
		j.userClaim = "sub"
	}
	if j.groupsClaim == "" {
		j.groupsClaim = "groups"
	}
	popts := []jwt.ParserOption{
		jwt.WithIssuer(c.Issuer),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(Leeway),
		jwt.WithTimeFunc(o.Now),
	}
	if c.Audience != "" {
		popts = append(popts, jwt.WithAudience(c.Audience))
	}
	switch {
	case c.Issuer == "":
		return nil, errors.New("issuer is not set")
	case c.Issuer == config.TestIssuer:
		if c.TestSecret == "" {
			return nil, fmt.Errorf("issuer %q (test mode) needs test_secret", config.TestIssuer)
		}
		secret := []byte(c.TestSecret)
		popts = append(popts, jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}))
		j.key = func(*jwt.Token) (any, error) { return secret, nil }
		o.Log.Warn(`JWT test mode: HS256 tokens signed with auth.okta.test_secret are accepted; do not use this in production`)
	default:
		if !strings.HasPrefix(c.Issuer, "https://") && !strings.HasPrefix(c.Issuer, "http://") {
			return nil, fmt.Errorf("issuer %q is not an http(s) URL", c.Issuer)
		}
		kf, err := keyfunc.New(keyfunc.Options{Storage: newIssuerKeys(c.Issuer, c.JWKSCacheDuration(), o)})
		if err != nil {
			return nil, fmt.Errorf("JWKS key lookup: %w", err)
		}
		popts = append(popts, jwt.WithValidMethods(jwksAlgorithms()))
		j.key = fitting(kf.Keyfunc)
	}
	j.parser = jwt.NewParser(popts...)
	return j, nil
}

// bearerToken returns the token of an "Authorization: Bearer" header
// (scheme case-insensitive, RFC 7235); ok is false without one.
func bearerToken(r *http.Request) (token string, ok bool) {
	scheme, rest, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	return strings.TrimSpace(rest), true
}

// Authenticate implements Authenticator. A token that verified is
// remembered (by its SHA-256) until the earlier of its exp and 5 minutes,
// so a client reusing its token does not pay a signature check per
// request; the Result, Claims included, is shared and must not be
// modified.
func (j *JWT) Authenticate(r *http.Request) (Result, bool) {
	tok, ok := bearerToken(r)
	if !ok {
		return Result{}, false
	}
	now := j.now()
	key := sha256.Sum256([]byte(tok))
	if res, ok := j.cache.get(key, now); ok {
		return res, true
	}
	res := j.verify(tok)
	if res.Err == nil {
		if exp, err := jwt.MapClaims(res.Claims).GetExpirationTime(); err == nil && exp != nil {
			j.cache.put(key, res, now, exp.Time)
		}
	}
	return res, true
}

// verify checks tok and reads the caller from its claims.
func (j *JWT) verify(tok string) Result {
	res := Result{Method: MethodJWT}
	claims := jwt.MapClaims{}
	if _, err := j.parser.ParseWithClaims(tok, claims, j.key); err != nil {
		res.Err = fmt.Errorf("invalid JWT: %w", err)
		return res
	}
	principal, _ := claims[j.userClaim].(string)
	if principal == "" {
		res.Err = fmt.Errorf("invalid JWT: no %q claim (the principal)", j.userClaim)
		return res
	}
	res.Principal = principal
	res.Groups = stringList(claims[j.groupsClaim])
	res.Service = firstString(claims, "client_id", "azp")
	res.Team = firstString(claims, "team")
	res.Claims = claims
	return res
}

// challenge implements challenger: RFC 6750's Bearer challenge with the
// issuer as realm and the audience as scope.
func (j *JWT) challenge(invalid bool) string {
	var params []string
	if j.issuer != "" {
		params = append(params, `realm=`+quoted(j.issuer))
	}
	if j.audience != "" {
		params = append(params, `scope=`+quoted(j.audience))
	}
	if invalid {
		params = append(params, `error="invalid_token"`)
	}
	if len(params) == 0 {
		return "Bearer"
	}
	return "Bearer " + strings.Join(params, ", ")
}

// quoted returns s as an HTTP quoted-string.
func quoted(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// stringList reads a groups claim: a list of strings (other items are
// skipped) or one string.
func stringList(v any) []string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return nil
		}
		return []string{v}
	case []any:
		out := make([]string, 0, len(v))
		for _, g := range v {
			if s, ok := g.(string); ok && s != "" {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// firstString returns the first of the named claims that is a non-empty
// string.
func firstString(claims jwt.MapClaims, names ...string) string {
	for _, n := range names {
		if s, _ := claims[n].(string); s != "" {
			return s
		}
	}
	return ""
}
