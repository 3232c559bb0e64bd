import type pg from 'pg'

export type Page = { limit: number; offset: number }

export const userOrders = ['events', 'net_points', 'rewards_earned', 'challenges_completed', 'achievements'] as const
export type UserOrder = (typeof userOrders)[number]

export type UserRow = {
  userId: string
  firstSeen: string
  lastSeen: string
  events: number
  netPoints: number
  rewardsEarned: number
  rewardsClaimed: number
  rewardsRedeemed: number
  challengesStarted: number
  challengesCompleted: number
  achievements: number
}

const userColumns = `user_id AS "userId", first_seen AS "firstSeen", last_seen AS "lastSeen", events::float8 AS events,
  net_points::float8 AS "netPoints", rewards_earned::float8 AS "rewardsEarned", rewards_claimed::float8 AS "rewardsClaimed",
  rewards_redeemed::float8 AS "rewardsRedeemed", challenges_started::float8 AS "challengesStarted",
  challenges_completed::float8 AS "challengesCompleted", achievements::float8 AS achievements`

const toUser = (row: Record<string, unknown>): UserRow =>
  ({ ...row, firstSeen: (row.firstSeen as Date).toISOString(), lastSeen: (row.lastSeen as Date).toISOString() }) as UserRow

/** Users by one measure, highest first (ties by id). */
export async function queryTopUsers(pool: pg.Pool, query: Page & { by: UserOrder }): Promise<{ items: UserRow[]; total: number }> {
  // `by` is one of userOrders (validated), never free text.
  const [page, total] = await Promise.all([
    pool.query(`SELECT ${userColumns} FROM analytics_users ORDER BY ${query.by} DESC, user_id LIMIT $1 OFFSET $2`, [
      query.limit,
      query.offset,
    ]),
    pool.query<{ total: string }>('SELECT count(*) AS total FROM analytics_users'),
  ])
  return { items: page.rows.map(toUser), total: Number(total.rows[0]?.total ?? 0) }
}

export async function queryUser(pool: pg.Pool, userId: string): Promise<UserRow | undefined> {
  const { rows } = await pool.query(`SELECT ${userColumns} FROM analytics_users WHERE user_id = $1`, [userId])
  return rows[0] ? toUser(rows[0] as Record<string, unknown>) : undefined
}

export type FunnelRow = {
  challengeId: string
  started: number
  completed: number
  usersStarted: number
  usersCompleted: number
  /** Share of the users who started that also completed; null before anyone started. */
  conversion: number | null
  medianSecondsToComplete: number | null
}

/** The challenge funnel: starts, completions, distinct users, conversion and median time to complete. */
export async function queryChallengeFunnel(
  pool: pg.Pool,
  query: Page & { challengeId?: string },
): Promise<{ items: FunnelRow[]; total: number }> {
  const where = 'WHERE ($1::text IS NULL OR c.challenge_id = $1)'
  const [page, total] = await Promise.all([
    pool.query<FunnelRow>(
      `SELECT c.challenge_id AS "challengeId", c.started::float8 AS started, c.completed::float8 AS completed,
         count(u.started_at)::float8 AS "usersStarted", count(u.completed_at)::float8 AS "usersCompleted",
         round(count(*) FILTER (WHERE u.started_at IS NOT NULL AND u.completed_at IS NOT NULL)::numeric
           / NULLIF(count(u.started_at), 0), 4)::float8 AS conversion,
         percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM u.completed_at - u.started_at))
           FILTER (WHERE u.completed_at >= u.started_at) AS "medianSecondsToComplete"
       FROM analytics_challenges c LEFT JOIN analytics_challenge_users u ON u.challenge_id = c.challenge_id
       ${where} GROUP BY c.challenge_id ORDER BY c.started DESC, c.challenge_id LIMIT $2 OFFSET $3`,
      [query.challengeId ?? null, query.limit, query.offset],
    ),
    pool.query<{ total: string }>(`SELECT count(*) AS total FROM analytics_challenges c ${where}`, [query.challengeId ?? null]),
  ])
  return { items: page.rows, total: Number(total.rows[0]?.total ?? 0) }
}

export type RewardRow = {
  rewardId: string
  earned: number
  claimed: number
  delivered: number
  deliveryFailed: number
  redeemed: number
  expired: number
}

/** Each reward's lifecycle: earned, claimed, delivered, failed deliveries, redeemed, expired. */
export async function queryRewardLifecycle(
  pool: pg.Pool,
  query: Page & { rewardId?: string },
): Promise<{ items: RewardRow[]; total: number }> {
  const where = 'WHERE ($1::text IS NULL OR reward_id = $1)'
  const [page, total] = await Promise.all([
    pool.query<RewardRow>(
      `SELECT reward_id AS "rewardId", earned::float8 AS earned, claimed::float8 AS claimed, delivered::float8 AS delivered,
         delivery_failed::float8 AS "deliveryFailed", redeemed::float8 AS redeemed, expired::float8 AS expired
       FROM analytics_rewards ${where} ORDER BY earned DESC, reward_id LIMIT $2 OFFSET $3`,
      [query.rewardId ?? null, query.limit, query.offset],
    ),
    pool.query<{ total: string }>(`SELECT count(*) AS total FROM analytics_rewards ${where}`, [query.rewardId ?? null]),
  ])
  return { items: page.rows, total: Number(total.rows[0]?.total ?? 0) }
}
