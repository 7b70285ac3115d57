// Package reload keeps the resolver's catalog snapshot current: every
// trigger (poll timer, file watch, SIGHUP, POST /config/reload) calls the
// same Reload, which reads, parses, validates and indexes the files, then
// swaps one immutable snapshot in with an atomic pointer. A broken file
// never replaces a good snapshot; the failure shows in Status.
package reload

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/moniker-svc/moniker/internal/resolve"
)

// Build reads the files and builds a snapshot.
type Build func(ctx context.Context) (*resolve.Snapshot, error)

// Check vets a new snapshot against the current one before the swap
// (validated reload); an error refuses the reload.
type Check func(ctx context.Context, old, new *resolve.Snapshot) error

// Status is the outcome of the last reload attempt.
type Status struct {
	OK          bool      `json:"last_reload_ok"`
	Error       string    `json:"last_reload_error,omitempty"`
	Trigger     string    `json:"last_reload_trigger"`
	AttemptedAt time.Time `json:"last_reload_at"`
	// Version and LoadedAt describe the snapshot being served.
	Version  string    `json:"version"`
	LoadedAt time.Time `json:"loaded_at"`
	Reloads  uint64    `json:"reloads"`
	Failures uint64    `json:"reload_failures"`
}

// Reloader holds the current snapshot and reloads it.
type Reloader struct {
	build Build
	check Check
	files func() []string // the files to watch and poll
	log   *slog.Logger

	current atomic.Pointer[resolve.Snapshot]
	status  atomic.Pointer[Status]
	mu      sync.Mutex // serialises reloads (never taken by readers)
	stamps  map[string]stamp
	onSwap  []func(*resolve.Snapshot)
}

// Options configure a Reloader.
type Options struct {
	// Files returns the files a snapshot is read from (catalog files,
	// domains): they are polled and watched.
	Files func() []string
	// Check, if set, vets each new snapshot (validated reload).
	Check Check
	Log   *slog.Logger
}

// New builds the first snapshot; an error here is a startup error.
func New(ctx context.Context, build Build, opts Options) (*Reloader, error) {
	log := opts.Log
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	r := &Reloader{build: build, check: opts.Check, files: opts.Files, log: log.With("component", "reload")}
	snap, err := build(ctx)
	if err != nil {
		return nil, err
	}
	r.current.Store(snap)
	r.stamps = r.stat()
	r.status.Store(&Status{OK: true, Trigger: "startup", AttemptedAt: time.Now().UTC(),
		Version: snap.Catalog().Version(), LoadedAt: snap.Catalog().LoadedAt()})
	return r, nil
}

// Current returns the snapshot to serve. Readers call it once per request.
func (r *Reloader) Current() *resolve.Snapshot { return r.current.Load() }

// Status returns the last reload outcome.
func (r *Reloader) Status() Status { return *r.status.Load() }

// OnSwap registers fn to run after each successful swap (setup only).
func (r *Reloader) OnSwap(fn func(*resolve.Snapshot)) { r.onSwap = append(r.onSwap, fn) }

// Reload reads the files now and swaps the snapshot in if they load and
// pass the check. On failure the current snapshot stays and the error is
// returned and recorded.
func (r *Reloader) Reload(ctx context.Context, trigger string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	stamps := r.stat()
	prev := r.status.Load()
	st := &Status{Trigger: trigger, AttemptedAt: time.Now().UTC(), Reloads: prev.Reloads, Failures: prev.Failures}
	snap, err := r.build(ctx)
	if err == nil && r.check != nil {
		err = r.check(ctx, r.current.Load(), snap)
	}
	cur := r.current.Load()
	if err != nil {
		st.Error, st.Failures = err.Error(), st.Failures+1
		st.Version, st.LoadedAt = cur.Catalog().Version(), cur.Catalog().LoadedAt()
		r.status.Store(st)
		r.stamps = stamps // do not retry the same broken content every poll
		r.log.Error("reload failed: keeping the current catalog", "trigger", trigger, "err", err, "version", st.Version)
		return err
	}
	r.current.Store(snap)
	r.stamps = stamps
	st.OK, st.Reloads = true, st.Reloads+1
	st.Version, st.LoadedAt = snap.Catalog().Version(), snap.Catalog().LoadedAt()
	r.status.Store(st)
	if st.Version != cur.Catalog().Version() {
		r.log.Info("catalog reloaded", "trigger", trigger, "version", st.Version, "previous", cur.Catalog().Version(), "nodes", snap.Catalog().Len())
	}
	for _, fn := range r.onSwap {
		fn(snap)
	}
	return nil
}

