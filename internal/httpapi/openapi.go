package httpapi

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// The OpenAPI spec source and the vendored Swagger UI (docs/README.md).
//
//go:embed openapi/*.yaml docs/index.html docs/init.js docs/swagger-ui-bundle.js docs/swagger-ui.css
var docFiles embed.FS

// specFile is the main spec source; every other openapi/*.yaml is a
// fragment (its own paths, components and tags) merged into it, so each
// area of the API can keep its operations in a file of its own.
const specFile = "openapi/operations.yaml"

// specRoot parses the main spec source, merges the fragments into it and
// checks the result.
func specRoot() (*yaml.Node, error) {
	src, err := docFiles.ReadFile(specFile)
	if err != nil {
		return nil, err
	}
	root, err := parseYAMLMapping(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", specFile, err)
	}
	frags, err := fs.Glob(docFiles, "openapi/*.yaml")
	if err != nil {
		return nil, err
	}
	for _, f := range frags {
		if f == specFile {
			continue
		}
		b, err := docFiles.ReadFile(f)
		if err != nil {
			return nil, err
		}
		frag, err := parseYAMLMapping(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if err := mergeFragment(root, frag); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
	}
	if err := checkSpec(root); err != nil {
		return nil, err
	}
	return root, nil
}

// mergeFragment adds a fragment's paths (method by method), components
// and tags to root. A key both define is an error.
func mergeFragment(root, frag *yaml.Node) error {
	for i := 0; i < len(frag.Content); i += 2 {
		key, val := frag.Content[i].Value, frag.Content[i+1]
		switch key {
		case "paths", "components":
			dst := mapGet(root, key)
			if dst == nil {
				dst = &yaml.Node{Kind: yaml.MappingNode}
				mapSet(root, key, dst)
			}
			// paths merge path item by path item, then method by method;
			// components section by section, then name by name.
			if err := mergeMapping(dst, val, key, 1); err != nil {
				return err
			}
		case "tags":
			dst := mapGet(root, "tags")
			if dst == nil {
				mapSet(root, "tags", val)
				continue
			}
			dst.Content = append(dst.Content, val.Content...)
		default:
			return fmt.Errorf("a fragment may hold only paths, components and tags, not %q", key)
		}
	}
	return nil
}

// mergeMapping merges src into dst; below depth levels a key present in
// both is an error.
func mergeMapping(dst, src *yaml.Node, where string, depth int) error {
	if src.Kind != yaml.MappingNode || dst.Kind != yaml.MappingNode {
		return fmt.Errorf("%s: not a mapping", where)
	}
	for i := 0; i < len(src.Content); i += 2 {
		k, v := src.Content[i].Value, src.Content[i+1]
		existing := mapGet(dst, k)
		switch {
		case existing == nil:
			mapSet(dst, k, v)
		case depth > 0:
			if err := mergeMapping(existing, v, where+"."+k, depth-1); err != nil {
				return err
			}
		default:
			return fmt.Errorf("%s.%s is defined twice", where, k)
		}
	}
	return nil
}

// Planes, as the spec source's x-moniker-planes names them: the targets
// whose route table serves an operation (-target=all serves both).
const (
	PlaneResolver   = "resolver"
	PlaneManagement = "management"
)

// Vendor extensions of the spec source.
const (
	// extPlanes lists the planes that serve an operation.
	extPlanes = "x-moniker-planes"
	// extUndocumented marks the stand-in operation DocRoutes makes for a
	// route the spec source has no operation for.
	extUndocumented = "x-moniker-undocumented"
)

// isMethod reports whether key is an operation key of an OpenAPI path
// item.
func isMethod(key string) bool {
	switch key {
	case "get", "put", "post", "delete", "options", "head", "patch", "trace":
		return true
	}
	return false
}

// SpecOperation is one operation of the OpenAPI spec source.
type SpecOperation struct {
	// Method is the upper-case HTTP method, as in Route.Method.
	Method string
	// Path is the OpenAPI path, as in Route.Doc.
	Path string
	// Planes are the targets whose route table serves the operation
	// (PlaneResolver, PlaneManagement).
	Planes []string
}

// SpecOperations returns every operation of the embedded OpenAPI spec
// source, in source order. The route-table tests use it to check that no
// documented operation has lost its route.
func SpecOperations() ([]SpecOperation, error) {
	root, err := specRoot()
	if err != nil {
		return nil, err
	}
	var ops []SpecOperation
	eachOperation(root, func(path, method string, op *yaml.Node) {
		var planes []string
		_ = mapGet(op, extPlanes).Decode(&planes) // checked by parseSpec
		ops = append(ops, SpecOperation{Method: strings.ToUpper(method), Path: path, Planes: planes})
	})
	return ops, nil
}

// DocRoutes returns the routes of the API documentation: GET /openapi.json,
// the OpenAPI 3 document of routes (matched by Method and Doc) plus these
// documentation routes themselves, and GET /docs, Swagger UI showing it,
// with the UI's assets (GET /docs/<file>, undocumented). The document is
// built here, once.
//
// A route the spec source has no operation for appears in the document as
// a stand-in operation marked x-moniker-undocumented, which the route-table
// tests reject; HEAD routes and routes with an empty Doc are left out.
// DocRoutes panics if the embedded spec source is malformed, which the
// package's tests rule out.
func DocRoutes(routes []Route) []Route {
	own := []Route{
		{Method: http.MethodGet, Pattern: "/openapi.json", Doc: "/openapi.json"},
		{Method: http.MethodGet, Pattern: "/docs", Doc: "/docs"},
	}
	root, err := specRoot()
	if err != nil {
		panic(fmt.Sprintf("httpapi: the OpenAPI spec source: %v", err))
	}
	doc, title, err := buildDocument(root, append(slices.Clip(routes), own...))
	if err != nil {
		panic(fmt.Sprintf("httpapi: the OpenAPI spec source %s: %v", specFile, err))
	}
	page, assets, err := docsPage(title)
	if err != nil {
		panic(fmt.Sprintf("httpapi: the /docs page: %v", err))
	}
	own[0].Handler = staticHandler(doc, contentHash(doc), "application/json", "no-cache", true)
	own[1].Handler = page
	return append(own, assets...)
}

// docsPage returns the /docs handler and the asset routes it loads.
func docsPage(title string) (http.Handler, []Route, error) {
	type asset struct{ name, contentType string }
	files := []asset{
		{"swagger-ui-bundle.js", "text/javascript; charset=utf-8"},
		{"swagger-ui.css", "text/css; charset=utf-8"},
		{"init.js", "text/javascript; charset=utf-8"},
	}
	// The page references each asset with its content hash in the query
	// string, so the assets can be cached for good.
	version := map[string]string{}
	var routes []Route
	for _, f := range files {
		b, err := docFiles.ReadFile("docs/" + f.name)
		if err != nil {
			return nil, nil, err
		}
		hash := contentHash(b)
		version[f.name] = hash
		routes = append(routes, Route{
			Method:  http.MethodGet,
			Pattern: "/docs/" + f.name,
			Handler: staticHandler(b, hash, f.contentType, "public, max-age=31536000, immutable", len(b) > 1024),
		})
	}
	tmpl, err := template.ParseFS(docFiles, "docs/index.html")
	if err != nil {
		return nil, nil, err
	}
	var buf bytes.Buffer
	err = tmpl.Execute(&buf, map[string]string{
		"Title":  title,
		"Bundle": version["swagger-ui-bundle.js"],
		"CSS":    version["swagger-ui.css"],
		"Init":   version["init.js"],
	})
	if err != nil {
		return nil, nil, err
	}
	page := staticHandler(buf.Bytes(), contentHash(buf.Bytes()), "text/html; charset=utf-8", "no-cache", false)
	// Swagger UI needs inline styles and data: images; everything else
	// comes from this origin.
	const csp = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; " +
		"object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		page.ServeHTTP(w, r)
	}), routes, nil
}

