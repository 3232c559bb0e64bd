import type { Pipeline } from '../lib/start-pipeline.ts'
import type { FaultName, PlannedFault } from './fault-plan.ts'

export type FaultRecord = PlannedFault & {
  /** Seconds after the send began: when the fault struck, and when the piece answered again. */
  struckAtSeconds?: number
  backAtSeconds?: number
  duringSend?: boolean
  error?: string
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, Math.max(0, ms)))

/**
 * Runs the planned faults one after the other, each at its moment (or as soon as the one
 * before has recovered): SIGKILL and restart a service process; stop, wait `outageMs`, and
 * start the broker or Postgres. Answers what happened, fault by fault.
 */
export async function runFaults(
  pipeline: Pipeline,
  plan: PlannedFault[],
  o: { sendBegan: number; outageMs: number; sendDone: () => boolean; say: (line: string) => void },
): Promise<FaultRecord[]> {
  const records: FaultRecord[] = []
  const at = (): number => Math.round((Date.now() - o.sendBegan) / 100) / 10
  for (const planned of plan) {
    await sleep(o.sendBegan + planned.plannedAtSeconds * 1000 - Date.now())
    const record: FaultRecord = { ...planned, struckAtSeconds: at(), duringSend: !o.sendDone() }
    records.push(record)
    o.say(`fault: ${describe(planned.fault)} at ${record.struckAtSeconds} s`)
    try {
      await strike(pipeline, planned.fault, o.outageMs)
      record.backAtSeconds = at()
      o.say(`fault: ${planned.fault} back at ${record.backAtSeconds} s`)
    } catch (error) {
      record.error = error instanceof Error ? error.message.slice(0, 500) : String(error)
      o.say(`fault: ${planned.fault} FAILED to come back: ${record.error}`)
    }
  }
  return records
}

function describe(fault: FaultName): string {
  return fault === 'kafka' || fault === 'postgres' ? `stop ${fault}` : `SIGKILL ${fault}`
}

async function strike(p: Pipeline, fault: FaultName, outageMs: number): Promise<void> {
  if (fault === 'kafka' || fault === 'postgres') {
    const server = fault === 'kafka' ? p.kafka : p.postgres
    await server.stop()
    await sleep(outageMs)
    await server.start()
    return
  }
  const service = fault === 'ingest' ? p.ingest : p.consumers[fault]
  await service.kill()
  await service.start()
}
