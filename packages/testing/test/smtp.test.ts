import nodemailer from 'nodemailer'
import { describe, expect, inject, it } from 'vitest'
import { createMailpitInbox, uniqueName } from '../src/index.ts'

const infra = inject('infra')

describe('smtp with an inbox API', () => {
  it('delivers an email sent with nodemailer, read back from the inbox', async () => {
    const transport = nodemailer.createTransport({ url: infra.smtpUrl })
    const subject = `Proof ${uniqueName('mail')}`
    try {
      await transport.sendMail({
        from: 'Nudj Webhooks <noreply@example.test>',
        to: 'player@example.test',
        subject,
        text: 'You earned a reward.',
        html: '<p>You earned a <b>reward</b>.</p>',
        messageId: `<${subject.replace(/\W/g, '')}@nudj-webhooks.test>`,
      })
    } finally {
      transport.close()
    }
    const inbox = createMailpitInbox(infra.mailApiUrl)
    const [summary] = await inbox.waitForMessages(`subject:"${subject}"`)
    const message = await inbox.message(summary!.ID)
    expect(message.Subject).toBe(subject)
    expect(message.To.map((t) => t.Address)).toEqual(['player@example.test'])
    expect(message.Text.trim()).toBe('You earned a reward.')
    expect(message.HTML).toContain('<b>reward</b>')
  })
})
