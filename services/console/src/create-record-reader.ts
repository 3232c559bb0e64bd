import type { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { normalizeNudjWebhook, type WebhookReceived, type WebhookRejected } from '@nudj-webhooks/contracts'
import { displayable, toDlqRecord } from '@nudj-webhooks/kafka'
import type { KafkaMessage } from 'kafkajs'
import type { TopicRoles } from './topic-roles.ts'

/** One Kafka record as the console shows it: where it is, whose webhook, and what became of it. */
export type RecordSummary = {
  kind: 'received' | 'retry' | 'dlq' | 'rejected' | 'other'
  topic: string
  partition: number
  offset: number
  /** Epoch milliseconds of the record. */
  timestamp: number
  key: string | null
  webhookId?: string
  event?: string
  /** The name consumers handle, the same for both Nudj generations. */
  canonicalEvent?: string
  source?: string
  userId?: string
  group?: string
  attempt?: number
  errorCode?: string
  errorMessage?: string
  /** One line: stored, retry 1 by email (TIMEOUT), dead-lettered by email (VALIDATION_FAILED), rejected 401 BAD_SIGNATURE. */
  outcome: string
}

export type RecordDetail = RecordSummary & {
  headers: Record<string, string>
  /** The decoded value (the envelope, its body as text), or why it could not be decoded. */
  value: unknown
}

export type RecordReader = {
  summarize: (topic: string, partition: number, message: KafkaMessage) => Promise<RecordSummary>
  detail: (topic: string, partition: number, message: KafkaMessage) => Promise<RecordDetail>
}

/** Decodes records of the console's topics through the registry (the writer's schema, cached). */
export function createRecordReader(registry: SchemaRegistry, roles: TopicRoles): RecordReader {
  async function decode(value: Buffer | null): Promise<{ value?: unknown; problem?: string }> {
    if (value === null) return { problem: 'no value (a tombstone)' }
    try {
      return { value: (await registry.decode(value)) as unknown }
    } catch (err) {
      return { problem: `not decodable through the registry: ${(err as Error).message}` }
    }
  }

  async function read(topic: string, partition: number, message: KafkaMessage): Promise<RecordDetail> {
    const role = roles.roleOf(topic)
    const provenance = toDlqRecord(partition, message)
    const decoded = await decode(message.value)
    const base: RecordDetail = {
      kind: role?.kind ?? 'other',
      topic,
      partition,
      offset: Number(message.offset),
      timestamp: Number(message.timestamp),
      key: provenance.key,
      headers: provenance.headers,
      value: decoded.value === undefined ? { problem: decoded.problem } : displayable(decoded.value),
      outcome: decoded.problem ?? 'stored',
    }
    if (role?.kind === 'rejected') {
      const rejection = decoded.value as WebhookRejected | undefined
      return {
        ...base,
        source: rejection?.source,
        // Ingest records status 0 for the refusals it audits today: only a real status is shown.
        outcome: rejection ? `rejected ${rejection.status > 0 ? `${rejection.status} ` : ''}${rejection.reason}` : base.outcome,
      }
    }
    const envelope = decoded.value as WebhookReceived | undefined
    const summary: RecordDetail = {
      ...base,
      webhookId: envelope?.webhookId ?? provenance.key ?? undefined,
      event: envelope?.event,
      canonicalEvent: envelope?.canonicalEvent,
      source: envelope?.source,
      userId: envelope && userIdOf(envelope),
    }
    if (role?.kind === 'retry' || role?.kind === 'dlq') {
      const code = provenance.errorCode ?? '?'
      Object.assign(summary, {
        group: role.group,
        attempt: provenance.attempts,
        errorCode: provenance.errorCode,
        errorMessage: provenance.errorMessage,
        outcome:
          role.kind === 'dlq'
            ? `dead-lettered by ${role.group} (${code})`
            : `retry ${provenance.attempts ?? '?'} by ${role.group} (${code})${provenance.headers['x-redriven-at'] ? ', redriven' : ''}`,
      })
    }
    return summary
  }

  return {
    detail: read,
    async summarize(topic, partition, message) {
      const { headers: _headers, value: _value, ...summary } = await read(topic, partition, message)
      return summary
    },
  }
}

/** The user the body names, for search; undefined when the body is not a Nudj event. */
function userIdOf(envelope: WebhookReceived): string | undefined {
  try {
    return normalizeNudjWebhook(envelope.body, envelope.headers, { source: envelope.source }).user.id
  } catch {
    return undefined
  }
}
