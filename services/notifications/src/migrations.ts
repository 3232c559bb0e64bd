import type { Migration } from '@nudj-webhooks/postgres'

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'inbox, chat alerts and burst windows',
    sql: `
      CREATE TABLE notifications (
        id bigserial PRIMARY KEY,
        user_id text NOT NULL,
        webhook_id text NOT NULL,
        rule text NOT NULL,
        title text NOT NULL,
        body text NOT NULL,
        data jsonb NOT NULL DEFAULT '{}',
        occurred_at timestamptz,
        created_at timestamptz NOT NULL DEFAULT now(),
        read_at timestamptz,
        UNIQUE (webhook_id, rule)
      );
      CREATE INDEX notifications_user_id ON notifications (user_id, id);
      CREATE TABLE delivery_failures (
        webhook_id text PRIMARY KEY,
        occurred_at timestamptz NOT NULL
      );
      CREATE INDEX delivery_failures_occurred_at ON delivery_failures (occurred_at);
      CREATE TABLE chat_alerts (
        idempotency_key text PRIMARY KEY,
        sent_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE burst_alerts (
        window_start timestamptz PRIMARY KEY,
        triggered_by text NOT NULL,
        failures integer NOT NULL,
        sent_at timestamptz
      );
    `,
  },
]
