package auth_test

import (
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// keyKinds returns one key of each kind the JWKS path verifies, with the
// method that signs with it.
func keyKinds(t *testing.T) []struct {
	m   jwt.SigningMethod
	key signingKey
} {
	t.Helper()
	return []struct {
		m   jwt.SigningMethod
		key signingKey
	}{
		{jwt.SigningMethodRS256, rsaSigningKey(t, "rsa2048")},
		{jwt.SigningMethodES256, ecdsaSigningKey(t, "p256", elliptic.P256())},
		{jwt.SigningMethodES384, ecdsaSigningKey(t, "p384", elliptic.P384())},
		{jwt.SigningMethodES512, ecdsaSigningKey(t, "p521", elliptic.P521())},
		{jwt.SigningMethodEdDSA, edSigningKey(t, "ed25519")},
	}
}

// tamper returns tok with one bit of its signature flipped, and tok's
// signature under the payload of other.
func tamper(tok, other string) (flipped, swapped string) {
	parts := strings.Split(tok, ".")
	sig := []byte(parts[2])
	sig[len(sig)/2] ^= 1
	flipped = parts[0] + "." + parts[1] + "." + string(sig)
	swapped = parts[0] + "." + strings.Split(other, ".")[1] + "." + parts[2]
	return flipped, swapped
}

// TestJWKSKeyKinds: a token signed with each kind of key (RSA 2048,
// P-256, P-384, P-521, Ed25519) is accepted; tampered, it is refused; and
// a key is never used for an alg it does not fit (an ES256 token naming
// the P-384 key, an EdDSA token naming the RSA key, ...).
func TestJWKSKeyKinds(t *testing.T) {
	kinds := keyKinds(t)
	var keys []signingKey
	for _, k := range kinds {
		keys = append(keys, k.key)
	}
	clk := newClock()
	p := newIDP(t, "/keys", true, keys...)
	j := newJWT(t, oktaConfig(p.issuer()), clk)
	good := claimsAt(clk.Now(), p.issuer())

	for i, k := range kinds {
		alg := k.m.Alg()
		t.Run(alg+" accepted", func(t *testing.T) {
			res, _ := j.Authenticate(bearer(sign(t, k.m, k.key, good)))
			if res.Err != nil {
				t.Fatalf("refused: %v", res.Err)
			}
			if res.Principal != "alice@firm.com" {
				t.Errorf("principal %q", res.Principal)
			}
		})
		t.Run(alg+" tampered", func(t *testing.T) {
			tok := sign(t, k.m, k.key, good)
			flipped, swapped := tamper(tok, sign(t, k.m, k.key, with(good, "sub", "mallory@firm.com")))
			for _, bad := range []string{flipped, swapped} {
				res, _ := j.Authenticate(bearer(bad))
				if res.Err == nil {
					t.Fatalf("tampered token accepted as %q", res.Principal)
				}
				if !strings.Contains(res.Err.Error(), "signature") {
					t.Errorf("error %q does not mention the signature", res.Err)
				}
			}
		})
		// The same private key, but the token names the next kind's key.
		other := kinds[(i+1)%len(kinds)].key
		t.Run(alg+" naming the "+other.kid+" key", func(t *testing.T) {
			res, _ := j.Authenticate(bearer(sign(t, k.m, signingKey{kid: other.kid, priv: k.key.priv}, good)))
			if res.Err == nil || !strings.Contains(res.Err.Error(), "does not fit alg "+alg) {
				t.Fatalf("err %v, want the key refused for %s", res.Err, alg)
			}
		})
	}
	if n := p.fetchCount(); n != 1 {
		t.Errorf("%d JWKS fetches, want 1 (cached)", n)
	}
}

// TestJWKSAlgorithmAllowList: only the allow-list is verified against a
// JWKS key. HS256/384/512 with a public key as the HMAC secret (the
// algorithm-confusion attack) and "none" are refused for every kind of
// key, before any key is looked up.
func TestJWKSAlgorithmAllowList(t *testing.T) {
	kinds := keyKinds(t)
	var keys []signingKey
	for _, k := range kinds {
		keys = append(keys, k.key)
	}
	clk := newClock()
	p := newIDP(t, "/keys", true, keys...)
	j := newJWT(t, oktaConfig(p.issuer()), clk)
	good := claimsAt(clk.Now(), p.issuer())

	for _, k := range kinds {
		// The public key as a verifier would hold it: PEM (what
		// RSA-confusion exploits use) and raw bytes.
		der, err := x509.MarshalPKIXPublicKey(k.key.priv.Public())
		if err != nil {
			t.Fatal(err)
		}
		secrets := map[string][]byte{
			"PEM": pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}),
			"DER": der,
		}
		if ed, ok := k.key.priv.Public().(ed25519.PublicKey); ok {
			secrets["raw"] = ed
		}
		for _, m := range []jwt.SigningMethod{jwt.SigningMethodHS256, jwt.SigningMethodHS384, jwt.SigningMethodHS512} {
			for form, secret := range secrets {
				t.Run(fmt.Sprintf("%s with the %s key (%s)", m.Alg(), k.key.kid, form), func(t *testing.T) {
					tok := jwt.NewWithClaims(m, good)
					tok.Header["kid"] = k.key.kid
					s, err := tok.SignedString(secret)
					if err != nil {
						t.Fatal(err)
					}
					res, _ := j.Authenticate(bearer(s))
					if res.Err == nil || !strings.Contains(res.Err.Error(), "signing method") {
						t.Fatalf("err %v, want the signing method refused", res.Err)
					}
				})
			}
		}
		t.Run("none naming the "+k.key.kid+" key", func(t *testing.T) {
			tok := jwt.NewWithClaims(jwt.SigningMethodNone, good)
			tok.Header["kid"] = k.key.kid
			s, err := tok.SignedString(jwt.UnsafeAllowNoneSignatureType)
			if err != nil {
				t.Fatal(err)
			}
			res, _ := j.Authenticate(bearer(s))
			if res.Err == nil || !strings.Contains(res.Err.Error(), "signing method") {
				t.Fatalf("err %v, want the signing method refused", res.Err)
			}
		})
	}
}

