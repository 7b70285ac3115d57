package source

var fred = Type{
	Name:        "fred",
	DisplayName: "FRED (St. Louis Fed)",
	PassThrough: true,
	Query:       passThroughQuery,
	Config: []Field{
		str("base_url", "API URL (https://api.stlouisfed.org/fred/series/observations)"),
		jsonField("series_ids", "Series ids by name, e.g. {\"10Y\": \"DGS10\"}"),
		choice("auth", "Authentication", "none", "api_key"), str("docs", "Documentation link"),
	},
	Execution: Execution{"server", "The service fetches the series from the FRED API."},
}
