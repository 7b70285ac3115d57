package source

var excel = Type{
	Name:        "excel",
	DisplayName: "Excel",
	Connection:  []Key{{Name: "base_path", Default: "."}},
	Query:       Query{Key: "file_pattern", Default: "{path}.xlsx"},
	Params:      []Key{{Name: "sheet"}, {Name: "header_row", Default: 1}},
	Config: []Field{
		required("base_path", "Folder of the workbooks (relative: to the catalog file's folder); no file outside it is read"),
		str("file_pattern", "Workbook (.xlsx) name template inside base_path (default {path}.xlsx)"),
		str("sheet", "Sheet name (default: the active sheet)"), num("header_row", "Row of the column names, the first row being 1 (1)"),
		num("skip_rows", "Rows passed over between the header row and the data, such as a units row (0)"),
	},
	Execution: Execution{"server", "The service reads the sheet of the workbook named by the rendered pattern."},
	Adapter:   true,
}
