import pg from 'pg'
import type { SentWebhook } from './record-deliveries.ts'

// The default rules (services/notifications/src/default-rules.ts), written down here:
// canonical event -> the user-audience rule that makes one inbox row for the event's user.
const userRules: Record<string, string> = {
  'reward.earned': 'reward-earned',
  'reward.delivered': 'reward-delivered',
  'achievement.earned': 'achievement-earned',
  'challenge.completed': 'challenge-completed',
  'points.awarded': 'points-awarded',
  'referral.referrer_credited': 'referral-credited',
  'referral.referee_credited': 'referral-credited',
}

export type NotificationsAudit = {
  expected_rows: number
  rows: number
  missing: number
  doubled: number
  unexpected: number
  wrong_user: number
  delivery_failures_expected: number
  delivery_failures_recorded: number
  examples: string[]
}

/**
 * Exactly one inbox row per (webhook id, rule) for the stored webhooks a user rule matches,
 * for the right user, and nothing else; one `delivery_failures` row per reward.delivery_failed
 * (the operator rule's record, its chat alert being off in this suite).
 */
export async function auditNotifications(webhooks: SentWebhook[], databaseUrl: string): Promise<NotificationsAudit> {
  const expected = new Map<string, string>()
  const failures = new Set<string>()
  for (const { event, problems } of webhooks) {
    if (problems > 0) continue
    if (event.canonical === 'reward.delivery_failed') failures.add(event.webhookId)
    const rule = userRules[event.canonical]
    const user = event.user.id ?? event.user.externalId
    if (rule && user !== undefined) expected.set(`${event.webhookId} ${rule}`, user)
  }
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 })
  try {
    const { rows } = await pool.query<{ webhook_id: string; rule: string; user_id: string; n: number }>(
      'SELECT webhook_id, rule, min(user_id) AS user_id, count(*)::int AS n FROM notifications GROUP BY webhook_id, rule',
    )
    const recorded = await pool.query<{ webhook_id: string }>('SELECT webhook_id FROM delivery_failures')
    const examples: string[] = []
    const seen = new Set<string>()
    let doubled = 0
    let unexpected = 0
    let wrongUser = 0
    for (const row of rows) {
      const key = `${row.webhook_id} ${row.rule}`
      seen.add(key)
      if (row.n > 1) doubled += row.n - 1
      const user = expected.get(key)
      if (user === undefined) {
        unexpected += 1
        if (examples.length < 10) examples.push(`unexpected ${key}`)
      } else if (user !== row.user_id) wrongUser += 1
    }
    const missing = [...expected.keys()].filter((k) => !seen.has(k))
    examples.push(...missing.slice(0, 10).map((k) => `missing ${k}`))
    return {
      expected_rows: expected.size,
      rows: rows.reduce((sum, r) => sum + r.n, 0),
      missing: missing.length,
      doubled,
      unexpected,
      wrong_user: wrongUser,
      delivery_failures_expected: failures.size,
      delivery_failures_recorded: recorded.rows.filter((r) => failures.has(r.webhook_id)).length,
      examples,
    }
  } finally {
    await pool.end()
  }
}
