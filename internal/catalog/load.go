package catalog

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/yamlfile"
	"go.yaml.in/yaml/v3"
)

// How the loader works (see also DESIGN §10 and the package README):
//
// A YAML catalog is a block mapping whose keys start at column 0. The
// loader reads each file as a stream, cuts it into top-level entries with
// yamlfile.Splitter (the splitter the keyed save uses, so both see the
// same entries), groups consecutive entries into batches of about
// batchBytes, and parses the batches on GOMAXPROCS workers, each entry on
// its own. Results are merged in file order, so the later of two equal
// keys wins. Memory stays bounded: at most 2 x workers batches are in
// flight and the file is never held whole.
//
// Files the splitter cannot cut (JSON, flow style, directives or several
// documents, indented top-level mappings), and files with an entry that
// does not parse on its own (yamlfile.ParseEntry: anchors used across
// entries, text continued at column 0), are parsed whole instead, if they
// are at most maxWholeBytes; their nodes have no spans.

const (
	// batchBytes is the target size of one parse batch.
	batchBytes = 256 << 10
	// maxWholeBytes caps files that need a whole-document parse: a
	// yaml.Node tree takes many times the file's size.
	maxWholeBytes = 128 << 20
)

// Load reads a catalog from path, a file or a directory. A directory
// loads every *.yaml file in name order, then *.yml, then *.json; a later
// file overrides an earlier one node by node. Files ending in .yaml or
// .yml are YAML, anything else is JSON (parsed by the YAML library, JSON
// being YAML).
//
// Problems the service tolerates (unknown status or source type, keys
// with a leading or trailing "/") are returned as warnings. Anything else
// wrong (bad YAML, unknown keys, type errors, bad regular expressions) is
// an error: all *yamlfile.LoadError values found (up to 100), joined with
// errors.Join, each wrapping moniker.ErrInvalid. I/O errors are returned
// as they are. On error the catalog is nil.
func Load(path string) (*Catalog, []Warning, error) { return newLoader().load(path) }

func (l *loader) load(path string) (*Catalog, []Warning, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, nil, err
	}
	files := []string{path}
	if fi.IsDir() {
		if files, err = dirFiles(path); err != nil {
			return nil, nil, err
		}
	}
	for _, f := range files {
		if err := l.loadFile(f); err != nil {
			return nil, nil, err
		}
		if len(l.errs) > 0 {
			break
		}
	}
	return l.finish()
}

// LoadBytes loads one catalog file's contents; name is used in messages
// and, by its extension, picks YAML or JSON as Load does. It is meant
// for embedded catalogs.
func LoadBytes(name string, data []byte) (*Catalog, []Warning, error) {
	l := newLoader()
	l.files = append(l.files, name)
	l.h.Write(data)
	if isYAML(name) {
		l.stream(name, bytes.NewReader(data), int64(len(data)), func(int64) ([]byte, error) { return data, nil })
	} else {
		l.whole(name, data)
	}
	return l.finish()
}

// dirFiles lists a catalog directory: *.yaml sorted, then *.yml, then
// *.json. Subdirectories and other files are ignored; symbolic links to
// files are followed (Kubernetes ConfigMap volumes are made of them).
func dirFiles(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	isFile := func(e os.DirEntry) bool {
		if e.Type().IsRegular() {
			return true
		}
		if e.Type()&os.ModeSymlink == 0 {
			return false
		}
		fi, err := os.Stat(filepath.Join(dir, e.Name()))
		return err == nil && fi.Mode().IsRegular()
	}
	var out []string
	for _, ext := range []string{".yaml", ".yml", ".json"} {
		var names []string
		for _, e := range ents {
			if strings.EqualFold(filepath.Ext(e.Name()), ext) && isFile(e) {
				names = append(names, e.Name())
			}
		}
		slices.Sort(names)
		for _, n := range names {
			out = append(out, filepath.Join(dir, n))
		}
	}
	return out, nil
}

