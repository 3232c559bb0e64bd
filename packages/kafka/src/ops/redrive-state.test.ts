import { describe, expect, it } from 'vitest'
import { countRedriven, decodeRedriveState, encodeRedriveIslands, isRedriven, markRedriven, withLowWatermark } from './redrive-state.ts'

describe('redrive state', () => {
  it('keeps a contiguous prefix as the offset and the rest as islands', () => {
    let state = decodeRedriveState('-1', null)
    expect(state).toEqual({ next: 0, islands: [] })
    for (const offset of [2, 4, 5, 0]) state = markRedriven(state, offset)
    expect(state).toEqual({
      next: 1,
      islands: [
        [2, 2],
        [4, 5],
      ],
    })
    expect([0, 1, 2, 3, 4, 5, 6].map((o) => isRedriven(state, o))).toEqual([true, false, true, false, true, true, false])
    expect(encodeRedriveIslands(state)).toBe('v1;2,4-5')
    expect(decodeRedriveState('1', 'v1;2,4-5')).toEqual(state)
    expect(countRedriven(state, 0, 5)).toBe(3)
    state = markRedriven(markRedriven(state, 1), 3)
    expect(state).toEqual({ next: 6, islands: [] })
    expect(encodeRedriveIslands(state)).toBe('v1;')
  })

  it('treats records below the low watermark as gone, and unknown metadata as no islands', () => {
    expect(
      withLowWatermark(
        {
          next: 0,
          islands: [
            [3, 4],
            [9, 9],
          ],
        },
        3,
      ),
    ).toEqual({ next: 5, islands: [[9, 9]] })
    expect(decodeRedriveState('7', 'something else')).toEqual({ next: 7, islands: [] })
  })
})
