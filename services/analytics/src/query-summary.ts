import type pg from 'pg'

export type TimeRange = { from?: string; to?: string }

export type Summary = {
  from: string | null
  to: string | null
  events: { total: number; byType: { type: string; events: number }[] }
  unknownEvents: number
  points: { credited: number; debited: number; net: number; transactions: number }
  rewards: { earned: number; claimed: number; delivered: number; deliveryFailed: number; redeemed: number; expired: number }
  challenges: { started: number; completed: number }
  referrals: { referrerCredited: number; refereeCredited: number }
}

// Hourly resolution: `from` counts from the start of its hour, `to` is exclusive.
const inRange = `bucket >= date_trunc('hour', COALESCE($1::timestamptz, '-infinity')) AND bucket < COALESCE($2::timestamptz, 'infinity')`

/** Totals over a time range, from the hourly projections. */
export async function querySummary(pool: pg.Pool, range: TimeRange): Promise<Summary> {
  const params = [range.from ?? null, range.to ?? null]
  const [types, points] = await Promise.all([
    pool.query<{ event_type: string; events: string }>(
      `SELECT event_type, sum(events) AS events FROM analytics_events_hourly WHERE ${inRange}
       GROUP BY event_type ORDER BY sum(events) DESC, event_type`,
      params,
    ),
    pool.query<{ direction: string; points: string; transactions: string }>(
      `SELECT direction, sum(points) AS points, sum(transactions) AS transactions FROM analytics_points_hourly WHERE ${inRange}
       GROUP BY direction`,
      params,
    ),
  ])
  const byType = types.rows.map((r) => ({ type: r.event_type, events: Number(r.events) }))
  const count = (type: string): number => byType.find((t) => t.type === type)?.events ?? 0
  const flow = (direction: string) => points.rows.find((r) => r.direction === direction)
  const credited = Number(flow('credit')?.points ?? 0)
  const debited = Number(flow('debit')?.points ?? 0)
  return {
    from: range.from ?? null,
    to: range.to ?? null,
    events: { total: byType.reduce((sum, t) => sum + t.events, 0), byType },
    unknownEvents: count('unknown'),
    points: {
      credited,
      debited,
      net: credited - debited,
      transactions: Number(flow('credit')?.transactions ?? 0) + Number(flow('debit')?.transactions ?? 0),
    },
    rewards: {
      earned: count('reward.earned'),
      claimed: count('reward.claimed'),
      delivered: count('reward.delivered'),
      deliveryFailed: count('reward.delivery_failed'),
      redeemed: count('reward.redeemed'),
      expired: count('reward.expired'),
    },
    challenges: { started: count('challenge.started'), completed: count('challenge.completed') },
    referrals: { referrerCredited: count('referral.referrer_credited'), refereeCredited: count('referral.referee_credited') },
  }
}

/** Events of one type per hour or day, oldest first. */
export async function queryTimeSeries(
  pool: pg.Pool,
  query: TimeRange & { type: string; interval: 'hour' | 'day'; limit: number; offset: number },
): Promise<{ items: { at: string; events: number }[]; total: number }> {
  const hourly = query.interval === 'hour'
  const table = hourly ? 'analytics_events_hourly' : 'analytics_events_daily'
  const where = hourly
    ? inRange
    : `day >= COALESCE($1::timestamptz, '-infinity')::date AND day < COALESCE($2::timestamptz, 'infinity')::date + 1`
  const params = [query.from ?? null, query.to ?? null, query.type]
  const [page, total] = await Promise.all([
    // A date as text: pg would read it as local midnight.
    pool.query<{ at: Date | string; events: string }>(
      `SELECT ${hourly ? 'bucket' : 'day::text'} AS at, events FROM ${table} WHERE event_type = $3 AND ${where}
       ORDER BY 1 LIMIT $4 OFFSET $5`,
      [...params, query.limit, query.offset],
    ),
    pool.query<{ total: string }>(`SELECT count(*) AS total FROM ${table} WHERE event_type = $3 AND ${where}`, params),
  ])
  return {
    items: page.rows.map((r) => ({ at: r.at instanceof Date ? r.at.toISOString() : r.at, events: Number(r.events) })),
    total: Number(total.rows[0]?.total ?? 0),
  }
}
