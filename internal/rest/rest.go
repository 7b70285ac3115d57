// Package rest is the adapter of the rest source type: it calls an HTTP
// API with the binding's rendered path and reads the JSON records of the
// answer as they arrive.
//
// The URL is base_url with the rendered path_template appended (never a
// different host: the rendered text is a path and query only), the query
// the moniker's own parameters and the rendered query_params. Only GET
// and POST run: /fetch reads. Authentication (auth_type with auth_config)
// is read on every call, so a rotated secret file takes effect at once;
// no secret is ever in an error, and the excerpt of an error answer has
// the call's secrets blanked out.
package rest

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	sourcetype "github.com/moniker-svc/moniker/internal/source"
	"github.com/moniker-svc/moniker/internal/tabular"
)

// Defaults of a binding's keys.
const (
	DefaultTimeout          = 30 * time.Second
	DefaultMaxResponseBytes = 64 << 20
	// errorExcerpt is how much of an error answer's body an error quotes.
	errorExcerpt = 200
)

// Adapter returns the adapter of the rest source type.
func Adapter() fetch.Adapter {
	a := &adapter{salt: make([]byte, 32)}
	_, _ = rand.Read(a.salt) // never fails (crypto/rand)
	return a
}

type adapter struct {
	// salt keys the digest of the credentials in Key, so a key (which may
	// name a circuit breaker or a log line) cannot be checked against a
	// guessed password.
	salt []byte
}

// Key is the API and the identity it is called as: base_url, auth_type
// and a keyed digest of auth_config (the secrets' references or values),
// never a secret itself.
func (a *adapter) Key(cfg map[string]any) (string, error) {
	base, err := baseURL(cfg)
	if err != nil {
		return "", err
	}
	auth, err := authOf(cfg)
	if err != nil {
		return "", err
	}
	key := "rest:" + redacted(base) + " auth:" + auth.typ
	if auth.typ != "none" {
		b, err := json.Marshal(auth.config) // map keys sorted: canonical
		if err != nil {
			return "", moniker.Errorf(moniker.ErrInvalid, "auth_config: %w", err)
		}
		m := hmac.New(sha256.New, a.salt)
		m.Write([]byte(base.String()))
		m.Write(b)
		key += ":" + hex.EncodeToString(m.Sum(nil)[:12])
	}
	return key, nil
}

