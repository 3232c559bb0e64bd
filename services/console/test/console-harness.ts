// What the console's tests share: a topology of the suite's own, the console in this process,
// a browser logged in to it, and webhooks sent through the real ingest as Nudj sends them.
import { randomBytes } from 'node:crypto'
import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { allCategoryTopics, rejectedTopic } from '@nudj-webhooks/contracts'
import {
  buildGen2Event,
  buildRequest,
  corruptRequest,
  createRandom,
  createWorld,
  deliver,
  type Gen2Name,
  type SimUser,
} from '@nudj-webhooks/nudj-sim'
import { createLogger } from '@nudj-webhooks/observability'
import { infraToEnv, type Infra, type IngestProcess } from '@nudj-webhooks/testing'
import { chromium, type Browser, type Page } from 'playwright-core'
import { loadConsoleConfig } from '../src/config.ts'
import { startConsole, type RunningConsole } from '../src/start-console.ts'

export const consoleToken = randomBytes(24).toString('base64url')

export type TopologyGroupSpec = { name: string; categories: string[]; retrySchedule: string[] }

/** A topology file over the suite's topics (`<prefix>.<category>`), its groups, and an audit topic of its own. */
export async function writeTopology(topicPrefix: string, groups: TopologyGroupSpec[]): Promise<{ file: string; auditTopic: string }> {
  const auditTopic = `${topicPrefix}.ops.audit`
  const topology = {
    defaults: { partitions: 3, replicationFactor: 1, retentionHours: 24 },
    auditTopic,
    topics: [...allCategoryTopics(topicPrefix), rejectedTopic(topicPrefix)],
    groups: Object.fromEntries(
      groups.map((g) => [g.name, { topics: g.categories.map((c) => `${topicPrefix}.${c}`), retrySchedule: g.retrySchedule }]),
    ),
  }
  const file = join(await mkdtemp(join(tmpdir(), 'console-')), 'topology.json')
  await writeFile(file, JSON.stringify(topology))
  return { file, auditTopic }
}

/** The console in this process on a free loopback port, over the suite's topology. */
export async function startTestConsole(infra: Infra, topicPrefix: string, topologyFile: string, env: Record<string, string> = {}) {
  const config = loadConsoleConfig({
    ...infraToEnv(infra),
    KAFKA_TOPIC_PREFIX: topicPrefix,
    CONSOLE_PORT: '0',
    CONSOLE_TOKEN: consoleToken,
    TOPOLOGY_FILE: topologyFile,
    ...env,
  })
  return await startConsole(config, createLogger({ service: 'console', version: 'test', level: 'warn' }))
}

export async function launchBrowser(): Promise<Browser> {
  // Debian's chromium, headless; no sandbox because tests run as root in CI containers.
  return await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-dev-shm-usage'] })
}

/** A page of the console, logged in through its form; confirmations (redrive, replay) are accepted. */
export async function openLoggedIn(browser: Browser, running: RunningConsole): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  page.on('dialog', (dialog) => void dialog.accept())
  await page.goto(running.address)
  await page.locator('#token').fill(consoleToken)
  await page.locator('#login button[type=submit]').click()
  await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: 15_000 })
  return page
}

const world = createWorld({ seed: 20, users: 10 })
export const users: SimUser[] = world.users

/** Sends one gen-2 event through ingest as Nudj would (retrying as it does); answers its delivery id. */
export async function sendEvent(ingest: IngestProcess, name: Gen2Name, user: SimUser): Promise<string> {
  const event = buildGen2Event(world, name, { user, at: new Date() })
  const request = buildRequest({ url: ingest.url, secret: ingest.secret, gen1Headers: {} }, event)
  const result = await deliver(request, { policy: { kind: 'fixed', delayMs: 200, maxRetries: 5 }, timeoutMs: 5_000 })
  if (result.outcome !== 'acknowledged') throw new Error(`ingest did not acknowledge: ${JSON.stringify(result.attempts.at(-1))}`)
  return event.deliveryId
}

/** A request signed with the wrong secret: ingest answers 401 and records it on the rejected topic. */
export async function sendForged(ingest: IngestProcess, user: SimUser): Promise<number> {
  const event = buildGen2Event(world, 'reward.earned', { user, at: new Date() })
  const request = corruptRequest(
    buildRequest({ url: ingest.url, secret: ingest.secret, gen1Headers: {} }, event),
    'wrong-secret',
    ingest.secret,
    createRandom(1),
  )
  const response = await fetch(request.url, { method: request.method, headers: request.headers, body: request.body })
  return response.status
}
