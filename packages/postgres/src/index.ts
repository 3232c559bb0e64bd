export { createPool } from './create-pool.ts'
export type { PoolOptions } from './create-pool.ts'
export { migrate } from './migrate.ts'
export type { Migration } from './migrate.ts'
