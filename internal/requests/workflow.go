package requests

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moniker-svc/moniker/internal/audit"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// Committer is the catalog as the workflow uses it: Get checks whether a
// path is a node (and reads its version), Commit writes the approved node
// through the catalog's conflict-safe save. *catalogedit.Editor
// implements it.
type Committer interface {
	Commit(ctx context.Context, changes []catalogedit.NodeChange, actor string) error
	Get(path string) (*moniker.Node, string, bool)
}

// Options configure a Workflow.
type Options struct {
	// Catalog checks submissions (path free, parent domain present) and
	// receives approved nodes. nil: submissions skip the catalog checks
	// and approval answers "catalog not initialized".
	Catalog Committer
	// Audit receives an entry per transition (nil: no audit).
	Audit *audit.Log
	Log   *slog.Logger
	// Now is the clock (default time.Now).
	Now func() time.Time
}

// Workflow holds the requests and drives their state machine. It is safe
// for concurrent use, and several Workflows (in one or more processes) may
// share one file.
type Workflow struct {
	path  string
	cat   Committer
	audit *audit.Log
	log   *slog.Logger
	now   func() time.Time

	mu sync.RWMutex
	st *state
	// seen is the file identity last examined by refresh.
	seen os.FileInfo
	// maxID is the largest id number this Workflow has seen, so an id is
	// not minted twice even if its request vanished from the file.
	maxID int
}

// state is the requests as one read (or write) of the file holds them.
// It is never modified once published.
type state struct {
	reqs   []*Request // file order
	texts  [][]byte   // canonical text of each request
	index  map[string]int
	data   []byte
	hash   string
	exists bool
}

// newState parses a file's content.
func newState(data []byte, exists bool) (*state, error) {
	reqs, err := decodeFile(data)
	if err != nil {
		if looksLikeScenario(data) {
			return nil, fmt.Errorf("%w (this looks like a demo scenario file: import it with POST /requests/import)", err)
		}
		return nil, err
	}
	st := &state{reqs: reqs, texts: make([][]byte, len(reqs)), index: make(map[string]int, len(reqs)),
		data: data, hash: yamlfile.Hash(data), exists: exists}
	for i, r := range reqs {
		if st.texts[i], err = encodeItem(r); err != nil {
			return nil, err
		}
		st.index[r.RequestID] = i
	}
	return st, nil
}

// Open loads the requests file at path (a missing file holds no requests
// and is created by the first transition). path "" keeps the requests in
// memory only (Save and Reload then refuse). A file that does not parse
// is an error naming the file, the line and the key.
func Open(path string, opts Options) (*Workflow, error) {
	w := &Workflow{path: path, cat: opts.Catalog, audit: opts.Audit, log: opts.Log, now: opts.Now}
	if w.log == nil {
		w.log = slog.New(slog.DiscardHandler)
	}
	w.log = w.log.With("component", "requests")
	if w.now == nil {
		w.now = time.Now
	}
	if path == "" {
		w.adopt(&state{index: map[string]int{}})
		return w, nil
	}
	st, fi, err := w.read()
	if err != nil {
		return nil, fmt.Errorf("requests file %s: %w", path, err)
	}
	w.seen = fi
	w.adopt(st)
	return w, nil
}

// Path returns the requests file ("" when in memory only).
func (w *Workflow) Path() string { return w.path }

// fileName is the file's base name, for messages that must not leak the
// folder layout.
func (w *Workflow) fileName() string {
	if w.path == "" {
		return "requests"
	}
	return filepath.Base(w.path)
}

// read reads and parses the file, with its identity before the read. A
// file whose content is the current state's is not parsed again: the
// current state is returned. Callers hold w.mu (or own w exclusively).
func (w *Workflow) read() (*state, os.FileInfo, error) {
	fi, _ := os.Stat(w.path)
	data, hash, exists, err := yamlfile.ReadFile(w.path)
	if err != nil {
		return nil, fi, err
	}
	if w.st != nil && hash == w.st.hash && exists == w.st.exists {
		return w.st, fi, nil
	}
	st, err := newState(data, exists)
	return st, fi, err
}

