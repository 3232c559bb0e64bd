import { describe, expect, it } from 'vitest'
import { validateConfigs } from './validate-configs.ts'

describe('validateConfigs', () => {
  const gen2 = { url: 'https://receiver.example/nudj', events: ['reward.earned'], secret: 'whsec_x', active: true }

  it('accepts a bare array and a wrapped list alike', () => {
    expect(validateConfigs([gen2])).toEqual({ configs: [gen2], problems: [] })
    expect(validateConfigs({ configs: [gen2] })).toEqual({ configs: [gen2], problems: [] })
  })

  it('fills in the documented gen-1 defaults', () => {
    expect(validateConfigs([{ url: 'http://localhost:3000/hooks', events: ['challenge-completion'] }]).configs).toEqual([
      {
        url: 'http://localhost:3000/hooks',
        events: ['challenge-completion'],
        httpMethod: 'POST',
        isEnabled: true,
        maxRetries: 3,
        headers: {},
      },
    ])
  })

  it('lists every problem at once', () => {
    const result = validateConfigs([
      { events: [] },
      { url: 'ftp://example.com', events: ['a'], httpMethod: 'GET', maxRetries: -1, headers: { a: 1 } },
      { ...gen2, secret: '' },
      gen2,
      gen2,
      'nope',
    ])
    expect(result.configs).toBeUndefined()
    expect(result.problems).toEqual([
      'configs[0].url is required',
      'configs[0].events must be a non-empty array of event names',
      'configs[1].url must be an http(s) URL',
      'configs[1].httpMethod must be POST or PUT',
      'configs[1].maxRetries must be a whole number, 0 or more',
      'configs[1].headers must map header names to strings',
      'configs[2].secret must be a non-empty string',
      'configs[3].url repeats configs[2].url',
      'configs[4].url repeats configs[2].url',
      'configs[5] must be an object',
    ])
  })

  it('rejects a body that is neither shape', () => {
    expect(validateConfigs({ config: [gen2] }).problems).toEqual(['the body must be an array of configs or { "configs": [...] }'])
  })
})
