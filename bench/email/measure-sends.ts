import type { Mailer, OutgoingEmail } from '../../services/email/src/create-mailer.ts'

export type SendFigures = { sent: number; failed: number; seconds: number; per_s: number; timed_out: boolean }

/**
 * `concurrency` workers send `count` emails between them, each waiting for the server's
 * accept before its next one, until done or `timeoutMs` has passed.
 */
export async function measureSends(
  mailer: Mailer,
  template: OutgoingEmail,
  options: { count: number; concurrency: number; timeoutMs: number; label: string },
): Promise<SendFigures> {
  let next = 0
  let sent = 0
  let failed = 0
  const began = performance.now()
  const deadline = began + options.timeoutMs
  const worker = async (): Promise<void> => {
    while (next < options.count && performance.now() < deadline) {
      const i = next++
      try {
        await mailer.send({ ...template, messageId: `<bench-${options.label}-${i}-${began}@bench.local>` })
        sent += 1
      } catch {
        failed += 1
      }
    }
  }
  await Promise.all(Array.from({ length: options.concurrency }, worker))
  const seconds = (performance.now() - began) / 1000
  return {
    sent,
    failed,
    seconds: Math.round(seconds * 100) / 100,
    per_s: Math.round(sent / seconds),
    timed_out: sent + failed < options.count,
  }
}
