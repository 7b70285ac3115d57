package resolverapi

import (
	"net/http"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// accessReport is the body of POST /telemetry/access (reference §3.7):
// a data access the client performed itself after /resolve. Pointers
// tell a missing field from a zero one.
type accessReport struct {
	Moniker      *string  `json:"moniker"`
	Outcome      *string  `json:"outcome"`
	LatencyMs    *float64 `json:"latency_ms"`
	SourceType   *string  `json:"source_type"`
	RowCount     *int64   `json:"row_count"`
	ErrorMessage *string  `json:"error_message"`
	// Deprecated and Successor are sent by the Python client; they are
	// recorded with deprecation telemetry on.
	Deprecated *bool   `json:"deprecated"`
	Successor  *string `json:"successor"`
}

// validate lists the body's field errors (upstream's 422 shape).
func (a *accessReport) validate() []moniker.FieldError {
	var errs []moniker.FieldError
	missing := func(name string) {
		errs = append(errs, httpapi.Missing(name))
	}
	if a.Moniker == nil {
		missing("moniker")
	}
	if a.Outcome == nil {
		missing("outcome")
	}
	switch {
	case a.LatencyMs == nil:
		missing("latency_ms")
	case *a.LatencyMs < 0:
		errs = append(errs, moniker.FieldError{Type: "greater_than_equal", Loc: []string{"latency_ms"},
			Msg: "Input should be greater than or equal to 0", Input: *a.LatencyMs})
	}
	if a.RowCount != nil && *a.RowCount < 0 {
		errs = append(errs, moniker.FieldError{Type: "greater_than_equal", Loc: []string{"row_count"},
			Msg: "Input should be greater than or equal to 0", Input: *a.RowCount})
	}
	return errs
}

// Answers of POST /telemetry/access (the "status" field).
const (
	accessRecorded = "recorded" // queued for the sink
	accessDropped  = "dropped"  // the telemetry queue was full
	accessDisabled = "disabled" // telemetry.enabled is false
)

// handleAccess records a client-reported access as a read event with
// the moniker's accountable owner at this catalog generation.
func (s *Server) handleAccess() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		snap := s.begin(w)
		a, ok := httpapi.DecodeJSON[accessReport](w, r, httpapi.MaxBody)
		if !ok {
			return
		}
		if errs := a.validate(); len(errs) > 0 {
			httpapi.WriteFields(w, httpapi.InBody, errs...)
			return
		}
		status := accessDisabled
		if s.tel != nil {
			e := telemetry.Event{Timestamp: s.tel.Time(s.tel.Tick()), Caller: eventCaller(r), Moniker: *a.Moniker,
				MonikerPath: *a.Moniker, Operation: telemetry.OpRead, LatencyMs: *a.LatencyMs, ResultCount: a.RowCount,
				CatalogVersion: snap.Catalog().Version()}
			if m, err := moniker.Parse(*a.Moniker); err == nil {
				e.MonikerPath = m.Path
			}
			switch o := telemetry.Outcome(*a.Outcome); o {
			case telemetry.OutcomeSuccess, telemetry.OutcomeNotFound, telemetry.OutcomeError:
				e.Outcome = o
			default:
				e.Outcome = telemetry.OutcomeError
			}
			if a.SourceType != nil {
				e.ResolvedSourceType = *a.SourceType
			}
			if a.ErrorMessage != nil {
				e.ErrorMessage = *a.ErrorMessage
			}
			if s.deprecationTelemetry {
				e.Deprecated = a.Deprecated != nil && *a.Deprecated
				if a.Successor != nil {
					e.Successor = *a.Successor
				}
			}
			own := snap.Ownership(e.MonikerPath)
			e.OwnerAtAccess = own[moniker.AccountableOwner].Value
			status = accessDropped
			if s.tel.Emit(&e) {
				status = accessRecorded
			}
		}
		httpapi.WriteJSON(w, http.StatusOK, struct {
			Status string `json:"status"`
		}{status})
	})
}
