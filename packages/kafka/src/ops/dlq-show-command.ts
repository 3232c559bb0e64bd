import { dlqTopicName, provenanceHeaders as h } from '../group-topics.ts'
import { decodeRegistryValue } from './decode-registry-value.ts'
import { toDlqRecord, type DlqRecord } from './dlq-record.ts'
import { formatAge } from './format-age.ts'
import { formatTable } from './format-table.ts'
import { topologyGroup } from './load-topology.ts'
import type { OpsContext } from './ops-context.ts'
import { OpsError } from './ops-errors.ts'
import { parseCommandArgs, requiredString, wholeNumber } from './parse-command-args.ts'
import { readDlqPartitions } from './read-dlq.ts'
import { isRedriven } from './redrive-state.ts'
import { scanTopic } from './scan-topic.ts'

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
  const topic = dlqTopicName(group)
  const partitions = await readDlqPartitions(admin, group)
  const held = partitions.find((p) => p.partition === partition)
  if (!held) throw new OpsError('NO_SUCH_RECORD', `${topic} has no partition ${partition} (it has ${partitions.length})`)
  if (offset < held.low || offset >= held.high) {
    const holds = held.low === held.high ? 'is empty' : `holds offsets ${held.low} to ${held.high - 1}`
    throw new OpsError('NO_SUCH_RECORD', `${topic} partition ${partition} has no offset ${offset}: it ${holds}`)
  }
  let record: DlqRecord | undefined
  await scanTopic(kafka, admin, {
    topic,
    ranges: new Map([[partition, { from: offset, until: offset + 1 }]]),
    onMessage: (p, message) => {
      record = toDlqRecord(p, message)
      return 'stop'
    },
    timeoutMs: 30_000,
    signal: ctx.signal,
  })
  if (!record)
    throw new OpsError('NO_SUCH_RECORD', `${topic} partition ${partition} offset ${offset} could not be read (compacted or deleted)`)

  const now = Date.now()
  const out = ctx.io.out
  out(`${topic} partition ${partition} offset ${offset}`)
  const summary = [
    ['key', record.key ?? '(none)'],
    ['timestamp', new Date(record.timestamp).toISOString()],
    ['redriven', isRedriven(held.redrive, offset) ? 'yes (by ops dlq redrive)' : 'no'],
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
