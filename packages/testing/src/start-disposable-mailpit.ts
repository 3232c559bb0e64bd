import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { loadStackConfig } from './config.ts'
import { freePort } from './free-port.ts'
import { repoRoot } from './repo-root.ts'
import { waitFor } from './wait-for.ts'

export type DisposableMailpit = {
  smtpUrl: string
  /** Mailpit's REST API root (`GET /api/v1/messages`). */
  apiUrl: string
  pid: () => number | undefined
  /** What Mailpit wrote to stdout and stderr. */
  logLines: string[]
  /** Mailpit's chaos feature: every RCPT TO is answered `code` with this probability (0 turns it off). */
  failRecipients: (code: number, probability: number) => Promise<void>
  stop: () => Promise<void>
}

export type DisposableMailpitOptions = {
  /** Default: a free port. A test that restarts Mailpit on the same port passes its own. */
  smtpPort?: number
  /** Keeps the messages in this file; default: Mailpit's temporary database. */
  databaseFile?: string
  /** Extra command-line options, e.g. `--smtp-tls-cert` and `--smtp-tls-key`. */
  args?: string[]
}

/**
 * A Mailpit of a test's or a benchmark's own (the binary `pnpm stack up` built), on
 * loopback, keeping every message and with its chaos feature on, so that SMTP failures can
 * be chosen without touching the shared inbox.
 */
export async function startDisposableMailpit(options: DisposableMailpitOptions = {}): Promise<DisposableMailpit> {
  const config = loadStackConfig(repoRoot)
  const binary = join(config.artifactsDir, `mailpit-${config.smtp.version}`, 'mailpit')
  const smtpPort = options.smtpPort ?? (await freePort())
  const httpPort = await freePort()
  const args = ['--smtp', `127.0.0.1:${smtpPort}`, '--listen', `127.0.0.1:${httpPort}`, '--max', '0', '--enable-chaos']
  args.push('--disable-version-check', '--smtp-auth-accept-any', '--smtp-auth-allow-insecure')
  if (options.databaseFile) args.push('--database', options.databaseFile)
  const child = spawn(binary, [...args, ...(options.args ?? [])], { stdio: ['ignore', 'pipe', 'pipe'] })
  const logLines: string[] = []
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => logLines.push(...chunk.split('\n').filter((line) => line !== '')))
  }
  const apiUrl = `http://127.0.0.1:${httpPort}`
  await waitFor(
    async () => {
      if (child.exitCode !== null)
        throw new Error(`mailpit (${binary}) exited with ${child.exitCode}: is the stack's Mailpit built (pnpm stack up smtp)?`)
      return (await fetch(`${apiUrl}/livez`).catch(() => undefined))?.ok === true
    },
    { timeoutMs: 15_000, message: `mailpit did not start from ${binary}` },
  )
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    apiUrl,
    pid: () => child.pid,
    logLines,
    async failRecipients(code, probability) {
      const response = await fetch(`${apiUrl}/api/v1/chaos`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ Recipient: { ErrorCode: code, Probability: probability } }),
      })
      if (!response.ok) throw new Error(`mailpit chaos answered ${response.status}: ${await response.text()}`)
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}
