import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // e2e files each start their own cluster; two cores, so keep parallelism modest.
    maxWorkers: 2,
    minWorkers: 1,
    reporters: ['default'],
  },
});
