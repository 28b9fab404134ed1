import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { namespacedTopic, TOPICS } from '@liandong/contracts';
import { createJsonProducer, createKafka, publishAuditHead, readPublishedAuditHead } from '@liandong/kafka';
import {
  testDatabase,
  testDatabaseUrl,
  testKafka,
  testLogger,
  uniqueName,
  type TestDatabase,
  type TestKafka,
} from '@liandong/testkit';
import {
  appendAudit,
  auditLogId,
  createPool,
  migrate,
  pruneAudit,
  startAuditHeadPublisher,
  toDatabaseError,
  verifyAudit,
  type AuditEntry,
} from './index.ts';
import { readMigrations } from './migrate.ts';

describe('a pool whose connection is cut while a client is checked out', () => {
  it('given a client held between two queries (a transaction waiting on Kafka), when the server ends its connection, then the process lives on, that client fails with 503 and the pool serves new ones', async () => {
    const pool = createPool({ url: testDatabaseUrl(), max: 2, applicationName: 'liandong-cut-test' });
    const admin = createPool({ url: testDatabaseUrl(), max: 1 });
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const client = await pool.connect();
      await client.query('BEGIN');
      const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      // The server ends the session, as a restart or an administrator would, between two queries.
      await admin.query('SELECT pg_terminate_backend($1)', [rows[0]?.pid]);
      await new Promise((r) => setTimeout(r, 300));
      expect(uncaught, 'an error event nobody listened to').toEqual([]);
      const next = await client.query('COMMIT').then(
        () => undefined,
        (error: unknown) => toDatabaseError(error),
      );
      expect(next?.code).toBe('dependency_unavailable');
      client.release(next);
      expect((await pool.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one).toBe(1);
    } finally {
      process.off('uncaughtException', onUncaught);
      await pool.end();
      await admin.end();
    }
  }, 15_000);
});

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
    expect(await verifyAudit(db.pool)).toEqual({ ok: true, entries: 20, firstSeq: 1 });
    // The trigger refuses even the owner (the services' role has no such privileges at all).
    await expect(db.adminPool.query("UPDATE audit_log SET actor = 'mallory' WHERE seq = 5")).rejects.toThrow(
      /append-only/,
    );
    await expect(db.adminPool.query('DELETE FROM audit_log WHERE seq = 5')).rejects.toThrow(/append-only/);
    await expect(db.adminPool.query('TRUNCATE audit_log')).rejects.toThrow(/append-only/);

    // The owner, who can lift the trigger, edits history: verification finds where.
    await db.adminPool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
    await db.adminPool.query('UPDATE audit_log SET detail = \'{"department":"traffic"}\' WHERE seq = 7');
    await db.adminPool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');
    expect(await verifyAudit(db.pool)).toEqual({
      ok: false,
      entries: 6,
      firstSeq: 1,
      brokenAt: { seq: 7, reason: 'content does not match its hash' },
    });
  });

  it('gives the services a role that can insert and read the audit log, and neither lift its triggers nor change it', async () => {
    const app = db.pool; // as the services connect
    await appendAudit(app, { actor: 'svc', actorRole: 'service', action: 'ingest.push', outcome: 'ok' });
    const { rows } = await app.query<{ user: string }>('SELECT current_user AS user');
    expect(rows[0]?.user).toBe('liandong_app');
    await expect(app.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update')).rejects.toThrow(
      /must be owner/,
    );
    await expect(app.query('ALTER TABLE audit_log DISABLE TRIGGER ALL')).rejects.toThrow(/must be owner/);
    await expect(app.query('DELETE FROM audit_log WHERE seq = 1')).rejects.toThrow(/permission denied/);
    await expect(app.query('TRUNCATE audit_log')).rejects.toThrow(/permission denied/);
    await expect(app.query("UPDATE audit_log SET actor = 'mallory'")).rejects.toThrow(/permission denied/);
    await expect(app.query('DROP TABLE audit_log')).rejects.toThrow(/must be owner/);
    await expect(app.query('CREATE TABLE shadow (x int)')).rejects.toThrow(/permission denied/);
    // What the services need elsewhere, they have.
    await app.query(
      "INSERT INTO ingest_cursors (connector_id, department, cursor) VALUES ('c', 'water', '{}'::jsonb)",
    );
    await app.query("UPDATE ingest_cursors SET cursor = '{\"a\":1}'::jsonb WHERE connector_id = 'c'");
    expect((await app.query('SELECT count(*)::int AS n FROM audit_log')).rows[0]).toEqual({ n: 21 });
  });
});

