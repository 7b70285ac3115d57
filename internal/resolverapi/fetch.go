package resolverapi

import (
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// GET /fetch/{moniker}: the moniker is resolved exactly as /resolve
// resolves it (resolveMoniker: grammar, access policy, successor
// redirect and its headers), then the Fetcher runs the rendered query,
// the same text /resolve answers as "query", on the binding's source,
// and the rows are answered in the format asked for.
//
// JSON is upstream's FetchResponse, written once every row is read (its
// row_count comes before data): the encoded rows are buffered, at most
// limit+1 of them, so the server holds about one encoded answer. CSV,
// NDJSON and Arrow are written as the rows are read, in chunks of
// fetch.FlushBytes (and at least every flushEvery while rows keep
// coming; the first row at once); their status and headers go out with the first row, so an
// error before it (a refused query, a timeout, an open circuit) is still
// a JSON error answer. Their trailers say how the stream ended:
// X-Moniker-Row-Count, X-Moniker-Truncated (true when there were more
// than limit rows) and X-Moniker-Execution-Time-Ms. A source error after
// the first row ends the stream without its terminating chunk (the
// connection is cut), so no client mistakes a broken stream for a
// complete one; the error is logged and recorded in the access event.

// Query parameters of /fetch; the others are the moniker's own.
const (
	paramLimit  = "limit"
	paramBypass = "bypass_cache"
	paramFormat = "format"
)

// DefaultFetchLimit is /fetch's limit when the request gives none.
const DefaultFetchLimit = 100

// Streamed answers' headers and trailers.
const (
	headerLimit     = "X-Moniker-Limit"
	headerCached    = "X-Moniker-Cached"
	headerRowCount  = "X-Moniker-Row-Count"
	headerTruncated = "X-Moniker-Truncated"
	headerExecMs    = "X-Moniker-Execution-Time-Ms"
)

// flushEvery bounds how long encoded rows wait in a stream's buffer while
// more rows keep coming.
const flushEvery = 100 * time.Millisecond

// checkEvery is how many rows a stream writes between two looks at the
// clock (the first row is always flushed at once).
const checkEvery = 32

// writeGrace is how long a client may take to take an answer's next
// chunk: /fetch moves its connection's deadlines to the execution
// timeout plus this, and again by this at every flush of a stream.
const writeGrace = 60 * time.Second

// jsonChunk is the size of the blocks a JSON answer's rows are encoded
// into (blocks, not one growing slice: no copy at each doubling).
const jsonChunk = 64 << 10

func (s *Server) handleFetch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.tel.Tick()
		began := time.Now()
		snap := s.begin(w)
		limit, ok := httpapi.QueryInt(w, r, paramLimit, DefaultFetchLimit, 1, s.fetchMaxRows)
		if !ok {
			return
		}
		bypass, ok := httpapi.QueryBool(w, r, paramBypass)
		if !ok {
			return
		}
		format, ok := fetchFormat(w, r)
		if !ok {
			return
		}
		if s.fetcher == nil {
			httpapi.WriteError(w, s.log, moniker.Errorf(moniker.ErrNotImplemented, "GET /fetch is not available on this target"))
			return
		}
		var m moniker.Moniker
		e, _, ok := s.resolveMoniker(w, r, snap, start, telemetry.OpFetch, httpapi.TrimPrefix(r, "/fetch/"), monikerQuery(r.URL.RawQuery), &m)
		if !ok {
			return
		}
		res := e.Res
		node := snap.Catalog().Get(res.BindingPath)
		if node == nil || node.Binding == nil { // cannot happen: the snapshot resolved through it
			s.fetchFailed(w, r, snap, start, e, moniker.Errorf(moniker.ErrNotFound, "No source binding for: %s", res.Path))
			return
		}
		timeout, err := fetch.BindingTimeout(node.Binding, s.fetchTimeout)
		if err != nil {
			s.fetchFailed(w, r, snap, start, e, err)
			return
		}
		// The answer may take the execution timeout and then some: the
		// server's read and write timeouts must not cut it short.
		_ = httpapi.ExtendDeadlines(w, timeout+writeGrace)
		result, err := s.fetcher.Fetch(r.Context(), &fetch.Request{Resolution: res, Binding: node.Binding, Limit: limit, BypassCache: bypass, Format: format})
		if err != nil {
			s.fetchFailed(w, r, snap, start, e, err)
			return
		}
		a := fetchAnswer{s: s, w: w, r: r, snap: snap, res: res, result: result, limit: limit, began: began}
		if result.Rows == nil {
			a.writeLoading()
			s.emitFetch(r, snap, start, e, 0, result.Cached, nil)
			return
		}
		defer result.Rows.Close()
		if format == fetch.FormatJSON {
			err = a.writeJSON()
		} else {
			err = a.writeStream(format)
		}
		result.Rows.Close() // before the event: the execution is over
		if err != nil && !a.started {
			s.fetchFailed(w, r, snap, start, e, err)
			return
		}
		s.emitFetch(r, snap, start, e, a.rows, result.Cached, err)
		if err != nil {
			s.logFetchError(r, res, err, true)
			if r.Context().Err() == nil {
				// End the stream without its last chunk: the client
				// must see it broken, not complete.
				panic(http.ErrAbortHandler)
			}
		}
	})
}

