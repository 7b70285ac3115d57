// Package audit is the durable audit log: append-only JSON lines in a file
// beside the catalog, shared by every process that writes (management,
// status changes) and read by GET /catalog/{path}/audit on any target.
package audit

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// Entry is one audit record (upstream's shape).
type Entry struct {
	Timestamp string `json:"timestamp"` // RFC 3339, UTC
	Path      string `json:"path"`
	Action    string `json:"action"` // status_changed, request_approved, node_created, ...
	Actor     string `json:"actor"`
	OldValue  any    `json:"old_value"`
	NewValue  any    `json:"new_value"`
	Details   any    `json:"details"`
}

// Log appends to and reads one audit file.
type Log struct {
	path string
	now  func() time.Time
}

// FileName is the audit log's name in the catalog's folder.
const FileName = "audit.jsonl"

// New returns the log at path (created on first append).
func New(path string) *Log { return &Log{path: path, now: time.Now} }

// ForCatalog returns the log beside a catalog file or in a catalog folder.
func ForCatalog(catalogPath string) *Log {
	dir := catalogPath
	if st, err := os.Stat(catalogPath); err != nil || !st.IsDir() {
		dir = filepath.Dir(catalogPath)
	}
	return New(filepath.Join(dir, FileName))
}

// Path returns the file the log lives in.
func (l *Log) Path() string { return l.path }

// Append writes entries durably (fsync) as one append under the file's
// lock, stamping a missing timestamp with the current time.
func (l *Log) Append(ctx context.Context, entries ...Entry) error {
	var buf bytes.Buffer
	for _, e := range entries {
		if e.Timestamp == "" {
			e.Timestamp = l.now().UTC().Format(time.RFC3339Nano)
		}
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		buf.Write(b)
		buf.WriteByte('\n')
	}
	lock, err := yamlfile.Acquire(ctx, l.path)
	if err != nil {
		return err
	}
	defer lock.Release()
	f, err := os.OpenFile(l.path, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.Write(buf.Bytes()); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Entries returns the last limit entries for path, oldest first; path ""
// means every path. A missing log has no entries. A line that does not
// parse (a torn write from a crashed writer) is skipped.
func (l *Log) Entries(path string, limit int) ([]Entry, error) {
	f, err := os.Open(l.path)
	if errors.Is(err, fs.ErrNotExist) {
		return []Entry{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []Entry
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 16<<20)
	for sc.Scan() {
		line := sc.Bytes()
		if path != "" && !bytes.Contains(line, []byte(`"path":`)) {
			continue
		}
		var e Entry
		if err := json.Unmarshal(line, &e); err != nil {
			continue
		}
		if path != "" && e.Path != path {
			continue
		}
		out = append(out, e)
		if limit > 0 && len(out) > 2*limit {
			out = append(out[:0], out[len(out)-limit:]...)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading %s: %w", l.path, err)
	}
	if limit > 0 && len(out) > limit {
		out = out[len(out)-limit:]
	}
	if out == nil {
		out = []Entry{}
	}
	return out, nil
}
