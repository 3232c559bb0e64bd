import { EmailError } from './email-error.ts'

// nodemailer's codes for a connection that could not be made or was lost mid-way.
const connectionCodes = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ETLS', 'ECONNREFUSED', 'ECONNRESET', 'EPIPE'])

/** Whether the SMTP server gave a definite answer (so the message was certainly not accepted). */
export function isDefiniteRefusal(err: EmailError): boolean {
  return err.code === 'SMTP_TRANSIENT' || err.code === 'SMTP_REJECTED'
}

/** The connection was refused outright: nothing of the message can have reached the server. */
export function neverConnected(err: unknown): boolean {
  const e = err as { code?: unknown; originalCode?: unknown; message?: unknown }
  return (
    e.code === 'ECONNREFUSED' || e.originalCode === 'ECONNREFUSED' || (typeof e.message === 'string' && e.message.includes('ECONNREFUSED'))
  )
}

/**
 * What an SMTP failure means for the runtime:
 * - a 4xx reply (greylisting, mailbox busy, rate limit): SMTP_TRANSIENT, retried → retry topics;
 * - a 5xx reply (unknown mailbox, policy): SMTP_REJECTED, fatal, with the reply → DLQ;
 * - a connection failure or timeout: `serverAnswers()` (a fresh connection to the server)
 *   decides: it answers → SMTP_CONNECTION_LOST, retried (this message's bad luck);
 *   it does not → SMTP_DOWN, down, which pauses the group until it is back;
 * - authentication refused: SMTP_AUTH_FAILED, down for everyone (every send would fail);
 * - anything else: SMTP_FAILED, retried.
 */
export async function classifySmtpError(err: unknown, serverAnswers: () => Promise<boolean>): Promise<EmailError> {
  const e = err as { code?: unknown; responseCode?: unknown; response?: unknown; message?: unknown }
  const code = typeof e.code === 'string' ? e.code : undefined
  const reply = typeof e.response === 'string' ? e.response : String(e.message ?? err)
  const options = { cause: err }
  if (code === 'EAUTH' || code === 'ENOAUTH')
    return new EmailError('down', 'SMTP_AUTH_FAILED', `SMTP authentication failed: ${reply}`, options)
  if (typeof e.responseCode === 'number') {
    if (e.responseCode >= 400 && e.responseCode < 500) return new EmailError('retry', 'SMTP_TRANSIENT', `SMTP ${reply}`, options)
    if (e.responseCode >= 500 && e.responseCode < 600) return new EmailError('fatal', 'SMTP_REJECTED', `SMTP ${reply}`, options)
  }
  if (code !== undefined && connectionCodes.has(code)) {
    const answers = await serverAnswers().catch(() => false)
    return answers
      ? new EmailError('retry', 'SMTP_CONNECTION_LOST', `SMTP connection lost (${code}): ${reply}`, options)
      : new EmailError('down', 'SMTP_DOWN', `SMTP server unreachable (${code}): ${reply}`, options)
  }
  return new EmailError('retry', 'SMTP_FAILED', `SMTP send failed${code ? ` (${code})` : ''}: ${reply}`, options)
}