// fetchFormat reads format=, else negotiates the Accept header. An
// unknown format= is a 422.
func fetchFormat(w http.ResponseWriter, r *http.Request) (fetch.Format, bool) {
	raw := r.URL.Query().Get(paramFormat)
	if raw == "" {
		return fetch.Negotiate(r.Header.Get("Accept")), true
	}
	f, ok := fetch.ParseFormat(raw)
	if !ok {
		names := make([]string, len(fetch.Formats))
		for i, f := range fetch.Formats {
			names[i] = "'" + string(f) + "'"
		}
		httpapi.WriteFields(w, httpapi.InQuery, moniker.FieldError{Type: "enum", Loc: []string{paramFormat},
			Msg: "Input should be " + strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1], Input: raw})
		return "", false
	}
	return f, true
}

// monikerQuery is the raw query string without /fetch's own parameters:
// what is left are the moniker's parameters, as /resolve would read them.
func monikerQuery(raw string) string {
	if raw == "" {
		return ""
	}
	var b strings.Builder
	for part := range strings.SplitSeq(raw, "&") {
		k, _, _ := strings.Cut(part, "=")
		if key, err := url.QueryUnescape(k); err == nil && (key == paramLimit || key == paramBypass || key == paramFormat) {
			continue
		}
		if b.Len() > 0 {
			b.WriteByte('&')
		}
		b.WriteString(part)
	}
	return b.String()
}

// fetchFailed answers err, a failure after the resolution, and records
// it. A request whose client has gone gets no answer.
func (s *Server) fetchFailed(w http.ResponseWriter, r *http.Request, snap *resolve.Snapshot, start telemetry.Tick, e *resolve.Entry, err error) {
	s.emitFetch(r, snap, start, e, 0, false, err)
	if r.Context().Err() != nil {
		s.log.Debug("fetch abandoned by the client", "path", e.Res.Path, "err", err)
		return
	}
	s.logFetchError(r, e.Res, err, false)
	httpapi.WriteError(w, s.log, err)
}

// logFetchError logs a failed fetch: a source's refusal or timeout, an
// open circuit, a stream broken after its first row. Not-implemented
// types and the caller's own mistakes are not logged.
func (s *Server) logFetchError(r *http.Request, res *moniker.Resolution, err error, streaming bool) {
	switch moniker.KindOf(err) {
	case moniker.ErrNotImplemented, moniker.ErrNotFound, moniker.ErrInvalid, moniker.ErrDenied:
		return
	}
	msg := "fetch failed"
	if streaming {
		msg = "fetch stream broken after its first row"
	}
	s.log.Warn(msg, "path", res.Path, "binding_path", res.BindingPath, "source_type", res.SourceType,
		"code", httpapi.ErrorCode(err), "err", err)
}

