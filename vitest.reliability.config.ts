import { defineConfig } from 'vitest/config';

/**
 * The reliability suites (crash, database and transport faults, graceful shutdown, shared rate
 * limits, fuzzing): minutes long, one file at a time, so they stay out of `npm test` and run with
 * `npm run test:reliability`. RELIABILITY_FULL=1 runs the counts docs/RELIABILITY.md reports.
 */
export const config = defineConfig({
  test: {
    include: ['test/reliability/**/*.test.ts'],
    // The suites spawn bin/sellify.js, which runs dist/: compile it first when src/ changed.
    globalSetup: ['test/e2e/global-setup.ts'],
    testTimeout: 600_000,
    hookTimeout: 300_000,
    pool: 'forks',
    fileParallelism: false,
    // Trials marked it.concurrent (the crash suite's) run this many at a time: each mostly waits.
    maxConcurrency: Number(process.env.RELIABILITY_CONCURRENCY ?? 4),
    // The suites print their figures; keep them in the log.
    silent: false,
  },
});

// Vitest looks the config up by its default export; this is the one place a default export is required.
// biome-ignore lint/style/noDefaultExport: vitest requires it
export default config;
