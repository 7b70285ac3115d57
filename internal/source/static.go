package source

var static = Type{
	Name:        "static",
	DisplayName: "Static Files",
	Connection:  []Key{{Name: "base_path", Default: "."}},
	Query:       Query{Key: "file_pattern", Default: "{path}.json"},
	Params:      []Key{{Name: "format", Default: "json"}, {Name: "encoding", Default: "utf-8"}},
	Config: []Field{
		required("base_path", "Folder of the files (relative: to the catalog file's folder); no file outside it is read"),
		str("file_pattern", "File name template inside base_path (default {path}.json)"),
		choice("format", "File format (json reads an array of objects or JSON lines; unset: by the file's extension)", "json", "csv", "parquet"),
		str("encoding", "Text encoding of CSV and JSON files (utf-8; any WHATWG label such as latin1 or windows-1252)"),
	},
	Execution: Execution{"server", "The service reads the file named by the rendered pattern."},
	Adapter:   true,
}
