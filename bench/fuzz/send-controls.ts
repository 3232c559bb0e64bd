import { buildRequest, createEventStream, createWorld, type Receiver } from '@nudj-webhooks/nudj-sim'

export type Controls = {
  /** Webhook ids ingest acknowledged: exactly these may be in the category topics. */
  acknowledged: string[]
  /** Controls not acknowledged (status or error), which make the check meaningless if any. */
  refused: string[]
  /** The valid signatures and credentials sent, for the log scan. */
  signatures: string[]
}

/** Sends a few valid deliveries (both generations) one by one, so that the Kafka audit has a known, non-zero answer. */
export async function sendControls(receiver: Receiver, count: number, seed: number): Promise<Controls> {
  const world = createWorld({ seed })
  const stream = createEventStream(world, { gen1Share: 0.5 })
  const controls: Controls = { acknowledged: [], refused: [], signatures: [] }
  for (let i = 0; i < count; i += 1) {
    const request = buildRequest(receiver, stream.next())
    const signature = request.headers['x-nudj-signature']
    if (signature) controls.signatures.push(signature.replace(/^sha256=/, ''))
    try {
      const response = await fetch(request.url, {
        method: request.method,
        headers: request.headers,
        body: request.body,
        signal: AbortSignal.timeout(10_000),
      })
      const text = await response.text()
      const id = response.ok ? (JSON.parse(text) as { webhookId?: string }).webhookId : undefined
      if (id) controls.acknowledged.push(id)
      else controls.refused.push(`${response.status} ${text.slice(0, 120)}`)
    } catch (error) {
      controls.refused.push(String(error))
    }
  }
  return controls
}

/** Real event bodies to mutate into hostile ones. */
export function goodBodies(count: number, seed: number): Buffer[] {
  const world = createWorld({ seed })
  const stream = createEventStream(world, { gen1Share: 0.5 })
  return Array.from({ length: count }, () => Buffer.from(JSON.stringify(stream.next().body)))
}
