import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadStackConfig } from './config.ts'
import { freePort } from './free-port.ts'
import { repoRoot } from './repo-root.ts'
import { createLocalStack } from './stack/local-stack.ts'

export type DisposableKafka = {
  brokers: string[]
  /** Stops the broker (SIGTERM, as an operator would); its data stays. */
  stop: () => Promise<void>
  /** Starts it again on the same port and data. */
  start: () => Promise<void>
  /** Stops it and deletes its data. */
  close: () => Promise<void>
}

/**
 * A Kafka broker of a test's own, for tests that stop and start the broker (outages,
 * restarts) without disturbing the shared one. Uses the local stack's artifacts, so it
 * needs Java and Maven like `pnpm stack up`.
 */
export async function startDisposableKafka(): Promise<DisposableKafka> {
  const base = loadStackConfig(repoRoot)
  const dir = await mkdtemp(join(tmpdir(), 'disposable-kafka-'))
  await chmod(dir, 0o755)
  const [port, controllerPort] = [await freePort(), await freePort()]
  const stack = createLocalStack({ ...base, dir, kafka: { ...base.kafka, port, controllerPort } })
  const start = async (): Promise<void> => void (await stack.up(['kafka']))
  const stop = async (): Promise<void> => void (await stack.down(['kafka']))
  await start()
  return {
    brokers: [`127.0.0.1:${port}`],
    start,
    stop,
    async close() {
      await stop()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
