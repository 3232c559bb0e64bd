import { ensureTopics } from '../ensure-topics.ts'
import { formatRetention } from './format-age.ts'
import { formatTable } from './format-table.ts'
import type { OpsContext } from './ops-context.ts'
import { parseCommandArgs } from './parse-command-args.ts'
import { planTopics } from './plan-topics.ts'
import { topologyTopicSpecs, type TopologyTopicSpec } from './topology-topic-specs.ts'

export const topicsEnsureUsage = `usage: ops topics ensure [--dry-run]

Creates every topic of the topology (its topics, each group's retry topics and DLQ, the
audit topic) with its partitions, replication and retention, and raises partition counts
that are lower than configured. Prints what it created, grew, or found already right, and
any difference it does not change (retention, replication, more partitions than configured).

  --dry-run   say what would change, change nothing
  -h, --help`

/** `ops topics ensure`. Answers the exit code. */
export async function runTopicsEnsure(argv: string[], ctx: OpsContext): Promise<number> {
  const values = parseCommandArgs(argv, { 'dry-run': { type: 'boolean' } })
  if (values === 'help') {
    ctx.io.out(topicsEnsureUsage)
    return 0
  }
  const dryRun = values['dry-run'] === true
  const specs = topologyTopicSpecs(await ctx.topology())
  const { admin } = await ctx.kafka()
  const plan = await planTopics(admin, specs)
  const changed = dryRun
    ? { created: plan.create.map((s) => s.topic), grown: plan.grow.map((g) => g.spec.topic) }
    : await ensureTopics(admin, [...plan.create, ...plan.grow.map((g) => g.spec)])
  // Another operator may have created or grown a topic since the plan: report what ensure did.
  const created = new Set(changed.created)
  const grown = new Set(changed.grown)
  const rows: string[][] = []
  for (const spec of specs) {
    const growth = plan.grow.find((g) => g.spec.topic === spec.topic)
    if (created.has(spec.topic)) rows.push([dryRun ? 'would create' : 'created', spec.topic, describe(spec)])
    else if (growth && grown.has(spec.topic)) {
      rows.push([dryRun ? 'would grow' : 'grew', spec.topic, `${growth.partitions} → ${spec.partitions} partitions`])
    } else rows.push(['ok', spec.topic, describe(spec)])
  }
  for (const line of formatTable(rows)) ctx.io.out(line)
  for (const drift of plan.drift) ctx.io.out(`note: ${drift}`)
  const right = specs.length - created.size - grown.size
  ctx.io.out(
    dryRun
      ? `dry run: ${created.size} to create, ${grown.size} to grow, ${right} already right; nothing changed`
      : `${created.size} created, ${grown.size} grown, ${right} already right`,
  )
  return 0
}

function describe(spec: TopologyTopicSpec): string {
  return `${spec.role}, ${spec.partitions} partition${spec.partitions === 1 ? '' : 's'}, replication ${spec.replicationFactor}, retention ${formatRetention(spec.config?.['retention.ms'])}`
}
