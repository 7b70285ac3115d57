// Package mgmtclient is the resolver's client of the management API: the
// one write a resolver accepts (a lifecycle status change) is forwarded to
// the management plane, which applies it durably, so replicas never
// disagree (DESIGN §5).
package mgmtclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/internal/governance"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// BreakerKey is the circuit breaker source key of the management plane.
const BreakerKey = "management"

// Client talks to one management plane.
type Client struct {
	base    *url.URL
	hc      *http.Client
	breaker *governance.Breaker
}

// Option configures a Client.
type Option func(*Client)

// WithBreaker sends every call through b's BreakerKey circuit: after
// repeated failures of the management plane (unreachable, timeouts, 5xx)
// calls fail fast with a *governance.OpenError, a 503 with code
// circuit_open and a Retry-After header, without reaching management,
// until the breaker lets a probe through. Its 4xx answers are not
// failures.
func WithBreaker(b *governance.Breaker) Option {
	return func(c *Client) { c.breaker = b }
}

// New returns a client of the management API at baseURL (config
// management.url). Every call is bounded by timeout.
func New(baseURL string, timeout time.Duration, opts ...Option) (*Client, error) {
	u, err := url.Parse(strings.TrimSuffix(baseURL, "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("management.url %q: must be an http(s) URL", baseURL)
	}
	c := &Client{base: u, hc: &http.Client{Timeout: timeout}}
	for _, o := range opts {
		o(c)
	}
	return c, nil
}

// SetStatus forwards a status change to PUT
// {management}/config/status/{path}. An unreachable or failing
// management plane is moniker.ErrUnavailable (503 to the caller); its 4xx
// answers are relayed as they came. The management plane applies a change
// whole or not at all; a timeout after the request was sent leaves the
// outcome unknown to the caller, which the error says. With a breaker
// (WithBreaker), an open circuit refuses the call without sending it.
func (c *Client) SetStatus(ctx context.Context, path string, ch moniker.StatusChange) (moniker.StatusResult, error) {
	var res moniker.StatusResult
	body, err := json.Marshal(ch)
	if err != nil {
		return res, err
	}
	err = c.breaker.Do(ctx, BreakerKey, func(ctx context.Context) error {
		var err error
		res, err = c.setStatus(ctx, path, body)
		return err
	})
	if _, ok := errors.AsType[*governance.OpenError](err); ok {
		return res, fmt.Errorf("management plane at %s is unavailable (circuit open after repeated failures); the status was not changed: %w", c.base.Redacted(), err)
	}
	return res, err
}

// setStatus is one PUT to management.
func (c *Client) setStatus(ctx context.Context, path string, body []byte) (moniker.StatusResult, error) {
	var res moniker.StatusResult
	u := c.base.JoinPath("config", "status")
	u.Path += "/" + path
	u.RawPath = c.base.EscapedPath() + "/config/status/" + escapePath(path)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), bytes.NewReader(body))
	if err != nil {
		return res, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return res, moniker.Errorf(moniker.ErrUnavailable, "management plane at %s is unreachable; the status was not changed (or its outcome is unknown if the request timed out): %w", c.base.Redacted(), err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return res, moniker.Errorf(moniker.ErrUnavailable, "reading the management plane's answer: %w", err)
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(data, &res); err != nil {
			return res, moniker.Errorf(moniker.ErrUnavailable, "the management plane answered an unreadable body: %w", err)
		}
		return res, nil
	}
	var e struct {
		Detail any    `json:"detail"`
		Code   string `json:"code"`
	}
	_ = json.Unmarshal(data, &e)
	detail := fmt.Sprint(e.Detail)
	if e.Detail == nil {
		detail = http.StatusText(resp.StatusCode)
	}
	if resp.StatusCode >= 500 {
		return res, moniker.Errorf(moniker.ErrUnavailable, "the management plane failed (%d): %s", resp.StatusCode, detail)
	}
	se := &httpapi.StatusError{Status: resp.StatusCode, Code: e.Code, Detail: detail}
	if t := bytes.TrimSpace(data); e.Code != "" && len(t) > 0 && t[0] == '{' && json.Valid(t) {
		se.Body = data // an error body of ours: answered as it came, the same on both planes
	}
	if se.Code == "" {
		se.Code = httpapi.CodeInvalidRequest
	}
	return res, se
}

// escapePath escapes each "/"-separated segment.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}
