package source

var static = Type{
	Name:        "static",
	DisplayName: "Static Files",
	Connection:  []Key{{Name: "base_path", Default: "."}},
	Query:       Query{Key: "file_pattern", Default: "{path}.json"},
	Params:      []Key{{Name: "format", Default: "json"}, {Name: "encoding", Default: "utf-8"}},
	Config: []Field{
		required("base_path", "Folder of the files"),
		required("file_pattern", "File name template (default {path}.json)"),
		choice("format", "File format", "json", "csv", "parquet"), str("encoding", "Text encoding (utf-8)"),
	},
	Execution: Execution{"server", "The service reads the file named by the rendered pattern."},
}
