// Package client is a Go client for the Moniker resolver API (the data
// plane: resolve, describe, lineage, list, tree, search, catalog, stats,
// metadata, health, and fetch: the rows themselves, as typed JSON or as a
// stream in Arrow, CSV or NDJSON).
//
// Response types carry the server's JSON field names exactly, so the
// structs double as documentation of the wire format. A JSON null decodes
// to the zero value ("" for strings). A non-2xx answer is returned as an
// *Error holding the status and the server's error body.
//
//	c := client.New("http://localhost:8050", client.WithAppID("etl-bot"))
//	res, err := c.Resolve(ctx, "prices.equity/AAPL@20260115")
//	var apiErr *client.Error
//	if errors.As(err, &apiErr) && apiErr.Status == http.StatusNotFound { ... }
//
//	res, err := c.Fetch(ctx, "prices.equity/ALL@20260115", client.FetchOptions{Limit: 20})
//	for _, row := range res.Rows { fmt.Println(row[res.Column("close")]) }
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// DefaultTimeout bounds each request made with the default HTTP client
// (the Python client's default). A context deadline applies as well.
const DefaultTimeout = 30 * time.Second

// maxBody bounds a response body read into memory.
const maxBody = 64 << 20

// Client talks to one Moniker server. It is safe for concurrent use.
type Client struct {
	base  string // without a trailing "/"
	http  *http.Client
	appID string
	team  string
	token string
	hook  func(*http.Response, []byte)
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client send its requests with hc (timeouts,
// transport, TLS).
func WithHTTPClient(hc *http.Client) Option { return func(c *Client) { c.http = hc } }

// WithAppID sends X-App-ID: id with every request (an identity hint, and
// the rate-limit key when auth is off).
func WithAppID(id string) Option { return func(c *Client) { c.appID = id } }

// WithTeam sends X-Team: team with every request.
func WithTeam(team string) Option { return func(c *Client) { c.team = team } }

// WithToken sends Authorization: Bearer token with every request.
func WithToken(token string) Option { return func(c *Client) { c.token = token } }

// WithResponseHook calls fn with every response and its body (as read,
// before decoding), successful or not. The CLI uses it to print raw JSON;
// it also exposes headers such as X-Moniker-Catalog-Version. fn must not
// keep resp.Body; the body has already been consumed.
func WithResponseHook(fn func(resp *http.Response, body []byte)) Option {
	return func(c *Client) { c.hook = fn }
}

// New returns a client for the server at baseURL (e.g.
// "http://localhost:8050"; a path prefix is kept).
func New(baseURL string, opts ...Option) *Client {
	c := &Client{
		base: strings.TrimRight(baseURL, "/"),
		http: &http.Client{Timeout: DefaultTimeout},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Resolve answers GET /resolve/{moniker}: where the data lives and how to
// read it. moniker may carry the moniker:// scheme and a ?query, which is
// forwarded as the URL query (the server folds it into the moniker).
func (c *Client) Resolve(ctx context.Context, moniker string) (*ResolveResponse, error) {
	return fetch[ResolveResponse](ctx, c, "/resolve/"+monikerURL(moniker))
}

// ResolveBatch answers POST /resolve/batch for up to 100 monikers.
// Monikers that fail are reported in Errors, keyed by the input string.
func (c *Client) ResolveBatch(ctx context.Context, monikers []string) (*BatchResponse, error) {
	if monikers == nil {
		monikers = []string{}
	}
	var out BatchResponse
	if err := c.do(ctx, http.MethodPost, "/resolve/batch", struct {
		Monikers []string `json:"monikers"`
	}{monikers}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Describe answers GET /describe/{moniker}: the node's metadata and its
// inherited ownership.
func (c *Client) Describe(ctx context.Context, moniker string) (*DescribeResponse, error) {
	return fetch[DescribeResponse](ctx, c, "/describe/"+monikerPath(moniker))
}

// Lineage answers GET /lineage/{moniker}.
func (c *Client) Lineage(ctx context.Context, moniker string) (*LineageResponse, error) {
	return fetch[LineageResponse](ctx, c, "/lineage/"+monikerPath(moniker))
}

// List answers GET /list/{moniker}: the direct children ("" lists the
// root).
func (c *Client) List(ctx context.Context, moniker string) (*ListResponse, error) {
	return fetch[ListResponse](ctx, c, "/list/"+monikerPath(moniker))
}

// Metadata answers GET /metadata/{moniker}: the AI-oriented metadata.
func (c *Client) Metadata(ctx context.Context, moniker string) (*MetadataResponse, error) {
	return fetch[MetadataResponse](ctx, c, "/metadata/"+monikerPath(moniker))
}

// Tree answers GET /tree/{path} (one node and its descendants) or, when
// path is "", GET /tree (every top-level tree). Either way the result is a
// list of root nodes. depth, when non-nil, limits the levels below each
// root (0 = the roots alone).
func (c *Client) Tree(ctx context.Context, path string, depth *int) ([]TreeNode, error) {
	q := url.Values{}
	if depth != nil {
		q.Set("depth", strconv.Itoa(*depth))
	}
	path = strings.TrimPrefix(path, scheme)
	if path == "" {
		var out []TreeNode
		if err := c.get(ctx, withQuery("/tree", q), &out); err != nil {
			return nil, err
		}
		return out, nil
	}
	var out TreeNode
	if err := c.get(ctx, withQuery("/tree/"+escapePath(path), q), &out); err != nil {
		return nil, err
	}
	return []TreeNode{out}, nil
}

// Search answers GET /catalog/search: nodes whose path, display name,
// description or tags contain q (case-insensitive). status filters by
// lifecycle status when not ""; limit is sent when > 0.
func (c *Client) Search(ctx context.Context, q, status string, limit int) (*SearchResponse, error) {
	v := url.Values{"q": {q}}
	if status != "" {
		v.Set("status", status)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	return fetch[SearchResponse](ctx, c, withQuery("/catalog/search", v))
}

// Catalog answers GET /catalog: one page of node paths in path order.
// Pass the previous page's NextCursor as cursor ("" for the first page);
// limit is sent when > 0, status when not "".
func (c *Client) Catalog(ctx context.Context, cursor string, limit int, status string) (*CatalogPage, error) {
	v := url.Values{}
	if cursor != "" {
		v.Set("cursor", cursor)
	}
	if limit > 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	if status != "" {
		v.Set("status", status)
	}
	return fetch[CatalogPage](ctx, c, withQuery("/catalog", v))
}

// Stats answers GET /catalog/stats.
func (c *Client) Stats(ctx context.Context) (*Stats, error) {
	return fetch[Stats](ctx, c, "/catalog/stats")
}

// Health answers GET /health.
func (c *Client) Health(ctx context.Context) (*Health, error) {
	return fetch[Health](ctx, c, "/health")
}

// fetch GETs pathQuery and decodes the answer into a new T.
func fetch[T any](ctx context.Context, c *Client, pathQuery string) (*T, error) {
	var out T
	if err := c.get(ctx, pathQuery, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

func (c *Client) get(ctx context.Context, pathQuery string, out any) error {
	return c.do(ctx, http.MethodGet, pathQuery, nil, out)
}

// do sends one request and decodes a 2xx JSON body into out; any other
// status becomes an *Error.
func (c *Client) do(ctx context.Context, method, pathQuery string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("moniker client: encoding request: %w", err)
		}
		body = bytes.NewReader(b)
	}
	req, err := c.newRequest(ctx, method, pathQuery, body)
	if err != nil {
		return err
	}
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("moniker client: %w", err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return fmt.Errorf("moniker client: reading %s %s: %w", method, pathQuery, err)
	}
	if len(data) > maxBody {
		return fmt.Errorf("moniker client: %s %s: response larger than %d bytes", method, pathQuery, maxBody)
	}
	if c.hook != nil {
		c.hook(resp, data)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return newError(resp.StatusCode, data)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("moniker client: decoding %s %s response: %w", method, pathQuery, err)
	}
	return nil
}

// newRequest builds a request with the client's headers (JSON accepted,
// the identity hints, the token).
func (c *Client) newRequest(ctx context.Context, method, pathQuery string, body io.Reader) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.base+pathQuery, body)
	if err != nil {
		return nil, fmt.Errorf("moniker client: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", "moniker-go-client")
	if c.appID != "" {
		req.Header.Set("X-App-ID", c.appID)
	}
	if c.team != "" {
		req.Header.Set("X-Team", c.team)
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	return req, nil
}

// scheme is the optional prefix of a moniker string.
const scheme = "moniker://"

// monikerPath returns the escaped path part of moniker, without scheme
// and query (routes other than /resolve ignore the query).
func monikerPath(moniker string) string {
	p, _, _ := strings.Cut(strings.TrimPrefix(moniker, scheme), "?")
	return escapePath(p)
}

// monikerURL returns the escaped path of moniker followed by its query,
// re-encoded pair by pair in the order given.
func monikerURL(moniker string) string {
	p, q, hasQuery := strings.Cut(strings.TrimPrefix(moniker, scheme), "?")
	p = escapePath(p)
	if !hasQuery || q == "" {
		return p
	}
	pairs := strings.Split(q, "&")
	for i, pair := range pairs {
		k, v, hasValue := strings.Cut(pair, "=")
		pairs[i] = url.QueryEscape(unescape(k))
		if hasValue {
			pairs[i] += "=" + url.QueryEscape(unescape(v))
		}
	}
	return p + "?" + strings.Join(pairs, "&")
}

// unescape decodes a query component that may already be percent-encoded;
// text that is not valid encoding is taken literally.
func unescape(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// escapePath percent-encodes each "/"-separated segment of p, keeping the
// separators.
func escapePath(p string) string {
	segs := strings.Split(p, "/")
	for i, s := range segs {
		segs[i] = url.PathEscape(s)
	}
	return strings.Join(segs, "/")
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}
