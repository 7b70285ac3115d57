package catalog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/moniker-svc/moniker/internal/moniker"
	"go.yaml.in/yaml/v3"
)

// MarshalNode appends the YAML text of n's catalog entry to dst: the key
// line ("<path>:") and the node's fields indented by two spaces, ending in
// a line break ("<path>: {}\n" for a node with no fields set). It is the
// writer of the management plane: what it writes, Load reads back as a
// node equal to n (File, Line and Index aside), for any n Load can
// produce. The output is deterministic:
//
//   - Keys come in the order of the node-field table (moniker.NodeFields:
//     upstream's, display_name first, migration_guide_url last), then the
//     Extra keys sorted; keys inside blocks in the order of their
//     sub-fields, those of a binding, access policy and column as
//     bindingValue, policyValue and columnsValue write them. Free-form maps
//     (config, metadata, documentation.additional, Extra values) are
//     written with sorted keys.
//   - What equals the loader's default is left out: empty strings, nil
//     blocks, read_only true, base_row_count 100, the cache defaults, a
//     column's nullable true and primary_key false. A list or map that is
//     present but empty is written ([] or {}) wherever the loader keeps
//     that distinction, so the round trip is exact.
//   - Strings are plain when YAML reads them back as the same string
//     (also under YAML 1.1: "yes", "on", "1:20" are quoted), quoted
//     otherwise ("007", "true", "2026-06-30", "" are double-quoted).
//     A multi-line string is a literal block (| or |-) when that reads
//     back exactly (no trailing spaces on a line, no control characters,
//     at most one final line break, no leading line break), double-quoted
//     with escapes otherwise. Lines are never folded.
//   - Floats of free-form values always carry a "." or an exponent, so
//     they read back as floats, not integers.
//   - Lists of scalars are written in flow style ([a, b]); lists holding
//     maps or lists in block style.
//
// Extra keys that name a modelled field are skipped (they would duplicate
// a key), and invalid UTF-8 is replaced by U+FFFD.
func MarshalNode(dst []byte, n *moniker.Node) []byte {
	dst = append(dst, scalarText(n.Path)...)
	v := nodeValue(n)
	if len(v.Content) == 0 {
		return append(dst, ": {}\n"...)
	}
	dst = append(dst, ":\n"...)
	body := encodeYAML(v)
	// Indent every line of the value by two spaces. Lines are never
	// folded and every multi-line scalar is a literal block, whose
	// content is relative to its parent's indentation, so a uniform
	// shift keeps the structure; empty lines stay empty.
	for len(body) > 0 {
		i := bytes.IndexByte(body, '\n')
		line := body
		if i >= 0 {
			line = body[:i+1]
		}
		if len(line) > 1 {
			dst = append(dst, "  "...)
		}
		dst = append(dst, line...)
		body = body[len(line):]
	}
	if len(dst) > 0 && dst[len(dst)-1] != '\n' {
		dst = append(dst, '\n')
	}
	return dst
}

// encodeYAML encodes a yaml.Node with two-space indentation.
func encodeYAML(v *yaml.Node) []byte {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	err := enc.Encode(v)
	if err == nil {
		err = enc.Close()
	}
	if err != nil {
		// The trees built here hold only valid UTF-8 scalars with
		// resolvable tags: the encoder has nothing to reject.
		panic(fmt.Sprintf("catalog: encoding a node: %v", err))
	}
	return buf.Bytes()
}

// scalarText returns the text of s as a YAML key: plain when possible,
// quoted otherwise, always on one line.
func scalarText(s string) []byte {
	n := str(s)
	if n.Style&yaml.LiteralStyle != 0 {
		n.Style = yaml.DoubleQuotedStyle
	}
	return bytes.TrimSuffix(encodeYAML(n), []byte("\n"))
}

