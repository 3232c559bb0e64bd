import { Type } from '@sinclair/typebox'
import { userOrders } from './query-lists.ts'

const when = (description: string) => Type.Optional(Type.String({ format: 'date-time', description }))
const range = { from: when('ISO 8601 start (its hour included)'), to: when('ISO 8601 end, exclusive') }
const page = {
  limit: Type.Integer({ minimum: 1, maximum: 1000, default: 50, description: 'items per page' }),
  offset: Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'items to skip' }),
}
const id = (description: string) => Type.String({ minLength: 1, maxLength: 200, description })
const closed = { additionalProperties: false }

/** Every input of the query API; Fastify validates against these, and the OpenAPI document lists them. */
export const schemas = {
  summary: Type.Object(range, closed),
  timeseries: Type.Object(
    {
      ...range,
      ...page,
      type: Type.String({ pattern: '^[A-Za-z0-9._-]{1,200}$', description: 'canonical event type, e.g. reward.earned, or unknown' }),
      interval: Type.Union([Type.Literal('hour'), Type.Literal('day')], { default: 'hour' }),
    },
    closed,
  ),
  topUsers: Type.Object(
    {
      ...page,
      by: Type.Union(
        userOrders.map((o) => Type.Literal(o)),
        { default: 'events' },
      ),
    },
    closed,
  ),
  user: Type.Object({ userId: id('Nudj user id') }, closed),
  funnel: Type.Object({ ...page, challengeId: Type.Optional(id('one challenge only')) }, closed),
  rewards: Type.Object({ ...page, rewardId: Type.Optional(id('one reward only')) }, closed),
}
