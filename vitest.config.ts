import { defineConfig } from 'vitest/config';

export const config = defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});

// Vitest looks the config up by its default export; this is the one place a default export is required.
// biome-ignore lint/style/noDefaultExport: vitest requires it
export default config;
