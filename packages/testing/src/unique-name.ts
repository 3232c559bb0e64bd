let counter = 0

/**
 * A name no other test (in this run or an earlier one against the same servers) uses:
 * for topics, groups, subjects and databases. Only [a-z0-9_] so it is valid everywhere.
 */
export function uniqueName(prefix: string): string {
  counter += 1
  const random = Math.random().toString(36).slice(2, 8)
  return `${prefix}_${process.pid}_${Date.now().toString(36)}_${random}_${counter}`.toLowerCase().replace(/[^a-z0-9_]/g, '_')
}
