import { waitFor } from './wait-for.ts'

/** The parts of a Mailpit message summary the tests read. */
export type MailSummary = {
  ID: string
  MessageID: string
  Subject: string
  From: { Address: string; Name: string }
  To: { Address: string; Name: string }[]
}

export type MailMessage = MailSummary & { Text: string; HTML: string }

/** Reads the inbox of a Mailpit server through its REST API. */
export function createMailpitInbox(apiUrl: string) {
  async function get<T>(path: string): Promise<T> {
    const response = await fetch(new URL(path, apiUrl), { signal: AbortSignal.timeout(5000) })
    if (!response.ok) throw new Error(`Mailpit answered ${response.status} to GET ${path}`)
    return (await response.json()) as T
  }
  /** Summaries of the messages matching a Mailpit search (e.g. `subject:"..."`). */
  async function search(query: string): Promise<MailSummary[]> {
    const result = await get<{ messages: MailSummary[] }>(`/api/v1/search?query=${encodeURIComponent(query)}`)
    return result.messages
  }
  return {
    search,
    /** One whole message, with its text and HTML parts. */
    message: async (id: string): Promise<MailMessage> => await get<MailMessage>(`/api/v1/message/${encodeURIComponent(id)}`),
    /** Waits until a search finds at least `count` messages and answers them. */
    async waitForMessages(query: string, count = 1, timeoutMs = 10_000): Promise<MailSummary[]> {
      return await waitFor(
        async () => {
          const found = await search(query)
          return found.length >= count ? found : undefined
        },
        // One slow or failed search (the shared Mailpit holds many messages) is not a verdict:
        // search again until the deadline, and name the last error if it never succeeds.
        { timeoutMs, retryErrors: true, message: `fewer than ${count} message(s) matching ${query} arrived within ${timeoutMs} ms` },
      )
    },
  }
}
