// Package query renders the query templates of source bindings (reference
// §6.7, §5.4) with the per-source date dialects (reference §6.8).
//
// A template is compiled once (Compile) into literal and placeholder parts
// and then rendered per request (Template.Append) without allocating. The
// values a rendering puts into a query come from the moniker, whose parser
// restricts every segment, version, namespace and sub-resource to
// [A-Za-z0-9_.-]: that validation is the injection guard, because templates
// are not escaped (upstream never escaped either). The only unvalidated part
// of a moniker, its query parameters, reaches a rendering only through
// {moniker}, where moniker.Moniker.AppendString query-escapes them: no
// quote, backslash, semicolon or whitespace can appear, but "-" is kept, so
// a template should quote {moniker} in SQL.
//
// One hazard remains in the template text itself: a segment may end in "-"
// (the grammar allows it), so a raw value placeholder directly followed by
// "-" in a SQL template ({segments[0]}-1) can be turned into a "--" comment
// by the caller. Quote segment values in SQL templates.
package query
