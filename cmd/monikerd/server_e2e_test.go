package main

// The server's own behaviour: SIGHUP on every target, the read timeout,
// the stopping state while it drains, exit codes, and that run stops
// everything it started.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// appendFile adds text to the file name beside cfgPath, atomically.
func appendFile(t *testing.T, cfgPath, name, text string) {
	t.Helper()
	p := filepath.Join(filepath.Dir(cfgPath), name)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := yamlfile.WriteFile(p, append(b, text...), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestManagementReloadsOnSIGHUP: SIGHUP makes -target=management re-read
// its files (it used to die with exit 129): entries added on disk appear,
// the working copy's unsaved edit is kept, and the log says what was
// reloaded. -target=all does the same and reloads its resolver too.
func TestManagementReloadsOnSIGHUP(t *testing.T) {
	for _, target := range []string{targetManagement, targetAll} {
		t.Run(target, func(t *testing.T) {
			cfg := planeConfig(t, "0", false)
			p := startProcess(t, "-target="+target, "-config.file="+cfg)
			defer func() {
				if t.Failed() {
					t.Log(p.stderr.String())
				}
			}()
			if r := editNode(t, p.base, "rates", `{"description":"unsaved edit"}`); r.status != 200 {
				t.Fatalf("edit: %d %s", r.status, r.body)
			}
			appendFile(t, cfg, "catalog.yaml", "\nsighup_added:\n  display_name: Added on disk\n")
			appendFile(t, cfg, "domains.yaml", "\nsighupdomain:\n  display_name: Added on disk\n")
			appendFile(t, cfg, "models.yaml", "\nsighup.model:\n  display_name: Added on disk\n")
			if r := get(t, p.base+"/domains/sighupdomain"); r.status != 404 {
				t.Fatalf("the domain appeared before SIGHUP: %d", r.status)
			}

			if err := p.cmd.Process.Signal(syscall.SIGHUP); err != nil {
				t.Fatal(err)
			}
			eventually(t, 10*time.Second, "the SIGHUP reload to finish", func() bool {
				return strings.Contains(p.stderr.String(), "SIGHUP: reload done")
			})
			paths := []string{"/config/nodes/sighup_added", "/domains/sighupdomain", "/models/sighup.model"}
			if target == targetAll {
				paths = append(paths, "/describe/sighup_added")
			}
			for _, path := range paths {
				if r := get(t, p.base+path); r.status != 200 {
					t.Errorf("after SIGHUP %s: %d %s", path, r.status, r.body)
				}
			}
			if d := field(t, get(t, p.base+"/config/nodes/rates").json(t), "node.description"); d != "unsaved edit" {
				t.Errorf("the unsaved edit was lost: description %v", d)
			}
			logs := p.stderr.String()
			for _, want := range []string{"trigger=sighup", "catalog reloaded", "unsaved_kept=1", "domains reloaded", "models reloaded"} {
				if !strings.Contains(logs, want) {
					t.Errorf("the log lacks %q", want)
				}
			}
			if r := get(t, p.base+"/health"); r.status != 200 || p.cmd.ProcessState != nil {
				t.Errorf("not serving after SIGHUP: %d", r.status)
			}
		})
	}
}

// TestReadTimeout: a client that sends its body at one byte a second is
// cut off by the read timeout (here 1s) instead of holding the
// connection for as long as it likes.
func TestReadTimeout(t *testing.T) {
	base := start(t, "-target=resolver", "-http.read-timeout=1s", "-config.file="+fixtureConfig(t, ""))
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	const bodyLen = 100 // 100 s at this pace
	fmt.Fprintf(conn, "POST /resolve/batch HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", bodyLen)
	stop := make(chan struct{})
	defer close(stop)
	go func() {
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for range bodyLen {
			if _, err := conn.Write([]byte(" ")); err != nil {
				return
			}
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	began := time.Now()
	conn.SetReadDeadline(began.Add(20 * time.Second))
	_, err = io.ReadAll(bufio.NewReader(conn))
	took := time.Since(began)
	if ne, ok := err.(net.Error); ok && ne.Timeout() {
		t.Fatalf("the server still held the connection after %v", took)
	}
	if took > 10*time.Second {
		t.Errorf("cut off only after %v", took)
	}
	t.Logf("connection closed by the server after %v (err %v)", took, err)
}

// TestStoppingWhileDraining: after SIGTERM, with -shutdown.delay, /health
// answers 503 "stopping" while other routes still answer (without
// keep-alive); then the process drains and exits 0.
func TestStoppingWhileDraining(t *testing.T) {
	p := startProcess(t, "-target=resolver", "-shutdown.delay=3s", "-config.file="+fixtureConfig(t, ""))
	if r := get(t, p.base+"/health"); r.status != 200 || r.json(t)["status"] != "healthy" {
		t.Fatalf("before SIGTERM: %d %s", r.status, r.body)
	}
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var h response
	eventually(t, 3*time.Second, "/health to say stopping", func() bool {
		h = get(t, p.base+"/health")
		return h.status == 503
	})
	if h.json(t)["status"] != "stopping" || h.json(t)["target"] != "resolver" {
		t.Errorf("/health while stopping: %d %s", h.status, h.body)
	}
	resp, err := http.Get(p.base + "/resolve/prices.equity/AAPL@20260115")
	if err != nil {
		t.Fatalf("resolve while stopping: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || !resp.Close {
		t.Errorf("resolve while stopping: %d, Connection: close %v", resp.StatusCode, resp.Close)
	}
	if err := p.cmd.Wait(); err != nil {
		t.Fatalf("exit after the drain: %v\n%s", err, p.stderr.String())
	}
	if !strings.Contains(p.stderr.String(), "stopping: /health answers 503") {
		t.Errorf("the log does not say it was stopping:\n%s", p.stderr.String())
	}
}

// TestExitCodes: the binary exits 1 with a one-line reason on a bad flag
// or config, and 0 after printing the usage for -h.
func TestExitCodes(t *testing.T) {
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"-h"}, 0, "-http.read-timeout"},
		{[]string{"-target=bogus"}, 1, `monikerd: -target="bogus": must be resolver, management or all`},
		{[]string{"-config.file=" + filepath.Join(t.TempDir(), "missing.yaml")}, 1, "missing.yaml"},
		{[]string{"stray"}, 1, "monikerd: unexpected arguments: [stray]"},
	} {
		cmd := exec.Command(binary, tt.args...)
		cmd.Env = append(os.Environ(), "MONIKER_CONFIG=", "MONIKER_DATA_DIR="+t.TempDir())
		out, err := cmd.CombinedOutput()
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		if code != tt.code || !strings.Contains(string(out), tt.want) {
			t.Errorf("monikerd %v: exit %d, want %d with %q:\n%s", tt.args, code, tt.code, tt.want, out)
		}
	}
}

// TestRunStopsEverything: once run has returned, nothing it started
// still runs (reload loops, file watches, the telemetry consumer, the
// limiter's sweep, connections), on every target, after real requests,
// writes and reloads.
func TestRunStopsEverything(t *testing.T) {
	for _, target := range []string{targetResolver, targetManagement, targetAll} {
		t.Run(target, func(t *testing.T) {
			before := goleak.IgnoreCurrent()
			cfg := planeConfig(t, "0.2", true)
			s := startServer(t, "-target="+target, "-config.file="+cfg)
			get(t, s.base+"/health")
			switch target {
			case targetResolver:
				get(t, s.base+"/resolve/prices.equity/AAPL@20260115")
				do(t, "POST", s.base+"/config/reload", "")
			default:
				editNode(t, s.base, "rates", `{"description":"leak check"}`)
				do(t, "POST", s.base+"/config/save", "")
				do(t, "POST", s.base+"/config/reload", "")
			}
			if err := s.stop(); err != nil {
				t.Fatal(err)
			}
			goleak.VerifyNone(t, append(leakOptions, before)...)
		})
	}
}
