package source

var derived = Type{
	Name:        "derived",
	DisplayName: "Derived",
	PassThrough: true,
	Query:       passThroughQuery,
	Config: []Field{
		required("source_moniker", "Moniker the data is derived from"),
		{Key: "transform", Kind: "text", Description: "Transformation"},
	},
	Execution: Execution{"server", "The service derives the data from another moniker."},
}
