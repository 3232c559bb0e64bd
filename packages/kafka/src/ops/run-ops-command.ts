import { ConfigError } from '@nudj-webhooks/config'
import { opsEnvironmentHelp } from './config.ts'
import { runDlqList } from './dlq-list-command.ts'
import { runDlqRedrive } from './dlq-redrive-command.ts'
import { runDlqShow } from './dlq-show-command.ts'
import { TopologyError } from './load-topology.ts'
import { createOpsContext, type OpsContext } from './ops-context.ts'
import { OpsError, UsageError } from './ops-errors.ts'
import type { OpsIo } from './ops-io.ts'
import { runReplay } from './replay-command.ts'
import { runTopicsDescribe } from './topics-describe-command.ts'
import { runTopicsEnsure } from './topics-ensure-command.ts'

type Command = (argv: string[], ctx: OpsContext) => Promise<number>

// '' is a command without subcommands.
const commands: Record<string, Record<string, Command>> = {
  topics: { ensure: runTopicsEnsure, describe: runTopicsDescribe },
  dlq: { list: runDlqList, show: runDlqShow, redrive: runDlqRedrive },
  replay: { '': runReplay },
}

export const opsUsage = `usage: ops <command> [options]

  topics ensure     create the topology's topics, grow partitions
  topics describe   topics with sizes, groups with state and lag
  dlq list          a group's dead letters
  dlq show          one dead letter, headers and decoded value
  dlq redrive       send dead letters back to the group's first retry topic
  replay            move a stopped group's offsets back (earliest, a time, or offsets)

Run ops <command> --help for its options. Exit status: 0 success, 1 failure, 2 bad usage.

${opsEnvironmentHelp}`

/**
 * The operators' CLI: `argv` is what follows `ops`. Expected failures are one line on
 * standard error, never a stack trace. Answers the exit code.
 */
export async function runOpsCommand(
  argv: string[],
  io: OpsIo,
  env: Record<string, string | undefined>,
  signal: AbortSignal = new AbortController().signal,
): Promise<number> {
  const [first, second, ...rest] = argv
  if (first === undefined || first === '-h' || first === '--help' || first === 'help') {
    ;(first === undefined ? io.err : io.out)(opsUsage)
    return first === undefined ? 2 : 0
  }
  const family = commands[first]
  if (!family) {
    io.err(`ops: unknown command '${first}'\n\n${opsUsage}`)
    return 2
  }
  const single = family['']
  const name = single ? first : `${first} ${second ?? ''}`.trim()
  const command = single ?? (second === undefined ? undefined : family[second])
  if (!command) {
    const known = Object.keys(family).join('|')
    const usage = `usage: ops ${first} <${known}> [options]\n\nRun ops ${first} <${known}> --help for its options.`
    if (second === '-h' || second === '--help') {
      io.out(usage)
      return 0
    }
    io.err(second === undefined ? usage : `ops ${first}: unknown subcommand '${second}'\n\n${usage}`)
    return 2
  }
  const ctx = createOpsContext(io, env, signal)
  try {
    return await command(single ? argv.slice(1) : rest, ctx)
  } catch (err) {
    return report(err, name, io, ctx)
  } finally {
    await ctx.close()
  }
}

function report(err: unknown, name: string, io: OpsIo, ctx: OpsContext): number {
  if (err instanceof UsageError) {
    io.err(`ops ${name}: ${err.message}\n(see ops ${name} --help)`)
    return 2
  }
  if (err instanceof OpsError || err instanceof ConfigError || err instanceof TopologyError) {
    io.err(`ops ${name}: ${err.message}`)
    return 1
  }
  const error = err as Error
  if (typeof error?.name === 'string' && error.name.startsWith('KafkaJS')) {
    const brokers = safeBrokers(ctx)
    const cause = error.cause instanceof Error ? `: ${error.cause.message}` : ''
    io.err(`ops ${name}: Kafka${brokers ? ` at ${brokers}` : ''} failed: ${error.message}${cause}`)
    return 1
  }
  throw err
}

function safeBrokers(ctx: OpsContext): string {
  try {
    return ctx.config().brokers.join(',')
  } catch {
    return ''
  }
}