// TestJWKSUnknownKidRefetch: a token naming a key the cached set lacks
// makes exactly one fetch, even when many such requests arrive at once;
// the key the issuer added is then accepted, and a dropped one refused.
func TestJWKSUnknownKidRefetch(t *testing.T) {
	first, added := edSigningKey(t, "ed-1"), ecdsaSigningKey(t, "p384-2", elliptic.P384())
	clk := newClock()
	p := newIDP(t, "/keys", true, first)
	j := newJWT(t, oktaConfig(p.issuer()), clk)
	claims := claimsAt(clk.Now(), p.issuer())
	if res, _ := j.Authenticate(bearer(sign(t, jwt.SigningMethodEdDSA, first, claims))); res.Err != nil {
		t.Fatal(res.Err)
	}
	if n := p.fetchCount(); n != 1 {
		t.Fatalf("fetches %d, want 1", n)
	}

	// The issuer rotates: adds a P-384 key, then drops the Ed25519 one.
	p.setKeys(added)
	clk.Advance(11 * time.Second) // past JWKSMinRefresh
	const concurrent = 20
	var wg sync.WaitGroup
	errs := make([]error, concurrent)
	for i := range concurrent {
		// Distinct tokens, so none is a verified-token cache hit.
		tok := sign(t, jwt.SigningMethodES384, added, with(claims, "jti", fmt.Sprint(i)))
		wg.Go(func() {
			res, _ := j.Authenticate(bearer(tok))
			errs[i] = res.Err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("request %d with the rotated-in key: %v", i, err)
		}
	}
	if n := p.fetchCount(); n != 2 {
		t.Fatalf("fetches %d after %d concurrent requests naming one new kid, want 2", n, concurrent)
	}
	// The dropped key is gone from the cache: refused, and not fetched
	// again within the minimum interval.
	res, _ := j.Authenticate(bearer(sign(t, jwt.SigningMethodEdDSA, first, with(claims, "jti", "after"))))
	if res.Err == nil || !strings.Contains(res.Err.Error(), `unknown signing key id "ed-1"`) {
		t.Fatalf("token of the dropped key: %v", res.Err)
	}
	if n := p.fetchCount(); n != 2 {
		t.Fatalf("fetches %d, want still 2", n)
	}
}

// TestJWKSKeyReplacedUnderItsKid: an issuer that puts new key material
// under a kid it already used is picked up once the cached set is older
// than jwks_cache_ttl; the old key's tokens are then refused.
func TestJWKSKeyReplacedUnderItsKid(t *testing.T) {
	old, replaced := ecdsaSigningKey(t, "k", elliptic.P521()), ecdsaSigningKey(t, "k", elliptic.P521())
	clk := newClock()
	p := newIDP(t, "/keys", true, old)
	c := oktaConfig(p.issuer())
	c.JWKSCacheTTL = 60
	j := newJWT(t, c, clk)
	tok := func(k signingKey) string {
		return sign(t, jwt.SigningMethodES512, k, claimsAt(clk.Now(), p.issuer()))
	}
	if res, _ := j.Authenticate(bearer(tok(old))); res.Err != nil {
		t.Fatal(res.Err)
	}
	p.setKeys(replaced)
	clk.Advance(61 * time.Second)
	if res, _ := j.Authenticate(bearer(tok(replaced))); res.Err != nil {
		t.Fatalf("token of the replacing key: %v", res.Err)
	}
	if res, _ := j.Authenticate(bearer(tok(old))); res.Err == nil || !strings.Contains(res.Err.Error(), "signature") {
		t.Fatalf("token of the replaced key: %v", res.Err)
	}
	if n := p.fetchCount(); n != 2 {
		t.Fatalf("fetches %d, want 2", n)
	}
}

// TestJWKSUnusableKeys: keys that verify none of the allowed algorithms
// (RSA under 2048 bits, X25519, encryption and symmetric keys) are left
// out of the cached set; a set of nothing else is not available at all.
func TestJWKSUnusableKeys(t *testing.T) {
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	x25519 := make([]byte, 32) // any 32 bytes are an X25519 public key
	if _, err := rand.Read(x25519); err != nil {
		t.Fatal(err)
	}
	enc := ecSigningKey(t, "enc")
	encKey := enc.jwk()
	encKey["use"] = "enc"
	unusable := []map[string]string{
		signingKey{kid: "rsa1024", priv: small}.jwk(),
		{"kid": "x25519", "kty": "OKP", "crv": "X25519", "x": b64(x25519)},
		encKey,
		{"kid": "oct", "kty": "oct", "k": b64([]byte("a-shared-secret-a-shared-secret!"))},
	}
	good := edSigningKey(t, "good")
	clk := newClock()
	p := newIDP(t, "/keys", true, good)
	p.setRaw(unusable...)
	j := newJWT(t, oktaConfig(p.issuer()), clk)
	claims := claimsAt(clk.Now(), p.issuer())

	if res, _ := j.Authenticate(bearer(sign(t, jwt.SigningMethodEdDSA, good, claims))); res.Err != nil {
		t.Fatalf("the usable key: %v", res.Err)
	}
	tests := []struct {
		kid string
		m   jwt.SigningMethod
		key signingKey
	}{
		{"rsa1024", jwt.SigningMethodRS256, signingKey{kid: "rsa1024", priv: small}},
		{"enc", jwt.SigningMethodES256, enc},
		{"x25519", jwt.SigningMethodEdDSA, signingKey{kid: "x25519", priv: good.priv}},
		{"oct", jwt.SigningMethodEdDSA, signingKey{kid: "oct", priv: good.priv}},
	}
	for _, tc := range tests {
		t.Run(tc.kid, func(t *testing.T) {
			res, _ := j.Authenticate(bearer(sign(t, tc.m, tc.key, claims)))
			if res.Err == nil || !strings.Contains(res.Err.Error(), "unknown signing key id") {
				t.Fatalf("err %v, want the key unknown", res.Err)
			}
		})
	}

	// An issuer publishing only unusable keys has no keys available.
	p2 := newIDP(t, "/keys", true)
	p2.setRaw(unusable...)
	j2 := newJWT(t, oktaConfig(p2.issuer()), clk)
	res, _ := j2.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, signingKey{kid: "rsa1024", priv: small}, claimsAt(clk.Now(), p2.issuer()))))
	if res.Err == nil || !strings.Contains(res.Err.Error(), "not available") {
		t.Fatalf("err %v, want the keys not available", res.Err)
	}
}
