const secretHeaderName = /authorization|token|key|secret|signature|password|cookie/i

/**
 * Header values that carry a secret replaced by `***`, keeping an auth scheme visible
 * (`Bearer ***`) as Nudj's gen-1 delivery log does (NUDJ-WEBHOOKS.md §2.3).
 */
export function redactHeaders(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers).map(([name, value]) => {
      if (!secretHeaderName.test(name)) return [name, value]
      const scheme = /^(Bearer|Basic|Token)\s+/i.exec(value)
      return [name, scheme ? `${scheme[0]}***` : '***']
    }),
  )
}