// adopt publishes st. Callers hold w.mu (or own w exclusively).
func (w *Workflow) adopt(st *state) {
	for _, r := range st.reqs {
		w.maxID = max(w.maxID, idNumber(r.RequestID))
	}
	w.st = st
}

// sameFile reports whether two stats describe the same file content as
// far as its identity, size and modification time tell.
func sameFile(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// refresh re-reads the file when another writer replaced it since this
// Workflow last looked, so reads show what other processes wrote. A file
// that no longer parses is logged (once per change) and the requests as
// last read stay.
func (w *Workflow) refresh() {
	if w.path == "" {
		return
	}
	fi, _ := os.Stat(w.path)
	w.mu.RLock()
	same := sameFile(fi, w.seen)
	w.mu.RUnlock()
	if same {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	st, fi, err := w.read()
	w.seen = fi
	if err != nil {
		w.log.Warn("requests file changed on disk but does not load; keeping the requests as last read", "path", w.path, "err", err)
		return
	}
	if st.hash != w.st.hash || st.exists != w.st.exists {
		w.adopt(st)
	}
}

// snapshot returns the current state after a refresh.
func (w *Workflow) snapshot() *state {
	w.refresh()
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.st
}

// Version returns a request's version: the hash of its canonical text,
// the ETag of GET /requests/{id}.
func Version(r *Request) string {
	text, err := encodeItem(r)
	if err != nil {
		return ""
	}
	return yamlfile.Hash(text)
}

// Get returns a copy of the request with id and its version.
func (w *Workflow) Get(id string) (*Request, string, error) {
	st := w.snapshot()
	i, ok := st.index[id]
	if !ok {
		return nil, "", notFound(id)
	}
	return st.reqs[i].clone(), yamlfile.Hash(st.texts[i]), nil
}

func notFound(id string) error {
	return moniker.Errorf(moniker.ErrNotFound, "Request not found: %s", id)
}

// Counts are the number of requests per status (every status present,
// zero included) and in total.
type Counts struct {
	ByStatus map[Status]int
	Total    int
}

// List returns copies of the requests with status (every request when
// status is ""), newest first (created_at descending, then id
// descending), and the counts over all requests. An invalid status is an
// error ("Invalid status: X").
func (w *Workflow) List(status Status) ([]*Request, Counts, error) {
	if status != "" && !status.Valid() {
		return nil, Counts{}, moniker.Errorf(moniker.ErrInvalid, "Invalid status: %s", status)
	}
	st := w.snapshot()
	c := Counts{ByStatus: make(map[Status]int, len(Statuses)), Total: len(st.reqs)}
	for _, s := range Statuses {
		c.ByStatus[s] = 0
	}
	type keyed struct {
		r  *Request
		at time.Time
		n  int
	}
	var sel []keyed
	for _, r := range st.reqs {
		c.ByStatus[r.Status]++
		if status == "" || r.Status == status {
			at, _ := parseTime(r.CreatedAt)
			sel = append(sel, keyed{r, at, idNumber(r.RequestID)})
		}
	}
	slices.SortStableFunc(sel, func(a, b keyed) int {
		if c := b.at.Compare(a.at); c != 0 {
			return c
		}
		if c := cmp.Compare(b.n, a.n); c != 0 {
			return c
		}
		return strings.Compare(b.r.RequestID, a.r.RequestID)
	})
	out := make([]*Request, len(sel))
	for i, k := range sel {
		out[i] = k.r.clone()
	}
	return out, c, nil
}

// nextID mints the next request id: one more than the largest id in the
// file as read under its lock and than any id this Workflow has seen.
// Callers hold w.mu.
func (w *Workflow) nextID() string {
	w.maxID++
	return formatID(w.maxID)
}

// timestamp returns the current time in the stored form.
func (w *Workflow) timestamp() string { return formatTime(w.now()) }

// change is one request a transition writes: its new version and the
// canonical text of the version the transition read (nil for a new one).
type change struct {
	r    *Request
	text []byte
	base []byte
}

// update runs one transition. Under w.mu and the file's lock it re-reads
// the file if it changed, lets fn compute the new versions of the
// requests it changes (from the requests as they are on disk), writes
// them, and publishes the result. It returns the new versions.
func (w *Workflow) update(ctx context.Context, fn func(cur *state) ([]*Request, error)) ([]*Request, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.path != "" {
		lock, err := yamlfile.Acquire(ctx, w.path)
		if err != nil {
			return nil, err
		}
		defer lock.Release()
		st, fi, err := w.read()
		if err != nil {
			return nil, w.unloadable(err)
		}
		w.seen = fi
		if st.hash != w.st.hash || st.exists != w.st.exists {
			w.adopt(st)
		}
	}
	cur := w.st
	maxID := w.maxID
	out, err := fn(cur)
	if err != nil {
		w.maxID = maxID // an id minted for a refused submission is free again
		return nil, err
	}
	changes := make([]change, len(out))
	for i, r := range out {
		nr, text, err := normalize(r)
		if err != nil {
			return nil, err
		}
		changes[i] = change{r: nr, text: text}
		if j, ok := cur.index[r.RequestID]; ok {
			changes[i].base = cur.texts[j]
		}
	}
	next, err := apply(w.fileName(), cur, changes)
	if err != nil {
		return nil, err
	}
	if w.path != "" {
		// A writer that does not take the lock (a hand edit) may have
		// replaced the file since it was read: merge into that file,
		// refusing when it changed one of the same requests.
		data, hash, exists, err := yamlfile.ReadFile(w.path)
		if err != nil {
			return nil, err
		}
		if hash != cur.hash || exists != cur.exists {
			disk, err := newState(data, exists)
			if err != nil {
				return nil, w.unloadable(err)
			}
			w.adopt(disk)
			if next, err = apply(w.fileName(), disk, changes); err != nil {
				return nil, err
			}
		}
		if err := yamlfile.WriteFile(w.path, next.data, 0o644); err != nil {
			return nil, err
		}
		w.seen, _ = os.Stat(w.path)
	}
	w.adopt(next)
	res := make([]*Request, len(changes))
	for i, c := range changes {
		res[i] = c.r.clone()
	}
	return res, nil
}

// unloadable is the error of a transition when the file on disk does
// not load (a bad hand edit): nothing is written over it (503 until the
// file is fixed; the detail names the line).
func (w *Workflow) unloadable(err error) error {
	w.log.Error("requests file does not load; refusing to write it", "path", w.path, "err", err)
	return moniker.Errorf(moniker.ErrUnavailable, "%s does not load, so it is not written: %w", w.fileName(), err)
}

// apply returns disk with changes applied: each changed request must
// still be on disk as the transition read it (a new one must not exist
// yet), else a *moniker.ConflictError names them. Unchanged requests keep
// every byte of their text; new ones are appended to the list.
func apply(file string, disk *state, changes []change) (*state, error) {
	var conflicts []string
	for _, c := range changes {
		i, ok := disk.index[c.r.RequestID]
		if ok != (c.base != nil) || ok && !bytes.Equal(disk.texts[i], c.base) {
			conflicts = append(conflicts, c.r.RequestID)
		}
	}
	if len(conflicts) > 0 {
		slices.Sort(conflicts)
		return nil, yamlfile.Conflict(file, conflicts)
	}
	next := &state{
		reqs:   slices.Clone(disk.reqs),
		texts:  slices.Clone(disk.texts),
		index:  make(map[string]int, len(disk.reqs)+len(changes)),
		exists: true,
	}
	for k, v := range disk.index {
		next.index[k] = v
	}
	replace := map[int][]byte{}
	var (
		add     [][]byte
		changed []int
	)
	for _, c := range changes {
		if i, ok := next.index[c.r.RequestID]; ok {
			next.reqs[i], next.texts[i] = c.r, c.text
			replace[i] = c.text
			changed = append(changed, i)
			continue
		}
		next.index[c.r.RequestID] = len(next.reqs)
		changed = append(changed, len(next.reqs))
		next.reqs = append(next.reqs, c.r)
		next.texts = append(next.texts, c.text)
		add = append(add, c.text)
	}
	next.data = splice(disk.data, replace, add)
	if next.data == nil || !holds(next.data, next.reqs, next.texts, changed) {
		next.data = render(header(disk.data), next.texts)
	}
	next.hash = yamlfile.Hash(next.data)
	return next, nil
}

// holds reports whether data parses to the requests reqs (with canonical
// texts) in order: the check that an in-place edit did what it meant. The
// unchanged requests' text was copied byte for byte, so only the changed
// ones (indexes into reqs) can differ (a comment-like line that belonged
// to a replaced request's block scalar, left behind by the splice); they
// are compared in full, the others by id.
func holds(data []byte, reqs []*Request, texts [][]byte, changed []int) bool {
	got, err := decodeFile(data)
	if err != nil || len(got) != len(reqs) {
		return false
	}
	for i, r := range got {
		if r.RequestID != reqs[i].RequestID {
			return false
		}
	}
	for _, i := range changed {
		t, err := encodeItem(got[i])
		if err != nil || !bytes.Equal(t, texts[i]) {
			return false
		}
	}
	return true
}

// record appends entries, logging a failure (the transition is already
// on disk; the audit log is best effort after that).
func (w *Workflow) record(ctx context.Context, entries ...audit.Entry) {
	if w.audit == nil {
		return
	}
	if err := w.audit.Append(ctx, entries...); err != nil {
		w.log.Error("appending to the audit log failed", "err", err, "action", entries[0].Action, "path", entries[0].Path)
	}
}

// errNoFile is the answer of Save and Reload without a file.
var errNoFile = moniker.Errorf(moniker.ErrInvalid, "No YAML path configured for requests")

// Save makes sure the file holds every request and returns their number.
// Every transition is already written through, so Save writes only when
// the file is missing (deleted by hand); a file that exists is never
// overwritten (it is re-read instead, so a hand edit is kept).
func (w *Workflow) Save(ctx context.Context) (int, error) {
	if w.path == "" {
		return 0, errNoFile
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	lock, err := yamlfile.Acquire(ctx, w.path)
	if err != nil {
		return 0, err
	}
	defer lock.Release()
	st, fi, err := w.read()
	if err != nil {
		return 0, moniker.Errorf(moniker.ErrInvalid, "%s does not load, not writing it: %w", filepath.Base(w.path), err)
	}
	if !st.exists {
		data := render(nil, w.st.texts)
		if err := yamlfile.WriteFile(w.path, data, 0o644); err != nil {
			return 0, err
		}
		st, fi, err = w.read()
		if err != nil {
			return 0, err
		}
	}
	w.seen = fi
	w.adopt(st)
	return len(st.reqs), nil
}

// Reload re-reads the file and returns the number of requests. The file
// is parsed completely before anything is replaced: on error the requests
// as last read stay.
func (w *Workflow) Reload(ctx context.Context) (int, error) {
	if w.path == "" {
		return 0, errNoFile
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	st, fi, err := w.read()
	if err != nil {
		return 0, moniker.Errorf(moniker.ErrInvalid, "%s: %w", filepath.Base(w.path), err)
	}
	if !st.exists {
		return 0, moniker.Errorf(moniker.ErrNotFound, "Requests file not found: %s", filepath.Base(w.path))
	}
	w.seen = fi
	w.adopt(st)
	return len(st.reqs), nil
}

// errors for transitions.

func notPending(s Status) error {
	return moniker.Errorf(moniker.ErrInvalid, "Request is not pending review (current status: %s)", s)
}

// sameIdentity compares identities (e-mail addresses, principals)
// case-insensitively; "" matches nothing.
func sameIdentity(a, b string) bool {
	return a != "" && b != "" && strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}