func contentHash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// contentHash is a short hex SHA-256 of b, for ETags and asset URLs.
// staticHandler serves body with the strong ETag hash (its contentHash;
// conditional and range requests through http.ServeContent). With gzipped
// set it also serves a gzip-encoded copy, made on first use, to clients
// that accept it.
func staticHandler(body []byte, hash, contentType, cacheControl string, gzipped bool) http.Handler {
	gz := sync.OnceValue(func() []byte {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body) // a bytes.Buffer does not fail
		_ = zw.Close()
		return buf.Bytes()
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("Cache-Control", cacheControl)
		h.Set("X-Content-Type-Options", "nosniff")
		b, tag := body, `"`+hash+`"`
		if gzipped {
			h.Add("Vary", "Accept-Encoding")
			if acceptsGzip(r) {
				b, tag = gz(), `"`+hash+`-gz"`
				h.Set("Content-Encoding", "gzip")
			}
		}
		h.Set("ETag", tag)
		http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
	})
}

// acceptsGzip reports whether the request's Accept-Encoding lists gzip
// with a non-zero weight.
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for part := range strings.SplitSeq(v, ",") {
			coding, params, _ := strings.Cut(part, ";")
			if !strings.EqualFold(strings.TrimSpace(coding), "gzip") {
				continue
			}
			k, q, ok := strings.Cut(strings.TrimSpace(params), "=")
			if !ok || strings.TrimSpace(k) != "q" {
				return true
			}
			w, err := strconv.ParseFloat(strings.TrimSpace(q), 64)
			return err == nil && w > 0
		}
	}
	return false
}

