package catalog

import (
	"encoding/binary"
	"slices"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// Search index
//
// Search is a case-insensitive substring match against a node's path,
// display_name, description and tags. To avoid a scan per request the
// catalog keeps an inverted n-gram index over those fields:
//
//   - Each lower-cased byte is folded to one of 63 symbols (letters,
//     digits and common punctuation get their own; other bytes share a
//     few). Folding only loses selectivity, never matches: the index
//     finds candidates, a real substring test decides.
//   - Keys are symbol trigrams of each field with an end-of-field
//     sentinel appended (so "ab" at the end of a field makes the trigram
//     a,b,END), plus single symbols.
//   - A posting list per key holds node indexes (load order, ascending)
//     as delta-encoded uvarints in one shared byte slice. It is built in
//     two passes over the nodes with flat per-key arrays, so memory is the
//     exact encoded size plus ~4 MB of tables, with no per-key slices.
//
// A query of 3+ bytes intersects the lists of its trigrams (smallest
// first, leapfrog, so it stops as soon as limit nodes are verified); a
// 2-byte query takes the union of the 64 lists "a,b,*"; a 1-byte query
// uses the single-symbol list. A status filter joins the intersection as
// a per-status list of node indexes. Results therefore come in load order.

const (
	symBits  = 6
	numSyms  = 1 << symBits // symbol 0 is the end-of-field sentinel
	triKeys  = numSyms * numSyms * numSyms
	uniBase  = triKeys // single-symbol keys follow the trigram keys
	numKeys  = triKeys + numSyms
	sentinel = 0
)

// symTable folds a lower-cased byte to a symbol in 1..63.
var symTable = func() (t [256]uint8) {
	for b := range 256 {
		var s int
		switch {
		case b >= 'a' && b <= 'z':
			s = 1 + b - 'a' // 1..26
		case b >= 'A' && b <= 'Z':
			s = 1 + b - 'A' // callers lower-case first; kept consistent anyway
		case b >= '0' && b <= '9':
			s = 27 + b - '0' // 27..36
		default:
			switch b {
			case ' ':
				s = 37
			case '.':
				s = 38
			case '/':
				s = 39
			case '_':
				s = 40
			case '-':
				s = 41
			case ':':
				s = 42
			case ',':
				s = 43
			case '@':
				s = 44
			case '#':
				s = 45
			case '(', ')':
				s = 46
			case '&':
				s = 47
			case '+':
				s = 48
			default:
				s = 49 + b%15 // 49..63
			}
		}
		t[b] = uint8(s)
	}
	return t
}()

// searchIndex is the inverted index over node search fields.
type searchIndex struct {
	off   []uint32 // list k is data[off[k]:off[k+1]]
	count []uint32 // entries in list k
	data  []byte
	// byStatus lists node indexes in load order per effective status.
	byStatus map[moniker.Status][]uint32
}

// fieldSyms appends the folded symbols of the lower-cased s to buf.
func fieldSyms(buf []uint8, s string) []uint8 {
	ascii := true
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if !ascii {
		s = strings.ToLower(s)
	}
	for i := 0; i < len(s); i++ {
		buf = append(buf, symTable[s[i]])
	}
	return buf
}

// indexKeys appends every index key of node n to keys (repeats
// possible); syms is scratch space. It returns both buffers.
func indexKeys(n *moniker.Node, keys []uint32, syms []uint8) ([]uint32, []uint8) {
	keys = keys[:0]
	field := func(s string) {
		if s == "" {
			return
		}
		syms = fieldSyms(syms[:0], s)
		syms = append(syms, sentinel)
		for i := 0; i+1 < len(syms); i++ {
			keys = append(keys, uniBase+uint32(syms[i]))
			if i+2 < len(syms) {
				keys = append(keys, uint32(syms[i])<<(2*symBits)|uint32(syms[i+1])<<symBits|uint32(syms[i+2]))
			}
		}
	}
	field(n.Path)
	field(n.DisplayName)
	field(n.Description)
	for _, t := range n.Tags {
		field(t)
	}
	return keys, syms
}

// minIndexed is the catalog size below which Search scans instead of
// keeping an index (the index tables alone are a few MB).
const minIndexed = 256

// buildSearch builds the index; nil for catalogs under minIndexed nodes.
func buildSearch(nodes []*moniker.Node) *searchIndex {
	if len(nodes) < minIndexed {
		return nil
	}
	idx := &searchIndex{
		off:      make([]uint32, numKeys+1),
		count:    make([]uint32, numKeys),
		byStatus: map[moniker.Status][]uint32{},
	}
	last := make([]uint32, numKeys) // node index + 1 of the last entry
	size := make([]uint32, numKeys) // encoded bytes per list
	var keys []uint32
	var syms []uint8
	for i, n := range nodes {
		id := uint32(i) + 1
		keys, syms = indexKeys(n, keys, syms)
		for _, k := range keys {
			if last[k] == id {
				continue
			}
			size[k] += uvarintLen(id - last[k])
			last[k] = id
			idx.count[k]++
		}
		s := n.EffectiveStatus()
		idx.byStatus[s] = append(idx.byStatus[s], uint32(i))
	}
	var total uint32
	for k := range size {
		idx.off[k] = total
		total += size[k]
	}
	idx.off[numKeys] = total
	idx.data = make([]byte, total)
	w := size // reuse as write cursors
	copy(w, idx.off[:numKeys])
	clear(last)
	for i, n := range nodes {
		id := uint32(i) + 1
		keys, syms = indexKeys(n, keys, syms)
		for _, k := range keys {
			if last[k] == id {
				continue
			}
			w[k] += uint32(binary.PutUvarint(idx.data[w[k]:], uint64(id-last[k])))
			last[k] = id
		}
	}
	for s, l := range idx.byStatus {
		idx.byStatus[s] = slices.Clip(l)
	}
	return idx
}

func uvarintLen(v uint32) uint32 {
	n := uint32(1)
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// iterator walks an ascending list of node indexes.
type iterator interface {
	// seek returns the smallest element >= min, or ok=false when none.
	seek(min uint32) (v uint32, ok bool)
	size() int
}

// listIter decodes one posting list.
type listIter struct {
	data []byte
	pos  int
	acc  uint32 // last decoded id (node index + 1); 0 before the first
	n    int
}

func (it *listIter) size() int { return it.n }

func (it *listIter) seek(min uint32) (uint32, bool) {
	for {
		if it.acc > 0 && it.acc-1 >= min {
			return it.acc - 1, true
		}
		if it.pos >= len(it.data) {
			return 0, false
		}
		d, k := binary.Uvarint(it.data[it.pos:])
		it.pos += k
		it.acc += uint32(d)
	}
}

// sliceIter walks a sorted []uint32.
type sliceIter struct {
	s []uint32
	i int
}

func (it *sliceIter) size() int { return len(it.s) }

func (it *sliceIter) seek(min uint32) (uint32, bool) {
	if it.i < len(it.s) && it.s[it.i] < min {
		rest := it.s[it.i:]
		it.i += sort.Search(len(rest), func(k int) bool { return rest[k] >= min })
	}
	if it.i >= len(it.s) {
		return 0, false
	}
	return it.s[it.i], true
}

// unionIter merges several iterators.
type unionIter struct {
	its []iterator
	n   int
}

func (it *unionIter) size() int { return it.n }

func (it *unionIter) seek(min uint32) (uint32, bool) {
	best, found := uint32(0), false
	for _, s := range it.its {
		if v, ok := s.seek(min); ok && (!found || v < best) {
			best, found = v, true
		}
	}
	return best, found
}

func (idx *searchIndex) list(k uint32) *listIter {
	return &listIter{data: idx.data[idx.off[k]:idx.off[k+1]], n: int(idx.count[k])}
}

// Search finds nodes whose path, display_name, description or a tag
// contains q, case-insensitively (reference §3.9), restricted to nodes
// whose effective status is status ("" = all). Results are in load order;
// at most limit are returned (limit <= 0 gives none; callers clamp). An
// empty q matches every node. On catalogs of 256 nodes or more it uses
// the n-gram index (no scan of all nodes per request); smaller ones are
// scanned.
func (c *Catalog) Search(q string, status moniker.Status, limit int) []*moniker.Node {
	if limit <= 0 {
		return nil
	}
	idx := c.search
	lq := strings.ToLower(q)
	if idx == nil {
		var out []*moniker.Node
		for _, n := range c.nodes {
			if (status == "" || n.EffectiveStatus() == status) && matches(n, lq) {
				if out = append(out, n); len(out) == limit {
					break
				}
			}
		}
		return out
	}
	var its []iterator
	if status != "" {
		its = append(its, &sliceIter{s: idx.byStatus[status]})
	}
	syms := fieldSyms(nil, lq)
	switch len(syms) {
	case 0:
		if status == "" {
			return slices.Clone(c.nodes[:min(limit, len(c.nodes))])
		}
	case 1:
		its = append(its, idx.list(uniBase+uint32(syms[0])))
	case 2:
		u := &unionIter{}
		prefix := uint32(syms[0])<<(2*symBits) | uint32(syms[1])<<symBits
		for s := range uint32(numSyms) {
			if l := idx.list(prefix | s); l.n > 0 {
				u.its = append(u.its, l)
				u.n += l.n
			}
		}
		its = append(its, u)
	default:
		seen := map[uint32]bool{}
		for i := 0; i+2 < len(syms); i++ {
			k := uint32(syms[i])<<(2*symBits) | uint32(syms[i+1])<<symBits | uint32(syms[i+2])
			if !seen[k] {
				seen[k] = true
				its = append(its, idx.list(k))
			}
		}
	}
	slices.SortFunc(its, func(a, b iterator) int { return a.size() - b.size() })
	var out []*moniker.Node
	leapfrog(its, func(i uint32) bool {
		if n := c.nodes[i]; matches(n, lq) {
			out = append(out, n)
		}
		return len(out) < limit
	})
	return out
}

// leapfrog calls emit for each element common to all iterators, in
// ascending order, until emit returns false.
func leapfrog(its []iterator, emit func(uint32) bool) {
	if len(its) == 0 {
		return
	}
	x := uint32(0)
	for {
		agree := true
		for _, it := range its {
			v, ok := it.seek(x)
			if !ok {
				return
			}
			if v != x {
				x, agree = v, false
			}
		}
		if agree {
			if !emit(x) || x == ^uint32(0) {
				return
			}
			x++
		}
	}
}

// matches is the real test: lq (lower-cased) is a substring of a
// lower-cased search field of n.
func matches(n *moniker.Node, lq string) bool {
	if lq == "" {
		return true
	}
	if containsLower(n.Path, lq) || containsLower(n.DisplayName, lq) || containsLower(n.Description, lq) {
		return true
	}
	for _, t := range n.Tags {
		if containsLower(t, lq) {
			return true
		}
	}
	return false
}

// containsLower reports whether strings.ToLower(s) contains lq, without
// allocating when s is ASCII.
func containsLower(s, lq string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return strings.Contains(strings.ToLower(s), lq)
		}
	}
	n := len(lq)
	first := lq[0]
outer:
	for i := 0; i+n <= len(s); i++ {
		if lowerASCII(s[i]) != first {
			continue
		}
		for j := 1; j < n; j++ {
			if lowerASCII(s[i+j]) != lq[j] {
				continue outer
			}
		}
		return true
	}
	return false
}

func lowerASCII(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}