func isYAML(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// loader accumulates the nodes of one load (one or more files).
type loader struct {
	h       hash.Hash
	files   []string
	nodes   []*moniker.Node
	spans   []spanRec                // parallel to nodes
	byPath  map[string]*moniker.Node // node.Index is its position in nodes
	shadow  map[string][]Span
	warns   []Warning
	errs    []error
	started time.Time
	// yamlOnly parses every entry with yaml.v3, never the fast parser
	// (BenchmarkLoad100k compares the two).
	yamlOnly bool
}

func newLoader() *loader {
	return &loader{h: sha256.New(), byPath: make(map[string]*moniker.Node), started: time.Now()}
}

// loadFile loads one file, returning only I/O errors; catalog problems
// are collected in l.errs.
func (l *loader) loadFile(name string) error {
	f, err := os.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	l.files = append(l.files, name)
	if !isYAML(name) {
		data, err := io.ReadAll(io.TeeReader(f, l.h))
		if err != nil {
			return err
		}
		l.whole(name, data)
		return nil
	}
	size := int64(-1)
	if fi, err := f.Stat(); err == nil {
		size = fi.Size()
	}
	cr := &countingReader{r: io.TeeReader(f, l.h)}
	var ioErr error
	l.stream(name, cr, size, func(consumed int64) ([]byte, error) {
		// Whole-document fallback: read the file again and hash the
		// part the stream had not read yet.
		data, err := os.ReadFile(name)
		if err != nil {
			ioErr = err
			return nil, err
		}
		if consumed <= int64(len(data)) {
			l.h.Write(data[consumed:])
		}
		return data, nil
	})
	if ioErr == nil {
		ioErr = cr.err
	}
	return ioErr
}

type countingReader struct {
	r   io.Reader
	n   int64
	err error // first non-EOF error
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// fileResult is what one file contributed, merged only once the file is
// complete (a fallback discards a partial stream result).
type fileResult struct {
	nodes []*moniker.Node
	spans []spanRec // nil when the file has no usable spans
	warns []Warning
	errs  []error
}

// merge adds a file's nodes: a path seen before keeps its position and
// takes the new value (upstream's dict semantics).
func (l *loader) merge(r *fileResult) {
	l.warns = append(l.warns, r.warns...)
	l.errs = append(l.errs, r.errs...)
	if len(l.errs) > yamlfile.MaxErrors {
		l.errs = l.errs[:yamlfile.MaxErrors]
	}
	if len(l.errs) > 0 {
		return
	}
	fileIdx := int32(len(l.files) - 1)
	if len(l.byPath) == 0 {
		l.byPath = make(map[string]*moniker.Node, len(r.nodes))
	}
	l.nodes = slices.Grow(l.nodes, len(r.nodes))
	l.spans = slices.Grow(l.spans, len(r.nodes))
	for i, n := range r.nodes {
		sp := spanRec{file: fileIdx, start: -1}
		if r.spans != nil {
			sp = r.spans[i]
			sp.file = fileIdx
		}
		if old, ok := l.byPath[n.Path]; ok {
			j := old.Index
			if old := l.spans[j]; old.start >= 0 {
				if l.shadow == nil {
					l.shadow = make(map[string][]Span)
				}
				l.shadow[n.Path] = append(l.shadow[n.Path], l.span(old, l.nodes[j].Line))
			}
			n.Index = j
			l.nodes[j] = n
			l.spans[j] = sp
			l.byPath[n.Path] = n
			continue
		}
		n.Index = len(l.nodes)
		l.byPath[n.Path] = n
		l.nodes = append(l.nodes, n)
		l.spans = append(l.spans, sp)
	}
}

func (l *loader) span(r spanRec, line int) Span {
	return Span{File: l.files[r.file], Line: line, Start: r.start, End: r.end}
}

func (l *loader) finish() (*Catalog, []Warning, error) {
	if len(l.errs) > 0 {
		return nil, l.warns, errors.Join(l.errs...)
	}
	c := build(l.nodes, l.byPath)
	c.version = hex.EncodeToString(l.h.Sum(nil))[:12]
	c.loadedAt = l.started
	c.files = l.files
	c.spans = l.spans
	c.shadow = l.shadow
	return c, l.warns, nil
}

// whole parses a file as one YAML document.
func (l *loader) whole(name string, data []byte) {
	l.merge(parseWhole(name, data))
}

func parseWhole(name string, data []byte) (r *fileResult) {
	r = &fileResult{}
	defer func() {
		if p := recover(); p != nil {
			r = &fileResult{errs: []error{internalError(name, 0, p)}}
		}
	}()
	root, err := yamlfile.TopMapping(name, data, "catalog path to node")
	if err != nil || root == nil {
		if err != nil {
			r.errs = append(r.errs, err)
		}
		return r // an empty file is an empty catalog
	}
	d := newDecoder(name)
	d.Budget = yamlfile.NodeBudget(len(data))
	d.pairs(root, at{}, 0, func(_ string, kn, vn *yaml.Node) {
		if n := d.entry(kn, vn); n != nil {
			r.nodes = append(r.nodes, n)
		}
	})
	r.errs = append(r.errs, d.Errs...)
	r.warns = d.warns
	return r
}

// stream loads a YAML file by splitting it into top-level entries and
// parsing batches of them in parallel. reread returns the whole file for
// the fallback; its argument is how many bytes the stream had consumed.
// size is the file's size, or -1 when unknown.
func (l *loader) stream(name string, r io.Reader, size int64, reread func(consumed int64) ([]byte, error)) {
	res, fb := streamFile(name, r, l.yamlOnly)
	if fb == nil {
		l.merge(res)
		return
	}
	consumed := int64(-1)
	if cr, ok := r.(*countingReader); ok {
		consumed = cr.n
	}
	if max(fb.size, size) > maxWholeBytes {
		l.merge(&fileResult{errs: []error{fb.err(name)}})
		return
	}
	data, err := reread(consumed)
	if err != nil {
		return // the caller reports the I/O error
	}
	if len(data) > maxWholeBytes {
		l.merge(&fileResult{errs: []error{fb.err(name)}})
		return
	}
	l.merge(parseWhole(name, data))
}

// fallback says why a file must be parsed whole.
type fallback struct {
	line   int
	reason string
	size   int64 // bytes seen so far
	cause  *yamlfile.LoadError
}

func (f *fallback) err(name string) error {
	if f.cause != nil {
		return f.cause
	}
	return &yamlfile.LoadError{File: name, Line: f.line, Message: fmt.Sprintf("%s, and the file is too large (over %d MiB) to parse whole", f.reason, maxWholeBytes>>20)}
}

// entryPos locates one top-level entry in its file.
type entryPos struct {
	dataOff int   // offset of the key line in the batch's data
	line    int   // file line of the key
	start   int64 // byte offset of the key line
	end     int64 // byte offset just past the entry's last content line
}

// batch is a run of consecutive top-level entries parsed as one document.
type batch struct {
	seq       int
	data      []byte
	startLine int // file line of data's first line
	entries   []entryPos

	// Results, set by a worker.
	nodes    []*moniker.Node // parallel to entries (nil for bad entries)
	errs     []error
	warns    []Warning
	fallback *fallback
}

// streamFile splits and parses one YAML stream. It returns a fallback
// instead of a result when the file must be parsed whole.
func streamFile(name string, r io.Reader, yamlOnly bool) (*fileResult, *fallback) {
	workers := runtime.GOMAXPROCS(0)
	jobs := make(chan *batch)
	results := make(chan *batch)
	tickets := make(chan struct{}, 2*workers)
	done := make(chan struct{})
	// Batch buffers are recycled: once a worker has decoded a batch no
	// string points into its data any more (the decoder copies what it
	// keeps), and reusing them saves allocating and faulting in the
	// file's size in fresh memory.
	free := make(chan []byte, 2*workers+1)

	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &worker{d: newDecoder(name), yamlOnly: yamlOnly}
			for b := range jobs {
				if !w.safeParseBatch(b) {
					w = &worker{d: newDecoder(name), yamlOnly: yamlOnly} // state may be inconsistent
				}
				select {
				case free <- b.data[:0]:
				default:
				}
				b.data = nil
				results <- b
			}
		}()
	}
	sp := &splitter{name: name, r: bufio.NewReaderSize(r, 1<<20), free: free}
	go func() {
		defer close(jobs)
		sp.run(func(b *batch) bool {
			select {
			case tickets <- struct{}{}:
			case <-done:
				return false
			}
			select {
			case jobs <- b:
				return true
			case <-done:
				return false
			}
		})
	}()
	go func() {
		wg.Wait()
		close(results)
	}()

	res := &fileResult{spans: []spanRec{}}
	var fb *fallback
	pending := map[int]*batch{}
	next := 0
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			close(done)
		}
	}
	for b := range results {
		if stopped {
			<-tickets
			continue
		}
		pending[b.seq] = b
		for {
			b, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-tickets
			if b.fallback != nil {
				fb = b.fallback
				stop()
				break
			}
			res.errs = append(res.errs, b.errs...)
			res.warns = append(res.warns, b.warns...)
			for i, n := range b.nodes {
				if n != nil {
					e := b.entries[i]
					res.nodes = append(res.nodes, n)
					res.spans = append(res.spans, spanRec{start: e.start, end: e.end})
				}
			}
			if len(res.errs) >= yamlfile.MaxErrors {
				stop()
				break
			}
		}
		if stopped {
			// Release the tickets of out-of-order batches still held.
			for range pending {
				<-tickets
			}
			clear(pending)
		}
	}
	// The splitter has finished (jobs closed before results); its fields
	// are safe to read.
	if fb == nil && !stopped && sp.fallback != nil {
		fb = sp.fallback
	}
	if fb != nil {
		fb.size = max(fb.size, sp.off)
		return nil, fb
	}
	return res, nil
}