// buildDocument returns the JSON OpenAPI document of the spec source src
// filtered to routes, and its info.title.
func buildDocument(root *yaml.Node, routes []Route) ([]byte, string, error) {
	// The operations to keep, in route order.
	want := map[string]bool{}
	var order []Route
	for _, rt := range routes {
		if rt.Doc == "" || rt.Method == http.MethodHead {
			continue
		}
		k := opKey(rt.Method, rt.Doc)
		if !want[k] {
			want[k] = true
			order = append(order, rt)
		}
	}
	paths := mapGet(root, "paths")
	found := map[string]bool{}
	deleteKeys(paths, func(path string, item *yaml.Node) bool {
		deleteKeys(item, func(method string, _ *yaml.Node) bool {
			if !isMethod(method) {
				return false
			}
			k := opKey(method, path)
			found[k] = true
			return !want[k]
		})
		return !hasOperation(item)
	})
	for _, rt := range order {
		if found[opKey(rt.Method, rt.Doc)] {
			continue
		}
		if err := addStub(paths, rt); err != nil {
			return nil, "", err
		}
	}
	if err := documentRoles(root, order); err != nil {
		return nil, "", err
	}
	pruneComponents(root)
	pruneTags(root)

	var title string
	if info := mapGet(root, "info"); info != nil {
		if t := mapGet(info, "title"); t != nil {
			title = t.Value
		}
	}
	out, err := appendNodeJSON(nil, root)
	if err != nil {
		return nil, "", err
	}
	return append(out, '\n'), title, nil
}

// extRole names the role an operation needs (Route.Role).
const extRole = "x-moniker-role"

// documentRoles marks the operations of routes that need a role: their
// security requirement (a JWT or Kerberos; the schemes are in
// components), the role, and the 401 and 403 answers. When any route
// needs a role, every operation may also send credentials (a top-level
// optional requirement), so /docs can call a service with auth.enforce.
func documentRoles(root *yaml.Node, routes []Route) error {
	schemes := func(optional bool) *yaml.Node {
		seq := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
		if optional {
			seq.Content = append(seq.Content, &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"})
		}
		for _, s := range [...]string{"bearer", "negotiate"} {
			req := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
			mapSet(req, s, &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"})
			seq.Content = append(seq.Content, req)
		}
		return seq
	}
	ref := func(name string) *yaml.Node {
		n := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		mapSet(n, "$ref", &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: "#/components/responses/" + name})
		return n
	}
	protected := false
	for _, rt := range routes {
		if rt.Role == "" {
			continue
		}
		op := mapGet(mapGet(mapGet(root, "paths"), rt.Doc), strings.ToLower(rt.Method))
		if op == nil {
			return fmt.Errorf("%s %s: no operation to document its role on", rt.Method, rt.Doc)
		}
		protected = true
		mapSet(op, extRole, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: rt.Role})
		mapSet(op, "security", schemes(false))
		resp := mapGet(op, "responses")
		if resp == nil {
			return fmt.Errorf("%s %s: operation without responses", rt.Method, rt.Doc)
		}
		if mapGet(resp, "401") == nil {
			mapSet(resp, "401", ref("Unauthenticated"))
		}
		if mapGet(resp, "403") == nil {
			mapSet(resp, "403", ref("Forbidden"))
		}
	}
	if protected {
		mapSet(root, "security", schemes(true))
	}
	return nil
}

func opKey(method, path string) string { return strings.ToLower(method) + " " + path }

// parseSpec parses and checks one complete spec source (no fragments)
// and returns its root mapping.
func parseSpec(src []byte) (*yaml.Node, error) {
	root, err := parseYAMLMapping(src)
	if err != nil {
		return nil, err
	}
	return root, checkSpec(root)
}

// parseYAMLMapping parses src, which must be one YAML mapping.
func parseYAMLMapping(src []byte) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a YAML mapping")
	}
	root := doc.Content[0]
	if err := checkNode(root); err != nil {
		return nil, err
	}
	return root, nil
}

