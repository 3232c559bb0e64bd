import type pg from 'pg'

export type ConsumerService = 'analytics' | 'email' | 'notifications'

/** What one service's database says about a webhook id, or why it could not say. */
export type ServiceOutcome =
  | { service: ConsumerService; ledger: Record<string, unknown>[]; rows: Record<string, unknown>[] }
  | { service: ConsumerService; unavailable: string }

const ledgerSql = `SELECT consumer_group, state, attempts, first_seen_at, completed_at FROM consumer_ledger WHERE webhook_id = $1 ORDER BY consumer_group`

// Each service's own effect of a webhook, from its migrations. No email address is selected:
// the console shows what happened, not to whom.
const effectSql: Record<ConsumerService, string | undefined> = {
  analytics: undefined, // projections are sums: the ledger row says the webhook was counted
  email: `SELECT consumer_group, event, template, state, message_id, attempts, resumed, smtp_reply, created_at, sent_at
            FROM email_sends WHERE webhook_id = $1 ORDER BY consumer_group`,
  notifications: `SELECT id, user_id, rule, title, created_at, read_at FROM notifications WHERE webhook_id = $1 ORDER BY id`,
}

const undefinedTable = '42P01'

/** The ledger rows (every group of that database) and the service's own rows for a webhook id. */
export async function readOutcome(service: ConsumerService, pool: pg.Pool | undefined, webhookId: string): Promise<ServiceOutcome> {
  if (!pool) return { service, unavailable: `CONSOLE_${service.toUpperCase()}_DATABASE_URL is not set` }
  try {
    const ledger = await pool.query<Record<string, unknown>>(ledgerSql, [webhookId])
    const sql = effectSql[service]
    const rows = sql === undefined ? [] : (await pool.query<Record<string, unknown>>(sql, [webhookId])).rows
    return { service, ledger: ledger.rows, rows }
  } catch (err) {
    const code = (err as { code?: string }).code
    if (code === undefinedTable) return { service, unavailable: `its tables do not exist yet (has ${service} run against this database?)` }
    return { service, unavailable: `its database failed: ${(err as Error).message}` }
  }
}