describe('audit head published on Kafka, against the real PostgreSQL and broker', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  beforeAll(async () => {
    db = await testDatabase();
    kafka = await testKafka();
  });
  afterAll(async () => {
    await kafka?.close();
    await db?.close();
  });

  it('detects a tail cut off (or rewritten) by the owner, which the chain alone cannot', async () => {
    const topic = kafka.topic(TOPICS.auditHead);
    expect(topic).toBe(namespacedTopic('audit-head.v1', kafka.prefix));
    const producer = createJsonProducer(
      createKafka({ brokers: kafka.brokers, clientId: 'audit-head-test', logger: testLogger() }),
    );
    await producer.connect();
    const errors: string[] = [];
    const publisher = startAuditHeadPublisher({
      pool: db.pool, // the services' role publishes
      publisher: 'test',
      intervalMs: 3_600_000,
      logger: {
        info: () => undefined,
        warn: () => undefined,
        error: (_details, message) => errors.push(message),
      },
      publish: (head) => publishAuditHead(producer, topic, head),
      readPublished: (log) => readPublishedAuditHead(kafka.kafka, topic, log),
    });
    try {
      for (let i = 1; i <= 10; i += 1) {
        await appendAudit(db.pool, {
          actor: `op${i}`,
          actorRole: 'operator',
          action: 'warning.acknowledge',
          outcome: 'ok',
        });
      }
      const published = await publisher.publishNow();
      expect(published).toMatchObject({ seq: 10, log: await auditLogId(db.pool), publisher: 'test' });
      expect(await publisher.publishNow()).toBeUndefined(); // nothing new: nothing published

      // The owner lifts the guard and cuts off the last three entries.
      await db.adminPool.query('ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update');
      await db.adminPool.query('DELETE FROM audit_log WHERE seq > 7');
      await db.adminPool.query('ALTER TABLE audit_log ENABLE TRIGGER audit_log_no_update');

      // The chain alone still holds together.
      expect(await verifyAudit(db.pool)).toEqual({ ok: true, entries: 7, firstSeq: 1 });
      // Against the head read back from Kafka, the cut shows.
      const head = await readPublishedAuditHead(kafka.kafka, topic, await auditLogId(db.pool));
      expect(head).toMatchObject({ seq: 10, hash: published?.hash });
      const verdict = await verifyAudit(db.pool, { head: head! });
      expect(verdict).toMatchObject({ ok: false, entries: 7, brokenAt: { seq: 8 } });
      expect(verdict.brokenAt?.reason).toMatch(
        /entries missing at the end: the head published at .* names entry 10, the log ends at 7/,
      );

      // The shorter log is not published as the new head (that would hide the cut).
      expect(await publisher.publishNow()).toBeUndefined();
      expect(errors.join()).toMatch(/behind the head published before/);

      // Written anew past the cut: the chain holds, the published head does not.
      for (let i = 8; i <= 11; i += 1) {
        await appendAudit(db.pool, {
          actor: `forger${i}`,
          actorRole: 'operator',
          action: 'warning.acknowledge',
          outcome: 'ok',
        });
      }
      expect(await verifyAudit(db.pool)).toEqual({ ok: true, entries: 11, firstSeq: 1 });
      const rewritten = await verifyAudit(db.pool, { head: head! });
      expect(rewritten).toMatchObject({ ok: false, brokenAt: { seq: 10 } });
      expect(rewritten.brokenAt?.reason).toMatch(/rewritten/);
    } finally {
      await publisher.stop();
      await producer.disconnect();
    }
  });
});

