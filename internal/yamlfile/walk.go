package yamlfile

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// YAML short tags as yaml.v3 resolves them.
const (
	TagNull      = "!!null"
	TagBool      = "!!bool"
	TagStr       = "!!str"
	TagInt       = "!!int"
	TagFloat     = "!!float"
	TagTimestamp = "!!timestamp"
	TagMerge     = "!!merge"
)

// MaxDepth bounds the nesting a Walker follows (aliases can make cycles).
const MaxDepth = 200

// NodeBudget is how many YAML nodes a Walker may visit in free-form
// values (Value) of a document of size bytes: far more than the document
// holds, far less than an alias bomb expands to.
func NodeBudget(size int) int { return 8*size + 10000 }

// Path names where a value is, for error messages
// ("access_policy.min_filters", "schema.columns[2].type"), without
// building the string unless an error needs it: decoding a large catalog
// must not allocate a path per field.
type Path struct {
	p, k string // parent path and key; String is p + "." + k
	i    int    // list index + 1 (0: none), after k
	leaf string // key after the index
}

// Key is the path of key k at the top of an entry (or file).
func Key(k string) Path { return Path{k: k} }

// Under is the path of key k inside the mapping at path p ("" for the
// top).
func Under(p, k string) Path { return Path{p: p, k: k} }

// Item is the path of the i-th (0-based) item of the list at a.
func (a Path) Item(i int) Path {
	if a.i == 0 && a.leaf == "" {
		return Path{p: a.p, k: a.k, i: i + 1}
	}
	return Path{k: a.String(), i: i + 1}
}

// Field is the path of key k inside the mapping at a.
func (a Path) Field(k string) Path {
	if a.i > 0 && a.leaf == "" {
		return Path{p: a.p, k: a.k, i: a.i, leaf: k}
	}
	return Under(a.String(), k)
}

func (a Path) String() string {
	s := a.k
	if a.p != "" {
		s = a.p + "." + a.k
	}
	if a.i > 0 {
		s += "[" + strconv.Itoa(a.i-1) + "]"
	}
	if a.leaf != "" {
		s += "." + a.leaf
	}
	return s
}

// Deref follows aliases to the node they name.
func Deref(n *yaml.Node) *yaml.Node {
	for i := 0; n != nil && n.Kind == yaml.AliasNode && n.Alias != nil && i < MaxDepth; i++ {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is a null scalar ("", "~", "null").
func IsNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == TagNull }

// KindName describes a node for type errors: "a mapping", "a list",
// "null", or the scalar quoted.
func KindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		if n.Tag == TagNull {
			return "null"
		}
		return strconv.Quote(n.Value)
	}
	return "an unsupported value"
}

// Closest returns the known key nearest to k by edit distance when it is
// close enough to be a likely typo (at most two edits, fewer than k has
// characters), else "". Ties go to the earlier key.
func Closest(k string, known []string) string {
	best, bestD := "", 3
	for _, s := range known {
		if d := editDistance(k, s); d < bestD && d < len(k) {
			best, bestD = s, d
		}
	}
	return best
}

// Hint is what follows "unknown key" in a message: the likely intended
// key, else the keys there are.
func Hint(k string, known []string) string {
	if s := Closest(k, known); s != "" {
		return fmt.Sprintf(" (did you mean %q?)", s)
	}
	if len(known) == 0 {
		return ""
	}
	return " (known: " + strings.Join(known, ", ") + ")"
}

// editDistance is the Levenshtein distance between a and b (99 for keys
// too long to be worth comparing).
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	var rows [2][65]int
	prev, cur := rows[0][:len(b)+1], rows[1][:len(b)+1]
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// maxInterned is the longest string Str de-duplicates. Short strings
// (keys, source types, hosts, owners) repeat across entries.
const maxInterned = 48

