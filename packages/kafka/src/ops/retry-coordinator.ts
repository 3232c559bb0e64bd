import { setTimeout as sleep } from 'node:timers/promises'

// Group requests fail with these while a broker's group coordinator is still loading
// (a fresh or restarted broker); kafkajs's admin does not retry fetchOffsets itself.
// kafkajs names them as the protocol's first versions did.
const coordinatorErrors = new Set(['NOT_COORDINATOR_FOR_GROUP', 'GROUP_LOAD_IN_PROGRESS', 'GROUP_COORDINATOR_NOT_AVAILABLE'])

/** Runs a consumer-group request, trying again for up to `timeoutMs` while the coordinator is not ready. */
export async function retryCoordinator<T>(request: () => Promise<T>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (let wait = 200; ; wait = Math.min(wait * 2, 2_000)) {
    try {
      return await request()
    } catch (err) {
      const type = (err as { type?: string }).type
      if (!type || !coordinatorErrors.has(type) || Date.now() + wait > deadline) throw err
      await sleep(wait)
    }
  }
}
