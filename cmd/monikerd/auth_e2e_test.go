package main

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/auth"
)

const testSecret = "an-end-to-end-test-secret-of-32-characters"

func token(t *testing.T, user string, groups ...string) string {
	t.Helper()
	tok, err := auth.SignTestToken(testSecret, auth.TestToken{User: user, Audience: "api://moniker-svc", Groups: groups, Expires: time.Hour}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// doAs sends a request with a bearer token ("" = none).
func doAs(t *testing.T, tok, method, url, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, _ := http.NewRequest(method, url, rd)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, resp.Header, b}
}

// TestAuthEndToEnd: with auth enforced (JWT test mode), reads need a
// credential, writes need their role, the recorded actor is the
// principal, and a requester cannot approve their own request.
func TestAuthEndToEnd(t *testing.T) {
	cfg := planeConfig(t, "0", false)
	s := mustRead(t, cfg) + `auth:
  enabled: true
  enforce: true
  method_order: [jwt]
  okta:
    enabled: true
    issuer: test
    audience: api://moniker-svc
    test_secret: ` + testSecret + `
  roles:
    editor: [stewards]
    approver: [governance]
`
	writeFile(t, cfg, s)
	base := start(t, "-target=all", "-config.file="+cfg)
	reader, editor, approver := token(t, "rita"), token(t, "eddie", "stewards"), token(t, "alice@firm.com", "governance")

	r := doAs(t, "", "GET", base+"/resolve/prices.equity/AAPL", "")
	if r.status != 401 || r.header.Get("WWW-Authenticate") == "" || r.json(t)["code"] != "unauthenticated" {
		t.Fatalf("no credential: %d %s %q", r.status, r.body, r.header.Get("WWW-Authenticate"))
	}
	if r := doAs(t, "", "GET", base+"/health", ""); r.status != 200 {
		t.Errorf("/health must stay public: %d", r.status)
	}
	// The OpenAPI document says which operations need which role, and how
	// to authenticate (so /docs can send a token).
	doc := doAs(t, "", "GET", base+"/openapi.json", "")
	if doc.status != 200 {
		t.Fatalf("/openapi.json: %d", doc.status)
	}
	d := doc.json(t)
	if field(t, d, "paths./config/save.post.x-moniker-role") != "editor" ||
		field(t, d, "paths./requests/{id}/approve.post.x-moniker-role") != "approver" ||
		field(t, d, "paths./config/save.post.responses.403.$ref") != "#/components/responses/Forbidden" ||
		field(t, d, "components.securitySchemes.bearer.scheme") != "bearer" || d["security"] == nil {
		t.Errorf("/openapi.json lacks the roles and security of write routes: %v %v", field(t, d, "paths./config/save.post"), d["security"])
	}
	if op, _ := field(t, d, "paths./resolve/{path}.get").(map[string]any); op == nil || op["x-moniker-role"] != nil || op["security"] != nil {
		t.Errorf("/resolve documented with a role or its own security: %v", op)
	}
	if r := doAs(t, reader, "GET", base+"/resolve/prices.equity/AAPL", ""); r.status != 200 {
		t.Fatalf("reader resolve: %d %s", r.status, r.body)
	}
	expired, _ := auth.SignTestToken(testSecret, auth.TestToken{User: "x", Audience: "api://moniker-svc", Expires: time.Second}, time.Now().Add(-time.Hour))
	if r := doAs(t, expired, "GET", base+"/resolve/prices.equity/AAPL", ""); r.status != 401 {
		t.Errorf("expired token: %d", r.status)
	}

	// A write without the role is refused; with it, allowed, and the
	// audit entry names the principal, not a body field.
	if r := doAs(t, reader, "PUT", base+"/config/nodes/rates", `{"description":"x"}`); r.status != 403 || r.json(t)["code"] != "forbidden" {
		t.Errorf("reader edit: %d %s", r.status, r.body)
	}
	if r := doAs(t, editor, "PUT", base+"/config/nodes/rates", `{"description":"by eddie"}`); r.status != 200 {
		t.Fatalf("editor edit: %d %s", r.status, r.body)
	}
	if r := doAs(t, editor, "POST", base+"/config/save", ""); r.status != 200 {
		t.Fatalf("editor save: %d %s", r.status, r.body)
	}
	if r := doAs(t, editor, "PUT", base+"/catalog/rates/status", `{"status":"deprecated","actor":"someone-else"}`); r.status != 403 {
		t.Errorf("editor status change: %d %s", r.status, r.body)
	}
	r = doAs(t, approver, "PUT", base+"/catalog/rates/status", `{"status":"deprecated","actor":"someone-else"}`)
	if r.status != 200 || r.json(t)["updated_by"] != "alice@firm.com" {
		t.Errorf("approver status change: %d %s", r.status, r.body)
	}
	a := doAs(t, reader, "GET", base+"/catalog/rates/audit", "").json(t)
	found := false
	for _, e := range a["entries"].([]any) {
		if e.(map[string]any)["actor"] == "eddie" {
			found = true
		}
	}
	if !found {
		t.Errorf("no audit entry by the principal eddie: %v", a)
	}

	// Self-approval: alice submits, alice may not approve.
	body := `{"path":"prices.equity/selfie","display_name":"S","justification":"j","requester":{"name":"Alice","email":"alice@firm.com"}}`
	r = doAs(t, approver, "POST", base+"/requests", body)
	if r.status != 200 && r.status != 201 {
		t.Fatalf("submit: %d %s", r.status, r.body)
	}
	id := r.json(t)["request_id"].(string)
	if r := doAs(t, approver, "POST", base+"/requests/"+id+"/approve", `{"actor":"bob@firm.com"}`); r.status != 403 {
		t.Errorf("self-approval: %d %s", r.status, r.body)
	}
}
