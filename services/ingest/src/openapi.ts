import { errorCatalog } from './error-catalog.ts'

const error = (codes: string[]) => ({
  description: codes.map((c) => `${c}: ${errorCatalog[c as keyof typeof errorCatalog].message}`).join('; '),
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
})

const operation = (summary: string, withSource: boolean) => ({
  summary,
  parameters: [
    ...(withSource
      ? [{ name: 'source', in: 'path', required: true, schema: { type: 'string', pattern: '^[a-z0-9][a-z0-9_-]{0,62}$' } }]
      : []),
    {
      name: 'X-Nudj-Signature',
      in: 'header',
      required: false,
      schema: { type: 'string', pattern: '^sha256=[0-9a-fA-F]{64}$' },
      description: 'gen-2 HMAC-SHA256 of the raw body',
    },
    { name: 'X-Nudj-Event', in: 'header', required: false, schema: { type: 'string' } },
    {
      name: 'X-Nudj-Delivery-Id',
      in: 'header',
      required: false,
      schema: { type: 'string' },
      description: 'stable across retries; the webhook id',
    },
  ],
  requestBody: { required: true, content: { 'application/json': { schema: { type: 'object', additionalProperties: true } } } },
  responses: {
    '200': {
      description:
        'verified and acknowledged by Kafka; or (duplicate: true) a signed body already accepted under another webhook id, not stored again',
      content: {
        'application/json': {
          schema: {
            type: 'object',
            required: ['accepted', 'webhookId'],
            properties: { accepted: { const: true }, webhookId: { type: 'string' }, duplicate: { const: true } },
          },
        },
      },
    },
    '400': error(['BODY_NOT_JSON', 'BODY_NOT_OBJECT', 'BODY_NOT_UTF8', 'INVALID_REQUEST']),
    '401': error([
      'MISSING_SIGNATURE',
      'MALFORMED_SIGNATURE',
      'BAD_SIGNATURE',
      'BAD_CREDENTIALS',
      'TIMESTAMP_OUT_OF_TOLERANCE',
      'MISSING_TIMESTAMP',
      'MALFORMED_TIMESTAMP',
      'SCHEME_NOT_ALLOWED',
    ]),
    '404': error(['UNKNOWN_SOURCE', 'NOT_FOUND']),
    '413': error(['BODY_TOO_LARGE']),
    '415': error(['UNSUPPORTED_MEDIA_TYPE']),
    '503': {
      ...error(['OVERLOADED', 'RATE_LIMITED', 'KAFKA_TIMEOUT', 'KAFKA_UNAVAILABLE', 'SCHEMA_REGISTRY_UNAVAILABLE', 'SHUTTING_DOWN']),
      headers: { 'Retry-After': { schema: { type: 'integer' } } },
    },
  },
})

/** The public routes, served on the ops port at /openapi.json. */
export const openApiDocument = {
  openapi: '3.1.0',
  info: {
    title: 'nudj-webhooks ingest',
    version: '1',
    description: "Receives Nudj's webhooks; answers 2xx only once Kafka has the delivery.",
  },
  paths: {
    '/webhooks/nudj/{source}': {
      post: operation('Receive a webhook for a source', true),
      put: operation('Receive a webhook (gen-1 PUT configs)', true),
    },
    '/webhooks/nudj': {
      post: operation('Receive a webhook for the default source', false),
      put: operation('Receive a webhook for the default source (PUT)', false),
    },
  },
  components: {
    schemas: {
      Error: { type: 'object', required: ['code', 'message'], properties: { code: { type: 'string' }, message: { type: 'string' } } },
    },
  },
}