// Walker reads yaml.Node trees strictly against a schema the caller
// spells out: it iterates mappings (merge keys expanded, keys checked),
// checks scalar kinds, converts free-form values, and records every
// problem as a *LoadError located by file, line, entry and key. One
// Walker is used by one goroutine; the zero value needs File set.
type Walker struct {
	File string
	// LineBase is added to node lines: the file line before the parsed
	// text (a batch of entries of a larger file), 0 for a whole file.
	LineBase int
	// Noun and Entry name the top-level entry being read, for messages
	// (LoadError.Noun, LoadError.Entry).
	Noun, Entry string
	// Budget is how many more nodes Value may visit (NodeBudget).
	Budget int
	// Duplicates makes Pairs report a key given twice in one mapping;
	// otherwise the later one wins, as in PyYAML.
	Duplicates bool
	// Errs are the problems found, at most MaxErrors.
	Errs []error

	intern map[string]string
	boxed  map[string]any // interned strings already boxed for Value
}

// Line returns n's line in the file; 0 when unknown.
func (w *Walker) Line(n *yaml.Node) int {
	if n == nil || n.Line == 0 {
		return 0
	}
	return w.LineBase + n.Line
}

// Errorf records a problem with the value n at path at.
func (w *Walker) Errorf(n *yaml.Node, at Path, format string, args ...any) {
	if len(w.Errs) >= MaxErrors {
		return
	}
	w.Errs = append(w.Errs, &LoadError{File: w.File, Line: w.Line(n), Noun: w.Noun, Entry: w.Entry, Key: at.String(), Message: fmt.Sprintf(format, args...)})
}

// UnknownKey records that key (node kn, at path at) is not one of known.
func (w *Walker) UnknownKey(kn *yaml.Node, at Path, key string, known []string) {
	w.Errorf(kn, at, "unknown key%s", Hint(key, known))
}

// Str returns a copy of s that the caller may keep (the catalog's fast
// parser hands out strings pointing into a buffer that is reused). Short
// strings are interned.
func (w *Walker) Str(s string) string {
	if len(s) > maxInterned || len(s) == 0 {
		return strings.Clone(s)
	}
	if v, ok := w.intern[s]; ok {
		return v
	}
	s = strings.Clone(s)
	if w.intern == nil {
		w.intern = make(map[string]string, 1024)
	}
	if len(w.intern) < 1<<16 {
		w.intern[s] = s
	}
	return s
}

// Pairs calls fn for each key/value pair of mapping m (at path at, depth
// levels down), expanding "<<" merge keys first so that explicit keys
// override merged ones. Keys must be non-null scalars; with Duplicates, an
// explicit key may appear once.
func (w *Walker) Pairs(m *yaml.Node, at Path, depth int, fn func(key string, kn, vn *yaml.Node)) {
	if depth > MaxDepth {
		w.Errorf(m, at, "nesting too deep")
		return
	}
	c := m.Content
	for i := 0; i+1 < len(c); i += 2 {
		if c[i].Kind == yaml.ScalarNode && c[i].Tag == TagMerge {
			w.merge(c[i+1], at, depth, fn)
		}
	}
	var seen map[string]int
	if w.Duplicates {
		seen = make(map[string]int, len(c)/2)
	}
	for i := 0; i+1 < len(c); i += 2 {
		kn := Deref(c[i])
		if kn.Kind == yaml.ScalarNode && kn.Tag == TagMerge {
			continue
		}
		if kn.Kind != yaml.ScalarNode || kn.Tag == TagNull {
			w.Errorf(kn, at, "keys must be strings, got %s", KindName(kn))
			continue
		}
		if seen != nil {
			if first, dup := seen[kn.Value]; dup {
				w.Errorf(kn, at, "duplicate key %q (first set at line %d)", kn.Value, first)
				continue
			}
			seen[kn.Value] = w.Line(kn)
		}
		fn(w.Str(kn.Value), kn, c[i+1])
	}
}

