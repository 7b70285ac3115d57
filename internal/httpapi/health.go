package httpapi

import (
	"encoding/json"
	"net/http"
	"sync/atomic"
)

// Health is the GET /health document every target serves: upstream's
// {"status", "telemetry", "cache", ...} keys plus the target and the
// components it built. Sections are added by the components themselves.
//
// Its status is "healthy" (200) while the process serves, and "stopping"
// (503) once Stopping was called: a load balancer then takes the instance
// out while it drains.
type Health struct {
	target     string
	components []string
	sections   []healthSection
	stopping   atomic.Bool
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

// Stopping makes the document answer 503 with status "stopping" from now
// on (the process is draining). Safe to call while requests are served.
func (h *Health) Stopping() { h.stopping.Store(true) }

// Handler serves the document. Setup (Component, Section) must be finished
// before the first request.
func (h *Health) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, code := `{"status":"healthy","target":`, http.StatusOK
		if h.stopping.Load() {
			status, code = `{"status":"stopping","target":`, http.StatusServiceUnavailable
		}
		b := make([]byte, 0, 1024)
		b = append(b, status...)
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
		WriteRaw(w, code, b)
	})
}

func appendHealthJSON(b []byte, v any) ([]byte, error) {
	j, err := json.Marshal(v)
	return append(b, j...), err
}
