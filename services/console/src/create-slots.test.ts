import { describe, expect, it } from 'vitest'
import { createSlots } from './create-slots.ts'

describe('createSlots', () => {
  it('gives at most max slots, and one more once a slot is given back (twice counts once)', () => {
    const slots = createSlots(2)
    const first = slots.take()
    const second = slots.take()
    expect(first && second).toBeTypeOf('function')
    expect(slots.take()).toBeUndefined()
    first?.()
    first?.()
    expect(slots.inUse()).toBe(1)
    expect(slots.take()).toBeTypeOf('function')
    expect(slots.take()).toBeUndefined()
  })
})
