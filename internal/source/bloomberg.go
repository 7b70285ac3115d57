package source

var bloomberg = Type{
	Name:        "bloomberg",
	DisplayName: "Bloomberg",
	Connection:  []Key{{Name: "host", Default: "localhost"}, {Name: "port", Default: 8194}, {Name: "api_type", Default: "blpapi"}},
	Params:      []Key{{Name: "fields", Default: []any{"PX_LAST"}}, {Name: "securities", Default: "{path}", Templated: true}},
	Config: []Field{
		str("host", "B-PIPE/Terminal host (localhost)"), num("port", "Port (8194)"), choice("api_type", "API", "blpapi", "bqnt"),
		str("securities", "Securities template (default {path})"), jsonField("fields", "Fields to request (default [\"PX_LAST\"])"),
	},
	Execution: Execution{"client", "The client requests the data through its own Bloomberg session."},
	NoFetch: "Bloomberg data is read through Bloomberg's own SDK (BLPAPI) and a licensed terminal or B-PIPE session, which this service does not include: " +
		"read it in the client with the connection and params /resolve returns.",
}
