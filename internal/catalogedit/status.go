package catalogedit

import (
	"context"
	"errors"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// statusAttempts is how often SetStatus writes before it gives up on a
// node that other processes keep changing.
const statusAttempts = 4

// SetStatus applies a lifecycle status change to the node at path on
// disk, durably, and audits it (node_updated, by c.Actor): the change is
// applied to the node's disk entry (not to the working copy, which may
// hold unsaved edits; an unsaved change of the node stays, and conflicts
// when it is saved) and committed with that entry as the base, again
// when another process changed the entry between the read and the write.
// It implements the resolver's status writer in the all target and
// serves PUT /config/status/{path}, which a resolver forwards to.
//
// Errors: c invalid (moniker.ErrInvalid), no node at path
// (moniker.ErrNotFound), a node still changing after a few attempts (a
// *moniker.ConflictError).
func (e *Editor) SetStatus(ctx context.Context, path string, c moniker.StatusChange) (moniker.StatusResult, error) {
	if err := c.Validate(); err != nil {
		return moniker.StatusResult{}, err
	}
	change := NodeChange{Path: path, Update: func(n *moniker.Node) *moniker.Node { return c.Apply(n, e.opts.Now()) }}
	var err error
	for range statusAttempts {
		if err = e.Commit(ctx, []NodeChange{change}, c.Actor); !errors.Is(err, moniker.ErrConflict) {
			break
		}
	}
	if err != nil {
		return moniker.StatusResult{}, err
	}
	return moniker.StatusResult{Path: path, Status: c.Status, UpdatedBy: c.Actor, Message: "Status changed to " + string(c.Status)}, nil
}
