// The notifications CLI: `pnpm notifications token <userId> [--ttl 1h]` prints a user token;
// `pnpm notifications revoke <userId>` refuses every token of that user issued until now.
import { ConfigError, parseDuration } from '@nudj-webhooks/config'
import pg from 'pg'
import { loadDatabaseUrl, loadTokenSecret } from '../src/config.ts'
import { notifyChannel } from '../src/create-inbox.ts'
import { createTokenRevocations } from '../src/create-token-revocations.ts'
import { signUserToken } from '../src/user-token.ts'

const usage = `usage: pnpm notifications token <userId> [--ttl 1h]
       pnpm notifications revoke <userId>
  token:  prints a token that lets its holder read one user's notifications (SSE stream, inbox)
          until it expires. Signed with NOTIFICATIONS_TOKEN_SECRET (or NOTIFICATIONS_TOKEN_SECRET_FILE);
          its key id lets a rotated service still verify it (NOTIFICATIONS_TOKEN_PREVIOUS_SECRETS).
  revoke: refuses every token of the user issued until now (401 TOKEN_REVOKED) and ends the
          user's open streams. Needs DATABASE_URL (the service's database, migrated).`

const [command, userId, ...rest] = process.argv.slice(2)
if ((command !== 'token' && command !== 'revoke') || !userId || userId.startsWith('-')) {
  console.error(usage)
  process.exit(command === '--help' || command === undefined ? 0 : 64)
}
try {
  if (command === 'revoke') {
    const client = new pg.Client({ connectionString: loadDatabaseUrl(), application_name: 'notifications-cli' })
    await client.connect()
    try {
      const notBefore = await createTokenRevocations(client, notifyChannel).revoke(userId)
      console.log(`tokens of ${userId} issued before ${notBefore.toISOString()} are revoked`)
    } finally {
      await client.end()
    }
  } else {
    let ttlSeconds = 3600
    const ttlAt = rest.indexOf('--ttl')
    if (ttlAt >= 0) {
      try {
        ttlSeconds = Math.round(parseDuration(rest[ttlAt + 1] ?? '') / 1000)
      } catch (err) {
        console.error((err as Error).message)
        process.exit(64)
      }
    }
    console.log(signUserToken(loadTokenSecret(), userId, ttlSeconds))
  }
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  console.error(err.message)
  process.exit(78)
}
