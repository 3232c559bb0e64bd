// The console's API and its writes: authentication, a poisoned webhook in a DLQ redriven
// from the page (through the same operation as `pnpm ops dlq redrive`), search, and replay.
// The group is a consumer of this test's own on the real runtime, whose handler fails for
// every webhook until the test "deploys the fix".
import { SchemaRegistry } from '@kafkajs/confluent-schema-registry'
import { createNudjDecoder, type DecodedWebhook } from '@nudj-webhooks/contracts'
import { createKafkaClient, ensureGroupTopics, FatalError, runConsumer, type RunningConsumer } from '@nudj-webhooks/kafka'
import { createLogger, createMetricsRegistry } from '@nudj-webhooks/observability'
import { consumeUntil, startIngestProcess, uniqueName, waitFor, type IngestProcess } from '@nudj-webhooks/testing'
import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { SearchResult } from '../src/search-webhooks.ts'
import type { RunningConsole } from '../src/start-console.ts'
import { consoleToken, launchBrowser, openLoggedIn, sendEvent, startTestConsole, users, writeTopology } from './console-harness.ts'

const infra = inject('infra')
const prefix = uniqueName('console')
const group = uniqueName('console_poison')
const topic = `${prefix}.reward`
const logger = createLogger({ service: 'test', version: 'test', level: 'silent' })
const kafka = createKafkaClient({ brokers: infra.kafkaBrokers, clientId: 'console-test', logger })
let auditTopic: string
let ingest: IngestProcess
let running: RunningConsole
let browser: Browser
let consumer: RunningConsumer | undefined
/** Until the fix is "deployed", every webhook fails as a bad record would. */
let fixed = false
const handled: string[] = []

const api = async (path: string, init: RequestInit = {}) =>
  await fetch(`${running.address}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${consoleToken}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
  })

beforeAll(async () => {
  ingest = await startIngestProcess(infra, prefix, { KAFKA_TOPIC_PARTITIONS: '3', LOG_LEVEL: 'warn' })
  await ensureGroupTopics(kafka, { group, topics: [topic], retrySchedule: [300], partitions: 2, replicationFactor: 1, retentionHours: 24 })
  const decode = createNudjDecoder(new SchemaRegistry({ host: infra.schemaRegistryUrl }))
  consumer = await runConsumer<DecodedWebhook>(
    {
      group,
      topics: [topic],
      effect: 'none',
      decode: async (m) => await decode(m.value),
      retrySchedule: [300],
      handlerTimeoutMs: 5_000,
      async handler(_, ctx) {
        if (!fixed) throw new FatalError('POISONED', 'this build cannot handle it')
        handled.push(ctx.id)
      },
    },
    { kafka, logger, registry: createMetricsRegistry('test') },
  )
  const topology = await writeTopology(prefix, [{ name: group, categories: ['reward'], retrySchedule: ['300ms'] }])
  auditTopic = topology.auditTopic
  ;[running, browser] = await Promise.all([startTestConsole(infra, prefix, topology.file), launchBrowser()])
}, 120_000)

afterAll(async () => {
  await Promise.allSettled([browser?.close(), running?.close(), ingest?.stop(), consumer?.close()])
})

describe('the console’s API', () => {
  it('refuses every API route without the token (401 with a code and a message), and trades the token for an HttpOnly cookie', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-the-console-token' }, { cookie: 'nudj_console_session=guess' }]) {
      const response = await fetch(`${running.address}/api/groups`, { headers })
      expect(response.status).toBe(401)
      expect(await response.json()).toEqual({ code: 'UNAUTHORIZED', message: expect.stringContaining('token') as string })
    }
    expect((await fetch(`${running.address}/api/session`, { method: 'POST', headers: { authorization: 'Bearer nope' } })).status).toBe(401)
    const page = await fetch(`${running.address}/`)
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'")
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline')

    const browserPage = await openLoggedIn(browser, running)
    const [cookie] = await browserPage.context().cookies(running.address)
    expect(cookie).toMatchObject({ name: 'nudj_console_session', httpOnly: true, sameSite: 'Strict' })
    expect(await browserPage.evaluate('document.cookie')).toBe('')
    await browserPage.close()
  })
})

describe('a poisoned webhook', () => {
  it('appears in the DLQ, and a redrive from the page delivers it once the cause is fixed', async () => {
    const id = await sendEvent(ingest, 'reward.earned', users[2]!)
    await waitFor(
      async () => {
        const listing = (await (await api(`/api/groups/${group}/dlq`)).json()) as { records: { key: string }[] }
        return listing.records.some((r) => r.key === id)
      },
      { timeoutMs: 30_000, intervalMs: 300, message: `${id} did not reach ${group}.dlq` },
    )
    const page = await openLoggedIn(browser, running)
    await page.locator('nav [data-tab="dlq"]').click()
    await page.locator('#dlq-form button[type=submit]').click()
    const row = page.locator(`#dlq tr[data-key="${id}"]`)
    await row.waitFor({ timeout: 20_000 })
    expect(await row.locator('td').nth(3).textContent()).toBe('POISONED')
    expect(await row.getAttribute('data-redriven')).toBe('false')
    const place = (await row.locator('td').first().textContent()) ?? ''
    await row.locator('button').click()
    await page.locator(`#dlq-record[data-record="${place}"]`).waitFor({ timeout: 20_000 })
    expect(await page.locator('#dlq-record').textContent()).toContain(`"webhookId": "${id}"`)

    // The fix is out: a dry run first, then the redrive, capped by the console's rate.
    fixed = true
    const result = page.locator('#redrive-result')
    await page.locator('#redrive-dry').click()
    await page.locator('#redrive-result[data-outcome="planned"]').waitFor({ timeout: 20_000 })
    expect(await result.textContent()).toContain(`would redrive 1 record(s) from ${group}.dlq to ${group}.retry.300ms`)
    expect(handled).toEqual([])
    await page.locator('#redrive-run').click()
    await page.locator('#redrive-result[data-outcome="done"]').waitFor({ timeout: 30_000 })
    expect(await result.textContent()).toContain(`redrove 1 record(s) to ${group}.retry.300ms`)
    await waitFor(async () => handled.includes(id), { timeoutMs: 30_000, message: `${id} was not handled after the redrive` })
    expect(handled).toEqual([id])
    await page.locator(`#dlq tr[data-key="${id}"][data-redriven="true"]`).waitFor({ timeout: 20_000 })

    // Audited as `pnpm ops` audits it, with the console as the actor.
    const [audit] = await consumeUntil(kafka, { topics: [auditTopic], groupId: uniqueName('audit'), until: (r) => r.length >= 1 })
    expect(audit?.message.key?.toString()).toBe(group)
    expect(JSON.parse(audit?.message.value?.toString() ?? '{}')).toMatchObject({
      action: 'dlq-redrive',
      group,
      from: `${group}.dlq`,
      to: `${group}.retry.300ms`,
      redriven: 1,
      stopped: 'done',
      who: { user: 'console', via: 'console', client: '127.0.0.1' },
    })
    const tooFast = await api(`/api/groups/${group}/dlq/redrive`, { method: 'POST', body: JSON.stringify({ dryRun: true, rate: 51 }) })
    expect(tooFast.status).toBe(400)
    expect(((await tooFast.json()) as { message: string }).message).toContain('CONSOLE_REDRIVE_MAX_RATE')
    await page.close()
  })
})

