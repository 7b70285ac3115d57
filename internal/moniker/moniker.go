package moniker

// VersionType classifies the @version part of a moniker (reference §4.3).
type VersionType uint8

// Version types, in the order Parse checks them.
const (
	VersionNone      VersionType = iota // no @version, or an empty one ("x@")
	VersionDate                         // exactly 8 digits
	VersionLookback                     // \d+[YMWD], case-insensitive
	VersionFrequency                    // daily | weekly | monthly
	VersionLatest                       // latest
	VersionAll                          // all
	VersionPrevious                     // previous (HEAD's date@previous: a 1-day lookback)
	VersionCustom                       // anything else that is alphanumeric
)

// String returns the {version_type} placeholder value: "" for none.
func (t VersionType) String() string {
	switch t {
	case VersionDate:
		return "date"
	case VersionLookback:
		return "lookback"
	case VersionFrequency:
		return "frequency"
	case VersionLatest:
		return "latest"
	case VersionAll:
		return "all"
	case VersionPrevious:
		return "previous"
	case VersionCustom:
		return "custom"
	}
	return ""
}

// Param is one query parameter of a moniker. Parse keeps the first value
// per key, in the order the keys first appear.
type Param struct {
	Key, Value string
}

// Moniker is a parsed moniker. Every string in it that can reach a query
// template (Segments, Version, Namespace, SubResource) contains only
// [A-Za-z0-9_.-]: that validation is the injection guard of templating.
type Moniker struct {
	// Namespace is the text before a leading "ns@", or "".
	Namespace string
	// Path is the canonical catalog path: Segments joined by "/".
	Path string
	// Segments are the path segments; empty for the root moniker.
	Segments []string
	// HasVersion is true when the moniker carried "@" (even "x@", whose
	// Version is ""), so moniker_version can be "" rather than null.
	HasVersion bool
	// Version is the raw version text ("20260115", "3M", "latest", ...).
	Version     string
	VersionType VersionType
	// LookbackValue and LookbackUnit (one of 'Y','M','W','D') are set for
	// VersionLookback.
	LookbackValue int
	LookbackUnit  byte
	// SubResource is the dotted part after "@version/", or "".
	SubResource string
	// HasRevision and Revision carry a trailing "/vN".
	HasRevision bool
	Revision    int
	// Params are the query parameters, first value per key.
	Params []Param
}
