package telemetry

import (
	"bytes"
	"encoding/json"
	"math"
	"regexp"
	"testing"
	"time"
)

// eventJSON is the documented shape of an event, encoded by
// encoding/json to check the hand-written encoder against.
type eventJSON struct {
	RequestID          string         `json:"request_id"`
	Timestamp          string         `json:"timestamp"`
	Caller             callerJSON     `json:"caller"`
	Moniker            string         `json:"moniker"`
	MonikerDomain      string         `json:"moniker_domain"`
	MonikerPath        string         `json:"moniker_path"`
	Operation          string         `json:"operation"`
	Outcome            string         `json:"outcome"`
	ErrorMessage       *string        `json:"error_message"`
	LatencyMs          float64        `json:"latency_ms"`
	ResolvedSourceType *string        `json:"resolved_source_type"`
	ResolvedSourcePath *string        `json:"resolved_source_path"`
	OwnerAtAccess      *string        `json:"owner_at_access"`
	ResultCount        *int64         `json:"result_count"`
	Cached             bool           `json:"cached"`
	Metadata           map[string]any `json:"metadata"`
	Deprecated         bool           `json:"deprecated"`
	Successor          *string        `json:"successor"`
	RedirectedFrom     *string        `json:"redirected_from"`
	CatalogVersion     *string        `json:"catalog_version"`
}

