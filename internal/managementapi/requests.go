package managementapi

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/requests"
	"github.com/moniker-svc/moniker/internal/strictjson"
)

// reqHandler answers 503 when the workflow is not configured, and
// otherwise runs h with it.
func (s *Server) reqHandler(h func(wf *requests.Workflow, w http.ResponseWriter, r *http.Request)) http.Handler {
	return needs(s.c.Requests, "Requests", h)
}

// reqMissing answers 422 for required fields the body lacks.
func reqMissing(w http.ResponseWriter, locs ...[]string) {
	fields := make([]moniker.FieldError, len(locs))
	for i, l := range locs {
		fields[i] = httpapi.Missing(l...)
	}
	httpapi.WriteFields(w, httpapi.InBody, fields...)
}

// reqWrite answers one request as JSON with its ETag.
func reqWrite(w http.ResponseWriter, status int, req *requests.Request) {
	w.Header().Set("ETag", `"`+requests.Version(req)+`"`)
	httpapi.WriteJSON(w, status, req)
}

// reqPrincipal is the authenticated caller ("" = unknown).
func reqPrincipal(r *http.Request) string { return httpapi.CallerFrom(r.Context()).Principal }

func reqDeref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// reqSubmitBody is the POST /requests body (reference §6.3). Optional
// strings may be null.
type reqSubmitBody struct {
	Path          *string `json:"path"`
	DisplayName   *string `json:"display_name"`
	Description   *string `json:"description"`
	Justification *string `json:"justification"`
	Requester     *struct {
		Name  *string `json:"name"`
		Email *string `json:"email"`
		Team  *string `json:"team"`
		AppID *string `json:"app_id"`
	} `json:"requester"`
	ADOP                *string        `json:"adop"`
	ADOPName            *string        `json:"adop_name"`
	ADS                 *string        `json:"ads"`
	ADSName             *string        `json:"ads_name"`
	ADAL                *string        `json:"adal"`
	ADALName            *string        `json:"adal_name"`
	SourceBindingType   *string        `json:"source_binding_type"`
	SourceBindingConfig map[string]any `json:"source_binding_config"`
	Tags                []string       `json:"tags"`
}

// handleRequestSubmit is POST /requests.
func (s *Server) handleRequestSubmit(wf *requests.Workflow, w http.ResponseWriter, r *http.Request) {
	b, ok := httpapi.DecodeJSON[reqSubmitBody](w, r, httpapi.MaxBody)
	if !ok {
		return
	}
	var missing [][]string
	if b.Path == nil {
		missing = append(missing, []string{"path"})
	}
	if b.Requester == nil {
		missing = append(missing, []string{"requester"})
	} else {
		if b.Requester.Name == nil {
			missing = append(missing, []string{"requester", "name"})
		}
		if b.Requester.Email == nil {
			missing = append(missing, []string{"requester", "email"})
		}
	}
	if len(missing) > 0 {
		reqMissing(w, missing...)
		return
	}
	p := requests.Proposal{
		Path: *b.Path, DisplayName: reqDeref(b.DisplayName), Description: reqDeref(b.Description), Justification: reqDeref(b.Justification),
		Requester: requests.Requester{Name: reqDeref(b.Requester.Name), Email: reqDeref(b.Requester.Email),
			Team: reqDeref(b.Requester.Team), AppID: reqDeref(b.Requester.AppID)},
		ADOP: reqDeref(b.ADOP), ADOPName: reqDeref(b.ADOPName), ADS: reqDeref(b.ADS), ADSName: reqDeref(b.ADSName),
		ADAL: reqDeref(b.ADAL), ADALName: reqDeref(b.ADALName),
		SourceBindingType: reqDeref(b.SourceBindingType), SourceBindingConfig: b.SourceBindingConfig, Tags: b.Tags,
	}
	req, err := wf.Submit(r.Context(), p, reqPrincipal(r))
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	msg := "Request submitted for review"
	if req.TopLevel() {
		msg += " (TOP-LEVEL domain - requires elevated review)"
	}
	w.Header().Set("ETag", `"`+requests.Version(req)+`"`)
	httpapi.WriteJSON(w, http.StatusOK, struct {
		RequestID string          `json:"request_id"`
		Path      string          `json:"path"`
		Status    requests.Status `json:"status"`
		Message   string          `json:"message"`
	}{req.RequestID, req.Path, req.Status, msg})
}

