import { provenanceHeaders as h } from '../group-topics.ts'
import { decodeRegistryValue } from './decode-registry-value.ts'
import { formatAge } from './format-age.ts'
import { formatTable } from './format-table.ts'
import { topologyGroup } from './load-topology.ts'
import type { OpsContext } from './ops-context.ts'
import { parseCommandArgs, requiredString, wholeNumber } from './parse-command-args.ts'
import { readDlqRecord } from './read-dlq-record.ts'

export const dlqShowUsage = `usage: ops dlq show --group G --partition P --offset O

Shows one record of group G's dead-letter topic: key, every header (times also as ISO
8601), whether it was redriven, and its value. A value in the Confluent wire format is
decoded through the schema registry when SCHEMA_REGISTRY_URL is set; bytes fields show as
text when printable, else as base64:...; any other value is shown as base64.

  --group G       a consumer group of the topology (required)
  --partition P   the record's partition (required)
  --offset O      the record's offset (required; 'ops dlq list' shows both)
  -h, --help`

const timeHeaders: string[] = [h.dueAt, h.firstFailureAt, h.lastFailureAt, h.redrivenAt]

/** `ops dlq show`. Answers the exit code. */
export async function runDlqShow(argv: string[], ctx: OpsContext): Promise<number> {
  const values = parseCommandArgs(argv, { group: { type: 'string' }, partition: { type: 'string' }, offset: { type: 'string' } })
  if (values === 'help') {
    ctx.io.out(dlqShowUsage)
    return 0
  }
  const group = topologyGroup(await ctx.topology(), requiredString(values, 'group')).name
  const partition = wholeNumber(values, 'partition', 0)
  const offset = wholeNumber(values, 'offset', 0)
  const { kafka, admin } = await ctx.kafka()
  const { topic, record, redriven } = await readDlqRecord(kafka, admin, { group, partition, offset }, ctx.signal)
  const now = Date.now()
  const out = ctx.io.out
  out(`${topic} partition ${partition} offset ${offset}`)
  const summary = [
    ['key', record.key ?? '(none)'],
    ['timestamp', new Date(record.timestamp).toISOString()],
    ['redriven', redriven ? 'yes (by ops dlq redrive)' : 'no'],
  ]
  for (const line of formatTable(summary)) out(line)
  out('headers')
  const headerRows = Object.entries(record.headers).map(([name, value]) => {
    const ms = Number(value)
    const when =
      timeHeaders.includes(name) && Number.isFinite(ms) && ms > 0 ? ` (${new Date(ms).toISOString()}, ${formatAge(now - ms)} ago)` : ''
    return [name, `${value}${when}`]
  })
  for (const line of formatTable(headerRows, '  ')) out(line)
  const decoded = await decodeRegistryValue(record.message.value, ctx.config().schemaRegistryUrl, ctx.config().security.registryAuth)
  if (decoded.kind === 'decoded') {
    out(`value (schema id ${decoded.schemaId}, decoded through the registry)`)
    out(JSON.stringify(decoded.value, null, 2))
  } else {
    out(`value (${record.message.value?.length ?? 0} bytes, base64: ${decoded.reason})`)
    out(decoded.base64)
  }
  return 0
}