func (a *adapter) Open(_ context.Context, cfg map[string]any, env fetch.Env) (fetch.Source, error) {
	base, err := baseURL(cfg)
	if err != nil {
		return nil, err
	}
	auth, err := authOf(cfg)
	if err != nil {
		return nil, err
	}
	// The credentials must be readable now: a binding that cannot
	// authenticate fails at open, naming the key.
	if _, err := auth.header(env); err != nil {
		return nil, err
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 16
	tr.ResponseHeaderTimeout = 0 // the call's deadline bounds it
	s := &source{base: base, auth: auth, env: env, tr: tr}
	s.client = &http.Client{Transport: tr, CheckRedirect: s.checkRedirect}
	return s, nil
}

// baseURL returns the binding's base_url: an absolute http(s) URL.
func baseURL(cfg map[string]any) (*url.URL, error) {
	s, err := fetch.String("base_url", cfg["base_url"])
	if err != nil {
		return nil, err
	}
	if s == "" {
		return nil, moniker.Errorf(moniker.ErrInvalid, "base_url: required (the API's absolute http(s) URL)")
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || u.Opaque != "" {
		return nil, moniker.Errorf(moniker.ErrInvalid, "base_url: not an absolute http(s) URL")
	}
	if u.User != nil {
		return nil, moniker.Errorf(moniker.ErrInvalid, "base_url: credentials in the URL are not read (use auth_type basic with auth_config)")
	}
	u.Fragment, u.RawFragment = "", ""
	return u, nil
}

// redacted is u as errors and keys name it: scheme, host and path only.
func redacted(u *url.URL) string {
	return u.Scheme + "://" + u.Host + u.EscapedPath()
}

type source struct {
	base   *url.URL
	auth   auth
	env    fetch.Env
	tr     *http.Transport
	client *http.Client
}

func (s *source) Close() error {
	s.tr.CloseIdleConnections()
	return nil
}

// checkRedirect follows at most 5 redirects, all to the API's own host:
// headers that carry credentials (an API key header) must not reach
// another host.
func (s *source) checkRedirect(req *http.Request, via []*http.Request) error {
	if len(via) >= 5 {
		return errors.New("more than 5 redirects")
	}
	if req.URL.Host != via[0].URL.Host || req.URL.Scheme != via[0].URL.Scheme && req.URL.Scheme != "https" {
		return fmt.Errorf("redirected to another host (%s)", req.URL.Host)
	}
	return nil
}

func (s *source) Query(ctx context.Context, q *fetch.Query) (fetch.Rows, error) {
	if err := ctx.Err(); err != nil {
		return nil, tabular.CtxError(err)
	}
	c, err := s.request(ctx, q)
	if err != nil {
		return nil, err
	}
	req, cancel := c.req, c.cancel
	resp, err := s.client.Do(req)
	if err != nil {
		cancel()
		return nil, s.callError(ctx, req, err)
	}
	if resp.StatusCode >= 400 {
		defer cancel()
		defer resp.Body.Close()
		excerpt, _ := io.ReadAll(io.LimitReader(resp.Body, errorExcerpt))
		err := moniker.Errorf(moniker.ErrSource, "%s %s answered %s: %s", req.Method, redacted(req.URL), resp.Status, clean(excerpt, c.secrets))
		if resp.StatusCode >= 500 {
			err = fetch.Unreachable(err) // the API is failing, not refusing
		}
		return nil, err
	}
	if ct := resp.Header.Get("Content-Type"); ct != "" && !isJSON(ct) {
		resp.Body.Close()
		cancel()
		return nil, moniker.Errorf(moniker.ErrSource, "%s %s answered %s, not JSON", req.Method, redacted(req.URL), ct)
	}
	body := &boundedBody{r: resp.Body, left: c.maxBytes, max: c.maxBytes}
	closeAll := func() error { err := resp.Body.Close(); cancel(); return err }
	next, err := tabular.JSON(body, c.path)
	if err != nil {
		closeAll()
		return nil, s.readError(ctx, err)
	}
	return tabular.New(ctx, nil, func(r *tabular.Record) error {
		err := next(r)
		if err != nil && err != io.EOF {
			err = s.readError(ctx, err)
		}
		return err
	}, tabular.Options{MaxRows: q.MaxRows, Mixed: fetch.TypeJSON, Close: closeAll})
}

// call is one call of the API.
type call struct {
	req *http.Request
	// secrets are the secret values the call carries, blanked out of an
	// error answer's excerpt.
	secrets  []string
	maxBytes int64              // the answer's size bound
	path     []string           // response_path
	cancel   context.CancelFunc // ends the binding's timeout
}

// request builds the call of q: the URL, method, headers and credentials,
// with the binding's timeout.
func (s *source) request(ctx context.Context, q *fetch.Query) (*call, error) {
	method := "GET"
	if m, ok := q.Param("method"); ok && m != nil {
		var err error
		if method, err = fetch.String("method", m); err != nil {
			return nil, err
		}
		method = strings.ToUpper(method)
	}
	if method != "GET" && method != "POST" {
		return nil, moniker.Errorf(moniker.ErrNotImplemented, "REST method %s is not run by /fetch, which only reads (GET or POST)", method)
	}
	u, err := s.url(q)
	if err != nil {
		return nil, err
	}
	timeout, err := fetch.Float("timeout", q.Config["timeout"], DefaultTimeout.Seconds())
	if err != nil {
		return nil, err
	}
	if timeout <= 0 {
		return nil, moniker.Errorf(moniker.ErrInvalid, "timeout: must be more than 0 seconds")
	}
	mb, err := fetch.Int("max_response_bytes", q.Config["max_response_bytes"], DefaultMaxResponseBytes)
	if err != nil {
		return nil, err
	}
	if mb <= 0 {
		return nil, moniker.Errorf(moniker.ErrInvalid, "max_response_bytes: must be more than 0")
	}
	var path []string
	if p, _ := q.Param("response_path"); p != nil {
		ps, err := fetch.String("response_path", p)
		if err != nil {
			return nil, err
		}
		if ps != "" {
			path = strings.Split(ps, ".")
		}
	}
	header, secrets, err := s.headers(q)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, time.Duration(timeout*float64(time.Second)))
	req, err := http.NewRequestWithContext(ctx, method, u.String(), nil)
	if err != nil {
		cancel()
		return nil, moniker.Errorf(moniker.ErrInvalid, "the rendered path is not a URL path")
	}
	req.Header = header
	return &call{req: req, secrets: secrets, maxBytes: int64(mb), path: path, cancel: cancel}, nil
}

// url returns base_url joined with the rendered path and query of q.
func (s *source) url(q *fetch.Query) (*url.URL, error) {
	ref, err := url.Parse(q.Text)
	if err != nil || ref.Scheme != "" || ref.Host != "" || ref.User != nil || ref.Opaque != "" || strings.HasPrefix(q.Text, "//") {
		return nil, moniker.Errorf(moniker.ErrInvalid, "the rendered path %q is not a path below base_url", q.Text)
	}
	for seg := range strings.SplitSeq(ref.Path, "/") {
		if seg == "." || seg == ".." {
			return nil, moniker.Errorf(moniker.ErrInvalid, "the rendered path %q climbs out of base_url", q.Text)
		}
	}
	u := *s.base
	p := strings.TrimSuffix(s.base.EscapedPath(), "/")
	if rp := ref.EscapedPath(); rp != "" {
		p += "/" + strings.TrimPrefix(rp, "/")
	}
	if u.Path, err = url.PathUnescape(p); err != nil {
		return nil, moniker.Errorf(moniker.ErrInvalid, "the rendered path %q is not a URL path", q.Text)
	}
	u.RawPath = p
	v := s.base.Query()
	for k, vs := range ref.Query() {
		v[k] = vs
	}
	if mp, ok := q.Param("moniker_params"); ok {
		switch m := mp.(type) {
		case map[string]string:
			for k, x := range m {
				v.Set(k, x)
			}
		case map[string]any:
			addParams(v, m)
		}
	}
	if qp, ok := q.Param("query_params"); ok {
		m, _ := qp.(map[string]any)
		addParams(v, m)
	}
	u.RawQuery = v.Encode()
	return &u, nil
}

// addParams sets the query parameters of m (a list is the parameter
// repeated; null leaves the parameter out).
func addParams(v url.Values, m map[string]any) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch x := m[k].(type) {
		case nil:
			v.Del(k)
		case []any:
			v.Del(k)
			for _, e := range x {
				v.Add(k, paramText(e))
			}
		default:
			v.Set(k, paramText(x))
		}
	}
}

