import { defineConfig } from 'vitest/config';

/**
 * Two tiers. `unit`: pure tests beside the code (`*.test.ts`), no broker, no database — runs in
 * seconds on any machine (`pnpm test:unit`). `integration`: `*.int.test.ts` beside the code and
 * the end-to-end tests in `tests/` (`*.e2e.test.ts`), against the real Kafka broker and
 * PostgreSQL that the global setup obtains. `load`: the 5-minute steady load at 1,000 records/s,
 * alone after both. `pnpm test` runs all three.
 */
const INTEGRATION = ['**/*.int.test.ts', '**/*.e2e.test.ts'];
/** The steady-load run (5 minutes at 1,000 records/s): alone, after everything else. */
const LOAD = ['tests/faults/load.int.test.ts'];
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
          sequence: { groupOrder: 0 },
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
          sequence: { groupOrder: 0 },
          include: INTEGRATION.map((p) => `{contracts,infra,services,tests}/${p}`),
          exclude: [...ALWAYS_EXCLUDED, ...LOAD],
          globalSetup: ['services/lib/testkit/src/global-setup.ts'],
        },
      },
      {
        extends: true,
        test: {
          name: 'load',
          // Group order 1: it starts when the unit and integration tests are done.
          sequence: { groupOrder: 1 },
          include: LOAD,
          globalSetup: ['services/lib/testkit/src/global-setup.ts'],
        },
      },
    ],
  },
});
