package telemetry

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// fileLines reads base, base.1, base.2, ... in order (stopping at the
// first missing number) and returns every line, failing on a line that
// is not a complete JSON object. It also returns the number of files and
// their sizes.
func fileLines(t *testing.T, dir, base string) (lines []map[string]any, sizes []int64) {
	t.Helper()
	for n := 0; ; n++ {
		path := filepath.Join(dir, numbered(base, n))
		data, err := os.ReadFile(path)
		if os.IsNotExist(err) {
			if n == 0 {
				t.Fatalf("%s missing", path)
			}
			return lines, sizes
		}
		if err != nil {
			t.Fatal(err)
		}
		sizes = append(sizes, int64(len(data)))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			t.Fatalf("%s ends in a partial line", path)
		}
		sc := bufio.NewScanner(strings.NewReader(string(data)))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var m map[string]any
			if err := json.Unmarshal(sc.Bytes(), &m); err != nil {
				t.Fatalf("%s: a line is not JSON (%v): %q", path, err, sc.Text())
			}
			lines = append(lines, m)
		}
	}
}

// seqEvent is event i, identified by its request_id, at ts.
func seqEvent(i int, ts time.Time) Event {
	return Event{RequestID: strconv.Itoa(i), Timestamp: ts, MonikerPath: "prices.equity/AAPL", Operation: OpRead,
		Outcome: OutcomeSuccess, LatencyMs: float64(i) / 7}
}

func writeBatches(t *testing.T, fl *File, events []Event) {
	t.Helper()
	for start, size := 0, 1; start < len(events); start, size = start+size, size%37+1 {
		end := min(start+size, len(events))
		if err := fl.Write(context.Background(), events[start:end]); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFileCreatesDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "a", "b", "telemetry")
	fl, err := NewFile(dir, DefaultFilePattern, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer fl.Close()
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("directory not created at start: %v", err)
	}
	ts := time.Date(2026, 2, 19, 17, 40, 1, 0, time.FixedZone("CET", 3600))
	if err := fl.Write(context.Background(), []Event{seqEvent(0, ts)}); err != nil {
		t.Fatal(err)
	}
	// The default pattern, in UTC (16h), not in the event's zone (17h).
	if want := filepath.Join(dir, "telemetry-20260219-16.jsonl"); fl.Path() != want {
		t.Errorf("wrote %s, want %s", fl.Path(), want)
	}
}

// TestFileRotationBySize writes 3000 events in batches of 1 to 37 with a
// 4 KiB limit: many rollovers, each file within the limit, every line
// whole and present once, in order.
func TestFileRotationBySize(t *testing.T) {
	dir := t.TempDir()
	const maxBytes = 4096
	fl, err := NewFile(dir, "t-%Y%m%d.jsonl", maxBytes)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2026, 2, 19, 10, 0, 0, 0, time.UTC)
	events := make([]Event, 3000)
	for i := range events {
		events[i] = seqEvent(i, ts.Add(time.Duration(i)*time.Millisecond))
	}
	writeBatches(t, fl, events)
	if err := fl.Close(); err != nil {
		t.Fatal(err)
	}
	lines, sizes := fileLines(t, dir, "t-20260219.jsonl")
	if len(sizes) < 10 {
		t.Fatalf("%d files: expected many rollovers", len(sizes))
	}
	for n, s := range sizes {
		if s > maxBytes {
			t.Errorf("file %d has %d bytes > max_bytes %d", n, s, maxBytes)
		}
	}
	checkSequence(t, lines, 0, len(events))
	if entries, _ := os.ReadDir(dir); len(entries) != len(sizes) {
		t.Errorf("%d files in the folder, %d in the numbered sequence", len(entries), len(sizes))
	}
}

func checkSequence(t *testing.T, lines []map[string]any, from, to int) {
	t.Helper()
	if len(lines) != to-from {
		t.Fatalf("%d lines, want %d", len(lines), to-from)
	}
	for i, m := range lines {
		if m["request_id"] != strconv.Itoa(from+i) {
			t.Fatalf("line %d has request_id %v, want %d (lost, duplicated or reordered)", i, m["request_id"], from+i)
		}
	}
}

