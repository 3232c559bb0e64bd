import type pg from 'pg'

export type Notification = {
  id: string
  userId: string
  webhookId: string
  rule: string
  title: string
  body: string
  data: Record<string, unknown>
  occurredAt: string | null
  createdAt: string
  readAt: string | null
}

export type NewNotification = Omit<Notification, 'id' | 'createdAt' | 'readAt'>

/** A pool or a transaction's client: the inbox writes in the consumer's transaction. */
export type Queryable = Pick<pg.Pool, 'query'>

export type Inbox = {
  /**
   * Writes rows once per (webhook id, rule) and NOTIFYs `<user>:<id>` for each new one (delivered
   * at commit). Locks each user first (sorted, so never a deadlock), so that one user's ids
   * commit in id order: a stream that has sent id n never sees a smaller id commit later.
   * Answers the rules of the rows written (repeats are skipped).
   */
  insertMany: (client: Queryable, rows: NewNotification[]) => Promise<string[]>
  /** A user's notifications after `afterId`, oldest first (the stream's catch-up and live reads). */
  after: (userId: string, afterId: string, limit: number) => Promise<Notification[]>
  /** Newest first, strictly before `beforeId` when given (cursor pagination). */
  list: (userId: string, limit: number, beforeId?: string) => Promise<Notification[]>
  /** Marks read (once; the first time is kept). Answers the row, or undefined when not this user's. */
  markRead: (userId: string, id: string) => Promise<Notification | undefined>
  /** The newest id of a user ('0' when none): where a stream without Last-Event-ID starts. */
  latestId: (userId: string) => Promise<string>
}

export const notifyChannel = 'notifications'
// NOTIFY payloads stop at 8000 bytes: a longer row is announced as `<user>:<id>` and read back.
const maxPayloadBytes = 7900

/**
 * A NOTIFY payload: the whole row as JSON (so streams need no read), `<user>:<id>`, or a
 * revocation (`{"revokedUserId", "notBefore"}`, create-token-revocations.ts). Timestamps are
 * normalised to the format the inbox reads answer.
 */
export function parseNotifyPayload(
  payload: string,
): { notification: Notification } | { userId: string; id: string } | { revoked: { userId: string; notBefore: number } } | undefined {
  if (payload.startsWith('{')) {
    const parsed = JSON.parse(payload) as Notification | { revokedUserId: string; notBefore: string }
    if ('revokedUserId' in parsed) return { revoked: { userId: parsed.revokedUserId, notBefore: Date.parse(parsed.notBefore) } }
    const n = parsed
    const iso = (v: string | null): string | null => (v === null ? null : new Date(v).toISOString())
    return { notification: { ...n, occurredAt: iso(n.occurredAt), createdAt: iso(n.createdAt) ?? n.createdAt } }
  }
  const at = payload.lastIndexOf(':')
  return at > 0 ? { userId: payload.slice(0, at), id: payload.slice(at + 1) } : undefined
}

const columns = `id::text, user_id, webhook_id, rule, title, body, data, occurred_at, created_at, read_at`

type Row = {
  id: string
  user_id: string
  webhook_id: string
  rule: string
  title: string
  body: string
  data: Record<string, unknown>
  occurred_at: Date | null
  created_at: Date
  read_at: Date | null
}

const toNotification = (r: Row): Notification => ({
  id: r.id,
  userId: r.user_id,
  webhookId: r.webhook_id,
  rule: r.rule,
  title: r.title,
  body: r.body,
  data: r.data,
  occurredAt: r.occurred_at?.toISOString() ?? null,
  createdAt: r.created_at.toISOString(),
  readAt: r.read_at?.toISOString() ?? null,
})

/** The inbox table (notifications); its id is the SSE event id. */
export function createInbox(pool: pg.Pool): Inbox {
  return {
    async insertMany(client, rows) {
      if (rows.length === 0) return []
      await client.query(
        `SELECT pg_advisory_xact_lock(k) FROM (SELECT DISTINCT hashtextextended('notifications-user:' || u, 0) AS k FROM unnest($1::text[]) AS u ORDER BY k) AS locks`,
        [rows.map((r) => r.userId)],
      )
      const { rows: inserted } = await client.query<{ rule: string }>(
        `WITH inserted AS (
           INSERT INTO notifications (user_id, webhook_id, rule, title, body, data, occurred_at)
           SELECT u, w, r, t, b, d::jsonb, o FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
             AS n(u, w, r, t, b, d, o)
           ON CONFLICT (webhook_id, rule) DO NOTHING
           RETURNING id, user_id, webhook_id, rule, title, body, data, occurred_at, created_at
         ),
         payloads AS (
           SELECT rule, user_id, id, json_build_object('id', id::text, 'userId', user_id, 'webhookId', webhook_id, 'rule', rule,
             'title', title, 'body', body, 'data', data, 'occurredAt', occurred_at, 'createdAt', created_at, 'readAt', NULL)::text AS p
           FROM inserted
         )
         SELECT rule, pg_notify($8, CASE WHEN octet_length(p) < $9 THEN p ELSE user_id || ':' || id END) FROM payloads`,
        [
          rows.map((r) => r.userId),
          rows.map((r) => r.webhookId),
          rows.map((r) => r.rule),
          rows.map((r) => r.title),
          rows.map((r) => r.body),
          rows.map((r) => JSON.stringify(r.data)),
          rows.map((r) => r.occurredAt),
          notifyChannel,
          maxPayloadBytes,
        ],
      )
      return inserted.map((r) => r.rule)
    },
    async after(userId, afterId, limit) {
      const { rows } = await pool.query<Row>(`SELECT ${columns} FROM notifications WHERE user_id = $1 AND id > $2 ORDER BY id LIMIT $3`, [
        userId,
        afterId,
        limit,
      ])
      return rows.map(toNotification)
    },
    async list(userId, limit, beforeId) {
      const { rows } = await pool.query<Row>(
        `SELECT ${columns} FROM notifications WHERE user_id = $1 AND ($2::bigint IS NULL OR id < $2) ORDER BY id DESC LIMIT $3`,
        [userId, beforeId ?? null, limit],
      )
      return rows.map(toNotification)
    },
    async markRead(userId, id) {
      const { rows } = await pool.query<Row>(
        `UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE user_id = $1 AND id = $2 RETURNING ${columns}`,
        [userId, id],
      )
      return rows[0] ? toNotification(rows[0]) : undefined
    },
    async latestId(userId) {
      const { rows } = await pool.query<{ id: string | null }>('SELECT max(id)::text AS id FROM notifications WHERE user_id = $1', [userId])
      return rows[0]?.id ?? '0'
    },
  }
}
