import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { freePort, loadStackConfig, waitFor } from '@nudj-webhooks/testing'
import { repoRoot } from './repo-root.ts'

export type OwnMailpit = {
  smtpUrl: string
  apiUrl: string
  pid: () => number | undefined
  logLines: string[]
  stop: () => Promise<void>
}

/**
 * A Mailpit of the suite's own (the stack's binary), keeping every message (`--max 0`) in a
 * database file under `dir`, so a long run loses none and the shared inbox is untouched.
 */
export async function startOwnMailpit(dir: string): Promise<OwnMailpit> {
  const config = loadStackConfig(repoRoot)
  const binary = join(config.artifactsDir, `mailpit-${config.smtp.version}`, 'mailpit')
  const [smtpPort, httpPort] = [await freePort(), await freePort()]
  const args = ['--smtp', `127.0.0.1:${smtpPort}`, '--listen', `127.0.0.1:${httpPort}`, '--disable-version-check', '--max', '0']
  args.push('--database', join(dir, 'mailpit.db'), '--smtp-auth-accept-any', '--smtp-auth-allow-insecure')
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] })
  const logLines: string[] = []
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8')
    stream.on('data', (chunk: string) => logLines.push(...chunk.split('\n').filter((l) => l !== '')))
  }
  const apiUrl = `http://127.0.0.1:${httpPort}`
  await waitFor(
    async () => {
      if (child.exitCode !== null) throw new Error(`mailpit (${binary}) exited with ${child.exitCode}`)
      return (await fetch(`${apiUrl}/livez`).catch(() => undefined))?.ok === true
    },
    { timeoutMs: 15_000, message: `mailpit did not start from ${binary}` },
  )
  return {
    smtpUrl: `smtp://127.0.0.1:${smtpPort}`,
    apiUrl,
    pid: () => child.pid,
    logLines,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}

/** How many messages carry each Message-ID (without the angle brackets), read page by page. */
export async function countMessageIds(apiUrl: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  const limit = 1000
  for (let start = 0; ; start += limit) {
    const response = await fetch(`${apiUrl}/api/v1/messages?start=${start}&limit=${limit}`, { signal: AbortSignal.timeout(60_000) })
    if (!response.ok) throw new Error(`mailpit answered ${response.status} to the message list`)
    const page = (await response.json()) as { messages: { MessageID: string }[]; total: number }
    for (const m of page.messages) counts.set(m.MessageID, (counts.get(m.MessageID) ?? 0) + 1)
    if (page.messages.length < limit || start + limit >= page.total) break
  }
  return counts
}
