package httpapi

import (
	"encoding/json"
	"net/http"
)

// Health is the GET /health document every target serves: upstream's
// {"status", "telemetry", "cache", ...} keys plus the target and the
// components it built. Sections are added by the components themselves.
type Health struct {
	target     string
	components []string
	sections   []healthSection
}

type healthSection struct {
	name string
	fn   func() any
}

// NewHealth returns the health document of target.
func NewHealth(target string) *Health { return &Health{target: target} }

// Component records that the target built component name.
func (h *Health) Component(name string) { h.components = append(h.components, name) }

// Section adds a top-level key whose value fn computes per request. fn
// must be cheap (no scans of the catalog).
func (h *Health) Section(name string, fn func() any) {
	h.sections = append(h.sections, healthSection{name, fn})
}

// Handler serves the document. Setup (Component, Section) must be finished
// before the first request.
func (h *Health) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b := make([]byte, 0, 1024)
		b = append(b, `{"status":"healthy","target":`...)
		b, _ = appendHealthJSON(b, h.target)
		b = append(b, `,"components":`...)
		b, _ = appendHealthJSON(b, h.components)
		for _, s := range h.sections {
			b = append(b, ',')
			b, _ = appendHealthJSON(b, s.name)
			b = append(b, ':')
			var err error
			if b, err = appendHealthJSON(b, s.fn()); err != nil {
				WriteError(w, nil, err)
				return
			}
		}
		b = append(b, "}\n"...)
		WriteRaw(w, http.StatusOK, b)
	})
}

func appendHealthJSON(b []byte, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	return append(b, j...), err
}
