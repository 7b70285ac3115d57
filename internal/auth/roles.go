package auth

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/config"
	"github.com/moniker-svc/moniker/internal/httpapi"
)

// Roles (the keys of auth.roles).
const (
	RoleReader   = config.RoleReader
	RoleEditor   = config.RoleEditor
	RoleApprover = config.RoleApprover
	RoleAdmin    = config.RoleAdmin
)

// Role entries in auth.roles that are not group names.
const (
	// AnyCaller in a role's list grants the role to every authenticated
	// caller.
	AnyCaller = "*"
	// UserPrefix marks an entry naming one principal rather than a group
	// ("user:alice@FIRM.COM"), for callers that carry no groups (Kerberos).
	UserPrefix = "user:"
)

// RoleFor returns the role a route needs, given its method and its path
// as the OpenAPI document spells it (httpapi.Route.Doc). ok is false for a
// route the table does not know; GET and HEAD routes need no role and are
// not listed. role is "" (with ok true) for the POST routes that only
// read or report: /resolve/batch and /telemetry/access.
//
// Every route of both planes that is not GET or HEAD must be listed here:
// Protect refuses a route table with one that is not, and the tests
// enumerate both planes' tables.
func RoleFor(method, pattern string) (role string, ok bool) {
	switch method + " " + pattern {
	case "POST /resolve/batch", // a batch of reads
		"POST /telemetry/access": // client-reported access events
		return "", true
	case "POST /config/nodes", "PUT /config/nodes/{path}", "DELETE /config/nodes/{path}", "POST /config/save",
		"POST /domains", "PUT /domains/{name}", "DELETE /domains/{name}", "POST /domains/save",
		"POST /models", "PUT /models/{path}", "DELETE /models/{path}", "POST /models/save",
		"POST /requests/save":
		return RoleEditor, true
	case "PUT /catalog/{path}/status", // resolver
		"PUT /config/status/{path}", // management
		"POST /requests/{id}/approve", "POST /requests/{id}/reject", "POST /requests/{id}/request-changes":
		return RoleApprover, true
	case "POST /requests", // submit
		"PUT /requests/{id}", // amend
		"POST /requests/{id}/comment":
		return RoleReader, true
	case "POST /config/reload", // both planes
		"POST /domains/reload", "POST /models/reload", "POST /requests/reload",
		"POST /requests/import", "POST /cache/refresh/{path}":
		return RoleAdmin, true
	}
	return "", false
}

// HasRole reports whether c holds role under auth.roles:
//
//   - only an authenticated caller (Principal set) holds any role;
//   - a role's list grants it to members of the listed groups, to every
//     authenticated caller ("*"), or to one principal ("user:NAME");
//   - admin implies every role, and editor and approver imply reader;
//   - reader defaults to "*" when auth.roles does not list it; the other
//     roles are held by nobody until listed.
func (s *Service) HasRole(c httpapi.Caller, role string) bool {
	if c.Principal == "" {
		return false
	}
	if s.holds(c, role) || (role != RoleAdmin && s.holds(c, RoleAdmin)) {
		return true
	}
	return role == RoleReader && (s.holds(c, RoleEditor) || s.holds(c, RoleApprover))
}

// holds reports whether auth.roles grants role itself to c.
func (s *Service) holds(c httpapi.Caller, role string) bool {
	entries, ok := s.roles[role]
	if !ok && role == RoleReader {
		entries = []string{AnyCaller}
	}
	for _, e := range entries {
		if e == AnyCaller || slices.Contains(c.Groups, e) {
			return true
		}
		if name, ok := strings.CutPrefix(e, UserPrefix); ok && name == c.Principal {
			return true
		}
	}
	return false
}

// RequireRole guards a route with role. With auth.enabled off, or role
// "", it lets every request through (as upstream, which had no write
// protection). Otherwise a caller without a principal gets 401 (with the
// WWW-Authenticate challenges) and one without the role 403
// {"detail":"requires role <role>","code":"forbidden"}. It reads the
// caller Middleware put on the context, so it must run inside it.
func (s *Service) RequireRole(role string) httpapi.Middleware {
	return func(next http.Handler) http.Handler {
		if !s.enabled || role == "" {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c := httpapi.CallerFrom(r.Context())
			switch {
			case c.Principal == "":
				s.unauthorized(w, refusedMethod(r.Context()))
			case !s.HasRole(c, role):
				httpapi.WriteDetail(w, http.StatusForbidden, httpapi.CodeForbidden, "requires role "+role)
			default:
				next.ServeHTTP(w, r)
			}
		})
	}
}

// Protect returns a copy of routes with every route that RoleFor gives a
// role wrapped in RequireRole. It fails, naming them, when a route that
// is not GET or HEAD is missing from the role table, or when routes that
// share a mux pattern (and so one handler) need different roles. When
// authentication is enabled it also sets each protected route's Role,
// which the OpenAPI document shows.
func (s *Service) Protect(routes []httpapi.Route) ([]httpapi.Route, error) {
	out := make([]httpapi.Route, len(routes))
	byKey := map[string]string{} // method+pattern -> role
	var errs []error
	for i, rt := range routes {
		out[i] = rt
		if rt.Method == http.MethodGet || rt.Method == http.MethodHead {
			continue
		}
		doc := rt.Doc
		if doc == "" {
			doc = rt.Pattern
		}
		role, ok := RoleFor(rt.Method, doc)
		if !ok {
			errs = append(errs, fmt.Errorf("auth: %s %s has no role (add it to the role table in internal/auth/roles.go)", rt.Method, doc))
			continue
		}
		key := rt.Method + " " + rt.Pattern
		if prev, seen := byKey[key]; seen && prev != role {
			errs = append(errs, fmt.Errorf("auth: routes on %s need roles %q and %q but share one handler", key, prev, role))
		}
		byKey[key] = role
		out[i].Handler = s.RequireRole(role)(rt.Handler)
		if s.Enabled() {
			out[i].Role = role // documented (OpenAPI security) only when enforced
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return out, nil
}
