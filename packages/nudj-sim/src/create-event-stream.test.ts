import { catalog, normalizeNudjWebhook, validateNudjEvent } from '@nudj-webhooks/contracts'
import { describe, expect, it } from 'vitest'
import { gen1Names, gen2Names, type SimEvent } from './build-event.ts'
import { buildJourney, createEventStream } from './create-event-stream.ts'
import { createWorld } from './create-world.ts'

describe('createEventStream', () => {
  it('produces every catalog event, each a valid example that normalises to what it claims', () => {
    const world = createWorld({ seed: 7 })
    const stream = createEventStream(world, { gen1Share: 0.5 })
    const seen = new Map<string, number>()
    for (let i = 0; i < 5000; i++) {
      const sim = stream.next()
      seen.set(sim.name, (seen.get(sim.name) ?? 0) + 1)
      const headers = sim.generation === 'gen2' ? { 'x-nudj-delivery-id': sim.deliveryId } : {}
      const event = normalizeNudjWebhook(JSON.stringify(sim.body), headers)
      expect(event).toMatchObject({ generation: sim.generation, event: sim.name, known: true, webhookId: sim.deliveryId })
      expect(validateNudjEvent(event)).toEqual([])
    }
    const named = catalog.map((e) => e.name)
    expect([...gen1Names, ...gen2Names].filter((n) => !named.includes(n) && !n.startsWith('shopify.'))).toEqual([])
    expect([...gen1Names, ...gen2Names].filter((n) => !seen.has(n))).toEqual([])
  })

  it('never runs ahead of the wall clock by more than a journey, however fast it is read; a past start keeps its pace', () => {
    const timeOf = ({ body }: SimEvent): number => Date.parse(String('timestamp' in body ? body.timestamp : body.createdAt))
    const stream = createEventStream(createWorld({ seed: 3 }))
    const times = Array.from({ length: 20_000 }, () => timeOf(stream.next()))
    // A journey's steps are 0.2 to 5 s apart, at most nine of them.
    expect(Math.max(...times) - Date.now()).toBeLessThan(50_000)

    const past = createEventStream(createWorld({ seed: 3 }), { start: new Date('2026-04-17T00:00:00Z') })
    const pastTimes = Array.from({ length: 1000 }, () => timeOf(past.next()))
    expect(Math.max(...pastTimes)).toBeLessThan(Date.parse('2026-04-18T00:00:00Z'))
  })

  it('is the same stream for the same seed', () => {
    const take = (seed: number): unknown[] => {
      const stream = createEventStream(createWorld({ seed }), { start: new Date('2026-01-01T00:00:00Z') })
      return Array.from({ length: 50 }, () => stream.next())
    }
    expect(take(3)).toEqual(take(3))
    expect(take(3)).not.toEqual(take(4))
  })
})

describe('buildJourney', () => {
  it('follows the documented order in both generations, about one user and challenge', () => {
    const world = createWorld({ seed: 1 })
    const user = world.users[0]!
    const challenge = world.challenges[0]!
    const start = new Date('2026-04-17T14:00:00Z')
    const gen2 = buildJourney(world, 'gen2', user, challenge, start)
    const actions = challenge.actions.length
    expect(gen2.map((e) => e.name)).toEqual([
      'challenge.started',
      ...Array<string>(actions).fill('action.completed'),
      'challenge.completed',
      'reward.earned',
      'achievement.earned',
    ])
    const gen1 = buildJourney(world, 'gen1', user, challenge, start)
    expect(gen1.map((e) => e.name)).toEqual([
      'challenge-started',
      ...Array<string>(actions).fill('action-participation'),
      'challenge-completion',
      'reward-distribution',
      'achievement-completion',
    ])
    for (const sim of [...gen1, ...gen2]) {
      const event = normalizeNudjWebhook(JSON.stringify(sim.body), {})
      expect(event.user.id).toBe(user.id)
      if (event.entities.challengeId) expect(event.entities.challengeId).toBe(challenge.id)
    }
    const times = gen2.map((e) => Date.parse((e.body as { timestamp: string }).timestamp))
    expect([...times].sort((a, b) => a - b)).toEqual(times)
  })
})
