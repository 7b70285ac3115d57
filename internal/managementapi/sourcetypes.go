package managementapi

import (
	"net/http"
	"slices"

	"github.com/moniker-svc/moniker/internal/httpapi"
	"github.com/moniker-svc/moniker/internal/moniker"
)

// ---- source types and placeholders ----

// configField is one field of a source type's config schema for the
// editor: type is string, number, sql, text, json or select.
type configField struct {
	Type        string   `json:"type"`
	Required    bool     `json:"required"`
	Description string   `json:"description"`
	Options     []string `json:"options,omitempty"`
}

// sourceType is one GET /config/source-types entry.
type sourceType struct {
	Type          string                 `json:"type"`
	DisplayName   string                 `json:"display_name"`
	ConfigSchema  map[string]configField `json:"config_schema"`
	ExecutionMode string                 `json:"execution_mode"`
	ExecutionHint string                 `json:"execution_hint"`
}

// Placeholder describes one query-template placeholder the resolver
// renders (internal/query): GET /config/source-types lists them for the
// Config UI's reference panel.
type Placeholder struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Example     string `json:"example"`
}

// TemplatePlaceholders returns every placeholder internal/query renders,
// in reference §6.7 order (a test checks the table against query.Compile
// and query's own list of names).
func TemplatePlaceholders() []Placeholder { return slices.Clone(placeholders) }

// placeholders is the table TemplatePlaceholders returns.
var placeholders = []Placeholder{
	{"{segments[N]}", "Path segment N below the bound node (0-based); empty when out of range.", "SELECT * FROM PRICES WHERE symbol = '{segments[0]}'"},
	{"{segments[N]:date}", "Segment N as YYYY-MM-DD when it is 8 digits, else as is.", "'{segments[1]:date}'"},
	{"{segment_date_sql[N]}", "Segment N as the dialect's date literal when it is 8 digits, else quoted; NULL when out of range.", "asof = {segment_date_sql[1]}"},
	{"{is_all[N]}", "true when segment N is ALL (any case), else false.", "{is_all[0]}"},
	{"{filter[N]:COL}", "COL = '<segment N>', or the dialect's no-filter (1=1) when the segment is ALL or missing.", "WHERE {filter[0]:currency}"},
	{"{date_filter:COL}", "A filter on COL from the version: a lookback start, a date, or no filter.", "WHERE {date_filter:ASOF_DATE}"},
	{"{path}", "The path below the bound node.", "/v1/{path}"},
	{"{version}", "The raw @version, or empty.", "'{version}'"},
	{"{version_date}", "The version as the dialect's date (no version: the current date; latest: '__LATEST__').", "asof = {version_date}"},
	{"{revision}", "The /vN revision number, or empty.", "rev = {revision}"},
	{"{namespace}", "The ns@ namespace, or empty.", "'{namespace}'"},
	{"{moniker}", "The canonical moniker string.", "'{moniker}'"},
	{"{sub_resource}", "The dotted part after @version/, or empty.", "'{sub_resource}'"},
	{"{version_type}", "date, latest, lookback, frequency, all, custom, previous, or empty.", "'{version_type}'"},
	{"{is_date}", "true when the version is a date.", "{is_date}"},
	{"{is_latest}", "true when the version is latest.", "{is_latest}"},
	{"{is_lookback}", "true when the version is a lookback (3M, 1Y). Alias {is_tenor}.", "{is_lookback}"},
	{"{is_tenor}", "Alias of {is_lookback}.", "{is_tenor}"},
	{"{is_frequency}", "true when the version is daily, weekly or monthly.", "{is_frequency}"},
	{"{is_all}", "true when the version is all.", "{is_all}"},
	{"{lookback_value}", "The lookback's number (3 of 3M), or empty. Alias {tenor_value}.", "{lookback_value}"},
	{"{tenor_value}", "Alias of {lookback_value}.", "{tenor_value}"},
	{"{lookback_unit}", "The lookback's unit (Y, M, W, D), or empty. Alias {tenor_unit}.", "'{lookback_unit}'"},
	{"{tenor_unit}", "Alias of {lookback_unit}.", "'{tenor_unit}'"},
	{"{frequency}", "The frequency version (daily, weekly, monthly), or empty.", "'{frequency}'"},
	{"{current_date}", "The dialect's current date.", "asof = {current_date}"},
	{"{lookback_start_sql}", "The dialect's start date of a lookback, or empty.", "asof >= {lookback_start_sql}"},
	{"{date_value}", "The raw date@ value, or empty.", "'{date_value}'"},
	{"{date_sql}", "The date@ value as the dialect's date expression, or empty.", "asof = {date_sql}"},
}

