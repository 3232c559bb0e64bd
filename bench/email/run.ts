import { startDisposableMailpit } from '@nudj-webhooks/testing'
// Emails per second to a local Mailpit: nodemailer's pooled SMTP transport (the service's
// configuration) against one connection per email, in the same run, alternating rounds;
// over plain SMTP (the headline figures) and over STARTTLS.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { normalizeNudjWebhook } from '@nudj-webhooks/contracts'
import { createMailer, type OutgoingEmail } from '../../services/email/src/create-mailer.ts'
import { createFormatters } from '../../services/email/src/templates/create-formatters.ts'
import { readEventFacts } from '../../services/email/src/templates/event-facts.ts'
import { renderEmail } from '../../services/email/src/templates/render-email.ts'
import { sampleEvents } from '../../services/email/src/templates/sample-events.ts'
import { describeMachine } from '../ingest/describe-machine.ts'
import { measureSends, type SendFigures } from './measure-sends.ts'
import { selfSignedCert } from './self-signed-cert.ts'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

const { values } = parseArgs({
  options: {
    emails: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '5' },
    'timeout-s': { type: 'string', default: '60' },
    'no-tls': { type: 'boolean', default: false },
    out: { type: 'string', default: join(repoRoot, 'bench', 'results', 'email.json') },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  console.log(
    'usage: pnpm bench:email [--emails 2000] [--rounds 3] [--concurrency 5] [--timeout-s 60] [--no-tls] [--out bench/results/email.json]',
  )
  process.exit(0)
}
const count = Number(values.emails)
const rounds = Number(values.rounds)
const concurrency = Number(values.concurrency)
const timeoutMs = Number(values['timeout-s']) * 1000

type Scenario = { pooled: SendFigures[]; unpooled: SendFigures[]; pooled_per_s: number; unpooled_per_s: number }
const median = (list: SendFigures[]): number => [...list].map((f) => f.per_s).sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0

async function measureScenario(name: string, mailpitArgs: string[], tls: boolean, message: OutgoingEmail): Promise<Scenario> {
  const mailpit = await startDisposableMailpit({ args: mailpitArgs })
  try {
    // STARTTLS with the throwaway certificate: required by the client, not verified (it is self-signed).
    const common = { url: mailpit.smtpUrl, poolSize: concurrency, timeoutMs: 10_000, requireTls: tls, rejectUnauthorized: !tls }
    const figures: Record<'pooled' | 'unpooled', SendFigures[]> = { pooled: [], unpooled: [] }
    for (let round = 1; round <= rounds; round += 1) {
      for (const mode of round % 2 === 1 ? (['pooled', 'unpooled'] as const) : (['unpooled', 'pooled'] as const)) {
        const mailer = createMailer({ ...common, pool: mode === 'pooled' })
        const result = await measureSends(mailer, message, { count, concurrency, timeoutMs, label: `${name}-${mode}-${round}` })
        await mailer.close()
        figures[mode].push(result)
        console.log(
          `${name} round ${round} ${mode.padEnd(8)} ${String(result.per_s).padStart(6)} emails/s (${result.sent} sent, ${result.failed} failed, ${result.seconds} s)`,
        )
      }
    }
    return { ...figures, pooled_per_s: median(figures.pooled), unpooled_per_s: median(figures.unpooled) }
  } finally {
    await mailpit.stop()
  }
}

// One realistic message (the reward-delivered template), rendered once: the figures are SMTP only.
const rendered = await renderEmail(
  'reward-delivered',
  {
    facts: readEventFacts(normalizeNudjWebhook(JSON.stringify(sampleEvents['reward-delivered']), {})),
    format: createFormatters('en-GB'),
    name: 'Ada',
  },
  'footer',
)
const message = {
  from: 'Nudj <no-reply@nudj.example>',
  to: 'bench@example.com',
  ...rendered,
  messageId: '',
  headers: { 'List-Unsubscribe': '<mailto:u@nudj.example>' },
}
const plain = await measureScenario('plain', [], false, message)
let starttls: Scenario | undefined
if (!values['no-tls']) {
  const cert = await selfSignedCert()
  starttls = await measureScenario('starttls', ['--smtp-tls-cert', cert.certFile, '--smtp-tls-key', cert.keyFile], true, message)
}
const results = {
  pooled_per_s: plain.pooled_per_s,
  unpooled_per_s: plain.unpooled_per_s,
  starttls: starttls && { pooled_per_s: starttls.pooled_per_s, unpooled_per_s: starttls.unpooled_per_s },
  machine: await describeMachine(),
  date: new Date().toISOString(),
  command: `node bench/email/run.ts --emails ${count} --rounds ${rounds} --concurrency ${concurrency}${values['no-tls'] ? ' --no-tls' : ''}`,
  method:
    `${count} emails per round to a Mailpit of the benchmark's own on loopback (the stack's binary and settings), ` +
    `${concurrency} senders each waiting for the server's accept before the next; pooled: nodemailer's SMTP pool with ` +
    `${concurrency} connections kept open (the service's transport); unpooled: a new connection (connect, EHLO, MAIL, RCPT, DATA, QUIT) ` +
    `per email. ${rounds} rounds, alternating which mode goes first; the figures are the medians. pooled_per_s/unpooled_per_s: ` +
    `plain SMTP; starttls: the same with STARTTLS required (a self-signed RSA-2048 certificate, a TLS handshake per new connection). ` +
    `The message is the reward-delivered template (${Buffer.byteLength(rendered.html) + Buffer.byteLength(rendered.text)} bytes of HTML and text), rendered once.`,
  rounds: {
    plain: { pooled: plain.pooled, unpooled: plain.unpooled },
    starttls: starttls && { pooled: starttls.pooled, unpooled: starttls.unpooled },
  },
}
await mkdir(dirname(values.out), { recursive: true })
await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`)
console.log(
  `plain: pooled ${plain.pooled_per_s}, unpooled ${plain.unpooled_per_s} emails/s` +
    (starttls ? `; starttls: pooled ${starttls.pooled_per_s}, unpooled ${starttls.unpooled_per_s} emails/s` : '') +
    ` (medians) → ${values.out}`,
)
