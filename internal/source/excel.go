package source

var excel = Type{
	Name:        "excel",
	DisplayName: "Excel",
	Connection:  []Key{{Name: "base_path", Default: "."}},
	Query:       Query{Key: "file_pattern", Default: "{path}.xlsx"},
	Params:      []Key{{Name: "sheet"}, {Name: "header_row", Default: 1}},
	Config: []Field{
		required("base_path", "Folder of the workbooks"),
		required("file_pattern", "Workbook name template (default {path}.xlsx)"),
		str("sheet", "Sheet name"), num("header_row", "Header row (1)"),
	},
	Execution: Execution{"server", "The service reads the sheet of the workbook named by the rendered pattern."},
}
