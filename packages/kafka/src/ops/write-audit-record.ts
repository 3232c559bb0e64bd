import { hostname, userInfo } from 'node:os'
import type { Admin, Kafka } from 'kafkajs'
import { ensureTopics } from '../ensure-topics.ts'
import type { Topology } from './load-topology.ts'
import { auditTopicSpec } from './topology-topic-specs.ts'

export type AuditRecord = { action: string; at: string; who: { user: string; host: string } } & Record<string, unknown>

/**
 * Records what an operator did on the topology's audit topic (created when missing), as
 * JSON keyed by the group, acknowledged by every in-sync replica. Answers the record.
 */
export async function writeAuditRecord(
  kafka: Kafka,
  admin: Admin,
  topology: Topology,
  entry: { action: string; group: string } & Record<string, unknown>,
): Promise<AuditRecord> {
  const { action, ...details } = entry
  const record: AuditRecord = { action, at: new Date().toISOString(), who: { user: currentUser(), host: hostname() }, ...details }
  await ensureTopics(admin, [auditTopicSpec(topology)])
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  try {
    await producer.send({ topic: topology.auditTopic, acks: -1, messages: [{ key: entry.group, value: JSON.stringify(record) }] })
  } finally {
    await producer.disconnect()
  }
  return record
}

function currentUser(): string {
  try {
    return userInfo().username
  } catch {
    return 'unknown' // a container user without a passwd entry
  }
}
