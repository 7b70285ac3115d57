package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/moniker-svc/moniker/internal/fetch"
	"github.com/moniker-svc/moniker/internal/fixtures"
	"github.com/moniker-svc/moniker/internal/sqldb"
)

// benchQuery returns 100 rows of five typical columns.
const benchQuery = "SELECT n AS id, 'SYM' || n AS symbol, n * 1.5::float8 AS px, n::numeric(12,2) AS qty, " +
	"timestamp '2026-01-15 00:00:00' + n * interval '1 minute' AS at FROM big ORDER BY n"

const benchPool = 8

// BenchmarkScan100 compares reading a 100-row result through the adapter
// (guard, database/sql, the logical types) with plain pgx on a pgxpool of
// the same size, one query at a time and with benchPool queries in
// parallel; "adapter-tx" runs each query in BEGIN READ ONLY ... ROLLBACK
// instead of the read-only session, to show what that costs.
func BenchmarkScan100(b *testing.B) {
	schema, cfg := testSchema(b, 100)
	env := fetch.Env{Pool: fetch.PoolConfig{MaxOpen: benchPool}}
	src := open(b, cfg, env, nil)
	txEngine := engine
	txEngine.Tx = &sql.TxOptions{ReadOnly: true}
	txSrc, err := sqldb.Adapter(&txEngine, nil).Open(context.Background(), cfg, env)
	if err != nil {
		b.Fatal(err)
	}
	defer txSrc.Close()
	svc := fixtures.Postgres(b)
	pcfg, err := pgxpool.ParseConfig(fmt.Sprintf("%s?pool_max_conns=%d&search_path=%s", svc.URL, benchPool, schema))
	if err != nil {
		b.Fatal(err)
	}
	pool, err := pgxpool.NewWithConfig(context.Background(), pcfg)
	if err != nil {
		b.Fatal(err)
	}
	defer pool.Close()

	viaAdapter := func(s fetch.Source) func() error {
		return func() error {
			rows, err := s.Query(context.Background(), &fetch.Query{Text: benchQuery, MaxRows: 101})
			if err != nil {
				return err
			}
			n := 0
			for rows.Next() {
				_ = rows.Row()
				n++
			}
			rows.Close()
			if n != 100 {
				return fmt.Errorf("%d rows: %v", n, rows.Err())
			}
			return rows.Err()
		}
	}
	plain := func() error {
		rows, err := pool.Query(context.Background(), benchQuery)
		if err != nil {
			return err
		}
		n := 0
		for rows.Next() {
			if _, err := rows.Values(); err != nil {
				return err
			}
			n++
		}
		rows.Close()
		if n != 100 {
			return fmt.Errorf("%d rows: %v", n, rows.Err())
		}
		return rows.Err()
	}
	for _, c := range []struct {
		name string
		run  func() error
	}{{"adapter", viaAdapter(src)}, {"adapter-tx", viaAdapter(txSrc)}, {"pgx", plain}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := c.run(); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run(c.name+"-parallel", func(b *testing.B) {
			b.ReportAllocs()
			b.SetParallelism(benchPool)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := c.run(); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}
