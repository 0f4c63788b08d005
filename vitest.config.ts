import { configDefaults, defineConfig } from 'vitest/config';

/**
 * Three projects, one `vitest run` for all of them (`npm test`):
 * - unit: no database, no socket, no child process; seconds (`npm run test:unit`);
 * - e2e: suites that start processes, the real `sellify serve` above all (`npm run test:e2e`).
 *   Their global set-up compiles src/ to dist/ first when the sources changed, so the spawned
 *   commands run the compiled build (what production runs) and never an older one;
 * - integration: everything else: the store on PGlite and Postgres, the HTTP app through inject,
 *   the queue, the pipelines, the WhatsApp clients against the simulator (`npm run test:integration`).
 * Integration is defined as "not unit, not e2e", so a new test file always runs somewhere.
 */
const UNIT = [
  'src/config.test.ts',
  'src/log.test.ts',
  'src/crypto/**/*.test.ts',
  'src/domain/**/*.test.ts',
  'src/engines/**/*.test.ts',
  'src/pipeline/send-confirm.test.ts',
  'src/queue/guard.test.ts',
  'src/store/group-commit.test.ts',
  'src/store/ids.test.ts',
  // Webhook parsers, signature checks and error classifiers; the clients' HTTP runs in test/whatsapp.
  'src/whatsapp/**/*.test.ts',
  'test/client/retry-policy.test.ts',
  'test/deploy/compose.test.ts',
  'test/http/errors-doc.test.ts',
  'test/intent-corpus.test.ts',
  'test/intent-heldout2.test.ts',
  // The dashboard's reason labels against the codes decide() emits: pure, no browser.
  'test/web/reason-labels.test.ts',
];

const E2E = [
  'test/e2e/**/*.test.ts',
  'test/cli/**/*.test.ts',
  'test/client/e2e.test.ts',
  // Forks a worker process and SIGKILLs it mid-job.
  'test/queue/crash.test.ts',
  // The dashboard in Chromium against the real server (skipped when /usr/bin/chromium is absent).
  'test/browser/**/*.test.ts',
];

const ALL = ['src/**/*.test.ts', 'test/**/*.test.ts'];
// The reliability suites take minutes: `npm run test:reliability` (vitest.reliability.config.ts).
const EXCLUDED = [...configDefaults.exclude, 'test/reliability/**'];

export const config = defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        // Pure code with no module state worth isolating: one process runs every file, which makes the
        // project 3–5× faster than a fresh process per file.
        test: { name: 'unit', include: UNIT, exclude: EXCLUDED, isolate: false },
      },
      {
        extends: true,
        test: { name: 'integration', include: ALL, exclude: [...EXCLUDED, ...UNIT, ...E2E] },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: E2E,
          exclude: EXCLUDED,
          globalSetup: ['test/e2e/global-setup.ts'],
        },
      },
    ],
  },
});

// Vitest looks the config up by its default export; this is the one place a default export is required.
// biome-ignore lint/style/noDefaultExport: vitest requires it
export default config;
