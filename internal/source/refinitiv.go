package source

var refinitiv = Type{
	Name:        "refinitiv",
	DisplayName: "Refinitiv",
	Connection:  []Key{{Name: "api_type", Default: "eikon"}},
	Params:      []Key{{Name: "fields", Default: []any{}}, {Name: "instruments", Default: "{path}", Templated: true}},
	Config: []Field{
		choice("api_type", "API", "eikon", "rdp"), str("instruments", "Instruments template (default {path})"),
		jsonField("fields", "Fields to request"),
	},
	Execution: Execution{"client", "The client requests the data through its own Refinitiv session."},
	NoFetch: "Refinitiv data is read through the vendor's own SDK (Eikon or RDP) and a licensed session, which this service does not include: " +
		"read it in the client with the connection and params /resolve returns.",
}
