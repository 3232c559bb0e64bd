/** How many messages carry each Message-ID (without the angle brackets), read page by page. */
export async function countMessageIds(apiUrl: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>()
  const limit = 1000
  for (let start = 0; ; start += limit) {
    const response = await fetch(`${apiUrl}/api/v1/messages?start=${start}&limit=${limit}`, { signal: AbortSignal.timeout(60_000) })
    if (!response.ok) throw new Error(`mailpit answered ${response.status} to the message list`)
    const page = (await response.json()) as { messages: { MessageID: string }[]; total: number }
    for (const m of page.messages) counts.set(m.MessageID, (counts.get(m.MessageID) ?? 0) + 1)
    if (page.messages.length < limit || start + limit >= page.total) break
  }
  return counts
}
