/**
 * The CI gate (.ci/check-tests.mjs) on the reports vitest itself writes: a small suite with a
 * skipped, a todo and a focused-away test is run by the project's vitest with its JSON reporter
 * (as `.ci/run` runs it), and the gate reads that real report. A skipped or todo test, or fewer
 * tests than the floor, fails it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../paths.ts';

/** Runs `source` as x.test.js under the project's vitest; returns the JSON report's path. */
function report(source: string): { dir: string; results: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ci-gate-'));
  writeFileSync(join(dir, 'x.test.js'), `import { it } from 'vitest';\n${source}\n`);
  writeFileSync(join(dir, 'vitest.config.js'), 'export default {};\n');
  const results = join(dir, 'results.json');
  spawnSync(
    process.execPath,
    [
      join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'),
      'run',
      '--root',
      dir,
      '--reporter=json',
      `--outputFile=${results}`,
    ],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, CI: '' } },
  );
  return { dir, results };
}

function gate(source: string, floor: number) {
  const { dir, results } = report(source);
  const floorFile = join(dir, 'min-tests');
  writeFileSync(floorFile, `${floor}\n`);
  return spawnSync(process.execPath, [join(REPO_ROOT, '.ci/check-tests.mjs'), results, floorFile], {
    cwd: dir,
    encoding: 'utf8',
  });
}

describe('CI gate on the reports vitest writes', () => {
  it('passes when every test ran (passed or failed) and the floor is met', () => {
    const run = gate(
      "it('a', () => {});\nit('b', () => {});\nit('c', () => { throw new Error('red'); });",
      3,
    );
    expect(run.stdout).toContain('3 tests, none skipped (floor 3)');
    expect(run.status).toBe(0);
  });

  it('fails on a skipped, todo or focused-away test, naming it', () => {
    const cases: [string, string][] = [
      ["it('a', () => {});\nit.skip('b', () => {});", 'b'],
      ["it('a', () => {});\nit.todo('b');", 'b'],
      ["it.only('a', () => {});\nit('b', () => {});", 'b'],
    ];
    for (const [source, left] of cases) {
      const run = gate(source, 1);
      expect(run.status, source).toBe(1);
      expect(run.stdout, source).toMatch(new RegExp(`(skipped|todo|pending): x\\.test\\.js > ${left}`));
    }
  });

  it('fails when fewer tests ran than the floor', () => {
    const run = gate("it('a', () => {});\nit('b', () => {});", 5);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('2 tests ran, fewer than the 5');
  });
});
