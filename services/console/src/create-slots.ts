/** At most `max` of something at once (streams, scans): take a slot or be told no, give it back once. */
export type Slots = { take: () => (() => void) | undefined; inUse: () => number }

export function createSlots(max: number): Slots {
  let used = 0
  return {
    take() {
      if (used >= max) return undefined
      used += 1
      let given = false
      return () => {
        if (given) return
        given = true
        used -= 1
      }
    },
    inUse: () => used,
  }
}
