// Across processes, as in production: the simulator sends a webhook to the real ingest, the
// three consumer services handle it as processes of their own, and the console (in this
// process) shows it live and tells its whole story in a real browser.
import { randomBytes } from 'node:crypto'
import {
  createFreshDatabase,
  startIngestProcess,
  startService,
  uniqueName,
  type FreshDatabase,
  type IngestProcess,
  type StartedService,
} from '@nudj-webhooks/testing'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { GroupsView } from '../src/describe-groups.ts'
import type { Story } from '../src/read-story.ts'
import type { RunningConsole } from '../src/start-console.ts'
import {
  consoleToken,
  launchBrowser,
  openLoggedIn,
  sendEvent,
  sendForged,
  startTestConsole,
  users,
  writeTopology,
} from './console-harness.ts'

const infra = inject('infra')
const prefix = uniqueName('console')
const services = ['analytics', 'email', 'notifications'] as const
const groups = Object.fromEntries(services.map((s) => [s, uniqueName(`console_${s}`)])) as Record<(typeof services)[number], string>
const categories = {
  analytics: ['reward', 'challenge', 'action', 'achievement', 'points', 'referral', 'community', 'user', 'shopify', 'unknown'],
  email: ['reward', 'challenge', 'achievement', 'referral', 'user'],
  notifications: ['reward', 'challenge', 'achievement', 'points', 'referral'],
}
const databases: FreshDatabase[] = []
const consumers: StartedService[] = []
let ingest: IngestProcess
let running: RunningConsole
let browser: Browser

// 180 s: service processes, each with its own 60 s readiness wait, on a loaded machine.
beforeAll(async () => {
  for (const service of services) databases.push(await createFreshDatabase(infra.databaseUrl, `console_${service}`))
  const extra = {
    analytics: { ANALYTICS_API_TOKENS: randomBytes(24).toString('base64url') },
    email: { EMAIL_MAX_PER_SECOND: '0' },
    notifications: { NOTIFICATIONS_TOKEN_SECRET: randomBytes(32).toString('base64url') },
  }
  // Ingest first: it creates the category topics, and fails to start when another process
  // is creating them at the same moment (its describeConfigs meets a topic not yet served).
  ingest = await startIngestProcess(infra, prefix, { KAFKA_TOPIC_PARTITIONS: '3', LOG_LEVEL: 'warn' })
  const started = await Promise.all([
    ...services.map(
      async (service, i) =>
        await startService(service, infra, {
          topicPrefix: prefix,
          group: groups[service],
          databaseUrl: databases[i]!.url,
          partitions: 3,
          retrySchedule: '500ms,1s',
          env: extra[service],
        }),
    ),
    launchBrowser(),
  ])
  consumers.push(...(started.slice(0, 3) as StartedService[]))
  browser = started[3] as Browser
  // After the services: the topics they made exist, so the live tail follows them all.
  const topology = await writeTopology(
    prefix,
    services.map((s) => ({ name: groups[s], categories: categories[s], retrySchedule: ['500ms', '1s'] })),
  )
  running = await startTestConsole(infra, prefix, topology.file, {
    CONSOLE_ANALYTICS_DATABASE_URL: databases[0]!.url,
    CONSOLE_EMAIL_DATABASE_URL: databases[1]!.url,
    CONSOLE_NOTIFICATIONS_DATABASE_URL: databases[2]!.url,
    CONSOLE_METRICS_URLS: consumers.map((c) => `${c.opsUrl}/metrics`).join(','),
  })
}, 180_000)

afterAll(async () => {
  await Promise.allSettled([browser?.close(), running?.close(), ingest?.stop(), ...consumers.map(async (c) => await c.stop())])
  await Promise.allSettled(databases.map(async (d) => await d.drop()))
})

async function story(id: string): Promise<Story> {
  const response = await fetch(`${running.address}/api/webhooks/${encodeURIComponent(id)}`, {
    headers: { authorization: `Bearer ${consoleToken}` },
  })
  expect(response.status).toBe(200)
  return (await response.json()) as Story
}