type callerJSON struct {
	Principal string  `json:"principal"`
	ServiceID *string `json:"service_id"`
	UserID    *string `json:"user_id"`
	AppID     *string `json:"app_id"`
	Team      *string `json:"team"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// mirror is e in the documented shape, built independently of AppendJSON.
func mirror(e *Event) eventJSON {
	md := map[string]any{}
	if e.Metadata.EventType != "" {
		md["event_type"] = e.Metadata.EventType
	}
	if e.Metadata.OutcomeDetail != "" {
		md["outcome_detail"] = e.Metadata.OutcomeDetail
	}
	return eventJSON{
		RequestID: e.ID(),
		Timestamp: e.Timestamp.UTC().Format("2006-01-02T15:04:05.000000") + "+00:00",
		Caller: callerJSON{Principal: e.Caller.Principal(), ServiceID: nullable(e.Caller.ServiceID), UserID: nullable(e.Caller.UserID),
			AppID: nullable(e.Caller.AppID), Team: nullable(e.Caller.Team)},
		Moniker: e.Moniker, MonikerDomain: e.Domain(), MonikerPath: e.MonikerPath,
		Operation: string(e.Operation), Outcome: string(e.Outcome), ErrorMessage: nullable(e.ErrorMessage),
		LatencyMs: e.LatencyMs, ResolvedSourceType: nullable(e.ResolvedSourceType), ResolvedSourcePath: nullable(e.ResolvedSourcePath),
		OwnerAtAccess: nullable(e.OwnerAtAccess), ResultCount: e.ResultCount, Cached: e.Cached, Metadata: md,
		Deprecated: e.Deprecated, Successor: nullable(e.Successor), RedirectedFrom: nullable(e.RedirectedFrom),
		CatalogVersion: nullable(e.CatalogVersion),
	}
}

func checkEncoding(t *testing.T, e *Event) {
	t.Helper()
	got := e.AppendJSON(nil)
	want, err := json.Marshal(mirror(e))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("AppendJSON differs from encoding/json:\n got %s\nwant %s", got, want)
	}
}

func TestAppendJSONMatchesEncodingJSON(t *testing.T) {
	n := int64(42)
	zero := int64(0)
	ts := time.Date(2026, 2, 19, 18, 40, 1, 123456789, time.FixedZone("CET", 3600))
	tests := []struct {
		name string
		e    Event
	}{
		{"zero", Event{}},
		{"upstream example", Event{RequestID: "0b6f5c1e-7d7a-4c55-9a36-2f9a4a1d2e10", Timestamp: ts,
			Caller:  Caller{AppID: "etl-bot", Team: "quant"},
			Moniker: "moniker://rates.swap/USD/10Y/ALL", MonikerPath: "rates.swap/USD/10Y/ALL",
			Operation: OpRead, Outcome: OutcomeSuccess, LatencyMs: 0.84, ResolvedSourceType: "snowflake",
			OwnerAtAccess: "rates-governance@firm.com", Metadata: Metadata{EventType: EventTypeResolution}, CatalogVersion: "3f2a1b"}},
		{"every field", Event{Timestamp: ts, Caller: Caller{ServiceID: "svc", UserID: "alice", AppID: "app", Team: "t"},
			Moniker: "m", MonikerDomain: "dom", MonikerPath: "p/q", Operation: OpDescribe, Outcome: OutcomeError,
			ErrorMessage: "boom", LatencyMs: 12.5, ResolvedSourceType: "oracle", ResolvedSourcePath: "x", OwnerAtAccess: "o",
			ResultCount: &n, Cached: true, Metadata: Metadata{EventType: EventTypeResolution, OutcomeDetail: DetailDenied},
			Deprecated: true, Successor: "s", RedirectedFrom: "r", CatalogVersion: "v"}},
		{"detail only", Event{Metadata: Metadata{OutcomeDetail: DetailDenied}, ResultCount: &zero}},
		{"escapes", Event{Moniker: "moniker://a\"b\\c\n\t\x01<script>&\u2028\u2029é\xff", MonikerPath: "a/\x7f",
			ErrorMessage: "Invalid moniker: \"a b\"", Caller: Caller{UserID: "<bob>"}}},
		{"tiny latency", Event{LatencyMs: 1e-7}},
		{"huge latency", Event{LatencyMs: 1e22}},
		{"negative latency", Event{LatencyMs: -0.5}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			checkEncoding(t, &tt.e)
		})
	}
}

func TestAppendJSONNonFinite(t *testing.T) {
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		b := (&Event{LatencyMs: f}).AppendJSON(nil)
		if !json.Valid(b) || !bytes.Contains(b, []byte(`"latency_ms":null`)) {
			t.Errorf("latency %v: %s", f, b)
		}
	}
}

func TestTimestampFormat(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{time.Date(2026, 2, 19, 18, 40, 1, 123456789, time.FixedZone("CET", 3600)), "2026-02-19T17:40:01.123456+00:00"},
		{time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), "2026-01-02T03:04:05.000000+00:00"},
		{time.Date(2026, 1, 2, 3, 4, 5, 7000, time.UTC), "2026-01-02T03:04:05.000007+00:00"},
		{time.Date(2026, 1, 2, 3, 4, 6, 0, time.UTC), "2026-01-02T03:04:06.000000+00:00"},
		{time.Date(999, 12, 31, 23, 59, 59, 999999999, time.UTC), "0999-12-31T23:59:59.999999+00:00"},
		{time.Date(2026, 1, 2, 4, 4, 5, 1000, time.FixedZone("X", 3600)), "2026-01-02T03:04:05.000001+00:00"},
	}
	var enc encoder // shared: the per-second cache must follow the seconds
	for _, tt := range tests {
		if got := string(enc.appendTimestamp(nil, tt.t)); got != tt.want {
			t.Errorf("%v: got %s, want %s", tt.t, got, tt.want)
		}
	}
}

func TestPrincipal(t *testing.T) {
	tests := []struct {
		c    Caller
		want string
	}{
		{Caller{}, "anonymous"},
		{Caller{Team: "t"}, "anonymous"},
		{Caller{AppID: "app"}, "app"},
		{Caller{UserID: "alice", AppID: "app"}, "alice"},
		{Caller{ServiceID: "svc", UserID: "alice", AppID: "app"}, "svc"},
	}
	for _, tt := range tests {
		if got := tt.c.Principal(); got != tt.want {
			t.Errorf("%+v: principal %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestDomain(t *testing.T) {
	tests := []struct{ path, domain, want string }{
		{"risk.cvar/758-A/USD", "", "risk.cvar"},
		{"prices", "", "prices"},
		{"", "", ""},
		{"a/b", "explicit", "explicit"},
	}
	for _, tt := range tests {
		e := Event{MonikerPath: tt.path, MonikerDomain: tt.domain}
		if got := e.Domain(); got != tt.want {
			t.Errorf("Domain(%q, %q) = %q, want %q", tt.path, tt.domain, got, tt.want)
		}
	}
}

var uuidV4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestUUID(t *testing.T) {
	var e Event
	e.setUUID(bytes.Repeat([]byte{0xff}, 16))
	if id := e.ID(); !uuidV4.MatchString(id) || id != "ffffffff-ffff-4fff-bfff-ffffffffffff" {
		t.Errorf("all-ones UUID: %s", id)
	}
	e.setUUID(make([]byte, 16))
	if id := e.ID(); id != "00000000-0000-4000-8000-000000000000" {
		t.Errorf("all-zero UUID: %s", id)
	}
	e.RequestID = "req-1"
	if e.ID() != "req-1" {
		t.Errorf("RequestID not used: %s", e.ID())
	}
}

func FuzzAppendJSON(f *testing.F) {
	f.Add("moniker://prices.equity/AAPL", "prices.equity/AAPL", "alice", "oops", 0.84, int64(3), int64(1771522801123456), true)
	f.Add("a\"\\\n<>&\u2028", "\xff\xfe", "", "", 1e-9, int64(-1), int64(0), false)
	f.Fuzz(func(t *testing.T, mon, path, user, msg string, lat float64, count, micros int64, cached bool) {
		if math.IsNaN(lat) || math.IsInf(lat, 0) {
			return // encoding/json refuses them; TestAppendJSONNonFinite covers null
		}
		// Years 1..9999 only (the timestamp is four digits).
		micros = micros % (253402300799 * 1e6)
		if micros < 0 {
			micros = -micros
		}
		e := Event{Timestamp: time.UnixMicro(micros - 62135596800*1e6).UTC(), Moniker: mon, MonikerPath: path,
			Caller: Caller{UserID: user, Team: msg}, ErrorMessage: msg, LatencyMs: lat, Cached: cached,
			OwnerAtAccess: user, Successor: path, Metadata: Metadata{EventType: msg}}
		if count >= 0 {
			e.ResultCount = &count
		}
		e.setUUID([]byte(path + "0123456789abcdef"))
		got := e.AppendJSON(nil)
		if !json.Valid(got) {
			t.Fatalf("invalid JSON: %s", got)
		}
		checkEncoding(t, &e)
	})
}

func BenchmarkAppendJSON(b *testing.B) {
	e := sampleEvent()
	buf := make([]byte, 0, 1024)
	var enc encoder
	b.ReportAllocs()
	for b.Loop() {
		buf = enc.append(buf[:0], &e)
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkEncodingJSON(b *testing.B) {
	e := sampleEvent()
	m := mirror(&e)
	b.ReportAllocs()
	for b.Loop() {
		_, _ = json.Marshal(&m)
	}
}

func sampleEvent() Event {
	return Event{Timestamp: time.Now(), Caller: Caller{AppID: "etl-bot", Team: "quant"},
		Moniker: "moniker://prices.equity/AAPL@20260115", MonikerPath: "prices.equity/AAPL",
		Operation: OpRead, Outcome: OutcomeSuccess, LatencyMs: 0.0123, ResolvedSourceType: "snowflake",
		OwnerAtAccess: "market-data-governance@firm.com", Cached: true, Metadata: Metadata{EventType: EventTypeResolution},
		CatalogVersion: "9c1e2f3a4b5d"}
}