// worker holds one parse goroutine's reusable state.
type worker struct {
	d        *decoder
	fp       fastParser
	yamlOnly bool // never use fp
}

// safeParseBatch is parseBatch turning a panic (a bug) into a load error
// for the batch, so a bad file cannot crash the process from a worker
// goroutine. It reports false after a panic.
func (w *worker) safeParseBatch(b *batch) (ok bool) {
	defer func() {
		if r := recover(); r != nil {
			ok = false
			b.nodes, b.warns, b.fallback = nil, nil, nil
			b.errs = []error{internalError(w.d.File, b.startLine, r)}
		}
	}()
	w.parseBatch(b)
	return true
}

func internalError(file string, line int, r any) error {
	return &yamlfile.LoadError{File: file, Line: line, Message: fmt.Sprintf("internal error while loading (a bug; please report it): %v", r)}
}

// parseBatch parses one batch and decodes its entries: each entry with the
// fast parser, or with yaml.v3 when the fast parser declines. A YAML error
// or an entry that does not parse as exactly one top-level key sends the
// whole file to the whole-document parse.
func (w *worker) parseBatch(b *batch) {
	d, fp := w.d, &w.fp
	fp.arena.reset()
	d.Errs, d.warns = nil, nil
	d.Budget = yamlfile.NodeBudget(len(b.data))
	b.nodes = make([]*moniker.Node, len(b.entries))
	var roots []*yaml.Node // yamlOnly: the batch parsed whole
	if w.yamlOnly {
		roots = parseBatchYAML(b)
	}
	for i, e := range b.entries {
		end := len(b.data)
		if i+1 < len(b.entries) {
			end = b.entries[i+1].dataOff
		}
		src := b.data[e.dataOff:end]
		var kn, vn *yaml.Node
		ok := false
		switch {
		case roots != nil:
			kn, vn, ok = roots[2*i], roots[2*i+1], true
		case !w.yamlOnly:
			kn, vn, ok = fp.parseEntry(src)
		}
		if !ok {
			var err error
			kn, vn, err = yamlfile.ParseEntry(src)
			var se *yamlfile.SplitError
			switch {
			case errors.As(err, &se):
				b.fallback = &fallback{line: e.line, reason: "the top level could not be split into entries"}
				return
			case err != nil:
				b.fallback = &fallback{line: e.line, reason: "YAML error", cause: yamlfile.SyntaxError(d.File, e.line-1, err)}
				return
			}
		}
		d.LineBase = e.line - 1
		if roots != nil {
			d.LineBase = b.startLine - 1
		}
		b.nodes[i] = d.entry(kn, vn)
	}
	b.errs, b.warns = d.Errs, d.warns
}