// handleRequestList is GET /requests?status=: the requests (filtered by
// status when given) newest first, their number, and the counts of all
// requests per status plus total.
func (s *Server) handleRequestList(wf *requests.Workflow, w http.ResponseWriter, r *http.Request) {
	status := requests.Status(r.URL.Query().Get("status"))
	list, counts, err := wf.List(status)
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	by := make(map[string]int, len(counts.ByStatus)+1)
	for st, n := range counts.ByStatus {
		by[string(st)] = n
	}
	by["total"] = counts.Total
	w.Header().Set("Cache-Control", "no-store")
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Requests []*requests.Request `json:"requests"`
		Total    int                 `json:"total"`
		ByStatus map[string]int      `json:"by_status"`
	}{list, len(list), by})
}

// handleRequestGet is GET /requests/{id}.
func (s *Server) handleRequestGet(wf *requests.Workflow, w http.ResponseWriter, r *http.Request) {
	req, version, err := wf.Get(r.PathValue("id"))
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	w.Header().Set("ETag", `"`+version+`"`)
	w.Header().Set("Cache-Control", "no-cache")
	httpapi.WriteJSON(w, http.StatusOK, req)
}

// Review actions.
const (
	reqApprove = iota
	reqReject
	reqRequestChanges
)

// reqReviewBody is the body of approve, reject and request-changes.
type reqReviewBody struct {
	Actor     *string `json:"actor"`
	ActorName *string `json:"actor_name"`
	Reason    *string `json:"reason"`
}

// handleRequestReview is POST /requests/{id}/approve, /reject and
// /request-changes.
func (s *Server) handleRequestReview(action int) func(*requests.Workflow, http.ResponseWriter, *http.Request) {
	return func(wf *requests.Workflow, w http.ResponseWriter, r *http.Request) {
		b, ok := httpapi.DecodeJSON[reqReviewBody](w, r, httpapi.MaxBody)
		if !ok {
			return
		}
		rv := requests.Review{Principal: reqPrincipal(r), Actor: reqDeref(b.Actor), ActorName: reqDeref(b.ActorName),
			Reason: reqDeref(b.Reason), IfMatch: r.Header.Get("If-Match")}
		var (
			req *requests.Request
			err error
		)
		id := r.PathValue("id")
		switch action {
		case reqApprove:
			req, err = wf.Approve(r.Context(), id, rv)
		case reqReject:
			req, err = wf.Reject(r.Context(), id, rv)
		default:
			req, err = wf.RequestChanges(r.Context(), id, rv)
		}
		if err != nil {
			httpapi.WriteError(w, s.log, err)
			return
		}
		reqWrite(w, http.StatusOK, req)
	}
}

// reqCommentBody is the POST /requests/{id}/comment body.
type reqCommentBody struct {
	Author     *string `json:"author"`
	AuthorName *string `json:"author_name"`
	Content    *string `json:"content"`
}

// handleRequestComment is POST /requests/{id}/comment.
func (s *Server) handleRequestComment(wf *requests.Workflow, w http.ResponseWriter, r *http.Request) {
	b, ok := httpapi.DecodeJSON[reqCommentBody](w, r, httpapi.MaxBody)
	if !ok {
		return
	}
	if b.Content == nil {
		reqMissing(w, []string{"content"})
		return
	}
	req, err := wf.Comment(r.Context(), r.PathValue("id"), requests.Note{
		Principal: reqPrincipal(r), Author: reqDeref(b.Author), AuthorName: reqDeref(b.AuthorName), Content: *b.Content})
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	reqWrite(w, http.StatusOK, req)
}

// reqAmendBody is the PUT /requests/{id} body: every proposal field is
// optional; absent keeps the value, null or an empty value clears it
// (json.RawMessage keeps the difference between absent and null).
type reqAmendBody struct {
	Actor     *string `json:"actor"`
	ActorName *string `json:"actor_name"`
	Comment   *string `json:"comment"`

	Path                json.RawMessage `json:"path"`
	DisplayName         json.RawMessage `json:"display_name"`
	Description         json.RawMessage `json:"description"`
	Justification       json.RawMessage `json:"justification"`
	ADOP                json.RawMessage `json:"adop"`
	ADOPName            json.RawMessage `json:"adop_name"`
	ADS                 json.RawMessage `json:"ads"`
	ADSName             json.RawMessage `json:"ads_name"`
	ADAL                json.RawMessage `json:"adal"`
	ADALName            json.RawMessage `json:"adal_name"`
	SourceBindingType   json.RawMessage `json:"source_binding_type"`
	SourceBindingConfig json.RawMessage `json:"source_binding_config"`
	Tags                json.RawMessage `json:"tags"`
}

