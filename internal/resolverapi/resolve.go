package resolverapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// MaxBatch is the most monikers one POST /resolve/batch may carry.
const MaxBatch = 100

func (s *Server) handleResolve() http.Handler {
	jsonType := []string{"application/json"}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := s.tel.Tick()
		snap := s.begin(w)
		var m moniker.Moniker
		e, cached, ok := s.resolveMoniker(w, r, snap, start, telemetry.OpRead, httpapi.TrimPrefix(r, "/resolve/"), r.URL.RawQuery, &m)
		if !ok {
			return
		}
		h := w.Header()
		h["Content-Type"] = jsonType
		h["Content-Length"] = []string{strconv.Itoa(len(e.Body))}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(e.Body)
		if s.tel != nil {
			s.emitResolved(r, snap, start, telemetry.OpRead, &m, e, cached, nil)
		}
	})
}

// resolveMoniker is /resolve's resolution, which /fetch shares: it parses
// the moniker of body (the URL path after the route's prefix) and query
// (its moniker parameters) into m and resolves it on snap. On success it
// sets the deprecation headers of the resolution; on failure it answers
// the resolution error (400, 403 with estimated_rows, 404 with the
// domain's hints), records the access as operation op, and ok is false.
func (s *Server) resolveMoniker(w http.ResponseWriter, r *http.Request, snap *resolve.Snapshot, start telemetry.Tick,
	op telemetry.Operation, body, query string, m *moniker.Moniker) (e *resolve.Entry, cached, ok bool) {
	var err error
	if *m, err = moniker.ParseParts(body, query); err != nil {
		httpapi.WriteResolutionError(w, s.log, err, snap.Domain)
		if s.tel != nil {
			s.emitUnparsed(r, snap, start, op, rawMoniker(body, query), body, err)
		}
		return nil, false, false
	}
	if e, cached, err = snap.Resolve(m); err != nil {
		httpapi.WriteResolutionError(w, s.log, err, snap.Domain)
		if s.tel != nil {
			s.emitResolved(r, snap, start, op, m, nil, false, err)
		}
		return nil, false, false
	}
	if e.Res.Status == moniker.StatusDeprecated || e.Res.Successor != "" || e.Res.RedirectedFrom != "" {
		setDeprecationHeaders(w.Header(), snap, e.Res)
	}
	return e, cached, true
}

// setDeprecationHeaders sets upstream's X-Moniker-* headers (single-line,
// Q23) and the standard Deprecation (RFC 9745), Sunset (RFC 8594) and
// Link rel="deprecation" headers.
func setDeprecationHeaders(h http.Header, snap *resolve.Snapshot, res *moniker.Resolution) {
	if res.Status == moniker.StatusDeprecated {
		msg := res.DeprecationMessage
		if msg == "" {
			msg = "This moniker is deprecated"
		}
		h.Set("X-Moniker-Deprecated", headerValue(msg))
		h.Set("Deprecation", "@"+strconv.FormatInt(deprecatedSince(snap, res.Path).Unix(), 10))
		if t, ok := parseDate(res.SunsetDeadline); ok {
			h.Set("Sunset", t.UTC().Format(http.TimeFormat))
		}
		if res.MigrationGuideURL != "" {
			h.Set("Link", "<"+headerValue(res.MigrationGuideURL)+`>; rel="deprecation"`)
		}
	}
	if res.Successor != "" {
		h.Set("X-Moniker-Successor", headerValue(res.Successor))
	}
	if res.RedirectedFrom != "" {
		h.Set("X-Moniker-Redirected-From", headerValue(res.RedirectedFrom))
	}
}

// deprecatedSince is the Deprecation date of a node: its updated_at when
// the catalog records one, else the time this replica loaded the catalog
// (the earliest moment it knew).
func deprecatedSince(snap *resolve.Snapshot, path string) time.Time {
	if n := snap.Catalog().Get(path); n != nil {
		if s, ok := n.Extra["updated_at"].(string); ok {
			if t, ok := parseDate(s); ok {
				return t
			}
		}
	}
	return snap.Catalog().LoadedAt()
}

// parseDate accepts an RFC 3339 timestamp or a YYYY-MM-DD date.
func parseDate(s string) (time.Time, bool) {
	if s == "" {
		return time.Time{}, false
	}
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, true
	}
	return time.Time{}, false
}

// headerValue collapses whitespace runs (including newlines from YAML block
// scalars) to single spaces and drops other control characters.
func headerValue(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		switch {
		case r == ' ' || r == '\t' || r == '\n' || r == '\r':
			space = true
			continue
		case r < 0x20 || r == 0x7f:
			continue
		}
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

type batchRequest struct {
	Monikers []string `json:"monikers"`
}

func (s *Server) handleBatch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.begin(w)
		req, ok := httpapi.DecodeJSON[batchRequest](w, r, httpapi.MaxBody)
		if !ok {
			return
		}
		if req.Monikers == nil {
			httpapi.WriteFields(w, httpapi.InBody, httpapi.Missing("monikers"))
			return
		}
		if len(req.Monikers) > MaxBatch {
			httpapi.WriteDetail(w, http.StatusBadRequest, httpapi.CodeBatchTooLarge, "Maximum 100 monikers per batch request")
			return
		}
		out := make([]byte, 0, 2048*len(req.Monikers)+32)
		out = append(out, `{"results":[`...)
		errs := map[string]string{}
		first := true
		for _, in := range req.Monikers {
			start := s.tel.Tick()
			m, err := moniker.Parse(in)
			if err != nil {
				errs[in] = itemError(err)
				if s.tel != nil {
					s.emitUnparsed(r, snap, start, telemetry.OpRead, in, in, err)
				}
				continue
			}
			e, cached, err := snap.Resolve(&m)
			if s.tel != nil {
				s.emitResolved(r, snap, start, telemetry.OpRead, &m, e, cached, err)
			}
			if err != nil {
				errs[in] = itemError(err)
				continue
			}
			if !first {
				out = append(out, ',')
			}
			first = false
			out = append(out, trimNewline(e.Body)...)
		}
		out = append(out, `],"errors":`...)
		eb, _ := json.Marshal(errs)
		out = append(out, eb...)
		out = append(out, "}\n"...)
		httpapi.WriteRaw(w, http.StatusOK, out)
	})
}

// itemError is the message recorded for one failed batch item.
func itemError(err error) string {
	var pe *moniker.ParseError
	if errors.As(err, &pe) {
		return "Invalid moniker: " + pe.Message
	}
	if errors.Is(err, moniker.ErrNotFound) || errors.Is(err, moniker.ErrDenied) {
		return err.Error()
	}
	return "internal error"
}

func trimNewline(b []byte) []byte {
	if n := len(b); n > 0 && b[n-1] == '\n' {
		return b[:n-1]
	}
	return b
}
