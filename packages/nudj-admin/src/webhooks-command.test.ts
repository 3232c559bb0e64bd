import { describe, expect, it } from 'vitest'
import { runWebhooksCommand } from './webhooks-command.ts'

async function run(argv: string[], env: Record<string, string | undefined> = { NUDJ_ADMIN_TOKEN: 'tok_secret_value' }) {
  const out: string[] = []
  const err: string[] = []
  const code = await runWebhooksCommand(argv, { out: (l) => out.push(l), err: (l) => err.push(l) }, env)
  return { code, out: out.join('\n'), err: err.join('\n') }
}

// Every case fails before any request: the base URL points at a port nothing listens on.
const base = ['--base-url', 'http://127.0.0.1:9/api/v2/admin']

describe('nudj webhooks argument errors', () => {
  it('exits 2 with the usage when no subcommand is given, 0 for --help', async () => {
    expect(await run([])).toMatchObject({ code: 2, out: '', err: expect.stringContaining('usage: nudj webhooks') as unknown })
    expect(await run(['--help'])).toMatchObject({ code: 0, out: expect.stringContaining('register') as unknown })
  })

  it('answers --help on every subcommand without needing a token or a base URL', async () => {
    for (const subcommand of ['list', 'register', 'logs']) {
      const result = await run([subcommand, '--help'], {})
      expect(result.code).toBe(0)
      expect(result.out).toContain(`usage: nudj webhooks ${subcommand}`)
    }
  })

  it.each([
    [['deploy'], "unknown subcommand 'deploy'"],
    [['list', '--bogus'], "Unknown option '--bogus'"],
    [['list'], '--base-url is required'],
    [['list', '--base-url', 'sub.nudj.cx'], "--base-url must be an http(s) URL, got 'sub.nudj.cx'"],
    [['list', ...base, '--auth', 'basic'], "--auth must be x-api-token or bearer, got 'basic'"],
    [['register', ...base, '--events', 'a'], '--url is required'],
    [['register', ...base, '--url', 'https://r.example/h'], '--events is required'],
    [
      ['register', ...base, '--url', 'https://r.example/h', '--events', 'a', '--body-shape', 'object'],
      '--body-shape must be array or wrapped',
    ],
    [['register', ...base, '--url', 'https://r.example/h', '--events', 'a', '--secret-file', 'f', '--method', 'PUT'], 'takes no --method'],
    [['register', ...base, '--url', 'https://r.example/h', '--events', 'a', '--method', 'GET'], '--method must be POST or PUT'],
    [
      ['register', ...base, '--url', 'https://r.example/h', '--events', 'a', '--max-retries', 'three'],
      '--max-retries must be a whole number',
    ],
    [
      ['register', ...base, '--url', 'https://r.example/h', '--events', 'a', '--header', 'no colon'],
      "--header must look like 'Name: value'",
    ],
    [['register', ...base, '--url', 'https://r.example/h', '--events', 'a', '--secret-file', '/nonexistent/secret'], 'cannot be read'],
    [['logs', ...base, '--status', 'done'], '--status must be pending or delivered or retrying or failed'],
    [['logs', ...base, '--success', 'yes'], '--success must be true or false'],
    [['logs', ...base, '--limit', '0'], '--limit must be a whole number, 1 or more'],
    [['logs', ...base, '--since', 'yesterday'], '--since must be an ISO date'],
  ])('exits 2 for %j', async (argv, message) => {
    const result = await run(argv)
    expect(result.code).toBe(2)
    expect(result.err).toContain(message)
    expect(result.out).toBe('')
  })

  it('refuses to run without NUDJ_ADMIN_TOKEN and never takes the token from argv', async () => {
    const missing = await run(['list', ...base], {})
    expect(missing.code).toBe(2)
    expect(missing.err).toContain('set NUDJ_ADMIN_TOKEN')
    expect((await run(['list', ...base, '--token', 'x'])).err).toContain("Unknown option '--token'")
  })

  it('never prints a secret header value it could not parse', async () => {
    const result = await run(['register', ...base, '--url', 'https://r.example/h', '--events', 'a', '--header', 'Bearer tok_in_header'])
    expect(result.code).toBe(2)
    expect(result.err).not.toContain('tok_in_header')
  })
})
