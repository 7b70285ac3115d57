package rest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
)

const (
	token    = "tok-5ecr3t-bearer"
	apiKey   = "key-5ecr3t-api"
	password = "pw-5ecr3t-basic"
)

// env gives the secrets by variable and by file.
func env(t *testing.T) fetch.Env {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key"), []byte(apiKey+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	return fetch.Env{
		Getenv:   func(k string) string { return map[string]string{"API_TOKEN": token, "BASIC_PW": password}[k] },
		ReadFile: func(name string) ([]byte, error) { return os.ReadFile(filepath.Join(dir, name)) },
	}
}

// seen is what the test server saw of the calls.
type seen struct {
	mu   sync.Mutex
	reqs []*http.Request
}

func (s *seen) add(r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reqs = append(s.reqs, r)
}

func (s *seen) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.reqs)
}

func (s *seen) last() *http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reqs[len(s.reqs)-1]
}

// server answers each path with its body and records the calls.
func server(t *testing.T, routes map[string]http.HandlerFunc) (*httptest.Server, *seen) {
	t.Helper()
	s := &seen{}
	mux := http.NewServeMux()
	for p, h := range routes {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			s.add(r.Clone(context.Background()))
			h(w, r)
		})
	}
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv, s
}

func body(status int, contentType, b string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		io.WriteString(w, b)
	}
}

func open(t *testing.T, cfg map[string]any, e fetch.Env) fetch.Source {
	t.Helper()
	src, err := Adapter().Open(context.Background(), cfg, e)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { src.Close() })
	return src
}

func readAll(t *testing.T, src fetch.Source, ctx context.Context, q *fetch.Query) ([]fetch.Column, [][]any, error) {
	t.Helper()
	rows, err := src.Query(ctx, q)
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	var out [][]any
	for rows.Next() {
		out = append(out, append([]any(nil), rows.Row()...))
	}
	return rows.Columns(), out, rows.Err()
}

func col(name string, t fetch.Type) fetch.Column { return fetch.Column{Name: name, Type: t} }

func TestRecords(t *testing.T) {
	srv, calls := server(t, map[string]http.HandlerFunc{
		"/api/v2/scenarios/": body(200, "application/json; charset=utf-8",
			`{"meta":{"count":2},"data":{"items":[{"scenario":"GFC","pnl":-1.5e6,"as_of":"2026-01-15"},{"scenario":"COVID","pnl":-900000,"as_of":"2026-01-15"}]}}`),
		"/api/v2/flat": body(200, "", `[{"a":1},{"a":2},{"a":3}]`),
		"/api/v2/none": body(200, "application/json", `[]`),
	})
	cfg := map[string]any{"base_url": srv.URL + "/api/", "auth_type": "bearer", "auth_config": map[string]any{"token": "${API_TOKEN}"}}
	src := open(t, cfg, env(t))
	q := &fetch.Query{
		Text:   "/v2/scenarios/desk-a/GFC",
		Config: map[string]any{"headers": map[string]any{"X-Feed-Version": "3"}},
		Params: []moniker.KV{
			{Key: "method", Value: "GET"}, {Key: "response_path", Value: "data.items"},
			{Key: "query_params", Value: map[string]any{"as_of": "20260115", "revision": nil, "books": []any{"a", "b"}}},
			{Key: "moniker_version", Value: "20260115"},
			{Key: "moniker_params", Value: map[string]string{"currency": "USD&EUR"}},
		},
		MaxRows: 101,
	}
	cols, rows, err := readAll(t, src, context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	if want := []fetch.Column{col("scenario", fetch.TypeString), col("pnl", fetch.TypeInt), col("as_of", fetch.TypeString)}; !reflect.DeepEqual(cols, want) {
		t.Errorf("columns = %v, want %v", cols, want)
	}
	if want := [][]any{{"GFC", int64(-1500000), "2026-01-15"}, {"COVID", int64(-900000), "2026-01-15"}}; !reflect.DeepEqual(rows, want) {
		t.Errorf("rows = %v, want %v", rows, want)
	}
	r := calls.last()
	if r.URL.Path != "/api/v2/scenarios/desk-a/GFC" || r.URL.RawQuery != "as_of=20260115&books=a&books=b&currency=USD%26EUR" {
		t.Errorf("called %s?%s", r.URL.Path, r.URL.RawQuery)
	}
	if r.Header.Get("Authorization") != "Bearer "+token || r.Header.Get("X-Feed-Version") != "3" || r.Header.Get("Accept") != "application/json" {
		t.Errorf("headers %v", r.Header)
	}

	// limit+1: the source stops reading at MaxRows.
	_, rows, err = readAll(t, src, context.Background(), &fetch.Query{Text: "/v2/flat", MaxRows: 2})
	if err != nil || len(rows) != 2 {
		t.Errorf("MaxRows 2: %v, %v", rows, err)
	}
	cols, rows, err = readAll(t, src, context.Background(), &fetch.Query{Text: "v2/none", MaxRows: 2})
	if err != nil || len(rows) != 0 || len(cols) != 0 {
		t.Errorf("empty: %v %v, %v", cols, rows, err)
	}
}

func TestAuth(t *testing.T) {
	srv, calls := server(t, map[string]http.HandlerFunc{"/": body(200, "application/json", `{"ok":true}`)})
	e := env(t)
	cases := []struct {
		name   string
		auth   map[string]any
		header string
		want   string
	}{
		{"bearer from the environment", map[string]any{"auth_type": "bearer", "auth_config": map[string]any{"token_env": "API_TOKEN"}}, "Authorization", "Bearer " + token},
		{"api key from a file", map[string]any{"auth_type": "api_key", "auth_config": map[string]any{"key_file": "key"}}, "X-API-Key", apiKey},
		{"api key in its own header", map[string]any{"auth_type": "api_key", "auth_config": map[string]any{"api_key": apiKey, "header": "X-Token"}}, "X-Token", apiKey},
		{"basic", map[string]any{"auth_type": "basic", "auth_config": map[string]any{"username": "etl", "password": "${BASIC_PW}"}}, "Authorization", "Basic ZXRsOnB3LTVlY3IzdC1iYXNpYw=="},
		{"none", map[string]any{}, "Authorization", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := map[string]any{"base_url": srv.URL}
			for k, v := range tc.auth {
				cfg[k] = v
			}
			src := open(t, cfg, e)
			if _, _, err := readAll(t, src, context.Background(), &fetch.Query{Text: "/x"}); err != nil {
				t.Fatal(err)
			}
			if got := calls.last().Header.Get(tc.header); got != tc.want {
				t.Errorf("%s = %q, want %q", tc.header, got, tc.want)
			}
		})
	}
}

