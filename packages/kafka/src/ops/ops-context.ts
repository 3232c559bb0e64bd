import { loadOpsConfig, type OpsConfig } from './config.ts'
import { loadTopology, type Topology } from './load-topology.ts'
import { openKafka, type OpsKafka } from './open-kafka.ts'
import type { OpsIo } from './ops-io.ts'

/** What a command needs, each part made on first use so that --help needs none of them. */
export type OpsContext = {
  io: OpsIo
  signal: AbortSignal
  config: () => OpsConfig
  topology: () => Promise<Topology>
  kafka: () => Promise<OpsKafka>
  /** Closes the Kafka client when one was opened. */
  close: () => Promise<void>
}

export function createOpsContext(io: OpsIo, env: Record<string, string | undefined>, signal: AbortSignal): OpsContext {
  let config: OpsConfig | undefined
  let topology: Promise<Topology> | undefined
  let kafka: Promise<OpsKafka> | undefined
  const context: OpsContext = {
    io,
    signal,
    config: () => (config ??= loadOpsConfig(env, (message) => io.err(`warning: ${message}`))),
    topology: async () => await (topology ??= loadTopology(context.config().topologyFile)),
    kafka: async () => await (kafka ??= openKafka(context.config().brokers, context.config().security.kafka)),
    async close() {
      const opened = await kafka?.catch(() => undefined)
      await opened?.close()
    },
  }
  return context
}
