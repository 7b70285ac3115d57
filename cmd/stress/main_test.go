package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/demo"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
)

// server is an httptest server that records request paths and answers
// 404 under /resolve/missing, 200 elsewhere.
type server struct {
	*httptest.Server
	host, port string
	mu         sync.Mutex
	seen       map[string]int
}

func newServer(t *testing.T) *server {
	s := &server{seen: make(map[string]int)}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.mu.Lock()
		s.seen[r.URL.RequestURI()]++
		s.mu.Unlock()
		if strings.HasPrefix(r.URL.Path, "/resolve/missing") {
			w.WriteHeader(http.StatusNotFound)
		}
		_, _ = w.Write([]byte(`{}`))
	}))
	t.Cleanup(s.Close)
	s.host, s.port, _ = net.SplitHostPort(s.Listener.Addr().String())
	return s
}

func TestRunSmoke(t *testing.T) {
	srv := newServer(t)
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"--workers", "2", "--duration", "1", "-port", srv.port, "-host", srv.host, "-json"}, &stdout, &stderr)
	if code != exitOK {
		t.Fatalf("exit %d, stderr %s", code, stderr.String())
	}
	var rep report
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("-json output %q: %v", stdout.String(), err)
	}
	if rep.Requests == 0 || rep.ReqPerSec <= 0 || rep.Errors != 0 || rep.Status["200"] != rep.Requests {
		t.Errorf("report %+v", rep)
	}
	if rep.ElapsedSeconds < 1 || rep.ElapsedSeconds > 3 {
		t.Errorf("elapsed %vs for a 1s run", rep.ElapsedSeconds)
	}
	if rep.Latency.P50 <= 0 || rep.Latency.P99 < rep.Latency.P50 || rep.Latency.Max < rep.Latency.P99 {
		t.Errorf("latency %+v", rep.Latency)
	}
	if !srvSaw(srv, "/resolve/prices.equity/AAPL@20260115") {
		t.Errorf("server never saw the first embedded moniker; saw %d paths", len(srv.seen))
	}
}

func srvSaw(s *server, path string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[path] > 0
}

func TestRunExitCodes(t *testing.T) {
	srv := newServer(t)
	dir := t.TempDir()
	monikers := filepath.Join(dir, "monikers.txt")
	if err := os.WriteFile(monikers, []byte("# comment\n\nmoniker://prices.equity/AAPL\nmissing/x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(empty, []byte("# nothing\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	base := []string{"-host", srv.host, "-port", srv.port, "-workers", "1", "-duration", "5s", "-requests", "20"}
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout []string // substrings of the summary
		stderr string
		saw    string // a path the server must have seen
	}{
		{name: "fixed path", args: []string{"-path", "/health"}, code: exitOK,
			stdout: []string{"requests  20 in", "errors    0 (non-2xx 0, transport 0)", "status    200: 20"}, saw: "/health"},
		{name: "non-2xx fails", args: []string{"-monikers", monikers}, code: exitFailed,
			stdout: []string{"errors    10 (non-2xx 10, transport 0)", "200: 10, 404: 10"}, saw: "/resolve/prices.equity/AAPL"},
		{name: "distinct", args: []string{"--distinct", "--path-prefix", "/describe/", "--template", "a/N{n}x"}, code: exitOK,
			stdout: []string{"/describe/a/N{n}x (distinct)"}, saw: "/describe/a/N19x"},
		{name: "net/http client", args: []string{"-client", "http", "-path", "/x"}, code: exitOK, stdout: []string{"(http client, 1 workers)"}, saw: "/x"},
		{name: "unknown flag", args: []string{"-bogus"}, code: exitUsage, stderr: "flag provided but not defined"},
		{name: "template without placeholder", args: []string{"-distinct", "-template", "a/b"}, code: exitUsage, stderr: "has no {n}"},
		{name: "path and monikers", args: []string{"-path", "/x", "-monikers", monikers}, code: exitUsage, stderr: "excludes"},
		{name: "relative path", args: []string{"-path", "health"}, code: exitUsage, stderr: "must start with /"},
		{name: "missing file", args: []string{"-monikers", filepath.Join(dir, "nope")}, code: exitUsage, stderr: "no such file"},
		{name: "empty file", args: []string{"-monikers", empty}, code: exitUsage, stderr: "no monikers"},
		{name: "bad duration", args: []string{"-duration", "soon"}, code: exitUsage, stderr: "neither seconds nor a duration"},
		{name: "remote host refused", args: []string{"-host", "192.0.2.1"}, code: exitUsage, stderr: "not a loopback address"},
		{name: "stray argument", args: []string{"extra"}, code: exitUsage, stderr: "unexpected arguments"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), append(append([]string{}, base...), tt.args...), &stdout, &stderr)
			if code != tt.code {
				t.Fatalf("exit %d, want %d; stdout %s stderr %s", code, tt.code, stdout.String(), stderr.String())
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout.String(), s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout.String())
				}
			}
			if !strings.Contains(stderr.String(), tt.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tt.stderr, stderr.String())
			}
			if tt.saw != "" && !srvSaw(srv, tt.saw) {
				t.Errorf("server never saw %q", tt.saw)
			}
		})
	}
}

func TestSecondsFlag(t *testing.T) {
	tests := []struct {
		in      string
		want    time.Duration
		wantErr bool
	}{
		{in: "30", want: 30 * time.Second},
		{in: "0.5", want: 500 * time.Millisecond},
		{in: "1m30s", want: 90 * time.Second},
		{in: "250ms", want: 250 * time.Millisecond},
		{in: "-1", wantErr: true},
		{in: "-2s", wantErr: true},
		{in: "ten", wantErr: true},
	}
	for _, tt := range tests {
		var s seconds
		err := s.Set(tt.in)
		if (err != nil) != tt.wantErr || (err == nil && time.Duration(s) != tt.want) {
			t.Errorf("Set(%q) = %v, %v; want %v, error %v", tt.in, time.Duration(s), err, tt.want, tt.wantErr)
		}
	}
}

// TestDefaultMonikersAreBound resolves every embedded moniker against
// monikerd's embedded demo catalog: each must resolve (no 404) and pass
// its access policy (no 403), so a stress run sees only 200s.
func TestDefaultMonikersAreBound(t *testing.T) {
	data, err := fs.ReadFile(demo.Files(), demo.CatalogFile)
	if err != nil {
		t.Fatal(err)
	}
	cat, _, err := catalog.LoadBytes(demo.CatalogFile, data)
	if err != nil {
		t.Fatal(err)
	}
	snap := resolve.NewSnapshot(cat, nil, resolve.Options{})
	list, err := parseMonikers(defaultMonikers)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) < 20 {
		t.Errorf("only %d default monikers, want at least 20", len(list))
	}
	for _, text := range list {
		m, err := moniker.Parse(text)
		if err != nil {
			t.Errorf("%s: %v", text, err)
			continue
		}
		if _, _, err := snap.Resolve(&m); err != nil {
			t.Errorf("%s: %v", text, err)
		}
	}
}
