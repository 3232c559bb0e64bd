import { dispositionOf } from '@nudj-webhooks/kafka'
import { describe, expect, it } from 'vitest'
import { classifySmtpError, neverConnected } from './classify-smtp-error.ts'

// Shaped like nodemailer's errors (code, responseCode, response), built by hand: no SMTP here.
const smtpError = (fields: { code?: string; responseCode?: number; response?: string; message?: string }): Error =>
  Object.assign(new Error(fields.response ?? fields.message ?? 'failed'), fields)
const answers = async (): Promise<boolean> => true
const silent = async (): Promise<boolean> => false

describe('classifySmtpError', () => {
  it('a 4xx reply is transient: the next retry topic', async () => {
    const err = await classifySmtpError(smtpError({ code: 'EENVELOPE', responseCode: 451, response: '451 4.3.0 try later' }), answers)
    expect(err).toMatchObject({ name: 'EmailError', retryable: true, dependencyDown: false })
    expect(dispositionOf(err)).toMatchObject({ kind: 'retry', code: 'SMTP_TRANSIENT' })
  })

  it('a 5xx reply is permanent: the DLQ, with the reply in the message', async () => {
    const err = await classifySmtpError(smtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 no such mailbox' }), answers)
    expect(err).toMatchObject({ name: 'EmailError', retryable: false, dependencyDown: false })
    expect(dispositionOf(err)).toMatchObject({ kind: 'fatal', code: 'SMTP_REJECTED' })
    expect(err.message).toContain('550 5.1.1 no such mailbox')
  })

  it('a lost connection to a server that still answers is this message’s bad luck: retried', async () => {
    const err = await classifySmtpError(smtpError({ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }), answers)
    expect(dispositionOf(err)).toMatchObject({ kind: 'retry', code: 'SMTP_CONNECTION_LOST' })
  })

  it('a server nobody can reach pauses the group', async () => {
    for (const code of ['ECONNECTION', 'ETIMEDOUT', 'ESOCKET']) {
      const err = await classifySmtpError(smtpError({ code, message: 'connect ECONNREFUSED 127.0.0.1:1' }), silent)
      expect(err).toMatchObject({ name: 'EmailError', retryable: true, dependencyDown: true })
      expect(dispositionOf(err)).toMatchObject({ kind: 'pause', code: 'SMTP_DOWN' })
    }
  })

  it('refused authentication fails every send alike: pause', async () => {
    const err = await classifySmtpError(smtpError({ code: 'EAUTH', responseCode: 535, response: '535 bad credentials' }), answers)
    expect(dispositionOf(err)).toMatchObject({ kind: 'pause', code: 'SMTP_AUTH_FAILED' })
  })

  it('anything else is retried', async () => {
    expect(dispositionOf(await classifySmtpError(new Error('odd'), answers))).toMatchObject({ kind: 'retry', code: 'SMTP_FAILED' })
  })

  it('knows a refused connection never carried the message, unlike a lost one', () => {
    expect(neverConnected(smtpError({ code: 'ESOCKET', message: 'connect ECONNREFUSED 127.0.0.1:1' }))).toBe(true)
    expect(neverConnected(smtpError({ code: 'ECONNECTION', message: 'Connection closed unexpectedly' }))).toBe(false)
  })
})
