package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// FetchOptions are the parameters of a fetch. The zero value asks for the
// server's defaults.
type FetchOptions struct {
	// Limit is the most rows to return (sent when > 0; the server's
	// default is 100, its maximum fetch.max_rows, 10,000 by default).
	Limit int
	// BypassCache skips the server's result cache.
	BypassCache bool
}

// FetchColumn is one column of a fetch result: its name and logical type
// (string, int64, float64, bool, timestamp, date, decimal, bytes, json).
type FetchColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// FetchResult is the JSON answer of GET /fetch/{moniker}: the rows the
// moniker's query returned and how they were obtained.
//
// Rows holds one slice per row, its values in Columns order, each of the
// Go type of its column's logical type: string (string), int64 (int64),
// float64 (float64), bool (bool), date and timestamp (time.Time; a date
// at midnight UTC), decimal (string: the exact decimal text), bytes
// ([]byte), json (what encoding/json decodes into an any); nil is NULL in
// every type. A column of a type this client does not know keeps what
// encoding/json decodes.
type FetchResult struct {
	Moniker    string
	Path       string
	SourceType string
	// Columns are the result's columns in the query's order, with their
	// logical types (the answer's "columns" and "schema").
	Columns []FetchColumn
	Rows    [][]any
	// Truncated is true when the query had more rows than the limit.
	Truncated bool
	// QueryExecuted is the query the server ran: the one /resolve
	// answers for the same moniker ("" when the binding has none).
	QueryExecuted   string
	ExecutionTimeMS float64
	// Cached is true when the rows come from the server's result cache;
	// CacheStatus is "fresh", "stale", "loading" or "" (no cache). A
	// "loading" result (HTTP 202: the cache is loading the entry for the
	// first time) has no rows: try again shortly.
	Cached           bool
	CacheStatus      string
	CacheAgeSeconds  float64
	CacheLastRefresh time.Time
	CacheNextRefresh time.Time
	CacheMessage     string
	CatalogVersion   string
}

// Column returns the index of the column named name, or -1.
func (r *FetchResult) Column(name string) int {
	for i, c := range r.Columns {
		if c.Name == name {
			return i
		}
	}
	return -1
}

// fetchWire is the answer as sent; rows are decoded by position.
type fetchWire struct {
	Moniker          string          `json:"moniker"`
	Path             string          `json:"path"`
	SourceType       string          `json:"source_type"`
	RowCount         int             `json:"row_count"`
	Columns          []string        `json:"columns"`
	Data             json.RawMessage `json:"data"`
	Truncated        bool            `json:"truncated"`
	QueryExecuted    string          `json:"query_executed"`
	ExecutionTimeMS  float64         `json:"execution_time_ms"`
	Cached           bool            `json:"cached"`
	CacheStatus      string          `json:"cache_status"`
	CacheAgeSeconds  float64         `json:"cache_age_seconds"`
	CacheLastRefresh *time.Time      `json:"cache_last_refresh"`
	CacheNextRefresh *time.Time      `json:"cache_next_refresh"`
	CacheMessage     string          `json:"cache_message"`
	Schema           []FetchColumn   `json:"schema"`
	CatalogVersion   string          `json:"catalog_version"`
}

// Fetch answers GET /fetch/{moniker} as JSON: the server runs the
// moniker's query on its source and returns the rows, decoded into their
// columns' types (see FetchResult). moniker may carry the moniker://
// scheme and a ?query, forwarded as on Resolve. A source's failure is an
// *Error: 502 source_error, 504 source_timeout, 503 circuit_open, 501
// for a source type the server cannot read.
func (c *Client) Fetch(ctx context.Context, moniker string, opts FetchOptions) (*FetchResult, error) {
	var w fetchWire
	if err := c.get(ctx, fetchURL(moniker, "", opts), &w); err != nil {
		return nil, err
	}
	return w.result()
}