// checkSpec checks a merged spec: the required keys and every
// operation's planes.
func checkSpec(root *yaml.Node) error {
	for _, k := range []string{"openapi", "info", "paths"} {
		if mapGet(root, k) == nil {
			return fmt.Errorf("no %q key", k)
		}
	}
	paths := mapGet(root, "paths")
	if paths.Kind != yaml.MappingNode {
		return errors.New("paths: not a mapping")
	}
	for i := 0; i < len(paths.Content); i += 2 {
		if paths.Content[i+1].Kind != yaml.MappingNode {
			return fmt.Errorf("paths: %s: not a mapping", paths.Content[i].Value)
		}
	}
	var errs []error
	eachOperation(root, func(path, method string, op *yaml.Node) {
		var planes []string
		if p := mapGet(op, extPlanes); p == nil {
			errs = append(errs, fmt.Errorf("%s %s: no %s", method, path, extPlanes))
		} else if err := p.Decode(&planes); err != nil || len(planes) == 0 {
			errs = append(errs, fmt.Errorf("%s %s: %s must list planes", method, path, extPlanes))
		}
		for _, p := range planes {
			if p != PlaneResolver && p != PlaneManagement {
				errs = append(errs, fmt.Errorf("%s %s: unknown plane %q", method, path, p))
			}
		}
	})
	return errors.Join(errs...)
}

// checkNode rejects what the JSON encoding cannot carry faithfully:
// duplicate or non-scalar mapping keys and merge keys.
func checkNode(n *yaml.Node) error {
	switch n.Kind {
	case yaml.MappingNode:
		seen := map[string]bool{}
		for i := 0; i < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: mapping key is not a scalar", k.Line)
			}
			if k.Tag == "!!merge" {
				return fmt.Errorf("line %d: merge keys (<<) are not supported", k.Line)
			}
			if seen[k.Value] {
				return fmt.Errorf("line %d: duplicate key %q", k.Line, k.Value)
			}
			seen[k.Value] = true
			if err := checkNode(n.Content[i+1]); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if err := checkNode(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// eachOperation calls fn for every operation under paths, in source order.
func eachOperation(root *yaml.Node, fn func(path, method string, op *yaml.Node)) {
	paths := mapGet(root, "paths")
	for i := 0; i+1 < len(paths.Content); i += 2 {
		item := paths.Content[i+1]
		for j := 0; j+1 < len(item.Content); j += 2 {
			if m := item.Content[j].Value; isMethod(m) {
				fn(paths.Content[i].Value, m, item.Content[j+1])
			}
		}
	}
}

func hasOperation(item *yaml.Node) bool {
	for i := 0; i < len(item.Content); i += 2 {
		if isMethod(item.Content[i].Value) {
			return true
		}
	}
	return false
}

// mapGet returns the value of key in mapping m, or nil.
func mapGet(m *yaml.Node, key string) *yaml.Node {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1]
		}
	}
	return nil
}

// mapSet sets key in mapping m to v, appending it when absent.
func mapSet(m *yaml.Node, key string, v *yaml.Node) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = v
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: key}, v)
}

// deleteKeys removes the entries of mapping m for which drop is true.
func deleteKeys(m *yaml.Node, drop func(key string, v *yaml.Node) bool) {
	if m == nil || m.Kind != yaml.MappingNode {
		return
	}
	kept := m.Content[:0]
	for i := 0; i+1 < len(m.Content); i += 2 {
		if !drop(m.Content[i].Value, m.Content[i+1]) {
			kept = append(kept, m.Content[i], m.Content[i+1])
		}
	}
	clear(m.Content[len(kept):])
	m.Content = kept
}

// stubOperation is the stand-in for a route the spec source lacks.
type stubOperation struct {
	Summary      string                       `yaml:"summary"`
	Undocumented bool                         `yaml:"x-moniker-undocumented"`
	Parameters   []stubParameter              `yaml:"parameters,omitempty"`
	Responses    map[string]map[string]string `yaml:"responses"`
}

type stubParameter struct {
	Name     string            `yaml:"name"`
	In       string            `yaml:"in"`
	Required bool              `yaml:"required"`
	Schema   map[string]string `yaml:"schema"`
}

// addStub adds a stand-in operation for rt to paths.
func addStub(paths *yaml.Node, rt Route) error {
	op := stubOperation{
		Summary:      "Not documented yet",
		Undocumented: true,
		Responses:    map[string]map[string]string{"default": {"description": "Not documented yet."}},
	}
	for rest := rt.Doc; ; {
		i := strings.IndexByte(rest, '{')
		j := strings.IndexByte(rest, '}')
		if i < 0 || j < i {
			break
		}
		op.Parameters = append(op.Parameters, stubParameter{Name: rest[i+1 : j], In: "path", Required: true, Schema: map[string]string{"type": "string"}})
		rest = rest[j+1:]
	}
	var n yaml.Node
	if err := n.Encode(op); err != nil {
		return err
	}
	item := mapGet(paths, rt.Doc)
	if item == nil {
		item = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		mapSet(paths, rt.Doc, item)
	}
	mapSet(item, strings.ToLower(rt.Method), &n)
	return nil
}