// nodeValue builds the mapping of n's fields, in the order of the
// node-field table.
func nodeValue(n *moniker.Node) *yaml.Node {
	m := mapping()
	fields := moniker.NodeFields()
	for i := range fields {
		f := &fields[i]
		switch f.Kind {
		case moniker.KindExtra:
			// Written below, sorted, with any other key Extra holds.
		case moniker.KindOwnership:
			if !n.Ownership.Empty() {
				o := mapping()
				for f := range moniker.NumOwnerFields {
					o.text(f.Key(), n.Ownership[f])
				}
				m.add(f.Key, o.Node)
			}
		case moniker.KindBinding:
			if b := n.Binding; b != nil {
				m.add(f.Key, bindingValue(b))
			}
		case moniker.KindPolicy:
			if p := n.AccessPolicy; p != nil {
				m.add(f.Key, policyValue(p))
			}
		case moniker.KindBlock:
			if f.Block.Has(n) {
				o := mapping()
				for j := range f.Block.Fields {
					o.field(n, &f.Block.Fields[j])
				}
				m.add(f.Key, o.Node)
			}
		default:
			m.field(n, f)
		}
	}
	for _, k := range sortedKeys(n.Extra) {
		if f, ok := moniker.FieldByKey(k); !ok || f.Kind == moniker.KindExtra {
			m.add(k, value(n.Extra[k]))
		}
	}
	return m.Node
}

// field adds f's value, unless it is the loader's default.
func (m mapNode) field(n *moniker.Node, f *moniker.NodeField) {
	switch f.Kind {
	case moniker.KindText, moniker.KindEnum:
		m.text(f.Key, *f.Text(n))
	case moniker.KindTags:
		m.strings(f.Key, *f.List(n), false)
	case moniker.KindList:
		m.strings(f.Key, *f.List(n), true)
	case moniker.KindNumber:
		if x := *f.Number(n); x != nil {
			m.add(f.Key, number(*x))
		}
	case moniker.KindAny:
		if v := *f.Any(n); v != nil {
			m.add(f.Key, value(v))
		}
	case moniker.KindMap:
		if v := *f.Map(n); v != nil {
			m.add(f.Key, value(v))
		}
	case moniker.KindTextMap:
		if v := *f.TextMap(n); v != nil {
			a := mapping()
			for _, k := range sortedKeys(v) {
				a.add(k, str(v[k]))
			}
			m.add(f.Key, a.Node)
		}
	case moniker.KindColumns:
		if cols := n.Schema.Columns; cols != nil {
			m.add(f.Key, columnsValue(cols))
		}
	}
}

func bindingValue(b *moniker.SourceBinding) *yaml.Node {
	m := mapping()
	m.add("type", str(b.Type))
	if b.Config != nil {
		m.add("config", value(b.Config))
	}
	m.strings("allowed_operations", b.AllowedOperations, true)
	if b.Schema != nil {
		m.add("schema", value(b.Schema))
	}
	if !b.ReadOnly {
		m.add("read_only", boolean(false))
	}
	if c := b.Cache; c != nil {
		o := mapping()
		if c.Enabled {
			o.add("enabled", boolean(true))
		}
		if c.TTLSeconds != 3600 {
			o.add("ttl_seconds", integer(int64(c.TTLSeconds)))
		}
		if c.RefreshIntervalSeconds != 600 {
			o.add("refresh_interval_seconds", integer(int64(c.RefreshIntervalSeconds)))
		}
		if !c.RefreshOnStartup {
			o.add("refresh_on_startup", boolean(false))
		}
		m.add("cache", o.Node)
	}
	return m.Node
}

func columnsValue(columns []moniker.Column) *yaml.Node {
	cols := &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq"}
	for i := range columns {
		c := &columns[i]
		o := mapping()
		o.add("name", str(c.Name))
		o.text("type", c.Type)
		o.text("description", c.Description)
		o.text("semantic_type", c.SemanticType)
		if c.Example != nil {
			o.add("example", value(c.Example))
		}
		if !c.Nullable {
			o.add("nullable", boolean(false))
		}
		if c.PrimaryKey {
			o.add("primary_key", boolean(true))
		}
		o.text("foreign_key", c.ForeignKey)
		cols.Content = append(cols.Content, o.Node)
	}
	if len(cols.Content) == 0 {
		cols.Style = yaml.FlowStyle
	}
	return cols
}

