package resolverapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/telemetry"
)

// memorySink keeps every event; gate, when set, blocks writes until it
// is closed.
type memorySink struct {
	mu     sync.Mutex
	events []telemetry.Event
	gate   chan struct{}
}

func (m *memorySink) Write(ctx context.Context, events []telemetry.Event) error {
	if m.gate != nil {
		select {
		case <-m.gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.events = append(m.events, events...)
	return nil
}

func (m *memorySink) Close() error { return nil }

func TestTelemetryAccess(t *testing.T) {
	tests := []struct {
		name   string
		body   string
		status int
		answer string   // the 200 body's status
		bad    []string // the 422 body's fields
		check  func(t *testing.T, e telemetry.Event)
	}{
		{name: "python client", status: 200, answer: "recorded",
			body: `{"moniker":"moniker://prices.equity/AAPL@20260115","outcome":"success","latency_ms":12.5,"source_type":"snowflake","row_count":42,"error_message":null,"deprecated":true,"successor":"prices.equity.v2"}`,
			check: func(t *testing.T, e telemetry.Event) {
				if e.Operation != telemetry.OpRead || e.Outcome != telemetry.OutcomeSuccess || e.MonikerPath != "prices.equity/AAPL" ||
					e.Moniker != "moniker://prices.equity/AAPL@20260115" || e.LatencyMs != 12.5 || e.ResolvedSourceType != "snowflake" ||
					e.ResultCount == nil || *e.ResultCount != 42 || e.OwnerAtAccess != "owner@firm.com" || e.ErrorMessage != "" ||
					e.Metadata != (telemetry.Metadata{}) || e.Cached || !e.Deprecated || e.Successor != "prices.equity.v2" ||
					e.Caller.AppID != "etl-bot" || e.Caller.Principal() != "etl-bot" || e.CatalogVersion == "" {
					t.Errorf("event %+v", e)
				}
			}},
		{name: "minimal", status: 200, answer: "recorded", body: `{"moniker":"prices","outcome":"not_found","latency_ms":0}`,
			check: func(t *testing.T, e telemetry.Event) {
				if e.Outcome != telemetry.OutcomeNotFound || e.MonikerPath != "prices" || e.ResultCount != nil || e.OwnerAtAccess != "owner@firm.com" {
					t.Errorf("event %+v", e)
				}
			}},
		{name: "unknown outcome is error", status: 200, answer: "recorded",
			body: `{"moniker":"prices","outcome":"partial","latency_ms":1,"error_message":"timeout"}`,
			check: func(t *testing.T, e telemetry.Event) {
				if e.Outcome != telemetry.OutcomeError || e.ErrorMessage != "timeout" {
					t.Errorf("event %+v", e)
				}
			}},
		{name: "unparsable moniker kept as given", status: 200, answer: "recorded",
			body: `{"moniker":"http://x y","outcome":"error","latency_ms":1}`,
			check: func(t *testing.T, e telemetry.Event) {
				if e.Moniker != "http://x y" || e.MonikerPath != "http://x y" || e.OwnerAtAccess != "" {
					t.Errorf("event %+v", e)
				}
			}},
		{name: "missing fields", body: `{"source_type":"oracle"}`, status: 422, bad: []string{"moniker", "outcome", "latency_ms"}},
		{name: "negative latency", body: `{"moniker":"a","outcome":"success","latency_ms":-0.1}`, status: 422, bad: []string{"latency_ms"}},
		{name: "negative row count", body: `{"moniker":"a","outcome":"success","latency_ms":1,"row_count":-1}`, status: 422, bad: []string{"row_count"}},
		{name: "fractional row count", body: `{"moniker":"a","outcome":"success","latency_ms":1,"row_count":1.5}`, status: 422, bad: []string{""}},
		{name: "latency not a number", body: `{"moniker":"a","outcome":"success","latency_ms":"fast"}`, status: 422, bad: []string{""}},
		{name: "unknown field", body: `{"moniker":"a","outcome":"success","latency_ms":1,"rows":3}`, status: 422, bad: []string{""}},
		{name: "not JSON", body: `moniker=a`, status: 422, bad: []string{""}},
		{name: "empty", body: ``, status: 422, bad: []string{""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &memorySink{}
			em := telemetry.New(telemetry.Options{Sink: sink, FlushInterval: time.Hour})
			h, _ := richServer(t, em)
			req := httptest.NewRequest("POST", "/telemetry/access", strings.NewReader(tt.body))
			req = req.WithContext(httpapi.WithCaller(req.Context(), httpapi.Caller{AppID: "etl-bot"}))
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if err := em.Close(context.Background()); err != nil {
				t.Fatal(err)
			}
			if rec.Code != tt.status {
				t.Fatalf("status %d, want %d: %s", rec.Code, tt.status, rec.Body)
			}
			if tt.status != 200 {
				var body struct {
					Detail []struct {
						Loc []string `json:"loc"`
					} `json:"detail"`
					Code string `json:"code"`
				}
				if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Code != "validation_error" || len(body.Detail) != len(tt.bad) {
					t.Fatalf("422 body %s (%v)", rec.Body, err)
				}
				for i, f := range tt.bad {
					if f != "" && (len(body.Detail[i].Loc) != 2 || body.Detail[i].Loc[1] != f) {
						t.Errorf("error %d at %v, want body.%s", i, body.Detail[i].Loc, f)
					}
				}
				if len(sink.events) != 0 {
					t.Errorf("a refused report was recorded: %+v", sink.events)
				}
				return
			}
			if got := rec.Body.String(); got != `{"status":"`+tt.answer+`"}`+"\n" {
				t.Errorf("body %q", got)
			}
			if len(sink.events) != 1 {
				t.Fatalf("%d events recorded, want 1", len(sink.events))
			}
			tt.check(t, sink.events[0])
		})
	}
}

func TestTelemetryAccessDisabledAndFull(t *testing.T) {
	body := `{"moniker":"prices","outcome":"success","latency_ms":1}`
	post := func(h http.Handler) string {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest("POST", "/telemetry/access", strings.NewReader(body)))
		if rec.Code != 200 {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
		return rec.Body.String()
	}
	off, _ := richServer(t, nil)
	if got := post(off); got != `{"status":"disabled"}`+"\n" {
		t.Errorf("telemetry off: %s", got)
	}

	sink := &memorySink{gate: make(chan struct{})}
	em := telemetry.New(telemetry.Options{Sink: sink, BatchSize: 1, MaxQueue: 1, FlushInterval: time.Hour})
	full, _ := richServer(t, em)
	answers := map[string]int{}
	for range 5 {
		answers[post(full)]++
	}
	// One event in the blocked write (at most), one in the queue, the
	// rest dropped.
	if answers[`{"status":"dropped"}`+"\n"] < 3 || answers[`{"status":"recorded"}`+"\n"] < 1 {
		t.Errorf("answers with a full queue: %v", answers)
	}
	close(sink.gate)
	if err := em.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := em.Stats(); st.Dropped+st.EventsSent != 5 || int(st.EventsSent) != answers[`{"status":"recorded"}`+"\n"] {
		t.Errorf("stats %+v, answers %v", st, answers)
	}
}
