package static

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"math/big"
	"os"
	"time"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/deprecated"
	"github.com/parquet-go/parquet-go/format"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/moniker"
	"github.com/moniker-svc/moniker/internal/tabular"
)

// parquetBatch is how many rows are read from a row group at a time.
const parquetBatch = 64

// readParquet reads a Parquet file row group by row group, a batch of
// rows at a time. The columns are the schema's top-level fields, typed by
// their logical types: integers int64 (unsigned 64-bit ones decimal, to
// stay exact), floats float64, strings, enums and UUIDs string, DECIMAL an
// exact decimal string, DATE date, TIMESTAMP and INT96 timestamp, JSON
// json, other byte arrays bytes; a group, list or map field is json.
func readParquet(ctx context.Context, f *os.File, maxRows int, closeFile func() error) (rows fetch.Rows, err error) {
	defer func() {
		if p := recover(); p != nil { // a damaged file the library did not expect
			rows, err = nil, moniker.Errorf(moniker.ErrSource, "not a readable Parquet file: %v", p)
		}
	}()
	st, err := f.Stat()
	if err != nil {
		return nil, moniker.Errorf(moniker.ErrSource, "reading the file: %w", unwrapPath(err))
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipBloomFilters(true), parquet.SkipPageIndex(true))
	if err != nil {
		return nil, moniker.Errorf(moniker.ErrSource, "not a Parquet file: %w", err)
	}
	r := &parquetRows{ctx: ctx, closeFile: closeFile, pf: pf, max: maxRows, leaf: map[int]int{}}
	for i, c := range pf.Root().Columns() {
		pc := parquetColumn{nested: !c.Leaf() || c.Repeated(), name: c.Name()}
		if pc.nested {
			pc.typ, r.nested = fetch.TypeJSON, true
		} else {
			pc.typ, pc.conv = leafType(c.Type())
			r.leaf[c.Index()] = i
		}
		r.cols = append(r.cols, fetch.Column{Name: c.Name(), Type: pc.typ})
		r.pcols = append(r.pcols, pc)
	}
	return r, nil
}

type parquetColumn struct {
	name   string
	typ    fetch.Type
	nested bool
	conv   func(parquet.Value) any
}

type parquetRows struct {
	ctx       context.Context
	closeFile func() error
	pf        *parquet.File
	cols      []fetch.Column
	pcols     []parquetColumn
	leaf      map[int]int // leaf column index → column of a top-level leaf field
	nested    bool        // some column is a group, list or map
	max       int
	group     int           // the next row group
	rg        parquet.Rows  // the row group being read
	batch     []parquet.Row // the rows read from it
	i         int           // the next row of batch
	n         int           // rows returned
	row       []any
	err       error
	done      bool
}

func (r *parquetRows) Columns() []fetch.Column { return r.cols }
func (r *parquetRows) Row() []any              { return r.row }
func (r *parquetRows) Err() error              { return r.err }

func (r *parquetRows) Next() (ok bool) {
	if r.done || r.max > 0 && r.n >= r.max {
		return false
	}
	defer func() {
		if p := recover(); p != nil {
			r.err, r.done, ok = moniker.Errorf(moniker.ErrSource, "not a readable Parquet file: %v", p), true, false
		}
	}()
	for r.i >= len(r.batch) {
		if err := r.ctx.Err(); err != nil {
			r.err, r.done = tabular.CtxError(err), true
			return false
		}
		if !r.read() {
			r.done = true
			return false
		}
	}
	row := r.batch[r.i]
	r.i++
	r.n++
	if r.row == nil {
		r.row = make([]any, len(r.cols))
	}
	clear(r.row)
	for _, v := range row {
		if j, ok := r.leaf[v.Column()]; ok {
			if v.IsNull() {
				r.row[j] = nil
			} else {
				r.row[j] = r.pcols[j].conv(v)
			}
		}
	}
	if r.nested {
		if err := r.reconstruct(row); err != nil {
			r.err, r.done = err, true
			return false
		}
	}
	return true
}

// read reads the next batch of rows, moving to the next row group when
// one ends; false at the end of the file or on an error.
func (r *parquetRows) read() bool {
	for {
		if r.rg == nil {
			groups := r.pf.RowGroups()
			if r.group >= len(groups) {
				return false
			}
			r.rg = groups[r.group].Rows()
			r.group++
		}
		size := parquetBatch
		if r.max > 0 && r.max-r.n < size {
			size = r.max - r.n
		}
		if cap(r.batch) < size {
			r.batch = make([]parquet.Row, size)
		}
		r.batch = r.batch[:size]
		n, err := r.rg.ReadRows(r.batch)
		r.batch, r.i = r.batch[:n], 0
		if err != nil && err != io.EOF {
			r.err = moniker.Errorf(moniker.ErrSource, "reading the Parquet file: %w", err)
			return false
		}
		if err == io.EOF || n == 0 {
			r.rg.Close()
			r.rg = nil
		}
		if n > 0 {
			return true
		}
	}
}

