package auth_test

import (
	"crypto/x509"
	"encoding/pem"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/moniker-svc/moniker/internal/auth"
	"github.com/moniker-svc/moniker/internal/config"
)

const audience = "api://moniker-svc"

func oktaConfig(issuer string) config.Okta {
	return config.Okta{Enabled: true, Issuer: issuer, Audience: audience, JWKSCacheTTL: 3600, UserClaim: "sub", GroupsClaim: "groups"}
}

// newJWT returns a JWT authenticator for p with clk.
func newJWT(t *testing.T, c config.Okta, clk *clock) *auth.JWT {
	t.Helper()
	j, err := auth.NewJWT(c, auth.Options{Now: clk.Now, JWKSMinRefresh: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	return j
}

func claimsAt(now time.Time, iss string) jwt.MapClaims {
	return jwt.MapClaims{
		"iss": iss, "aud": audience, "sub": "alice@firm.com",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		"groups": []string{"data-eng", "approvers"}, "client_id": "moniker-cli", "team": "risk",
	}
}

func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func TestJWTAgainstJWKS(t *testing.T) {
	rsaKey := rsaSigningKey(t, "rsa1")
	ecKey := ecSigningKey(t, "ec1")
	pinned := rsaSigningKey(t, "pinned")
	pinned.alg = "RS256"
	clk := newClock()
	p := newIDP(t, "/oauth2/default/v1/keys", true, rsaKey, ecKey, pinned)
	j := newJWT(t, oktaConfig(p.issuer()), clk)
	now := clk.Now()
	good := claimsAt(now, p.issuer())

	// HS256 signed with the RSA public key as the HMAC secret: the
	// classic algorithm-confusion attack.
	pubDER, err := x509.MarshalPKIXPublicKey(rsaKey.priv.Public())
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	confused := jwt.NewWithClaims(jwt.SigningMethodHS256, good)
	confused.Header["kid"] = "rsa1"
	confusedTok, err := confused.SignedString(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	noneTok, err := jwt.NewWithClaims(jwt.SigningMethodNone, good).SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	tampered := sign(t, jwt.SigningMethodRS256, rsaKey, good)
	parts := strings.Split(tampered, ".")
	otherPayload := sign(t, jwt.SigningMethodRS256, rsaKey, with(good, "sub", "mallory@firm.com"))
	swapped := parts[0] + "." + strings.Split(otherPayload, ".")[1] + "." + parts[2]
	sig := []byte(parts[2])
	sig[len(sig)/2] ^= 1
	flipped := parts[0] + "." + parts[1] + "." + string(sig)

	tests := []struct {
		name      string
		token     string
		principal string // "" = refused
		errHas    string
	}{
		{"RS256", sign(t, jwt.SigningMethodRS256, rsaKey, good), "alice@firm.com", ""},
		{"RS384", sign(t, jwt.SigningMethodRS384, rsaKey, good), "alice@firm.com", ""},
		{"RS512", sign(t, jwt.SigningMethodRS512, rsaKey, good), "alice@firm.com", ""},
		{"ES256", sign(t, jwt.SigningMethodES256, ecKey, good), "alice@firm.com", ""},
		{"expired", sign(t, jwt.SigningMethodRS256, rsaKey, with(good, "exp", now.Add(-time.Minute).Unix())), "", "expired"},
		{"expired within leeway", sign(t, jwt.SigningMethodRS256, rsaKey, with(good, "exp", now.Add(-10*time.Second).Unix())), "alice@firm.com", ""},
		{"no exp", sign(t, jwt.SigningMethodRS256, rsaKey, with(good, "exp", nil)), "", "exp"},
		{"not yet valid", sign(t, jwt.SigningMethodRS256, rsaKey, with(good, "nbf", now.Add(time.Hour).Unix())), "", "not valid yet"},
		{"nbf within leeway", sign(t, jwt.SigningMethodRS256, rsaKey, with(good, "nbf", now.Add(10*time.Second).Unix())), "alice@firm.com", ""},
		{"issued in the future", sign(t, jwt.SigningMethodRS256, rsaKey, with(good, "iat", now.Add(time.Hour).Unix())), "", "used before issued"},
		{"wrong audience", sign(t, jwt.SigningMethodRS256, rsaKey, with(good, "aud", "api://other")), "", "aud"},
		{"audience in a list", sign(t, jwt.SigningMethodRS256, rsaKey, with(good, "aud", []string{"api://other", audience})), "alice@firm.com", ""},
		{"wrong issuer", sign(t, jwt.SigningMethodRS256, rsaKey, with(good, "iss", "https://evil.example/oauth2/default")), "", "iss"},
		{"no principal", sign(t, jwt.SigningMethodRS256, rsaKey, with(good, "sub", nil)), "", `"sub"`},
		{"flipped signature bit", flipped, "", "signature"},
		{"payload swapped under a signature", swapped, "", "signature"},
		{"alg confusion: HS256 with the RSA public key", confusedTok, "", "signing method"},
		{"alg none", noneTok, "", "signing method"},
		{"RS512 with a key pinned to RS256", sign(t, jwt.SigningMethodRS512, pinned, good), "", "RS256"},
		{"RS256 with a key pinned to RS256", sign(t, jwt.SigningMethodRS256, pinned, good), "alice@firm.com", ""},
		{"ES256 header on an RSA key", sign(t, jwt.SigningMethodES256, signingKey{kid: "rsa1", priv: ecKey.priv}, good), "", "does not fit"},
		{"no kid, several keys", sign(t, jwt.SigningMethodRS256, signingKey{priv: rsaKey.priv}, good), "", "no kid"},
		{"garbage", "not.a.jwt", "", "malformed"},
		{"empty", "", "", "malformed"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, claimed := j.Authenticate(bearer(tc.token))
			if !claimed {
				t.Fatal("a Bearer request was not claimed")
			}
			if res.Method != auth.MethodJWT {
				t.Errorf("method %q", res.Method)
			}
			if tc.principal == "" {
				if res.Err == nil {
					t.Fatalf("accepted as %q, want refused", res.Principal)
				}
				if !strings.Contains(res.Err.Error(), tc.errHas) {
					t.Errorf("error %q does not mention %q", res.Err, tc.errHas)
				}
				return
			}
			if res.Err != nil {
				t.Fatalf("refused: %v", res.Err)
			}
			if res.Principal != tc.principal {
				t.Errorf("principal %q, want %q", res.Principal, tc.principal)
			}
			if !slices.Equal(res.Groups, []string{"data-eng", "approvers"}) {
				t.Errorf("groups %v", res.Groups)
			}
			if res.Service != "moniker-cli" || res.Team != "risk" {
				t.Errorf("service %q team %q", res.Service, res.Team)
			}
		})
	}
	if n := p.fetchCount(); n != 1 {
		t.Errorf("%d JWKS fetches for known keys, want 1 (cached)", n)
	}
}

func TestJWTNotClaimed(t *testing.T) {
	clk := newClock()
	j := newJWT(t, oktaConfig("https://idp.invalid/oauth2/default"), clk)
	for _, h := range []string{"", "Negotiate abc", "Basic YTpi", "Bearerabc"} {
		r := bearer("")
		r.Header.Set("Authorization", h)
		if _, claimed := j.Authenticate(r); claimed {
			t.Errorf("Authorization %q claimed by the JWT authenticator", h)
		}
	}
	r := bearer("x")
	r.Header.Set("Authorization", "bearer x") // scheme is case-insensitive
	if _, claimed := j.Authenticate(r); !claimed {
		t.Error(`"bearer x" not claimed`)
	}
}

func TestJWTGroupsClaim(t *testing.T) {
	k := rsaSigningKey(t, "k")
	clk := newClock()
	p := newIDP(t, "/oauth2/default/v1/keys", true, k)
	c := oktaConfig(p.issuer())
	c.UserClaim, c.GroupsClaim = "email", "roles"
	j := newJWT(t, c, clk)
	base := claimsAt(clk.Now(), p.issuer())
	tests := []struct {
		name   string
		groups any
		want   []string
	}{
		{"string", "editors", []string{"editors"}},
		{"list", []any{"a", 7, "b"}, []string{"a", "b"}},
		{"absent", nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, _ := j.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, k, with(base, "email", "bob@firm.com", "roles", tc.groups))))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if res.Principal != "bob@firm.com" {
				t.Errorf("principal %q (user_claim email)", res.Principal)
			}
			if !slices.Equal(res.Groups, tc.want) {
				t.Errorf("groups %v, want %v", res.Groups, tc.want)
			}
		})
	}
}

