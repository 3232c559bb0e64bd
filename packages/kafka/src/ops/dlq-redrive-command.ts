import { parseDuration } from '@nudj-webhooks/config'
import { dlqTopicName, retryTopicName } from '../group-topics.ts'
import type { DlqFilter } from './dlq-record.ts'
import { topologyGroup } from './load-topology.ts'
import type { OpsContext } from './ops-context.ts'
import { UsageError } from './ops-errors.ts'
import { isoTime, optionalString, parseCommandArgs, positiveNumber, requiredString, wholeNumber } from './parse-command-args.ts'
import { minRedrivenForRatio, type RedriveProgress, type RedriveResult } from './redrive-dlq.ts'
import { planRedrive, redriveGroupDlq } from './redrive-group-dlq.ts'
import { redriveGroupId } from './redrive-state.ts'

export const dlqRedriveUsage = `usage: ops dlq redrive --group G [filters] [options]

Sends the records of group G's DLQ back to its first retry topic, key, value and headers
as they were, with x-retry-attempt 0 and x-retry-due-at and x-redriven-at now, so the
group's retry consumer runs them again through the whole retry schedule. What was redriven
is remembered (consumer group G.dlq.redrive) and never sent twice. A record the DLQ holds
more than once (same origin topic, partition and offset: a consumer that crashed after
writing it wrote it again) is sent once. Records written to the DLQ after the redrive
began are left for the next one.

  --group G                 a consumer group of the topology (required)
  --error-code C            only records that failed with this x-error-code
  --key K                   only records with this key
  --since ISO               only records whose last failure is at or after this time
  --rate N                  records per second at most (default 50)
  --max N                   redrive at most N records this time (default: all selected)
  --max-failure-ratio F     stop when, after ${minRedrivenForRatio} or more are redriven, the DLQ grows by more
                            than F of the number redriven: they are failing again (default 0.5)
  --timeout D               stop after this long, e.g. 30m (default 1h)
  --dry-run                 list what would be redriven, send nothing
  -h, --help

Exit status: 0 when every selected record was redriven (or --max reached), 1 when it
stopped early (failing again, timeout, interrupted), 2 for bad usage.`

/** `ops dlq redrive`. Answers the exit code. */
export async function runDlqRedrive(argv: string[], ctx: OpsContext): Promise<number> {
  const values = parseCommandArgs(argv, {
    group: { type: 'string' },
    'error-code': { type: 'string' },
    key: { type: 'string' },
    since: { type: 'string' },
    rate: { type: 'string' },
    max: { type: 'string' },
    'max-failure-ratio': { type: 'string' },
    timeout: { type: 'string' },
    'dry-run': { type: 'boolean' },
  })
  if (values === 'help') {
    ctx.io.out(dlqRedriveUsage)
    return 0
  }
  const topology = await ctx.topology()
  const group = topologyGroup(topology, requiredString(values, 'group'))
  const since = optionalString(values, 'since')
  const filter: DlqFilter = { errorCode: optionalString(values, 'error-code'), key: optionalString(values, 'key') }
  if (since !== undefined) filter.sinceMs = isoTime(since, '--since')
  const ratePerSecond = positiveNumber(values, 'rate', 50)
  const maxFailureRatio = positiveNumber(values, 'max-failure-ratio', 0.5)
  const max = values.max === undefined ? undefined : wholeNumber(values, 'max', 1)
  const timeoutMs = duration(optionalString(values, 'timeout') ?? '1h')
  const { kafka, admin } = await ctx.kafka()
  if (values['dry-run'] === true) {
    const plan = await planRedrive(kafka, admin, { group, filter, max, signal: ctx.signal })
    ctx.io.out(
      `dry run: would redrive ${plan.count} record${plan.count === 1 ? '' : 's'} from ${plan.topic} to ${plan.target}${skipped(plan.duplicates)}; nothing sent`,
    )
    for (const r of plan.sample) ctx.io.out(`  ${r.partition}:${r.offset}  key ${r.key ?? '(none)'}  ${r.errorCode ?? '?'}`)
    if (plan.count > plan.sample.length) ctx.io.out(`  … and ${plan.count - plan.sample.length} more`)
    return 0
  }

  ctx.io.err(
    `redriving ${dlqTopicName(group.name)} → ${retryTopicName(group.name, group.retrySchedule[0] as number)}, at most ${ratePerSecond}/s`,
  )
  const { target, result, audit } = await redriveGroupDlq(kafka, admin, topology, {
    group,
    filter,
    sinceText: since,
    ratePerSecond,
    maxFailureRatio,
    max,
    timeoutMs,
    signal: ctx.signal,
    onProgress: (p) => ctx.io.progress(formatProgress(p)),
  })
  ctx.io.progress('')
  if (audit) ctx.io.out(`audit record on ${topology.auditTopic}: ${JSON.stringify(audit)}`)
  return report(ctx, result, { target, ratio: maxFailureRatio, group: group.name })
}

function report(ctx: OpsContext, r: RedriveResult, { target, ratio, group }: { target: string; ratio: number; group: string }): number {
  const sent = `redrove ${r.redriven} record${r.redriven === 1 ? '' : 's'} to ${target}`
  switch (r.stopped) {
    case 'done':
    case 'max':
      ctx.io.out(
        `${sent}${skipped(r.duplicates)}${r.stopped === 'max' ? ' (--max reached; run again for more)' : ''}; ${r.arrivals} new in the DLQ meanwhile`,
      )
      return 0
    case 'failing':
      ctx.io.err(
        `stopped: ${sent}, and ${r.arrivals} new records arrived in the DLQ meanwhile (more than ${ratio} of them): they are failing again. Fix the cause, then redrive again; what was redriven is remembered.`,
      )
      return 1
    case 'timeout':
      ctx.io.err(`stopped at --timeout: ${sent}; run again to continue`)
      return 1
    case 'aborted':
      ctx.io.err(`interrupted: ${sent}; run again to continue`)
      return 1
    case 'state-full':
      ctx.io.err(
        `stopped: ${sent}; the selection is too scattered to remember more in the commit metadata of ${redriveGroupId(group)}: redrive the records in between (fewer filters), then run again`,
      )
      return 1
  }
}

function skipped(duplicates: number): string {
  return duplicates === 0 ? '' : ` (${duplicates} duplicate${duplicates === 1 ? '' : 's'} of an origin already selected skipped)`
}

function formatProgress(p: RedriveProgress): string {
  const width = 30
  const done = p.toExamine === 0 ? width : Math.min(width, Math.round((p.examined / p.toExamine) * width))
  return `[${'#'.repeat(done)}${'.'.repeat(width - done)}] ${p.examined}/${p.toExamine} examined, ${p.redriven} redriven, ${p.arrivals} new in the DLQ`
}

function duration(text: string): number {
  try {
    return parseDuration(text)
  } catch (err) {
    throw new UsageError(`--timeout: ${(err as Error).message}`)
  }
}