// pruneComponents drops the components nothing outside components refers
// to, directly or through other components.
func pruneComponents(root *yaml.Node) {
	comps := mapGet(root, "components")
	if comps == nil {
		return
	}
	used := map[string]bool{}
	var queue []string
	var collect func(n *yaml.Node)
	collect = func(n *yaml.Node) {
		if n.Kind == yaml.MappingNode {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if v := n.Content[i+1]; n.Content[i].Value == "$ref" && v.Kind == yaml.ScalarNode {
					if !used[v.Value] {
						used[v.Value] = true
						queue = append(queue, v.Value)
					}
					continue
				}
				collect(n.Content[i+1])
			}
			return
		}
		for _, c := range n.Content {
			collect(c)
		}
	}
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value != "components" {
			collect(root.Content[i+1])
		}
	}
	for len(queue) > 0 {
		ref := queue[0]
		queue = queue[1:]
		section, name, ok := strings.Cut(strings.TrimPrefix(ref, "#/components/"), "/")
		if !ok {
			continue
		}
		if n := mapGet(mapGet(comps, section), name); n != nil {
			collect(n)
		}
	}
	// The sections whose entries are referenced only by $ref
	// (securitySchemes are referenced by name).
	for _, section := range [...]string{"schemas", "responses", "parameters", "examples", "requestBodies", "headers", "links", "callbacks"} {
		s := mapGet(comps, section)
		deleteKeys(s, func(name string, _ *yaml.Node) bool { return !used["#/components/"+section+"/"+name] })
	}
	deleteKeys(comps, func(_ string, v *yaml.Node) bool { return v.Kind == yaml.MappingNode && len(v.Content) == 0 })
	deleteKeys(root, func(k string, v *yaml.Node) bool { return k == "components" && len(v.Content) == 0 })
}

// pruneTags drops the top-level tags no operation uses.
func pruneTags(root *yaml.Node) {
	tags := mapGet(root, "tags")
	if tags == nil || tags.Kind != yaml.SequenceNode {
		return
	}
	used := map[string]bool{}
	eachOperation(root, func(_, _ string, op *yaml.Node) {
		if t := mapGet(op, "tags"); t != nil {
			for _, c := range t.Content {
				used[c.Value] = true
			}
		}
	})
	kept := tags.Content[:0]
	for _, t := range tags.Content {
		if name := mapGet(t, "name"); name != nil && used[name.Value] {
			kept = append(kept, t)
		}
	}
	tags.Content = kept
}

// appendNodeJSON appends n as JSON, keeping the source's key order.
func appendNodeJSON(dst []byte, n *yaml.Node) ([]byte, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) != 1 {
			return nil, errors.New("empty YAML document")
		}
		return appendNodeJSON(dst, n.Content[0])
	case yaml.AliasNode:
		return appendNodeJSON(dst, n.Alias)
	case yaml.MappingNode:
		dst = append(dst, '{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				dst = append(dst, ',')
			}
			k, _ := json.Marshal(n.Content[i].Value)
			dst = append(append(dst, k...), ':')
			var err error
			if dst, err = appendNodeJSON(dst, n.Content[i+1]); err != nil {
				return nil, err
			}
		}
		return append(dst, '}'), nil
	case yaml.SequenceNode:
		dst = append(dst, '[')
		for i, c := range n.Content {
			if i > 0 {
				dst = append(dst, ',')
			}
			var err error
			if dst, err = appendNodeJSON(dst, c); err != nil {
				return nil, err
			}
		}
		return append(dst, ']'), nil
	case yaml.ScalarNode:
		var v any
		switch n.ShortTag() {
		case "!!str", "!!timestamp":
			v = n.Value
		case "!!null":
			return append(dst, "null"...), nil
		case "!!bool", "!!int", "!!float":
			if err := n.Decode(&v); err != nil {
				return nil, fmt.Errorf("line %d: %w", n.Line, err)
			}
		default:
			return nil, fmt.Errorf("line %d: unsupported YAML tag %s", n.Line, n.ShortTag())
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n.Line, err)
		}
		return append(dst, b...), nil
	}
	return nil, fmt.Errorf("line %d: unsupported YAML node", n.Line)
}