func paramText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}

// headers returns the binding's headers (values with ${VAR} expanded) and
// its credentials, and the secret values among them.
func (s *source) headers(q *fetch.Query) (http.Header, []string, error) {
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("User-Agent", "monikerd")
	var secrets []string
	if raw, ok := q.Config["headers"]; ok && raw != nil {
		m, ok := raw.(map[string]any)
		if !ok {
			return nil, nil, moniker.Errorf(moniker.ErrInvalid, "headers: must be an object of header names and values")
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			sv, err := fetch.String("headers."+k, m[k])
			if err != nil {
				return nil, nil, err
			}
			if sv, err = fetch.Expand("headers."+k, sv, s.env); err != nil {
				return nil, nil, err
			}
			h.Set(k, sv)
			if sourcetype.SecretKey(k) || strings.Contains(m[k].(string), "${") {
				secrets = append(secrets, sv)
			}
		}
	}
	a, err := s.auth.header(s.env)
	if err != nil {
		return nil, nil, err
	}
	if a.name != "" {
		h.Set(a.name, a.value)
		secrets = append(secrets, a.secrets...)
	}
	return h, secrets, nil
}

// callError is a call that got no answer: past the deadline a timeout,
// anything else the source's failure, named without the query string.
func (s *source) callError(ctx context.Context, req *http.Request, err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err // its message holds the whole URL
	}
	if errors.Is(err, context.DeadlineExceeded) || req.Context().Err() == context.DeadlineExceeded {
		return moniker.Errorf(moniker.ErrTimeout, "%s %s did not answer in time: %w", req.Method, redacted(req.URL), context.DeadlineExceeded)
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	return fetch.Unreachable(moniker.Errorf(moniker.ErrSource, "%s %s: %v", req.Method, redacted(req.URL), err))
}

// readError is an error reading the answer: past a deadline a timeout.
func (s *source) readError(ctx context.Context, err error) error {
	if errors.Is(err, context.DeadlineExceeded) {
		return moniker.Errorf(moniker.ErrTimeout, "the API did not finish its answer in time: %w", context.DeadlineExceeded)
	}
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		return ctx.Err()
	}
	return err
}

func isJSON(contentType string) bool {
	ct := strings.ToLower(strings.TrimSpace(strings.SplitN(contentType, ";", 2)[0]))
	return ct == "application/json" || strings.HasSuffix(ct, "+json") || ct == "application/x-ndjson" ||
		ct == "application/jsonl" || ct == "application/json-seq" || ct == "text/json" || ct == "text/plain"
}

// clean returns an error answer's excerpt as text fit for a message: valid
// UTF-8, no control characters, every secret of the call blanked out.
func clean(b []byte, secrets []string) string {
	s := strings.ToValidUTF8(string(b), "")
	if len(b) == errorExcerpt { // the excerpt may end inside a character
		for len(s) > 0 {
			r, size := utf8.DecodeLastRuneInString(s)
			if r != utf8.RuneError || size != 1 {
				break
			}
			s = s[:len(s)-1]
		}
	}
	for _, sec := range secrets {
		if len(sec) >= 4 {
			s = strings.ReplaceAll(s, sec, "***")
		}
	}
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return strings.TrimSpace(s)
}

// boundedBody reads an answer up to its size bound; reading past it is an
// error.
type boundedBody struct {
	r         io.Reader
	left, max int64
}

func (b *boundedBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		var one [1]byte
		n, err := b.r.Read(one[:])
		if n > 0 {
			return 0, moniker.Errorf(moniker.ErrSource, "the answer is larger than %d bytes (max_response_bytes)", b.max)
		}
		return 0, err
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	return n, err
}
