package managementapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/httpapi/openapitest"
	"github.com/moniker-svc/moniker/internal/managementapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/requests"
)

// reqCatalog opens a catalog editor on a temp copy of our test catalog
// (the approved nodes are written there).
func reqCatalog(t *testing.T) (*catalogedit.Editor, string) {
	t.Helper()
	p := fixtures.Copy(t, "catalog.yaml", "", "catalog.yaml")
	ed, err := catalogedit.Open(p, catalogedit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return ed, p
}

// reqEnv is a management server with the request workflow on a temp
// requests file, and the served OpenAPI document to check answers with.
type reqEnv struct {
	t       *testing.T
	path    string
	wf      *requests.Workflow
	cat     *catalogedit.Editor
	catPath string
	audit   *audit.Log
	mux     *http.ServeMux
	doc     *openapi3.T
}

// reqSetup builds a reqEnv; queue is the requests file to start from
// ("" = none; the file is then created by the first transition).
func reqSetup(t *testing.T, queue string) *reqEnv {
	t.Helper()
	dir := t.TempDir()
	e := &reqEnv{t: t, path: filepath.Join(dir, "requests.yaml")}
	e.cat, e.catPath = reqCatalog(t)
	if queue != "" {
		data, err := os.ReadFile(queue)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(e.path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	e.audit = audit.New(filepath.Join(dir, audit.FileName))
	wf, err := requests.Open(e.path, requests.Options{Catalog: e.cat, Audit: e.audit})
	if err != nil {
		t.Fatal(err)
	}
	e.wf = wf
	e.mux, e.doc = serveDocumented(t, managementapi.Config{Requests: wf})
	return e
}

// reqCall is one HTTP call for do.
type reqCall struct {
	method, doc, target, body string
	header                    map[string]string
	principal                 string
}

// do serves a call and checks the answer against the document (status
// documented, body and headers as documented).
func (e *reqEnv) do(c reqCall) *httptest.ResponseRecorder {
	e.t.Helper()
	return reqDo(e.t, e.mux, e.doc, c)
}

func reqDo(t *testing.T, mux http.Handler, doc *openapi3.T, c reqCall) *httptest.ResponseRecorder {
	t.Helper()
	var req *http.Request
	if c.body != "" {
		req = httptest.NewRequest(c.method, c.target, strings.NewReader(c.body))
		req.Header.Set("Content-Type", "application/json")
	} else {
		req = httptest.NewRequest(c.method, c.target, nil)
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	if c.principal != "" {
		req = req.WithContext(httpapi.WithCaller(req.Context(), httpapi.Caller{Principal: c.principal}))
	}
	rec := httptest.NewRecorder()
	mux.ServeHTTP(rec, req)
	route := openapitest.Operation(t, doc, c.method, c.doc)
	if route.Operation.Responses.Status(rec.Code) == nil {
		t.Fatalf("%s %s: status %d is not documented: %s", c.method, c.target, rec.Code, rec.Body)
	}
	openapitest.CheckAnswer(t, route, req, rec)
	return rec
}

// want checks an answer's status and, when code is set, its error code
// and that its detail contains detail.
func want(t *testing.T, rec *httptest.ResponseRecorder, status int, code, detail string) map[string]any {
	t.Helper()
	if rec.Code != status {
		t.Fatalf("status %d, want %d: %s", rec.Code, status, rec.Body)
	}
	var body map[string]any
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
		t.Fatalf("body is not a JSON object: %v: %s", err, rec.Body)
	}
	if code != "" {
		if body["code"] != code {
			t.Errorf("code %v, want %s", body["code"], code)
		}
		if !strings.Contains(rec.Body.String(), detail) {
			t.Errorf("body %s does not contain %q", rec.Body, detail)
		}
	}
	return body
}

// loc returns the loc of the first field error of a 422 body.
func loc(body map[string]any) string {
	list, _ := body["detail"].([]any)
	if len(list) == 0 {
		return ""
	}
	f, _ := list[0].(map[string]any)
	parts, _ := f["loc"].([]any)
	var out []string
	for _, p := range parts {
		s, _ := p.(string)
		out = append(out, s)
	}
	return strings.Join(out, ".")
}

const reqSubmit = `{"path":"risk/stress/climate","display_name":"Climate Stress Scenarios",
 "description":"Forward-looking climate stress scenarios","justification":"Regulatory submission due next quarter",
 "requester":{"name":"A. Analyst","email":"a.analyst@example.com","team":"Risk","app_id":"stress-engine"},
 "adop":"owner@example.com","adop_name":"Owner Name","ads":"steward-team@example.com","ads_name":"Steward Team",
 "adal":null,"adal_name":null,"source_binding_type":"snowflake",
 "source_binding_config":{"database":"STRESS","schema":"CLIMATE"},"tags":["stress-testing","climate"]}`

// submit files reqSubmit with path replaced and returns the new id.
func (e *reqEnv) submit(path string) string {
	e.t.Helper()
	body := strings.Replace(reqSubmit, "risk/stress/climate", path, 1)
	rec := e.do(reqCall{method: "POST", doc: "/requests", target: "/requests", body: body})
	b := want(e.t, rec, 200, "", "")
	id, _ := b["request_id"].(string)
	return id
}

func TestRequestsNotInitialized(t *testing.T) {
	mux, doc := serveDocumented(t, managementapi.Config{})
	for _, c := range []reqCall{
		{method: "POST", doc: "/requests", target: "/requests", body: reqSubmit},
		{method: "GET", doc: "/requests", target: "/requests"},
		{method: "POST", doc: "/requests/save", target: "/requests/save"},
		{method: "POST", doc: "/requests/reload", target: "/requests/reload"},
		{method: "POST", doc: "/requests/import", target: "/requests/import", body: "requests: []"},
		{method: "GET", doc: "/requests/{id}", target: "/requests/REQ-0001"},
		{method: "PUT", doc: "/requests/{id}", target: "/requests/REQ-0001", body: `{}`},
		{method: "POST", doc: "/requests/{id}/approve", target: "/requests/REQ-0001/approve", body: `{}`},
		{method: "POST", doc: "/requests/{id}/reject", target: "/requests/REQ-0001/reject", body: `{}`},
		{method: "POST", doc: "/requests/{id}/request-changes", target: "/requests/REQ-0001/request-changes", body: `{}`},
		{method: "POST", doc: "/requests/{id}/comment", target: "/requests/REQ-0001/comment", body: `{}`},
	} {
		rec := reqDo(t, mux, doc, c)
		want(t, rec, 503, "not_initialized", "Requests not initialized")
	}
}

func TestRequestSubmit(t *testing.T) {
	e := reqSetup(t, "")
	rec := e.do(reqCall{method: "POST", doc: "/requests", target: "/requests", body: reqSubmit})
	b := want(t, rec, 200, "", "")
	if b["request_id"] != "REQ-0001" || b["path"] != "risk/stress/climate" || b["status"] != "pending_review" ||
		b["message"] != "Request submitted for review" {
		t.Errorf("submit answer %v", b)
	}
	if _, _, ok := e.cat.Get("risk/stress/climate"); ok {
		t.Error("a pending request created a catalog node")
	}
	top := strings.Replace(reqSubmit, "risk/stress/climate", "alternatives", 1)
	b = want(t, e.do(reqCall{method: "POST", doc: "/requests", target: "/requests", body: top}), 200, "", "")
	if b["message"] != "Request submitted for review (TOP-LEVEL domain - requires elevated review)" {
		t.Errorf("top-level message %v", b["message"])
	}
	if entries, _ := e.audit.Entries("alternatives", 0); len(entries) != 1 || entries[0].Action != "request_submitted" {
		t.Errorf("audit %+v", entries)
	}

	errs := []struct {
		name, body string
		status     int
		code, text string
		loc        string
	}{
		{"empty path", strings.Replace(reqSubmit, `"risk/stress/climate"`, `" / "`, 1), 400, "invalid_request", "Path cannot be empty", ""},
		{"path exists", strings.Replace(reqSubmit, `"risk/stress/climate"`, `"risk.cvar"`, 1), 409, "conflict", "Path already exists in catalog: risk.cvar", ""},
		{"pending exists", reqSubmit, 409, "conflict", "A pending request already exists for path: risk/stress/climate (REQ-0001)", ""},
		{"no domain", strings.Replace(reqSubmit, `"risk/stress/climate"`, `"nowhere/x"`, 1), 400, "invalid_request", "Top-level domain 'nowhere' does not exist. Create it first.", ""},
		{"no path", `{"requester":{"name":"n","email":"n@x.com"}}`, 422, "validation_error", "Field required", "body.path"},
		{"no requester", `{"path":"risk/x"}`, 422, "validation_error", "Field required", "body.requester"},
		{"no email", `{"path":"risk/x","requester":{"name":"n"}}`, 422, "validation_error", "Field required", "body.requester.email"},
		{"bad email", `{"path":"risk/x","requester":{"name":"n","email":"nope"}}`, 422, "validation_error", "e-mail", "body.requester.email"},
		{"bad path", `{"path":"risk/a b","requester":{"name":"n","email":"n@x.com"}}`, 422, "validation_error", "not a valid moniker path", "body.path"},
		{"bad source type", `{"path":"risk/x","requester":{"name":"n","email":"n@x.com"},"source_binding_type":"ftp"}`, 422, "validation_error", "not a source type", "body.source_binding_type"},
		{"unknown placeholder", `{"path":"risk/x","requester":{"name":"n","email":"n@x.com"},"source_binding_type":"oracle","source_binding_config":{"query":"SELECT {segment[0]}"}}`, 422, "validation_error", "unknown placeholder {segment[0]}", "body.source_binding_config.query"},
		{"unknown field", `{"path":"risk/x","requester":{"name":"n","email":"n@x.com"},"colour":"red"}`, 422, "validation_error", "Extra inputs are not permitted", "body.colour"},
		{"wrong type", `{"path":"risk/x","requester":{"name":"n","email":"n@x.com"},"tags":"a,b"}`, 422, "validation_error", "Input should be a valid list", "body.tags"},
		{"not json", `{"path":`, 422, "validation_error", "", "body"},
		{"empty body", ``, 422, "validation_error", "Field required", "body"},
		{"too large", `{"path":"` + strings.Repeat("x", 1<<20) + `"}`, 413, "body_too_large", "exceeds", ""},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.do(reqCall{method: "POST", doc: "/requests", target: "/requests", body: tt.body})
			b := want(t, rec, tt.status, tt.code, tt.text)
			if tt.loc != "" && loc(b) != tt.loc {
				t.Errorf("loc %q, want %q", loc(b), tt.loc)
			}
		})
	}
	if _, c, _ := e.wf.List(""); c.Total != 2 {
		t.Errorf("%d requests after the refused submissions, want 2", c.Total)
	}
}

func TestRequestListAndGet(t *testing.T) {
	e := reqSetup(t, fixtures.File(t, "requests.yaml"))
	b := want(t, e.do(reqCall{method: "GET", doc: "/requests", target: "/requests"}), 200, "", "")
	list, _ := b["requests"].([]any)
	by, _ := b["by_status"].(map[string]any)
	if len(list) != 9 || b["total"] != 9.0 || by["total"] != 9.0 || by["pending_review"] != 5.0 ||
		by["approved"] != 2.0 || by["rejected"] != 2.0 || by["changes_requested"] != 0.0 {
		t.Fatalf("list: %d requests, total %v, by_status %v", len(list), b["total"], by)
	}
	if first, _ := list[0].(map[string]any); first["request_id"] != "REQ-0009" {
		t.Errorf("first %v, want the newest (REQ-0009)", first["request_id"])
	}
	b = want(t, e.do(reqCall{method: "GET", doc: "/requests", target: "/requests?status=approved"}), 200, "", "")
	if list, _ := b["requests"].([]any); len(list) != 2 || b["total"] != 2.0 {
		t.Errorf("approved: %v", b)
	}
	if by, _ := b["by_status"].(map[string]any); by["total"] != 9.0 {
		t.Errorf("by_status counts the filtered list: %v", by)
	}
	want(t, e.do(reqCall{method: "GET", doc: "/requests", target: "/requests?status=changes_requested"}), 200, "", "")
	want(t, e.do(reqCall{method: "GET", doc: "/requests", target: "/requests?status=retired"}), 400, "invalid_request", "Invalid status: retired")

	rec := e.do(reqCall{method: "GET", doc: "/requests/{id}", target: "/requests/REQ-0006"})
	b = want(t, rec, 200, "", "")
	if b["status"] != "approved" || b["reviewed_by"] != "head.of.risk.data@firm.com" || b["adal"] != nil ||
		b["created_at"] != "2026-02-18T09:00:00+00:00" {
		t.Errorf("REQ-0006 %v", b)
	}
	_, version, _ := e.wf.Get("REQ-0006")
	if rec.Header().Get("ETag") != `"`+version+`"` {
		t.Errorf("ETag %q, want %q", rec.Header().Get("ETag"), version)
	}
	want(t, e.do(reqCall{method: "GET", doc: "/requests/{id}", target: "/requests/REQ-9999"}), 404, "not_found", "Request not found: REQ-9999")
}

func TestRequestApprove(t *testing.T) {
	e := reqSetup(t, "")
	id := e.submit("risk/stress/climate")
	target := "/requests/" + id + "/approve"
	call := func(body, principal string, header map[string]string) *httptest.ResponseRecorder {
		return e.do(reqCall{method: "POST", doc: "/requests/{id}/approve", target: target, body: body, principal: principal, header: header})
	}
	want(t, call(`{"actor":"a.analyst@example.com"}`, "", nil), 403, "access_denied", "Self-approval refused")
	want(t, call(`{"actor":"someone@example.com"}`, "A.Analyst@example.com", nil), 403, "access_denied", "Self-approval refused")
	b := want(t, call(`{}`, "", nil), 422, "validation_error", "required")
	if loc(b) != "body.actor" {
		t.Errorf("loc %q", loc(b))
	}
	want(t, call(`{"actor":1}`, "", nil), 422, "validation_error", "Input should be a valid string")
	want(t, call(`{"actor":"r@example.com"}`, "", map[string]string{"If-Match": `"stale"`}), 412, "precondition_failed", "has changed")
	want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/approve", target: "/requests/REQ-9999/approve", body: `{"actor":"r@example.com"}`}),
		404, "not_found", "Request not found: REQ-9999")
	if _, _, ok := e.cat.Get("risk/stress/climate"); ok {
		t.Fatal("a refused approval wrote the node")
	}

	_, version, _ := e.wf.Get(id)
	rec := call(`{"actor":"ignored@example.com","actor_name":"Rita Reviewer","reason":"fine"}`, "rita", map[string]string{"If-Match": `"` + version + `"`})
	b = want(t, rec, 200, "", "")
	if b["status"] != "approved" || b["reviewed_by"] != "rita" || b["approved_node_path"] != "risk/stress/climate" {
		t.Fatalf("approved %v", b)
	}
	if rec.Header().Get("ETag") == "" || rec.Header().Get("ETag") == `"`+version+`"` {
		t.Errorf("ETag after approval %q", rec.Header().Get("ETag"))
	}
	n, _, ok := e.cat.Get("risk/stress/climate")
	if !ok {
		t.Fatal("approval wrote no node")
	}
	if n.Binding == nil || n.Binding.Type != "snowflake" || n.Binding.Config["schema"] != "CLIMATE" ||
		n.Ownership[moniker.ADOP] != "owner@example.com" || n.Ownership[moniker.ADSName] != "Steward Team" ||
		!slices.Equal(n.Tags, []string{"climate", "stress-testing"}) || n.EffectiveStatus() != moniker.StatusActive ||
		n.Extra["approved_by"] != "rita" {
		t.Errorf("approved node %+v", n)
	}
	if cat, _, err := catalog.Load(e.catPath); err != nil || cat.Get("risk/stress/climate") == nil {
		t.Errorf("the approved node is not in the catalog file: %v", err)
	}
	want(t, call(`{"actor":"r@example.com"}`, "", nil), 400, "invalid_request", "Request is not pending review (current status: approved)")
	// The path is now a node: a new request for it is refused.
	rec = e.do(reqCall{method: "POST", doc: "/requests", target: "/requests", body: reqSubmit})
	want(t, rec, 409, "conflict", "Path already exists in catalog: risk/stress/climate")
	// A request whose path became a node meanwhile cannot be approved.
	id2 := e.submit("risk/stress/flood")
	other, err := catalogedit.Open(e.catPath, catalogedit.Options{}) // another process
	if err != nil {
		t.Fatal(err)
	}
	if err := other.Commit(context.Background(), []catalogedit.NodeChange{{Path: "risk/stress/flood",
		Node: &moniker.Node{Path: "risk/stress/flood"}, Create: true}}, "someone"); err != nil {
		t.Fatal(err)
	}
	want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/approve", target: "/requests/" + id2 + "/approve", body: `{"actor":"r@example.com"}`}),
		409, "conflict", "risk/stress/flood")
	if r, _, _ := e.wf.Get(id2); r.Status != requests.StatusPendingReview {
		t.Errorf("status after a refused approval: %s", r.Status)
	}
}

