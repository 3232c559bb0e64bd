import pg from 'pg'
import type { Logger } from 'pino'

export type ListenerOptions = {
  databaseUrl: string
  channel: string
  logger: Logger
  /** One NOTIFY payload (see parseNotifyPayload). */
  onNotify: (payload: string) => void
  /** (Re)connected and listening: what was committed while not listening must be read again. */
  onListening: () => void
}

export type Listener = { isListening: () => boolean; close: () => Promise<void> }

const backoffMs = [250, 500, 1_000, 2_000, 5_000]

/**
 * One dedicated LISTEN connection per replica. A lost connection is reopened with backoff,
 * and every reopening calls `onListening` so that the streams re-read what they missed.
 */
export async function createListener(options: ListenerOptions): Promise<Listener> {
  const { logger } = options
  let client: pg.Client | undefined
  let listening = false
  let closed = false
  let failures = 0
  let reconnecting = false

  async function connect(): Promise<void> {
    const current = new pg.Client({ connectionString: options.databaseUrl, application_name: 'notifications-listen' })
    current.on('notification', (message) => {
      options.onNotify(message.payload ?? '')
    })
    current.on('error', (err) => {
      logger.warn({ err }, 'LISTEN connection lost; reconnecting')
      lost(current)
    })
    current.on('end', () => lost(current))
    client = current
    await current.connect()
    await current.query(`LISTEN ${current.escapeIdentifier(options.channel)}`)
    listening = true
    failures = 0
    options.onListening()
  }

  function lost(which: pg.Client): void {
    if (client !== which) return
    listening = false
    client = undefined
    which.end().catch(() => undefined)
    if (!closed && !reconnecting) void reconnect() // errors are handled inside
  }

  async function reconnect(): Promise<void> {
    reconnecting = true
    while (!closed && !listening) {
      const delay = backoffMs[Math.min(failures, backoffMs.length - 1)] as number
      failures += 1
      await new Promise((resolve) => setTimeout(resolve, delay))
      if (closed) return
      try {
        await connect()
        logger.info('LISTEN connection restored')
      } catch (err) {
        logger.warn({ err, attempt: failures }, 'could not LISTEN yet')
        const stale = client
        client = undefined
        await stale?.end().catch(() => undefined)
      }
    }
    reconnecting = false
  }

  await connect()
  return {
    isListening: () => listening,
    async close() {
      closed = true
      listening = false
      const current = client
      client = undefined
      await current?.end().catch(() => undefined)
    },
  }
}
