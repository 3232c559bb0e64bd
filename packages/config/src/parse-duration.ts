const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }

/** `250ms`, `10s`, `1.5m`, `2h` to milliseconds; throws a RangeError naming the input otherwise. */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(text.trim())
  if (!match) throw new RangeError(`'${text}' is not a duration (use a number and ms, s, m or h, e.g. 10s)`)
  return Math.round(Number(match[1]) * (units[match[2] as string] as number))
}

/** The TypeBox pattern a duration string must match, so loadConfig reports bad ones. */
export const durationPattern = '^\\d+(\\.\\d+)?(ms|s|m|h)$'
