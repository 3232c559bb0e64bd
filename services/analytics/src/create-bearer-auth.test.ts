import Fastify from 'fastify'
import { describe, expect, it } from 'vitest'
import { createBearerAuth } from './create-bearer-auth.ts'

const current = 'tok_current_0123456789abcdef'
const previous = 'tok_previous_0123456789abcdef'

function appWith(tokens: string[]) {
  const app = Fastify({ logger: false })
  app.addHook('onRequest', createBearerAuth(tokens))
  app.get('/v1/summary', async () => ({ ok: true }))
  return app
}

const ask = async (tokens: string[], headers: Record<string, string> = {}, url = '/v1/summary') => {
  const response = await appWith(tokens).inject({ method: 'GET', url, headers })
  return { status: response.statusCode, body: response.json<{ error?: string; message?: string }>(), headers: response.headers }
}

describe('createBearerAuth', () => {
  it('admits either token of a rotation, with any case of the scheme', async () => {
    expect((await ask([current, previous], { authorization: `Bearer ${current}` })).status).toBe(200)
    expect((await ask([current, previous], { authorization: `bearer ${previous}` })).status).toBe(200)
  })

  it('answers 401 with a challenge without a token, and says invalid_token for a wrong one', async () => {
    const none = await ask([current])
    expect(none).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHORIZED' },
      headers: { 'www-authenticate': 'Bearer realm="analytics"' },
    })
    const wrong = await ask([current], { authorization: `Bearer ${current.slice(0, -1)}x` })
    expect(wrong).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } })
    expect(wrong.headers['www-authenticate']).toContain('error="invalid_token"')
    expect(JSON.stringify(wrong.body)).not.toContain(current)
  })

  it('looks at the Authorization header only: not Basic, not a query string', async () => {
    expect((await ask([current], { authorization: `Basic ${current}` })).status).toBe(401)
    expect((await ask([current], { authorization: current })).status).toBe(401)
    expect((await ask([current], {}, `/v1/summary?access_token=${current}`)).status).toBe(401)
    expect((await ask([current], {}, '/nowhere')).status).toBe(401)
  })

  it('refuses everything, a would-be token included, when no token is configured', async () => {
    expect(await ask([], { authorization: `Bearer ${current}` })).toMatchObject({ status: 403, body: { code: 'QUERY_API_DISABLED' } })
  })
})
