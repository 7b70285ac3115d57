package managementapi

// The parts of the /domains and /models areas they share: body decoding,
// error answers and the routes that act on a whole registry file.

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

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