// reqField decodes one present amend field into a new *T (null gives the
// zero T), recording what is wrong with it under its name.
func reqField[T any](raw json.RawMessage, name string, errs *[]moniker.FieldError) *T {
	if raw == nil {
		return nil
	}
	v := new(T)
	if string(raw) == "null" {
		return v
	}
	if err := strictjson.Unmarshal(raw, v); err != nil {
		fe := httpapi.JSONFieldError(err, []string{name}, raw, v)
		fe.Input = raw
		*errs = append(*errs, fe)
		return nil
	}
	return v
}

// handleRequestAmend is PUT /requests/{id}: the requester amends a
// request in pending_review or changes_requested, which puts it back in
// pending_review.
func (s *Server) handleRequestAmend(wf *requests.Workflow, w http.ResponseWriter, r *http.Request) {
	b, ok := httpapi.DecodeJSON[reqAmendBody](w, r, httpapi.MaxBody)
	if !ok {
		return
	}
	var errs []moniker.FieldError
	a := requests.Amendment{
		Principal: reqPrincipal(r), Actor: reqDeref(b.Actor), ActorName: reqDeref(b.ActorName), Comment: reqDeref(b.Comment),
		IfMatch:             r.Header.Get("If-Match"),
		Path:                reqField[string](b.Path, "path", &errs),
		DisplayName:         reqField[string](b.DisplayName, "display_name", &errs),
		Description:         reqField[string](b.Description, "description", &errs),
		Justification:       reqField[string](b.Justification, "justification", &errs),
		ADOP:                reqField[string](b.ADOP, "adop", &errs),
		ADOPName:            reqField[string](b.ADOPName, "adop_name", &errs),
		ADS:                 reqField[string](b.ADS, "ads", &errs),
		ADSName:             reqField[string](b.ADSName, "ads_name", &errs),
		ADAL:                reqField[string](b.ADAL, "adal", &errs),
		ADALName:            reqField[string](b.ADALName, "adal_name", &errs),
		SourceBindingType:   reqField[string](b.SourceBindingType, "source_binding_type", &errs),
		SourceBindingConfig: reqField[map[string]any](b.SourceBindingConfig, "source_binding_config", &errs),
		Tags:                reqField[[]string](b.Tags, "tags", &errs),
	}
	if len(errs) > 0 {
		httpapi.WriteFields(w, httpapi.InBody, errs...)
		return
	}
	req, err := wf.Amend(r.Context(), r.PathValue("id"), a)
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	reqWrite(w, http.StatusOK, req)
}

// reqCountBody is the answer of save and reload (upstream's shape).
type reqCountBody struct {
	Success bool   `json:"success"`
	Count   int    `json:"count"`
	Message string `json:"message"`
}

// handleRequestSave is POST /requests/save. Every transition is already
// written through; save recreates a missing file and reports the count.
func (s *Server) handleRequestSave(wf *requests.Workflow, w http.ResponseWriter, r *http.Request) {
	n, err := wf.Save(r.Context())
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, reqCountBody{true, n, "Saved " + strconv.Itoa(n) + " requests"})
}

// handleRequestReload is POST /requests/reload.
func (s *Server) handleRequestReload(wf *requests.Workflow, w http.ResponseWriter, r *http.Request) {
	n, err := wf.Reload(r.Context())
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, reqCountBody{true, n, "Reloaded " + strconv.Itoa(n) + " requests"})
}

// handleRequestImport is POST /requests/import: the body is a demo
// scenario file (upstream's demo/demo_requests.yaml format, YAML); its
// entries join the queue in the state their outcome describes.
func (s *Server) handleRequestImport(wf *requests.Workflow, w http.ResponseWriter, r *http.Request) {
	data, ok := httpapi.ReadBody(w, r, httpapi.MaxBody)
	if !ok {
		return
	}
	res, err := wf.ImportScenario(r.Context(), data, reqPrincipal(r))
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	ids := make([]string, len(res.Imported))
	for i, q := range res.Imported {
		ids[i] = q.RequestID
	}
	skipped := res.Skipped
	if skipped == nil {
		skipped = []requests.Skipped{}
	}
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Success  bool               `json:"success"`
		Imported int                `json:"imported"`
		IDs      []string           `json:"request_ids"`
		Skipped  []requests.Skipped `json:"skipped"`
		Message  string             `json:"message"`
	}{true, len(ids), ids, skipped,
		"Imported " + strconv.Itoa(len(ids)) + " requests, skipped " + strconv.Itoa(len(skipped))})
}