// No secret is in an error, whatever the API answers, nor in a Key.
func TestSecretsStaySecret(t *testing.T) {
	echo := func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprintf(w, "bad credentials: %s %s %s", r.Header.Get("Authorization"), r.Header.Get("X-API-Key"), r.URL.RawQuery)
	}
	srv, _ := server(t, map[string]http.HandlerFunc{"/": echo})
	e := env(t)
	for _, auth := range []map[string]any{
		{"auth_type": "bearer", "auth_config": map[string]any{"token": token}},
		{"auth_type": "api_key", "auth_config": map[string]any{"key_file": "key"}},
		{"auth_type": "basic", "auth_config": map[string]any{"username": "etl", "password": password}},
	} {
		cfg := map[string]any{"base_url": srv.URL, "headers": map[string]any{"X-Session-Token": "${API_TOKEN}"}}
		for k, v := range auth {
			cfg[k] = v
		}
		src := open(t, cfg, e)
		_, _, err := readAll(t, src, context.Background(), &fetch.Query{Text: "/x", Config: cfg})
		if !errors.Is(err, moniker.ErrSource) || !strings.Contains(err.Error(), "401 Unauthorized: bad credentials:") {
			t.Fatalf("%v: err = %v, want ErrSource with the status and the body", auth, err)
		}
		for _, s := range []string{token, apiKey, password, "ZXRsOnB3LTVlY3IzdC1iYXNpYw=="} {
			if strings.Contains(err.Error(), s) {
				t.Errorf("%v: the error holds a secret: %v", auth, err)
			}
		}
		key, err := Adapter().Key(cfg)
		if err != nil || strings.Contains(key, token) || strings.Contains(key, password) {
			t.Errorf("Key = %q, %v", key, err)
		}
	}
	// A failing call (nothing listens) names neither the query string nor a secret.
	cfg := map[string]any{"base_url": "http://127.0.0.1:1", "auth_type": "bearer", "auth_config": map[string]any{"token": token}}
	src := open(t, cfg, e)
	_, _, err := readAll(t, src, context.Background(), &fetch.Query{Text: "/x", Params: []moniker.KV{{Key: "query_params", Value: map[string]any{"apikey": apiKey}}}})
	if !errors.Is(err, moniker.ErrSource) || strings.Contains(err.Error(), apiKey) || strings.Contains(err.Error(), token) {
		t.Errorf("unreachable: err = %v", err)
	}
}

