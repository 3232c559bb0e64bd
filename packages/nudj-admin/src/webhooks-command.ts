import { readFile } from 'node:fs/promises'
import { parseArgs } from 'node:util'
import { AdminApiError } from './admin-api-error.ts'
import { isGen2Config } from './admin-api.ts'
import type { AdminAuth, Gen2DeliveryStatus, LogFilters, WebhookConfig } from './admin-api.ts'
import { createAdminClient } from './admin-client.ts'
import type { AdminClient } from './admin-client.ts'
import { planRegistration } from './plan-registration.ts'
import { redactHeaders } from './redact-headers.ts'
import { UsageError } from './command-io.ts'
import type { CommandIo } from './command-io.ts'

const connection = `  --base-url URL        the Admin API, e.g. https://sub.nudj.cx/api/v2/admin
  --auth KIND           x-api-token (default) or bearer
The token is read from NUDJ_ADMIN_TOKEN, never from the command line.`

const usages = {
  webhooks: `usage: nudj webhooks <list|register|logs> --base-url URL [options]

  list       print the organisation's webhook configs (secrets redacted)
  register   add a receiver's config, keeping every other config (--dry-run shows the change first)
  logs       print the webhook delivery log, newest first

Run nudj webhooks <subcommand> --help for its options.`,
  list: `usage: nudj webhooks list --base-url URL [--auth x-api-token|bearer]

${connection}`,
  register: `usage: nudj webhooks register --base-url URL --url URL --events a,b [options]

  --dry-run             print what would change and the list that would be sent; change nothing
  --replace             change an existing config with the same url (refused without it)

  --url URL             where Nudj delivers
  --events a,b          event names, comma-separated
  --secret-file F       gen-2 config: the HMAC secret is the content of F
  --header 'Name: v'    gen-1 config: a static header sent on every delivery (repeatable)
  --method POST|PUT     gen-1 only; POST by default
  --max-retries N       gen-1 only; 3 by default
  --body-shape SHAPE    the PUT body: array (default) or wrapped ({ "configs": [...] })
${connection}`,
  logs: `usage: nudj webhooks logs --base-url URL [filters]

  --event NAME          gen-2 event or gen-1 eventSubCategory
  --status S            pending, delivered, retrying or failed (gen-2 records)
  --success true|false  gen-1 records
  --since ISO, --until ISO, --webhook-config-id ID, --limit N
${connection}`,
} as const

const connectionOptions = {
  'base-url': { type: 'string' },
  auth: { type: 'string', default: 'x-api-token' },
  help: { type: 'boolean', short: 'h' },
} as const

/** `nudj webhooks <list|register|logs>`: argv starts at the subcommand. Answers the exit code. */
export async function runWebhooksCommand(argv: string[], io: CommandIo, env: Record<string, string | undefined>): Promise<number> {
  const [subcommand, ...args] = argv
  if (subcommand === undefined) {
    io.err(usages.webhooks)
    return 2
  }
  if (subcommand === '--help' || subcommand === '-h' || subcommand === 'help') return help(io, 'webhooks')
  if (subcommand !== 'list' && subcommand !== 'register' && subcommand !== 'logs') {
    io.err(`nudj webhooks: unknown subcommand '${subcommand}'\n\n${usages.webhooks}`)
    return 2
  }
  try {
    if (subcommand === 'list') return await list(args, io, env)
    if (subcommand === 'register') return await register(args, io, env)
    return await logs(args, io, env)
  } catch (error) {
    if (error instanceof UsageError || isParseArgsError(error)) {
      io.err(`nudj webhooks ${subcommand}: ${error.message}\n(see nudj webhooks ${subcommand} --help)`)
      return 2
    }
    if (error instanceof AdminApiError) {
      io.err(`nudj webhooks ${subcommand}: ${error.code}: ${error.message}`)
      return 1
    }
    throw error
  }
}

async function list(args: string[], io: CommandIo, env: Record<string, string | undefined>): Promise<number> {
  const { values } = parseArgs({ args, options: connectionOptions, strict: true, allowPositionals: false })
  if (values.help) return help(io, 'list')
  const configs = await clientFor(values, env).listConfigs()
  io.out(JSON.stringify(configs.map(redactConfig), null, 2))
  return 0
}

