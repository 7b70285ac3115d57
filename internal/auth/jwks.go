package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/MicahParks/jwkset"
	"github.com/golang-jwt/jwt/v5"
)

// maxJWKSBody bounds a discovery document or key set.
const maxJWKSBody = 1 << 20

// minRSABits is the smallest RSA modulus accepted from a key set.
const minRSABits = 2048

// jwksAlgorithms is the allow-list of JWS algorithms verified against the
// issuer's key set. HS* is not on it: an HMAC "verified" with a public key
// as its secret is the algorithm-confusion attack. Neither is "none".
func jwksAlgorithms() []string {
	return []string{"RS256", "RS384", "RS512", "ES256", "ES384", "ES512", "EdDSA"}
}

// keyFits reports whether key may verify a token signed with alg: RS*
// need an RSA key, each ES* the curve it names (RFC 7518 §3.4), EdDSA an
// Ed25519 key (RFC 8037). Every other alg fits no key.
func keyFits(alg string, key any) bool {
	switch alg {
	case "RS256", "RS384", "RS512":
		_, ok := key.(*rsa.PublicKey)
		return ok
	case "ES256":
		return onCurve(key, elliptic.P256())
	case "ES384":
		return onCurve(key, elliptic.P384())
	case "ES512":
		return onCurve(key, elliptic.P521())
	case "EdDSA":
		_, ok := key.(ed25519.PublicKey)
		return ok
	}
	return false
}

func onCurve(key any, c elliptic.Curve) bool {
	k, ok := key.(*ecdsa.PublicKey)
	return ok && k.Curve == c
}

// fitting wraps keyfunc's lookup (the token's kid in the key set, the
// JWK's alg against the token's): it refuses a key that does not fit the
// token's alg, and gives a token without kid the one key of the set that
// fits its alg, refusing it when several do.
func fitting(lookup jwt.Keyfunc) jwt.Keyfunc {
	return func(t *jwt.Token) (any, error) {
		key, err := lookup(t)
		if err != nil {
			return nil, err
		}
		alg := t.Method.Alg()
		if set, ok := key.(jwt.VerificationKeySet); ok { // no kid
			var fit []jwt.VerificationKey
			for _, k := range set.Keys {
				if keyFits(alg, k) {
					fit = append(fit, k)
				}
			}
			switch len(fit) {
			case 0:
				return nil, fmt.Errorf("none of the issuer's keys fits alg %s", alg)
			case 1:
				return fit[0], nil
			}
			return nil, fmt.Errorf("token has no kid and %d of the issuer's keys fit alg %s", len(fit), alg)
		}
		if !keyFits(alg, key) {
			kid, _ := t.Header["kid"].(string)
			return nil, fmt.Errorf("key %q does not fit alg %s", kid, alg)
		}
		return key, nil
	}
}

// issuerKeys is the jwkset.Storage keyfunc reads the issuer's signing
// keys from. The keys last fetched are fetched again when a token names a
// key id they lack or they are older than ttl, but never sooner than
// minRefresh after the previous attempt, so tokens with made-up key ids
// cannot make it hammer the issuer. While a fetch is barred or failing,
// keys already fetched stay in use.
//
// jwkset's own HTTP storage is not used: it refreshes on a wall-clock
// ticker goroutine, and on an unknown kid it waits for its rate limiter
// (holding the request) where this refuses at once; it also knows no OIDC
// discovery and does not bound the size of the answer.
type issuerKeys struct {
	*jwkset.MemoryJWKSet // the keys last fetched

	issuer     string
	client     *http.Client
	ttl        time.Duration
	minRefresh time.Duration
	now        func() time.Time
	log        *slog.Logger

	fetched atomic.Pointer[time.Time] // when the keys were fetched; nil before the first fetch

	mu          sync.Mutex // serializes fetches; guards the fields below
	lastAttempt time.Time
	jwksURL     string // from discovery, once found
}

var _ jwkset.Storage = (*issuerKeys)(nil)

func newIssuerKeys(issuer string, ttl time.Duration, o Options) *issuerKeys {
	return &issuerKeys{
		MemoryJWKSet: jwkset.NewMemoryStorage(),
		issuer:       strings.TrimSuffix(issuer, "/"),
		client:       o.HTTPClient,
		ttl:          ttl,
		minRefresh:   o.JWKSMinRefresh,
		now:          o.Now,
		log:          o.Log,
	}
}

// fresh reports whether keys were fetched less than ttl before now.
func (k *issuerKeys) fresh(now time.Time) bool {
	t := k.fetched.Load()
	return t != nil && now.Sub(*t) < k.ttl
}

