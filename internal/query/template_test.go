package query

import (
	"slices"
	"testing"
)

func TestCompilePlaceholdersAndUnknown(t *testing.T) {
	tests := []struct {
		tmpl    string
		known   []string
		unknown []string
	}{
		{"", nil, nil},
		{"SELECT 1", nil, nil},
		{"{segments[0]}", []string{"{segments[0]}"}, nil},
		{"{segments[0]}/{segments[0]}/{path}", []string{"{segments[0]}", "{path}"}, nil},
		{"{segments[007]}", []string{"{segments[007]}"}, nil},
		{"{segments[0]:date}{segment_date_sql[1]}{is_all[2]}{filter[3]:col_1}{date_filter:as_of}",
			[]string{"{segments[0]:date}", "{segment_date_sql[1]}", "{is_all[2]}", "{filter[3]:col_1}", "{date_filter:as_of}"}, nil},
		{"{is_tenor}{tenor_value}{tenor_unit}{date_value}{date_sql}",
			[]string{"{is_tenor}", "{tenor_value}", "{tenor_unit}", "{date_value}", "{date_sql}"}, nil},
		// Left as they are (reference §6.7); the placeholder-looking ones
		// are reported.
		{"{unknown}", nil, []string{"{unknown}"}},
		{"{segments[0]:DATE}", nil, []string{"{segments[0]:DATE}"}},
		{"{segment[0]}", nil, []string{"{segment[0]}"}},
		{"{filter[0]}", nil, []string{"{filter[0]}"}},
		{"{date_filter}", nil, []string{"{date_filter}"}},
		{"{unknown}{unknown}", nil, []string{"{unknown}"}},
		{"{segments[ 0]}", nil, nil},
		{"{segments[N]}", nil, nil},
		{"{segments[-1]}", nil, nil},
		{"{segments[0]x}", nil, nil},
		{"{filter[0]:}", nil, nil},
		{"{filter[0]:a-b}", nil, nil},
		{"{Path}", nil, nil},
		{"{}", nil, nil},
		{"{ path }", nil, nil},
		// JSON braces of an opensearch query are not placeholders.
		{`{"query": {"term": {"security_id": "{segments[0]}"}}}`, []string{"{segments[0]}"}, nil},
		// No brace escaping: the inner pair is the placeholder.
		{"{{segments[0]}}", []string{"{segments[0]}"}, nil},
		{"{{unknown}}", nil, []string{"{unknown}"}},
		{"{x{path}", []string{"{path}"}, nil},
		{"{path", nil, nil},
		{"path}", nil, nil},
	}
	for _, tt := range tests {
		tmpl := Compile(tt.tmpl)
		if got := tmpl.Placeholders(); !slices.Equal(got, tt.known) {
			t.Errorf("Compile(%q).Placeholders() = %q, want %q", tt.tmpl, got, tt.known)
		}
		if got := tmpl.Unknown(); !slices.Equal(got, tt.unknown) {
			t.Errorf("Compile(%q).Unknown() = %q, want %q", tt.tmpl, got, tt.unknown)
		}
	}
}

func TestUnknownReturnsCopy(t *testing.T) {
	tmpl := Compile("{nope}")
	tmpl.Unknown()[0] = "changed"
	if got := tmpl.Unknown(); got[0] != "{nope}" {
		t.Errorf("Unknown() shares its slice: %q", got)
	}
}

func TestLiteralOnlyTemplatesRenderUnchanged(t *testing.T) {
	for _, s := range []string{
		"", "SELECT * FROM t", "{unknown} {segments[ 0]} {segments[0]:DATE}", "{", "}", "{{", "}}{",
		`{"term": {"a": 1}}`, "{segments[99999999999999999999999]x}",
	} {
		if got := Compile(s).Render(&Context{Segments: []string{"AAPL"}}); got != s {
			t.Errorf("Render(%q) = %q", s, got)
		}
	}
}