// ReloadIfChanged reloads when any file changed since the last reload
// (a cheap stat of each): the monolith calls it after a management write,
// so its own resolver reads what was just written.
func (r *Reloader) ReloadIfChanged(ctx context.Context, trigger string) error {
	if !r.changed() {
		return nil
	}
	return r.Reload(ctx, trigger)
}

// stamp identifies a file's content cheaply: an atomic rename changes the
// inode, an in-place edit the size or modification time.
type stamp struct {
	ino   uint64
	size  int64
	mtime time.Time
	ok    bool
}

func (r *Reloader) stat() map[string]stamp {
	out := map[string]stamp{}
	if r.files == nil {
		return out
	}
	for _, f := range r.files() {
		st, err := os.Stat(f)
		if err != nil {
			out[f] = stamp{}
			continue
		}
		out[f] = stamp{ino: inode(st), size: st.Size(), mtime: st.ModTime(), ok: true}
	}
	return out
}

// changed reports whether any file's stamp differs from the last reload's.
func (r *Reloader) changed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.stat()
	if len(now) != len(r.stamps) {
		return true
	}
	for f, s := range now {
		if r.stamps[f] != s {
			return true
		}
	}
	return false
}

// Run polls every interval (0 = no polling) and, with watch, reacts to
// file events within about debounce, until ctx is done. A file watch
// that cannot be set up (an unsupported filesystem) is logged and the
// poll carries on alone.
func (r *Reloader) Run(ctx context.Context, interval time.Duration, watch bool) {
	const debounce = 200 * time.Millisecond
	var events <-chan fsnotify.Event
	var werrs <-chan error
	if watch && r.files != nil {
		w, err := r.watch()
		if err != nil {
			r.log.Warn("file watch unavailable: relying on the poll", "err", err)
		} else {
			defer w.Close()
			events, werrs = w.Events, w.Errors
		}
	}
	var tick <-chan time.Time
	if interval > 0 {
		t := time.NewTicker(interval)
		defer t.Stop()
		tick = t.C
	}
	var fire <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick:
			if r.changed() {
				r.Reload(ctx, "poll")
			}
		case ev, ok := <-events:
			if !ok {
				events = nil
				continue
			}
			if r.relevant(ev.Name) {
				fire = time.After(debounce) // coalesce a burst of events
			}
		case err, ok := <-werrs:
			if ok {
				r.log.Warn("file watch error", "err", err)
			} else {
				werrs = nil
			}
		case <-fire:
			fire = nil
			if r.changed() {
				r.Reload(ctx, "watch")
			}
		}
	}
}

// watch watches the folders of the files (an atomic rename replaces the
// file, so watching the file itself would lose it after the first save).
func (r *Reloader) watch() (*fsnotify.Watcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, err
	}
	dirs := map[string]bool{}
	for _, f := range r.files() {
		if st, err := os.Stat(f); err == nil && st.IsDir() {
			dirs[f] = true // a catalog folder: its files come and go
			continue
		}
		dirs[filepath.Dir(f)] = true
	}
	var errs []error
	for d := range dirs {
		if err := w.Add(d); err != nil {
			errs = append(errs, fmt.Errorf("watching %s: %w", d, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		w.Close()
		return nil, err
	}
	return w, nil
}

// relevant reports whether an event on name concerns a watched file, or
// a file inside a watched folder (a catalog folder).
func (r *Reloader) relevant(name string) bool {
	name = filepath.Clean(name)
	for _, f := range r.files() {
		f = filepath.Clean(f)
		if name == f || filepath.Dir(name) == f {
			return true
		}
	}
	return false
}
