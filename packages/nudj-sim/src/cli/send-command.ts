import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { parseDuration } from '@nudj-webhooks/config'
import { runSend, type SendOptions } from '../run-send.ts'
import { formatProgress, formatSendReport } from '../send-report.ts'
import { UsageError, type CommandIo } from '@nudj-webhooks/nudj-admin'

export const sendUsage = `usage: nudj-sim send --url URL [options]

Sends a realistic, mixed stream of Nudj webhooks of both generations, the way Nudj
delivers them, and prints a report.

  --url URL             the receiver (required)
  --count N             events to send (default 1000); redeliveries and bad requests come on top
  --rate R              requests per second (default 100)
  --concurrency C       deliveries open at once (default 50)
  --gen1-share F        share of gen-1 traffic, 0 to 1 (default 0.5)
  --duplicates F        share of events delivered again later, same delivery id (default 0.02)
  --reorder F           share of events sent out of order (default 0.05)
  --bad F               share of extra bad requests: wrong secret, tampered body, missing
                        headers, oversize, not JSON, wrong media type (default 0)
  --timeout D           per-attempt timeout for both generations (default 10s gen-1, 30s gen-2)
  --gen2-scheme S       how gen-2 traffic is signed: hmac (X-Nudj-Signature, default) or
                        standard-webhooks (webhook-id/-timestamp/-signature; the secret is
                        whsec_ followed by a base64 key)
  --seed N              the same seed sends the same stream (default 1)
  --json                print the final report as JSON on standard output
  -h, --help

Credentials come from the environment or files, never the command line:
  NUDJ_SIM_SECRET or --secret-file F        the gen-2 HMAC secret (X-Nudj-Signature)
  NUDJ_SIM_GEN1_TOKEN or --gen1-token-file F the gen-1 token, sent as Authorization: Bearer

Exit status: 0 when every good delivery was acknowledged, 1 when some were not, 2 for bad usage.`

export type SendIo = CommandIo & {
  /** The live progress line; a terminal rewrites it in place. */
  progress: (line: string) => void
}

/** `nudj-sim send`; argv starts after `send`. Answers the exit code. */
export async function runSendCommand(
  argv: string[],
  io: SendIo,
  env: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<number> {
  let options: SendOptions
  let json: boolean
  try {
    const parsed = await parseSendArgs(argv, env)
    if (parsed === 'help') {
      io.out(sendUsage)
      return 0
    }
    ;({ options, json } = parsed)
  } catch (err) {
    if (!(err instanceof UsageError)) throw err
    io.err(`nudj-sim send: ${err.message}\nRun nudj-sim send --help for the options.`)
    return 2
  }

  const report = await runSend({ ...options, signal, onProgress: (r) => io.progress(formatProgress(r, options.count)) })
  io.progress('')
  if (json) io.out(JSON.stringify(report, null, 2))
  else io.out(formatSendReport(report))
  const goodFailures = report.deliveries.sent - report.bad.sent - (report.deliveries.acknowledged - report.bad.acknowledged)
  return goodFailures === 0 ? 0 : 1
}

async function parseSendArgs(
  argv: string[],
  env: Record<string, string | undefined>,
): Promise<'help' | { options: SendOptions; json: boolean }> {
  let values
  try {
    ;({ values } = parseArgs({
      args: argv,
      options: {
        url: { type: 'string' },
        count: { type: 'string', default: '1000' },
        rate: { type: 'string', default: '100' },
        concurrency: { type: 'string', default: '50' },
        'gen1-share': { type: 'string', default: '0.5' },
        duplicates: { type: 'string', default: '0.02' },
        reorder: { type: 'string', default: '0.05' },
        bad: { type: 'string', default: '0' },
        timeout: { type: 'string' },
        'gen2-scheme': { type: 'string', default: 'hmac' },
        seed: { type: 'string', default: '1' },
        json: { type: 'boolean', default: false },
        'secret-file': { type: 'string' },
        'gen1-token-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }))
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
  if (values.help) return 'help'
  const problems: string[] = []
  const number = (name: string, text: string, check: (n: number) => boolean, rule: string): number => {
    const n = Number(text)
    if (!Number.isFinite(n) || !check(n)) problems.push(`--${name} must be ${rule}, got '${text}'`)
    return n
  }
  const whole = (n: number): boolean => Number.isInteger(n) && n > 0
  const share = (n: number): boolean => n >= 0 && n <= 1
  const url = values.url ?? ''
  if (!url) problems.push('--url is required')
  else if (!/^https?:\/\//.test(url)) problems.push(`--url must be an http(s) URL, got '${url}'`)
  const count = number('count', values.count, whole, 'a positive whole number')
  const rate = number('rate', values.rate, (n) => n > 0, 'a positive number')
  const concurrency = number('concurrency', values.concurrency, whole, 'a positive whole number')
  const gen1Share = number('gen1-share', values['gen1-share'], share, 'between 0 and 1')
  const duplicates = number('duplicates', values.duplicates, share, 'between 0 and 1')
  const reorder = number('reorder', values.reorder, share, 'between 0 and 1')
  const bad = number('bad', values.bad, share, 'between 0 and 1')
  const seed = number('seed', values.seed, Number.isInteger, 'a whole number')
  const gen2Scheme: 'gen2-hmac' | 'standard-webhooks' = values['gen2-scheme'] === 'standard-webhooks' ? 'standard-webhooks' : 'gen2-hmac'
  if (values['gen2-scheme'] !== 'hmac' && values['gen2-scheme'] !== 'standard-webhooks') {
    problems.push(`--gen2-scheme must be hmac or standard-webhooks, got '${values['gen2-scheme']}'`)
  }
  let timeoutMs: SendOptions['timeoutMs']
  if (values.timeout) {
    try {
      const ms = parseDuration(values.timeout)
      timeoutMs = { gen1: ms, gen2: ms }
    } catch (err) {
      problems.push(`--timeout: ${(err as Error).message}`)
    }
  }
  // Each generation's credential is needed only when that generation is sent.
  const secret =
    gen1Share < 1
      ? await credential(
          values['secret-file'],
          env.NUDJ_SIM_SECRET,
          'the gen-2 secret: set NUDJ_SIM_SECRET or pass --secret-file',
          problems,
        )
      : undefined
  const gen1Token =
    gen1Share > 0
      ? await credential(
          values['gen1-token-file'],
          env.NUDJ_SIM_GEN1_TOKEN,
          'the gen-1 token: set NUDJ_SIM_GEN1_TOKEN or pass --gen1-token-file',
          problems,
        )
      : undefined
  if (problems.length > 0) throw new UsageError(problems.join('\n  '))
  const receiver = {
    url,
    secret: secret ?? '',
    gen2Scheme,
    gen1Headers: { Authorization: `Bearer ${gen1Token ?? ''}`, 'X-Webhook-Source': 'nudj-platform' },
  }
  return { options: { receiver, count, rate, concurrency, gen1Share, duplicates, reorder, bad, seed, timeoutMs }, json: values.json }
}

async function credential(
  file: string | undefined,
  fromEnv: string | undefined,
  missing: string,
  problems: string[],
): Promise<string | undefined> {
  if (file) {
    try {
      return (await readFile(file, 'utf8')).trim()
    } catch (err) {
      problems.push(`cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`)
      return undefined
    }
  }
  if (fromEnv) return fromEnv
  problems.push(`missing ${missing}`)
  return undefined
}
