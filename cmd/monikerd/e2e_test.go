package main

// End-to-end tests: they build the real monikerd binary, start it as a
// process on a free loopback port with the compat fixtures, and talk HTTP.

import (
	"bufio"
	"bytes"
	"encoding/json"
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

	"github.com/moniker-svc/moniker/internal/fixtures"
)

// binary and cli are monikerd and moniker, built once by TestMain.
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
	os.Exit(code)
}

// fixtureConfig copies a compat catalog (and the f206ffd domains) into a
// temp folder with a config.yaml naming them, and returns the config path.
func fixtureConfig(t testing.TB, generation string, extra string) string {
	t.Helper()
	dir := t.TempDir()
	fixtures.CopyCompat(t, generation, "sample_catalog.yaml", dir, "catalog.yaml")
	fixtures.CopyCompat(t, "f206ffd", "sample_domains.yaml", dir, "domains.yaml")
	cfg := "catalog:\n  definition_file: catalog.yaml\n  reload_interval_seconds: 0\ndomains:\n  definition_file: domains.yaml\n" + extra
	p := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(p, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

var listening = regexp.MustCompile(`listening on (\S+)`)

// start runs monikerd with args on a free port and returns its base URL.
// The process is stopped with SIGTERM at cleanup and must exit cleanly.
func start(t testing.TB, args ...string) string {
	t.Helper()
	base, _ := startProc(t, args...)
	return base
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
