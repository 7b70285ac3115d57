package resolverapi

import (
	"errors"
	"net/http"
	"strings"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// Access events (reference §6.11): one per /resolve, batch item,
// /describe and /metadata (describe), /lineage and /list, and POST
// /telemetry/access. The handlers call these only when s.tel is set;
// each builds the event on the stack and queues a copy, so the request
// pays two clock reads and a channel send.

// fillEvent sets what every event of r has: the end time and latency
// since start, the caller, the operation, the server-side metadata and
// the catalog version.
func (s *Server) fillEvent(e *telemetry.Event, r *http.Request, snap *resolve.Snapshot, op telemetry.Operation, start telemetry.Tick) {
	end := s.tel.Tick()
	e.Timestamp = s.tel.Time(end)
	e.LatencyMs = telemetry.Milliseconds(start, end)
	e.Caller = eventCaller(r)
	e.Operation = op
	e.Outcome = telemetry.OutcomeSuccess
	e.Metadata.EventType = telemetry.EventTypeResolution
	e.CatalogVersion = snap.Catalog().Version()
}

// eventCaller maps the request's caller to upstream's identity fields:
// the authenticated principal is user_id (null when anonymous), the
// X-App-ID and X-Team hints are app_id and team.
func eventCaller(r *http.Request) telemetry.Caller {
	c := httpapi.CallerFrom(r.Context())
	user := c.Principal
	if user == "anonymous" {
		user = ""
	}
	return telemetry.Caller{UserID: user, AppID: c.AppID, Team: c.Team}
}

// setFailure records err: not_found, or error (a policy denial with
// metadata.outcome_detail "denied").
func setFailure(e *telemetry.Event, err error) {
	e.ErrorMessage = err.Error()
	switch {
	case errors.Is(err, moniker.ErrNotFound):
		e.Outcome = telemetry.OutcomeNotFound
	case errors.Is(err, moniker.ErrDenied):
		e.Outcome = telemetry.OutcomeError
		e.Metadata.OutcomeDetail = telemetry.DetailDenied
	default:
		e.Outcome = telemetry.OutcomeError
	}
}

// emitResolved records the resolution of the parsed moniker m: the entry
// (and whether it came from the cache) or the error.
func (s *Server) emitResolved(r *http.Request, snap *resolve.Snapshot, start telemetry.Tick, op telemetry.Operation, m *moniker.Moniker, en *resolve.Entry, cached bool, err error) {
	var e telemetry.Event
	s.fillEvent(&e, r, snap, op, start)
	if err != nil {
		e.Moniker, e.MonikerPath = m.String(), m.Path
		setFailure(&e, err)
		s.tel.Emit(&e)
		return
	}
	res := en.Res
	e.Moniker, e.MonikerPath = res.Moniker, res.Path
	e.ResolvedSourceType = res.SourceType
	e.OwnerAtAccess = res.Ownership[moniker.AccountableOwner].Value
	e.Cached = cached
	if s.deprecationTelemetry {
		e.Deprecated = res.Status == moniker.StatusDeprecated
		e.Successor, e.RedirectedFrom = res.Successor, res.RedirectedFrom
	}
	s.tel.Emit(&e)
}

// emitUnparsed records a moniker that did not parse: the raw text is
// both the moniker and the path, as upstream.
func (s *Server) emitUnparsed(r *http.Request, snap *resolve.Snapshot, start telemetry.Tick, op telemetry.Operation, raw, path string, err error) {
	var e telemetry.Event
	s.fillEvent(&e, r, snap, op, start)
	e.Moniker, e.MonikerPath = raw, path
	setFailure(&e, err)
	s.tel.Emit(&e)
}

// emitDone records a successful describe, lineage or list of m.
func (s *Server) emitDone(r *http.Request, snap *resolve.Snapshot, start telemetry.Tick, op telemetry.Operation, m *moniker.Moniker) {
	var e telemetry.Event
	s.fillEvent(&e, r, snap, op, start)
	e.Moniker, e.MonikerPath = m.String(), m.Path
	s.tel.Emit(&e)
}

// rawMoniker is the moniker string upstream built for a path and query
// that did not parse: moniker://path[?query].
func rawMoniker(body, query string) string {
	if query != "" {
		return "moniker://" + body + "?" + query
	}
	return "moniker://" + body
}

// RateLimited records a request the rate limiter refused, as an event
// with outcome rate_limited (upstream defined the outcome but never
// emitted it). It fits governance.LimiterOptions.OnLimited and runs on
// the request's goroutine; the caller comes from the request (the
// limiter's key is derived from it), the error message is the 429's.
func (s *Server) RateLimited(r *http.Request, _, reason string) {
	if s.tel == nil {
		return
	}
	snap := s.snapshot()
	op, path, query := telemetry.OpRead, "", r.URL.RawQuery
	switch p := r.URL.Path; {
	case p == "/catalog":
		op = telemetry.OpList
	case strings.HasPrefix(p, "/resolve/") && p != "/resolve/batch":
		path = strings.TrimPrefix(p, "/resolve/")
	case strings.HasPrefix(p, "/fetch/"):
		op, path, query = telemetry.OpFetch, strings.TrimPrefix(p, "/fetch/"), monikerQuery(query)
	}
	start := s.tel.Tick()
	var e telemetry.Event
	s.fillEvent(&e, r, snap, op, start)
	e.Moniker, e.MonikerPath = rawMoniker(path, query), path
	if m, err := moniker.ParseParts(path, query); err == nil {
		e.Moniker, e.MonikerPath = m.String(), m.Path
	}
	e.Outcome = telemetry.OutcomeRateLimited
	e.ErrorMessage = reason
	s.tel.Emit(&e)
}
