// Emails per second to a local Mailpit: nodemailer's pooled SMTP transport (the service's
// configuration) against one connection per email, in the same run, alternating rounds.
import { mkdir, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { normalizeNudjWebhook } from '@nudj-webhooks/contracts'
import { createMailer } from '../../services/email/src/create-mailer.ts'
import { createFormatters } from '../../services/email/src/templates/create-formatters.ts'
import { readEventFacts } from '../../services/email/src/templates/event-facts.ts'
import { renderEmail } from '../../services/email/src/templates/render-email.ts'
import { sampleEvents } from '../../services/email/src/templates/sample-events.ts'
import { describeMachine } from '../ingest/describe-machine.ts'
import { measureSends, type SendFigures } from './measure-sends.ts'
import { startBenchMailpit } from './start-bench-mailpit.ts'

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..')
const resultsFile = join(repoRoot, 'bench', 'results', 'email.json')

const { values } = parseArgs({
  options: {
    emails: { type: 'string', default: '2000' },
    rounds: { type: 'string', default: '3' },
    concurrency: { type: 'string', default: '5' },
    'timeout-s': { type: 'string', default: '60' },
    help: { type: 'boolean', default: false },
  },
})
if (values.help) {
  console.log('usage: pnpm bench:email [--emails 2000] [--rounds 3] [--concurrency 5] [--timeout-s 60]')
  process.exit(0)
}
const count = Number(values.emails)
const rounds = Number(values.rounds)
const concurrency = Number(values.concurrency)
const timeoutMs = Number(values['timeout-s']) * 1000

const mailpit = await startBenchMailpit(repoRoot)
try {
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
  const common = { url: mailpit.smtpUrl, poolSize: concurrency, timeoutMs: 10_000, requireTls: false, rejectUnauthorized: true }
  const figures: Record<'pooled' | 'unpooled', SendFigures[]> = { pooled: [], unpooled: [] }
  for (let round = 1; round <= rounds; round += 1) {
    for (const mode of round % 2 === 1 ? (['pooled', 'unpooled'] as const) : (['unpooled', 'pooled'] as const)) {
      const mailer = createMailer({ ...common, pool: mode === 'pooled' })
      const result = await measureSends(mailer, message, { count, concurrency, timeoutMs, label: `${mode}-${round}` })
      await mailer.close()
      figures[mode].push(result)
      console.log(
        `round ${round} ${mode.padEnd(8)} ${String(result.per_s).padStart(6)} emails/s (${result.sent} sent, ${result.failed} failed, ${result.seconds} s)`,
      )
    }
  }
  const median = (list: SendFigures[]): number => [...list].map((f) => f.per_s).sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? 0
  const results = {
    pooled_per_s: median(figures.pooled),
    unpooled_per_s: median(figures.unpooled),
    machine: await describeMachine(),
    date: new Date().toISOString(),
    command: `node bench/email/run.ts --emails ${count} --rounds ${rounds} --concurrency ${concurrency}`,
    method:
      `${count} emails per round to a Mailpit of the benchmark's own on loopback (the stack's binary and settings), ` +
      `${concurrency} senders each waiting for the server's accept before the next; pooled: nodemailer's SMTP pool with ` +
      `${concurrency} connections kept open (the service's transport); unpooled: a new connection (connect, EHLO, MAIL, RCPT, DATA, QUIT) ` +
      `per email. ${rounds} rounds, alternating which mode goes first; the figures are the medians. The message is the ` +
      `reward-delivered template (${Buffer.byteLength(rendered.html) + Buffer.byteLength(rendered.text)} bytes of HTML and text), rendered once.`,
    rounds: figures,
  }
  await mkdir(dirname(resultsFile), { recursive: true })
  await writeFile(resultsFile, `${JSON.stringify(results, null, 2)}\n`)
  console.log(`pooled ${results.pooled_per_s} emails/s, unpooled ${results.unpooled_per_s} emails/s (medians) → ${resultsFile}`)
} finally {
  await mailpit.stop()
}
