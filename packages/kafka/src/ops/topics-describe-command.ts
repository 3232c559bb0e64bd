import { describeTopology, type TopicLag } from './describe-topology.ts'
import { formatRetention } from './format-age.ts'
import { formatTable } from './format-table.ts'
import type { OpsContext } from './ops-context.ts'
import { parseCommandArgs } from './parse-command-args.ts'

export const topicsDescribeUsage = `usage: ops topics describe

Shows each topic of the topology with its partitions, replication, retention and record
count (the sum over partitions of high minus low watermark), then each consumer group and
its retry group: state, member count, and lag per topic (committed offset against the high
watermark, summed over partitions; "no commits" when the group has committed nothing there).

  -h, --help`

/** `ops topics describe`. Answers the exit code. */
export async function runTopicsDescribe(argv: string[], ctx: OpsContext): Promise<number> {
  if (parseCommandArgs(argv, {}) === 'help') {
    ctx.io.out(topicsDescribeUsage)
    return 0
  }
  const topology = await ctx.topology()
  const { admin } = await ctx.kafka()
  const { topics, groups } = await describeTopology(admin, topology)
  const rows = [['topic', 'role', 'partitions', 'replication', 'retention', 'records']]
  for (const { spec, actual } of topics) {
    if (!actual) rows.push([spec.topic, spec.role, 'missing (run ops topics ensure)'])
    else {
      const partitions =
        actual.partitions === spec.partitions ? `${actual.partitions}` : `${actual.partitions} (configured ${spec.partitions})`
      rows.push([
        spec.topic,
        spec.role,
        partitions,
        String(actual.replicationFactor),
        formatRetention(actual.retentionMs),
        String(actual.records),
      ])
    }
  }
  for (const line of formatTable(rows)) ctx.io.out(line)
  for (const group of groups) {
    ctx.io.out('')
    ctx.io.out(`group ${group.groupId}: ${group.state}, ${group.members} member${group.members === 1 ? '' : 's'}`)
    for (const line of formatTable(
      group.topics.map((t) => [t.topic, formatLag(t)]),
      '  ',
    ))
      ctx.io.out(line)
  }
  return 0
}

function formatLag(t: TopicLag): string {
  if (t.missing) return 'topic missing'
  if (t.uncommitted === t.partitions) return 'no commits'
  if (t.uncommitted === 0) return `lag ${t.lag}`
  return `lag ${t.lag} (${t.uncommitted} of ${t.partitions} partitions without commits)`
}
