package nodejson

import (
	"encoding/json"

	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/resolve"
)

// The schema's columns: the one structured kind inside a block, written
// and read here for every answer.

// columns appends cols: every key of each column, a missing list null
// (or [] with EmptyLists).
func (fm *Form) columns(dst []byte, cols []moniker.Column) []byte {
	if cols == nil && !fm.EmptyLists {
		return append(dst, "null"...)
	}
	dst = append(dst, '[')
	for i := range cols {
		c := &cols[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		typ := c.Type
		if typ == "" {
			typ = moniker.DefaultColumnType
		}
		dst = append(dst, `{"name":`...)
		dst = resolve.AppendJSONString(dst, c.Name)
		dst = append(dst, `,"type":`...)
		dst = resolve.AppendJSONString(dst, typ)
		dst = append(dst, `,"description":`...)
		dst = String(dst, c.Description)
		dst = append(dst, `,"semantic_type":`...)
		dst = String(dst, c.SemanticType)
		dst = append(dst, `,"example":`...)
		dst = fm.value(dst, c.Example)
		dst = append(dst, `,"nullable":`...)
		dst = appendBool(dst, c.Nullable)
		dst = append(dst, `,"primary_key":`...)
		dst = appendBool(dst, c.PrimaryKey)
		dst = append(dst, `,"foreign_key":`...)
		dst = String(dst, c.ForeignKey)
		dst = append(dst, '}')
	}
	return append(dst, ']')
}

func appendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, "true"...)
	}
	return append(dst, "false"...)
}

// columnJSON is a column in a write: absent or null keys take the
// loader's defaults.
type columnJSON struct {
	Name         string  `json:"name"`
	Type         *string `json:"type"`
	Description  *string `json:"description"`
	SemanticType *string `json:"semantic_type"`
	Example      any     `json:"example"`
	Nullable     *bool   `json:"nullable"`
	PrimaryKey   *bool   `json:"primary_key"`
	ForeignKey   *string `json:"foreign_key"`
}

// decodeColumns reads the columns of n's schema.
func decodeColumns(n *moniker.Node, raw json.RawMessage) error {
	var in []columnJSON
	if err := decode(raw, &in); err != nil {
		return err
	}
	n.Schema.Columns = nil
	if in == nil {
		return nil
	}
	cols := make([]moniker.Column, len(in))
	for i, c := range in {
		col := moniker.Column{Name: c.Name, Type: moniker.DefaultColumnType, Example: FreeForm(c.Example), Nullable: true}
		if c.Type != nil && *c.Type != "" {
			col.Type = *c.Type
		}
		col.Description, col.SemanticType, col.ForeignKey = deref(c.Description), deref(c.SemanticType), deref(c.ForeignKey)
		if c.Nullable != nil {
			col.Nullable = *c.Nullable
		}
		if c.PrimaryKey != nil {
			col.PrimaryKey = *c.PrimaryKey
		}
		cols[i] = col
	}
	n.Schema.Columns = cols
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
