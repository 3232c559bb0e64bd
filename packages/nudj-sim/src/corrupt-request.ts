import type { DeliveryRequest } from './deliver.ts'
import type { Random } from './create-random.ts'
import { signGen2, standardWebhooksHeaders } from './sign-delivery.ts'

/** The deliberately bad requests a receiver must refuse (or keep and refuse) and survive. */
export const badRequestKinds = ['wrong-secret', 'tampered-body', 'missing-headers', 'oversize', 'not-json', 'wrong-media-type'] as const
export type BadRequestKind = (typeof badRequestKinds)[number]

const oversizeBytes = 1024 * 1024 + 4096

/**
 * Turns a good request into a bad one of the given kind. Requests that should still
 * authenticate (oversize, not JSON, wrong media type) are signed correctly, so that only
 * the named fault is wrong.
 */
export function corruptRequest(request: DeliveryRequest, kind: BadRequestKind, secret: string, random: Random): DeliveryRequest {
  const headers = { ...request.headers }
  const signed = 'x-nudj-signature' in headers
  const resign = (body: Buffer): DeliveryRequest => {
    if (signed) headers['x-nudj-signature'] = signGen2(body, secret)
    const id = headers['webhook-id']
    const timestamp = headers['webhook-timestamp']
    if (id && timestamp) Object.assign(headers, standardWebhooksHeaders({ body, secret, id, timestampSeconds: Number(timestamp) }))
    return { ...request, headers, body }
  }
  switch (kind) {
    case 'wrong-secret':
      if (signed) headers['x-nudj-signature'] = signGen2(request.body, `${secret}-wrong`)
      else if ('webhook-signature' in headers) headers['webhook-signature'] = `v1,${Buffer.from(random.hex(64), 'hex').toString('base64')}`
      else setHeader(headers, 'authorization', `Bearer wrong-${random.hex(8)}`)
      return { ...request, headers }
    case 'tampered-body': {
      // Signed as sent, then changed in flight: a signature check must catch it. Gen-1
      // has no signature, so its tampering is a changed Authorization value instead.
      if (!signed && !('webhook-signature' in headers))
        setHeader(headers, 'authorization', `${headerValue(headers, 'authorization') ?? ''}x`)
      const body = Buffer.from(request.body)
      const at = body.indexOf('"', random.int(1, Math.max(1, body.length - 2)))
      body[at >= 0 ? at - 1 : 1] = 0x58 // 'X'
      return { ...request, headers, body }
    }
    case 'missing-headers':
      for (const name of Object.keys(headers)) {
        if (['x-nudj-signature', 'webhook-signature', 'authorization', 'x-webhook-source'].includes(name.toLowerCase()))
          delete headers[name]
      }
      return { ...request, headers }
    case 'oversize': {
      const parsed = JSON.parse(request.body.toString()) as Record<string, unknown>
      return resign(Buffer.from(JSON.stringify({ ...parsed, padding: 'x'.repeat(oversizeBytes) })))
    }
    case 'not-json':
      return resign(Buffer.from(`event=${random.hex(6)}&not=json`))
    case 'wrong-media-type':
      setHeader(headers, 'content-type', 'text/plain')
      return { ...request, headers }
  }
}

function setHeader(headers: Record<string, string>, name: string, value: string): void {
  for (const key of Object.keys(headers)) if (key.toLowerCase() === name) delete headers[key]
  headers[name] = value
}

function headerValue(headers: Record<string, string>, name: string): string | undefined {
  return Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1]
}
