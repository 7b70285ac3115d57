package source

// passThroughQuery is the query of the pass-through types: the templated
// query, else the templated table, not wrapped in SELECT.
var passThroughQuery = Query{Key: "query", Table: true}

var composite = Type{
	Name:        "composite",
	DisplayName: "Composite",
	PassThrough: true,
	Query:       passThroughQuery,
	Config: []Field{
		{Key: "sources", Kind: "json", Required: true, Description: "Monikers to combine"},
		choice("join_strategy", "How to combine", "merge", "union", "join"),
	},
	Execution: Execution{"server", "The service combines the results of other monikers."},
}
