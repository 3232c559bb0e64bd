import type { BatchHandler, Handler } from '@nudj-webhooks/kafka'
import type pg from 'pg'

/** The fields of a gen-2 event body the projection keeps. */
export type ProjectedEvent = { event?: string; timestamp?: string; data?: { user?: { id?: string } } }

export type Queryable = Pick<pg.ClientBase, 'query'>

/** runtime-postgres's effect: one row per webhook, as an activity feed or an analytics table keeps it. */
export async function createProjectionTable(db: Queryable): Promise<void> {
  await db.query(`CREATE TABLE IF NOT EXISTS bench_projection (
    webhook_id text PRIMARY KEY,
    event text NOT NULL,
    user_id text,
    occurred_at timestamptz
  )`)
}

/** Every record of a batch in one statement, inside the transaction that also writes the batch's ledger rows. */
export const writeProjectionBatch: BatchHandler<ProjectedEvent> = async (items, { tx }) => {
  await tx.query(
    `INSERT INTO bench_projection (webhook_id, event, user_id, occurred_at)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[])`,
    [
      items.map((i) => i.id),
      items.map((i) => i.event.event ?? 'unknown'),
      items.map((i) => i.event.data?.user?.id ?? null),
      items.map((i) => i.event.timestamp ?? null),
    ],
  )
}

/** The same for one record, which the runtime uses when a batch transaction fails. */
export const writeProjectionRow: Handler<ProjectedEvent> = async (event, { id, tx }) => {
  if (!tx) throw new Error('runtime-postgres needs effect postgres (a transaction per record)')
  await tx.query('INSERT INTO bench_projection (webhook_id, event, user_id, occurred_at) VALUES ($1, $2, $3, $4)', [
    id,
    event.event ?? 'unknown',
    event.data?.user?.id ?? null,
    event.timestamp ?? null,
  ])
}
