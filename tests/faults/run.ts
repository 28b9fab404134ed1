/**
 * `pnpm test:faults`: the fault and hostile-input suite in one command. Runs tests/faults and
 * tests/hostile (the integration project: the run's broker and database, as `pnpm test` finds
 * them; the 5-minute load last, alone, as its `load` project), then the production dependencies' audit, and prints one table: scenario, events sent,
 * accepted, lost, doubled, errors, recovery time. HOSTILE_RUNS sets the generated pushes per
 * format (default 300; the issue's full form is HOSTILE_RUNS=10000).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_ROOT } from '@liandong/infra';
import { formatTable, type ScenarioRow } from './report.ts';

const report = join(mkdtempSync(join(tmpdir(), 'liandong-faults-report-')), 'rows.jsonl');
const tests = spawnSync(
  process.execPath,
  [
    join(REPO_ROOT, 'node_modules/vitest/vitest.mjs'),
    'run',
    '--project',
    'integration',
    '--project',
    'load',
    'tests/faults',
    'tests/hostile',
  ],
  { cwd: REPO_ROOT, stdio: 'inherit', env: { ...process.env, FAULTS_REPORT: report } },
);

// Production dependencies: a high or critical advisory fails the suite. When the registry's audit
// service cannot be reached the check says so and fails too (unless FAULTS_AUDIT=optional): a
// check that cannot run has not passed.
const audit = spawnSync('pnpm', ['audit', '--prod', '--audit-level', 'high', '--json'], {
  cwd: REPO_ROOT,
  encoding: 'utf8',
});
let auditLine: string;
let auditFailed: boolean;
try {
  const parsed = JSON.parse(audit.stdout) as {
    metadata?: { vulnerabilities?: Record<string, number> };
    error?: { code?: string; message?: string };
  };
  const v = parsed.metadata?.vulnerabilities;
  if (v) {
    auditFailed = (v['high'] ?? 0) + (v['critical'] ?? 0) > 0;
    auditLine = `pnpm audit --prod: ${JSON.stringify(v)}`;
  } else {
    throw new Error(parsed.error?.message ?? parsed.error?.code ?? 'no audit result');
  }
} catch (error) {
  const why = ((error as Error).message || audit.stderr).trim().split('\n')[0] ?? '';
  auditFailed = process.env['FAULTS_AUDIT'] !== 'optional';
  auditLine = `pnpm audit --prod could not run: ${why.slice(0, 300)}`;
}

const rows: ScenarioRow[] = existsSync(report)
  ? readFileSync(report, 'utf8')
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as ScenarioRow)
  : [];
console.log(`\nFaults and hostile input (HOSTILE_RUNS=${process.env['HOSTILE_RUNS'] ?? 300})\n`);
console.log(formatTable(rows));
console.log(`\n${auditLine}${auditFailed ? '  ← FAILED' : ''}`);
process.exit(tests.status === 0 && !auditFailed ? 0 : 1);
