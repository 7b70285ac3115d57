package source

import "github.com/moniker-svc/moniker/internal/query"

var mssql = Type{
	Name:        "mssql",
	DisplayName: "Microsoft SQL Server",
	SQL:         true,
	Dialect:     query.MSSQL,
	Connection: []Key{
		{Name: "server"}, {Name: "port", Default: 1433}, {Name: "database"},
		{Name: "driver", Default: "ODBC Driver 18 for SQL Server"},
	},
	Query: sqlQuery,
	Config: []Field{
		required("server", "Server host name"), num("port", "Port (default 1433)"), required("database", "Database"),
		str("driver", "ODBC driver name (default ODBC Driver 18 for SQL Server)"),
		segmentNames, queryField, tableField,
	},
	Execution: Execution{"client", "The client connects to SQL Server itself and runs the rendered query (T-SQL date literals)."},
}
