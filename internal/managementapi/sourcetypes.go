package managementapi

import (
	"net/http"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/query"
	"github.com/moniker-svc/moniker/internal/source"
)

// configField is one field of a source type's config schema for the
// editor: type is string, number, sql, text, json or select.
type configField struct {
	Type        string   `json:"type"`
	Required    bool     `json:"required"`
	Description string   `json:"description"`
	Options     []string `json:"options,omitempty"`
}

// sourceTypeJSON is one GET /config/source-types entry.
type sourceTypeJSON struct {
	Type          string                 `json:"type"`
	DisplayName   string                 `json:"display_name"`
	ConfigSchema  map[string]configField `json:"config_schema"`
	ExecutionMode string                 `json:"execution_mode"`
	ExecutionHint string                 `json:"execution_hint"`
	// Placeholders names the placeholders that apply to the type.
	Placeholders []string `json:"placeholders"`
}

// configSourceTypes is GET /config/source-types (reference §3.10): the
// config schema of every source type of the registry (internal/source), in
// its order, and the placeholders query templates may use.
func (s *Server) configSourceTypes() http.Handler {
	var list []sourceTypeJSON
	for _, t := range source.Types() {
		st := sourceTypeJSON{Type: t.Name, DisplayName: t.DisplayName, ConfigSchema: make(map[string]configField, len(t.Config)),
			ExecutionMode: t.Execution.Mode, ExecutionHint: t.Execution.Hint}
		for _, f := range t.Config {
			st.ConfigSchema[f.Key] = configField{Type: f.Kind, Required: f.Required, Description: f.Description, Options: f.Options}
		}
		for _, p := range t.Placeholders() {
			st.Placeholders = append(st.Placeholders, p.Name)
		}
		list = append(list, st)
	}
	body := struct {
		SourceTypes  []sourceTypeJSON    `json:"source_types"`
		Placeholders []query.Placeholder `json:"placeholders"`
	}{list, query.Placeholders()}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteJSON(w, http.StatusOK, body)
	})
}
