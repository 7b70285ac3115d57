// Package catalogedit is the management plane's catalog: a working copy
// that node edits change, and conflict-safe saves of the changed nodes.
//
// An Editor holds the disk base — per catalog file its bytes, its entries
// (yamlfile.Keyed) and the parsed catalog — and this instance's changes: per
// node path the new node (or a deletion) and the disk entries it was made
// from. Reads (View, Get) show the working copy, base plus changes.
//
// Writes:
//
//   - Create, Update and Delete change the working copy only. They
//     validate what they change (validation errors wrap moniker.ErrInvalid
//     and name the JSON field), and store every node in the form the
//     loader reads back from catalog.MarshalNode's text, so the working
//     copy shows exactly what a save will write.
//   - Save writes this instance's changed nodes through yamlfile.SaveKeyed:
//     under the file's lock it re-reads the file, refuses with a
//     *moniker.ConflictError (nothing written, changes kept) when one of the
//     nodes changed on disk since it was read, replaces only the changed
//     entries (every other byte of the file stays as it was), checks that
//     the result loads, and replaces the file atomically. The base then
//     becomes the file as written, so other writers' changes to other
//     nodes show up.
//   - Commit writes given node changes at once through the same path,
//     leaving the other unsaved changes alone (request approval); a
//     change may be computed from the node's disk entry (NodeChange.Update).
//   - SetStatus is a lifecycle status change (PUT /config/status/{path},
//     and the resolver's PUT /catalog/{path}/status): a Commit of the
//     status applied to the node's disk entry, retried when another
//     process changed the entry meanwhile.
//   - Reload re-reads the files; unsaved changes stay on top of the new
//     base (Discard drops them).
//
// ETags: a node's ETag is yamlfile.Hash of its entry text — the disk entry
// for a node without unsaved changes, catalog.MarshalNode's text for a
// changed one (which is what a save writes, so the ETag does not change
// when the node is saved).
//
// A catalog folder is edited file by file: a changed node is written back
// to the file its live entry came from, a deleted node is removed from
// every file that has an entry for it, and a new node goes to the last
// YAML file of the folder that can be edited entry by entry (catalog.yaml
// is created when there is none). A save of a folder is atomic per file,
// not across files. Nodes in files that cannot be split into entries
// (JSON, flow style) cannot be edited.
package catalogedit
