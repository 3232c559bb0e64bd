import { startIngestProcess, type IngestProcess } from '@nudj-webhooks/testing'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { RunningNotifications } from '../src/start-notifications.ts'
import { createSuite, sendEvent, startInProcess, tokenFor, users, type Suite } from './harness.ts'

const infra = inject('infra')
let suite: Suite
let ingest: IngestProcess
let service: RunningNotifications
let browser: Browser
const user = users[11]!

// 180 s: more than a service process's own 60 s readiness wait, whose error says what went wrong.
beforeAll(async () => {
  suite = await createSuite(infra)
  ;[ingest, service, browser] = await Promise.all([
    startIngestProcess(infra, suite.topicPrefix, { KAFKA_TOPIC_PARTITIONS: '3' }),
    startInProcess(infra, suite),
    // Debian's chromium, headless; no sandbox because tests run as root in CI containers.
    chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] }),
  ])
}, 180_000)
afterAll(async () => {
  await Promise.allSettled([browser?.close(), service?.close(), ingest?.stop()])
  await suite?.database.drop()
})

describe('the notifications page in a real browser', () => {
  it('lists the inbox, then shows a notification arriving live', async () => {
    const earlier = await sendEvent(ingest, 'achievement.earned', user)
    const page = await browser.newPage()
    const token = tokenFor(user.id)
    // Wait until the earlier one is in the inbox, so the page lists it on load.
    await expect
      .poll(
        async () => {
          const r = await fetch(`${service.address}/v1/users/${user.id}/notifications`, { headers: { authorization: `Bearer ${token}` } })
          return ((await r.json()) as { items: unknown[] }).items.length
        },
        { timeout: 20_000 },
      )
      .toBe(1)
    // Every URL the page requests, to check that the token travels in none of them.
    const requested: string[] = []
    page.on('request', (request) => requested.push(request.url()))
    await page.goto(`${service.address}/?user=${encodeURIComponent(user.id)}#token=${encodeURIComponent(token)}`)
    await page.locator(`li[data-webhook-id="${earlier}"]`).waitFor({ timeout: 10_000 })
    await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 10_000 })
    // The token left the address bar, went to the server only as a header, and is now an HttpOnly cookie.
    expect(page.url()).toBe(`${service.address}/?user=${encodeURIComponent(user.id)}`)
    expect(requested.filter((url) => url.includes(token))).toEqual([])
    expect(requested.some((url) => url.includes('/notifications/stream'))).toBe(true)
    const [cookie] = await page.context().cookies(`${service.address}/v1/users/${encodeURIComponent(user.id)}/notifications`)
    expect(cookie).toMatchObject({ name: 'nudj_notifications_token', value: token, httpOnly: true, sameSite: 'Strict' })
    expect(await page.evaluate('document.cookie')).toBe('')

    const live = await sendEvent(ingest, 'reward.earned', user)
    const item = page.locator(`li[data-webhook-id="${live}"]`)
    await item.waitFor({ timeout: 20_000 })
    expect(await item.locator('strong').textContent()).toBe('Reward earned')
    expect(await page.locator('li').count()).toBe(2)
    // Clicking marks it read through the inbox API.
    await item.click()
    await page.locator(`li.read[data-webhook-id="${live}"]`).waitFor({ timeout: 10_000 })
    await page.close()
  })

  it('says so when the token is refused', async () => {
    const page = await browser.newPage()
    await page.goto(`${service.address}/?user=${encodeURIComponent(user.id)}#token=${encodeURIComponent(tokenFor(users[0]!.id))}`)
    await page.locator('#status', { hasText: '403' }).waitFor({ timeout: 10_000 })
    await page.close()
  })
})