func policyValue(p *moniker.AccessPolicy) *yaml.Node {
	m := mapping()
	if len(p.RequiredSegments) > 0 {
		seq := flowSeq()
		for _, v := range p.RequiredSegments {
			seq.Content = append(seq.Content, integer(int64(v)))
		}
		m.add("required_segments", seq)
	}
	if p.MinFilters != 0 {
		m.add("min_filters", integer(int64(p.MinFilters)))
	}
	m.strings("blocked_patterns", p.BlockedPatterns, false)
	if p.MaxRowsWarn != 0 {
		m.add("max_rows_warn", integer(p.MaxRowsWarn))
	}
	if p.MaxRowsBlock != 0 {
		m.add("max_rows_block", integer(p.MaxRowsBlock))
	}
	if p.CardinalityMultipliers != nil {
		seq := flowSeq()
		for _, v := range p.CardinalityMultipliers {
			seq.Content = append(seq.Content, integer(v))
		}
		m.add("cardinality_multipliers", seq)
	}
	if p.BaseRowCount != 100 {
		m.add("base_row_count", integer(p.BaseRowCount))
	}
	if p.RequireConfirmationAbove != 0 {
		m.add("require_confirmation_above", integer(p.RequireConfirmationAbove))
	}
	m.text("denial_message", p.DenialMessage)
	m.strings("allowed_roles", p.AllowedRoles, true)
	if p.AllowedHours != nil {
		m.add("allowed_hours", value(p.AllowedHours))
	}
	return m.Node
}

// mapNode builds a block mapping.
type mapNode struct{ *yaml.Node }

func mapping() mapNode { return mapNode{&yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}} }

func (m mapNode) add(k string, v *yaml.Node) {
	m.Content = append(m.Content, str(k), v)
}

// text adds k when s is not empty.
func (m mapNode) text(k, s string) {
	if s != "" {
		m.add(k, str(s))
	}
}

// strings adds the list k: when it is not empty, or, with keepEmpty, when
// it is not nil (the loader keeps an empty list as an empty slice there).
func (m mapNode) strings(k string, list []string, keepEmpty bool) {
	if list == nil || len(list) == 0 && !keepEmpty {
		return
	}
	seq := flowSeq()
	for _, s := range list {
		seq.Content = append(seq.Content, str(s))
	}
	m.add(k, seq)
}

func flowSeq() *yaml.Node {
	return &yaml.Node{Kind: yaml.SequenceNode, Tag: "!!seq", Style: yaml.FlowStyle}
}

// value converts a free-form value (what the loader produces: string,
// int, int64, uint64, float64, bool, nil, []any, map[string]any; and the
// common Go types code may put there) to a YAML node that reads back as
// the same value.
func value(v any) *yaml.Node {
	switch x := v.(type) {
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	case string:
		return str(x)
	case bool:
		return boolean(x)
	case int:
		return integer(int64(x))
	case int8:
		return integer(int64(x))
	case int16:
		return integer(int64(x))
	case int32:
		return integer(int64(x))
	case int64:
		return integer(x)
	case uint:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(uint64(x), 10)}
	case uint8:
		return integer(int64(x))
	case uint16:
		return integer(int64(x))
	case uint32:
		return integer(int64(x))
	case uint64:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatUint(x, 10)}
	case float32:
		return float(float64(x))
	case float64:
		return float(x)
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return integer(i)
		}
		if f, err := x.Float64(); err == nil {
			return float(f)
		}
		return str(x.String())
	case []any:
		return sequence(len(x), func(i int) *yaml.Node { return value(x[i]) })
	case []string:
		return sequence(len(x), func(i int) *yaml.Node { return str(x[i]) })
	case map[string]any:
		m := mapping()
		for _, k := range sortedKeys(x) {
			m.add(k, value(x[k]))
		}
		if len(x) == 0 {
			m.Style = yaml.FlowStyle
		}
		return m.Node
	case map[string]string:
		m := mapping()
		for _, k := range sortedKeys(x) {
			m.add(k, str(x[k]))
		}
		if len(x) == 0 {
			m.Style = yaml.FlowStyle
		}
		return m.Node
	}
	// Anything else: the library's own encoding of it.
	var n yaml.Node
	if err := n.Encode(v); err != nil {
		return str(fmt.Sprint(v))
	}
	return &n
}

