import { formatAge } from './format-age.ts'
import { formatTable } from './format-table.ts'
import { topologyGroup } from './load-topology.ts'
import type { OpsContext } from './ops-context.ts'
import { listDlq } from './list-dlq.ts'
import { parseCommandArgs, requiredString, wholeNumber } from './parse-command-args.ts'

export const dlqListUsage = `usage: ops dlq list --group G [--limit N]

Lists the records of group G's dead-letter topic (G.dlq), oldest first per partition:
partition and offset, key, error code, attempts, where it was first read
(topic:partition:offset), time since its last failure, whether 'ops dlq redrive' already
sent it back, and the error message (trimmed). Reads without committing anything.

  --group G     a consumer group of the topology (required)
  --limit N     show at most N records (default 100)
  -h, --help`

/** `ops dlq list`. Answers the exit code. */
export async function runDlqList(argv: string[], ctx: OpsContext): Promise<number> {
  const values = parseCommandArgs(argv, { group: { type: 'string' }, limit: { type: 'string' } })
  if (values === 'help') {
    ctx.io.out(dlqListUsage)
    return 0
  }
  const group = topologyGroup(await ctx.topology(), requiredString(values, 'group')).name
  const limit = wholeNumber(values, 'limit', 1, 100)
  const { kafka, admin } = await ctx.kafka()
  const { topic, total, redriven, records } = await listDlq(kafka, admin, group, limit, ctx.signal)
  if (total === 0) {
    ctx.io.out(`${topic} is empty`)
    return 0
  }
  const now = Date.now()
  const rows = [['partition', 'offset', 'key', 'error', 'attempts', 'origin', 'failed', 'redriven', 'message']]
  for (const r of records) {
    rows.push([
      String(r.partition),
      String(r.offset),
      r.key ?? '(none)',
      r.errorCode ?? '?',
      r.attempts === undefined ? '?' : String(r.attempts),
      r.origin ?? '?',
      `${formatAge(now - (r.lastFailureAt ?? r.timestamp))} ago`,
      r.redriven ? 'yes' : 'no',
      trim(r.errorMessage ?? ''),
    ])
  }
  ctx.io.out(`${topic}: ${total} record${total === 1 ? '' : 's'}, ${redriven} already redriven`)
  for (const line of formatTable(rows)) ctx.io.out(line)
  if (records.length < total) ctx.io.out(`showing ${records.length} of ${total} (--limit N for more)`)
  return 0
}

function trim(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim()
  return line.length > 80 ? `${line.slice(0, 79)}…` : line
}
