package managementapi

import (
	"net/http"
	"strings"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/models"
	"github.com/moniker-svc/moniker/internal/moniker"
)

func modelNotFound(w http.ResponseWriter, path string) {
	httpapi.WriteError(w, nil, moniker.Errorf(moniker.ErrNotFound, "Model not found: %s", path))
}

// modelList is GET /models: every model, sorted by path.
func (s *Server) modelList(reg *models.Registry, w http.ResponseWriter, r *http.Request) {
	list := reg.List()
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Models []*models.Model `json:"models"`
		Count  int             `json:"count"`
	}{list, len(list)})
}

// modelTree is GET /models/tree: the hierarchy, with virtual nodes for
// missing ancestors (models.Registry.Tree); total_count counts models.
func (s *Server) modelTree(reg *models.Registry, w http.ResponseWriter, r *http.Request) {
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Tree       []*models.TreeNode `json:"tree"`
		TotalCount int                `json:"total_count"`
	}{reg.Tree(), reg.Len()})
}

// modelsForMoniker is GET /models/for-moniker/{path}: the models with a
// pattern matching the path; never 404.
func (s *Server) modelsForMoniker(reg *models.Registry, w http.ResponseWriter, r *http.Request) {
	path := r.PathValue("path")
	list := reg.ForMoniker(path)
	httpapi.WriteJSON(w, http.StatusOK, struct {
		MonikerPath string           `json:"moniker_path"`
		Models      []models.Summary `json:"models"`
		Count       int              `json:"count"`
	}{path, list, len(list)})
}

// modelGet is GET /models/{path} (the model, its ETag and its patterns)
// and GET /models/{path}/monikers (the patterns only).
func (s *Server) modelGet(reg *models.Registry, w http.ResponseWriter, r *http.Request) {
	path := r.PathValue("path")
	if base, ok := strings.CutSuffix(path, "/monikers"); ok {
		patterns, found := reg.Monikers(base)
		if !found {
			modelNotFound(w, base)
			return
		}
		httpapi.WriteJSON(w, http.StatusOK, struct {
			ModelPath string   `json:"model_path"`
			Patterns  []string `json:"moniker_patterns"`
			Count     int      `json:"count"`
		}{base, patterns, len(patterns)})
		return
	}
	m, tag := reg.Entry(path)
	if m == nil {
		modelNotFound(w, path)
		return
	}
	patterns := m.Patterns()
	w.Header().Set("ETag", tag)
	httpapi.WriteJSON(w, http.StatusOK, struct {
		Model        *models.Model `json:"model"`
		Patterns     []string      `json:"moniker_patterns"`
		MonikerCount int           `json:"moniker_count"`
	}{m, patterns, len(patterns)})
}

// modelCreate is POST /models: 201 with the new model. The body is a
// models.Patch whose path is required; absent fields take their defaults.
func (s *Server) modelCreate(reg *models.Registry, w http.ResponseWriter, r *http.Request) {
	p, ok := httpapi.DecodeJSON[models.Patch](w, r, httpapi.MaxBody)
	if !ok {
		return
	}
	if !p.Path.Set || p.Path.Null {
		httpapi.WriteFields(w, httpapi.InBody, httpapi.Missing("path"))
		return
	}
	m, _ := p.Apply(models.New(p.Path.Value))
	created, err := reg.Create(r.Context(), m, registryActor(r))
	if err != nil {
		s.registryError(w, err)
		return
	}
	w.Header().Set("ETag", reg.ETag(created.Path))
	httpapi.WriteJSON(w, http.StatusCreated, created)
}

// modelUpdate is PUT /models/{path}: a JSON Merge Patch of the model
// (absent keeps, null resets, a value replaces; ownership and lists are
// replaced whole), checked against If-Match.
func (s *Server) modelUpdate(reg *models.Registry, w http.ResponseWriter, r *http.Request) {
	p, ok := httpapi.DecodeJSON[models.Patch](w, r, httpapi.MaxBody)
	if !ok {
		return
	}
	m, err := reg.Update(r.Context(), r.PathValue("path"), p, r.Header.Get("If-Match"), registryActor(r))
	if err != nil {
		s.registryError(w, err)
		return
	}
	w.Header().Set("ETag", reg.ETag(m.Path))
	httpapi.WriteJSON(w, http.StatusOK, m)
}

// modelDelete is DELETE /models/{path}, checked against If-Match; a model
// with models below it answers 400.
func (s *Server) modelDelete(reg *models.Registry, w http.ResponseWriter, r *http.Request) {
	s.registryDelete(w, r, reg, "Model", r.PathValue("path"))
}

// modelSave is POST /models/save, kept for upstream's clients: every
// change is already on disk, so it writes only when the file is missing
// (models.Registry.Save).
func (s *Server) modelSave(reg *models.Registry, w http.ResponseWriter, r *http.Request) {
	s.registrySave(w, r, reg, "Model")
}

// modelReload is POST /models/reload: re-reads the file; a file that does
// not load leaves the registry as it was.
func (s *Server) modelReload(reg *models.Registry, w http.ResponseWriter, r *http.Request) {
	if n, msg, ok := s.registryReload(w, r, reg, "Model"); ok {
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Success bool   `json:"success"`
			Message string `json:"message"`
			Loaded  int    `json:"models_loaded"`
		}{true, msg, n})
	}
}
