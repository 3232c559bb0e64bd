import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import { runSend } from '../src/run-send.ts'
import type { PlannedDelivery } from '../src/plan-deliveries.ts'
import type { DeliveryResult } from '../src/deliver.ts'
import { startReceiver } from './start-receiver.ts'

const secret = 'whsec_test-secret'
const gen1Token = 'gen1-test-token'
const fast = { kind: 'fixed', delayMs: 5, maxRetries: 3 } as const
let receiver: Awaited<ReturnType<typeof startReceiver>> | undefined

afterEach(async () => {
  await receiver?.close()
  receiver = undefined
})

describe('runSend', () => {
  it('delivers every event, retries 5xx with the same id, redelivers, and sees bad requests refused', async () => {
    receiver = await startReceiver({ secret, gen1Token, failFirstShare: 0.1 })
    const finished: [PlannedDelivery, DeliveryResult][] = []
    const report = await runSend({
      receiver: { url: receiver.url, secret, gen1Headers: { Authorization: `Bearer ${gen1Token}`, 'X-Webhook-Source': 'nudj-platform' } },
      count: 400,
      rate: 4000,
      concurrency: 20,
      seed: 11,
      duplicates: 0.05,
      reorder: 0.1,
      bad: 0.05,
      policies: { gen1: fast, gen2: { kind: 'exponential', initialDelayMs: 5, factor: 2, maxDelayMs: 20, maxRetries: 4 } },
      onDelivery: (planned, result) => finished.push([planned, result]),
    })

    const good = finished.filter(([p]) => p.kind !== 'bad')
    const bad = finished.filter(([p]) => p.kind === 'bad')
    // Every good delivery was acknowledged; every bad one refused with a 4xx and never retried.
    expect(good.every(([, r]) => r.outcome === 'acknowledged')).toBe(true)
    expect(bad.length).toBeGreaterThan(5)
    expect(bad.every(([, r]) => r.outcome === 'rejected' && r.attempts.length === 1 && r.status! >= 400 && r.status! < 500)).toBe(true)

    // The receiver saw each of the 400 events, both generations, under the sender's ids.
    const accepted = receiver.received.filter((r) => r.status === 202)
    const ids = new Set(accepted.map((r) => r.webhookId))
    expect(ids.size).toBe(400)
    expect(new Set(accepted.map((r) => r.generation))).toEqual(new Set(['gen1', 'gen2']))
    // Retried deliveries kept their id: 503s are followed by a 202 for the same id.
    const failedFirst = receiver.received.filter((r) => r.status === 503).map((r) => r.webhookId)
    expect(failedFirst.length).toBeGreaterThan(10)
    expect(failedFirst.every((id) => ids.has(id))).toBe(true)
    // Redeliveries arrive as a second acknowledged delivery of the same id.
    expect(accepted.length - ids.size).toBe(report.duplicates)

    expect(report).toMatchObject({ events: 400, deliveries: { sent: 400 + report.duplicates + report.bad.sent, gaveUp: 0, inFlight: 0 } })
    expect(report.deliveries.acknowledged).toBe(400 + report.duplicates)
    expect(report.bad).toMatchObject({ rejected: report.bad.sent, acknowledged: 0 })
    expect(report.retried.attempts).toBe(failedFirst.length)
    expect(report.statusCodes['503']).toBe(failedFirst.length)
    expect(report.latencyMs.max).toBeGreaterThanOrEqual(report.latencyMs.p99)
  })
})

describe('nudj-sim send (the command)', () => {
  const bin = fileURLToPath(new URL('../bin/nudj-sim.ts', import.meta.url))
  const run = async (args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> =>
    await new Promise((resolve) => {
      execFile(
        process.execPath,
        [bin, ...args],
        { env: { ...process.env, ...env }, timeout: 120_000, maxBuffer: 10 * 1024 * 1024 },
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
      )
    })

  // 150 s: more than the command's own 120 s limit, so that a slow run ends there and not in vitest.
  it('sends 10,000 events of both generations at the chosen rate and prints the report as JSON', { timeout: 150_000 }, async () => {
    receiver = await startReceiver({ secret, gen1Token })
    const { code, stdout } = await run(
      ['send', '--url', receiver.url, '--count', '10000', '--rate', '5000', '--concurrency', '64', '--json'],
      {
        NUDJ_SIM_SECRET: secret,
        NUDJ_SIM_GEN1_TOKEN: gen1Token,
      },
    )
    expect(code).toBe(0)
    const report = JSON.parse(stdout) as {
      events: number
      duplicates: number
      deliveries: { acknowledged: number; gaveUp: number }
      requestedRate: number
    }
    expect(report).toMatchObject({ events: 10_000, requestedRate: 5000, deliveries: { gaveUp: 0 } })
    expect(report.deliveries.acknowledged).toBe(10_000 + report.duplicates)
    expect(new Set(receiver.received.map((r) => r.webhookId)).size).toBe(10_000)
  })

  it('refuses to run without credentials or with bad options, saying what is wrong', async () => {
    const { code, stderr } = await run(['send', '--url', 'ftp://x', '--rate', '0', '--gen1-share', '2'], {
      NUDJ_SIM_SECRET: '',
      NUDJ_SIM_GEN1_TOKEN: '',
    })
    expect(code).toBe(2)
    expect(stderr).toContain("--url must be an http(s) URL, got 'ftp://x'")
    expect(stderr).toContain("--rate must be a positive number, got '0'")
    expect(stderr).toContain("--gen1-share must be between 0 and 1, got '2'")
  })
})
