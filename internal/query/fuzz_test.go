package query

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/moniker-svc/moniker/internal/moniker"
)

// FuzzRender renders fuzzed templates with fuzzed segments (restricted to
// what the moniker parser accepts) and checks that:
//
//   - rendering never panics, and Append keeps what dst held;
//   - segment values cannot add structure: the count of every text in
//     structural is the same as when each segment is replaced by a marker
//     of its class. The classes are what the renderer looks at (ALL in any
//     case, 8 digits, other) plus a trailing "-", which the parser allows
//     and which forms "--" with a "-" that follows the placeholder in the
//     template (a template hazard, see TestSegmentEndingInDashFormsComment);
//   - unknown placeholders are kept verbatim;
//   - the single pass gives upstream's multi-pass result (reference §6.7,
//     a step per regular expression, each on the output of the one before)
//     for every template in which no "{" is followed by another "{" before
//     a "}": only such nesting lets upstream re-read a value as template
//     text.
func FuzzRender(f *testing.F) {
	// monikers are the monikers FuzzRender picks from: one per kind of
	// version, plus namespace, sub-resource, revision and a parameter whose
	// value holds a quote.
	monikers := []string{
		"p/x",
		"ns@p/x@20260115/sub.res/v3?k=it%27s",
		"p/x@3M",
		"p/x@latest",
		"p/x/date@previous",
		"p/x@all",
		"p/x@weekly",
		"p/x@v2beta",
		"p/x@",
	}

	// structural are the texts a segment value must never add to a rendering:
	// quotes, statement separators, escapes, whitespace and comment markers.
	structural := []string{"'", `"`, "`", ";", `\`, " ", "\t", "\n", "\r", "\v", "\f", "#", "--", "/*", "*/", "//"}

	seeds := []string{
		"WHERE {filter[0]:index_family} AND {filter[1]:currency} AND as_of_date = {version_date}",
		"SELECT * FROM t WHERE sym = '{segments[0]}' AND d = {segment_date_sql[1]} AND {date_filter:as_of}",
		"/api/{path}/{segments[0]:date}?v={version}&r={revision}&ns={namespace}",
		"{moniker} {sub_resource} {version_type} {is_date}{is_latest}{is_lookback}{is_frequency}{is_all}",
		"{lookback_value}{lookback_unit}{frequency}{current_date}{lookback_start_sql}{is_tenor}{tenor_value}{tenor_unit}",
		"{date_value} {date_sql} {is_all[0]} {is_all[7]} {segments[9]}",
		`{"query": {"term": {"security_id": "{segments[0]}"}}}`,
		"{{segments[0]}} {unknown} {segments[ 0]} {segments[0]:DATE}",
		"{segments[0]}-{segments[1]}",
	}
	for i, s := range seeds {
		f.Add(s, "AAPL/ALL/20260115", uint8(i), uint8(i), int64(1795791845))
	}
	f.Add("x{path}{", "a-/b", uint8(0), uint8(3), int64(-62135596800))
	f.Add("{{version}namespace}", "path", uint8(0), uint8(0), int64(0))

	mp := newMultiPass()
	f.Fuzz(func(t *testing.T, tmplText, segText string, mi, di uint8, sec int64) {
		segs := strings.Split(segText, "/")
		for _, s := range segs {
			if !validSegment(s) {
				return
			}
		}
		m := mustParse(t, monikers[int(mi)%len(monikers)])
		c := &Context{M: m, Segments: segs, Path: segText, Dialect: Dialect(di % 7), Now: time.Unix(sec, 0).UTC()}
		tmpl := Compile(tmplText)

		out := tmpl.Append([]byte("dst:"), c)
		if !bytes.HasPrefix(out, []byte("dst:")) {
			t.Fatalf("Append lost dst: %q", out)
		}
		got := string(out[len("dst:"):])

		markers := make([]string, len(segs))
		for i, s := range segs {
			markers[i] = marker(s)
		}
		ref := tmpl.Render(&Context{M: c.M, Segments: markers, Path: strings.Join(markers, "/"), Dialect: c.Dialect, Now: c.Now})
		for _, tok := range structural {
			if a, b := strings.Count(got, tok), strings.Count(ref, tok); a != b {
				t.Fatalf("segments %q changed the count of %q from %d to %d:\n%q\n%q", segs, tok, b, a, ref, got)
			}
		}

		for _, u := range tmpl.Unknown() {
			if !strings.Contains(got, u) {
				t.Fatalf("unknown %q not kept verbatim in %q", u, got)
			}
		}

		if !nestedOpen(tmplText) {
			if want := mp.render(t, tmplText, c); got != want {
				t.Fatalf("single pass %q, upstream's passes %q", got, want)
			}
		}
	})
}

// validSegment is the moniker parser's segment rule: [A-Za-z0-9][A-Za-z0-9_.-]*,
// at most 128 bytes, no "--".
func validSegment(s string) bool {
	if s == "" || len(s) > 128 || strings.Contains(s, "--") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		alnum := isDigit(c) || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
		if !alnum && (i == 0 || c != '_' && c != '.' && c != '-') {
			return false
		}
	}
	return true
}

// marker is a harmless segment of the same class as s.
func marker(s string) string {
	switch {
	case isALL(s):
		return "ALL"
	case isDate8(s):
		return "19700101"
	case strings.HasSuffix(s, "-"):
		return "x-"
	}
	return "x"
}

// nestedOpen reports whether a "{" is followed by another "{" before a "}".
func nestedOpen(s string) bool {
	open := false
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			if open {
				return true
			}
			open = true
		case '}':
			open = false
		}
	}
	return false
}

// multiPass is upstream's expansion (reference §6.7): one regular
// expression per step, then the simple names in upstream's order, each
// step on the output of the one before. Each match's value comes from
// rendering the match alone.
type multiPass struct {
	steps  []*regexp.Regexp
	simple []string
}

func newMultiPass() *multiPass {
	return &multiPass{
		steps: []*regexp.Regexp{
			regexp.MustCompile(`\{segments\[(\d+)\]\}`),
			regexp.MustCompile(`\{segments\[(\d+)\]:date\}`),
			regexp.MustCompile(`\{segment_date_sql\[(\d+)\]\}`),
			regexp.MustCompile(`\{is_all\[(\d+)\]\}`),
			regexp.MustCompile(`\{filter\[(\d+)\]:(\w+)\}`),
			regexp.MustCompile(`\{date_filter:(\w+)\}`),
		},
		simple: []string{
			"path", "version", "version_date", "revision", "namespace", "moniker", "sub_resource",
			"version_type", "is_date", "is_latest", "is_lookback", "is_frequency", "is_all",
			"lookback_value", "lookback_unit", "frequency", "current_date", "lookback_start_sql",
			"is_tenor", "tenor_value", "tenor_unit", "date_value", "date_sql",
		},
	}
}

func (mp *multiPass) render(t *testing.T, s string, c *Context) string {
	value := func(ph string) string {
		tmpl := Compile(ph)
		if len(tmpl.Placeholders()) != 1 {
			t.Fatalf("upstream's pattern matches %q, Compile does not know it", ph)
		}
		return tmpl.Render(c)
	}
	for _, re := range mp.steps {
		s = re.ReplaceAllStringFunc(s, value)
	}
	for _, name := range mp.simple {
		ph := "{" + name + "}"
		s = strings.ReplaceAll(s, ph, value(ph))
	}
	return s
}

func TestSegmentEndingInDashRejected(t *testing.T) {
	// The hazard FuzzRender's marker classes account for: a segment ending
	// in "-" before a template's "-" would spell "--". The parser closes it
	// by rejecting such segments.
	if _, err := moniker.Parse("p/x-"); err == nil {
		t.Fatal(`Parse("p/x-") accepted a segment ending in "-"`)
	}
}
