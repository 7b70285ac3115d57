package managementapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/moniker-svc/moniker/internal/domains"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/models"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/store"
)

// domainRoutes is the /domains area (reference §4.2): the domain registry,
// every change written through to domains.yaml at once. GET /domains/ui
// is a page (pages.go); a domain cannot be called "ui".
func (s *Server) domainRoutes() []httpapi.Route {
	return []httpapi.Route{
		{Method: http.MethodGet, Pattern: "/domains", Doc: "/domains", Handler: s.domainList()},
		{Method: http.MethodGet, Pattern: "/domains/{$}", Handler: http.RedirectHandler("/domains", http.StatusTemporaryRedirect)},
		{Method: http.MethodGet, Pattern: "/domains/{name}", Doc: "/domains/{name}", Handler: s.domainGet()},
		{Method: http.MethodPost, Pattern: "/domains", Doc: "/domains", Handler: s.domainCreate()},
		{Method: http.MethodPut, Pattern: "/domains/{name}", Doc: "/domains/{name}", Handler: s.domainUpdate()},
		{Method: http.MethodDelete, Pattern: "/domains/{name}", Doc: "/domains/{name}", Handler: s.domainDelete()},
		{Method: http.MethodPost, Pattern: "/domains/save", Doc: "/domains/save", Handler: s.domainSave()},
		{Method: http.MethodPost, Pattern: "/domains/reload", Doc: "/domains/reload", Handler: s.domainReload()},
	}
}

// domainJSON is a domain in API answers: always all 14 keys.
type domainJSON struct {
	Name            string `json:"name"`
	ID              *int   `json:"id"`
	DisplayName     string `json:"display_name"`
	ShortCode       string `json:"short_code"`
	DataCategory    string `json:"data_category"`
	Color           string `json:"color"`
	Owner           string `json:"owner"`
	TechCustodian   string `json:"tech_custodian"`
	BusinessSteward string `json:"business_steward"`
	Confidentiality string `json:"confidentiality"`
	PII             bool   `json:"pii"`
	HelpChannel     string `json:"help_channel"`
	WikiLink        string `json:"wiki_link"`
	Notes           string `json:"notes"`
}

func toDomainJSON(d *moniker.DomainRecord) domainJSON {
	return domainJSON{
		Name: d.Name, ID: d.ID, DisplayName: d.DisplayName, ShortCode: d.ShortCode, DataCategory: d.DataCategory,
		Color: d.Color, Owner: d.Owner, TechCustodian: d.TechCustodian, BusinessSteward: d.BusinessSteward,
		Confidentiality: d.Confidentiality, PII: d.PII, HelpChannel: d.HelpChannel, WikiLink: d.WikiLink, Notes: d.Notes,
	}
}

// domainRegistry returns the domain registry, or answers 503 and nil.
func (s *Server) domainRegistry(w http.ResponseWriter) *domains.Registry {
	if s.c.Domains == nil {
		httpapi.WriteDetail(w, http.StatusServiceUnavailable, httpapi.CodeNotInitialized, "Domain configuration not initialized")
	}
	return s.c.Domains
}

// domainList is GET /domains: every domain, sorted by name.
func (s *Server) domainList() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg := s.domainRegistry(w)
		if reg == nil {
			return
		}
		list := reg.List()
		out := make([]domainJSON, len(list))
		for i, d := range list {
			out[i] = toDomainJSON(d)
		}
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Domains []domainJSON `json:"domains"`
			Count   int          `json:"count"`
		}{out, len(out)})
	})
}

// domainGet is GET /domains/{name}: the domain, with its ETag, and the
// catalog nodes (of the management working copy) whose effective domain
// it is (domains.MonikerPaths: HEAD's rule, not f206ffd's direct children
// of the node named like the domain).
func (s *Server) domainGet() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg := s.domainRegistry(w)
		if reg == nil {
			return
		}
		name := r.PathValue("name")
		d, tag := reg.Entry(name)
		if d == nil {
			httpapi.WriteDetail(w, http.StatusNotFound, httpapi.CodeNotFound, "Domain not found: "+name)
			return
		}
		paths := []string{}
		if s.c.Catalog != nil {
			paths = domains.MonikerPaths(s.c.Catalog.View(), name)
		}
		w.Header().Set("ETag", tag)
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Domain       domainJSON `json:"domain"`
			MonikerPaths []string   `json:"moniker_paths"`
			MonikerCount int        `json:"moniker_count"`
		}{toDomainJSON(d), paths, len(paths)})
	})
}