func TestKey(t *testing.T) {
	a := Adapter()
	k := func(cfg map[string]any) string {
		t.Helper()
		key, err := a.Key(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return key
	}
	base := map[string]any{"base_url": "https://risk.example.com", "auth_type": "bearer", "auth_config": map[string]any{"token_env": "A"}}
	same := map[string]any{"base_url": "https://risk.example.com", "auth_type": "bearer", "auth_config": map[string]any{"token_env": "A"},
		"path_template": "/v2/var/{path}", "headers": map[string]any{"Accept": "application/json"}}
	other := map[string]any{"base_url": "https://risk.example.com", "auth_type": "bearer", "auth_config": map[string]any{"token_env": "B"}}
	if k(base) != k(same) {
		t.Errorf("what renders per moniker changed the key: %q %q", k(base), k(same))
	}
	if k(base) == k(other) || k(base) == k(map[string]any{"base_url": "https://risk.example.com"}) ||
		k(base) == k(map[string]any{"base_url": "https://other.example.com", "auth_type": "bearer", "auth_config": map[string]any{"token_env": "A"}}) {
		t.Error("another identity or API shares the key")
	}
	for _, cfg := range []map[string]any{
		{}, {"base_url": "ftp://x"}, {"base_url": "/relative"}, {"base_url": "https://u:p@x.example.com"},
		{"base_url": "https://x.example.com", "auth_type": "kerberos"},
		{"base_url": "https://x.example.com", "auth_type": "bearer", "auth_config": map[string]any{"tokn": "x"}},
	} {
		if _, err := a.Key(cfg); !errors.Is(err, moniker.ErrInvalid) {
			t.Errorf("Key(%v) error = %v, want ErrInvalid", cfg, err)
		}
	}
	// Open reads the credentials: a missing one is refused there, by name.
	_, err := a.Open(context.Background(), map[string]any{"base_url": "https://x.example.com", "auth_type": "bearer", "auth_config": map[string]any{"token_env": "UNSET"}}, fetch.Env{Getenv: func(string) string { return "" }})
	if !errors.Is(err, moniker.ErrInvalid) || err.Error() != "auth_config.token_env: environment variable UNSET is not set" {
		t.Errorf("Open with an unset token: %v", err)
	}
	_, err = a.Open(context.Background(), map[string]any{"base_url": "https://x.example.com", "auth_type": "basic"}, fetch.Env{})
	if !errors.Is(err, moniker.ErrInvalid) || !strings.Contains(err.Error(), "auth_config.username: required") {
		t.Errorf("Open basic without a user: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	srv, calls := server(t, map[string]http.HandlerFunc{
		"/":     body(200, "application/json", `[]`),
		"/html": body(200, "text/html", `<html>`),
		"/gone": body(404, "application/json", `{"detail":"no such book"}`),
		"/boom": body(503, "text/plain", strings.Repeat("x", 500)),
		"/moved": func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://127.0.0.2:1/steal", http.StatusFound)
		},
	})
	src := open(t, map[string]any{"base_url": srv.URL}, fetch.Env{})
	cases := []struct {
		q    *fetch.Query
		kind error
		msg  string
	}{
		{&fetch.Query{Text: "/x", Params: []moniker.KV{{Key: "method", Value: "DELETE"}}}, moniker.ErrNotImplemented, "REST method DELETE is not run by /fetch"},
		{&fetch.Query{Text: "https://evil.example.com/x"}, moniker.ErrInvalid, "is not a path below base_url"},
		{&fetch.Query{Text: "//evil.example.com/x"}, moniker.ErrInvalid, "is not a path below base_url"},
		{&fetch.Query{Text: "/a/../../admin"}, moniker.ErrInvalid, "climbs out of base_url"},
		{&fetch.Query{Text: "/html"}, moniker.ErrSource, "answered text/html, not JSON"},
		{&fetch.Query{Text: "/gone"}, moniker.ErrSource, `GET ` + srv.URL + `/gone answered 404 Not Found: {"detail":"no such book"}`},
		{&fetch.Query{Text: "/boom"}, moniker.ErrSource, "503 Service Unavailable: " + strings.Repeat("x", 200)},
		{&fetch.Query{Text: "/moved"}, moniker.ErrSource, "redirected to another host"},
		{&fetch.Query{Text: "/", Config: map[string]any{"timeout": "soon"}}, moniker.ErrInvalid, "timeout: must be a number"},
		{&fetch.Query{Text: "/", Config: map[string]any{"headers": []any{"x"}}}, moniker.ErrInvalid, "headers: must be an object"},
		{&fetch.Query{Text: "/", Config: map[string]any{"headers": map[string]any{"X-K": "${NOPE}"}}}, moniker.ErrInvalid, "headers.X-K: environment variable NOPE is not set"},
	}
	for _, tc := range cases {
		n := calls.count()
		_, _, err := readAll(t, src, context.Background(), tc.q)
		if !errors.Is(err, tc.kind) || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%q %v: err = %v, want %v %q", tc.q.Text, tc.q.Params, err, tc.kind, tc.msg)
		}
		if err != nil && strings.Contains(err.Error(), strings.Repeat("x", 201)) {
			t.Errorf("%q: more than 200 bytes of the body in the error", tc.q.Text)
		}
		if tc.kind == moniker.ErrInvalid || tc.kind == moniker.ErrNotImplemented {
			if calls.count() != n {
				t.Errorf("%q: a refused query called the API", tc.q.Text)
			}
		}
	}
}

