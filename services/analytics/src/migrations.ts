import type { Migration } from '@nudj-webhooks/postgres'

/**
 * The projections. Every column is a sum, a LEAST or a GREATEST (or a COALESCE of values
 * that never differ), so an update commutes with every other: arrival order does not
 * matter. Append-only: change a released step with a new version.
 */
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'projections',
    sql: `
      CREATE TABLE analytics_events_hourly (
        bucket timestamptz NOT NULL,
        event_type text NOT NULL,
        events bigint NOT NULL,
        PRIMARY KEY (bucket, event_type)
      );
      CREATE TABLE analytics_events_daily (
        day date NOT NULL,
        event_type text NOT NULL,
        events bigint NOT NULL,
        PRIMARY KEY (day, event_type)
      );
      CREATE TABLE analytics_users (
        user_id text PRIMARY KEY,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        events bigint NOT NULL,
        net_points bigint NOT NULL,
        rewards_earned bigint NOT NULL,
        rewards_claimed bigint NOT NULL,
        rewards_redeemed bigint NOT NULL,
        challenges_started bigint NOT NULL,
        challenges_completed bigint NOT NULL,
        achievements bigint NOT NULL
      );
      CREATE TABLE analytics_challenges (
        challenge_id text PRIMARY KEY,
        started bigint NOT NULL,
        completed bigint NOT NULL
      );
      -- The earliest start and completion of each user in each challenge: the funnel's
      -- distinct users and its median time to complete (percentile_cont at query time).
      CREATE TABLE analytics_challenge_users (
        challenge_id text NOT NULL,
        user_id text NOT NULL,
        started_at timestamptz,
        completed_at timestamptz,
        PRIMARY KEY (challenge_id, user_id)
      );
      CREATE TABLE analytics_rewards (
        reward_id text PRIMARY KEY,
        earned bigint NOT NULL,
        claimed bigint NOT NULL,
        delivered bigint NOT NULL,
        delivery_failed bigint NOT NULL,
        redeemed bigint NOT NULL,
        expired bigint NOT NULL
      );
      CREATE TABLE analytics_referrals (
        referral_id text PRIMARY KEY,
        referrer_id text,
        referee_id text,
        referrer_credited bigint NOT NULL,
        referee_credited bigint NOT NULL,
        first_at timestamptz NOT NULL
      );
      CREATE TABLE analytics_points_hourly (
        bucket timestamptz NOT NULL,
        event_type text NOT NULL,
        direction text NOT NULL CHECK (direction IN ('credit', 'debit')),
        points bigint NOT NULL,
        transactions bigint NOT NULL,
        PRIMARY KEY (bucket, event_type, direction)
      );
      CREATE TABLE analytics_unknown_events (
        event_name text NOT NULL,
        category text NOT NULL,
        events bigint NOT NULL,
        first_seen timestamptz NOT NULL,
        last_seen timestamptz NOT NULL,
        PRIMARY KEY (event_name, category)
      );
      CREATE INDEX analytics_users_net_points ON analytics_users (net_points DESC);
      CREATE INDEX analytics_users_events ON analytics_users (events DESC);
    `,
  },
]

/** Every projection table, in the order batches write them (a fixed order avoids deadlocks). */
export const projectionTables = [
  'analytics_events_hourly',
  'analytics_events_daily',
  'analytics_users',
  'analytics_challenges',
  'analytics_challenge_users',
  'analytics_rewards',
  'analytics_referrals',
  'analytics_points_hourly',
  'analytics_unknown_events',
] as const
