import { fileURLToPath } from 'node:url'

/** The repository's top folder (this file lives in packages/testing/src). */
export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url))
