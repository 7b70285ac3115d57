package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/auth"
	"github.com/moniker-svc/moniker/internal/config"
)

const tokenSecret = "token-test-secret-0123456789abcdef"

func runTokenCmd(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), append([]string{"token"}, args...), func(string) string { return "" }, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

// TestTokenAccepted: the printed token is accepted by the server's JWT
// test mode and carries the flags' claims.
func TestTokenAccepted(t *testing.T) {
	tests := []struct {
		name    string
		args    []string
		groups  []string
		expires time.Duration
	}{
		{"defaults", []string{"-user", "alice"}, nil, time.Hour},
		{"groups and duration", []string{"-user", "alice", "-groups", "editors, approvers,", "-expires", "30m"}, []string{"editors", "approvers"}, 30 * time.Minute},
		{"seconds, as upstream", []string{"-user", "alice", "-expires", "600"}, nil, 10 * time.Minute},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runTokenCmd(t, append([]string{"-secret", tokenSecret, "-audience", "api://moniker-svc"}, tc.args...)...)
			if code != exitOK {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if errOut != "" {
				t.Errorf("stderr %q", errOut)
			}
			first, rest, _ := strings.Cut(out, "\n")
			tok, ok := strings.CutPrefix(first, "export MONIKER_JWT=")
			if !ok {
				t.Fatalf("first line %q", first)
			}
			for _, l := range strings.Split(strings.TrimSpace(rest), "\n") {
				if !strings.HasPrefix(l, "#") {
					t.Errorf("line %q is not a shell comment (eval would run it)", l)
				}
			}
			for _, want := range []string{"iss:     test", "sub:     alice", "aud:     api://moniker-svc"} {
				if !strings.Contains(rest, want) {
					t.Errorf("claims lack %q:\n%s", want, rest)
				}
			}

			now := time.Now()
			j, err := auth.NewJWT(config.Okta{Enabled: true, Issuer: config.TestIssuer, TestSecret: tokenSecret, Audience: "api://moniker-svc", UserClaim: "sub", GroupsClaim: "groups"},
				auth.Options{Now: func() time.Time { return now }})
			if err != nil {
				t.Fatal(err)
			}
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.Header.Set("Authorization", "Bearer "+tok)
			res, _ := j.Authenticate(r)
			if res.Err != nil {
				t.Fatalf("server refuses the token: %v", res.Err)
			}
			if res.Principal != "alice" || !slices.Equal(res.Groups, tc.groups) {
				t.Errorf("principal %q groups %v", res.Principal, res.Groups)
			}
			exp := int64(res.Claims["exp"].(float64)) - int64(res.Claims["iat"].(float64))
			if time.Duration(exp)*time.Second != tc.expires {
				t.Errorf("lifetime %ds, want %v", exp, tc.expires)
			}
			// Past its lifetime the server refuses it.
			later := now.Add(tc.expires + time.Minute)
			j2, _ := auth.NewJWT(config.Okta{Enabled: true, Issuer: config.TestIssuer, TestSecret: tokenSecret, Audience: "api://moniker-svc"},
				auth.Options{Now: func() time.Time { return later }})
			if res, _ := j2.Authenticate(r); res.Err == nil {
				t.Error("expired token accepted")
			}
		})
	}
}

func TestTokenUsage(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no secret", []string{"-user", "alice"}, exitUsage, "-secret is required"},
		{"no user", []string{"-secret", tokenSecret}, exitUsage, "-user is required"},
		{"bad expires", []string{"-secret", tokenSecret, "-user", "a", "-expires", "soon"}, exitUsage, "want a duration"},
		{"negative expires", []string{"-secret", tokenSecret, "-user", "a", "-expires", "-5m"}, exitUsage, "must be positive"},
		{"extra argument", []string{"-secret", tokenSecret, "-user", "a", "x"}, exitUsage, `unexpected argument "x"`},
		{"short secret warns", []string{"-secret", "short", "-user", "a"}, exitOK, "shorter than 32"},
		{"help", []string{"-h"}, exitOK, "auth.okta.issuer: test"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runTokenCmd(t, tc.args...)
			if code != tc.code || !strings.Contains(errOut, tc.stderr) {
				t.Errorf("exit %d stderr %q; want %d and %q", code, errOut, tc.code, tc.stderr)
			}
		})
	}
}
