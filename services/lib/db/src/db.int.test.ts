import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDatabase, testDatabaseUrl, uniqueName, type TestDatabase } from '@liandong/testkit';
import { appendAudit, createPool, migrate, readMigrations, verifyAudit } from './index.ts';

describe('migrations against the real PostgreSQL', () => {
  it('apply in order, record themselves, and are safe to run twice (also concurrently)', async () => {
    const schema = uniqueName('m_').toLowerCase();
    const pool = createPool({ url: testDatabaseUrl(), schema, max: 4 });
    try {
      const [a, b] = await Promise.all([migrate(pool, { schema }), migrate(pool, { schema })]);
      const all = readMigrations().map((m) => `${m.version}_${m.name}`);
      expect([...a.applied, ...b.applied].sort()).toEqual(all.sort());
      expect((await migrate(pool, { schema })).applied).toEqual([]);
      const { rows } = await pool.query<{ version: string }>(
        'SELECT version FROM schema_migrations ORDER BY version',
      );
      expect(rows.map((r) => r.version)).toEqual(readMigrations().map((m) => m.version));
    } finally {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    }
  });

  it('refuses to continue when an applied migration was edited', async () => {
    const schema = uniqueName('m_').toLowerCase();
    const pool = createPool({ url: testDatabaseUrl(), schema, max: 2 });
    try {
      const migrations = readMigrations();
      await migrate(pool, { schema, migrations });
      const edited = migrations.map((m, i) => (i === 0 ? { ...m, checksum: 'edited' } : m));
      await expect(migrate(pool, { schema, migrations: edited })).rejects.toThrow(
        /was changed after it was applied/,
      );
    } finally {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    }
  });

  it('rolls back a failing migration and names it', async () => {
    const schema = uniqueName('m_').toLowerCase();
    const pool = createPool({ url: testDatabaseUrl(), schema, max: 2 });
    try {
      const broken = [
        { version: '0001', name: 'broken', sql: 'CREATE TABLE ok (x int); SELEC 1;', checksum: 'x' },
      ];
      await expect(migrate(pool, { schema, migrations: broken })).rejects.toThrow(/0001_broken failed/);
      const { rows } = await pool.query("SELECT to_regclass('ok') AS t");
      expect(rows[0]).toEqual({ t: null });
    } finally {
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
    }
  });
});

describe('audit log against the real PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await testDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  it('chains entries by hash, refuses updates and deletes, and detects tampering', async () => {
    await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        appendAudit(db.pool, {
          actor: `user${i % 3}`,
          actorRole: 'operator',
          action: 'warning.acknowledge',
          target: `w-${i}`,
          outcome: 'ok',
          detail: { department: 'water', note: '收到，已派员' },
          ip: '10.0.0.1',
        }),
      ),
    );
    expect(await verifyAudit(db.pool)).toEqual({ ok: true, entries: 20 });
    await expect(db.pool.query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 5")).rejects.toThrow(
      /append-only/,
    );
    await expect(db.pool.query('DELETE FROM audit_log WHERE seq = 5')).rejects.toThrow(/append-only/);
    await expect(db.pool.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);

    // Someone with the power to lift the trigger edits history: verification finds where.
    await db.pool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await db.pool.query('UPDATE audit_log SET detail = \'{"department":"traffic"}\' WHERE seq = 7');
    await db.pool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    expect(await verifyAudit(db.pool)).toEqual({
      ok: false,
      entries: 6,
      brokenAt: { seq: 7, reason: 'content does not match its hash' },
    });
  });
});