func (w *Walker) merge(v *yaml.Node, at Path, depth int, fn func(string, *yaml.Node, *yaml.Node)) {
	v = Deref(v)
	switch v.Kind {
	case yaml.MappingNode:
		w.Pairs(v, at, depth+1, fn)
	case yaml.SequenceNode:
		for _, s := range v.Content {
			if s = Deref(s); s.Kind != yaml.MappingNode {
				w.Errorf(s, at, "merge (<<) needs mappings, got %s", KindName(s))
				continue
			}
			w.Pairs(s, at, depth+1, fn)
		}
	default:
		w.Errorf(v, at, "merge (<<) needs a mapping, got %s", KindName(v))
	}
}

// Mapping checks that v is a mapping; null gives ok=false without error.
func (w *Walker) Mapping(v *yaml.Node, at Path) (*yaml.Node, bool) {
	v = Deref(v)
	switch {
	case v.Kind == yaml.MappingNode:
		return v, true
	case IsNull(v):
		return nil, false
	}
	w.Errorf(v, at, "expected a mapping, got %s", KindName(v))
	return nil, false
}

// List returns the items of a sequence; null gives ok=false without
// error.
func (w *Walker) List(v *yaml.Node, at Path) ([]*yaml.Node, bool) {
	v = Deref(v)
	switch {
	case v.Kind == yaml.SequenceNode:
		return v.Content, true
	case IsNull(v):
		return nil, false
	}
	w.Errorf(v, at, "expected a list, got %s", KindName(v))
	return nil, false
}

// Text returns a scalar's text; null is "". Numbers, booleans and dates
// are kept as the file spelled them.
func (w *Walker) Text(v *yaml.Node, at Path) string {
	v = Deref(v)
	if v.Kind != yaml.ScalarNode {
		w.Errorf(v, at, "expected a string, got %s", KindName(v))
		return ""
	}
	if v.Tag == TagNull {
		return ""
	}
	return w.Str(v.Value)
}

// Strings reads a list of strings (null items are errors).
func (w *Walker) Strings(v *yaml.Node, at Path) []string {
	items, ok := w.List(v, at)
	if !ok {
		return nil
	}
	out := make([]string, 0, len(items))
	for i, it := range items {
		it = Deref(it)
		if it.Kind != yaml.ScalarNode || it.Tag == TagNull {
			w.Errorf(it, at.Item(i), "expected a string, got %s", KindName(it))
			continue
		}
		out = append(out, w.Str(it.Value))
	}
	return out
}

// Bool accepts YAML 1.2 booleans and the YAML 1.1 spellings PyYAML reads
// as booleans (yes/no/on/off/y/n); null is def.
func (w *Walker) Bool(v *yaml.Node, at Path, def bool) bool {
	v = Deref(v)
	if v.Kind == yaml.ScalarNode {
		if v.Tag == TagNull {
			return def
		}
		switch v.Value {
		case "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On", "ON", "y", "Y":
			return true
		case "false", "False", "FALSE", "no", "No", "NO", "off", "Off", "OFF", "n", "N":
			return false
		}
	}
	w.Errorf(v, at, "expected true or false, got %s", KindName(v))
	return def
}

// Int reads an integer (an integral float such as 1e7 is accepted). set
// is false for null or on error.
func (w *Walker) Int(v *yaml.Node, at Path) (n int64, set bool) {
	v = Deref(v)
	if v.Kind == yaml.ScalarNode {
		switch v.Tag {
		case TagNull:
			return 0, false
		case TagInt:
			if i, ok := parseInt(v.Value); ok {
				return i, true
			}
		case TagFloat:
			if f, ok := parseFloat(v.Value); ok && f == math.Trunc(f) && math.Abs(f) < 1<<63 {
				return int64(f), true
			}
		}
	}
	w.Errorf(v, at, "expected integer, got %s", KindName(v))
	return 0, false
}

