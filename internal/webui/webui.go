// Package webui holds what every page of both planes shares: the
// stylesheet (one look) and the DOM helpers of common.js. The resolver's
// /ui and the management pages embed their own pages and read these.
package webui

import (
	"embed"
	"io/fs"
)

//go:embed style.css common.js
var files embed.FS

// Files returns the shared assets: style.css and common.js.
func Files() fs.FS { return files }
