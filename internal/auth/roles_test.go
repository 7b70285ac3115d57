package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/moniker-svc/moniker/internal/auth"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolverapi"
)

func TestHasRole(t *testing.T) {
	callers := map[string]httpapi.Caller{
		"anonymous":    {Groups: []string{"admins"}}, // groups without a principal count for nothing
		"alice editor": {Principal: "alice", Groups: []string{"editors"}},
		"bob approver": {Principal: "bob", Groups: []string{"approvers"}},
		"carol admin":  {Principal: "carol", Groups: []string{"admins"}},
		"dave by name": {Principal: "dave@FIRM.COM"},
		"eve nobody":   {Principal: "eve", Groups: []string{"interns"}},
	}
	tests := []struct {
		name  string
		roles map[string][]string
		want  map[string][]string // role -> callers holding it
	}{
		{
			name:  "groups, user: entries, admin implies all, reader defaults to *",
			roles: testAuth(t, true, false, false).Roles,
			want: map[string][]string{
				auth.RoleReader:   {"alice editor", "bob approver", "carol admin", "dave by name", "eve nobody"},
				auth.RoleEditor:   {"alice editor", "carol admin"},
				auth.RoleApprover: {"bob approver", "carol admin", "dave by name"},
				auth.RoleAdmin:    {"carol admin"},
			},
		},
		{
			name:  "reader listed: editors and approvers still read",
			roles: map[string][]string{auth.RoleReader: {"interns"}, auth.RoleEditor: {"editors"}, auth.RoleApprover: {"approvers"}},
			want: map[string][]string{
				auth.RoleReader:   {"alice editor", "bob approver", "eve nobody"},
				auth.RoleEditor:   {"alice editor"},
				auth.RoleApprover: {"bob approver"},
				auth.RoleAdmin:    nil,
			},
		},
		{
			name:  "* grants a role to every authenticated caller",
			roles: map[string][]string{auth.RoleEditor: {"*"}},
			want: map[string][]string{
				auth.RoleReader:   {"alice editor", "bob approver", "carol admin", "dave by name", "eve nobody"},
				auth.RoleEditor:   {"alice editor", "bob approver", "carol admin", "dave by name", "eve nobody"},
				auth.RoleApprover: nil,
				auth.RoleAdmin:    nil,
			},
		},
		{
			name:  "no roles configured: only reading",
			roles: nil,
			want: map[string][]string{
				auth.RoleReader:   {"alice editor", "bob approver", "carol admin", "dave by name", "eve nobody"},
				auth.RoleEditor:   nil,
				auth.RoleApprover: nil,
				auth.RoleAdmin:    nil,
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := testAuth(t, true, false, false)
			c.Roles = tc.roles
			s := newService(t, c)
			for role, holders := range tc.want {
				for name, caller := range callers {
					want := false
					for _, h := range holders {
						want = want || h == name
					}
					if got := s.HasRole(caller, role); got != want {
						t.Errorf("%s has %s: %v, want %v", name, role, got, want)
					}
				}
			}
		})
	}
}

func TestRequireRole(t *testing.T) {
	inner := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
	tests := []struct {
		name    string
		enabled bool
		role    string
		authz   string
		status  int
		body    string
	}{
		{"auth off: anyone", false, auth.RoleAdmin, "", 204, ""},
		{"no principal", true, auth.RoleEditor, "", 401, `{"detail":"Authentication required","code":"unauthenticated"}`},
		{"refused token", true, auth.RoleEditor, "Bearer nope", 401, `{"detail":"Authentication required","code":"unauthenticated"}`},
		{"missing role", true, auth.RoleEditor, "Bearer " + testToken(t, "eve", "interns"), 403, `{"detail":"requires role editor","code":"forbidden"}`},
		{"has role", true, auth.RoleEditor, "Bearer " + testToken(t, "alice", "editors"), 204, ""},
		{"admin implies approver", true, auth.RoleApprover, "Bearer " + testToken(t, "carol", "admins"), 204, ""},
		{"approver is not editor", true, auth.RoleEditor, "Bearer " + testToken(t, "bob", "approvers"), 403, `{"detail":"requires role editor","code":"forbidden"}`},
		{"reader: any authenticated caller", true, auth.RoleReader, "Bearer " + testToken(t, "eve"), 204, ""},
		{"no role needed", true, "", "", 204, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newService(t, testAuth(t, tc.enabled, false, false))
			h := httpapi.Chain(inner, s.Middleware(), s.RequireRole(tc.role))
			r := httptest.NewRequest(http.MethodPost, "/config/nodes", nil)
			if tc.authz != "" {
				r.Header.Set("Authorization", tc.authz)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if rec.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tc.status, rec.Body)
			}
			if got := strings.TrimSpace(rec.Body.String()); got != tc.body {
				t.Errorf("body %s, want %s", got, tc.body)
			}
			wantChallenge := ""
			switch {
			case tc.status == 401 && tc.authz != "":
				wantChallenge = `Bearer realm="test", scope="api://moniker-svc", error="invalid_token"`
			case tc.status == 401:
				wantChallenge = `Bearer realm="test", scope="api://moniker-svc"`
			}
			if got := rec.Header().Get("WWW-Authenticate"); got != wantChallenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, wantChallenge)
			}
		})
	}
}

