// A Mailpit of the test's own (the stack's binary) on given ports, with its chaos feature
// on: SMTP replies the test chooses, without disturbing the shared inbox.
import { spawn } from 'node:child_process'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freePort, loadStackConfig, waitFor } from '@nudj-webhooks/testing'

export type OwnMailpit = {
  smtpUrl: string
  apiUrl: string
  /** Every RCPT TO is answered `code` with this probability (0 turns it off). */
  failRecipients: (code: number, probability: number) => Promise<void>
  stop: () => Promise<void>
}

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url))

export async function startOwnMailpit(smtpPort: number, extraArgs: string[] = []): Promise<OwnMailpit> {
  const config = loadStackConfig(repoRoot)
  const binary = join(config.artifactsDir, `mailpit-${config.smtp.version}`, 'mailpit')
  const httpPort = await freePort()
  const child = spawn(
    binary,
    [
      '--smtp',
      `127.0.0.1:${smtpPort}`,
      '--listen',
      `127.0.0.1:${httpPort}`,
      '--enable-chaos',
      '--disable-version-check',
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
    async failRecipients(code, probability) {
      const response = await fetch(`${apiUrl}/api/v1/chaos`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ Recipient: { ErrorCode: code, Probability: probability } }),
      })
      if (!response.ok) throw new Error(`mailpit chaos answered ${response.status}: ${await response.text()}`)
    },
    async stop() {
      if (child.exitCode !== null) return
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGTERM')
      await exited
    },
  }
}
