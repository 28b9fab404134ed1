/**
 * A PostgreSQL server of a test's own: Debian's PostgreSQL binaries, a cluster initialised in a
 * temporary folder (owned by the `postgres` user, as initdb refuses root), on a free port. A fault
 * test stops it hard and starts it again without touching the server every other test uses.
 */
import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_ROLE, withUser } from '@liandong/config';
import { createPool, migrate } from '@liandong/db';
import { uniqueName, type TestDatabase } from '@liandong/testkit';

const PG_ROOT = '/usr/lib/postgresql';

function binaries(): string {
  const versions = readdirSync(PG_ROOT).filter((v) => /^\d+$/.test(v));
  const newest = versions.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`no PostgreSQL server binaries under ${PG_ROOT}`);
  return join(PG_ROOT, newest, 'bin');
}

export interface PrivatePostgres {
  port: number;
  /** The superuser's URL. */
  url: string;
  /** Stops it as a crash would (`pg_ctl stop -m immediate`: no checkpoint, clients cut off). */
  crash(): void;
  start(): void;
  /** A schema migrated on it, as `testDatabase()` makes one on the run's server. */
  database(): Promise<TestDatabase>;
  remove(): void;
}

export function startPrivatePostgres(port: number): PrivatePostgres {
  const bin = binaries();
  const dir = mkdtempSync(join(tmpdir(), 'liandong-pg-'));
  const data = join(dir, 'data');
  // initdb and the server refuse to run as root: as root, run them as the postgres user.
  const asRoot = userInfo().uid === 0;
  const postgres = asRoot
    ? (() => {
        const ids = execFileSync('id', ['-u', 'postgres']).toString().trim();
        const gid = execFileSync('id', ['-g', 'postgres']).toString().trim();
        return { uid: Number(ids), gid: Number(gid) };
      })()
    : undefined;
  if (postgres) chownSync(dir, postgres.uid, postgres.gid);
  const run = (tool: string, args: string[]) =>
    execFileSync(join(bin, tool), args, {
      stdio: 'pipe',
      ...(postgres ? { uid: postgres.uid, gid: postgres.gid } : {}),
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
  run('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--no-sync']);
  const start = () =>
    void run('pg_ctl', [
      '-D',
      data,
      '-l',
      join(dir, 'server.log'),
      '-w',
      '-t',
      '60',
      '-o',
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60`,
      'start',
    ]);
  start();
  const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
  return {
    port,
    url,
    crash: () => void run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']),
    start,
    async database() {
      const schema = uniqueName('t_').toLowerCase();
      const appUrl = withUser(url, APP_ROLE);
      const adminPool = createPool({ url, schema, max: 2, applicationName: 'liandong-test-admin' });
      await migrate(adminPool, { schema, appRole: APP_ROLE });
      const pool = createPool({ url: appUrl, schema, max: 5, applicationName: 'liandong-test' });
      return {
        url,
        appUrl,
        schema,
        pool,
        adminPool,
        async close() {
          await pool.end().catch(() => undefined);
          await adminPool.end().catch(() => undefined);
        },
      };
    },
    remove() {
      try {
        if (statSync(join(data, 'postmaster.pid'), { throwIfNoEntry: false }))
          run('pg_ctl', ['-D', data, '-m', 'immediate', '-w', 'stop']);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
