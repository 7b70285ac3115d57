package httpapi

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestExtendDeadlines: behind the server's write timeout, a handler that
// answers after the timeout loses its answer, unless it extended its
// deadlines first (through the route's middleware, which must let
// http.ResponseController reach the connection).
func TestExtendDeadlines(t *testing.T) {
	const timeout = 200 * time.Millisecond
	slow := func(extend bool) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if extend {
				if err := ExtendDeadlines(w, 10*timeout); err != nil {
					t.Errorf("ExtendDeadlines: %v", err)
				}
			}
			time.Sleep(2 * timeout) // the subject: a handler slower than the timeout
			WriteRaw(w, http.StatusOK, []byte(`{"ok":true}`))
		})
	}
	mux := http.NewServeMux()
	Register(mux, NewMetrics(prometheus.NewRegistry()), []Route{
		{Method: "GET", Pattern: "/bounded", Handler: slow(false)},
		{Method: "GET", Pattern: "/stream", Handler: slow(true)},
	})
	srv := httptest.NewUnstartedServer(Chain(mux, Recover(nil)))
	srv.Config.WriteTimeout = timeout
	srv.Config.ReadTimeout = timeout
	srv.Start()
	defer srv.Close()

	if resp, err := http.Get(srv.URL + "/bounded"); err == nil {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		t.Errorf("a handler slower than the write timeout answered: %d %s", resp.StatusCode, b)
	}
	resp, err := http.Get(srv.URL + "/stream")
	if err != nil {
		t.Fatalf("the handler that extended its deadlines: %v", err)
	}
	defer resp.Body.Close()
	if b, _ := io.ReadAll(resp.Body); resp.StatusCode != 200 || string(b) != `{"ok":true}` {
		t.Errorf("extended: %d %s", resp.StatusCode, b)
	}
}
