// Package requests is the moniker request and approval workflow
// (reference/upstream-management.md §6): someone proposes a new catalog
// path with its owners, binding and tags; a reviewer approves it (which
// writes the proposed node to the catalog through the conflict-safe
// catalog path), rejects it, or asks for changes, which the requester
// makes by amending the request.
//
// State machine (every transition is written through to requests.yaml and
// appended to the audit log):
//
//	submit                            → pending_review
//	pending_review    approve         → approved          (catalog node written first)
//	pending_review    reject          → rejected          (reason required)
//	pending_review    request-changes → changes_requested (reason required)
//	pending_review    amend           → pending_review
//	changes_requested amend           → pending_review
//	any               comment         → (unchanged)
//
// approved and rejected are final; a rejected path may be requested again.
// A pending request never creates a catalog node (upstream's did, §6.4).
//
// Deliberate differences from upstream: ids are never reused (the next id
// is one more than the largest id in the file, read under the file's lock,
// and than any id this process has seen; only an id whose request was
// deleted from the file by hand before a restart can come back); stored
// timestamps are kept as
// written; reload parses the whole file before it replaces anything; the
// proposed binding is applied on approval and the approver recorded on the
// node (approved_by); the requester may not approve their own request;
// reject and request-changes need a reason.
//
// Persistence. requests.yaml keeps upstream's format (§8.4): one
// top-level `requests:` list, block style, upstream's keys in upstream's
// order, plus our optional keys (submitted_by, approved_node_path). Its
// top level is a list, so yamlfile.SaveKeyed (top-level keys) cannot merge
// it; this package does the equivalent per request: every transition runs
// under the file's lock (yamlfile.Acquire), re-reads the file when it changed
// on disk since this process last read it, applies the transition to the
// requests as they are on disk, checks that every request it replaces is
// still on disk as the transition read it (else a *moniker.ConflictError
// naming the request ids, 409), replaces only those items' text (every
// other byte of the file — comments, quoting, other requests — is kept)
// and replaces the file atomically (yamlfile.WriteFile). Two processes on one
// file therefore serialise their transitions, never overwrite each
// other's requests and never mint the same id.
package requests