func TestRequestRejectAndChanges(t *testing.T) {
	e := reqSetup(t, "")
	id := e.submit("risk/stress/climate")
	for _, action := range []string{"reject", "request-changes"} {
		doc, target := "/requests/{id}/"+action, "/requests/"+id+"/"+action
		b := want(t, e.do(reqCall{method: "POST", doc: doc, target: target, body: `{"actor":"r@example.com"}`}), 422, "validation_error", "required")
		if loc(b) != "body.reason" {
			t.Errorf("%s without a reason: loc %q", action, loc(b))
		}
		want(t, e.do(reqCall{method: "POST", doc: doc, target: target, body: `{"actor":"r@example.com","reason":"x"}`,
			header: map[string]string{"If-Match": `"nope"`}}), 412, "precondition_failed", "")
		want(t, e.do(reqCall{method: "POST", doc: doc, target: "/requests/REQ-0404/" + action, body: `{"actor":"r@example.com","reason":"x"}`}),
			404, "not_found", "Request not found")
		want(t, e.do(reqCall{method: "POST", doc: doc, target: target, body: `{"actor":"r@example.com","reason":"x","extra":1}`}),
			422, "validation_error", "Extra inputs are not permitted")
	}
	b := want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/request-changes", target: "/requests/" + id + "/request-changes",
		body: `{"actor":"r@example.com","actor_name":"R","reason":"add an ADAL"}`}), 200, "", "")
	if b["status"] != "changes_requested" {
		t.Fatalf("request-changes: %v", b)
	}
	want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/reject", target: "/requests/" + id + "/reject",
		body: `{"actor":"r@example.com","reason":"x"}`}), 400, "invalid_request", "Request is not pending review (current status: changes_requested)")
	want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/request-changes", target: "/requests/" + id + "/request-changes",
		body: `{"actor":"r@example.com","reason":"x"}`}), 400, "invalid_request", "(current status: changes_requested)")

	id2 := e.submit("risk/stress/flood")
	b = want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/reject", target: "/requests/" + id2 + "/reject",
		body: `{"actor":"r@example.com","reason":"duplicate of risk.stress"}`}), 200, "", "")
	if b["status"] != "rejected" || b["rejection_reason"] != "duplicate of risk.stress" || b["reviewed_by"] != "r@example.com" {
		t.Fatalf("rejected %v", b)
	}
	if _, _, ok := e.cat.Get("risk/stress/flood"); ok {
		t.Error("rejection wrote a node")
	}
	// The path may be requested again.
	if id3 := e.submit("risk/stress/flood"); id3 == id2 || id3 == "" {
		t.Errorf("resubmission id %q", id3)
	}
	var actions []string
	entries, _ := e.audit.Entries("", 0)
	for _, en := range entries {
		actions = append(actions, en.Action)
	}
	for _, a := range []string{"request_changes_requested", "request_rejected"} {
		if !slices.Contains(actions, a) {
			t.Errorf("audit lacks %s: %v", a, actions)
		}
	}
}

