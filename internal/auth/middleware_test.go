package auth_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jcmturner/gokrb5/v8/iana/etypeID"
	"github.com/jcmturner/gokrb5/v8/keytab"

	"github.com/moniker-svc/moniker/internal/auth"
	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/httpapi"
)

const testSecret = "middleware-test-secret-0123456789abcdef"

// testAuth returns an auth section with JWT test mode (and Kerberos with
// a keytab written for the test when kerberos is true).
func testAuth(t *testing.T, enabled, enforce, kerberos bool) config.Auth {
	t.Helper()
	c := config.Auth{
		Enabled:     enabled,
		Enforce:     enforce,
		MethodOrder: []string{config.MethodKerberos, config.MethodJWT},
		Okta:        config.Okta{Enabled: true, Issuer: config.TestIssuer, Audience: audience, TestSecret: testSecret, UserClaim: "sub", GroupsClaim: "groups"},
		Roles: map[string][]string{
			auth.RoleEditor:   {"editors"},
			auth.RoleApprover: {"approvers", "user:dave@FIRM.COM"},
			auth.RoleAdmin:    {"admins"},
		},
	}
	if kerberos {
		kt := keytab.New()
		if err := kt.AddEntry("HTTP/moniker.test", "TEST.REALM", "pw", time.Now(), 1, etypeID.AES256_CTS_HMAC_SHA1_96); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(t.TempDir(), "http.keytab")
		b, err := kt.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, path, b)
		c.Kerberos = config.Kerberos{Enabled: true, KeytabPath: path, ServicePrincipal: "HTTP/moniker.test@TEST.REALM"}
	}
	return c
}

func newService(t *testing.T, c config.Auth) *auth.Service {
	t.Helper()
	s, err := auth.New(c, auth.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testToken returns a test-mode token for user with groups.
func testToken(t *testing.T, user string, groups ...string) string {
	t.Helper()
	tok, err := auth.SignTestToken(testSecret, auth.TestToken{User: user, Audience: audience, Groups: groups, Expires: time.Hour}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// echo answers 200 with the caller the handler saw.
func echo() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c := httpapi.CallerFrom(r.Context())
		res, ok := auth.FromContext(r.Context())
		httpapi.WriteJSON(w, http.StatusOK, map[string]any{
			"principal": c.Principal, "groups": c.Groups, "app": c.AppID, "team": c.Team,
			"method": res.Method, "ok": ok, "service": res.Service,
		})
	})
}

type seen struct {
	Principal string   `json:"principal"`
	Groups    []string `json:"groups"`
	App       string   `json:"app"`
	Team      string   `json:"team"`
	Method    string   `json:"method"`
	OK        bool     `json:"ok"`
}

func TestMiddleware(t *testing.T) {
	good := testToken(t, "alice", "editors")
	bad := testToken(t, "alice", "editors") + "x"
	type want struct {
		status    int
		principal string
		team      string
		challenge []string // WWW-Authenticate values on 401
	}
	challenges := []string{"Negotiate", `Bearer realm="test", scope="api://moniker-svc"`}
	invalid := []string{"Negotiate", `Bearer realm="test", scope="api://moniker-svc", error="invalid_token"`}
	tests := []struct {
		name                       string
		enabled, enforce, kerberos bool
		path                       string
		authz, team                string
		want                       want
	}{
		{"auth off: token ignored, hints kept", false, false, false, "/resolve/x", "Bearer " + good, "desk", want{200, "", "desk", nil}},
		{"auth off, enforce set: nothing enforced", false, true, false, "/resolve/x", "", "", want{200, "", "", nil}},
		{"not enforced: good token", true, false, false, "/resolve/x", "Bearer " + good, "", want{200, "alice", "", nil}},
		{"not enforced: X-Team kept", true, false, false, "/resolve/x", "Bearer " + good, "desk", want{200, "alice", "desk", nil}},
		{"not enforced: bad token is anonymous", true, false, false, "/resolve/x", "Bearer " + bad, "", want{200, "", "", nil}},
		{"not enforced: no token is anonymous", true, false, false, "/resolve/x", "", "", want{200, "", "", nil}},
		{"enforced: good token", true, true, true, "/config/nodes", "Bearer " + good, "", want{200, "alice", "", nil}},
		{"enforced: no token", true, true, true, "/resolve/x", "", "", want{401, "", "", challenges}},
		{"enforced: bad token", true, true, true, "/resolve/x", "Bearer " + bad, "", want{401, "", "", invalid}},
		{"enforced: garbage Negotiate", true, true, true, "/resolve/x", "Negotiate AAAA", "", want{401, "", "", challenges}},
		{"enforced: Basic is no credential", true, true, true, "/resolve/x", "Basic YTpi", "", want{401, "", "", challenges}},
		{"enforced, JWT only", true, true, false, "/catalog", "", "", want{401, "", "", challenges[1:]}},
		{"enforced: /health is public", true, true, true, "/health", "", "", want{200, "", "", nil}},
		{"enforced: /metrics is public", true, true, true, "/metrics", "", "", want{200, "", "", nil}},
		{"enforced: /openapi.json is public", true, true, true, "/openapi.json", "", "", want{200, "", "", nil}},
		{"enforced: /docs is public", true, true, true, "/docs", "", "", want{200, "", "", nil}},
		{"enforced: /docs/ assets are public", true, true, true, "/docs/swagger.js", "", "", want{200, "", "", nil}},
		{"enforced: /docsx is not", true, true, true, "/docsx", "", "", want{401, "", "", challenges}},
		{"enforced: public path still identifies", true, true, true, "/health", "Bearer " + good, "", want{200, "alice", "", nil}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newService(t, testAuth(t, tc.enabled, tc.enforce, tc.kerberos))
			r := httptest.NewRequest(http.MethodGet, tc.path, nil)
			if tc.authz != "" {
				r.Header.Set("Authorization", tc.authz)
			}
			r.Header.Set("X-App-ID", "risk-engine")
			if tc.team != "" {
				r.Header.Set("X-Team", tc.team)
			}
			rec := httptest.NewRecorder()
			s.Middleware()(echo()).ServeHTTP(rec, r)
			if rec.Code != tc.want.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.want.status, rec.Body)
			}
			if got := rec.Header().Values("WWW-Authenticate"); !slices.Equal(got, tc.want.challenge) {
				t.Errorf("WWW-Authenticate %q, want %q", got, tc.want.challenge)
			}
			if rec.Code == http.StatusUnauthorized {
				if body := strings.TrimSpace(rec.Body.String()); body != `{"detail":"Authentication required","code":"unauthenticated"}` {
					t.Errorf("401 body %s", body)
				}
				return
			}
			var got seen
			if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if got.Principal != tc.want.principal || got.Team != tc.want.team || got.App != "risk-engine" {
				t.Errorf("caller %+v, want principal %q team %q app risk-engine", got, tc.want.principal, tc.want.team)
			}
			if (got.Principal != "") != got.OK {
				t.Errorf("FromContext ok %v for principal %q", got.OK, got.Principal)
			}
			if got.Principal != "" && (got.Method != auth.MethodJWT || !slices.Equal(got.Groups, []string{"editors"})) {
				t.Errorf("method %q groups %v", got.Method, got.Groups)
			}
		})
	}
}