describe('audit retention against the real PostgreSQL', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await testDatabase();
  });
  afterAll(async () => {
    await db?.close();
  });

  const DAY = 24 * 3600 * 1000;

  it('archives entries older than the period and anchors the kept chain, which still verifies; never younger than 180 days', async () => {
    const now = new Date();
    for (let i = 0; i < 12; i++) {
      await appendAudit(db.pool, {
        actor: 'operator',
        actorRole: 'operator',
        action: 'warning.acknowledged',
        target: `w-${i}`,
        outcome: 'ok',
        // 8 entries from 200 days ago, then 4 from 10 days ago.
        at: new Date(now.getTime() - (i < 8 ? 200 : 10) * DAY + i * 1000),
      });
    }
    await expect(
      pruneAudit(db.pool, {
        before: new Date(now.getTime() - 30 * DAY),
        actor: 'test',
        archive: async () => ({ location: 'x', sha256: 'y' }),
      }),
    ).rejects.toThrow(/at least 180 days/);

    let archived: AuditEntry[] = [];
    const result = await pruneAudit(db.pool, {
      before: new Date(now.getTime() - 190 * DAY),
      actor: 'retention',
      archive: async (entries) => {
        archived = entries;
        const body = entries.map((e) => JSON.stringify(e)).join('\n');
        return { location: 'memory', sha256: createHash('sha256').update(body).digest('hex') };
      },
    });
    expect(result).toMatchObject({ archived: 8, firstKeptSeq: 9 });
    expect(archived.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const verified = await verifyAudit(db.pool);
    expect(verified).toMatchObject({
      ok: true,
      entries: 5,
      firstSeq: 9,
      anchor: { firstKeptSeq: 9, archivedEntries: 8 },
    });
    expect(verified.anchor?.prevHash).toBe(archived[7]?.hash);

    // The chain goes on after retention.
    await appendAudit(db.pool, { actor: 'a', actorRole: 'admin', action: 'x', outcome: 'ok' });
    expect(await verifyAudit(db.pool)).toMatchObject({ ok: true, entries: 6, firstSeq: 9 });

    // The services' role cannot delete directly, even under the retention setting; the owner's
    // pruning function wants an anchor first, and even then refuses entries younger than 180 days.
    const client = await db.pool.connect();
    try {
      await client.query('BEGIN');
      await client.query("SET LOCAL liandong.audit_retention = 'on'");
      await expect(client.query('DELETE FROM audit_log WHERE seq = 10')).rejects.toThrow(/permission denied/);
      await client.query('ROLLBACK');
    } finally {
      client.release();
    }
    await expect(db.pool.query('SELECT audit_prune_before(11)')).rejects.toThrow(
      /no audit anchor at entry 11/,
    );
    const owner = await db.adminPool.connect();
    try {
      await owner.query('BEGIN');
      await owner.query("INSERT INTO audit_anchors VALUES (11, '\\x00', 2, 'h', 'l', now())");
      await expect(owner.query('SELECT audit_prune_before(11)')).rejects.toThrow(/append-only/);
      await owner.query('ROLLBACK');
    } finally {
      owner.release();
    }
    expect(await verifyAudit(db.pool)).toMatchObject({ ok: true, entries: 6, firstSeq: 9 });
  });

  it('finds entries removed without an anchor, and an anchor no retention entry confirms', async () => {
    const other = await testDatabase();
    try {
      const now = Date.now();
      for (let i = 0; i < 5; i++)
        await appendAudit(other.pool, {
          actor: 'a',
          actorRole: 'admin',
          action: 'x',
          outcome: 'ok',
          at: new Date(now - 300 * DAY + i),
        });
      // Someone with the owner's rights removes entries by hand.
      const client = await other.adminPool.connect();
      await client.query('BEGIN');
      await client.query("SET LOCAL liandong.audit_retention = 'on'");
      await client.query('DELETE FROM audit_log WHERE seq <= 2');
      await client.query('COMMIT');
      expect(await verifyAudit(other.pool)).toMatchObject({ ok: false, brokenAt: { seq: 3 } });
      const row = await client.query<{ prev_hash: Buffer }>('SELECT prev_hash FROM audit_log WHERE seq = 3');
      await client.query("INSERT INTO audit_anchors VALUES (3, $1, 2, 'forged', 'nowhere', now())", [
        row.rows[0]?.prev_hash,
      ]);
      client.release();
      expect(await verifyAudit(other.pool)).toMatchObject({
        ok: false,
        brokenAt: { seq: 3, reason: 'no audit.retention entry confirms the retention anchor' },
      });
    } finally {
      await other.close();
    }
  });
});
