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
		required("path_template", "Path template appended to base_url (default /{path})"),
		choice("method", "HTTP method", "GET", "POST", "PUT", "DELETE"),
		choice("auth_type", "Authentication", "none", "bearer", "api_key", "basic"),
		jsonField("headers", "Request headers (secret values are never returned)"),
		jsonField("query_params", "Query parameters; string values are templates"),
		str("response_path", "Where the records are in the response"),
	},
	Execution: Execution{"server", "The service calls the API with the rendered path and returns the records."},
}