func TestRequestAmend(t *testing.T) {
	e := reqSetup(t, "")
	id := e.submit("risk/stress/climate")
	target := "/requests/" + id
	put := func(body, principal string, header map[string]string) *httptest.ResponseRecorder {
		return e.do(reqCall{method: "PUT", doc: "/requests/{id}", target: target, body: body, principal: principal, header: header})
	}
	want(t, put(`{"actor":"r@example.com","adal":"adal@example.com"}`, "", nil), 403, "access_denied", "Only the requester (a.analyst@example.com)")
	want(t, put(`{"adal":"adal@example.com"}`, "mallory", nil), 403, "access_denied", "Only the requester")
	b := want(t, put(`{"actor":"a.analyst@example.com","adal":"nope"}`, "", nil), 422, "validation_error", "e-mail")
	if loc(b) != "body.adal" {
		t.Errorf("loc %q", loc(b))
	}
	b = want(t, put(`{"actor":"a.analyst@example.com","tags":{"a":1}}`, "", nil), 422, "validation_error", "Input should be a valid list")
	if loc(b) != "body.tags" {
		t.Errorf("loc %q", loc(b))
	}
	want(t, put(`{"actor":"a.analyst@example.com","path":null}`, "", nil), 400, "invalid_request", "Path cannot be empty")
	want(t, put(`{"actor":"a.analyst@example.com","requester":{}}`, "", nil), 422, "validation_error", "Extra inputs are not permitted")
	want(t, put(`{"actor":"a.analyst@example.com"}`, "", map[string]string{"If-Match": `"old"`}), 412, "precondition_failed", "")
	want(t, e.do(reqCall{method: "PUT", doc: "/requests/{id}", target: "/requests/REQ-0404", body: `{"actor":"a.analyst@example.com"}`}),
		404, "not_found", "Request not found")
	other := e.submit("risk/stress/flood")
	want(t, put(`{"actor":"a.analyst@example.com","path":"risk/stress/flood"}`, "", nil), 409, "conflict", "A pending request already exists for path: risk/stress/flood ("+other+")")

	want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/request-changes", target: target + "/request-changes",
		body: `{"actor":"r@example.com","reason":"add an ADAL, drop the binding"}`}), 200, "", "")
	_, version, _ := e.wf.Get(id)
	rec := put(`{"adal":"adal@example.com","adal_name":"Al Adal","source_binding_type":null,"source_binding_config":null,"description":"","comment":"done"}`,
		"a.analyst@example.com", map[string]string{"If-Match": `"` + version + `"`})
	b = want(t, rec, 200, "", "")
	if b["status"] != "pending_review" || b["adal"] != "adal@example.com" || b["source_binding_type"] != nil ||
		b["description"] != "" || b["display_name"] != "Climate Stress Scenarios" {
		t.Fatalf("amended %v", b)
	}
	comments, _ := b["comments"].([]any)
	last, _ := comments[len(comments)-1].(map[string]any)
	if last["action"] != "amend" || !strings.HasPrefix(last["content"].(string), "Amended: description, adal, adal_name, source_binding_type, source_binding_config") {
		t.Errorf("amend note %v", last)
	}
	// Approve the amended request: the node has the amended values.
	want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/approve", target: target + "/approve", body: `{"actor":"r@example.com"}`}), 200, "", "")
	n, _, _ := e.cat.Get("risk/stress/climate")
	if n.Ownership[moniker.ADAL] != "adal@example.com" || n.Binding != nil {
		t.Errorf("node after amendment %+v", n)
	}
	want(t, put(`{"actor":"a.analyst@example.com"}`, "", nil), 409, "conflict", "cannot be amended (current status: approved)")
}