func (w *fetchWire) result() (*FetchResult, error) {
	r := &FetchResult{
		Moniker: w.Moniker, Path: w.Path, SourceType: w.SourceType, Columns: w.Schema,
		Truncated: w.Truncated, QueryExecuted: w.QueryExecuted, ExecutionTimeMS: w.ExecutionTimeMS,
		Cached: w.Cached, CacheStatus: w.CacheStatus, CacheAgeSeconds: w.CacheAgeSeconds,
		CacheMessage: w.CacheMessage, CatalogVersion: w.CatalogVersion,
	}
	if w.CacheLastRefresh != nil {
		r.CacheLastRefresh = *w.CacheLastRefresh
	}
	if w.CacheNextRefresh != nil {
		r.CacheNextRefresh = *w.CacheNextRefresh
	}
	if r.Columns == nil { // a server without schema: names only, types unknown
		for _, name := range w.Columns {
			r.Columns = append(r.Columns, FetchColumn{Name: name})
		}
	}
	rows, err := decodeRows(w.Data, r.Columns, w.RowCount)
	if err != nil {
		return nil, fmt.Errorf("moniker client: decoding the rows of %s: %w", w.Path, err)
	}
	r.Rows = rows
	return r, nil
}

// decodeRows decodes data, an array of row objects whose members are in
// column order, into one slice of typed values per row. A member is
// matched to its column by position, or by name when the names differ.
func decodeRows(data json.RawMessage, cols []FetchColumn, hint int) ([][]any, error) {
	if len(data) == 0 || string(data) == "null" {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := expectDelim(dec, '['); err != nil {
		return nil, err
	}
	byName := make(map[string]int, len(cols))
	for i := len(cols) - 1; i >= 0; i-- {
		byName[cols[i].Name] = i
	}
	rows := make([][]any, 0, max(hint, 0))
	for dec.More() {
		if err := expectDelim(dec, '{'); err != nil {
			return nil, err
		}
		row := make([]any, len(cols))
		for i := 0; dec.More(); i++ {
			tok, err := dec.Token()
			if err != nil {
				return nil, err
			}
			name, _ := tok.(string)
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				return nil, err
			}
			j := i
			if j >= len(cols) || cols[j].Name != name {
				var ok bool
				if j, ok = byName[name]; !ok {
					return nil, fmt.Errorf("row %d: member %q is not a column", len(rows), name)
				}
			}
			v, err := decodeValue(cols[j].Type, raw)
			if err != nil {
				return nil, fmt.Errorf("row %d, column %s: %w", len(rows), name, err)
			}
			row[j] = v
		}
		if err := expectDelim(dec, '}'); err != nil {
			return nil, err
		}
		rows = append(rows, row)
	}
	return rows, expectDelim(dec, ']')
}

func expectDelim(dec *json.Decoder, want json.Delim) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return fmt.Errorf("got %v, want %v", tok, want)
	}
	return nil
}

// decodeValue decodes one JSON value as the Go type of logical type t.
func decodeValue(t string, raw json.RawMessage) (any, error) {
	if string(raw) == "null" {
		return nil, nil
	}
	switch t {
	case "string", "decimal":
		var s string
		err := json.Unmarshal(raw, &s)
		return s, err
	case "int64":
		return strconv.ParseInt(string(raw), 10, 64)
	case "float64":
		return strconv.ParseFloat(string(raw), 64)
	case "bool":
		var b bool
		err := json.Unmarshal(raw, &b)
		return b, err
	case "date", "timestamp":
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, err
		}
		if t == "date" {
			return time.Parse(time.DateOnly, s)
		}
		return time.Parse(time.RFC3339Nano, s)
	case "bytes":
		var b []byte // base64, as encoding/json reads it
		err := json.Unmarshal(raw, &b)
		return b, err
	}
	var v any
	err := json.Unmarshal(raw, &v)
	return v, err
}

// Stream formats of FetchStream.
const (
	FormatArrow  = "arrow"  // application/vnd.apache.arrow.stream: an Arrow IPC stream
	FormatCSV    = "csv"    // text/csv: a header line, then a line per row
	FormatNDJSON = "ndjson" // application/x-ndjson: one JSON object per row
)

