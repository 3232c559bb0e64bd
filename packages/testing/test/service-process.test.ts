import { runSend } from '@nudj-webhooks/nudj-sim'
import { describe, expect, inject, it } from 'vitest'
import { startIngestProcess, uniqueName } from '../src/index.ts'

const infra = inject('infra')

describe('startIngestProcess', () => {
  // 120 s: more than the process's own 60 s readiness wait, whose error says what went wrong.
  it('runs the real ingest as a process that accepts both generations and exits 0 on SIGTERM', async () => {
    const ingest = await startIngestProcess(infra, uniqueName('svcproc'))
    try {
      const report = await runSend({
        receiver: ingest.receiver,
        count: 20,
        rate: 200,
        concurrency: 4,
      })
      expect(report.deliveries).toMatchObject({ sent: 20, acknowledged: 20, rejected: 0 })
    } finally {
      expect(await ingest.stop()).toBe(0)
    }
    expect(ingest.logLines.some((line) => line.includes('"msg":"listening"') || line.includes('listening'))).toBe(true)
    expect(ingest.logLines.join('\n')).not.toContain(ingest.secret)
  }, 120_000)
})
