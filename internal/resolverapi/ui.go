package resolverapi

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"time"

	"github.com/moniker-svc/moniker/internal/webui"
)

// The catalog browser's embedded files: ui.html is the page template;
// style.css (internal/webui: the shared look of both planes)
// and ui.css are its styles; common.js (internal/webui: shared helpers)
// and ui.js its script.
//
//go:embed web
var webFiles embed.FS

// uiPage is the rendered /ui page and its security policy.
type uiPage struct {
	body []byte
	etag string
	csp  string
}

// newUIPage renders web/ui.html once. The style and the script are inlined
// and allowed by their SHA-256 in the Content-Security-Policy, so the page
// needs no asset route and still runs no script but its own: no
// 'unsafe-inline', no eval, fetches to this origin only. Server data is
// put into the page by the script with textContent and DOM nodes only. It
// panics when the embedded files are malformed, which the package's tests
// rule out.
func newUIPage(project string, withManagement bool) *uiPage {
	if project == "" {
		project = "Moniker"
	}
	read := func(names ...string) string {
		var b bytes.Buffer
		for _, n := range names {
			f, err := webFiles.ReadFile("web/" + n)
			if n == "style.css" || n == "common.js" {
				f, err = fs.ReadFile(webui.Files(), n) // the shared look
			}
			if err != nil {
				panic(fmt.Sprintf("resolverapi: ui: %v", err)) // embedded: cannot fail
			}
			b.Write(f)
		}
		return b.String()
	}
	css, js := read("style.css", "ui.css"), read("common.js", "ui.js")
	tmpl, err := template.ParseFS(webFiles, "web/ui.html")
	if err != nil {
		panic(fmt.Sprintf("resolverapi: ui: %v", err))
	}
	var buf bytes.Buffer
	// The files are ours (embedded), not data: they go in verbatim so that
	// their hashes match what the browser sees.
	data := struct {
		CSS        template.CSS
		JS         template.JS
		Management bool
		Project    string
	}{template.CSS(css), template.JS(js), withManagement, project}
	if err := tmpl.Execute(&buf, data); err != nil {
		panic(fmt.Sprintf("resolverapi: ui: %v", err))
	}
	body := buf.Bytes()
	sum := sha256.Sum256(body)
	return &uiPage{
		body: body,
		etag: `"` + hex.EncodeToString(sum[:8]) + `"`,
		csp: "default-src 'none'; script-src " + cspHash(js) + "; style-src " + cspHash(css) +
			"; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
	}
}

// cspHash is the CSP source expression allowing exactly the inline
// element whose text is s.
func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "'sha256-" + base64.StdEncoding.EncodeToString(sum[:]) + "'"
}

// handleUI serves GET /ui, the catalog browser (issue 6): a lazy tree
// over /tree, search over /catalog/search, and a node panel from
// /describe and /resolve. It calls resolver routes only, so it works on a
// resolver alone; project brands it and withManagement adds the
// management pages to its navigation (the all target serves both).
func (s *Server) handleUI(project string, withManagement bool) http.Handler {
	p := newUIPage(project, withManagement)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "text/html; charset=utf-8")
		h.Set("Cache-Control", "no-cache")
		h.Set("Content-Security-Policy", p.csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "same-origin")
		h.Set("ETag", p.etag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(p.body))
	})
}
