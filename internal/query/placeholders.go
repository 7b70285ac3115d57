package query

import "slices"

// Placeholder describes one template placeholder: its name as written
// (indexed ones with [N], column ones with :COL), what it renders, and an
// example. GET /config/source-types lists them for the Config UI's
// reference panel, and the naming guide is generated from them.
type Placeholder struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Example     string `json:"example"`
	// SQL: it renders SQL text (a dialect's date expression), so it
	// applies to SQL source types only.
	SQL bool `json:"sql"`

	kind kind // the kind of a simple placeholder ({name}); kLiteral for the others
}

// placeholders is every placeholder Compile knows, in reference §6.7
// order. The simple ones ({name}) are recognised from this table; the
// indexed and column ones by parsePlaceholder.
var placeholders = []Placeholder{
	{Name: "{segments[N]}", Description: "Path segment N below the bound node (0-based); empty when out of range.", Example: "SELECT * FROM PRICES WHERE symbol = '{segments[0]}'"},
	{Name: "{segments[N]:date}", Description: "Segment N as YYYY-MM-DD when it is 8 digits, else as is.", Example: "'{segments[1]:date}'"},
	{Name: "{segment_date_sql[N]}", Description: "Segment N as the dialect's date literal when it is 8 digits, else quoted; NULL when out of range.", Example: "asof = {segment_date_sql[1]}", SQL: true},
	{Name: "{is_all[N]}", Description: "true when segment N is ALL (any case), else false.", Example: "{is_all[0]}"},
	{Name: "{filter[N]:COL}", Description: "COL = '<segment N>', or the dialect's no-filter (1=1) when the segment is ALL or missing.", Example: "WHERE {filter[0]:currency}"},
	{Name: "{date_filter:COL}", Description: "A filter on COL from the version: a lookback start, a date, or no filter.", Example: "WHERE {date_filter:ASOF_DATE}"},
	{Name: "{path}", Description: "The path below the bound node.", Example: "/v1/{path}", kind: kPath},
	{Name: "{version}", Description: "The raw @version, or empty.", Example: "'{version}'", kind: kVersion},
	{Name: "{version_date}", Description: "The version as the dialect's date (no version: the current date; latest: '__LATEST__').", Example: "asof = {version_date}", kind: kVersionDate},
	{Name: "{revision}", Description: "The /vN revision number, or empty.", Example: "rev = {revision}", kind: kRevision},
	{Name: "{namespace}", Description: "The ns@ namespace, or empty.", Example: "'{namespace}'", kind: kNamespace},
	{Name: "{moniker}", Description: "The canonical moniker string.", Example: "'{moniker}'", kind: kMoniker},
	{Name: "{sub_resource}", Description: "The dotted part after @version/, or empty.", Example: "'{sub_resource}'", kind: kSubResource},
	{Name: "{version_type}", Description: "date, latest, lookback, frequency, all, custom, previous, or empty.", Example: "'{version_type}'", kind: kVersionType},
	{Name: "{is_date}", Description: "true when the version is a date.", Example: "{is_date}", kind: kIsDate},
	{Name: "{is_latest}", Description: "true when the version is latest.", Example: "{is_latest}", kind: kIsLatest},
	{Name: "{is_lookback}", Description: "true when the version is a lookback (3M, 1Y). Alias {is_tenor}.", Example: "{is_lookback}", kind: kIsLookback},
	{Name: "{is_tenor}", Description: "Alias of {is_lookback}.", Example: "{is_tenor}", kind: kIsLookback},
	{Name: "{is_frequency}", Description: "true when the version is daily, weekly or monthly.", Example: "{is_frequency}", kind: kIsFrequency},
	{Name: "{is_all}", Description: "true when the version is all.", Example: "{is_all}", kind: kIsAll},
	{Name: "{lookback_value}", Description: "The lookback's number (3 of 3M), or empty. Alias {tenor_value}.", Example: "{lookback_value}", kind: kLookbackValue},
	{Name: "{tenor_value}", Description: "Alias of {lookback_value}.", Example: "{tenor_value}", kind: kLookbackValue},
	{Name: "{lookback_unit}", Description: "The lookback's unit (Y, M, W, D), or empty. Alias {tenor_unit}.", Example: "'{lookback_unit}'", kind: kLookbackUnit},
	{Name: "{tenor_unit}", Description: "Alias of {lookback_unit}.", Example: "'{tenor_unit}'", kind: kLookbackUnit},
	{Name: "{frequency}", Description: "The frequency version (daily, weekly, monthly), or empty.", Example: "'{frequency}'", kind: kFrequency},
	{Name: "{current_date}", Description: "The dialect's current date.", Example: "asof = {current_date}", kind: kCurrentDate},
	{Name: "{lookback_start_sql}", Description: "The dialect's start date of a lookback, or empty.", Example: "asof >= {lookback_start_sql}", SQL: true, kind: kLookbackStartSQL},
	{Name: "{date_value}", Description: "The raw date@ value, or empty.", Example: "'{date_value}'", kind: kDateValue},
	{Name: "{date_sql}", Description: "The date@ value as the dialect's date expression, or empty.", Example: "asof = {date_sql}", SQL: true, kind: kDateSQL},
}

// Placeholders returns every placeholder templates may use, in reference
// §6.7 order.
func Placeholders() []Placeholder { return slices.Clone(placeholders) }

// simpleKinds maps the name of every simple placeholder to its kind; built
// once from placeholders and never changed.
var simpleKinds = func() map[string]kind {
	m := make(map[string]kind)
	for _, p := range placeholders {
		if p.kind != kLiteral {
			m[p.Name[1:len(p.Name)-1]] = p.kind
		}
	}
	return m
}()

// simple returns the kind of the simple placeholder {name}, or kLiteral.
func simple(name string) kind { return simpleKinds[name] }