// reconstruct fills the nested columns of the current row from row, as
// JSON values.
func (r *parquetRows) reconstruct(row parquet.Row) error {
	m := map[string]any{}
	if err := r.pf.Schema().Reconstruct(&m, row); err != nil {
		return moniker.Errorf(moniker.ErrSource, "reading the Parquet file: %w", err)
	}
	for j, pc := range r.pcols {
		if !pc.nested {
			continue
		}
		v, ok := m[pc.name]
		if !ok || v == nil {
			r.row[j] = nil
			continue
		}
		b, err := json.Marshal(v)
		if err != nil {
			return moniker.Errorf(moniker.ErrSource, "column %q: %w", pc.name, err)
		}
		var out any
		if err := json.Unmarshal(b, &out); err != nil {
			return moniker.Errorf(moniker.ErrSource, "column %q: %w", pc.name, err)
		}
		r.row[j] = out
	}
	return nil
}

func (r *parquetRows) Close() error {
	if r.rg != nil {
		r.rg.Close()
		r.rg = nil
	}
	r.done, r.batch = true, nil
	return r.closeFile()
}

// leafType returns the column type of a leaf of type t and the
// conversion of its non-null values.
func leafType(t parquet.Type) (fetch.Type, func(parquet.Value) any) {
	var lt format.LogicalTypeValue
	if l := t.LogicalType(); l != nil {
		lt = l.Value
	}
	ct := t.ConvertedType()
	converted := func(c deprecated.ConvertedType) bool { return ct != nil && *ct == c }
	switch t.Kind() {
	case parquet.Boolean:
		return fetch.TypeBool, func(v parquet.Value) any { return v.Boolean() }
	case parquet.Int32:
		switch x := lt.(type) {
		case *format.DateType:
			return fetch.TypeDate, func(v parquet.Value) any { return epochDay(int64(v.Int32())) }
		case *format.DecimalType:
			return fetch.TypeDecimal, func(v parquet.Value) any { return decimal(big.NewInt(int64(v.Int32())), x.Scale) }
		case *format.TimeType:
			return fetch.TypeString, func(v parquet.Value) any { return clock(int64(v.Int32()), &x.Unit) }
		case *format.IntType:
			if !x.IsSigned {
				return fetch.TypeInt, func(v parquet.Value) any { return int64(uint32(v.Int32())) }
			}
		}
		if converted(deprecated.Date) {
			return fetch.TypeDate, func(v parquet.Value) any { return epochDay(int64(v.Int32())) }
		}
		if converted(deprecated.Uint32) {
			return fetch.TypeInt, func(v parquet.Value) any { return int64(uint32(v.Int32())) }
		}
		return fetch.TypeInt, func(v parquet.Value) any { return int64(v.Int32()) }
	case parquet.Int64:
		switch x := lt.(type) {
		case *format.TimestampType:
			return fetch.TypeTimestamp, func(v parquet.Value) any { return instant(v.Int64(), &x.Unit) }
		case *format.DecimalType:
			return fetch.TypeDecimal, func(v parquet.Value) any { return decimal(big.NewInt(v.Int64()), x.Scale) }
		case *format.TimeType:
			return fetch.TypeString, func(v parquet.Value) any { return clock(v.Int64(), &x.Unit) }
		case *format.IntType:
			if !x.IsSigned && x.BitWidth == 64 {
				return fetch.TypeDecimal, func(v parquet.Value) any { return new(big.Int).SetUint64(v.Uint64()).String() }
			}
		}
		switch {
		case converted(deprecated.TimestampMillis):
			return fetch.TypeTimestamp, func(v parquet.Value) any { return time.UnixMilli(v.Int64()).UTC() }
		case converted(deprecated.TimestampMicros):
			return fetch.TypeTimestamp, func(v parquet.Value) any { return time.UnixMicro(v.Int64()).UTC() }
		case converted(deprecated.Uint64):
			return fetch.TypeDecimal, func(v parquet.Value) any { return new(big.Int).SetUint64(v.Uint64()).String() }
		}
		return fetch.TypeInt, func(v parquet.Value) any { return v.Int64() }
	case parquet.Int96:
		return fetch.TypeTimestamp, func(v parquet.Value) any { return int96Time(v.Int96()) }
	case parquet.Float:
		return fetch.TypeFloat, func(v parquet.Value) any { return float64(v.Float()) }
	case parquet.Double:
		return fetch.TypeFloat, func(v parquet.Value) any { return v.Double() }
	}
	// Byte arrays, of variable or fixed length.
	switch x := lt.(type) {
	case *format.StringType, *format.EnumType:
		return fetch.TypeString, func(v parquet.Value) any { return string(v.ByteArray()) }
	case *format.JsonType:
		return fetch.TypeJSON, func(v parquet.Value) any {
			var out any
			if json.Unmarshal(v.ByteArray(), &out) != nil {
				return string(v.ByteArray())
			}
			return out
		}
	case *format.UUIDType:
		return fetch.TypeString, func(v parquet.Value) any { return uuid(v.ByteArray()) }
	case *format.DecimalType:
		return fetch.TypeDecimal, func(v parquet.Value) any { return decimal(twosComplement(v.ByteArray()), x.Scale) }
	case *format.Float16Type:
		return fetch.TypeFloat, func(v parquet.Value) any { return float16(v.ByteArray()) }
	}
	if converted(deprecated.UTF8) || converted(deprecated.Enum) {
		return fetch.TypeString, func(v parquet.Value) any { return string(v.ByteArray()) }
	}
	return fetch.TypeBytes, func(v parquet.Value) any { return append([]byte(nil), v.ByteArray()...) }
}

