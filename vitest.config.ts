import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    pool: 'forks',
    // Hang detectors, not performance bounds: a test ends when its events have happened, and a
    // CPU-bound test takes as long as its share of the CPU allows (`npm test -- --under-load`
    // runs the suite beside two CPU-bound processes; other work on the machine adds to that).
    // Tests that run child programs set CHILD_TEST_MS (test/support/cli.ts) on top.
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