// parseBatchYAML is how the loader reads a batch without the fast parser
// (yamlOnly, for BenchmarkLoad100k): one yaml.v3 parse of the whole batch,
// which costs less than a parse per entry, and its top-level keys matched
// to the entries by line. It returns the key and value nodes of every
// entry in order, or nil when they do not line up (the caller then parses
// entry by entry).
func parseBatchYAML(b *batch) []*yaml.Node {
	var doc yaml.Node
	if yaml.Unmarshal(b.data, &doc) != nil || len(doc.Content) != 1 {
		return nil
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode || len(root.Content) != 2*len(b.entries) {
		return nil
	}
	for i, e := range b.entries {
		if kn := root.Content[2*i]; kn.Line != e.line-b.startLine+1 || kn.Column != 1 {
			return nil
		}
	}
	return root.Content
}

// splitter cuts a YAML stream into batches of top-level entries, placing
// each line with yamlfile.Splitter (the keyed save's splitter too).
type splitter struct {
	name     string
	r        *bufio.Reader
	lines    yamlfile.Splitter
	off      int64 // bytes consumed
	long     []byte
	fallback *fallback
	cur      *batch
	seq      int
	emit     func(*batch) bool
	free     chan []byte // recycled batch buffers; may be nil
}

// run reads the whole stream, calling emit for each batch in order. It
// stops when emit returns false, at the end of the stream, or when the
// file needs a whole-document parse (s.fallback is set).
func (s *splitter) run(emit func(*batch) bool) {
	s.emit = emit
	for {
		ln, err := s.readLine()
		if len(ln) > 0 {
			s.off += int64(len(ln))
			if !s.add(ln) {
				return
			}
		}
		if err != nil {
			if err == io.EOF && s.cur != nil && len(s.cur.entries) > 0 {
				s.flush()
			}
			return
		}
	}
}

func (s *splitter) readLine() ([]byte, error) {
	ln, err := s.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		s.long = append(s.long[:0], ln...)
		for err == bufio.ErrBufferFull {
			ln, err = s.r.ReadSlice('\n')
			s.long = append(s.long, ln...)
		}
		ln = s.long
	}
	return ln, err
}