describe('search and replay', () => {
  it('finds webhooks by user id and event type in a time range', async () => {
    const user = users[3]!
    const id = await sendEvent(ingest, 'reward.earned', user)
    const from = new Date(Date.now() - 60_000).toISOString()
    const search = async (query: Record<string, string>) =>
      (await (await api(`/api/search?${new URLSearchParams({ from, ...query }).toString()}`)).json()) as SearchResult
    await waitFor(async () => (await search({ userId: user.id })).results.some((r) => r.webhookId === id), { timeoutMs: 20_000 })
    const byUser = await search({ userId: user.id, event: 'reward.earned' })
    expect(byUser.results.map((r) => [r.webhookId, r.userId, r.event, r.kind])).toEqual([[id, user.id, 'reward.earned', 'received']])
    expect(byUser.topics).toEqual([topic])
    expect((await search({ userId: user.id, event: 'challenge.completed' })).results).toEqual([])
    const future = await search({ webhookId: id, from: new Date(Date.now() + 60_000).toISOString() })
    expect(future.results).toEqual([])
    const bad = await api(`/api/search?from=yesterday`)
    expect(bad.status).toBe(400)

    // The same search from the page (its default window: the last hour).
    const page = await openLoggedIn(browser, running)
    await page.locator('nav [data-tab="search"]').click()
    await page.locator('#search-form input[name="userId"]').fill(user.id)
    await page.locator('#search-form input[name="event"]').fill('reward.earned')
    await page.locator('#search-form button[type=submit]').click()
    await page.locator(`#search-results tr[data-webhook-id="${id}"]`).waitFor({ timeout: 20_000 })
    expect(await page.locator('#search-results tr').count()).toBe(1)
    expect(await page.locator('#search-note').textContent()).toMatch(/^1 found; \d+ records read in 1 topics$/)
    await page.close()
  })

  it('refuses to replay a group that has members, and moves a stopped group’s offsets back', async () => {
    const page = await openLoggedIn(browser, running)
    await page.locator('nav [data-tab="replay"]').click()
    await page.locator('#replay-form input[name="from"]').fill('earliest')
    await page.locator('#replay-dry').click()
    const result = page.locator('#replay-result')
    await result.filter({ hasText: 'dry run: no offsets changed' }).waitFor({ timeout: 20_000 })
    expect(await result.textContent()).toContain(`note: replay would refuse now: group ${group} is Stable with 1 member`)
    await page.locator('#replay-run').click()
    await result.filter({ hasText: 'GROUP_ACTIVE' }).waitFor({ timeout: 20_000 })

    await consumer?.close()
    consumer = undefined
    await page.locator('#replay-run').click()
    await result.filter({ hasText: 'reset' }).waitFor({ timeout: 30_000 })
    const response = await api(`/api/groups/${group}/replay`, { method: 'POST', body: JSON.stringify({ from: 'earliest', dryRun: true }) })
    const plan = (await response.json()) as { rows: { topic: string; committed: number | null; target: number; records: number }[] }
    expect(plan.rows.map((r) => r.topic)).toEqual([topic, topic, topic])
    expect(plan.rows.every((r) => r.committed === r.target)).toBe(true)
    expect(plan.rows.reduce((sum, r) => sum + r.records, 0)).toBe(2)
    await page.close()
  })
})
