import { createEventStream, createWorld } from '@nudj-webhooks/nudj-sim'

export type BenchRecord = { key: string; value: Buffer }

export type RecordSource = {
  /** Record i of the topic: its own webhook id as key, one of the pooled event bodies as value. */
  record: (index: number) => BenchRecord
  /** Mean size of a value, in bytes. */
  meanBytes: number
}

/**
 * Gen-2 event bodies from `@nudj-webhooks/nudj-sim` (the same seed gives the same bodies),
 * without the user's email and the community id, so that a value is about 300 bytes. A pool
 * of bodies is cycled through; every record still has a key of its own, so the ledger sees
 * one webhook id per record.
 */
export function createRecordSource({ seed = 1, poolSize = 10_000 }: { seed?: number; poolSize?: number } = {}): RecordSource {
  const stream = createEventStream(createWorld({ seed }), { gen1Share: 0 })
  const pool = Array.from({ length: poolSize }, () => {
    const body = stream.next().body as { data?: { user?: { email?: string }; communityId?: string } }
    delete body.data?.user?.email
    delete body.data?.communityId
    return Buffer.from(JSON.stringify(body))
  })
  const meanBytes = Math.round(pool.reduce((sum, value) => sum + value.length, 0) / pool.length)
  return {
    // Shaped like the simulator's delivery ids (`dlv_` and 24 hex digits).
    record: (index) => ({ key: `dlv_${index.toString(16).padStart(24, '0')}`, value: pool[index % pool.length] as Buffer }),
    meanBytes,
  }
}
