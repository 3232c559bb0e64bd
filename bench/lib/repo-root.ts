import { fileURLToPath } from 'node:url'

/** The repository's top folder (this file lives in bench/lib). */
export const repoRoot = fileURLToPath(new URL('../..', import.meta.url))
