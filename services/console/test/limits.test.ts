// The console's bounds per replica: open live tails (CONSOLE_MAX_STREAMS). Scans
// (CONSOLE_MAX_SCANS) take their slots the same way (create-slots.test.ts); a scan cannot be
// held open here without racing Kafka, so only the tails are driven end to end.
import { request } from 'node:http'
import { uniqueName, waitFor } from '@nudj-webhooks/testing'
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest'
import type { RunningConsole } from '../src/start-console.ts'
import { consoleToken, startTestConsole, writeTopology } from './console-harness.ts'

const infra = inject('infra')
const prefix = uniqueName('console_limits')
let running: RunningConsole

type Tail = { status: number; code?: string; retryAfter?: string; close: () => void }

/** Opens GET /api/tail and answers once the status is known (for a stream: its first bytes). */
async function openTail(): Promise<Tail> {
  return await new Promise((resolve, reject) => {
    const req = request(`${running.address}/api/tail`, { headers: { authorization: `Bearer ${consoleToken}` } }, (res) => {
      const close = (): void => void req.destroy()
      if (res.statusCode === 200) return void res.once('data', () => resolve({ status: 200, close }))
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () => {
        const { code } = JSON.parse(body) as { code: string }
        resolve({ status: res.statusCode ?? 0, code, retryAfter: res.headers['retry-after'], close })
      })
    })
    req.on('error', reject)
    req.end()
  })
}

beforeAll(async () => {
  const topology = await writeTopology(prefix, [
    { name: uniqueName('console_limits_group'), categories: ['reward'], retrySchedule: ['1s'] },
  ])
  running = await startTestConsole(infra, prefix, topology.file, { CONSOLE_MAX_STREAMS: '2' })
}, 60_000)

afterAll(async () => {
  await running?.close()
})

describe('the console’s bounds', () => {
  it('refuses a live tail beyond CONSOLE_MAX_STREAMS with 503 BUSY and Retry-After, and takes one again once a tail closes', async () => {
    const [first, second] = [await openTail(), await openTail()]
    expect([first.status, second.status]).toEqual([200, 200])
    const third = await openTail()
    expect(third).toMatchObject({ status: 503, code: 'BUSY', retryAfter: '5' })

    first.close()
    // The slot is given back when the server sees the connection close.
    let again: Tail | undefined
    await waitFor(
      async () => {
        again?.close()
        again = await openTail()
        return again.status === 200
      },
      { timeoutMs: 10_000, intervalMs: 100, message: 'no tail slot came back after a tail closed' },
    )
    again?.close()
    second.close()
  })
})