// domainCreate is POST /domains: 201 with the new domain. The body is a
// domains.Patch whose name is required; absent fields take their
// defaults.
func (s *Server) domainCreate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg := s.domainRegistry(w)
		if reg == nil {
			return
		}
		var p domains.Patch
		if !registryDecode(w, r, &p) {
			return
		}
		if !p.Name.Set || p.Name.Null {
			httpapi.WriteValidation(w, httpapi.FieldError{Type: "missing", Loc: []string{"body", "name"}, Msg: "Field required", Input: nil})
			return
		}
		d, _ := p.Apply(domains.New(p.Name.Value))
		created, err := reg.Create(r.Context(), d, registryActor(r))
		if err != nil {
			s.registryError(w, err, "Domain")
			return
		}
		w.Header().Set("ETag", reg.ETag(created.Name))
		httpapi.WriteJSON(w, http.StatusCreated, toDomainJSON(created))
	})
}

// domainUpdate is PUT /domains/{name}: a JSON Merge Patch of the domain
// (absent keeps, null resets to the default, a value replaces), checked
// against If-Match.
func (s *Server) domainUpdate() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg := s.domainRegistry(w)
		if reg == nil {
			return
		}
		var p domains.Patch
		if !registryDecode(w, r, &p) {
			return
		}
		d, err := reg.Update(r.Context(), r.PathValue("name"), p, r.Header.Get("If-Match"), registryActor(r))
		if err != nil {
			s.registryError(w, err, "Domain")
			return
		}
		w.Header().Set("ETag", reg.ETag(d.Name))
		httpapi.WriteJSON(w, http.StatusOK, toDomainJSON(d))
	})
}

// domainDelete is DELETE /domains/{name}, checked against If-Match.
// Catalog nodes naming the domain keep their domain field.
func (s *Server) domainDelete() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg := s.domainRegistry(w)
		if reg == nil {
			return
		}
		name := r.PathValue("name")
		if err := reg.Delete(r.Context(), name, r.Header.Get("If-Match"), registryActor(r)); err != nil {
			s.registryError(w, err, "Domain")
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, successJSON{Success: true, Message: fmt.Sprintf("Domain '%s' deleted", name)})
	})
}

// domainSave is POST /domains/save, kept for upstream's clients: every
// change is already on disk, so it writes only when the file is missing
// (domains.Registry.Save).
func (s *Server) domainSave() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg := s.domainRegistry(w)
		if reg == nil {
			return
		}
		n, err := reg.Save(r.Context())
		if err != nil {
			s.registryError(w, err, "Domain")
			return
		}
		shown, abs := s.filePath(reg.Path())
		httpapi.WriteJSON(w, http.StatusOK, saveJSON{Success: true, Message: fmt.Sprintf("Saved %d domains to %s", n, shown), FilePath: abs})
	})
}

// domainReload is POST /domains/reload: re-reads the file; a file that
// does not load leaves the registry as it was.
func (s *Server) domainReload() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		reg := s.domainRegistry(w)
		if reg == nil {
			return
		}
		n, err := reg.Reload(r.Context())
		if err != nil {
			s.registryError(w, err, "Domain")
			return
		}
		shown, _ := s.filePath(reg.Path())
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Success bool   `json:"success"`
			Message string `json:"message"`
			Loaded  int    `json:"domains_loaded"`
		}{true, fmt.Sprintf("Reloaded %d domains from %s", n, shown), n})
	})
}

// The shared parts of the domain and model areas.

// registryMaxBody bounds a domain or model body.
const registryMaxBody = 1 << 20

type successJSON struct {
	Success bool   `json:"success"`
	Message string `json:"message"`
}

// saveJSON answers POST /domains/save and /models/save. FilePath is the
// absolute path of the file with ShowFilePaths, else null.
type saveJSON struct {
	Success  bool    `json:"success"`
	Message  string  `json:"message"`
	FilePath *string `json:"file_path"`
}

// filePath returns how a save or reload answer names the file: the
// absolute path with ShowFilePaths (config_ui.show_file_paths, one policy
// for every area), else the base name and no absolute path.
func (s *Server) filePath(path string) (shown string, abs *string) {
	if !s.c.ShowFilePaths {
		return filepath.Base(path), nil
	}
	a, err := filepath.Abs(path)
	if err != nil {
		a = path
	}
	return a, &a
}

// registryActor is who made a change, for the audit log: the
// authenticated principal; domain and model bodies carry no actor field,
// so an unauthenticated change is "anonymous".
func registryActor(r *http.Request) string {
	if p := httpapi.CallerFrom(r.Context()).Principal; p != "" {
		return p
	}
	return "anonymous"
}