// TestMiddlewareTeamClaim: without X-Team, the caller's team is the
// token's team claim.
func TestMiddlewareTeamClaim(t *testing.T) {
	s := newService(t, testAuth(t, true, false, false))
	claims := auth.TestToken{User: "alice", Audience: audience, Expires: time.Hour}.Claims(time.Now())
	claims["team"] = "credit-risk"
	claims["client_id"] = "risk-engine"
	r := bearer(hs256(t, testSecret, claims))
	rec := httptest.NewRecorder()
	s.Middleware()(echo()).ServeHTTP(rec, r)
	var got struct {
		Team    string `json:"team"`
		Service string `json:"service"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if got.Team != "credit-risk" || got.Service != "risk-engine" {
		t.Errorf("team %q service %q", got.Team, got.Service)
	}
}

func TestChallenges(t *testing.T) {
	p := newIDP(t, "/keys", true)
	c := testAuth(t, true, true, true)
	c.Okta = oktaConfig(p.issuer())
	s := newService(t, c)
	want := []string{"Negotiate", `Bearer realm="` + p.issuer() + `", scope="api://moniker-svc"`}
	if got := s.Challenges(); !slices.Equal(got, want) {
		t.Errorf("challenges %q, want %q", got, want)
	}
	c.Okta.Audience = ""
	c.MethodOrder = []string{config.MethodJWT, config.MethodKerberos, config.MethodJWT}
	want = []string{`Bearer realm="` + p.issuer() + `"`, "Negotiate"}
	if got := newService(t, c).Challenges(); !slices.Equal(got, want) {
		t.Errorf("challenges %q, want %q", got, want)
	}
	c.Kerberos.Enabled = false
	want = want[:1]
	if got := newService(t, c).Challenges(); !slices.Equal(got, want) {
		t.Errorf("challenges %q, want %q (kerberos disabled)", got, want)
	}
	c.Enabled = false
	if got := newService(t, c).Challenges(); len(got) != 0 {
		t.Errorf("challenges %q with auth off", got)
	}
}

func TestNewErrors(t *testing.T) {
	c := testAuth(t, true, false, true)
	c.Kerberos.KeytabPath = filepath.Join(t.TempDir(), "missing.keytab")
	if _, err := auth.New(c, auth.Options{}); err == nil || !strings.Contains(err.Error(), "auth.kerberos") {
		t.Errorf("missing keytab: %v", err)
	}
	c = testAuth(t, true, false, true)
	c.Kerberos.ServicePrincipal = "HTTP/other.test@TEST.REALM"
	if _, err := auth.New(c, auth.Options{}); err == nil || !strings.Contains(err.Error(), "no key for HTTP/other.test@TEST.REALM") {
		t.Errorf("principal not in keytab: %v", err)
	}
	c = testAuth(t, true, false, false)
	c.Okta.TestSecret = ""
	if _, err := auth.New(c, auth.Options{}); err == nil || !strings.Contains(err.Error(), "auth.okta") {
		t.Errorf("test mode without secret: %v", err)
	}
	// A method whose section is disabled is not built at all.
	c.Okta.Enabled = false
	if _, err := auth.New(c, auth.Options{}); err != nil {
		t.Errorf("disabled method built: %v", err)
	}
}
