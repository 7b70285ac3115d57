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
	Config: fields(
		[]Field{
			str("server", "Server host name (required unless connection_string gives it)"), num("port", "Port (default 1433)"),
			str("database", "Database (required unless connection_string gives it)"),
			str("driver", "ODBC driver name (default ODBC Driver 18 for SQL Server); the service's Go driver needs none and ignores it"),
			str("user", "Login (bind one that can only read: db_datareader)"),
		},
		secretFields("password", "password"),
		secretFields("connection_string", "ODBC connection string (DRIVER={...};SERVER=host,port;DATABASE=...;UID=...;PWD=...), instead of the keys"),
		[]Field{
			choice("trusted_connection", "Windows (Kerberos) authentication with the service's credentials instead of a password", "yes", "no"),
			str("krb5_keytab", "Keytab for trusted_connection (else the credential cache KRB5CCNAME)"),
			str("krb5_realm", "Kerberos realm, with krb5_keytab"),
			str("krb5_config", "krb5.conf (default /etc/krb5.conf)"),
			choice("encrypt", "TLS (default true)", "true", "false", "strict", "disable"),
			choice("trust_server_certificate", "Accept the server's certificate unverified", "false", "true"),
			num("connect_timeout", "Seconds to wait for a connection (10)"),
			segmentNames, queryField, tableField,
		}),
	Execution: Execution{"client", "The client connects to SQL Server itself and runs the rendered query (T-SQL date literals)."},
	Adapter:   true,
}