// TestJWKSRotation: an unknown kid makes the authenticator fetch the key
// set again; a kid the issuer does not know either is refused, and
// further unknown kids do not fetch again until JWKSMinRefresh passed.
func TestJWKSRotation(t *testing.T) {
	old, rotated := rsaSigningKey(t, "old"), rsaSigningKey(t, "new")
	clk := newClock()
	p := newIDP(t, "/oauth2/default/v1/keys", true, old)
	j := newJWT(t, oktaConfig(p.issuer()), clk)
	claims := claimsAt(clk.Now(), p.issuer())

	if res, _ := j.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, old, claims))); res.Err != nil {
		t.Fatal(res.Err)
	}
	if n := p.fetchCount(); n != 1 {
		t.Fatalf("fetches %d, want 1", n)
	}

	// The issuer rotates; a token with the new kid arrives after the
	// minimum refresh interval.
	p.setKeys(old, rotated)
	clk.Advance(11 * time.Second)
	if res, _ := j.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, rotated, claims))); res.Err != nil {
		t.Fatalf("token with the rotated key: %v", res.Err)
	}
	if n := p.fetchCount(); n != 2 {
		t.Fatalf("fetches %d, want 2 (refresh on unknown kid)", n)
	}

	// Made-up kids: refused, and no fetch within the minimum interval.
	for i := range 50 {
		bogus := signingKey{kid: "bogus" + string(rune('a'+i%26)), priv: rotated.priv}
		res, _ := j.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, bogus, claims)))
		if res.Err == nil || !strings.Contains(res.Err.Error(), "unknown signing key") {
			t.Fatalf("bogus kid: %v", res.Err)
		}
	}
	if n := p.fetchCount(); n != 2 {
		t.Fatalf("fetches %d after a flood of unknown kids, want still 2", n)
	}
	clk.Advance(11 * time.Second)
	bogus := signingKey{kid: "still-unknown", priv: rotated.priv}
	if res, _ := j.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, bogus, claims))); res.Err == nil {
		t.Fatal("still-unknown kid accepted")
	}
	if n := p.fetchCount(); n != 3 {
		t.Fatalf("fetches %d, want 3 (one refresh once the interval passed)", n)
	}
	// Known keys keep working without fetching.
	if res, _ := j.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, old, claims))); res.Err != nil {
		t.Fatal(res.Err)
	}
	if n := p.fetchCount(); n != 3 {
		t.Fatalf("fetches %d, want 3", n)
	}
}

