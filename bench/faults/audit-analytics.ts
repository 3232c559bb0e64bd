import pg from 'pg'
import type { SentWebhook } from './record-deliveries.ts'

export type AnalyticsAudit = {
  expected_events: number
  projected_events: number
  types_compared: number
  types_differing: { type: string; expected: number; projected: number }[]
  users_compared: number
  users_differing: number
  user_examples: { user: string; expected: number; projected: number }[]
  matches: boolean
}

/**
 * The suite's own computation over the stored webhooks (each id once; the ones a consumer
 * must refuse are left out): events per canonical type and per user, compared with the query
 * API's summary and the per-user projection.
 */
export async function auditAnalytics(
  webhooks: SentWebhook[],
  api: { url: string; token: string },
  databaseUrl: string,
): Promise<AnalyticsAudit> {
  const byType = new Map<string, number>()
  const byUser = new Map<string, number>()
  let expected = 0
  for (const { event, problems } of webhooks) {
    if (problems > 0) continue
    expected += 1
    const type = event.known ? event.canonical : 'unknown'
    byType.set(type, (byType.get(type) ?? 0) + 1)
    const user = event.user.id ?? event.user.externalId
    if (user !== undefined) byUser.set(user, (byUser.get(user) ?? 0) + 1)
  }
  const response = await fetch(`${api.url}/v1/summary`, {
    headers: { authorization: `Bearer ${api.token}` },
    signal: AbortSignal.timeout(60_000),
  })
  if (!response.ok) throw new Error(`analytics /v1/summary answered ${response.status}: ${await response.text()}`)
  const summary = (await response.json()) as { events: { total: number; byType: { type: string; events: number }[] } }
  const projectedTypes = new Map(summary.events.byType.map((t) => [t.type, t.events]))
  const types_differing = [...new Set([...byType.keys(), ...projectedTypes.keys()])]
    .map((type) => ({ type, expected: byType.get(type) ?? 0, projected: projectedTypes.get(type) ?? 0 }))
    .filter((t) => t.expected !== t.projected)

  const pool = new pg.Pool({ connectionString: databaseUrl, max: 1 })
  const projectedUsers = new Map<string, number>()
  try {
    const { rows } = await pool.query<{ user_id: string; events: string }>('SELECT user_id, events FROM analytics_users')
    for (const row of rows) projectedUsers.set(row.user_id, Number(row.events))
  } finally {
    await pool.end()
  }
  const users = new Set([...byUser.keys(), ...projectedUsers.keys()])
  const differing = [...users]
    .map((user) => ({ user, expected: byUser.get(user) ?? 0, projected: projectedUsers.get(user) ?? 0 }))
    .filter((u) => u.expected !== u.projected)
  return {
    expected_events: expected,
    projected_events: summary.events.total,
    types_compared: byType.size,
    types_differing,
    users_compared: users.size,
    users_differing: differing.length,
    user_examples: differing.slice(0, 10),
    matches: expected === summary.events.total && types_differing.length === 0 && differing.length === 0,
  }
}
