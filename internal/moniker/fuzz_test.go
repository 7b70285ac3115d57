package moniker

import (
	"errors"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// FuzzParse checks the parser's safety properties on arbitrary input:
//
//   - it never panics, and every error is a *ParseError wrapping ErrInvalid;
//   - everything that can reach a query template (namespace, segments,
//     version, sub-resource parts) matches the injection-guard character
//     rules and contains no quote, semicolon, whitespace, "--", "/*" or "#";
//   - the canonical form re-parses to an equal Moniker and is a fixed point.
//
// The same properties are checked for ParseParts on the input split at the
// first "?". The seed corpus is every table input plus the files kept in
// testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, tc := range parseCases() {
		f.Add(tc.in)
	}
	for _, tc := range rejectCases() {
		f.Add(tc.in)
	}
	segmentRE := regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]*$`)
	namespaceRE := regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_-]*$`)
	versionRE := regexp.MustCompile(`^[A-Za-z0-9]*$`)

	f.Fuzz(func(t *testing.T, in string) {
		m, err := Parse(in)
		checkParsed(t, "Parse", in, m, err, segmentRE, namespaceRE, versionRE)
		body, query, _ := strings.Cut(in, "?")
		m, err = ParseParts(body, query)
		checkParsed(t, "ParseParts", in, m, err, segmentRE, namespaceRE, versionRE)
	})
}

func checkParsed(t *testing.T, fn, in string, m Moniker, err error, segmentRE, namespaceRE, versionRE *regexp.Regexp) {
	t.Helper()
	if err != nil {
		var pe *ParseError
		if !errors.As(err, &pe) || !errors.Is(err, ErrInvalid) {
			t.Fatalf("%s(%q): error %T %v is not a *ParseError wrapping ErrInvalid", fn, in, err, err)
		}
		if !reflect.DeepEqual(m, Moniker{}) {
			t.Fatalf("%s(%q): non-zero Moniker with error: %#v", fn, in, m)
		}
		return
	}

	guarded := func(what, s string, re *regexp.Regexp) {
		if !re.MatchString(s) {
			t.Fatalf("%s(%q): %s %q does not match %s", fn, in, what, s, re)
		}
		if strings.ContainsAny(s, "'\";# \t\r\n\v\f") || strings.Contains(s, "--") || strings.Contains(s, "/*") || strings.HasSuffix(s, "-") {
			t.Fatalf("%s(%q): %s %q contains a forbidden sequence", fn, in, what, s)
		}
	}
	if m.Namespace != "" {
		guarded("namespace", m.Namespace, namespaceRE)
		if len(m.Namespace) > MaxNamespaceLen {
			t.Fatalf("%s(%q): namespace longer than %d", fn, in, MaxNamespaceLen)
		}
	}
	for _, s := range m.Segments {
		guarded("segment", s, segmentRE)
		if len(s) > MaxSegmentLen {
			t.Fatalf("%s(%q): segment longer than %d", fn, in, MaxSegmentLen)
		}
	}
	if m.Version != "" {
		guarded("version", m.Version, versionRE)
	}
	if m.SubResource != "" {
		for part := range strings.SplitSeq(m.SubResource, ".") {
			guarded("sub-resource part", part, segmentRE)
		}
	}
	if m.Path != strings.Join(m.Segments, "/") {
		t.Fatalf("%s(%q): Path %q is not Segments %q joined", fn, in, m.Path, m.Segments)
	}
	if (m.VersionType == VersionNone) != (m.Version == "") {
		t.Fatalf("%s(%q): version %q has type %v", fn, in, m.Version, m.VersionType)
	}
	if !m.HasVersion && (m.Version != "" || m.SubResource != "") {
		t.Fatalf("%s(%q): version parts without HasVersion: %#v", fn, in, m)
	}
	if m.VersionType == VersionLookback && (m.LookbackValue < 1 || strings.IndexByte("YMWD", m.LookbackUnit) < 0) {
		t.Fatalf("%s(%q): bad lookback %d %q", fn, in, m.LookbackValue, m.LookbackUnit)
	}
	if len(m.Params) > MaxParams {
		t.Fatalf("%s(%q): %d params", fn, in, len(m.Params))
	}

	s := m.String()
	if len(s) > MaxLen {
		t.Fatalf("%s(%q): canonical form %q longer than %d", fn, in, s, MaxLen)
	}
	if k := string(m.CacheKey(nil)); k != s {
		t.Fatalf("%s(%q): CacheKey %q != String %q", fn, in, k, s)
	}
	again, err := Parse(s)
	if err != nil {
		t.Fatalf("%s(%q): canonical form %q does not re-parse: %v", fn, in, s, err)
	}
	if !reflect.DeepEqual(m, again) {
		t.Fatalf("%s(%q): round trip via %q:\n got %#v\nwant %#v", fn, in, s, again, m)
	}
	if s2 := again.String(); s2 != s {
		t.Fatalf("%s(%q): canonical form not stable: %q then %q", fn, in, s, s2)
	}
}