func epochDay(d int64) time.Time { return time.Unix(d*86400, 0).UTC() }

// instant is a TIMESTAMP value in its unit.
func instant(n int64, u *format.TimeUnit) time.Time {
	switch u.Value.(type) {
	case *format.MilliSeconds:
		return time.UnixMilli(n).UTC()
	case *format.MicroSeconds:
		return time.UnixMicro(n).UTC()
	}
	return time.Unix(0, n).UTC()
}

// clock is a TIME value in its unit as hh:mm:ss[.fraction].
func clock(n int64, u *format.TimeUnit) string {
	d := time.Duration(n)
	switch u.Value.(type) {
	case *format.MilliSeconds:
		d *= time.Millisecond
	case *format.MicroSeconds:
		d *= time.Microsecond
	}
	return time.Unix(0, 0).UTC().Add(d).Format("15:04:05.999999999")
}

// int96Time is a legacy (Impala, Spark) INT96 timestamp: nanoseconds of
// the day, then the Julian day.
func int96Time(i deprecated.Int96) time.Time {
	nanos := int64(i[1])<<32 | int64(i[0])
	day := int64(i[2]) - 2440588 // the Julian day of 1970-01-01
	return time.Unix(day*86400, nanos).UTC()
}

// decimal writes unscaled × 10^-scale exactly.
func decimal(unscaled *big.Int, scale int32) string {
	if scale <= 0 {
		return new(big.Int).Mul(unscaled, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(-scale)), nil)).String()
	}
	neg := unscaled.Sign() < 0
	s := new(big.Int).Abs(unscaled).String()
	for len(s) <= int(scale) {
		s = "0" + s
	}
	s = s[:len(s)-int(scale)] + "." + s[len(s)-int(scale):]
	if neg {
		s = "-" + s
	}
	return s
}

// twosComplement reads a big-endian two's complement integer.
func twosComplement(b []byte) *big.Int {
	n := new(big.Int).SetBytes(b)
	if len(b) > 0 && b[0]&0x80 != 0 {
		n.Sub(n, new(big.Int).Lsh(big.NewInt(1), uint(len(b))*8))
	}
	return n
}

func uuid(b []byte) string {
	if len(b) != 16 {
		return fmt.Sprintf("%x", b)
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// float16 reads an IEEE 754 half-precision float (little-endian).
func float16(b []byte) float64 {
	if len(b) != 2 {
		return math.NaN()
	}
	h := binary.LittleEndian.Uint16(b)
	sign := 1.0
	if h&0x8000 != 0 {
		sign = -1
	}
	exp, frac := int(h>>10&0x1f), float64(h&0x3ff)
	switch exp {
	case 0:
		return sign * math.Ldexp(frac, -24)
	case 0x1f:
		if frac == 0 {
			return math.Inf(int(sign))
		}
		return math.NaN()
	}
	return sign * math.Ldexp(1+frac/1024, exp-15)
}
