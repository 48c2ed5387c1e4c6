import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Whole-process tests share one Secret Service and two cores; keep the load sane.
    maxWorkers: 2,
  },
});
