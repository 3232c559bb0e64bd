// The notifications CLI: `pnpm notifications token <userId> [--ttl 1h]` prints a user token.
import { ConfigError, parseDuration } from '@nudj-webhooks/config'
import { loadTokenSecret } from '../src/config.ts'
import { signUserToken } from '../src/user-token.ts'

const usage = `usage: pnpm notifications token <userId> [--ttl 1h]
  Prints a token that lets its holder read one user's notifications (SSE stream, inbox)
  until it expires. Signed with NOTIFICATIONS_TOKEN_SECRET (or NOTIFICATIONS_TOKEN_SECRET_FILE).`

const [command, userId, ...rest] = process.argv.slice(2)
if (command !== 'token' || !userId || userId.startsWith('-')) {
  console.error(usage)
  process.exit(command === '--help' || command === undefined ? 0 : 64)
}
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
try {
  console.log(signUserToken(loadTokenSecret(), userId, ttlSeconds))
} catch (err) {
  if (!(err instanceof ConfigError)) throw err
  console.error(err.message)
  process.exit(78)
}