// KeyRead implements jwkset.Storage: the key with id kid, fetching the key
// set when kid is unknown or the set is stale and a fetch is allowed.
func (k *issuerKeys) KeyRead(ctx context.Context, kid string) (jwkset.JWK, error) {
	if k.fresh(k.now()) {
		if j, err := k.MemoryJWKSet.KeyRead(ctx, kid); err == nil {
			return j, nil
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	now := k.now()
	if k.fresh(now) { // another request may have fetched meanwhile
		if j, err := k.MemoryJWKSet.KeyRead(ctx, kid); err == nil {
			return j, nil
		}
	}
	k.refresh(ctx, now)
	if k.fetched.Load() == nil {
		return jwkset.JWK{}, errors.New("the issuer's signing keys are not available")
	}
	if j, err := k.MemoryJWKSet.KeyRead(ctx, kid); err == nil {
		return j, nil
	}
	return jwkset.JWK{}, fmt.Errorf("unknown signing key id %q: %w", kid, jwkset.ErrKeyNotFound)
}

// KeyReadAll implements jwkset.Storage (keyfunc asks for all keys when a
// token has no kid): the whole key set, fetched again when stale and a
// fetch is allowed.
func (k *issuerKeys) KeyReadAll(ctx context.Context) ([]jwkset.JWK, error) {
	if !k.fresh(k.now()) {
		k.mu.Lock()
		if now := k.now(); !k.fresh(now) {
			k.refresh(ctx, now)
		}
		k.mu.Unlock()
	}
	if k.fetched.Load() == nil {
		return nil, errors.New("the issuer's signing keys are not available")
	}
	return k.MemoryJWKSet.KeyReadAll(ctx)
}

// refresh fetches the key set unless the previous attempt was less than
// minRefresh before now; a failure is logged and keeps the keys there
// are. k.mu must be held.
func (k *issuerKeys) refresh(ctx context.Context, now time.Time) {
	if !k.lastAttempt.IsZero() && now.Sub(k.lastAttempt) < k.minRefresh {
		return
	}
	k.lastAttempt = now
	keys, err := k.fetch(ctx)
	if err == nil {
		err = k.MemoryJWKSet.KeyReplaceAll(ctx, keys)
	}
	if err != nil {
		k.log.Warn("could not fetch the issuer's signing keys", "issuer", k.issuer, "err", err)
		return
	}
	k.fetched.Store(&now)
}

// fetch reads the key set: from the jwks_uri of the issuer's OIDC
// discovery document when it has one, else from
// {issuer}/.well-known/jwks.json, else {issuer}/v1/keys (Okta).
func (k *issuerKeys) fetch(ctx context.Context) ([]jwkset.JWK, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if k.jwksURL == "" {
		u, err := k.discover(ctx)
		if err != nil {
			k.log.Debug("no OIDC discovery document; trying the well-known key set locations", "issuer", k.issuer, "err", err)
		}
		k.jwksURL = u
	}
	candidates := []string{k.issuer + "/.well-known/jwks.json", k.issuer + "/v1/keys"}
	if k.jwksURL != "" {
		candidates = []string{k.jwksURL}
	}
	var errs []error
	for _, u := range candidates {
		var set jwkset.JWKSMarshal
		if err := getJSON(ctx, k.client, u, &set); err != nil {
			errs = append(errs, err)
			continue
		}
		return signingKeys(set)
	}
	k.jwksURL = "" // discover again next time
	return nil, errors.Join(errs...)
}

// discover returns the jwks_uri of the issuer's OIDC discovery document.
func (k *issuerKeys) discover(ctx context.Context) (string, error) {
	var doc struct {
		Issuer  string `json:"issuer"`
		JWKSURI string `json:"jwks_uri"`
	}
	if err := getJSON(ctx, k.client, k.issuer+"/.well-known/openid-configuration", &doc); err != nil {
		return "", err
	}
	if strings.TrimSuffix(doc.Issuer, "/") != k.issuer {
		return "", fmt.Errorf("discovery document names issuer %q, not %q", doc.Issuer, k.issuer)
	}
	u, err := url.Parse(doc.JWKSURI)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("discovery document has no usable jwks_uri (%q)", doc.JWKSURI)
	}
	return doc.JWKSURI, nil
}

// getJSON GETs u and decodes a 200 answer into v.
func getJSON(ctx context.Context, c *http.Client, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxJWKSBody))
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBody+1))
	if err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	if len(body) > maxJWKSBody {
		return fmt.Errorf("GET %s: answer larger than %d bytes", u, maxJWKSBody)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", u, err)
	}
	return nil
}

// signingKeys returns the public keys of set that can verify one of
// jwksAlgorithms; the others (encryption and symmetric keys, X25519, RSA
// under minRSABits, kinds jwkset does not know) are skipped, and so is
// any private part a key carries. A set with no usable key is an error.
func signingKeys(set jwkset.JWKSMarshal) ([]jwkset.JWK, error) {
	var (
		keys []jwkset.JWK
		errs []error
	)
	for _, m := range set.Keys {
		if m.USE != "" && m.USE != jwkset.UseSig {
			continue
		}
		j, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil {
			errs = append(errs, fmt.Errorf("key %q: %w", m.KID, err))
			continue
		}
		if err := usable(j.Key()); err != nil {
			errs = append(errs, fmt.Errorf("key %q: %w", m.KID, err))
			continue
		}
		keys = append(keys, j)
	}
	if len(keys) == 0 {
		errs = append(errs, errors.New("the key set has no usable signing key"))
		return nil, errors.Join(errs...)
	}
	return keys, nil
}

// usable says why key cannot verify any of jwksAlgorithms, nil if it can.
func usable(key any) error {
	if k, ok := key.(*rsa.PublicKey); ok && k.N.BitLen() < minRSABits {
		return fmt.Errorf("RSA key of %d bits, want at least %d", k.N.BitLen(), minRSABits)
	}
	if !slices.ContainsFunc(jwksAlgorithms(), func(alg string) bool { return keyFits(alg, key) }) {
		return fmt.Errorf("a %T verifies none of %v", key, jwksAlgorithms())
	}
	return nil
}
