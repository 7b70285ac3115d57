package auth_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2026, 1, 15, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// signingKey is a private key published in the fake issuer's JWKS under
// kid.
type signingKey struct {
	kid  string
	priv crypto.Signer
	alg  string // the JWK's "alg", "" to leave it out
}

func rsaSigningKey(t testing.TB, kid string) signingKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{kid: kid, priv: k}
}

// ecSigningKey returns a P-256 key (ES256).
func ecSigningKey(t testing.TB, kid string) signingKey {
	t.Helper()
	return ecdsaSigningKey(t, kid, elliptic.P256())
}

// ecdsaSigningKey returns a key on curve c: P-256 for ES256, P-384 for
// ES384, P-521 for ES512.
func ecdsaSigningKey(t testing.TB, kid string, c elliptic.Curve) signingKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{kid: kid, priv: k}
}

// edSigningKey returns an Ed25519 key (EdDSA).
func edSigningKey(t testing.TB, kid string) signingKey {
	t.Helper()
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return signingKey{kid: kid, priv: k}
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// jwk returns k's public JWK, written here by hand (RFC 7518 §6, RFC
// 8037 §2) rather than by the library that reads it.
func (k signingKey) jwk() map[string]string {
	m := map[string]string{"kid": k.kid, "use": "sig"}
	if k.alg != "" {
		m["alg"] = k.alg
	}
	switch p := k.priv.Public().(type) {
	case *rsa.PublicKey:
		m["kty"] = "RSA"
		m["n"] = b64(p.N.Bytes())
		m["e"] = b64(big.NewInt(int64(p.E)).Bytes())
	case *ecdsa.PublicKey:
		m["kty"], m["crv"] = "EC", p.Curve.Params().Name
		b, err := p.Bytes() // 0x04 || x || y, each coordinate full size
		if err != nil {
			panic(err)
		}
		size := (len(b) - 1) / 2
		m["x"], m["y"] = b64(b[1:1+size]), b64(b[1+size:])
	case ed25519.PublicKey:
		m["kty"], m["crv"], m["x"] = "OKP", "Ed25519", b64(p)
	}
	return m
}

// idp is a fake OIDC issuer: an httptest server publishing a JWKS at
// jwksPath (and, with discovery, a discovery document naming it).
type idp struct {
	srv       *httptest.Server
	jwksPath  string
	discovery bool

	mu      sync.Mutex
	keys    []signingKey
	raw     []map[string]string // published after keys, as they are
	fetches int                 // JWKS fetches
}

func newIDP(t testing.TB, jwksPath string, discovery bool, keys ...signingKey) *idp {
	t.Helper()
	p := &idp{jwksPath: jwksPath, discovery: discovery, keys: keys}
	p.srv = httptest.NewServer(http.HandlerFunc(p.serve))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *idp) issuer() string { return p.srv.URL + "/oauth2/default" }

func (p *idp) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/oauth2/default/.well-known/openid-configuration":
		if !p.discovery {
			http.NotFound(w, r)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"issuer": p.issuer(), "jwks_uri": p.srv.URL + p.jwksPath})
	case p.jwksPath:
		p.fetches++
		var keys []map[string]string
		for _, k := range p.keys {
			keys = append(keys, k.jwk())
		}
		keys = append(keys, p.raw...)
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": keys})
	default:
		http.NotFound(w, r)
	}
}

func (p *idp) setKeys(keys ...signingKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.keys = keys
}

// setRaw publishes the JWKs raw after the signing keys.
func (p *idp) setRaw(raw ...map[string]string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.raw = raw
}

func (p *idp) fetchCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.fetches
}

// sign returns a token for claims signed by k with method m (kid in the
// header unless k.kid is "").
func sign(t testing.TB, m jwt.SigningMethod, k signingKey, claims jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, claims)
	if k.kid != "" {
		tok.Header["kid"] = k.kid
	}
	s, err := tok.SignedString(k.priv)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// bearer returns a request carrying token as a Bearer credential.
func bearer(token string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, "/resolve/prices", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	return r
}

// hs256 returns claims signed HS256 with secret.
func hs256(t testing.TB, secret string, claims jwt.MapClaims) string {
	t.Helper()
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeFile(t testing.TB, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