// Ints reads a list of integers.
func (w *Walker) Ints(v *yaml.Node, at Path) []int64 {
	items, ok := w.List(v, at)
	if !ok {
		return nil
	}
	out := make([]int64, 0, len(items))
	for i, it := range items {
		if n, ok := w.Int(it, at.Item(i)); ok {
			out = append(out, n)
		}
	}
	return out
}

// Number reads an integer or float. set is false for null or on error.
func (w *Walker) Number(v *yaml.Node, at Path) (f float64, set bool) {
	v = Deref(v)
	if v.Kind == yaml.ScalarNode {
		switch v.Tag {
		case TagNull:
			return 0, false
		case TagInt:
			if i, ok := parseInt(v.Value); ok {
				return float64(i), true
			}
		case TagFloat:
			if f, ok := parseFloat(v.Value); ok {
				return f, true
			}
		}
	}
	w.Errorf(v, at, "expected a number, got %s", KindName(v))
	return 0, false
}

// Value converts a free-form YAML value to Go: string, int, int64,
// uint64, float64, bool, nil, []any or map[string]any. Dates, binary and
// custom-tagged scalars stay the string the file had. Every node visited
// costs one of Budget.
func (w *Walker) Value(v *yaml.Node, at Path, depth int) any {
	w.Budget--
	if w.Budget < 0 {
		if w.Budget == -1 {
			w.Errorf(v, at, "document too large after alias expansion")
		}
		return nil
	}
	if depth > MaxDepth {
		w.Errorf(v, at, "nesting too deep")
		return nil
	}
	v = Deref(v)
	switch v.Kind {
	case yaml.ScalarNode:
		return w.scalar(v)
	case yaml.SequenceNode:
		out := make([]any, len(v.Content))
		for i, it := range v.Content {
			out[i] = w.Value(it, at, depth+1)
		}
		return out
	case yaml.MappingNode:
		out := make(map[string]any, len(v.Content)/2)
		w.Pairs(v, at, depth, func(k string, _, vn *yaml.Node) {
			out[k] = w.Value(vn, at, depth+1)
		})
		return out
	}
	return nil
}

func (w *Walker) scalar(v *yaml.Node) any {
	switch v.Tag {
	case TagNull:
		return nil
	case TagBool:
		switch v.Value {
		case "true", "True", "TRUE":
			return true
		case "false", "False", "FALSE":
			return false
		}
	case TagInt:
		if i, ok := parseInt(v.Value); ok {
			if i == int64(int(i)) {
				return int(i)
			}
			return i
		}
		if u, err := strconv.ParseUint(strings.ReplaceAll(v.Value, "_", ""), 0, 64); err == nil {
			return u
		}
	case TagFloat:
		if f, ok := parseFloat(v.Value); ok {
			return f
		}
	}
	return w.box(v.Value)
}

// box returns Str(s) as an interface value, sharing the boxed value of
// short strings: config maps repeat the same hosts and warehouses.
func (w *Walker) box(s string) any {
	if len(s) > maxInterned || len(s) == 0 {
		return w.Str(s)
	}
	if v, ok := w.boxed[s]; ok {
		return v
	}
	s = w.Str(s)
	var v any = s
	if w.boxed == nil {
		w.boxed = make(map[string]any, 1024)
	}
	if len(w.boxed) < 1<<16 {
		w.boxed[s] = v
	}
	return v
}

func parseInt(s string) (int64, bool) {
	s = strings.ReplaceAll(s, "_", "")
	i, err := strconv.ParseInt(s, 0, 64)
	return i, err == nil
}

func parseFloat(s string) (float64, bool) {
	switch s {
	case ".nan", ".NaN", ".NAN":
		return math.NaN(), true
	case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF":
		return math.Inf(1), true
	case "-.inf", "-.Inf", "-.INF":
		return math.Inf(-1), true
	}
	f, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil {
		if i, ok := parseInt(s); ok {
			return float64(i), true
		}
	}
	return f, err == nil
}
