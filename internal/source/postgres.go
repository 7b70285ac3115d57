package source

import "github.com/moniker-svc/moniker/internal/query"

var postgres = Type{
	Name:        "postgres",
	DisplayName: "PostgreSQL",
	SQL:         true,
	Dialect:     query.PostgreSQL,
	PassThrough: true,
	Query:       passThroughQuery,
	Config: []Field{
		required("host", "Host"), num("port", "Port (5432)"), required("database", "Database"), str("schema", "Schema (public)"),
		str("user", "User (the password comes from the service's secret store, never the catalog)"),
		choice("sslmode", "TLS", "disable", "require", "verify-ca", "verify-full"),
		segmentNames, queryField, tableField,
	},
	Execution: Execution{"server", "The service runs the rendered query through its PostgreSQL driver."},
}
