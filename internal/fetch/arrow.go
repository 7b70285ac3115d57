package fetch

import (
	"fmt"
	"io"
	"time"

	"github.com/apache/arrow-go/v18/arrow"
	"github.com/apache/arrow-go/v18/arrow/array"
	"github.com/apache/arrow-go/v18/arrow/ipc"
	"github.com/apache/arrow-go/v18/arrow/memory"
)

// ArrowBatchRows is the most rows of one record batch of an Arrow stream.
const ArrowBatchRows = 1024

// ArrowTypeKey is the field metadata key that carries a column's logical
// type (fetch.Type) in an Arrow schema: decimal and json columns travel
// as strings, and it tells them from text.
const ArrowTypeKey = "moniker.type"

// ArrowSchema returns the Arrow schema of cols. Every field is nullable;
// the types:
//
//	string, decimal, json  utf8 (decimals as their exact text, JSON as text)
//	int64                  int64
//	float64                float64
//	bool                   bool
//	timestamp              timestamp[us, tz=UTC]
//	date                   date32
//	bytes                  binary
func ArrowSchema(cols []Column) *arrow.Schema {
	fields := make([]arrow.Field, len(cols))
	for i, c := range cols {
		fields[i] = arrow.Field{Name: c.Name, Type: arrowType(c.Type), Nullable: true,
			Metadata: arrow.NewMetadata([]string{ArrowTypeKey}, []string{string(c.Type)})}
	}
	return arrow.NewSchema(fields, nil)
}

func arrowType(t Type) arrow.DataType {
	switch t {
	case TypeInt:
		return arrow.PrimitiveTypes.Int64
	case TypeFloat:
		return arrow.PrimitiveTypes.Float64
	case TypeBool:
		return arrow.FixedWidthTypes.Boolean
	case TypeTimestamp:
		return &arrow.TimestampType{Unit: arrow.Microsecond, TimeZone: "UTC"}
	case TypeDate:
		return arrow.FixedWidthTypes.Date32
	case TypeBytes:
		return arrow.BinaryTypes.Binary
	}
	return arrow.BinaryTypes.String
}

// arrowEncoder writes an Arrow IPC stream: the schema, a record batch
// every batch rows (and on Flush), the end-of-stream marker on Close.
type arrowEncoder struct {
	buffer
	cols    []Column
	bld     *array.RecordBuilder
	w       *ipc.Writer
	n       int // rows in the builder
	batch   int
	scratch []byte
}

func newArrowEncoder(w io.Writer, cols []Column, batch int) (*arrowEncoder, error) {
	e := &arrowEncoder{buffer: buffer{w: w}, cols: cols, batch: batch}
	schema := ArrowSchema(cols)
	mem := memory.NewGoAllocator()
	e.bld = array.NewRecordBuilder(mem, schema)
	e.w = ipc.NewWriter(&e.buffer, ipc.WithSchema(schema), ipc.WithAllocator(mem))
	return e, nil
}

func (e *arrowEncoder) WriteRow(row []any) error {
	if e.err != nil {
		return e.err
	}
	for i, c := range e.cols {
		var v any
		if i < len(row) {
			v = row[i]
		}
		if err := e.append(i, c, v); err != nil {
			return err
		}
	}
	e.n++
	if e.n >= e.batch {
		return e.writeBatch()
	}
	return nil
}

// append adds v to column i's builder.
func (e *arrowEncoder) append(i int, c Column, v any) error {
	fb := e.bld.Field(i)
	if v == nil {
		fb.AppendNull()
		return nil
	}
	bad := func() error {
		return fmt.Errorf("column %q (%s): a %T value", c.Name, c.Type, v)
	}
	switch b := fb.(type) {
	case *array.Int64Builder:
		switch x := v.(type) {
		case float64:
			b.Append(int64(x))
		case float32:
			b.Append(int64(x))
		default:
			n, ok := toInt64(v)
			if !ok {
				return bad()
			}
			b.Append(n)
		}
	case *array.Float64Builder:
		switch x := v.(type) {
		case float64:
			b.Append(x)
		case float32:
			b.Append(float64(x))
		default:
			n, ok := toInt64(v)
			if !ok {
				return bad()
			}
			b.Append(float64(n))
		}
	case *array.BooleanBuilder:
		x, ok := v.(bool)
		if !ok {
			return bad()
		}
		b.Append(x)
	case *array.TimestampBuilder:
		x, ok := v.(time.Time)
		if !ok {
			return bad()
		}
		b.Append(arrow.Timestamp(x.UnixMicro()))
	case *array.Date32Builder:
		x, ok := v.(time.Time)
		if !ok {
			return bad()
		}
		y, m, d := x.Date()
		b.Append(arrow.Date32FromTime(time.Date(y, m, d, 0, 0, 0, 0, time.UTC)))
	case *array.BinaryBuilder:
		switch x := v.(type) {
		case []byte:
			b.Append(x)
		case string:
			b.AppendString(x)
		default:
			return bad()
		}
	case *array.StringBuilder:
		if s, ok := v.(string); ok {
			b.Append(s)
			return nil
		}
		e.scratch = AppendText(e.scratch[:0], c.Type, v)
		b.BinaryBuilder.Append(e.scratch)
	default:
		return bad()
	}
	return nil
}

// toInt64 converts an integer of any Go type.
func toInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case int:
		return int64(x), true
	case int32:
		return int64(x), true
	case int16:
		return int64(x), true
	case int8:
		return int64(x), true
	case uint64:
		return int64(x), true
	case uint:
		return int64(x), true
	case uint32:
		return int64(x), true
	case uint16:
		return int64(x), true
	case uint8:
		return int64(x), true
	}
	return 0, false
}

// writeBatch writes the rows in the builder as one record batch.
func (e *arrowEncoder) writeBatch() error {
	if e.n == 0 {
		return e.err
	}
	rec := e.bld.NewRecordBatch()
	defer rec.Release()
	e.n = 0
	if err := e.w.Write(rec); err != nil && e.err == nil {
		e.err = err
	}
	return e.err
}

// Flush writes the rows so far as a batch, and the bytes out.
func (e *arrowEncoder) Flush() error {
	if err := e.writeBatch(); err != nil {
		return err
	}
	return e.buffer.Flush()
}

// Close writes the last batch (the schema, if no row came) and the
// end-of-stream marker.
func (e *arrowEncoder) Close() error {
	defer e.bld.Release()
	if err := e.writeBatch(); err != nil {
		return err
	}
	if err := e.w.Close(); err != nil && e.err == nil {
		e.err = err
	}
	return e.buffer.Flush()
}
