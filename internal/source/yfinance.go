package source

var yfinance = Type{
	Name:        "yfinance",
	DisplayName: "Yahoo Finance",
	PassThrough: true,
	Query:       passThroughQuery,
	Config: []Field{
		jsonField("tickers", "Ticker symbols, or a template such as {segments[0]}"),
		choice("interval", "Bar interval", "1d", "1wk", "1mo"), str("period", "History period (e.g. 1y)"),
	},
	Execution: Execution{"server", "The service fetches prices from Yahoo Finance."},
}
