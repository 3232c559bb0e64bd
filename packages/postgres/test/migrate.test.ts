import { createFreshDatabase, type FreshDatabase } from '@nudj-webhooks/testing'
import pg from 'pg'
import { afterEach, describe, expect, inject, it } from 'vitest'
import { migrate, type Migration } from '../src/index.ts'

const infra = inject('infra')
let db: FreshDatabase | undefined
let pool: pg.Pool | undefined
afterEach(async () => {
  await pool?.end()
  await db?.drop()
  pool = db = undefined
})

const first: Migration[] = [
  { version: 1, name: 'items', sql: 'CREATE TABLE items (id text PRIMARY KEY)' },
  { version: 2, name: 'items-count', sql: 'ALTER TABLE items ADD COLUMN n integer NOT NULL DEFAULT 0' },
]

async function freshPool(options: pg.PoolConfig = {}): Promise<pg.Pool> {
  db = await createFreshDatabase(infra.databaseUrl, 'migrate')
  pool = new pg.Pool({ connectionString: db.url, ...options })
  return pool
}

describe('migrate', () => {
  it('applies each migration once, in order, and only the new ones later', async () => {
    const pool = await freshPool()
    expect(await migrate(pool, 'svc', [first[1]!, first[0]!])).toEqual([1, 2])
    expect(await migrate(pool, 'svc', first)).toEqual([])
    const third = { version: 3, name: 'more', sql: 'ALTER TABLE items ADD COLUMN m integer' }
    expect(await migrate(pool, 'svc', [...first, third])).toEqual([3])
    const { rows } = await pool.query('SELECT version, name FROM schema_migrations ORDER BY version')
    expect(rows).toEqual([
      { version: 1, name: 'items' },
      { version: 2, name: 'items-count' },
      { version: 3, name: 'more' },
    ])
  })

  it('lets two replicas start at once without applying anything twice', async () => {
    const pool = await freshPool()
    const results = await Promise.all([migrate(pool, 'svc', first), migrate(pool, 'svc', first)])
    expect(results.flat().sort()).toEqual([1, 2])
  })

  it('rolls back a failing migration, names it, and keeps the ones before it', async () => {
    const pool = await freshPool()
    const broken = { version: 3, name: 'broken', sql: 'ALTER TABLE nowhere ADD COLUMN x integer' }
    await expect(migrate(pool, 'svc', [...first, broken])).rejects.toThrow(/migration 3 \(broken\) failed: .*nowhere/)
    const { rows } = await pool.query('SELECT version FROM schema_migrations ORDER BY version')
    expect(rows.map((r: { version: number }) => r.version)).toEqual([1, 2])
  })

  it('refuses a recorded migration whose name changed', async () => {
    const pool = await freshPool()
    await migrate(pool, 'svc', first)
    await expect(migrate(pool, 'svc', [{ ...first[0]!, name: 'renamed' }, first[1]!])).rejects.toThrow(
      /applied as 'items' but is now 'renamed'/,
    )
  })

  it("is not bound by the pool's statement_timeout, and leaves the pool's connections bound by it", async () => {
    const pool = await freshPool({ statement_timeout: 200, max: 1 })
    const slow = { version: 1, name: 'slow', sql: 'SELECT pg_sleep(0.5)' }
    expect(await migrate(pool, 'svc', [slow])).toEqual([1])
    // max 1: the same connection the migration used.
    expect((await pool.query<{ statement_timeout: string }>('SHOW statement_timeout')).rows[0]?.statement_timeout).toBe('200ms')
    await expect(pool.query('SELECT pg_sleep(0.5)')).rejects.toMatchObject({ code: '57014' })
  })
})