func TestRequestComment(t *testing.T) {
	e := reqSetup(t, fixtures.File(t, "requests.yaml"))
	target := "/requests/REQ-0006/comment" // approved: comments still allowed
	b := want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/comment", target: target,
		body: `{"author":"x@example.com","author_name":"X","content":"nice"}`}), 200, "", "")
	comments, _ := b["comments"].([]any)
	if b["status"] != "approved" || len(comments) != 3 {
		t.Fatalf("comment: %v", b)
	}
	b = want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/comment", target: target, body: `{"author":"x"}`}), 422, "validation_error", "Field required")
	if loc(b) != "body.content" {
		t.Errorf("loc %q", loc(b))
	}
	b = want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/comment", target: target, body: `{"content":"hi"}`}), 422, "validation_error", "required")
	if loc(b) != "body.author" {
		t.Errorf("loc %q", loc(b))
	}
	want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/comment", target: target, body: `{"content":"hi"}`, principal: "carol"}), 200, "", "")
	want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/comment", target: "/requests/REQ-0404/comment", body: `{"author":"x","content":"y"}`}),
		404, "not_found", "Request not found: REQ-0404")
	entries, _ := e.audit.Entries("risk/cvar/emerging-markets", 0)
	if len(entries) != 2 || entries[1].Actor != "carol" || entries[1].Action != "request_commented" {
		t.Errorf("audit %+v", entries)
	}
}

