import { parseArgs } from 'node:util'
import { createAdminStandIn } from '../admin-stand-in.ts'
import { emitSimulatedEvents } from '../emit-simulated-events.ts'
import type { CommandIo } from '@nudj-webhooks/nudj-admin'

const usage = `usage: nudj-sim stand-in [--port N] [--emit-rate R] [--seed N]

Serves a local stand-in of Nudj's Admin API for webhooks (GET/PUT /webhooks/configs,
GET /webhooks/logs) on 127.0.0.1 until SIGINT or SIGTERM.

  --port N        8090 by default; 0 picks a free port
  --emit-rate R   also play the platform: R simulated events per second (both
                  generations), each delivered to the configs subscribed to it, with
                  Nudj's headers and retries, and written to the delivery log (default 0)
  --seed N        the simulated world's seed (default 1)
The accepted tokens are read from NUDJ_ADMIN_TOKEN (several may be given, comma-separated).`

/**
 * `nudj-sim stand-in`: runs until SIGINT/SIGTERM or until `signal` aborts (tests), then answers
 * the exit code.
 */
export async function runStandInCommand(
  argv: string[],
  io: CommandIo,
  env: Record<string, string | undefined>,
  signal?: AbortSignal,
): Promise<number> {
  let values: { port: string; 'emit-rate': string; seed: string; help?: boolean }
  try {
    values = parseArgs({
      args: argv,
      options: {
        port: { type: 'string', default: '8090' },
        'emit-rate': { type: 'string', default: '0' },
        seed: { type: 'string', default: '1' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }).values
  } catch (error) {
    io.err(`nudj-sim stand-in: ${(error as Error).message}\n(see nudj-sim stand-in --help)`)
    return 2
  }
  if (values.help) {
    io.out(usage)
    return 0
  }
  const port = Number(values.port)
  if (!/^\d+$/.test(values.port) || port > 65535) {
    io.err(`nudj-sim stand-in: --port must be a port number from 0 to 65535, got '${values.port}'`)
    return 2
  }
  const emitRate = Number(values['emit-rate'])
  const seed = Number(values.seed)
  if (!Number.isFinite(emitRate) || emitRate < 0 || !Number.isInteger(seed)) {
    io.err(`nudj-sim stand-in: --emit-rate must be a number of events per second (0 or more) and --seed a whole number`)
    return 2
  }
  const tokens = (env.NUDJ_ADMIN_TOKEN ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '')
  if (tokens.length === 0) {
    io.err('nudj-sim stand-in: set NUDJ_ADMIN_TOKEN to the token(s) the stand-in accepts')
    return 2
  }

  let standIn: Awaited<ReturnType<typeof createAdminStandIn>>
  try {
    standIn = await createAdminStandIn({ tokens, port })
  } catch (error) {
    io.err(`nudj-sim stand-in: cannot listen on 127.0.0.1:${port}: ${(error as Error).message}`)
    return 1
  }
  io.out(`nudj-sim stand-in: Admin API on ${standIn.url}`)
  const stop = new AbortController()
  let emitting: Promise<number> | undefined
  if (emitRate > 0) {
    io.out(`nudj-sim stand-in: emitting ${emitRate} events/s to the configured receivers`)
    emitting = emitSimulatedEvents(standIn, { rate: emitRate, seed, signal: stop.signal })
  }
  await stopRequested(signal)
  stop.abort()
  if (emitting) io.out(`nudj-sim stand-in: emitted ${await emitting} events`)
  await standIn.close()
  io.out('nudj-sim stand-in: stopped')
  return 0
}

function stopRequested(signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      signal?.removeEventListener('abort', stop)
      resolve()
    }
    process.once('SIGINT', stop)
    process.once('SIGTERM', stop)
    if (signal?.aborted) stop()
    else signal?.addEventListener('abort', stop, { once: true })
  })
}
