package source

import "github.com/moniker-svc/moniker/internal/query"

var sqlite = Type{
	Name:        "sqlite",
	DisplayName: "SQLite",
	SQL:         true,
	Dialect:     query.SQLite,
	PassThrough: true,
	Query:       passThroughQuery,
	Config:      []Field{required("path", "Database file: absolute, or relative to the catalog file's folder (opened read-only)"), segmentNames, queryField, tableField},
	Execution:   Execution{"server", "The service runs the rendered query on the SQLite file."},
	Adapter:     true,
}
