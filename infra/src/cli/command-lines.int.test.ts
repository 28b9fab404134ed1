/**
 * Every command line answers --help (exit 0), says a user's mistake in one line with its usage
 * (exit 2) and a failure in one line (exit 1), never with a stack trace.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../paths.ts';

const run = async (script: string, args: string[], env: Record<string, string> = {}) => {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', script, ...args],
      {
        cwd: REPO_ROOT,
        env: { ...process.env, ...env },
        timeout: 90_000,
      },
    );
    return { status: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { status: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};
const STACK = /\n\s+at .+:\d+:\d+/;

const CASES: { name: string; script: string; usage: RegExp; mistakes: [string[], RegExp][] }[] = [
  {
    name: 'pnpm kafka',
    script: 'infra/src/cli/kafka.ts',
    usage: /^usage: pnpm kafka <fetch\|start\|stop\|status>/,
    mistakes: [
      [['launch'], /^pnpm kafka: unknown command "launch"/],
      [['status', '--port', 'x'], /^pnpm kafka: --port wants a port number, not x/],
      [['start', '--verbose'], /^pnpm kafka: Unknown option '--verbose'/],
    ],
  },
  {
    name: 'pnpm db',
    script: 'services/lib/db/src/cli.ts',
    usage: /^usage: pnpm db migrate/,
    mistakes: [[['drop'], /^pnpm db: unknown command "drop"/]],
  },
  {
    name: 'pnpm simulate:export',
    script: 'tests/scenarios/export.cli.ts',
    usage: /^usage: pnpm simulate:export <scenario>/,
    mistakes: [
      [['flood'], /^pnpm simulate:export: no scenario "flood": rainstorm, /],
      [['rainstorm', '--seed', 'x'], /^pnpm simulate:export: --seed wants a whole number, not x/],
      [
        ['rainstorm', '--status', 'Real'],
        /^pnpm simulate:export: --status is Actual, Exercise or Test, not Real/,
      ],
    ],
  },
  {
    name: 'pnpm tail',
    script: 'infra/src/cli/tail.ts',
    usage: /^usage: pnpm tail <topic>/,
    mistakes: [[[], /^pnpm tail: name a topic/]],
  },
];

describe('command lines', () => {
  it.each(CASES)(
    '$name: --help, and mistakes in one line with exit 2',
    async ({ script, usage, mistakes }) => {
      const [help, ...wrong] = await Promise.all([
        run(script, ['--help']),
        ...mistakes.map(([args]) => run(script, args)),
      ]);
      expect(help?.status).toBe(0);
      expect(help?.stdout).toMatch(usage);
      for (const [i, [args, message]] of mistakes.entries()) {
        const result = wrong[i];
        expect(result?.status, args.join(' ')).toBe(2);
        expect(result?.stderr).toMatch(message);
        expect(result?.stderr).not.toMatch(STACK);
      }
    },
    180_000,
  );

  it('pnpm db migrate against a server that does not answer fails in one line (exit 1)', async () => {
    const result = await run('services/lib/db/src/cli.ts', ['migrate'], {
      DATABASE_ADMIN_URL: 'postgres://postgres@127.0.0.1:1/liandong',
      DATABASE_URL: 'postgres://liandong_app@127.0.0.1:1/liandong',
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^pnpm db: /);
    expect(result.stderr).not.toMatch(STACK);
  }, 120_000);
});
