package source

import "github.com/moniker-svc/moniker/internal/query"

var oracle = Type{
	Name:        "oracle",
	DisplayName: "Oracle",
	SQL:         true,
	Dialect:     query.Oracle,
	Connection:  conn("dsn", "host", "port", "service_name"),
	Query:       sqlQuery,
	Config: fields(
		[]Field{
			str("dsn", "EZConnect host[:port]/service_name or a (DESCRIPTION=...) descriptor, instead of host/port/service_name"),
			str("host", "Host (default localhost)"), num("port", "Port (1521)"), str("service_name", "Service name"),
			str("user", "User (bind one that can only read)"),
		},
		secretFields("password", "password"),
		[]Field{
			choice("ssl", "TLS (default false)", "false", "true"),
			choice("ssl_verify", "Verify the server's certificate with TLS (default true)", "true", "false"),
			num("connect_timeout", "Seconds to wait for a connection (10)"),
			segmentNames, queryField, tableField,
		}),
	Execution: Execution{"client", "The client connects to Oracle itself and runs the rendered query."},
	Adapter:   true,
}
