package mgmtclient

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// These unit tests use a stand-in management server; the end-to-end tests
// in cmd/monikerd forward to a real management process.
func TestSetStatus(t *testing.T) {
	var gotPath, gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		gotPath = r.URL.EscapedPath()
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		switch {
		case strings.Contains(gotPath, "missing"):
			httpapi.WriteDetail(w, 404, httpapi.CodeNotFound, "Node not found: missing")
		case strings.Contains(gotPath, "boom"):
			httpapi.WriteDetail(w, 500, httpapi.CodeInternal, "internal error")
		default:
			httpapi.WriteJSON(w, 200, moniker.StatusResult{Path: "a/b c", Status: "deprecated", UpdatedBy: "alice", Message: "Status changed to deprecated"})
		}
	}))
	defer srv.Close()
	c, err := New(srv.URL+"/", time.Second)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	res, err := c.SetStatus(ctx, "a/b c", moniker.StatusChange{Status: "deprecated", Actor: "alice"})
	if err != nil || res.UpdatedBy != "alice" || gotPath != "/config/status/a/b%20c" || !strings.Contains(gotBody, `"status":"deprecated"`) {
		t.Fatalf("res %+v err %v path %s body %s", res, err, gotPath, gotBody)
	}
	_, err = c.SetStatus(ctx, "missing", moniker.StatusChange{Status: "active", Actor: "a"})
	var se *httpapi.StatusError
	if !errors.As(err, &se) || se.Status != 404 || se.Detail != "Node not found: missing" {
		t.Errorf("404 relay: %v", err)
	}
	if _, err := c.SetStatus(ctx, "boom", moniker.StatusChange{Status: "active", Actor: "a"}); !errors.Is(err, moniker.ErrUnavailable) {
		t.Errorf("500: %v", err)
	}
	srv.Close()
	if _, err := c.SetStatus(ctx, "x", moniker.StatusChange{Status: "active", Actor: "a"}); !errors.Is(err, moniker.ErrUnavailable) {
		t.Errorf("unreachable: %v", err)
	}
	if _, err := New("ftp://x", time.Second); err == nil {
		t.Error("ftp URL accepted")
	}
}