// TestJWKSCacheTTL: a key set older than jwks_cache_ttl is fetched again;
// a key the issuer dropped is then refused.
func TestJWKSCacheTTL(t *testing.T) {
	k := rsaSigningKey(t, "k")
	clk := newClock()
	p := newIDP(t, "/keys", true, k)
	c := oktaConfig(p.issuer())
	c.JWKSCacheTTL = 60
	j := newJWT(t, c, clk)
	tok := func() string { return sign(t, jwt.SigningMethodRS256, k, claimsAt(clk.Now(), p.issuer())) }
	if res, _ := j.Authenticate(bearer(tok())); res.Err != nil {
		t.Fatal(res.Err)
	}
	clk.Advance(30 * time.Second)
	if res, _ := j.Authenticate(bearer(tok())); res.Err != nil {
		t.Fatal(res.Err)
	}
	if n := p.fetchCount(); n != 1 {
		t.Fatalf("fetches %d within the TTL, want 1", n)
	}
	p.setKeys(rsaSigningKey(t, "other"))
	clk.Advance(31 * time.Second)
	if res, _ := j.Authenticate(bearer(tok())); res.Err == nil {
		t.Fatal("a key the issuer dropped was accepted after the TTL")
	}
	if n := p.fetchCount(); n != 2 {
		t.Fatalf("fetches %d, want 2", n)
	}
}

