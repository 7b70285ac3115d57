// Package catalogedit is the management plane's catalog: a working copy
// that node edits change, and conflict-safe saves of the changed nodes.
package catalogedit

// Editor is the management working copy of the catalog.
type Editor struct{}
