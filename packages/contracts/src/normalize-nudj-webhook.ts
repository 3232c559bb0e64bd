import { lookupEvent, type Category, type EntityKind } from './catalog.ts'
import { ContractError } from './contract-error.ts'
import { deriveWebhookId, type WebhookIdSource } from './derive-webhook-id.ts'
import { readHeader, type Headers } from './read-header.ts'

/** `gen1`: `{id, eventSubCategory, payload, createdAt, ...}`; `gen2`: `{event, timestamp, data}`. */
export type Generation = 'gen1' | 'gen2' | 'unknown'

export type NudjUser = { id?: string; externalId?: string; email?: string }

export type EntityIds = Partial<Record<`${EntityKind}Id`, string>> & { commentId?: string }

export type NudjEvent = {
  generation: Generation
  /** The event name exactly as sent; empty when the body and headers name none. */
  event: string
  /** The name consumers handle, the same for both generations (`challenge.completed`). */
  canonical: string
  category: Category
  known: boolean
  webhookId: string
  webhookIdSource: WebhookIdSource
  /** ISO 8601, from `timestamp` (gen-2) or `createdAt` (gen-1), when present. */
  occurredAt?: string
  organisationId?: string
  communityId?: string
  user: NudjUser
  entities: EntityIds
  /** The parsed body, as sent. */
  body: Record<string, unknown>
}

export type NormalizeOptions = {
  /** The configured source (organisation or environment); part of the fallback id. */
  source?: string
}

const decoder = new TextDecoder('utf-8', { fatal: true })

/**
 * Reads a verified Nudj webhook of either generation. Tolerant by design: an unknown event,
 * missing or extra fields never throw. Only a body that is not UTF-8 JSON, or not a JSON
 * object, throws a ContractError (BODY_NOT_UTF8, BODY_NOT_JSON, BODY_NOT_OBJECT).
 */
export function normalizeNudjWebhook(rawBody: Uint8Array | string, headers: Headers, options: NormalizeOptions = {}): NudjEvent {
  const body = parseObject(rawBody)
  const headerEvent = readHeader(headers, 'x-nudj-event')
  const generation = detectGeneration(body, headers)
  const event = (generation === 'gen1' ? str(body.eventSubCategory) : str(body.event)) ?? headerEvent ?? ''
  const entry = lookupEvent(event)
  const { webhookId, webhookIdSource } = deriveWebhookId(rawBody, headers, options.source ?? '', body)
  const fields = generation === 'gen1' ? readGen1(body, entry?.entity) : readGen2(body)
  return {
    generation,
    event,
    canonical: entry?.canonical ?? (event || 'unknown'),
    category: entry?.category ?? 'unknown',
    known: entry !== undefined,
    webhookId,
    webhookIdSource,
    ...fields,
    body,
  }
}

function parseObject(rawBody: Uint8Array | string): Record<string, unknown> {
  let text: string
  try {
    text = typeof rawBody === 'string' ? rawBody : decoder.decode(rawBody)
  } catch (err) {
    throw new ContractError('BODY_NOT_UTF8', 'the body is not valid UTF-8', { cause: err })
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (err) {
    throw new ContractError('BODY_NOT_JSON', `the body is not JSON: ${(err as Error).message}`, { cause: err })
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : `a ${typeof value}`
    throw new ContractError('BODY_NOT_OBJECT', `the body is JSON but ${kind}, not an object`)
  }
  return value as Record<string, unknown>
}

function detectGeneration(body: Record<string, unknown>, headers: Headers): Generation {
  if ('eventSubCategory' in body || ('eventCategory' in body && 'payload' in body)) return 'gen1'
  if ('event' in body || 'data' in body || readHeader(headers, 'x-nudj-signature') !== undefined) return 'gen2'
  return 'unknown'
}

type Fields = Pick<NudjEvent, 'occurredAt' | 'organisationId' | 'communityId' | 'user' | 'entities'>

function readGen2(body: Record<string, unknown>): Fields {
  const data = obj(body.data)
  const user = obj(data.user)
  const idOf = (key: string): string | undefined => str(obj(data[key]).id)
  const entities: EntityIds = {}
  for (const kind of ['reward', 'challenge', 'action', 'achievement', 'post'] as const) {
    const id = idOf(kind)
    if (id) entities[`${kind}Id`] = id
  }
  const commentId = idOf('comment')
  if (commentId) entities.commentId = commentId
  return {
    occurredAt: isoDate(body.timestamp),
    organisationId: str(data.organisationId) ?? idOf('organisation'),
    communityId: str(data.communityId) ?? idOf('community'),
    // The docs spell the external id `externalUserId` (gen-2) and `external_id` (v1).
    user: compact({ id: str(user.id), externalId: str(user.externalUserId) ?? str(user.external_id), email: str(user.email) }),
    entities,
  }
}

function readGen1(body: Record<string, unknown>, entity: EntityKind | undefined): Fields {
  const payload = obj(body.payload)
  const payloadUser = obj(payload.user)
  const entities: EntityIds = {}
  // eventSourceId is the id of the entity the event is about (see the filtering table);
  // for action-participation the docs disagree (participation or action id), so an
  // explicit payload.actionId wins.
  const sourceId = str(body.eventSourceId)
  if (entity && sourceId) entities[`${entity}Id`] = sourceId
  for (const kind of ['reward', 'challenge', 'action', 'achievement', 'post'] as const) {
    const id = str(payload[`${kind}Id`])
    if (id) entities[`${kind}Id`] = id
  }
  const commentId = str(payload.commentId)
  if (commentId) entities.commentId = commentId
  return {
    occurredAt: isoDate(body.createdAt),
    organisationId: str(body.organisationId),
    communityId: str(body.communityId),
    user: compact({
      id: str(body.userId) ?? str(payloadUser.id),
      externalId:
        str(payload.externalUserId) ?? str(payload.external_id) ?? str(payloadUser.externalUserId) ?? str(payloadUser.external_id),
      email: str(payload.email) ?? str(payloadUser.email),
    }),
    entities,
  }
}

const obj = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {}

/** Ids arrive as strings; a number is accepted and written as a string. */
const str = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : typeof value === 'number' && Number.isFinite(value) ? String(value) : undefined

function isoDate(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString()
}

function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T
}
