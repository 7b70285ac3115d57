package managementapi

// The parts of the /domains and /models areas they share: body decoding,
// error answers and the routes that act on a whole registry file.

import (
	"bytes"
	"context"
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

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

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

// keyedRegistry is what the domain and model registries share for the
// routes that delete an entry, save or reload the file.
type keyedRegistry interface {
	Path() string
	Delete(ctx context.Context, key, ifMatch, actor string) error
	Save(ctx context.Context) (int, error)
	Reload(ctx context.Context) (int, error)
}

// registryDelete is DELETE /domains/{name} and /models/{path}: removes the
// entry key, checked against If-Match. kind is "Domain" or "Model".
func (s *Server) registryDelete(w http.ResponseWriter, r *http.Request, reg keyedRegistry, kind, key string) {
	if err := reg.Delete(r.Context(), key, r.Header.Get("If-Match"), registryActor(r)); err != nil {
		s.registryError(w, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, successJSON{Success: true, Message: fmt.Sprintf("%s '%s' deleted", kind, key)})
}

// registrySave is POST /domains/save and /models/save, kept for
// upstream's clients: every change is already on disk, so the registry
// writes only when the file is missing.
func (s *Server) registrySave(w http.ResponseWriter, r *http.Request, reg keyedRegistry, kind string) {
	n, err := reg.Save(r.Context())
	if err != nil {
		s.registryError(w, err)
		return
	}
	shown, abs := s.filePath(reg.Path())
	httpapi.WriteJSON(w, http.StatusOK, saveJSON{Success: true, Message: fmt.Sprintf("Saved %d %ss to %s", n, strings.ToLower(kind), shown), FilePath: abs})
}

// registryReload re-reads the registry's file for POST /domains/reload and
// /models/reload, and returns the number of entries loaded and the
// answer's message. A file that does not load leaves the registry as it
// was: the error is answered and ok is false.
func (s *Server) registryReload(w http.ResponseWriter, r *http.Request, reg keyedRegistry, kind string) (n int, msg string, ok bool) {
	n, err := reg.Reload(r.Context())
	if err != nil {
		s.registryError(w, err)
		return 0, "", false
	}
	shown, _ := s.filePath(reg.Path())
	return n, fmt.Sprintf("Reloaded %d %ss from %s", n, strings.ToLower(kind), shown), true
}

// registryError answers a domain or model registry error with
// httpapi.WriteError; a conflict also lists the entries in "conflicts"
// (as paths does), the member the registry pages and upstream's clients
// read.
func (s *Server) registryError(w http.ResponseWriter, err error) {
	if ce, ok := errors.AsType[*moniker.ConflictError](err); ok {
		httpapi.WriteError(w, s.log, err, httpapi.Member{Key: "conflicts", Value: ce.Paths})
		return
	}
	httpapi.WriteError(w, s.log, err)
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
		httpapi.WriteFields(w, httpapi.InBody, moniker.FieldError{Type: "json_invalid", Msg: "could not read the body: " + err.Error(), Input: nil})
		return false
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		httpapi.WriteFields(w, httpapi.InBody, moniker.FieldError{Type: "missing", Msg: "Field required", Input: nil})
		return false
	}
	if trimmed[0] != '{' {
		httpapi.WriteFields(w, httpapi.InBody, moniker.FieldError{Type: "model_attributes_type", Msg: "Input should be a JSON object", Input: nil})
		return false
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	if err == nil && dec.More() {
		err = errors.New("trailing data after the JSON object")
	}
	if err != nil {
		httpapi.WriteFields(w, httpapi.InBody, registryFieldError(err, trimmed, v))
		return false
	}
	return true
}

// registryFieldError turns the error of decoding body into v into one 422
// entry that names the field.
func registryFieldError(err error, body []byte, v any) moniker.FieldError {
	var (
		typeErr   *json.UnmarshalTypeError
		syntaxErr *json.SyntaxError
	)
	switch {
	case errors.As(err, &typeErr):
		var loc []string
		if typeErr.Field != "" {
			loc = strings.Split(typeErr.Field, ".")
		}
		return moniker.FieldError{Type: typeErr.Type.Kind().String() + "_type", Loc: loc,
			Msg: fmt.Sprintf("Input should be a valid %s, got a JSON %s", typeErr.Type.Kind(), typeErr.Value), Input: nil}
	case errors.As(err, &syntaxErr):
		return moniker.FieldError{Type: "json_invalid", Msg: "JSON decode error: " + err.Error(), Input: nil}
	}
	msg := err.Error()
	if field, ok := strings.CutPrefix(msg, "json: unknown field "); ok {
		var loc []string
		// The decoder does not say where an unknown key inside a nested
		// object is: find the top-level field whose value fails alone.
		if top := registryFailingField(body, v); top != "" {
			loc = append(loc, top)
		}
		if name := strings.Trim(field, `"`); len(loc) == 0 || loc[0] != name {
			loc = append(loc, name)
		}
		return moniker.FieldError{Type: "extra_forbidden", Loc: loc, Msg: "Extra inputs are not permitted", Input: nil}
	}
	return moniker.FieldError{Type: "json_invalid", Msg: msg, Input: nil}
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
