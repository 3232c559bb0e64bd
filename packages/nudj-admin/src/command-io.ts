/** Where a command writes: standard output for results, standard error for diagnostics. */
export type CommandIo = {
  out: (line: string) => void
  err: (line: string) => void
}

/** Bad usage: the command prints it with a pointer to --help and exits 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError'
}
