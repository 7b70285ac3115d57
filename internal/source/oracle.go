package source

import "github.com/moniker-svc/moniker/internal/query"

var oracle = Type{
	Name:        "oracle",
	DisplayName: "Oracle",
	SQL:         true,
	Dialect:     query.Oracle,
	Connection:  conn("dsn", "host", "port", "service_name"),
	Query:       sqlQuery,
	Config: []Field{
		str("dsn", "Data source name (instead of host/port/service_name)"), str("host", "Host"),
		num("port", "Port (1521)"), str("service_name", "Service name"),
		segmentNames, queryField, tableField,
	},
	Execution: Execution{"client", "The client connects to Oracle itself and runs the rendered query."},
}
