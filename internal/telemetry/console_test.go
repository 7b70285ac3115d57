package telemetry

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

func TestConsoleFormats(t *testing.T) {
	e := Event{Timestamp: time.Date(2026, 2, 19, 17, 40, 1, 123456000, time.UTC), Caller: Caller{AppID: "etl-bot"},
		Moniker: "moniker://rates.swap/USD/10Y/ALL", MonikerPath: "rates.swap/USD/10Y/ALL", Operation: OpRead,
		Outcome: OutcomeSuccess, LatencyMs: 0.84, Metadata: Metadata{EventType: EventTypeResolution}}
	e.setUUID(make([]byte, 16))
	forged := e
	forged.MonikerPath = "x\n[TELEMETRY] forged"
	jsonLine := string(e.AppendJSON(nil))
	tests := []struct {
		format Format
		prefix string
		events []Event
		want   string
	}{
		{FormatJSON, DefaultPrefix, []Event{e, e}, "[TELEMETRY] " + jsonLine + "\n[TELEMETRY] " + jsonLine + "\n"},
		{FormatJSON, "", []Event{e}, jsonLine + "\n"},
		{FormatCompact, DefaultPrefix, []Event{e},
			"[TELEMETRY] 2026-02-19T17:40:01.123456+00:00 etl-bot read rates.swap/USD/10Y/ALL success 0.8ms\n"},
		{FormatCompact, ">", []Event{forged},
			">2026-02-19T17:40:01.123456+00:00 etl-bot read x\\x0a[TELEMETRY] forged success 0.8ms\n"},
	}
	for _, tt := range tests {
		t.Run(string(tt.format), func(t *testing.T) {
			var out bytes.Buffer
			c, err := NewConsole(&out, tt.format, tt.prefix)
			if err != nil {
				t.Fatal(err)
			}
			if err := c.Write(context.Background(), tt.events); err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got\n%q\nwant\n%q", out.String(), tt.want)
			}
		})
	}
}

func TestConsolePretty(t *testing.T) {
	var out bytes.Buffer
	c, err := NewConsole(&out, FormatPretty, DefaultPrefix)
	if err != nil {
		t.Fatal(err)
	}
	e := Event{MonikerPath: "a/b", Operation: OpList, Outcome: OutcomeSuccess}
	if err := c.Write(context.Background(), []Event{e, e}); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if n := strings.Count(text, DefaultPrefix); n != 2 {
		t.Errorf("prefix printed %d times for 2 events, want once each:\n%s", n, text)
	}
	for i, chunk := range strings.Split(strings.TrimSuffix(text, "\n"), "\n"+DefaultPrefix) {
		chunk = strings.TrimPrefix(chunk, DefaultPrefix)
		var m map[string]any
		if err := json.Unmarshal([]byte(chunk), &m); err != nil {
			t.Fatalf("event %d is not JSON: %v\n%s", i, err, chunk)
		}
		if m["moniker_path"] != "a/b" || !strings.Contains(chunk, "\n  \"caller\": {\n    \"principal\": \"anonymous\",") {
			t.Errorf("event %d not indented by two spaces:\n%s", i, chunk)
		}
	}
}

func TestConsoleRejects(t *testing.T) {
	if _, err := NewConsole(&bytes.Buffer{}, "yaml", ""); err == nil {
		t.Error("format yaml accepted")
	}
	c, _ := NewConsole(&bytes.Buffer{}, FormatJSON, "")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := c.Write(ctx, []Event{{}}); err == nil {
		t.Error("Write with a cancelled context succeeded")
	}
}
