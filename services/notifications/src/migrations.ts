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
  {
    version: 2,
    name: 'chat outbox and token revocations',
    // chat_outbox replaces chat_alerts (and burst_alerts.sent_at): alerts are recorded in the batch
    // and posted after commit. What chat_alerts holds was sent: it stays sent (an empty message,
    // never posted again). The old table and column stay until no replica of version 1 runs.
    sql: `
      CREATE TABLE chat_outbox (
        idempotency_key text PRIMARY KEY,
        message jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        due_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        sent_at timestamptz,
        rejected_at timestamptz,
        last_error text
      );
      CREATE INDEX chat_outbox_due ON chat_outbox (due_at) WHERE sent_at IS NULL AND rejected_at IS NULL;
      INSERT INTO chat_outbox (idempotency_key, message, sent_at) SELECT idempotency_key, '{}', sent_at FROM chat_alerts;
      CREATE TABLE token_revocations (
        user_id text PRIMARY KEY,
        not_before timestamptz NOT NULL
      );
    `,
  },
]
