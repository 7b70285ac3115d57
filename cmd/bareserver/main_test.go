package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestHandler(t *testing.T) {
	srv := httptest.NewServer(handler(fixedBody(bodySize)))
	defer srv.Close()
	for _, path := range []string{"/", "/health", "/resolve/prices.equity/AAPL@20260115", "/catalog/search?q=x"} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusOK || len(body) != 600 || resp.ContentLength != 600 {
			t.Errorf("%s: status %d, %d bytes, Content-Length %d; want 200, 600, 600", path, resp.StatusCode, len(body), resp.ContentLength)
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: Content-Type %q", path, ct)
		}
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil || v["path"] != "prices.equity/AAPL" {
			t.Errorf("%s: body is not the expected JSON object: %v", path, err)
		}
	}
}

// lineWriter hands each line written to it to a channel.
type lineWriter chan string

func (w lineWriter) Write(p []byte) (int, error) {
	sc := bufio.NewScanner(strings.NewReader(string(p)))
	for sc.Scan() {
		w <- sc.Text()
	}
	return len(p), nil
}

func TestRun(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	lines := make(lineWriter, 4)
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-listen", "127.0.0.1:0"}, lines, io.Discard) }()
	var url string
	select {
	case line := <-lines:
		url = strings.TrimPrefix(line, "listening on ")
	case err := <-done:
		t.Fatalf("run ended early: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no listening line")
	}
	resp, err := http.Get(url + "/anything")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.ContentLength != 600 {
		t.Errorf("status %d length %d", resp.StatusCode, resp.ContentLength)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run after cancel: %v", err)
	}
}

func TestRunBadArgs(t *testing.T) {
	for _, args := range [][]string{{"-nope"}, {"extra"}, {"-listen", "not-an-address"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%q) succeeded", args)
		}
	}
}
