/** Where a command writes: results on standard output, diagnostics and progress on standard error. */
export type OpsIo = {
  out: (line: string) => void
  err: (line: string) => void
  /** A progress line: a terminal rewrites it in place, a log gets one every few seconds; '' ends it. */
  progress: (line: string) => void
}
