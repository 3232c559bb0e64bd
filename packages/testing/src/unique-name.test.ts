import { describe, expect, it } from 'vitest'
import { uniqueName } from './unique-name.ts'

describe('uniqueName', () => {
  it('never repeats and is valid as a topic, group or database name', () => {
    const names = Array.from({ length: 1000 }, () => uniqueName('My-Topic.x'))
    expect(new Set(names).size).toBe(names.length)
    expect(names.every((n) => /^[a-z0-9_]+$/.test(n) && n.startsWith('my_topic_x_'))).toBe(true)
  })
})
