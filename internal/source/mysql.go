package source

import "github.com/moniker-svc/moniker/internal/query"

var mysql = Type{
	Name:        "mysql",
	DisplayName: "MySQL / MariaDB",
	SQL:         true,
	Dialect:     query.MySQL,
	PassThrough: true,
	Query:       passThroughQuery,
	Config: []Field{
		required("host", "Host"), num("port", "Port (3306)"), required("database", "Database"),
		str("user", "User (the password comes from the service's secret store, never the catalog)"),
		segmentNames, queryField, tableField,
	},
	Execution: Execution{"server", "The service runs the rendered query through its MySQL driver."},
}
