import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: [
      'precompiles/**/*.test.ts',
      'sdk/**/*.test.ts',
      'rollup/**/*.test.ts',
      'scripts/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    // End-to-end suites start their own anvil chains on free ports; keep files from
    // competing for the 2 cores by running them one file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
})