// TestFileRotationByPattern spreads events over five minutes with a
// per-minute pattern in dated folders and a size limit: each minute's
// files hold exactly that minute's events.
func TestFileRotationByPattern(t *testing.T) {
	dir := t.TempDir()
	fl, err := NewFile(dir, "%Y/%m/t-%d-%H%M.jsonl", 3000)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Date(2026, 12, 31, 23, 58, 30, 0, time.UTC)
	events := make([]Event, 600)
	for i := range events {
		events[i] = seqEvent(i, start.Add(time.Duration(i)*500*time.Millisecond)) // 5 minutes
	}
	writeBatches(t, fl, events)
	if err := fl.Close(); err != nil {
		t.Fatal(err)
	}
	next := 0
	for m := 0; m < 6; m++ {
		minute := start.Truncate(time.Minute).Add(time.Duration(m) * time.Minute)
		base := minute.Format("2006/01/t-02-1504.jsonl")
		lines, sizes := fileLines(t, dir, base)
		for n, s := range sizes {
			if s > 3000 {
				t.Errorf("%s file %d: %d bytes", base, n, s)
			}
		}
		for _, l := range lines {
			ts, err := time.Parse("2006-01-02T15:04:05.000000-07:00", l["timestamp"].(string))
			if err != nil || !ts.Truncate(time.Minute).Equal(minute) {
				t.Errorf("%s holds an event at %v (%v)", base, l["timestamp"], err)
			}
		}
		checkSequence(t, lines, next, next+len(lines))
		next += len(lines)
	}
	if next != len(events) {
		t.Errorf("%d events in the minute files, want %d", next, len(events))
	}
	if _, err := os.Stat(filepath.Join(dir, "2027", "01", "t-01-0000.jsonl")); err != nil {
		t.Errorf("the new year's folder: %v", err)
	}
}

// TestFileRestartContinues reopens a folder and keeps appending to the
// newest numbered file, never truncating.
func TestFileRestartContinues(t *testing.T) {
	dir := t.TempDir()
	ts := time.Date(2026, 2, 19, 10, 0, 0, 0, time.UTC)
	events := make([]Event, 400)
	for i := range events {
		events[i] = seqEvent(i, ts)
	}
	for _, part := range [][]Event{events[:250], events[250:]} {
		fl, err := NewFile(dir, "t.jsonl", 5000)
		if err != nil {
			t.Fatal(err)
		}
		writeBatches(t, fl, part)
		if err := fl.Close(); err != nil {
			t.Fatal(err)
		}
	}
	lines, _ := fileLines(t, dir, "t.jsonl")
	checkSequence(t, lines, 0, len(events))
}

func TestFileLineLargerThanLimit(t *testing.T) {
	dir := t.TempDir()
	fl, err := NewFile(dir, "t.log", 10)
	if err != nil {
		t.Fatal(err)
	}
	ts := time.Date(2026, 2, 19, 10, 0, 0, 0, time.UTC)
	if err := fl.Write(context.Background(), []Event{seqEvent(0, ts), seqEvent(1, ts), seqEvent(2, ts)}); err != nil {
		t.Fatal(err)
	}
	fl.Close()
	lines, sizes := fileLines(t, dir, "t.log")
	checkSequence(t, lines, 0, 3)
	if len(sizes) != 3 {
		t.Errorf("%d files, want one per oversized line", len(sizes))
	}
	if _, err := os.Stat(filepath.Join(dir, "t.2.log")); err != nil {
		t.Errorf("numbered name: %v", err)
	}
}

func TestFilePatternErrors(t *testing.T) {
	for _, p := range []string{"", "t-%Q.log", "t-%", "%Y-%j"} {
		if _, err := NewFile(t.TempDir(), p, 0); err == nil {
			t.Errorf("pattern %q accepted", p)
		}
	}
	if _, err := NewFile(t.TempDir(), "t", -1); err == nil {
		t.Error("negative max_bytes accepted")
	}
	parts, err := parsePattern("a%%b-%Y")
	if err != nil || len(parts) != 2 || parts[0].lit != "a%b-" || parts[1].dir != 'Y' {
		t.Errorf("%%%% not a literal %%: %+v %v", parts, err)
	}
}

func TestNumbered(t *testing.T) {
	tests := []struct {
		base string
		n    int
		want string
	}{
		{"telemetry-20260219-17.jsonl", 0, "telemetry-20260219-17.jsonl"},
		{"telemetry-20260219-17.jsonl", 3, "telemetry-20260219-17.3.jsonl"},
		{"events", 1, "events.1"},
		{"2026/02/t.log", 2, "2026/02/t.2.log"},
	}
	for _, tt := range tests {
		if got := numbered(tt.base, tt.n); got != tt.want {
			t.Errorf("numbered(%q, %d) = %q, want %q", tt.base, tt.n, got, tt.want)
		}
	}
}
