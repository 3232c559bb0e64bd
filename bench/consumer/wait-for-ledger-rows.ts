import { setTimeout as sleep } from 'node:timers/promises'
import type pg from 'pg'
import { countBenchRows } from './count-bench-rows.ts'

export type LedgerWatchOptions = {
  target: number
  /**
   * Records the runtime has counted as processed (its messages metric, which it raises once
   * a batch's transaction has committed). Cheap to read often; the ledger has the last word.
   */
  processed: () => Promise<number>
  onProgress: (rows: number) => void
  progressEveryMs: number
}

export type LedgerWatch = {
  rows: number
  /** performance.now() when the ledger was seen to hold the target. */
  at: number
  /** performance.now() when the first record was processed, if that was seen. */
  firstAt: number | undefined
}

// Reading the counter is cheap; counting a million ledger rows is not, so that is done only
// every progress interval and, near the end, once the counter says the target is reached.
const hintEveryMs = 25

/** Resolves once the ledger holds `target` rows or more. Unbounded: the runner stops a variant that takes too long. */
export async function waitForLedgerRows(pool: pg.Pool, options: LedgerWatchOptions): Promise<LedgerWatch> {
  const { target, processed, onProgress, progressEveryMs } = options
  let firstAt: number | undefined
  let lastProgress = performance.now()
  for (;;) {
    const hinted = await processed()
    if (hinted > 0) firstAt ??= performance.now()
    const progressDue = performance.now() - lastProgress >= progressEveryMs
    if (hinted >= target || progressDue) {
      // The counter is raised after a commit, so the last batch committed within one hint interval before this.
      const askedAt = performance.now()
      const { ledger } = await countBenchRows(pool)
      if (ledger > 0) firstAt ??= askedAt
      if (ledger >= target) return { rows: ledger, at: askedAt, firstAt }
      if (progressDue) {
        onProgress(ledger)
        lastProgress = performance.now()
      }
    }
    await sleep(hintEveryMs)
  }
}
