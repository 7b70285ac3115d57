package source

var snowflake = Type{
	Name:        "snowflake",
	DisplayName: "Snowflake",
	SQL:         true,
	Connection:  append(conn("account", "warehouse", "database"), Key{Name: "schema", Default: "PUBLIC"}, Key{Name: "role"}),
	Query:       sqlQuery,
	Config: []Field{
		required("account", "Snowflake account identifier"), required("warehouse", "Virtual warehouse"),
		required("database", "Database"), str("schema", "Schema (default PUBLIC)"), str("role", "Role"),
		segmentNames, queryField, tableField,
	},
	Execution: Execution{"client", "The client connects to Snowflake itself and runs the rendered query."},
}