// TestJWKSLocations: the key set is found through OIDC discovery, else at
// {issuer}/.well-known/jwks.json, else at {issuer}/v1/keys; a single key
// serves a token without kid.
func TestJWKSLocations(t *testing.T) {
	k := rsaSigningKey(t, "k1")
	tests := []struct {
		name      string
		path      string
		discovery bool
	}{
		{"discovery names a custom path", "/custom/keys.json", true},
		{"well-known jwks.json", "/oauth2/default/.well-known/jwks.json", false},
		{"okta v1/keys", "/oauth2/default/v1/keys", false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			clk := newClock()
			p := newIDP(t, tc.path, tc.discovery, k)
			j := newJWT(t, oktaConfig(p.issuer()), clk)
			noKid := signingKey{priv: k.priv}
			res, _ := j.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, noKid, claimsAt(clk.Now(), p.issuer()))))
			if res.Err != nil {
				t.Fatal(res.Err)
			}
			if p.fetchCount() != 1 {
				t.Errorf("fetches %d", p.fetchCount())
			}
		})
	}
}

func TestJWKSUnreachable(t *testing.T) {
	k := rsaSigningKey(t, "k")
	clk := newClock()
	p := newIDP(t, "/nowhere", false)
	j := newJWT(t, oktaConfig(p.issuer()), clk)
	res, claimed := j.Authenticate(bearer(sign(t, jwt.SigningMethodRS256, k, claimsAt(clk.Now(), p.issuer()))))
	if !claimed || res.Err == nil || !strings.Contains(res.Err.Error(), "not available") {
		t.Fatalf("claimed %v err %v", claimed, res.Err)
	}
}

func TestJWTTestMode(t *testing.T) {
	const secret = "a-test-secret-of-at-least-32-bytes!"
	clk := newClock()
	c := config.Okta{Enabled: true, Issuer: config.TestIssuer, Audience: audience, TestSecret: secret, UserClaim: "sub", GroupsClaim: "groups"}
	j := newJWT(t, c, clk)
	good := claimsAt(clk.Now(), "test")
	hs := func(key string, claims jwt.MapClaims) string { return hs256(t, key, claims) }
	issued, err := auth.SignTestToken(secret, auth.TestToken{User: "carol", Audience: audience, Groups: []string{"editors"}, Expires: time.Hour}, clk.Now())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		token     string
		principal string
	}{
		{"good", hs(secret, good), "alice@firm.com"},
		{"moniker token output", issued, "carol"},
		{"wrong secret", hs("another-secret-another-secret-xx", good), ""},
		{"wrong issuer", hs(secret, with(good, "iss", "https://idp.example")), ""},
		{"wrong audience", hs(secret, with(good, "aud", "api://x")), ""},
		{"expired", hs(secret, with(good, "exp", clk.Now().Add(-time.Hour).Unix())), ""},
		{"RS256 in test mode", sign(t, jwt.SigningMethodRS256, rsaSigningKey(t, "k"), good), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			res, claimed := j.Authenticate(bearer(tc.token))
			if !claimed {
				t.Fatal("not claimed")
			}
			if tc.principal == "" {
				if res.Err == nil {
					t.Fatalf("accepted as %q", res.Principal)
				}
				return
			}
			if res.Err != nil || res.Principal != tc.principal {
				t.Fatalf("principal %q err %v, want %q", res.Principal, res.Err, tc.principal)
			}
		})
	}
}

