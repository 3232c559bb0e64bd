import { exchange, openConnection, type Answer, type RawConnection, type WireRequest } from './raw-exchange.ts'

export type SendHostileOptions = {
  host: string
  port: number
  count: number
  concurrency: number
  timeoutMs: number
  /** Stop early (by time) even if `count` is not reached. */
  deadline: number
  next: () => WireRequest
  onAnswer: (request: WireRequest, answer: Answer) => void
  /** Ends the run early, e.g. when the server process exits. */
  shouldStop: () => boolean
}

/**
 * Sends `count` requests from `next`, at most `concurrency` at once, each worker on its own
 * keep-alive connection (replaced whenever a request or an answer leaves it unusable).
 * Answers how many were sent.
 */
export async function sendHostile(options: SendHostileOptions): Promise<number> {
  let issued = 0
  const worker = async (): Promise<void> => {
    let connection: RawConnection | undefined
    while (issued < options.count && Date.now() < options.deadline && !options.shouldStop()) {
      issued += 1
      const request = options.next()
      let answer: Answer
      try {
        if (!connection || !connection.alive) connection = await openConnection(options.host, options.port)
        answer = await exchange(connection, request, options.timeoutMs)
      } catch (error) {
        connection = undefined
        answer = { status: 'connection_error', detail: String(error) }
      }
      options.onAnswer(request, answer)
    }
    connection?.socket.destroy()
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  return issued
}
