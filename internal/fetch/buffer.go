package fetch

// Buffer is a result held in memory, such as a result cache's entry: its
// columns and rows. It is not changed after ReadAll returns it, so any
// number of readers may Open it at once.
type Buffer struct {
	Columns []Column
	Rows    [][]any
}

// ReadAll reads rows until their end or max rows (max <= 0: no bound),
// copying each row, and closes them. The error is the rows' Err.
func ReadAll(rows Rows, max int) (*Buffer, error) {
	defer rows.Close()
	b := &Buffer{Columns: rows.Columns()}
	for (max <= 0 || len(b.Rows) < max) && rows.Next() {
		b.Rows = append(b.Rows, append([]any(nil), rows.Row()...))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return b, nil
}

// Open returns the buffered rows as Rows, from the first.
func (b *Buffer) Open() Rows { return &bufferRows{b: b, i: -1} }

type bufferRows struct {
	b *Buffer
	i int
}

func (r *bufferRows) Columns() []Column { return r.b.Columns }
func (r *bufferRows) Next() bool {
	if r.i+1 >= len(r.b.Rows) {
		r.i = len(r.b.Rows)
		return false
	}
	r.i++
	return true
}
func (r *bufferRows) Row() []any   { return r.b.Rows[r.i] }
func (r *bufferRows) Err() error   { return nil }
func (r *bufferRows) Close() error { return nil }
