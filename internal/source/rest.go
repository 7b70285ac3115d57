package source

import "github.com/moniker-svc/moniker/internal/query"

var rest = Type{
	Name:        "rest",
	DisplayName: "REST API",
	Dialect:     query.REST,
	Connection: []Key{
		{Name: "base_url"}, {Name: "auth_type", Default: "none"},
		{Name: "headers", Default: map[string]any{}, DropSecrets: true},
	},
	Query: Query{Key: "path_template", Default: "/{path}"},
	Params: []Key{
		{Name: "method", Default: "GET"}, {Name: "response_path"},
		{Name: "query_params", Object: true, OnlyIfSet: true},
	},
	Config: []Field{
		{Key: "base_url", Kind: "string", Required: true, URL: true, Description: "Absolute http(s) URL of the API"},
		str("path_template", "Path template appended to base_url's path (default /{path}); it cannot leave base_url"),
		choice("method", "HTTP method (/fetch runs GET and POST only)", "GET", "POST", "PUT", "DELETE"),
		choice("auth_type", "Authentication", "none", "bearer", "api_key", "basic"),
		jsonField("auth_config", "Credentials of auth_type: bearer {token}, api_key {key, header (X-API-Key)}, basic {username, password}; each secret as its value, ${VAR}, <name>_env or <name>_file, never returned"),
		jsonField("headers", "Request headers; values may use ${VAR} (secret values are never returned)"),
		jsonField("query_params", "Query parameters; string values are templates"),
		str("response_path", "Where the records are in the JSON answer: a dot path, numbers index lists (data.items, results.0.rows)"),
		num("timeout", "Seconds the API has to answer (30)"),
		num("max_response_bytes", "Largest answer read, in bytes (67108864, 64 MiB)"),
	},
	Execution: Execution{"server", "The service calls the API with the rendered path and returns the records."},
	Adapter:   true,
}
