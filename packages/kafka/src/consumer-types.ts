import type { Kafka } from 'kafkajs'
import type pg from 'pg'
import type { Logger } from 'pino'
import type { Registry } from 'prom-client'

/** A message as the runtime hands it to `decode`. */
export type ConsumerMessage = {
  topic: string
  partition: number
  offset: string
  key: string
  value: Buffer
  headers: Record<string, string>
  /** Epoch milliseconds (the record's timestamp). */
  timestamp: number
}

/** Where a handler's effect lives, which decides how the ledger keeps it to once per id. */
export type Effect = 'postgres' | 'external' | 'none'

/** What each effect adds to the handler's context (each names both keys, so a union of them reads either). */
type EffectContext = {
  /** The transaction the ledger row commits in: the handler writes its effect through it. */
  postgres: { tx: pg.PoolClient; unfinishedClaim?: undefined }
  /** An earlier run claimed this id but never completed it (see README). */
  external: { unfinishedClaim: boolean; tx?: undefined }
  none: { tx?: undefined; unfinishedClaim?: undefined }
}

/**
 * Per-message things only; handlers never see offsets, retries or metrics. Typed by effect:
 * a handler of effect 'postgres' always gets its `tx`. Without an effect, the context of a
 * handler that may run under any of them, whose `tx` and `unfinishedClaim` may be missing.
 */
export type HandlerContext<E extends Effect = Effect> = {
  logger: Logger
  /** 1 the first time, 2 on the first retry, ... */
  attempt: number
  /** Aborted at the handler timeout and on shutdown. */
  signal: AbortSignal
  message: ConsumerMessage
  /** The idempotency key (webhook id). */
  id: string
} & EffectContext[E]

export type Handler<T, E extends Effect = Effect> = (event: T, ctx: HandlerContext<E>) => Promise<void>

/** Handles a whole batch in one transaction (effect 'postgres' only). */
export type BatchHandler<T> = (
  items: { event: T; id: string; message: ConsumerMessage }[],
  ctx: { tx: pg.PoolClient; logger: Logger; signal: AbortSignal },
) => Promise<void>

/**
 * A consumer group's definition, typed by its effect: `ConsumerDefinition<T, 'postgres'>`
 * hands its handler a `tx`. `handler` is declared as a method so that a definition of one
 * effect is a `ConsumerDefinition<T>` (the runtime's view, which narrows on `effect`).
 */
export type ConsumerDefinition<T, E extends Effect = Effect> = {
  group: string
  topics: string[]
  /** Where the effect lives, which decides how the ledger keeps it to once per id. */
  effect: E
  /** Bytes to event; a throw sends the message to the DLQ (DECODE_FAILED). */
  decode: (message: ConsumerMessage) => T | Promise<T>
  /** The idempotency key; the record key by default. */
  idOf?: (event: T, message: ConsumerMessage) => string
  /** False: not for this group; acknowledged and counted as skipped. */
  handles?: (event: T) => boolean
  /** Every problem found; any sends the message to the DLQ (VALIDATION_FAILED). */
  validate?: (event: T) => string[]
  handler(event: T, ctx: HandlerContext<E>): Promise<void>
  /** Effect 'postgres' only: a fetched batch in one transaction. */
  batchHandler?: BatchHandler<T>
  /** Delays of the retry tiers, e.g. [10_000, 60_000, 600_000]; after the last, the DLQ. */
  retrySchedule: number[]
  /**
   * Longest one handler call, and one batch transaction as a whole, may take: then
   * `ctx.signal` aborts, the runtime stops waiting (even for a handler that ignores the
   * signal), abandons its ledger transaction (rolled back) and retries it (HANDLER_TIMEOUT).
   */
  handlerTimeoutMs: number
  partitionsConsumedConcurrently?: number
  /**
   * How long a silent member (a killed process) keeps its partitions before the broker gives
   * them to the others; 6 s by default, the broker's least (`group.min.session.timeout.ms`).
   * Services read it from CONSUMER_SESSION_TIMEOUT. Heartbeats go every tenth of it.
   */
  sessionTimeoutMs?: number
  /** Checked while paused for an outage; defaults to the ledger's database ping. */
  probe?: () => Promise<boolean>
}

/** What a service's `createConsumer` takes from its config; the rest of a definition is its own. */
export type ConsumerOptions = Pick<
  ConsumerDefinition<unknown>,
  'group' | 'topics' | 'retrySchedule' | 'handlerTimeoutMs' | 'sessionTimeoutMs' | 'partitionsConsumedConcurrently'
>

export type ConsumerDeps = {
  kafka: Kafka
  logger: Logger
  registry: Registry
  /** Needed for effects 'postgres' and 'external' (the ledger). */
  pool?: pg.Pool
}
