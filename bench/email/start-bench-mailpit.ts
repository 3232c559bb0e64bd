import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { freePort, loadStackConfig, waitFor } from '@nudj-webhooks/testing'

/** A Mailpit of the benchmark's own (the stack's binary, its settings), so the shared inbox is untouched. */
export async function startBenchMailpit(
  repoRoot: string,
  extraArgs: string[] = [],
): Promise<{ smtpUrl: string; apiUrl: string; stop: () => Promise<void> }> {
  const config = loadStackConfig(repoRoot)
  const binary = join(config.artifactsDir, `mailpit-${config.smtp.version}`, 'mailpit')
  const [smtpPort, httpPort] = [await freePort(), await freePort()]
  const child = spawn(
    binary,
    [
      '--smtp',
      `127.0.0.1:${smtpPort}`,
      '--listen',
      `127.0.0.1:${httpPort}`,
      '--disable-version-check',
      '--max',
      '20000',
      '--smtp-auth-accept-any',
      '--smtp-auth-allow-insecure',
      ...extraArgs,
    ],
    { stdio: 'ignore' },
  )
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
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}
