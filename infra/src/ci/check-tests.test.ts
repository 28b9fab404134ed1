/** The CI gate (.ci/check-tests.mjs) on sample reporter results: a skipped or todo test, or fewer tests than the floor, fails it. */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../paths.ts';

function gate(statuses: string[], floor: number) {
  const dir = mkdtempSync(join(tmpdir(), 'ci-gate-'));
  const results = join(dir, 'results.json');
  const floorFile = join(dir, 'min-tests');
  writeFileSync(
    results,
    JSON.stringify({
      numTotalTests: statuses.length,
      numPendingTests: statuses.filter((s) => s === 'skipped' || s === 'pending').length,
      numTodoTests: statuses.filter((s) => s === 'todo').length,
      testResults: [
        {
          name: join(REPO_ROOT, 'x.test.ts'),
          assertionResults: statuses.map((status, i) => ({ status, fullName: `t${i}` })),
        },
      ],
    }),
  );
  writeFileSync(floorFile, `${floor}\n`);
  return spawnSync(process.execPath, [join(REPO_ROOT, '.ci/check-tests.mjs'), results, floorFile], {
    encoding: 'utf8',
  });
}

describe('CI gate on the test results', () => {
  it('passes when every test ran (passed or failed) and the floor is met', () => {
    const run = gate(['passed', 'passed', 'failed'], 3);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('3 tests, none skipped (floor 3)');
  });

  it('fails on a skipped or todo test, naming it', () => {
    for (const status of ['skipped', 'todo', 'pending']) {
      const run = gate(['passed', status], 1);
      expect(run.status, status).toBe(1);
      expect(run.stdout).toContain(`${status}: x.test.ts > t1`);
    }
  });

  it('fails when fewer tests ran than the floor', () => {
    const run = gate(['passed', 'passed'], 5);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('2 tests ran, fewer than the 5');
  });
});