/** Every consumer has finished with it: ledgers completed, the email sent, the inbox row written, each group committed past it. */
function handledByAll(s: Story): boolean {
  const done = (service: string) => {
    const outcome = s.outcomes.find((o) => o.service === service)
    return outcome !== undefined && 'ledger' in outcome && outcome.ledger.some((row) => row.state === 'completed')
  }
  const email = s.outcomes.find((o) => o.service === 'email')
  const sent = email !== undefined && 'rows' in email && email.rows.some((row) => row.state === 'sent')
  const notifications = s.outcomes.find((o) => o.service === 'notifications')
  const committed = s.positions.length === 3 && s.positions.every((p) => p.past)
  return (
    done('analytics') &&
    done('email') &&
    done('notifications') &&
    sent &&
    committed &&
    notifications !== undefined &&
    'rows' in notifications &&
    notifications.rows.length === 1
  )
}

describe('the console in a real browser', () => {
  it('shows a simulated webhook in the live tail, and its story has every consumer’s outcome', async () => {
    const page = await openLoggedIn(browser, running)
    const user = users[1]!
    const id = await sendEvent(ingest, 'reward.earned', user)
    const row = page.locator(`#tail tr[data-webhook-id="${id}"][data-kind="received"]`)
    await row.waitFor({ timeout: 20_000 })
    expect(await row.locator('td').nth(2).textContent()).toBe('reward.earned')
    expect(await row.locator('td').nth(5).textContent()).toBe('stored')

    // A forged request: refused, and shown from the rejected-request audit topic.
    expect(await sendForged(ingest, user)).toBe(401)
    const rejected = page.locator('#tail tr[data-kind="rejected"]')
    await rejected.first().waitFor({ timeout: 20_000 })
    expect(await rejected.first().locator('td').nth(5).textContent()).toBe('rejected 401 BAD_SIGNATURE')

    await expect.poll(async () => handledByAll(await story(id)), { timeout: 45_000, interval: 500 }).toBe(true)
    await row.locator('a.webhook').click()
    const panel = page.locator('#story')
    await panel.locator(`[data-story-webhook-id="${id}"]`).waitFor({ timeout: 20_000 })
    // Its Kafka record on the category topic, and each group committed past it.
    expect(await panel.locator(`tr[data-topic="${prefix}.reward"]`).count()).toBe(1)
    for (const service of services) await panel.locator('td', { hasText: groups[service] }).first().waitFor()
    expect(await panel.locator('td', { hasText: 'handled (committed past it)' }).count()).toBe(3)
    // Each service's outcome: the ledgers, the email's state and Message-ID, the inbox row.
    const emailSection = panel.locator('section[data-service="email"]')
    expect(await emailSection.locator('td', { hasText: /^sent$/ }).count()).toBe(1)
    expect(await emailSection.textContent()).toMatch(/<[0-9a-f]{64}@[^>]+>/)
    expect(await panel.locator('section[data-service="notifications"] td', { hasText: 'reward-earned' }).count()).toBe(1)
    expect(await panel.locator('section[data-service="analytics"] td', { hasText: /^completed$/ }).count()).toBe(1)
    // The envelope and the body as sent.
    expect(await panel.locator('#story-envelope').textContent()).toContain(`"webhookId": "${id}"`)
    expect(await panel.locator('#story-body').textContent()).toContain('"event": "reward.earned"')

    // The groups: members and per-partition lag, from Kafka and the services' metrics.
    await page.locator('nav [data-tab="groups"]').click()
    const emailGroup = page.locator(`.group[data-group="${groups.email}"]`)
    await emailGroup.waitFor({ timeout: 20_000 })
    expect(await emailGroup.locator('h3').textContent()).toBe(`${groups.email} — Stable, 1 member`)
    expect(await emailGroup.locator('.partitions tbody tr').count()).toBe(3 * categories.email.length)
    const response = await fetch(`${running.address}/api/groups`, { headers: { authorization: `Bearer ${consoleToken}` } })
    const view = (await response.json()) as GroupsView
    const email = view.groups.find((g) => g.group === groups.email)
    expect(email?.members).toHaveLength(1)
    expect(email?.partitions.some((p) => p.lagSeconds !== null)).toBe(true)
    expect(view.metrics).toEqual(consumers.map((c) => ({ url: `${c.opsUrl}/metrics` })))
    await page.close()
  })
})