async function register(args: string[], io: CommandIo, env: Record<string, string | undefined>): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...connectionOptions,
      url: { type: 'string' },
      events: { type: 'string' },
      'secret-file': { type: 'string' },
      header: { type: 'string', multiple: true },
      method: { type: 'string' },
      'max-retries': { type: 'string' },
      'body-shape': { type: 'string', default: 'array' },
      'dry-run': { type: 'boolean', default: false },
      replace: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) return help(io, 'register')
  const url = requireHttpUrl('--url', values.url)
  const events = (values.events ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '')
  if (events.length === 0) throw new UsageError('--events is required: one or more event names, comma-separated')
  const bodyShape = oneOf('--body-shape', values['body-shape'], ['array', 'wrapped'] as const)
  const gen1Only = [values.header && '--header', values.method && '--method', values['max-retries'] && '--max-retries'].filter(Boolean)
  if (values['secret-file'] !== undefined && gen1Only.length > 0) {
    throw new UsageError(`--secret-file makes a gen-2 config, which takes no ${gen1Only.join(', ')}`)
  }
  const client = clientFor(values, env)
  const config: WebhookConfig =
    values['secret-file'] !== undefined
      ? { url, events, secret: await readSecret(values['secret-file']), active: true }
      : {
          url,
          events,
          httpMethod: oneOf('--method', values.method ?? 'POST', ['POST', 'PUT'] as const),
          isEnabled: true,
          maxRetries: wholeNumber('--max-retries', values['max-retries'] ?? '3', 0),
          headers: Object.fromEntries((values.header ?? []).map(parseHeader)),
        }
  const plan = planRegistration(await client.listConfigs(), config)
  const what = `${url} (${isGen2Config(config) ? 'gen-2' : 'gen-1'}) for ${events.join(', ')}`
  if (plan.change === 'unchanged') {
    io.out(`${what} is registered already, exactly so; nothing sent`)
    return 0
  }
  if (plan.change === 'replace' && !values.replace) {
    io.err(
      `nudj webhooks register: a different config for ${url} exists; --replace changes it:\n${JSON.stringify(redactConfig(plan.existing), null, 2)}`,
    )
    return 1
  }
  const verb = plan.change === 'add' ? 'add' : 'replace'
  if (values['dry-run']) {
    io.out(`dry run: would ${verb} ${what}; the ${plan.configs.length} config(s) that would be sent:`)
    io.out(JSON.stringify(plan.configs.map(redactConfig), null, 2))
    return 0
  }
  await client.putConfigs(plan.configs, { bodyShape })
  io.out(`${verb === 'add' ? 'added' : 'replaced'} ${what}; ${plan.configs.length} config(s) in all`)
  return 0
}

async function logs(args: string[], io: CommandIo, env: Record<string, string | undefined>): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      ...connectionOptions,
      event: { type: 'string' },
      status: { type: 'string' },
      success: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      'webhook-config-id': { type: 'string' },
      limit: { type: 'string' },
    },
    strict: true,
    allowPositionals: false,
  })
  if (values.help) return help(io, 'logs')
  const filters: LogFilters = {}
  if (values.event !== undefined) filters.event = values.event
  if (values.status !== undefined) {
    filters.status = oneOf('--status', values.status, ['pending', 'delivered', 'retrying', 'failed'] satisfies Gen2DeliveryStatus[])
  }
  if (values.success !== undefined) filters.success = oneOf('--success', values.success, ['true', 'false'] as const) === 'true'
  for (const name of ['since', 'until'] as const) {
    const value = values[name]
    if (value === undefined) continue
    if (Number.isNaN(Date.parse(value))) throw new UsageError(`--${name} must be an ISO date, got '${value}'`)
    filters[name] = value
  }
  if (values['webhook-config-id'] !== undefined) filters.webhookConfigId = values['webhook-config-id']
  if (values.limit !== undefined) filters.limit = wholeNumber('--limit', values.limit, 1)
  const records = await clientFor(values, env).listLogs(filters)
  io.out(JSON.stringify(records, null, 2))
  return 0
}

function help(io: CommandIo, subcommand: keyof typeof usages): number {
  io.out(usages[subcommand])
  return 0
}

function clientFor(values: { 'base-url'?: string; auth?: string }, env: Record<string, string | undefined>): AdminClient {
  const baseUrl = requireHttpUrl('--base-url', values['base-url'])
  const auth: AdminAuth = oneOf('--auth', values.auth ?? 'x-api-token', ['x-api-token', 'bearer'] as const)
  const token = env.NUDJ_ADMIN_TOKEN?.trim()
  if (!token) throw new UsageError('set NUDJ_ADMIN_TOKEN to an Admin API token (it is never taken from the command line)')
  return createAdminClient({ baseUrl, token, auth })
}

function requireHttpUrl(option: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new UsageError(`${option} is required`)
  const url = URL.parse(value)
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:'))
    throw new UsageError(`${option} must be an http(s) URL, got '${value}'`)
  return value
}

function oneOf<const T extends string>(option: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new UsageError(`${option} must be ${allowed.join(' or ')}, got '${value}'`)
}

function wholeNumber(option: string, value: string, min: number): number {
  const n = Number(value)
  if (!/^\d+$/.test(value) || n < min) throw new UsageError(`${option} must be a whole number, ${min} or more, got '${value}'`)
  return n
}

function parseHeader(value: string): [string, string] {
  const colon = value.indexOf(':')
  const name = colon === -1 ? '' : value.slice(0, colon).trim()
  // The value may hold a secret, so the message never repeats it.
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) throw new UsageError(`--header must look like 'Name: value' with a valid header name`)
  return [name, value.slice(colon + 1).trim()]
}

async function readSecret(path: string): Promise<string> {
  let secret: string
  try {
    secret = (await readFile(path, 'utf8')).trim()
  } catch (error) {
    throw new UsageError(`--secret-file ${path} cannot be read: ${(error as Error).message}`, { cause: error })
  }
  if (secret === '') throw new UsageError(`--secret-file ${path} is empty`)
  return secret
}

function redactConfig(config: WebhookConfig): WebhookConfig {
  return isGen2Config(config) ? { ...config, secret: '***' } : { ...config, headers: redactHeaders(config.headers) }
}

function isParseArgsError(error: unknown): error is Error {
  const code = error instanceof Error ? (error as Error & { code?: unknown }).code : undefined
  return typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')
}
