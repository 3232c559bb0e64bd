import pg from 'pg'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { createFreshDatabase, type FreshDatabase } from '../src/index.ts'

const infra = inject('infra')
let database: FreshDatabase

beforeAll(async () => {
  database = await createFreshDatabase(infra.databaseUrl)
})
afterAll(async () => {
  await database.drop()
})

describe('postgres', () => {
  it('round-trips rows through a fresh database', async () => {
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      await client.query('CREATE TABLE ledger (webhook_id text PRIMARY KEY, payload jsonb NOT NULL)')
      await client.query('INSERT INTO ledger VALUES ($1, $2), ($3, $4)', ['a', { n: 1 }, 'b', { n: 2 }])
      const { rows } = await client.query<{ webhook_id: string; payload: { n: number } }>(
        'SELECT webhook_id, payload FROM ledger ORDER BY webhook_id',
      )
      expect(rows).toEqual([
        { webhook_id: 'a', payload: { n: 1 } },
        { webhook_id: 'b', payload: { n: 2 } },
      ])
      await expect(client.query('INSERT INTO ledger VALUES ($1, $2)', ['a', {}])).rejects.toThrow(/duplicate key/)
    } finally {
      await client.end()
    }
  })

  it('gives each suite its own database', async () => {
    const other = await createFreshDatabase(infra.databaseUrl)
    try {
      expect(other.name).not.toBe(database.name)
      const client = new pg.Client({ connectionString: other.url })
      await client.connect()
      const { rows } = await client.query("SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public'")
      await client.end()
      expect(rows[0]).toEqual({ n: 0 })
    } finally {
      await other.drop()
    }
  })
})