// ErrLoading is FetchStream's error when the server's result cache is
// loading the entry for the first time (HTTP 202): try again shortly.
var ErrLoading = errors.New("moniker server: the result cache is loading this result; try again shortly")

// Stream is a streamed /fetch answer: read it to its end, then close it.
// The server writes the rows as its source returns them; a stream the
// server had to break after its first row (the source failed) ends with
// an error from Read (io.ErrUnexpectedEOF), never as a complete answer.
type Stream struct {
	io.ReadCloser
	// ContentType is the answer's media type.
	ContentType string
	// Header holds the answer's headers (X-Moniker-Limit,
	// X-Moniker-Cached, X-Moniker-Catalog-Version, the deprecation
	// headers).
	Header http.Header
	resp   *http.Response
}

// Truncated reports whether the result had more rows than the limit; ok
// is false until the stream has been read to its end (the server says it
// in a trailer, after the rows).
func (s *Stream) Truncated() (truncated, ok bool) {
	v := s.resp.Trailer.Get("X-Moniker-Truncated")
	return v == "true", v != ""
}

// RowCount returns the number of rows the server sent; ok is false until
// the stream has been read to its end.
func (s *Stream) RowCount() (n int, ok bool) {
	n, err := strconv.Atoi(s.resp.Trailer.Get("X-Moniker-Row-Count"))
	return n, err == nil
}

// FetchArrow answers GET /fetch/{moniker} as an Arrow IPC stream, the
// bytes as the server sends them: read it with the Arrow library of your
// choice, for example arrow-go's ipc.NewReader(stream), whose record
// batches (at most 1,024 rows each) carry each column's logical type in
// the field metadata "moniker.type" (decimals and JSON travel as utf8).
// Close the stream when done.
func (c *Client) FetchArrow(ctx context.Context, moniker string, opts FetchOptions) (*Stream, error) {
	return c.FetchStream(ctx, moniker, FormatArrow, opts)
}

// FetchStream answers GET /fetch/{moniker} in a streamed format
// (FormatArrow, FormatCSV or FormatNDJSON). An error before the first row
// is an *Error (as for Fetch); a 202 is ErrLoading. The response hook, if
// any, is called with a nil body. The client's HTTP timeout
// (DefaultTimeout unless WithHTTPClient says otherwise) bounds reading
// the whole stream.
func (c *Client) FetchStream(ctx context.Context, moniker, format string, opts FetchOptions) (*Stream, error) {
	pathQuery := fetchURL(moniker, format, opts)
	req, err := c.newRequest(ctx, http.MethodGet, pathQuery, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "*/*")
	resp, err := c.http.Do(req)
	if err != nil {
		return nil, fmt.Errorf("moniker client: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		defer resp.Body.Close()
		data, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
		if err != nil {
			return nil, fmt.Errorf("moniker client: reading GET %s: %w", pathQuery, err)
		}
		if c.hook != nil {
			c.hook(resp, data)
		}
		if resp.StatusCode == http.StatusAccepted {
			return nil, ErrLoading
		}
		return nil, newError(resp.StatusCode, data)
	}
	if c.hook != nil {
		c.hook(resp, nil)
	}
	return &Stream{ReadCloser: resp.Body, ContentType: resp.Header.Get("Content-Type"), Header: resp.Header, resp: resp}, nil
}

// fetchURL is /fetch's path and query for moniker: the moniker's own
// query parameters, then limit, bypass_cache and format.
func fetchURL(moniker, format string, opts FetchOptions) string {
	u := "/fetch/" + monikerURL(moniker)
	q := url.Values{}
	if opts.Limit > 0 {
		q.Set("limit", strconv.Itoa(opts.Limit))
	}
	if opts.BypassCache {
		q.Set("bypass_cache", "true")
	}
	if format != "" {
		q.Set("format", format)
	}
	if len(q) == 0 {
		return u
	}
	if strings.Contains(u, "?") {
		return u + "&" + q.Encode()
	}
	return u + "?" + q.Encode()
}