// add places one line (ln is not retained). It returns false to stop.
func (s *splitter) add(ln []byte) bool {
	step, err := s.lines.Next(ln)
	if err != nil {
		reason := err.Error()
		var se *yamlfile.SplitError
		if errors.As(err, &se) {
			reason = "the file is not a plain block mapping at the top level (" + se.Reason + ")"
		}
		s.fallback = &fallback{line: s.lines.Line(), reason: reason, size: s.off}
		return false
	}
	line, start, end := s.lines.Entry()
	switch {
	case step == yamlfile.Starts:
		if s.cur != nil && len(s.cur.data) >= batchBytes {
			if !s.flush() {
				return false
			}
		}
		if s.cur == nil {
			s.cur = &batch{seq: s.seq, startLine: line, data: s.buffer()}
			s.seq++
		}
		s.cur.entries = append(s.cur.entries, entryPos{dataOff: len(s.cur.data), line: line, start: start, end: end})
	case step == yamlfile.Continues:
		s.cur.entries[len(s.cur.entries)-1].end = end
	case s.cur == nil:
		return true // before the first key (or a batch: never, batches start at keys)
	}
	if s.lines.Line() == 1 {
		ln = bytes.TrimPrefix(ln, []byte(yamlfile.BOM))
	}
	s.cur.data = append(s.cur.data, ln...)
	return true
}

// buffer returns an empty batch buffer, recycled when one is free.
func (s *splitter) buffer() []byte {
	select {
	case b := <-s.free:
		return b
	default:
		return make([]byte, 0, batchBytes+batchBytes/4)
	}
}

func (s *splitter) flush() bool {
	b := s.cur
	s.cur = nil
	return s.emit(b)
}
