import type { Admin, GroupDescription, Kafka } from 'kafkajs'
import { commitGroupOffsets } from './commit-group-offsets.ts'
import type { Topology, TopologyGroup } from './load-topology.ts'
import { OpsError } from './ops-errors.ts'
import type { ReplayFrom } from './parse-replay-from.ts'
import { planReplay, type ReplayRow } from './plan-replay.ts'
import { retryCoordinator } from './retry-coordinator.ts'
import { writeAuditRecord, type AuditActor, type AuditRecord } from './write-audit-record.ts'

export const replayStopHint = 'scale the deployment to 0 replicas or stop the service, then run replay again'

export type ReplayOutcome = {
  rows: ReplayRow[]
  /** Who holds the group now (a replay refuses then), or undefined when it has no members. */
  active: string | undefined
  /** Undefined for a dry run. */
  audit: AuditRecord | undefined
}

/**
 * `ops replay` and the console's replay: plans where `from` puts each partition of the
 * group's topics; unless `dryRun`, commits those offsets in one request (refused with
 * GROUP_ACTIVE while the group has members) and records it by `who` on the audit topic.
 */
export async function replayGroup(
  kafka: Kafka,
  admin: Admin,
  topology: Topology,
  { group, from, fromText, dryRun }: { group: TopologyGroup; from: ReplayFrom; fromText: string; dryRun: boolean },
  who?: AuditActor,
): Promise<ReplayOutcome> {
  const active = await activeMembers(admin, group.name)
  if (active && !dryRun) throw new OpsError('GROUP_ACTIVE', `${active}; ${replayStopHint}`)
  const rows = await planReplay(admin, group, from)
  if (dryRun) return { rows, active, audit: undefined }
  try {
    await commitGroupOffsets(
      kafka,
      group.name,
      rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.target })),
    )
  } catch (err) {
    // One commit request for every partition: when it fails, nothing changed.
    throw new OpsError('REPLAY_FAILED', `no offsets changed: ${(err as Error).message}; ${replayStopHint}`, { cause: err })
  }
  const audit = await writeAuditRecord(
    kafka,
    admin,
    topology,
    {
      action: 'replay',
      group: group.name,
      from: fromText,
      partitions: rows.map((r) => ({ topic: r.topic, partition: r.partition, from: r.committed, to: r.target, records: r.records })),
    },
    who,
  )
  return { rows, active, audit }
}

/** Undefined when the group has no members, else who they are. */
export async function activeMembers(admin: Admin, groupId: string): Promise<string | undefined> {
  const [group]: (GroupDescription | undefined)[] = (await retryCoordinator(async () => await admin.describeGroups([groupId]))).groups
  if (!group || group.state === 'Empty' || group.state === 'Dead') return undefined
  const members = group.members.map((m) => `${m.clientId} on ${m.clientHost.replace(/^\//, '')}`)
  return `group ${groupId} is ${group.state} with ${members.length} member${members.length === 1 ? '' : 's'} (${members.join(', ') || 'joining'})`
}
