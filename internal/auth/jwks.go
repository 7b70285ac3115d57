package auth

import (
	"context"
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// maxJWKSBody bounds a discovery document or key set.
const maxJWKSBody = 1 << 20

// minRSABits is the smallest RSA modulus accepted from a key set.
const minRSABits = 2048

// publicKey is one signing key of a key set. alg is the JWK's "alg" ("" =
// any algorithm that fits the key type).
type publicKey struct {
	key crypto.PublicKey
	alg string
}

// keySet is one fetched JWKS.
type keySet struct {
	keys    map[string]publicKey // by kid ("" for a key without one)
	fetched time.Time
}

// jwks fetches and caches the issuer's signing keys. A fetch happens when
// a token names a key id the cache lacks or the cache is older than ttl,
// but never sooner than minRefresh after the previous attempt, so tokens
// with made-up key ids cannot make it hammer the issuer. While a fetch is
// barred or failing, keys already fetched stay in use.
type jwks struct {
	issuer     string
	client     *http.Client
	ttl        time.Duration
	minRefresh time.Duration
	now        func() time.Time
	log        *slog.Logger

	set atomic.Pointer[keySet]

	mu          sync.Mutex // serializes fetches; guards the fields below
	lastAttempt time.Time
	jwksURL     string // from discovery, once found
}

func newJWKS(issuer string, ttl time.Duration, o Options) *jwks {
	return &jwks{
		issuer:     strings.TrimSuffix(issuer, "/"),
		client:     o.HTTPClient,
		ttl:        ttl,
		minRefresh: o.JWKSMinRefresh,
		now:        o.Now,
		log:        o.Log,
	}
}

// key returns the key with id kid ("" = the set's only key), fetching the
// key set when kid is unknown or the set is stale and a fetch is allowed.
func (k *jwks) key(kid string) (publicKey, error) {
	if s := k.set.Load(); s != nil && k.now().Sub(s.fetched) < k.ttl {
		if pk, ok := s.lookup(kid); ok {
			return pk, nil
		}
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	s := k.set.Load() // another request may have fetched meanwhile
	now := k.now()
	if s != nil && now.Sub(s.fetched) < k.ttl {
		if pk, ok := s.lookup(kid); ok {
			return pk, nil
		}
	}
	if k.lastAttempt.IsZero() || now.Sub(k.lastAttempt) >= k.minRefresh {
		k.lastAttempt = now
		fresh, err := k.fetch()
		if err != nil {
			k.log.Warn("could not fetch the issuer's signing keys", "issuer", k.issuer, "err", err)
		} else {
			fresh.fetched = now
			k.set.Store(fresh)
			s = fresh
		}
	}
	if s == nil {
		return publicKey{}, errors.New("the issuer's signing keys are not available")
	}
	if pk, ok := s.lookup(kid); ok {
		return pk, nil
	}
	if kid == "" {
		return publicKey{}, errors.New("token has no kid and the issuer has several keys")
	}
	return publicKey{}, fmt.Errorf("unknown signing key id %q", kid)
}

// lookup finds kid; "" matches a set of exactly one key.
func (s *keySet) lookup(kid string) (publicKey, bool) {
	if pk, ok := s.keys[kid]; ok {
		return pk, true
	}
	if kid == "" && len(s.keys) == 1 {
		for _, pk := range s.keys {
			return pk, true
		}
	}
	return publicKey{}, false
}

// fetch reads the key set: from the jwks_uri of the issuer's OIDC
// discovery document when it has one, else from
// {issuer}/.well-known/jwks.json, else {issuer}/v1/keys (Okta).
func (k *jwks) fetch() (*keySet, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
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
		var doc struct {
			Keys []json.RawMessage `json:"keys"`
		}
		if err := getJSON(ctx, k.client, u, &doc); err != nil {
			errs = append(errs, err)
			continue
		}
		return parseKeySet(doc.Keys)
	}
	k.jwksURL = "" // discover again next time
	return nil, errors.Join(errs...)
}

// discover returns the jwks_uri of the issuer's OIDC discovery document.
func (k *jwks) discover(ctx context.Context) (string, error) {
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

// jwk is the part of a JSON Web Key (RFC 7517/7518) used here.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseKeySet keeps the set's RSA and P-256 signing keys; others
// (encryption keys, other curves, symmetric keys) are skipped. A set with
// no usable key is an error.
func parseKeySet(raw []json.RawMessage) (*keySet, error) {
	s := &keySet{keys: map[string]publicKey{}}
	var errs []error
	for _, r := range raw {
		var j jwk
		if err := json.Unmarshal(r, &j); err != nil {
			errs = append(errs, err)
			continue
		}
		if j.Use != "" && j.Use != "sig" {
			continue
		}
		var (
			key crypto.PublicKey
			err error
		)
		switch j.Kty {
		case "RSA":
			key, err = rsaKey(j)
		case "EC":
			if j.Crv != "P-256" {
				continue
			}
			key, err = p256Key(j)
		default:
			continue
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("key %q: %w", j.Kid, err))
			continue
		}
		s.keys[j.Kid] = publicKey{key: key, alg: j.Alg}
	}
	if len(s.keys) == 0 {
		errs = append(errs, errors.New("the key set has no usable signing key"))
		return nil, errors.Join(errs...)
	}
	return s, nil
}

func rsaKey(j jwk) (*rsa.PublicKey, error) {
	n, err := base64.RawURLEncoding.DecodeString(j.N)
	if err != nil {
		return nil, fmt.Errorf("n: %w", err)
	}
	e, err := base64.RawURLEncoding.DecodeString(j.E)
	if err != nil {
		return nil, fmt.Errorf("e: %w", err)
	}
	if len(e) == 0 || len(e) > 4 {
		return nil, errors.New("e: out of range")
	}
	var exp int
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	if exp < 3 || exp%2 == 0 {
		return nil, errors.New("e: not an odd exponent >= 3")
	}
	key := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}
	if key.N.BitLen() < minRSABits {
		return nil, fmt.Errorf("n: %d bits, want at least %d", key.N.BitLen(), minRSABits)
	}
	return key, nil
}

func p256Key(j jwk) (*ecdsa.PublicKey, error) {
	x, err := base64.RawURLEncoding.DecodeString(j.X)
	if err != nil || len(x) != 32 {
		return nil, errors.New("x: not 32 base64url bytes")
	}
	y, err := base64.RawURLEncoding.DecodeString(j.Y)
	if err != nil || len(y) != 32 {
		return nil, errors.New("y: not 32 base64url bytes")
	}
	return ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
}
