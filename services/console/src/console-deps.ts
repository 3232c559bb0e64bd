import type { Topology } from '@nudj-webhooks/kafka'
import type { Admin, Kafka } from 'kafkajs'
import type pg from 'pg'
import type { Logger } from 'pino'
import type { RecordReader } from './create-record-reader.ts'
import type { Tail } from './create-tail.ts'
import type { ConsumerService } from './read-outcomes.ts'
import type { ScanLimits } from './scan-window.ts'
import type { TopicRoles } from './topic-roles.ts'

/** What the console's reads and writes work with, made once by startConsole. */
export type ConsoleDeps = {
  kafka: Kafka
  admin: Admin
  topology: Topology
  roles: TopicRoles
  reader: RecordReader
  /** Each service's database, when configured. */
  pools: Partial<Record<ConsumerService, pg.Pool>>
  limits: ScanLimits
  /** The window a search or a story reads when none is given. */
  searchWindowMs: number
  topicPrefix: string
  metricsUrls: string[]
}

/** What the app's routes need besides: the live tail, the token, the audit actor, the rate cap. */
export type AppDeps = ConsoleDeps & {
  tail: Tail
  token: string
  /** who.user of the audit records. */
  actor: string
  maxRedriveRate: number
  /** Live tails open at once (CONSOLE_MAX_STREAMS); more get 503 BUSY. */
  maxStreams: number
  /** Searches and stories reading Kafka at once (CONSOLE_MAX_SCANS); more get 503 BUSY. */
  maxScans: number
  logger: Logger
}
