package source

var opensearch = Type{
	Name:        "opensearch",
	DisplayName: "OpenSearch",
	Connection:  []Key{{Name: "hosts", Default: []any{}}, {Name: "index"}},
	Query:       Query{Key: "query"},
	Config: []Field{
		{Key: "hosts", Kind: "json", Required: true, Description: "Host URLs"}, required("index", "Index"),
		{Key: "query", Kind: "text", Description: "Query DSL template (JSON braces are kept as they are)"},
	},
	Execution: Execution{"server", "The service runs the rendered query against the index."},
}
