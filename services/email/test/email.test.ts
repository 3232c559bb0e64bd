import { createMailpitInbox, uniqueName, waitFor } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import { messageIdFor } from '../src/message-id.ts'
import { gen2, startTestEmail, type TestEmail } from './email-harness.ts'
import { routedCases } from './routed-cases.ts'

const infra = inject('infra')
const inbox = createMailpitInbox(infra.mailApiUrl)
const run = uniqueName('r').replace(/_/g, '-')
const address = (who: string): string => `${who}.${run}@example.com`
const { cases, routes, support, user, reward } = routedCases(run)

async function headersOf(id: string): Promise<Record<string, string[]>> {
  const response = await fetch(new URL(`/api/v1/message/${id}/headers`, infra.mailApiUrl))
  return (await response.json()) as Record<string, string[]>
}

let email: TestEmail
beforeAll(async () => {
  email = await startTestEmail(infra, { routes })
})
afterAll(async () => await email?.close())

describe('email service against Mailpit and Postgres', () => {
  it('sends each routed event exactly one correct email despite duplicate deliveries and a consumer restart', async () => {
    const id = (c: (typeof cases)[number]): string => `wh-${run}-${c.id}`
    // Every webhook delivered twice before the restart and once more after it.
    for (const c of cases) await email.send(c.body, id(c))
    for (const c of cases) await email.send(c.body, id(c))
    for (const c of cases) await inbox.waitForMessages(`to:"${c.to}"`, 1, 20_000)
    await email.restart()
    for (const c of cases) await email.send(c.body, id(c))
    await waitFor(async () => (await email.metric('webhooks_consumer_messages_total', 'outcome="duplicate"')) >= cases.length, {
      timeoutMs: 30_000,
      message: 'the redeliveries after the restart were not all seen as duplicates',
    })
    for (const c of cases) {
      const found = await inbox.search(`to:"${c.to}"`)
      expect(found, c.id).toHaveLength(1)
      const message = await inbox.message(found[0]!.ID)
      expect(message.Subject, c.id).toBe(c.subject)
      expect(
        message.To.map((t) => t.Address),
        c.id,
      ).toEqual([c.to])
      expect(message.Text, c.id).toContain(c.text)
      expect(message.HTML, c.id).toContain(c.html)
      expect(message.HTML, c.id).not.toContain('<script>')
      expect(`<${message.MessageID}>`, c.id).toBe(messageIdFor(id(c), 'email.nudj-webhooks.local'))
      const headers = await headersOf(found[0]!.ID)
      if (c.to === support) expect(headers['List-Unsubscribe'], c.id).toBeUndefined()
      else expect(headers['List-Unsubscribe']?.[0], c.id).toBe('<mailto:unsubscribe@nudj.example?subject=unsubscribe>')
    }
    const { rows } = await email.pool.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM email_sends WHERE consumer_group = $1 GROUP BY state',
      [email.group],
    )
    expect(rows).toEqual([{ state: 'sent', n: cases.length }])
  })

  it('leaves a disabled route alone', async () => {
    await email.send(gen2('reward.expired', { ...user('expired'), reward }), `wh-${run}-expired`)
    await waitFor(async () => (await email.metric('webhooks_consumer_messages_total', 'outcome="skipped"')) >= 1, { timeoutMs: 20_000 })
    expect(await inbox.search(`to:"${address('expired')}"`)).toHaveLength(0)
  })
})
