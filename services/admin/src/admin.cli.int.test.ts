/**
 * pnpm admin as a user meets it: --help, one-line mistakes with exit 2, failures with exit 1 and
 * no stack trace, demo keys that do not pile up, the audit verdict in words.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';

const REPO_ROOT = join(import.meta.dirname, '../../..');
const NO_STACK = /\n\s+at .+:\d+:\d+/;

describe('pnpm admin', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  const dataDir = mkdtempSync(join(tmpdir(), 'liandong-admin-'));
  const admin = (...args: string[]) =>
    spawnSync(process.execPath, ['--import', 'tsx', 'services/admin/src/cli.ts', ...args], {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      timeout: 60_000,
      env: {
        ...process.env,
        DATABASE_URL: db.appUrl,
        DATABASE_SCHEMA: db.schema,
        LIANDONG_DATA_DIR: dataDir,
        KAFKA_BROKERS: kafka.brokers.join(','),
        KAFKA_TOPIC_PREFIX: kafka.prefix,
      },
    });

  beforeAll(async () => {
    db = await testDatabase();
    kafka = await testKafka();
  });
  afterAll(async () => {
    await db.close();
    await kafka.close();
  });

  it('--help prints the usage (exit 0); a mistake is one line and the usage (exit 2), never a stack trace', () => {
    const help = admin('--help');
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^usage: pnpm admin <command>/);
    expect(help.stdout).toContain('audit verify');

    for (const [args, message] of [
      [['--frobnicate'], /^pnpm admin: Unknown option '--frobnicate'/],
      [['keys', 'revoke', 'not-a-uuid'], /^pnpm admin: "not-a-uuid" is not a key id: key ids are UUIDs/],
      [['keys', 'create'], /^pnpm admin: keys create needs --department <code>/],
      [['users', 'create', '--username', 'x', '--role', 'boss'], /^pnpm admin: --role must be one of/],
      [['launch', 'rockets'], /^pnpm admin: unknown command "launch rockets"/],
    ] as const) {
      const run = admin(...args);
      expect(run.status, args.join(' ')).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(run.stderr).not.toMatch(NO_STACK);
    }
  }, 120_000);

  it('keys revoke of a key that does not exist fails (exit 1) in one line', () => {
    const run = admin('keys', 'revoke', '00000000-0000-4000-8000-000000000000');
    expect(run.status).toBe(1);
    expect(run.stderr.trim()).toBe(
      'pnpm admin: no active key 00000000-0000-4000-8000-000000000000 (already revoked, or never issued)',
    );
  }, 60_000);

  it("demo keys are reused while the credentials file holds them; a fresh clone's demo revokes the ones nobody holds; keys list marks the demo keys", () => {
    expect(admin('demo-credentials').status).toBe(0);
    const first = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as {
      keys: Record<string, string>;
    };
    expect(admin('demo-credentials').status).toBe(0);
    const second = JSON.parse(readFileSync(join(dataDir, 'demo-credentials.json'), 'utf8')) as typeof first;
    expect(second.keys).toEqual(first.keys);

    // A fresh clone: the file is gone, the database still holds the earlier demo's keys.
    spawnSync('rm', [join(dataDir, 'demo-credentials.json')]);
    expect(admin('demo-credentials').status).toBe(0);
    const list = admin('keys', 'list', '--department', 'police');
    expect(list.status).toBe(0);
    const rows = list.stdout.split('\n').filter((l) => l.includes('local demo'));
    expect(rows).toHaveLength(2);
    // One revoked (the earlier demo's), one active and marked as the file's.
    expect(rows.filter((r) => /\btrue\b/.test(r))).toHaveLength(1);
    expect(rows.filter((r) => /\d{4}-\d\d-\d\dT.*\d{4}-\d\d-\d\dT/.test(r))).toHaveLength(1);
  }, 120_000);

  it('audit verify says intact, or names the first broken entry and exits 1', async () => {
    const intact = admin('audit', 'verify');
    expect(intact.status, intact.stderr).toBe(0);
    expect(intact.stdout).toMatch(/^audit log \S+ intact: \d+ entries from 1/);

    // Someone with the owner's rights rewrites an entry.
    await db.adminPool.query('ALTER TABLE audit_log DISABLE TRIGGER USER');
    await db.adminPool.query("UPDATE audit_log SET actor = 'nobody' WHERE seq = 2");
    await db.adminPool.query('ALTER TABLE audit_log ENABLE TRIGGER USER');
    const broken = admin('audit', 'verify');
    expect(broken.status).toBe(1);
    expect(broken.stdout).toMatch(/^audit log \S+ BROKEN at entry 2: /);
    const json = admin('audit', 'verify', '--json');
    expect(JSON.parse(json.stdout)).toMatchObject({ ok: false, brokenAt: { seq: 2 } });
  }, 120_000);
});
