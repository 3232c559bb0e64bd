import { formatTable } from './format-table.ts'
import { topologyGroup } from './load-topology.ts'
import type { OpsContext } from './ops-context.ts'
import { parseCommandArgs, requiredString } from './parse-command-args.ts'
import { parseReplayFrom } from './parse-replay-from.ts'
import type { ReplayRow } from './plan-replay.ts'
import { replayGroup, replayStopHint } from './replay-group.ts'

export const replayUsage = `usage: ops replay --group G --from earliest|<ISO 8601 time>|<topic:partition:offset,...> [--dry-run]

Moves consumer group G's committed offsets so that it reads its topics again when it next
starts: from the beginning, from the first record at or after a time, or from the given
offsets (other partitions keep theirs). The group must be stopped: replay refuses while it
has members. Shows, per partition, the committed offset, the target and how many records
will be read again; then resets the offsets and writes what it did to the audit topic.

  --group G     a consumer group of the topology (required)
  --from WHERE  earliest, a time such as 2026-03-01T09:30:00Z, or
                nudj.example.topic:0:1200,nudj.example.topic:1:1150 (required)
  --dry-run     show the plan (even while the group runs), change nothing
  -h, --help`

/** `ops replay`. Answers the exit code. */
export async function runReplay(argv: string[], ctx: OpsContext): Promise<number> {
  const values = parseCommandArgs(argv, { group: { type: 'string' }, from: { type: 'string' }, 'dry-run': { type: 'boolean' } })
  if (values === 'help') {
    ctx.io.out(replayUsage)
    return 0
  }
  const topology = await ctx.topology()
  const group = topologyGroup(topology, requiredString(values, 'group'))
  const fromText = requiredString(values, 'from')
  const from = parseReplayFrom(fromText)
  const dryRun = values['dry-run'] === true
  const { kafka, admin } = await ctx.kafka()
  const { rows, active, audit } = await replayGroup(kafka, admin, topology, { group, from, fromText, dryRun })
  ctx.io.out(`replay of group ${group.name} from ${fromText}${dryRun ? ' (dry run)' : ''}`)
  printPlan(ctx, rows)
  if (dryRun) {
    if (active) ctx.io.out(`note: replay would refuse now: ${active}; ${replayStopHint}`)
    ctx.io.out('dry run: no offsets changed')
    return 0
  }
  ctx.io.out(`audit record on ${topology.auditTopic}: ${JSON.stringify(audit)}`)
  ctx.io.out(`reset ${rows.length} partition${rows.length === 1 ? '' : 's'} of group ${group.name}; it reads from there when it starts`)
  return 0
}

function printPlan(ctx: OpsContext, rows: ReplayRow[]): void {
  const table = [['topic', 'partition', 'committed', 'target', 'to reprocess']]
  for (const r of rows)
    table.push([r.topic, String(r.partition), r.committed === null ? 'none' : String(r.committed), String(r.target), String(r.records)])
  for (const line of formatTable(table)) ctx.io.out(line)
  const total = rows.reduce((sum, r) => sum + r.records, 0)
  // A target past the committed offset skips records the group has not processed yet.
  const skipped = rows.reduce((sum, r) => sum + Math.max(0, r.target - (r.committed ?? r.target)), 0)
  ctx.io.out(
    `${total} record${total === 1 ? '' : 's'} to reprocess${skipped > 0 ? `; note: ${skipped} not yet processed will be skipped` : ''}`,
  )
}