// allRoutes returns both planes' route tables, with every optional route
// present.
func allRoutes(t *testing.T) []httpapi.Route {
	t.Helper()
	rs := resolverapi.New(resolverapi.Config{
		Reload: func(context.Context) (int, string, error) { return 0, "", nil },
		Status: noStatus{},
	}).Routes()
	return append(rs, managementapi.New(managementapi.Config{}).Routes()...)
}

type noStatus struct{}

func (noStatus) SetStatus(context.Context, string, moniker.StatusChange) (moniker.StatusResult, error) {
	return moniker.StatusResult{}, nil
}

// TestEveryWriteRouteHasARole enumerates both planes' route tables: every
// route that is not GET must be in the role table, so a new write route
// without a role fails here. Each write route is then refused without a
// principal (401) and without its role (403), and reaches its handler with
// the role.
func TestEveryWriteRouteHasARole(t *testing.T) {
	routes := allRoutes(t)
	writes := 0
	for _, rt := range routes {
		if rt.Method == http.MethodGet {
			continue
		}
		if _, ok := auth.RoleFor(rt.Method, rt.Doc); !ok {
			t.Errorf("%s %s has no role in auth.RoleFor", rt.Method, rt.Doc)
		}
		writes++
	}
	if writes < 30 {
		t.Fatalf("only %d non-GET routes found; the route tables changed shape?", writes)
	}

	// Replace each handler with a marker, then protect.
	reached := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusTeapot) })
	stubbed := make([]httpapi.Route, len(routes))
	for i, rt := range routes {
		stubbed[i] = rt
		stubbed[i].Handler = reached
	}
	s := newService(t, testAuth(t, true, false, false))
	protected, err := s.Protect(stubbed)
	if err != nil {
		t.Fatal(err)
	}
	groupOf := map[string]string{auth.RoleReader: "", auth.RoleEditor: "editors", auth.RoleApprover: "approvers", auth.RoleAdmin: "admins"}
	lacking := map[string]string{auth.RoleEditor: "approvers", auth.RoleApprover: "editors", auth.RoleAdmin: "editors"}
	for _, rt := range protected {
		if rt.Method == http.MethodGet {
			continue
		}
		role, _ := auth.RoleFor(rt.Method, rt.Doc)
		t.Run(rt.Method+" "+rt.Doc, func(t *testing.T) {
			h := s.Middleware()(rt.Handler)
			call := func(token string) int {
				r := httptest.NewRequest(rt.Method, "/x", nil)
				if token != "" {
					r.Header.Set("Authorization", "Bearer "+token)
				}
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, r)
				return rec.Code
			}
			if role == "" {
				if got := call(""); got != http.StatusTeapot {
					t.Errorf("anonymous: %d, want the handler (no role needed)", got)
				}
				return
			}
			if got := call(""); got != http.StatusUnauthorized {
				t.Errorf("no principal: %d, want 401", got)
			}
			if other, ok := lacking[role]; ok {
				if got := call(testToken(t, "eve", other)); got != http.StatusForbidden {
					t.Errorf("without %s (groups %s): %d, want 403", role, other, got)
				}
			}
			if got := call(testToken(t, "alice", groupOf[role])); got != http.StatusTeapot {
				t.Errorf("with %s: %d, want the handler", role, got)
			}
			if got := call(testToken(t, "root", "admins")); got != http.StatusTeapot {
				t.Errorf("admin: %d, want the handler", got)
			}
		})
	}
}

func TestProtectRefuses(t *testing.T) {
	s := newService(t, testAuth(t, false, false, false))
	h := http.NotFoundHandler()
	_, err := s.Protect([]httpapi.Route{
		{Method: http.MethodGet, Pattern: "/new", Doc: "/new", Handler: h},
		{Method: http.MethodPost, Pattern: "/new", Doc: "/new", Handler: h},
	})
	if err == nil || !strings.Contains(err.Error(), "POST /new has no role") {
		t.Errorf("unknown write route: %v", err)
	}
	_, err = s.Protect([]httpapi.Route{
		{Method: http.MethodPost, Pattern: "/config/{rest...}", Doc: "/config/save", Handler: h},
		{Method: http.MethodPost, Pattern: "/config/{rest...}", Doc: "/config/reload", Handler: h},
	})
	if err == nil || !strings.Contains(err.Error(), "share one handler") {
		t.Errorf("roles differing on one mux pattern: %v", err)
	}
}

func TestRoleFor(t *testing.T) {
	tests := []struct {
		method, pattern, role string
		ok                    bool
	}{
		{"POST", "/config/nodes", auth.RoleEditor, true},
		{"POST", "/config/reload", auth.RoleAdmin, true},
		{"PUT", "/catalog/{path}/status", auth.RoleApprover, true},
		{"PUT", "/config/status/{path}", auth.RoleApprover, true},
		{"POST", "/requests", auth.RoleReader, true},
		{"POST", "/requests/{id}/approve", auth.RoleApprover, true},
		{"POST", "/requests/import", auth.RoleAdmin, true},
		{"POST", "/cache/refresh/{path}", auth.RoleAdmin, true},
		{"POST", "/resolve/batch", "", true},
		{"GET", "/resolve/{path}", "", false},
		{"PATCH", "/config/nodes/{path}", "", false},
	}
	for _, tc := range tests {
		role, ok := auth.RoleFor(tc.method, tc.pattern)
		if role != tc.role || ok != tc.ok {
			t.Errorf("RoleFor(%s, %s) = %q, %v; want %q, %v", tc.method, tc.pattern, role, ok, tc.role, tc.ok)
		}
	}
}
