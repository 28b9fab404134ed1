import { defineConfig } from 'vitest/config';

/**
 * Two tiers. `unit`: pure tests beside the code (`*.test.ts`), no broker, no database — runs in
 * seconds on any machine (`pnpm test:unit`). `integration`: `*.int.test.ts` beside the code and
 * the end-to-end tests in `tests/` (`*.e2e.test.ts`), against the real Kafka broker and
 * PostgreSQL that the global setup obtains. `pnpm test` runs both.
 */
const INTEGRATION = ['**/*.int.test.ts', '**/*.e2e.test.ts'];
const ALWAYS_EXCLUDED = ['**/node_modules/**', 'tests/bench/**', 'web/**'];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 180_000,
    pool: 'forks',
    reporters: process.env['CI'] ? ['default', 'json'] : ['default'],
    outputFile: { json: '.vitest-results.json' },
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['{contracts,infra,services,tests}/**/*.test.ts'],
          exclude: [...ALWAYS_EXCLUDED, ...INTEGRATION],
          // Pure tests share worker threads and their module cache: 26 s instead of 69 s on two
          // cores (most of the time went to loading the same modules again for each file). A
          // unit test therefore keeps no state between files; `pnpm test:unit --sequence.shuffle`
          // shows it does not.
          pool: 'threads',
          isolate: false,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: INTEGRATION.map((p) => `{contracts,infra,services,tests}/${p}`),
          exclude: ALWAYS_EXCLUDED,
          globalSetup: ['services/lib/testkit/src/global-setup.ts'],
        },
      },
    ],
  },
});
