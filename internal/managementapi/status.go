package managementapi

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/moniker-svc/moniker/internal/catalog"
	"github.com/moniker-svc/moniker/internal/catalogedit"
	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
)

// setStatus is PUT /config/status/{path}: applies a status change with
// StatusWriter.
func (s *Server) setStatus(ed *catalogedit.Editor, w http.ResponseWriter, r *http.Request) {
	path := httpapi.TrimPrefix(r, "/config/status/")
	c, ok := httpapi.DecodeJSON[moniker.StatusChange](w, r, httpapi.MaxBody)
	if !ok {
		return
	}
	if p := httpapi.CallerFrom(r.Context()).Principal; p != "" {
		c.Actor = p
	}
	res, err := StatusWriter{Editor: ed}.SetStatus(r.Context(), path, c)
	if err != nil {
		httpapi.WriteError(w, s.log, err)
		return
	}
	httpapi.WriteJSON(w, http.StatusOK, res)
}

// StatusWriter applies status changes to the catalog files through the
// editor's conflict-safe Commit: it reads the node's current entry from
// disk (not the editor's working copy, which may hold unsaved edits),
// applies the change, and commits it guarded by that entry's ETag,
// retrying when another writer got there first.
type StatusWriter struct {
	Editor *catalogedit.Editor
	// Now is the clock (nil = time.Now).
	Now func() time.Time
}

// SetStatus implements resolverapi.StatusWriter.
func (sw StatusWriter) SetStatus(ctx context.Context, path string, c moniker.StatusChange) (moniker.StatusResult, error) {
	if err := c.Validate(); err != nil {
		return moniker.StatusResult{}, err
	}
	now := time.Now
	if sw.Now != nil {
		now = sw.Now
	}
	for attempt := 0; ; attempt++ {
		n, etag, err := diskNode(sw.Editor.Files(), path)
		if err != nil {
			return moniker.StatusResult{}, err
		}
		if n == nil {
			return moniker.StatusResult{}, moniker.Errorf(moniker.ErrNotFound, "Node not found: %s", path)
		}
		err = sw.Editor.Commit(ctx, []catalogedit.NodeChange{{Path: path, Node: c.Apply(n, now()), IfMatch: etag}}, c.Actor)
		var ce *moniker.ConflictError
		if (errors.As(err, &ce) || errors.Is(err, moniker.ErrPrecondition)) && attempt < 3 {
			continue // someone changed the entry between our read and write
		}
		if err != nil {
			return moniker.StatusResult{}, err
		}
		return moniker.StatusResult{Path: path, Status: c.Status, UpdatedBy: c.Actor, Message: fmt.Sprintf("Status changed to %s", c.Status)}, nil
	}
}

// diskNode reads the live entry of path from the catalog files as they are
// on disk now (the last file that has it wins), and its ETag.
func diskNode(files []string, path string) (*moniker.Node, string, error) {
	var text []byte
	var from string
	for _, f := range files {
		data, _, exists, err := yamlfile.ReadFile(f)
		if err != nil {
			return nil, "", err
		}
		if !exists {
			continue
		}
		k, err := yamlfile.SplitKeyed(data)
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w", f, err)
		}
		if t, ok := k.Get(path); ok {
			text, from = t, f
		}
	}
	if text == nil {
		return nil, "", nil
	}
	cat, _, err := catalog.LoadBytes(from, text)
	if err != nil {
		return nil, "", err
	}
	return cat.Get(path), yamlfile.Hash(text), nil
}
