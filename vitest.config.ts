import { readFileSync } from 'node:fs';
import { defineConfig } from 'vitest/config';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as { version: string };

export default defineConfig({
  // What scripts/build.mjs writes into the bundles, for tests that import src/ directly.
  define: { PACKAGE_VERSION: JSON.stringify(version) },
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['test/support/remove-homes.ts'],
    // After hooks in reverse order (vitest's default, set here because remove-homes.ts relies on it).
    sequence: { hooks: 'stack' },
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Whole-process tests share one Secret Service and two cores; keep the load sane.
    maxWorkers: 2,
  },
});
