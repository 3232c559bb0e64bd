import type { Migration } from '@nudj-webhooks/postgres'

/** The email service's tables (the runtime's consumer_ledger is created by the runtime). */
export const migrations: Migration[] = [
  {
    version: 1,
    name: 'contacts, suppressions and the send ledger',
    sql: `
      CREATE TABLE email_contacts (
        user_id text PRIMARY KEY,
        email text,
        name text,
        locale text,
        -- occurredAt of the user event the row reflects: the latest wins, whatever the arrival order.
        updated_at timestamptz NOT NULL
      );
      CREATE TABLE email_suppressions (
        email text PRIMARY KEY CHECK (email = lower(email)),
        reason text,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE email_sends (
        consumer_group text NOT NULL,
        webhook_id text NOT NULL,
        event text NOT NULL,
        template text,
        recipient text,
        message_id text,
        state text NOT NULL CHECK (state IN ('sending', 'sent', 'deferred', 'rejected', 'suppressed', 'no_recipient')),
        attempts integer NOT NULL DEFAULT 0,
        -- true when a send went out after an earlier attempt may already have reached the server
        resumed boolean NOT NULL DEFAULT false,
        smtp_reply text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        sent_at timestamptz,
        PRIMARY KEY (consumer_group, webhook_id)
      );
    `,
  },
]
