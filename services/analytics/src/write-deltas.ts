import type pg from 'pg'
import { sortedRows, type Deltas } from './aggregate-facts.ts'

/**
 * Writes a batch's deltas: one multi-row upsert per table (arrays through unnest), each
 * adding to what is there, so batches commute. Runs inside the caller's transaction, the
 * one the ledger rows commit in.
 */
export async function writeDeltas(tx: pg.PoolClient, deltas: Deltas): Promise<void> {
  const hourly = sortedRows(deltas.hourly)
  if (hourly.length > 0)
    await tx.query(
      `INSERT INTO analytics_events_hourly (bucket, event_type, events)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::bigint[])
       ON CONFLICT (bucket, event_type) DO UPDATE SET events = analytics_events_hourly.events + EXCLUDED.events`,
      [hourly.map((r) => r.bucket), hourly.map((r) => r.eventType), hourly.map((r) => r.events)],
    )
  const daily = sortedRows(deltas.daily)
  if (daily.length > 0)
    await tx.query(
      `INSERT INTO analytics_events_daily (day, event_type, events)
       SELECT * FROM unnest($1::date[], $2::text[], $3::bigint[])
       ON CONFLICT (day, event_type) DO UPDATE SET events = analytics_events_daily.events + EXCLUDED.events`,
      [daily.map((r) => r.day), daily.map((r) => r.eventType), daily.map((r) => r.events)],
    )
  const users = sortedRows(deltas.users)
  if (users.length > 0) {
    const col = (name: keyof (typeof users)[number]) => users.map((r) => r[name])
    await tx.query(
      `INSERT INTO analytics_users (user_id, first_seen, last_seen, events, net_points, rewards_earned, rewards_claimed,
         rewards_redeemed, challenges_started, challenges_completed, achievements)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::timestamptz[], $4::bigint[], $5::bigint[], $6::bigint[],
         $7::bigint[], $8::bigint[], $9::bigint[], $10::bigint[], $11::bigint[])
       ON CONFLICT (user_id) DO UPDATE SET
         first_seen = LEAST(analytics_users.first_seen, EXCLUDED.first_seen),
         last_seen = GREATEST(analytics_users.last_seen, EXCLUDED.last_seen),
         events = analytics_users.events + EXCLUDED.events,
         net_points = analytics_users.net_points + EXCLUDED.net_points,
         rewards_earned = analytics_users.rewards_earned + EXCLUDED.rewards_earned,
         rewards_claimed = analytics_users.rewards_claimed + EXCLUDED.rewards_claimed,
         rewards_redeemed = analytics_users.rewards_redeemed + EXCLUDED.rewards_redeemed,
         challenges_started = analytics_users.challenges_started + EXCLUDED.challenges_started,
         challenges_completed = analytics_users.challenges_completed + EXCLUDED.challenges_completed,
         achievements = analytics_users.achievements + EXCLUDED.achievements`,
      [
        col('id'),
        col('first'),
        col('last'),
        col('events'),
        col('netPoints'),
        col('rewardsEarned'),
        col('rewardsClaimed'),
        col('rewardsRedeemed'),
        col('challengesStarted'),
        col('challengesCompleted'),
        col('achievements'),
      ],
    )
  }
  const challenges = sortedRows(deltas.challenges)
  if (challenges.length > 0)
    await tx.query(
      `INSERT INTO analytics_challenges (challenge_id, started, completed)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[])
       ON CONFLICT (challenge_id) DO UPDATE SET
         started = analytics_challenges.started + EXCLUDED.started,
         completed = analytics_challenges.completed + EXCLUDED.completed`,
      [challenges.map((r) => r.id), challenges.map((r) => r.started), challenges.map((r) => r.completed)],
    )
  const members = sortedRows(deltas.challengeUsers)
  if (members.length > 0)
    await tx.query(
      `INSERT INTO analytics_challenge_users (challenge_id, user_id, started_at, completed_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::timestamptz[])
       ON CONFLICT (challenge_id, user_id) DO UPDATE SET
         started_at = LEAST(analytics_challenge_users.started_at, EXCLUDED.started_at),
         completed_at = LEAST(analytics_challenge_users.completed_at, EXCLUDED.completed_at)`,
      [
        members.map((r) => r.challengeId),
        members.map((r) => r.userId),
        members.map((r) => r.startedAt ?? null),
        members.map((r) => r.completedAt ?? null),
      ],
    )
  const rewards = sortedRows(deltas.rewards)
  if (rewards.length > 0) {
    const col = (name: keyof (typeof rewards)[number]) => rewards.map((r) => r[name])
    await tx.query(
      `INSERT INTO analytics_rewards (reward_id, earned, claimed, delivered, delivery_failed, redeemed, expired)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[])
       ON CONFLICT (reward_id) DO UPDATE SET
         earned = analytics_rewards.earned + EXCLUDED.earned,
         claimed = analytics_rewards.claimed + EXCLUDED.claimed,
         delivered = analytics_rewards.delivered + EXCLUDED.delivered,
         delivery_failed = analytics_rewards.delivery_failed + EXCLUDED.delivery_failed,
         redeemed = analytics_rewards.redeemed + EXCLUDED.redeemed,
         expired = analytics_rewards.expired + EXCLUDED.expired`,
      [col('id'), col('earned'), col('claimed'), col('delivered'), col('deliveryFailed'), col('redeemed'), col('expired')],
    )
  }
  const referrals = sortedRows(deltas.referrals)
  if (referrals.length > 0)
    await tx.query(
      `INSERT INTO analytics_referrals (referral_id, referrer_id, referee_id, referrer_credited, referee_credited, first_at)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::bigint[], $6::timestamptz[])
       ON CONFLICT (referral_id) DO UPDATE SET
         referrer_id = LEAST(analytics_referrals.referrer_id, EXCLUDED.referrer_id),
         referee_id = LEAST(analytics_referrals.referee_id, EXCLUDED.referee_id),
         referrer_credited = analytics_referrals.referrer_credited + EXCLUDED.referrer_credited,
         referee_credited = analytics_referrals.referee_credited + EXCLUDED.referee_credited,
         first_at = LEAST(analytics_referrals.first_at, EXCLUDED.first_at)`,
      [
        referrals.map((r) => r.id),
        referrals.map((r) => r.referrerId ?? null),
        referrals.map((r) => r.refereeId ?? null),
        referrals.map((r) => r.referrer),
        referrals.map((r) => r.referee),
        referrals.map((r) => r.firstAt),
      ],
    )
  const points = sortedRows(deltas.points)
  if (points.length > 0)
    await tx.query(
      `INSERT INTO analytics_points_hourly (bucket, event_type, direction, points, transactions)
       SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::bigint[], $5::bigint[])
       ON CONFLICT (bucket, event_type, direction) DO UPDATE SET
         points = analytics_points_hourly.points + EXCLUDED.points,
         transactions = analytics_points_hourly.transactions + EXCLUDED.transactions`,
      [
        points.map((r) => r.bucket),
        points.map((r) => r.eventType),
        points.map((r) => r.direction),
        points.map((r) => r.points),
        points.map((r) => r.transactions),
      ],
    )
  const unknown = sortedRows(deltas.unknown)
  if (unknown.length > 0)
    await tx.query(
      `INSERT INTO analytics_unknown_events (event_name, category, events, first_seen, last_seen)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[], $5::timestamptz[])
       ON CONFLICT (event_name, category) DO UPDATE SET
         events = analytics_unknown_events.events + EXCLUDED.events,
         first_seen = LEAST(analytics_unknown_events.first_seen, EXCLUDED.first_seen),
         last_seen = GREATEST(analytics_unknown_events.last_seen, EXCLUDED.last_seen)`,
      [
        unknown.map((r) => r.name),
        unknown.map((r) => r.category),
        unknown.map((r) => r.events),
        unknown.map((r) => r.first),
        unknown.map((r) => r.last),
      ],
    )
}
