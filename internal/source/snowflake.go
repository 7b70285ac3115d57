package source

var snowflake = Type{
	Name:        "snowflake",
	DisplayName: "Snowflake",
	SQL:         true,
	Connection:  append(conn("account", "warehouse", "database"), Key{Name: "schema", Default: "PUBLIC"}, Key{Name: "role"}),
	Query:       sqlQuery,
	Config: fields(
		[]Field{
			required("account", "Snowflake account identifier"), required("warehouse", "Virtual warehouse"),
			required("database", "Database"), str("schema", "Schema (default PUBLIC)"), str("role", "Role (one with SELECT only)"),
			str("user", "User"),
		},
		secretFields("password", "password"),
		[]Field{
			str("private_key_path", "Key-pair authentication: an unencrypted PKCS#8 PEM file (relative to the catalog's folder), instead of a password"),
			str("authenticator", "snowflake (password), snowflake_jwt (key pair), oauth (token) or an https://<org>.okta.com URL"),
		},
		secretFields("token", "OAuth token"),
		[]Field{num("login_timeout", "Seconds to wait for a login (60)"), segmentNames, queryField, tableField},
	),
	Execution: Execution{"client", "The client connects to Snowflake itself and runs the rendered query."},
}
