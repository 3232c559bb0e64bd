import { hostname, userInfo } from 'node:os'
import { Partitioners, type Admin, type Kafka } from 'kafkajs'
import { ensureTopics } from '../ensure-topics.ts'
import type { Topology } from './load-topology.ts'
import { auditTopicSpec } from './topology-topic-specs.ts'

/** Who asked: the operator's login and machine for the CLI; the console names itself and its client. */
export type AuditActor = { user: string; host: string } & Record<string, string>
export type AuditRecord = { action: string; at: string; who: AuditActor } & Record<string, unknown>

/**
 * Records what an operator did on the topology's audit topic (created when missing), as
 * JSON keyed by the group, acknowledged by every in-sync replica. `who` defaults to this
 * process's user and host (the CLI's operator). Answers the record.
 */
export async function writeAuditRecord(
  kafka: Kafka,
  admin: Admin,
  topology: Topology,
  entry: { action: string; group: string } & Record<string, unknown>,
  who: AuditActor = cliActor(),
): Promise<AuditRecord> {
  const { action, ...details } = entry
  const record: AuditRecord = { action, at: new Date().toISOString(), who, ...details }
  await ensureTopics(admin, [auditTopicSpec(topology)])
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1, createPartitioner: Partitioners.DefaultPartitioner })
  await producer.connect()
  try {
    await producer.send({ topic: topology.auditTopic, acks: -1, messages: [{ key: entry.group, value: JSON.stringify(record) }] })
  } finally {
    await producer.disconnect()
  }
  return record
}

/** The operator running the CLI: their login and this machine. */
export function cliActor(): AuditActor {
  return { user: currentUser(), host: hostname() }
}

function currentUser(): string {
  try {
    return userInfo().username
  } catch {
    return 'unknown' // a container user without a passwd entry
  }
}
