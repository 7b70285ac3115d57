package source

import "github.com/moniker-svc/moniker/internal/query"

var postgres = Type{
	Name:        "postgres",
	DisplayName: "PostgreSQL",
	SQL:         true,
	Dialect:     query.PostgreSQL,
	PassThrough: true,
	Query:       passThroughQuery,
	Config: fields(
		[]Field{required("host", "Host"), num("port", "Port (5432)"), required("database", "Database"),
			str("user", "User (bind a read-only role)")},
		secretFields("password", "password"),
		[]Field{
			choice("sslmode", "TLS (default prefer)", "disable", "allow", "prefer", "require", "verify-ca", "verify-full"),
			str("sslrootcert", "CA certificate file for verify-ca and verify-full"),
			str("schema", "Schema to find tables in (the search_path; default public)"),
			str("search_path", "Full search_path, instead of schema"),
			num("connect_timeout", "Seconds to wait for a connection (10)"),
			segmentNames, queryField, tableField,
		}),
	Execution: Execution{"server", "The service runs the rendered query through its PostgreSQL driver."},
	Adapter:   true,
}
