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
  {
    version: 2,
    name: 'strict recipients: invalid_recipient sends, suppressions of the addresses inside raw strings',
    sql: `
      ALTER TABLE email_sends DROP CONSTRAINT email_sends_state_check;
      ALTER TABLE email_sends ADD CONSTRAINT email_sends_state_check
        CHECK (state IN ('sending', 'sent', 'deferred', 'rejected', 'suppressed', 'no_recipient', 'invalid_recipient'));
      -- why a recipient was refused (parseRecipient's problem), for invalid_recipient rows
      ALTER TABLE email_sends ADD COLUMN reason text;
      -- Before version 2 the API stored any lower-cased x@y string (\`x<victim@b.com>\`, \`a@b.com,c@d.com\`)
      -- and compared sends on the raw string. Every address such a row names becomes a row of its own
      -- (suppressing one too many is the safe side), and the raw row goes.
      CREATE TEMPORARY TABLE raw_suppressions ON COMMIT DROP AS
        SELECT email, reason, created_at FROM email_suppressions WHERE email !~ '^[^][\\s<>,;:"()]+@[^][\\s<>,;:"()]+$';
      INSERT INTO email_suppressions (email, reason, created_at)
        SELECT DISTINCT ON (m[1]) m[1], r.reason, r.created_at
        FROM raw_suppressions r CROSS JOIN LATERAL regexp_matches(r.email, '([^][\\s<>,;:"()]+@[^][\\s<>,;:"()]+)', 'g') AS m
        ORDER BY m[1], r.created_at
        ON CONFLICT (email) DO NOTHING;
      DELETE FROM email_suppressions s USING raw_suppressions r
        WHERE s.email = r.email AND r.email ~ '[^][\\s<>,;:"()]+@[^][\\s<>,;:"()]+';
    `,
  },
  {
    version: 3,
    name: 'sends waiting for their recipient: the waiting state, the waiting table, refused contact addresses',
    sql: `
      ALTER TABLE email_sends DROP CONSTRAINT email_sends_state_check;
      ALTER TABLE email_sends ADD CONSTRAINT email_sends_state_check
        CHECK (state IN ('waiting', 'sending', 'sent', 'deferred', 'rejected', 'suppressed', 'no_recipient', 'invalid_recipient'));
      -- parseRecipient's problem with the latest refused address of a user event (read only while email is null)
      ALTER TABLE email_contacts ADD COLUMN email_problem text;
      -- A routed event whose user has no address yet, until the address arrives or the wait ends
      -- (EMAIL_RECIPIENT_WAIT after parked_at). Owned by create-waiting-sends.ts.
      CREATE TABLE email_waiting (
        consumer_group text NOT NULL,
        webhook_id text NOT NULL,
        user_id text NOT NULL,
        template text NOT NULL,
        -- the normalised event as JSON text (kept exactly; jsonb refuses an escaped NUL in a string)
        event text NOT NULL,
        parked_at timestamptz NOT NULL DEFAULT now(),
        -- when a sender should look at it next: the end of the wait, now() once the address is there,
        -- or the end of a sender's claim or of a retry delay
        due_at timestamptz NOT NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        -- a fatal failure (a 5xx reply, a template that cannot render): kept for an operator, never retried
        failed_at timestamptz,
        PRIMARY KEY (consumer_group, webhook_id)
      );
      CREATE INDEX email_waiting_due ON email_waiting (consumer_group, due_at) WHERE failed_at IS NULL;
      CREATE INDEX email_waiting_user ON email_waiting (user_id);
    `,
  },
]
