/**
 * Runs a suite's `main` as the process's exit code (1 if it throws), and on SIGINT or SIGTERM
 * stops what the suite started (`cleanup`, whatever it is by then) before exiting 130 or 143.
 */
export async function runSuite(
  name: string,
  main: () => Promise<number>,
  cleanup: () => Promise<void> | undefined,
  say: (line: string) => void,
): Promise<void> {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)
    process.once(signal, () => {
      say(`${signal}: stopping the pipeline`)
      void (cleanup() ?? Promise.resolve()).finally(() => process.exit(code))
    })
  process.exitCode = await main().catch((error: unknown) => {
    console.error(`bench:${name} failed:`, error)
    return 1
  })
}
