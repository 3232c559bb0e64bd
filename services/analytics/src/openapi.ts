import type { TObject } from '@sinclair/typebox'
import { errorCatalog } from './error-catalog.ts'
import { schemas } from './query-schemas.ts'

const parameters = (schema: TObject, where: 'query' | 'path') =>
  Object.entries(schema.properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (schema.required ?? []).includes(name),
    description: property.description,
    schema: property,
  }))

const errors = {
  '400': {
    description: `INVALID_REQUEST: ${errorCatalog.INVALID_REQUEST.message}`,
    content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
  },
  '401': { description: `UNAUTHORIZED: ${errorCatalog.UNAUTHORIZED.message}` },
  '403': { description: `QUERY_API_DISABLED: ${errorCatalog.QUERY_API_DISABLED.message}` },
  '503': { description: `DATABASE_UNAVAILABLE: ${errorCatalog.DATABASE_UNAVAILABLE.message}` },
  '504': { description: `QUERY_TIMEOUT: ${errorCatalog.QUERY_TIMEOUT.message}` },
}

const get = (summary: string, schema: TObject, where: 'query' | 'path' = 'query') => ({
  get: { summary, parameters: parameters(schema, where), responses: { '200': { description: 'JSON' }, ...errors } },
})

/** The query API, served on the ops port as /openapi.json (as ingest does). */
export const openApiDocument = {
  openapi: '3.1.0',
  info: { title: 'nudj-webhooks analytics', version: '1' },
  security: [{ bearer: [] }],
  paths: {
    '/v1/summary': get('totals over a time range (hourly resolution)', schemas.summary),
    '/v1/timeseries': get('events of one type per hour or day, paged', schemas.timeseries),
    '/v1/users/top': get('users by one measure, highest first, paged', schemas.topUsers),
    '/v1/users/{userId}': get('one user (404 if never seen)', schemas.user, 'path'),
    '/v1/challenges/funnel': get('starts, completions, distinct users, conversion, median time to complete, paged', schemas.funnel),
    '/v1/rewards/lifecycle': get('earned, claimed, delivered, failed, redeemed, expired per reward, paged', schemas.rewards),
  },
  components: {
    securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'one of ANALYTICS_API_TOKENS' } },
    schemas: {
      Error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
    },
  },
}