func TestNewJWTErrors(t *testing.T) {
	tests := []struct {
		name string
		c    config.Okta
		want string
	}{
		{"no issuer", config.Okta{Enabled: true}, "issuer is not set"},
		{"test mode without secret", config.Okta{Enabled: true, Issuer: "test"}, "test_secret"},
		{"not a URL", config.Okta{Enabled: true, Issuer: "idp.example"}, "not an http(s) URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := auth.NewJWT(tc.c, auth.Options{})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want %q", err, tc.want)
			}
		})
	}
}

// TestHS256NeverAgainstJWKS: HS256 is refused in normal mode even when
// signed with a plausible secret (there is none).
func TestHS256NeverAgainstJWKS(t *testing.T) {
	k := rsaSigningKey(t, "k")
	clk := newClock()
	p := newIDP(t, "/keys", true, k)
	j := newJWT(t, oktaConfig(p.issuer()), clk)
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claimsAt(clk.Now(), p.issuer())).SignedString([]byte("k"))
	if err != nil {
		t.Fatal(err)
	}
	if res, _ := j.Authenticate(bearer(tok)); res.Err == nil {
		t.Fatal("HS256 accepted against a JWKS")
	}
}

// TestVerifiedTokenCache: a token that verified is not verified again for
// up to 5 minutes (no key lookup, so no JWKS fetch even when the set is
// stale), never past its exp, and verified afresh after that.
func TestVerifiedTokenCache(t *testing.T) {
	k := rsaSigningKey(t, "k")
	clk := newClock()
	p := newIDP(t, "/keys", true, k)
	c := oktaConfig(p.issuer())
	c.JWKSCacheTTL = 60
	j := newJWT(t, c, clk)
	long := sign(t, jwt.SigningMethodRS256, k, with(claimsAt(clk.Now(), p.issuer()), "exp", clk.Now().Add(2*time.Hour).Unix()))
	short := sign(t, jwt.SigningMethodRS256, k, with(claimsAt(clk.Now(), p.issuer()), "exp", clk.Now().Add(2*time.Minute).Unix()))
	for _, tok := range []string{long, short} {
		if res, _ := j.Authenticate(bearer(tok)); res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	// The cached key set goes stale: a cached token needs no key lookup.
	clk.Advance(61 * time.Second)
	if res, _ := j.Authenticate(bearer(long)); res.Err != nil || res.Principal != "alice@firm.com" {
		t.Fatalf("cached token: %v", res.Err)
	}
	if n := p.fetchCount(); n != 1 {
		t.Fatalf("fetches %d: the cached token was verified again", n)
	}
	// Past its exp (and the leeway) a cached token is refused.
	clk.Advance(2 * time.Minute)
	if res, _ := j.Authenticate(bearer(short)); res.Err == nil || !strings.Contains(res.Err.Error(), "expired") {
		t.Fatalf("expired cached token: %v", res.Err)
	}
	// The issuer drops the key. After 5 minutes the token is verified
	// again, and refused.
	p.setKeys(rsaSigningKey(t, "other"))
	clk.Advance(3 * time.Minute)
	if res, _ := j.Authenticate(bearer(long)); res.Err == nil {
		t.Fatal("token accepted after the cache age, though the issuer dropped its key")
	}
	// A tampered copy of a cached token is not a cache hit.
	tampered := long[:len(long)-2] + "AA"
	if tampered == long {
		tampered = long[:len(long)-2] + "BB"
	}
	if res, _ := j.Authenticate(bearer(tampered)); res.Err == nil {
		t.Fatal("tampered token accepted")
	}
}
