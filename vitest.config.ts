import { defineConfig } from 'vitest/config'

// Two projects: unit tests beside the code (no network), and integration tests under
// test/ that run against real servers handed over by the testing package's global setup.
export default defineConfig({
  test: {
    reporters: ['default', 'json'],
    // .ci/run counts passed and failed tests from this file.
    outputFile: { json: 'test-results.json' },
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/*/src/**/*.test.ts', 'services/*/src/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/*/test/**/*.test.ts', 'services/*/test/**/*.test.ts', 'deploy/test/**/*.test.ts'],
          globalSetup: ['packages/testing/src/global-setup.ts'],
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
