package auth

import (
	"errors"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/moniker-svc/moniker/internal/config"
)

// TestToken describes an HS256 token for JWT test mode (auth.okta.issuer
// "test"), as `moniker token` issues them.
type TestToken struct {
	// User becomes sub (the default user claim). Required.
	User string
	// Audience becomes aud when set; it must equal auth.okta.audience when
	// the server sets one.
	Audience string
	// Groups becomes the groups claim when set.
	Groups []string
	// Expires is the token's lifetime (exp = iat + Expires). Required.
	Expires time.Duration
}

// Claims returns the token's claims issued at now: iss "test", sub, iat,
// exp, and aud and groups when set.
func (t TestToken) Claims(now time.Time) jwt.MapClaims {
	c := jwt.MapClaims{
		"iss": config.TestIssuer,
		"sub": t.User,
		"iat": now.Unix(),
		"exp": now.Add(t.Expires).Unix(),
	}
	if t.Audience != "" {
		c["aud"] = t.Audience
	}
	if len(t.Groups) > 0 {
		c["groups"] = t.Groups
	}
	return c
}

// SignTestToken returns t issued at now, signed HS256 with secret.
func SignTestToken(secret string, t TestToken, now time.Time) (string, error) {
	switch {
	case secret == "":
		return "", errors.New("the secret is empty")
	case t.User == "":
		return "", errors.New("the user is empty")
	case t.Expires <= 0:
		return "", errors.New("the lifetime must be positive")
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, t.Claims(now)).SignedString([]byte(secret))
}
