package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// catalogServer serves GET /catalog over paths (sorted, cursor paging as
// upstream) and answers /resolve/{path} with 200 when bound(path), else
// 404.
func catalogServer(t *testing.T, paths []string, bound func(string) bool) (host, port string) {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /catalog", func(w http.ResponseWriter, r *http.Request) {
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		start, _ := slices.BinarySearch(paths, r.URL.Query().Get("cursor"))
		if c := r.URL.Query().Get("cursor"); c != "" && start < len(paths) && paths[start] == c {
			start++
		}
		page := paths[start:min(start+limit, len(paths))]
		var next any
		if len(page) == limit {
			next = page[len(page)-1]
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"paths": page, "total_count": len(paths), "next_cursor": next, "has_more": next != nil})
	})
	mux.HandleFunc("GET /resolve/{path...}", func(w http.ResponseWriter, r *http.Request) {
		if !bound(r.PathValue("path")) {
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"Not found","detail":"no binding"}`))
			return
		}
		_, _ = w.Write([]byte(`{}`))
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	host, port, _ = net.SplitHostPort(srv.Listener.Addr().String())
	return host, port
}

func TestDiscover(t *testing.T) {
	var paths []string
	for i := range 2500 {
		paths = append(paths, fmt.Sprintf("dom%d/node%04d", i%5, i))
	}
	slices.Sort(paths)
	// Every third node is bound.
	bound := func(p string) bool { n, _ := strconv.Atoi(p[len(p)-4:]); return n%3 == 0 }
	host, port := catalogServer(t, paths, bound)

	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-host", host, "-port", port, "-discover", "40"}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	got := strings.Fields(stdout.String())
	if len(got) != 40 {
		t.Fatalf("discovered %d monikers, want 40: %v", len(got), got)
	}
	domains := map[string]bool{}
	for _, m := range got {
		if !bound(m) || !slices.Contains(paths, m) {
			t.Errorf("discovered %q, which does not resolve", m)
		}
		domains[m[:4]] = true
	}
	if len(domains) != 5 {
		t.Errorf("discovered monikers come from %d of 5 domains; want them spread over the catalog", len(domains))
	}
	if !strings.Contains(stderr.String(), "40 monikers resolve") {
		t.Errorf("stderr %q", stderr.String())
	}

	// Fewer bound paths than asked for: all of them, still success.
	stdout.Reset()
	few := []string{"a/0001", "a/0003", "b/0006"}
	host, port = catalogServer(t, few, bound)
	if code := run(context.Background(), []string{"-host", host, "-port", port, "-discover", "10"}, &stdout, &stderr); code != exitOK {
		t.Fatalf("exit %d", code)
	}
	if got := strings.Fields(stdout.String()); !slices.Equal(got, []string{"a/0003", "b/0006"}) {
		t.Errorf("discovered %v, want [a/0003 b/0006]", got)
	}

	// Nothing resolves: failure.
	host, port = catalogServer(t, []string{"a/0001"}, bound)
	stderr.Reset()
	if code := run(context.Background(), []string{"-host", host, "-port", port, "-discover", "10"}, &stdout, &stderr); code != exitFailed {
		t.Errorf("exit %d with nothing resolvable, want %d", code, exitFailed)
	}
	if !strings.Contains(stderr.String(), "none of the catalog's 1 paths resolves") {
		t.Errorf("stderr %q", stderr.String())
	}
}