// Config schema field shorthands.
func cfgStr(desc string) configField { return configField{Type: "string", Description: desc} }
func cfgReq(desc string) configField {
	return configField{Type: "string", Required: true, Description: desc}
}
func cfgNum(desc string) configField  { return configField{Type: "number", Description: desc} }
func cfgJSON(desc string) configField { return configField{Type: "json", Description: desc} }
func cfgSel(desc string, opts ...string) configField {
	return configField{Type: "select", Description: desc, Options: opts}
}

var (
	cfgQuery    = configField{Type: "sql", Description: "Query template; placeholders such as {segments[0]} are rendered per moniker."}
	cfgTable    = cfgStr("Table to read (SELECT * FROM <table>) when there is no query.")
	cfgSegments = cfgStr("Comma-separated names of the path segments below the node (a hint for the placeholder helper).")
)

// sourceTypes is the GET /config/source-types table, one entry per
// moniker.SourceTypes value (a test checks that they agree).
var sourceTypes = map[string]sourceType{
	"snowflake": {"snowflake", "Snowflake", map[string]configField{
		"account": cfgReq("Snowflake account identifier"), "warehouse": cfgReq("Virtual warehouse"), "database": cfgReq("Database"),
		"schema": cfgStr("Schema (default PUBLIC)"), "role": cfgStr("Role"), "segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "client", "The client connects to Snowflake itself and runs the rendered query."},
	"oracle": {"oracle", "Oracle", map[string]configField{
		"dsn": cfgStr("Data source name (instead of host/port/service_name)"), "host": cfgStr("Host"), "port": cfgNum("Port (1521)"),
		"service_name": cfgStr("Service name"), "segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "client", "The client connects to Oracle itself and runs the rendered query."},
	"mssql": {"mssql", "Microsoft SQL Server", map[string]configField{
		"server": cfgReq("Server host name"), "port": cfgNum("Port (default 1433)"), "database": cfgReq("Database"),
		"driver": cfgStr("ODBC driver name (default ODBC Driver 18 for SQL Server)"), "segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "client", "The client connects to SQL Server itself and runs the rendered query (T-SQL date literals)."},
	"rest": {"rest", "REST API", map[string]configField{
		"base_url":      {Type: "string", Required: true, Description: "Absolute http(s) URL of the API"},
		"path_template": {Type: "string", Required: true, Description: "Path template appended to base_url (default /{path})"},
		"method":        cfgSel("HTTP method", "GET", "POST", "PUT", "DELETE"),
		"auth_type":     cfgSel("Authentication", "none", "bearer", "api_key", "basic"),
		"headers":       cfgJSON("Request headers (secret values are never returned)"),
		"query_params":  cfgJSON("Query parameters; string values are templates"),
		"response_path": cfgStr("Where the records are in the response"),
	}, "server", "The service calls the API with the rendered path and returns the records."},
	"static": {"static", "Static Files", map[string]configField{
		"base_path": cfgReq("Folder of the files"), "file_pattern": {Type: "string", Required: true, Description: "File name template (default {path}.json)"},
		"format": cfgSel("File format", "json", "csv", "parquet"), "encoding": cfgStr("Text encoding (utf-8)"),
	}, "server", "The service reads the file named by the rendered pattern."},
	"excel": {"excel", "Excel", map[string]configField{
		"base_path": cfgReq("Folder of the workbooks"), "file_pattern": {Type: "string", Required: true, Description: "Workbook name template (default {path}.xlsx)"},
		"sheet": cfgStr("Sheet name"), "header_row": cfgNum("Header row (1)"),
	}, "server", "The service reads the sheet of the workbook named by the rendered pattern."},
	"bloomberg": {"bloomberg", "Bloomberg", map[string]configField{
		"host": cfgStr("B-PIPE/Terminal host (localhost)"), "port": cfgNum("Port (8194)"), "api_type": cfgSel("API", "blpapi", "bqnt"),
		"securities": cfgStr("Securities template (default {path})"), "fields": cfgJSON("Fields to request (default [\"PX_LAST\"])"),
	}, "client", "The client requests the data through its own Bloomberg session."},
	"refinitiv": {"refinitiv", "Refinitiv", map[string]configField{
		"api_type": cfgSel("API", "eikon", "rdp"), "instruments": cfgStr("Instruments template (default {path})"), "fields": cfgJSON("Fields to request"),
	}, "client", "The client requests the data through its own Refinitiv session."},
	"opensearch": {"opensearch", "OpenSearch", map[string]configField{
		"hosts": {Type: "json", Required: true, Description: "Host URLs"}, "index": cfgReq("Index"),
		"query": {Type: "text", Description: "Query DSL template (JSON braces are kept as they are)"},
	}, "server", "The service runs the rendered query against the index."},
	"composite": {"composite", "Composite", map[string]configField{
		"sources": {Type: "json", Required: true, Description: "Monikers to combine"}, "join_strategy": cfgSel("How to combine", "merge", "union", "join"),
	}, "server", "The service combines the results of other monikers."},
	"derived": {"derived", "Derived", map[string]configField{
		"source_moniker": cfgReq("Moniker the data is derived from"), "transform": {Type: "text", Description: "Transformation"},
	}, "server", "The service derives the data from another moniker."},
	"fred": {"fred", "FRED (St. Louis Fed)", map[string]configField{
		"base_url": cfgStr("API URL (https://api.stlouisfed.org/fred/series/observations)"), "series_ids": cfgJSON("Series ids by name, e.g. {\"10Y\": \"DGS10\"}"),
		"auth": cfgSel("Authentication", "none", "api_key"), "docs": cfgStr("Documentation link"),
	}, "server", "The service fetches the series from the FRED API."},
	"yfinance": {"yfinance", "Yahoo Finance", map[string]configField{
		"tickers": cfgJSON("Ticker symbols, or a template such as {segments[0]}"), "interval": cfgSel("Bar interval", "1d", "1wk", "1mo"),
		"period": cfgStr("History period (e.g. 1y)"),
	}, "server", "The service fetches prices from Yahoo Finance."},
	"postgres": {"postgres", "PostgreSQL", map[string]configField{
		"host": cfgReq("Host"), "port": cfgNum("Port (5432)"), "database": cfgReq("Database"), "schema": cfgStr("Schema (public)"),
		"user":    cfgStr("User (the password comes from the service's secret store, never the catalog)"),
		"sslmode": cfgSel("TLS", "disable", "require", "verify-ca", "verify-full"), "segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "server", "The service runs the rendered query through its PostgreSQL driver."},
	"mysql": {"mysql", "MySQL / MariaDB", map[string]configField{
		"host": cfgReq("Host"), "port": cfgNum("Port (3306)"), "database": cfgReq("Database"),
		"user":          cfgStr("User (the password comes from the service's secret store, never the catalog)"),
		"segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "server", "The service runs the rendered query through its MySQL driver."},
	"sqlite": {"sqlite", "SQLite", map[string]configField{
		"path": cfgReq("Database file"), "segment_names": cfgSegments, "query": cfgQuery, "table": cfgTable,
	}, "server", "The service runs the rendered query on the SQLite file."},
}

// configSourceTypes is GET /config/source-types (reference §3.10): the
// config schema of every source type, in moniker.SourceTypes order, and
// the placeholders query templates may use.
func (s *Server) configSourceTypes() http.Handler {
	list := make([]sourceType, 0, len(moniker.SourceTypes))
	for _, t := range moniker.SourceTypes {
		st, ok := sourceTypes[t]
		if !ok {
			st = sourceType{Type: t, DisplayName: t, ConfigSchema: map[string]configField{}, ExecutionMode: "server"}
		}
		list = append(list, st)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		httpapi.WriteJSON(w, http.StatusOK, struct {
			SourceTypes  []sourceType  `json:"source_types"`
			Placeholders []Placeholder `json:"placeholders"`
		}{list, placeholders})
	})
}
