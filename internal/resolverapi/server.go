package resolverapi

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// VersionHeader carries the catalog generation on every response that read
// the catalog, so an operator can see which replica is stale.
const VersionHeader = "X-Moniker-Catalog-Version"

// AuditReader reads the audit log: the last limit entries for path, oldest
// first ("" = the whole log).
type AuditReader interface {
	Entries(path string, limit int) ([]audit.Entry, error)
}

// Server serves the resolver routes from whatever snapshot Snapshot
// returns at the start of each request.
type Server struct {
	snapshot func() *resolve.Snapshot
	audit    AuditReader
	reload   func(ctx context.Context) (int, string, error)
	status   StatusWriter
	log      *slog.Logger
	tel      *telemetry.Emitter

	fetcher      fetch.Fetcher
	fetchMaxRows int
	fetchTimeout time.Duration

	deprecationTelemetry bool
	managementPages      bool
	project              string

	// hdr caches per-snapshot header values so the hot path allocates
	// none for them.
	hdr atomic.Pointer[snapHeaders]
	// bodies holds *[]byte buffers the JSON answers written by hand
	// (describe, metadata, search) are built in.
	bodies sync.Pool
}

// writeBody answers 200 with the JSON body fill appends to a pooled
// buffer (and a final line break).
func (s *Server) writeBody(w http.ResponseWriter, fill func([]byte) []byte) {
	bp, _ := s.bodies.Get().(*[]byte)
	if bp == nil {
		bp = new(make([]byte, 0, 4096))
	}
	b := append(fill((*bp)[:0]), '\n')
	httpapi.WriteRaw(w, http.StatusOK, b)
	if cap(b) <= 1<<20 {
		*bp = b
		s.bodies.Put(bp)
	}
}

type snapHeaders struct {
	snap    *resolve.Snapshot
	version []string
}

// Config holds a Server's dependencies.
type Config struct {
	// Snapshot returns the current catalog snapshot. Required.
	Snapshot func() *resolve.Snapshot
	// Audit reads the audit log; nil means an empty log.
	Audit AuditReader
	// Reload, when set, serves POST /config/reload (the resolver target's
	// only /config route): it re-reads the files now.
	Reload func(ctx context.Context) (nodes int, version string, err error)
	// Status, when set, serves PUT /catalog/{path}/status: in the
	// monolith the catalog editor (catalogedit.Editor.SetStatus), on a
	// resolver the management client, which forwards to the management
	// plane's PUT /config/status/{path} (the same editor method). Nil
	// answers 501.
	Status StatusWriter
	// Log is the logger; nil discards.
	Log *slog.Logger
	// Telemetry receives the access events (reference §6.11); nil means
	// telemetry is off (telemetry.enabled false).
	Telemetry *telemetry.Emitter
	// DeprecationTelemetry fills the events' deprecated, successor and
	// redirected_from: config deprecation.enabled and
	// deprecation.deprecation_telemetry.
	DeprecationTelemetry bool
	// ManagementPages says this process also serves the management pages
	// (the all target): /ui's navigation links to them.
	ManagementPages bool
	// ProjectName brands /ui (config project_name); empty: "Moniker".
	ProjectName string
	// Fetcher runs GET /fetch: the executor, or a result cache in front
	// of it. Nil answers 501.
	Fetcher fetch.Fetcher
	// FetchMaxRows is the largest /fetch limit (config fetch.max_rows;
	// <= 0: 10,000).
	FetchMaxRows int
	// FetchTimeout is the execution timeout of a binding without its own
	// (config fetch.timeout_seconds; <= 0: fetch.DefaultTimeout); /fetch
	// keeps its connection's deadlines beyond it.
	FetchTimeout time.Duration
}

// StatusWriter applies a lifecycle status change durably.
type StatusWriter interface {
	SetStatus(ctx context.Context, path string, c moniker.StatusChange) (moniker.StatusResult, error)
}

// DefaultFetchMaxRows is the largest /fetch limit when Config.FetchMaxRows
// is not set.
const DefaultFetchMaxRows = 10000

// New returns a resolver server.
func New(c Config) *Server {
	log := c.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{snapshot: c.Snapshot, audit: c.Audit, reload: c.Reload, status: c.Status, log: log.With("component", "resolverapi"),
		tel: c.Telemetry, deprecationTelemetry: c.DeprecationTelemetry, managementPages: c.ManagementPages, project: c.ProjectName,
		fetcher: c.Fetcher, fetchMaxRows: c.FetchMaxRows, fetchTimeout: c.FetchTimeout}
	if s.fetchMaxRows <= 0 {
		s.fetchMaxRows = DefaultFetchMaxRows
	}
	if s.fetchTimeout <= 0 {
		s.fetchTimeout = fetch.DefaultTimeout
	}
	return s
}

// begin takes the request's snapshot and stamps the catalog version header.
func (s *Server) begin(w http.ResponseWriter) *resolve.Snapshot {
	snap := s.snapshot()
	h := s.hdr.Load()
	if h == nil || h.snap != snap {
		h = &snapHeaders{snap: snap, version: []string{snap.Catalog().Version()}}
		s.hdr.Store(h)
	}
	w.Header()[VersionHeader] = h.version
	return snap
}

// queryStatus reads the optional status filter; an invalid one is a 400
// {"detail": "Invalid status: x"} as upstream answered.
func queryStatus(w http.ResponseWriter, r *http.Request) (moniker.Status, bool) {
	st := moniker.Status(r.URL.Query().Get("status"))
	if st != "" && !st.Valid() {
		httpapi.WriteError(w, nil, moniker.Errorf(moniker.ErrInvalid, "Invalid status: %s", st))
		return "", false
	}
	return st, true
}
