package source

import "github.com/moniker-svc/moniker/internal/query"

var mysql = Type{
	Name:        "mysql",
	DisplayName: "MySQL / MariaDB",
	SQL:         true,
	Dialect:     query.MySQL,
	PassThrough: true,
	Query:       passThroughQuery,
	Config: fields(
		[]Field{required("host", "Host"), num("port", "Port (3306)"), required("database", "Database"),
			str("user", "User (bind a read-only user)")},
		secretFields("password", "password"),
		[]Field{
			choice("tls", "TLS (default preferred: when the server offers it, unverified; true verifies the certificate)",
				"preferred", "true", "skip-verify", "false"),
			num("connect_timeout", "Seconds to wait for a connection (10)"),
			segmentNames, queryField, tableField,
		}),
	Execution: Execution{"server", "The service runs the rendered query through its MySQL driver."},
	Adapter:   true,
}