// emitFetch records one fetch: operation fetch, the row count, whether
// the rows came from a result cache, and how it ended.
func (s *Server) emitFetch(r *http.Request, snap *resolve.Snapshot, start telemetry.Tick, en *resolve.Entry, rows int, cached bool, err error) {
	if s.tel == nil {
		return
	}
	var e telemetry.Event
	s.fillEvent(&e, r, snap, telemetry.OpFetch, start)
	res := en.Res
	e.Moniker, e.MonikerPath = res.Moniker, res.Path
	e.ResolvedSourceType = res.SourceType
	e.OwnerAtAccess = res.Ownership[moniker.AccountableOwner].Value
	n := int64(rows)
	e.ResultCount = &n
	e.Cached = cached
	if s.deprecationTelemetry {
		e.Deprecated = res.Status == moniker.StatusDeprecated
		e.Successor, e.RedirectedFrom = res.Successor, res.RedirectedFrom
	}
	if err != nil {
		setFailure(&e, err)
	}
	s.tel.Emit(&e)
}

// fetchAnswer writes one /fetch answer.
type fetchAnswer struct {
	s      *Server
	w      http.ResponseWriter
	r      *http.Request
	snap   *resolve.Snapshot
	res    *moniker.Resolution
	result *fetch.Result
	limit  int
	began  time.Time

	rows      int  // rows answered
	truncated bool // there were more than limit
	started   bool // the status is sent: an error can no longer be answered
}

// writeJSON reads the rows (at most limit+1), encoding them into blocks,
// then writes upstream's FetchResponse with a Content-Length.
func (a *fetchAnswer) writeJSON() error {
	rows := a.result.Rows
	cols := rows.Columns()
	enc := fetch.NewRowJSON(cols)
	var blocks [][]byte
	cur := make([]byte, 0, 4096)
	for a.rows < a.limit && rows.Next() {
		if a.rows > 0 {
			cur = append(cur, ',')
		}
		cur = enc.Append(cur, rows.Row())
		a.rows++
		if len(cur) >= jsonChunk {
			blocks = append(blocks, cur)
			cur = make([]byte, 0, jsonChunk+jsonChunk/4)
		}
	}
	if a.rows == a.limit {
		a.truncated = rows.Next()
	}
	if err := rows.Err(); err != nil {
		return err
	}
	blocks = append(blocks, cur)
	head := a.appendHead(make([]byte, 0, 512), cols)
	tail := a.appendTail(make([]byte, 0, 1024+len(a.res.Query)), cols)
	size := len(head) + len(tail)
	for _, b := range blocks {
		size += len(b)
	}
	h := a.w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(size))
	a.w.WriteHeader(http.StatusOK)
	a.started = true
	if _, err := a.w.Write(head); err != nil {
		return nil // the client has gone; nothing to tell it
	}
	for _, b := range blocks {
		if _, err := a.w.Write(b); err != nil {
			return nil
		}
	}
	_, _ = a.w.Write(tail)
	return nil
}

// writeLoading answers 202: a result cache is loading the entry (upstream's
// answer while the first load runs), the FetchResponse without rows.
func (a *fetchAnswer) writeLoading() {
	out := a.appendHead(nil, nil)
	out = a.appendTail(out, nil)
	httpapi.WriteRaw(a.w, http.StatusAccepted, out)
}

// appendHead appends the FetchResponse up to and including `"data":[`.
func (a *fetchAnswer) appendHead(dst []byte, cols []fetch.Column) []byte {
	res := a.res
	dst = append(dst, `{"moniker":`...)
	dst = resolve.AppendJSONString(dst, res.Moniker)
	dst = append(dst, `,"path":`...)
	dst = resolve.AppendJSONString(dst, res.Path)
	dst = append(dst, `,"source_type":`...)
	dst = resolve.AppendJSONString(dst, res.SourceType)
	dst = append(dst, `,"row_count":`...)
	dst = strconv.AppendInt(dst, int64(a.rows), 10)
	dst = append(dst, `,"columns":`...)
	dst = fetch.AppendColumnsJSON(dst, cols)
	return append(dst, `,"data":[`...)
}