func TestRequestSaveReload(t *testing.T) {
	e := reqSetup(t, fixtures.File(t, "requests.yaml"))
	b := want(t, e.do(reqCall{method: "POST", doc: "/requests/save", target: "/requests/save"}), 200, "", "")
	if b["success"] != true || b["count"] != 9.0 || b["message"] != "Saved 9 requests" {
		t.Errorf("save %v", b)
	}
	b = want(t, e.do(reqCall{method: "POST", doc: "/requests/reload", target: "/requests/reload"}), 200, "", "")
	if b["count"] != 9.0 || b["message"] != "Reloaded 9 requests" {
		t.Errorf("reload %v", b)
	}
	if err := os.WriteFile(e.path, []byte("requests:\n- request_id: REQ-1\n  colour: red\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	want(t, e.do(reqCall{method: "POST", doc: "/requests/reload", target: "/requests/reload"}), 400, "invalid_request", "colour")
	want(t, e.do(reqCall{method: "POST", doc: "/requests/save", target: "/requests/save"}), 400, "invalid_request", "does not load")
	want(t, e.do(reqCall{method: "POST", doc: "/requests/{id}/comment", target: "/requests/REQ-0001/comment", body: `{"author":"x","content":"y"}`}),
		503, "unavailable", "requests.yaml does not load")
	if _, c, _ := e.wf.List(""); c.Total != 9 {
		t.Errorf("a failed reload replaced the requests: %d", c.Total)
	}
	if err := os.Remove(e.path); err != nil {
		t.Fatal(err)
	}
	want(t, e.do(reqCall{method: "POST", doc: "/requests/reload", target: "/requests/reload"}), 404, "not_found", "Requests file not found: requests.yaml")
	want(t, e.do(reqCall{method: "POST", doc: "/requests/save", target: "/requests/save"}), 200, "", "")
	if _, err := os.Stat(e.path); err != nil {
		t.Errorf("save did not recreate the file: %v", err)
	}
	// A workflow without a file.
	wf, err := requests.Open("", requests.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux, doc := serveDocumented(t, managementapi.Config{Requests: wf})
	for _, p := range []string{"/requests/save", "/requests/reload"} {
		want(t, reqDo(t, mux, doc, reqCall{method: "POST", doc: p, target: p}), 400, "invalid_request", "No YAML path configured for requests")
	}
}

// TestRequestImportDemoScenario: our request scenario loads through
// POST /requests/import and the queue shows its requests.
func TestRequestImportDemoScenario(t *testing.T) {
	e := reqSetup(t, "")
	data, err := os.ReadFile(fixtures.File(t, "demo_requests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	b := want(t, e.do(reqCall{method: "POST", doc: "/requests/import", target: "/requests/import", body: string(data)}), 200, "", "")
	if b["imported"] != 9.0 || len(b["skipped"].([]any)) != 0 {
		t.Fatalf("import %v", b)
	}
	b = want(t, e.do(reqCall{method: "GET", doc: "/requests", target: "/requests"}), 200, "", "")
	by, _ := b["by_status"].(map[string]any)
	if b["total"] != 9.0 || by["pending_review"] != 5.0 || by["approved"] != 2.0 || by["rejected"] != 2.0 {
		t.Fatalf("queue after import: total %v, by_status %v", b["total"], by)
	}
	b = want(t, e.do(reqCall{method: "POST", doc: "/requests/import", target: "/requests/import", body: string(data)}), 200, "", "")
	if b["imported"] != 0.0 || len(b["skipped"].([]any)) != 9 {
		t.Errorf("re-import %v", b)
	}
	want(t, e.do(reqCall{method: "POST", doc: "/requests/import", target: "/requests/import", body: "requests: ["}), 400, "invalid_request", "not a demo scenario file")
	b = want(t, e.do(reqCall{method: "POST", doc: "/requests/import", target: "/requests/import",
		body: "requests:\n- path: risk/x\n  requester: {name: n, email: n@x.com}\n  outcome: maybe\n"}), 422, "validation_error", "not one of")
	if loc(b) != "body.requests.0.outcome" {
		t.Errorf("loc %q", loc(b))
	}
	want(t, e.do(reqCall{method: "POST", doc: "/requests/import", target: "/requests/import", body: strings.Repeat("#", 1<<20+1)}), 413, "body_too_large", "")
}

// TestRequestBodyLimits: every JSON body route answers 413 past 1 MiB.
func TestRequestBodyLimits(t *testing.T) {
	e := reqSetup(t, fixtures.File(t, "requests.yaml"))
	big := `{"actor":"` + strings.Repeat("x", 1<<20) + `"}`
	for _, c := range []reqCall{
		{method: "PUT", doc: "/requests/{id}", target: "/requests/REQ-0001"},
		{method: "POST", doc: "/requests/{id}/approve", target: "/requests/REQ-0001/approve"},
		{method: "POST", doc: "/requests/{id}/reject", target: "/requests/REQ-0001/reject"},
		{method: "POST", doc: "/requests/{id}/request-changes", target: "/requests/REQ-0001/request-changes"},
		{method: "POST", doc: "/requests/{id}/comment", target: "/requests/REQ-0001/comment"},
	} {
		c.body = big
		want(t, e.do(c), 413, "body_too_large", "exceeds")
	}
	if r, _, _ := e.wf.Get("REQ-0001"); r.Status != requests.StatusPendingReview || len(r.Comments) != 2 {
		t.Errorf("REQ-0001 changed: %+v", r)
	}
}

// TestRequestApproveWithoutCatalog: approval needs the catalog to write
// the node to.
func TestRequestApproveWithoutCatalog(t *testing.T) {
	p := filepath.Join(t.TempDir(), "requests.yaml")
	data, err := os.ReadFile(fixtures.File(t, "requests.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	wf, err := requests.Open(p, requests.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mux, doc := serveDocumented(t, managementapi.Config{Requests: wf})
	rec := reqDo(t, mux, doc, reqCall{method: "POST", doc: "/requests/{id}/approve", target: "/requests/REQ-0001/approve", body: `{"actor":"r@example.com"}`})
	want(t, rec, 503, "unavailable", "Catalog not initialized")
	if r, _, _ := wf.Get("REQ-0001"); r.Status != requests.StatusPendingReview {
		t.Errorf("status %s", r.Status)
	}
}
