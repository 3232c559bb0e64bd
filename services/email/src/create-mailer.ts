import nodemailer from 'nodemailer'

export type MailerOptions = {
  url: string
  /** Pooled connections; `pool: false` opens one connection per email (the benchmark's baseline). */
  pool: boolean
  poolSize: number
  timeoutMs: number
  requireTls: boolean
  rejectUnauthorized: boolean
  servername?: string
}

export type OutgoingEmail = {
  from: string
  to: string
  subject: string
  html: string
  text: string
  messageId: string
  headers: Record<string, string>
}

export type Mailer = {
  /** Resolves with the server's reply once it accepted the message; rejects with nodemailer's error. */
  send: (email: OutgoingEmail) => Promise<{ response: string }>
  /** A fresh connection to the server (EHLO, STARTTLS, AUTH): whether it answers now. */
  verify: () => Promise<boolean>
  close: () => Promise<void>
}

/** nodemailer's SMTP transport, pooled, with the TLS settings of the config. */
export function createMailer(options: MailerOptions): Mailer {
  const common = {
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
    requireTLS: options.requireTls,
    tls: { rejectUnauthorized: options.rejectUnauthorized, ...(options.servername ? { servername: options.servername } : {}) },
  }
  const url = options.url
  const transport = options.pool
    ? nodemailer.createTransport({ url, ...common, pool: true, maxConnections: options.poolSize, maxMessages: Infinity })
    : nodemailer.createTransport({ url, ...common })
  // verify() on its own, unpooled transport: it must open a new connection to say anything.
  const probe = nodemailer.createTransport({ url, ...common })
  return {
    async send(email) {
      const info = (await transport.sendMail(email)) as { response?: string }
      return { response: info.response ?? '' }
    },
    async verify() {
      try {
        return await probe.verify()
      } catch {
        return false
      }
    },
    async close() {
      transport.close()
      probe.close()
    },
  }
}