// appendTail appends the FetchResponse after the rows.
func (a *fetchAnswer) appendTail(dst []byte, cols []fetch.Column) []byte {
	res, result := a.res, a.result
	dst = append(dst, `],"truncated":`...)
	dst = strconv.AppendBool(dst, a.truncated)
	dst = append(dst, `,"query_executed":`...)
	if res.HasQuery {
		dst = resolve.AppendJSONString(dst, res.Query)
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"execution_time_ms":`...)
	dst = resolve.AppendJSONFloat(dst, milliseconds(time.Since(a.began)))
	dst = append(dst, `,"cached":`...)
	dst = strconv.AppendBool(dst, result.Cached)
	c := result.Cache
	if c == nil {
		c = &fetch.CacheInfo{}
	}
	dst = append(dst, `,"cache_status":`...)
	dst = appendNullString(dst, c.Status)
	dst = append(dst, `,"cache_age_seconds":`...)
	if c.Age > 0 {
		dst = resolve.AppendJSONFloat(dst, math.Round(c.Age.Seconds()*10)/10)
	} else {
		dst = append(dst, "null"...)
	}
	dst = append(dst, `,"cache_last_refresh":`...)
	dst = appendNullTime(dst, c.LastRefresh)
	dst = append(dst, `,"cache_next_refresh":`...)
	dst = appendNullTime(dst, c.NextRefresh)
	dst = append(dst, `,"cache_message":`...)
	dst = appendNullString(dst, c.Message)
	dst = append(dst, `,"schema":`...)
	dst = fetch.AppendSchemaJSON(dst, cols)
	dst = append(dst, `,"catalog_version":`...)
	dst = resolve.AppendJSONString(dst, a.snap.Catalog().Version())
	return append(dst, "}\n"...)
}

// milliseconds is d in milliseconds, rounded to 2 decimals (upstream's
// execution_time_ms).
func milliseconds(d time.Duration) float64 {
	return math.Round(float64(d)/float64(time.Millisecond)*100) / 100
}

func appendNullString(dst []byte, s string) []byte {
	if s == "" {
		return append(dst, "null"...)
	}
	return resolve.AppendJSONString(dst, s)
}

func appendNullTime(dst []byte, t time.Time) []byte {
	if t.IsZero() {
		return append(dst, "null"...)
	}
	dst = append(dst, '"')
	dst = t.UTC().AppendFormat(dst, time.RFC3339)
	return append(dst, '"')
}

// writeStream writes the rows in a streaming format as they are read. It
// reads the first row before the status goes out, so a failure up to
// there is answered as an error (started false).
func (a *fetchAnswer) writeStream(format fetch.Format) error {
	rows := a.result.Rows
	more := rows.Next()
	if !more {
		if err := rows.Err(); err != nil {
			return err
		}
	}
	cols := rows.Columns()
	h := a.w.Header()
	h.Set("Content-Type", format.ContentType())
	h.Set(headerLimit, strconv.Itoa(a.limit))
	h.Set(headerCached, strconv.FormatBool(a.result.Cached))
	h.Set("Trailer", headerRowCount+", "+headerTruncated+", "+headerExecMs)
	a.w.WriteHeader(http.StatusOK)
	a.started = true
	rc := http.NewResponseController(a.w)
	// The encoder's writes go straight to the response; a write error
	// means the client has gone.
	enc, err := fetch.NewStreamEncoder(format, a.w, cols)
	if err != nil {
		return err
	}
	var lastFlush time.Time // the first row goes out at once
	for more {
		if err := enc.WriteRow(rows.Row()); err != nil {
			return a.clientGone(err)
		}
		a.rows++
		if a.rows == a.limit {
			a.truncated = rows.Next()
			break
		}
		if a.rows%checkEvery != 1 {
			more = rows.Next()
			continue
		}
		if now := time.Now(); now.Sub(lastFlush) >= flushEvery {
			if err := enc.Flush(); err != nil {
				return a.clientGone(err)
			}
			_ = rc.Flush()
			_ = httpapi.ExtendDeadlines(a.w, writeGrace)
			lastFlush = now
		}
		more = rows.Next()
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := enc.Close(); err != nil {
		return a.clientGone(err)
	}
	h.Set(headerRowCount, strconv.Itoa(a.rows))
	h.Set(headerTruncated, strconv.FormatBool(a.truncated))
	h.Set(headerExecMs, strconv.FormatFloat(milliseconds(time.Since(a.began)), 'f', -1, 64))
	return nil
}

// clientGone is the outcome of a failed write: the client has gone (or
// its connection broke), which says nothing about the source, and there
// is no one to answer.
func (a *fetchAnswer) clientGone(err error) error {
	a.s.log.Debug("fetch: writing the answer failed", "path", a.res.Path, "err", err)
	return nil
}
