import { mkdir } from 'node:fs/promises'
import { join } from 'node:path'
import type { StackConfig } from '../config.ts'
import { pathExists } from './path-exists.ts'
import { hasCommand, runCommand } from './run-command.ts'
import { isHttpOk, type Server } from './server.ts'

/**
 * Mailpit: a real SMTP server with an inbox REST API (`/api/v1/messages`), the same
 * program that docker-compose.yml runs from its image. Built once with `go install`
 * (pure Go; the web UI's assets are absent from a source build, SMTP and the API work).
 */
export function createSmtpServer(config: StackConfig): Server {
  const { version, smtpPort, httpPort } = config.smtp
  const bin = join(config.artifactsDir, `mailpit-${version}`)
  const mailpit = join(bin, 'mailpit')

  return {
    name: 'smtp',
    address: `smtp://127.0.0.1:${smtpPort}, inbox API http://127.0.0.1:${httpPort}/api/v1`,
    ports: [smtpPort, httpPort],
    async prepare() {
      if (await pathExists(mailpit)) return
      if (!(await hasCommand('go', 'version'))) {
        throw new Error('Go is needed once to build Mailpit (the SMTP server); install Go 1.24+ or use Docker (STACK_MODE=docker).')
      }
      await mkdir(bin, { recursive: true })
      await runCommand('go', ['install', `github.com/axllent/mailpit@${version}`], { env: { GOBIN: bin } })
    },
    launch: async () => ({
      command: mailpit,
      args: [
        '--smtp',
        `127.0.0.1:${smtpPort}`,
        '--listen',
        `127.0.0.1:${httpPort}`,
        '--disable-version-check',
        '--max',
        '20000',
        '--smtp-auth-accept-any',
        '--smtp-auth-allow-insecure',
      ],
    }),
    isHealthy: async () => await isHttpOk(`http://127.0.0.1:${httpPort}/livez`),
  }
}
