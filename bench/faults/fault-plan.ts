import { createRandom } from '@nudj-webhooks/nudj-sim'

export type FaultName = 'ingest' | 'analytics' | 'email' | 'notifications' | 'kafka' | 'postgres'
export const faultNames: FaultName[] = ['ingest', 'analytics', 'email', 'notifications', 'kafka', 'postgres']

export type PlannedFault = { fault: FaultName; plannedAtSeconds: number }

/**
 * When each fault happens, seeded: the expected send time (from 10 % to 85 % of it) is cut
 * into one slot per fault, the faults are shuffled over the slots, and each falls at a random
 * moment of its slot, so no two faults overlap unless one takes longer than its slot.
 */
export function planFaults(seed: number, sendSeconds: number): PlannedFault[] {
  const random = createRandom(seed)
  const order = [...faultNames]
  for (let i = order.length - 1; i > 0; i -= 1) {
    const j = random.int(0, i)
    ;[order[i], order[j]] = [order[j]!, order[i]!]
  }
  const begin = sendSeconds * 0.1
  const slot = (sendSeconds * 0.75) / order.length
  return order.map((fault, i) => ({ fault, plannedAtSeconds: Math.round((begin + slot * i + random.next() * slot * 0.8) * 10) / 10 }))
}
