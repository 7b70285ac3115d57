package main

// End-to-end tests: they call run in this process, as main does, on a
// free loopback port with the fixtures and talk HTTP, so the race
// detector watches the server across real requests and reloads. Tests
// whose subject is a signal or the process itself start the real binary
// (startProcess); the CLI tests run the real moniker binary.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/moniker-svc/moniker/internal/fixtures"
)

// binary and cli are monikerd and moniker, built once by TestMain
// (without the race detector: a race-built binary takes a second to
// start, and the in-process tests race-check the server).
var binary, cli string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "monikerd-e2e")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary, cli = filepath.Join(dir, "monikerd"), filepath.Join(dir, "moniker")
	for bin, pkg := range map[string]string{binary: ".", cli: "../moniker"} {
		if out, err := exec.Command("go", "build", "-o", bin, pkg).CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s: %v\n%s", pkg, err, out)
			os.Exit(1)
		}
	}
	code := m.Run()
	os.RemoveAll(dir)
	// Every run has returned by now: nothing it started may still run.
	if code == 0 {
		if err := goleak.Find(leakOptions...); err != nil {
			fmt.Fprintln(os.Stderr, "goroutines left running after the tests:", err)
			code = 1
		}
	}
	os.Exit(code)
}

// leakOptions ignore what the tests themselves leave behind: the test
// clients' idle keep-alive connections.
var leakOptions = []goleak.Option{
	goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"),
	goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
}

// fixtureConfig copies our test catalog and domains (testdata/) into a
// temp folder with a config.yaml naming them, followed by extra, and
// returns the config path.
func fixtureConfig(t testing.TB, extra string) string {
	t.Helper()
	dir := t.TempDir()
	fixtures.Copy(t, "catalog.yaml", dir, "catalog.yaml")
	fixtures.Copy(t, "domains.yaml", dir, "domains.yaml")
	cfg := "catalog:\n  definition_file: catalog.yaml\n  reload_interval_seconds: 0\ndomains:\n  definition_file: domains.yaml\n" + extra
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var listening = regexp.MustCompile(`listening on (\S+)`)

// start runs monikerd in process (startServer) with args and returns its
// base URL.
func start(t testing.TB, args ...string) string {
	t.Helper()
	return startServer(t, args...).base
}

// server is a monikerd run in this process by startServer.
type server struct {
	base   string      // http://127.0.0.1:port
	stderr *syncBuffer // its log
	cancel context.CancelFunc
	done   chan error // run's result
	once   sync.Once
	err    error
}

// stop cancels run's context (what SIGTERM does in main) and waits for
// run to return; it returns run's error. Safe to call more than once.
func (s *server) stop() error {
	s.once.Do(func() {
		s.cancel()
		select {
		case s.err = <-s.done:
		case <-time.After(30 * time.Second):
			s.err = errors.New("run did not return within 30s of the cancel")
		}
	})
	return s.err
}

// startServer calls run, as main does, with -listen=127.0.0.1:0 and args,
// an environment of its own (nothing but MONIKER_DATA_DIR, a temp
// folder) and a cancellable context, and waits for the "listening on"
// line. At cleanup it stops the server, which must return nil.
func startServer(t testing.TB, args ...string) *server {
	t.Helper()
	dataDir := t.TempDir()
	getenv := func(k string) string {
		if k == "MONIKER_DATA_DIR" {
			return dataDir
		}
		return ""
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &server{stderr: &syncBuffer{}, cancel: cancel, done: make(chan error, 1)}
	stdout := newAddrWatcher()
	go func() {
		s.done <- run(ctx, append([]string{"-listen=127.0.0.1:0"}, args...), getenv, stdout, s.stderr)
	}()
	select {
	case addr := <-stdout.addr:
		s.base = "http://" + addr
	case err := <-s.done:
		cancel()
		t.Fatalf("run returned before listening: %v\n%s", err, s.stderr.String())
	case <-time.After(30 * time.Second):
		s.stop()
		t.Fatalf("run did not listen within 30s:\n%s", s.stderr.String())
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("run did not return cleanly: %v\n%s", err, s.stderr.String())
		}
	})
	return s
}

// addrWatcher is run's stdout: it delivers the address of the
// "listening on" line and drops the rest (console telemetry events).
type addrWatcher struct {
	mu   sync.Mutex
	line []byte
	seen bool
	addr chan string
}

func newAddrWatcher() *addrWatcher { return &addrWatcher{addr: make(chan string, 1)} }

func (w *addrWatcher) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen {
		return len(p), nil
	}
	w.line = append(w.line, p...)
	for {
		i := bytes.IndexByte(w.line, '\n')
		if i < 0 {
			return len(p), nil
		}
		if m := listening.FindSubmatch(w.line[:i]); m != nil {
			w.seen, w.line = true, nil
			w.addr <- string(m[1])
			return len(p), nil
		}
		w.line = w.line[i+1:]
	}
}

// startProc is start that also returns the process, for tests that kill
// it. A process killed by the test is not expected to exit cleanly.
func startProc(t testing.TB, args ...string) (string, *exec.Cmd) {
	t.Helper()
	p := startProcess(t, args...)
	return p.base, p.cmd
}

// proc is a monikerd process started by startProcess.
type proc struct {
	base   string // http://127.0.0.1:port
	cmd    *exec.Cmd
	stderr *syncBuffer // its log
}

// startProcess runs the monikerd binary with args on a free port. The
// process is stopped with SIGTERM at cleanup (unless the test stopped
// it) and must exit cleanly.
func startProcess(t testing.TB, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"-listen=127.0.0.1:0"}, args...)...)
	cmd.Env = append(os.Environ(), "MONIKER_CONFIG=", "MONIKER_DATA_DIR="+t.TempDir())
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr := &syncBuffer{}
	cmd.Stderr = stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	var base string
	select {
	case a, ok := <-addr:
		if !ok {
			cmd.Wait()
			t.Fatalf("monikerd exited before listening:\n%s", stderr.String())
		}
		base = "http://" + a
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("monikerd did not start in 30s:\n%s", stderr.String())
	}
	t.Cleanup(func() {
		if cmd.ProcessState != nil {
			return // the test stopped it
		}
		cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("monikerd did not exit cleanly on SIGTERM: %v\n%s", err, stderr.String())
			}
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Errorf("monikerd did not stop within 20s of SIGTERM")
		}
	})
	return &proc{base: base, cmd: cmd, stderr: stderr}
}

// syncBuffer is a bytes.Buffer that a process (or a run goroutine) writes
// while the test reads it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var v map[string]any
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("body is not a JSON object: %v\n%s", err, r.body)
	}
	return v
}

func do(t testing.TB, method, url, body string) response {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	// No redirects: a redirect is a failure for these routes.
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, b}
}

func get(t testing.TB, url string) response { t.Helper(); return do(t, "GET", url, "") }

// field walks a decoded JSON value by keys and indexes ("a.b.0.c").
func field(t testing.TB, v any, path string) any {
	t.Helper()
	for _, k := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			var ok bool
			if v, ok = x[k]; !ok {
				t.Fatalf("no key %q in %v (path %s)", k, x, path)
			}
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i >= len(x) {
				t.Fatalf("bad index %q for list of %d (path %s)", k, len(x), path)
			}
			v = x[i]
		default:
			t.Fatalf("cannot index %T with %q (path %s)", v, k, path)
		}
	}
	return v
}

func writeFile(t testing.TB, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}