// registryConflictJSON is the 409 answer to a write refused because the
// entries changed on disk: the keys are listed in conflicts, too.
type registryConflictJSON struct {
	Detail    string   `json:"detail"`
	Code      string   `json:"code"`
	Conflicts []string `json:"conflicts"`
}

// registryError answers a domain or model registry error: validation 400
// (the detail names each field), not found 404, exists or changed on disk
// 409, If-Match mismatch 412.
func (s *Server) registryError(w http.ResponseWriter, err error, kind string) {
	var conflict *store.ConflictError
	switch {
	case errors.As(err, &conflict):
		httpapi.WriteJSON(w, http.StatusConflict, registryConflictJSON{
			Detail:    fmt.Sprintf("%s changed on disk since it was read (reload and retry): %s", kind, strings.Join(conflict.Keys, ", ")),
			Code:      httpapi.CodeConflict,
			Conflicts: conflict.Keys,
		})
	case errors.Is(err, domains.ErrPrecondition), errors.Is(err, models.ErrPrecondition):
		httpapi.WriteDetail(w, http.StatusPreconditionFailed, httpapi.CodePrecondition, err.Error())
	default:
		httpapi.WriteError(w, s.log, err)
	}
}

// registryDecode reads a JSON object body into v strictly (unknown fields
// and trailing data are errors), at most registryMaxBody bytes. A body
// that is not that answers 422 in upstream's shape (413 when too large)
// and returns false.
func registryDecode(w http.ResponseWriter, r *http.Request, v any) bool {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, registryMaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			httpapi.WriteDetail(w, http.StatusRequestEntityTooLarge, httpapi.CodeBodyTooLarge,
				fmt.Sprintf("request body larger than %d bytes", registryMaxBody))
			return false
		}
		httpapi.WriteValidation(w, httpapi.FieldError{Type: "json_invalid", Loc: []string{"body"}, Msg: "could not read the body: " + err.Error(), Input: nil})
		return false
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		httpapi.WriteValidation(w, httpapi.FieldError{Type: "missing", Loc: []string{"body"}, Msg: "Field required", Input: nil})
		return false
	}
	if trimmed[0] != '{' {
		httpapi.WriteValidation(w, httpapi.FieldError{Type: "model_attributes_type", Loc: []string{"body"}, Msg: "Input should be a JSON object", Input: nil})
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON object")
	}
	if err != nil {
		httpapi.WriteValidation(w, registryFieldError(err, trimmed, v))
		return false
	}
	return true
}

// registryFieldError turns the error of decoding body into v into one 422
// entry that names the field.
func registryFieldError(err error, body []byte, v any) httpapi.FieldError {
	var (
		typeErr   *json.UnmarshalTypeError
		syntaxErr *json.SyntaxError
	)
	switch {
	case errors.As(err, &typeErr):
		loc := []string{"body"}
		if typeErr.Field != "" {
			loc = append(loc, strings.Split(typeErr.Field, ".")...)
		}
		return httpapi.FieldError{Type: typeErr.Type.Kind().String() + "_type", Loc: loc,
			Msg: fmt.Sprintf("Input should be a valid %s, got a JSON %s", typeErr.Type.Kind(), typeErr.Value), Input: nil}
	case errors.As(err, &syntaxErr):
		return httpapi.FieldError{Type: "json_invalid", Loc: []string{"body"}, Msg: "JSON decode error: " + err.Error(), Input: nil}
	}
	msg := err.Error()
	if field, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		loc := []string{"body"}
		// The decoder does not say where an unknown key inside a nested
		// object is: find the top-level field whose value fails alone.
		if top := registryFailingField(body, v); top != "" {
			loc = append(loc, top)
		}
		if name := strings.Trim(field, `"`); len(loc) == 1 || loc[1] != name {
			loc = append(loc, name)
		}
		return httpapi.FieldError{Type: "extra_forbidden", Loc: loc, Msg: "Extra inputs are not permitted", Input: nil}
	}
	return httpapi.FieldError{Type: "json_invalid", Loc: []string{"body"}, Msg: msg, Input: nil}
}

// registryFailingField returns the first top-level key (in sorted order)
// of the JSON object body whose value alone does not decode strictly into
// a new value of v's type, or "".
func registryFailingField(body []byte, v any) string {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return ""
	}
	typ := reflect.TypeOf(v).Elem()
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		one, err := json.Marshal(map[string]json.RawMessage{k: fields[k]})
		if err != nil {
			continue
		}
		dec := json.NewDecoder(bytes.NewReader(one))
		dec.DisallowUnknownFields()
		if dec.Decode(reflect.New(typ).Interface()) != nil {
			return k
		}
	}
	return ""
}