// A slow API answers ErrTimeout after the binding's timeout, whether it is
// slow to answer or slow to finish its answer; the caller's deadline
// counts as well.
func TestTimeouts(t *testing.T) {
	release := make(chan struct{})
	t.Cleanup(func() { close(release) })
	wait := func(r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}
	srv, _ := server(t, map[string]http.HandlerFunc{
		"/slow": func(w http.ResponseWriter, r *http.Request) { wait(r) },
		"/stalls": func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `[{"a":1},`)
			w.(http.Flusher).Flush()
			wait(r)
		},
	})
	src := open(t, map[string]any{"base_url": srv.URL}, fetch.Env{})
	for _, path := range []string{"/slow", "/stalls"} {
		start := time.Now()
		_, _, err := readAll(t, src, context.Background(), &fetch.Query{Text: path, Config: map[string]any{"timeout": 0.2}})
		if !errors.Is(err, moniker.ErrTimeout) {
			t.Errorf("%s: err = %v, want ErrTimeout", path, err)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("%s: %v to time out after 0.2 s", path, d)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if _, _, err := readAll(t, src, ctx, &fetch.Query{Text: "/slow"}); !errors.Is(err, moniker.ErrTimeout) {
		t.Errorf("caller's deadline: err = %v, want ErrTimeout", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	cancel()
	if _, _, err := readAll(t, src, ctx, &fetch.Query{Text: "/slow"}); !errors.Is(err, context.Canceled) || errors.Is(err, moniker.ErrTimeout) {
		t.Errorf("cancelled: err = %v, want context.Canceled", err)
	}
}

// The answer's size is bounded; rows stream, so a huge array read to a
// small limit is fine, and a huge value past the bound is an error.
func TestAnswerSize(t *testing.T) {
	huge := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, "[")
		for i := 0; i < 2_000_000; i++ {
			if _, err := fmt.Fprintf(w, `{"i":%d,"pad":"%s"},`, i, strings.Repeat("p", 100)); err != nil {
				return // the client went away
			}
		}
		io.WriteString(w, `{"i":-1}]`)
	}
	srv, _ := server(t, map[string]http.HandlerFunc{
		"/huge":  huge,
		"/value": body(200, "application/json", `{"data":"`+strings.Repeat("v", 2<<20)+`"}`),
	})
	src := open(t, map[string]any{"base_url": srv.URL}, fetch.Env{})
	_, rows, err := readAll(t, src, context.Background(), &fetch.Query{Text: "/huge", MaxRows: 11, Config: map[string]any{"max_response_bytes": 1 << 20}})
	if err != nil || len(rows) != 11 {
		t.Fatalf("huge array, MaxRows 11: %d rows, %v", len(rows), err)
	}
	_, _, err = readAll(t, src, context.Background(), &fetch.Query{Text: "/value", Config: map[string]any{"max_response_bytes": 1 << 20}})
	if !errors.Is(err, moniker.ErrSource) || !strings.Contains(err.Error(), "larger than 1048576 bytes (max_response_bytes)") {
		t.Errorf("huge value: err = %v", err)
	}
	_, _, err = readAll(t, src, context.Background(), &fetch.Query{Text: "/huge", MaxRows: 10_000_000, Config: map[string]any{"max_response_bytes": 1 << 20}})
	if !errors.Is(err, moniker.ErrSource) || !strings.Contains(err.Error(), "max_response_bytes") {
		t.Errorf("huge array read to the end: err = %v", err)
	}
}
