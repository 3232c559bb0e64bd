import type { Queryable } from './write-projection.ts'

export type BenchRows = { ledger: number; projection?: number }

/** Rows in the consumer's ledger and, when asked, in runtime-postgres's projection, read in one snapshot. */
export async function countBenchRows(db: Queryable, { projection = false } = {}): Promise<BenchRows> {
  const { rows } = await db.query<BenchRows>(
    projection
      ? 'SELECT (SELECT count(*)::int FROM consumer_ledger) AS ledger, (SELECT count(*)::int FROM bench_projection) AS projection'
      : 'SELECT count(*)::int AS ledger FROM consumer_ledger',
  )
  const row = rows[0]
  if (!row) throw new Error('counting the bench rows answered nothing')
  return row
}