// sequence builds a list: flow style when every item is a scalar.
func sequence(n int, item func(int) *yaml.Node) *yaml.Node {
	seq := flowSeq()
	for i := range n {
		it := item(i)
		if it.Kind != yaml.ScalarNode {
			seq.Style = 0
		}
		seq.Content = append(seq.Content, it)
	}
	return seq
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

func boolean(b bool) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!bool", Value: strconv.FormatBool(b)}
}

func integer(i int64) *yaml.Node {
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!int", Value: strconv.FormatInt(i, 10)}
}

// number writes a float field the loader reads with number() (which takes
// integers too): its shortest form.
func number(f float64) *yaml.Node {
	if t := specialFloat(f); t != "" {
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: t}
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	tag := "!!float"
	switch {
	case s == "-0":
		s = "-0.0" // as an integer it would read back as +0
	case !strings.ContainsAny(s, ".e"):
		tag = "!!int"
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: tag, Value: s}
}

// float writes a free-form float so that it reads back as a float.
func float(f float64) *yaml.Node {
	s := specialFloat(f)
	if s == "" {
		s = strconv.FormatFloat(f, 'g', -1, 64)
		if !strings.ContainsAny(s, ".e") {
			s += ".0"
		}
	}
	return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!float", Value: s}
}

func specialFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return ".nan"
	case math.IsInf(f, 1):
		return ".inf"
	case math.IsInf(f, -1):
		return "-.inf"
	}
	return ""
}

// StringNode returns a YAML string scalar that reads back as exactly s
// (invalid UTF-8 aside): the styling MarshalNode uses, shared with the
// domain and model writers.
func StringNode(s string) *yaml.Node { return str(s) }

// str returns a string scalar with the style MarshalNode documents. With
// no style set, the encoder writes it plain when YAML 1.2 reads it back
// as this string, double-quoted when it would read as another type, and
// single- or double-quoted when plain text cannot carry it.
func str(s string) *yaml.Node {
	s = strings.ToValidUTF8(s, "\uFFFD")
	n := &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!str", Value: s}
	switch {
	case hasSpecial(s):
		n.Style = yaml.DoubleQuotedStyle
	case strings.IndexByte(s, '\n') >= 0:
		if literalOK(s) {
			n.Style = yaml.LiteralStyle
		} else {
			n.Style = yaml.DoubleQuotedStyle
		}
	case yaml11Special(s):
		n.Style = yaml.DoubleQuotedStyle
	}
	return n
}

// hasSpecial reports whether s holds a character that only a
// double-quoted scalar carries safely: a control character other than
// tab and line feed, a carriage return, a byte order mark, or one of the
// line breaks YAML 1.1 adds (NEL, LS, PS).
func hasSpecial(s string) bool {
	for _, r := range s {
		switch {
		case r == '\n' || r == '\t':
		case r < 0x20 || r == 0x7f || r >= 0x80 && r <= 0x9f:
			return true
		case r == '\u2028' || r == '\u2029' || r == '\ufeff':
			return true
		}
	}
	return false
}

// literalOK reports whether the multi-line s reads back exactly from a
// literal block: no line ends in a space or tab, starts with a tab or is
// only white space; it does not start with a line break, and it ends with
// at most one (| or |-, never |+, whose trailing empty lines a keyed-file
// splitter would not count as part of the entry).
func literalOK(s string) bool {
	if strings.HasPrefix(s, "\n") || strings.HasSuffix(s, "\n\n") {
		return false
	}
	for line := range strings.SplitSeq(s, "\n") {
		if line != "" && (line[len(line)-1] == ' ' || line[len(line)-1] == '\t') {
			return false
		}
		if line != "" && (strings.TrimLeft(line, " \t") == "" || line[0] == '\t') {
			return false
		}
	}
	return true
}

// yaml11Base60 matches YAML 1.1 sexagesimal numbers ("1:20", "190:20:30.15").
var yaml11Base60 = regexp.MustCompile(`^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`)

// yaml11Special reports whether a YAML 1.1 reader (upstream's PyYAML)
// would read plain s as something other than a string where a YAML 1.2
// reader does not: the 1.1 booleans and sexagesimal numbers.
func yaml11Special(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"on", "On", "ON", "off", "Off", "OFF":
		return true
	}
	return len(s) > 2 && strings.IndexByte(s, ':') > 0 && yaml11Base60.MatchString(s)
}
