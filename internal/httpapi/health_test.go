package httpapi

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestHealthStopping: the document says healthy (200) until Stopping,
// then stopping (503), with the same sections.
func TestHealthStopping(t *testing.T) {
	h := NewHealth("resolver")
	h.Component("catalog")
	h.Section("cache", func() any { return map[string]int{"size": 3} })
	get := func() (int, map[string]any) {
		rec := httptest.NewRecorder()
		h.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/health", nil))
		var v map[string]any
		if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
			t.Fatalf("%v: %s", err, rec.Body)
		}
		return rec.Code, v
	}
	if code, v := get(); code != http.StatusOK || v["status"] != "healthy" {
		t.Errorf("before Stopping: %d %v", code, v)
	}
	h.Stopping()
	code, v := get()
	if code != http.StatusServiceUnavailable || v["status"] != "stopping" || v["target"] != "resolver" || v["cache"] == nil {
		t.Errorf("after Stopping: %d %v", code, v)
	}
}
