/**
 * Audit retention through the hub: entries past the period are archived to a file whose SHA-256
 * the anchor records, removed, and the kept chain still verifies over the API.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appendAudit } from '@liandong/db';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { login, seedUsers, startTestHub, type TestHub } from './hub.testing.ts';

const DAY = 24 * 3600 * 1000;

describe('hub: audit retention', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let hub: TestHub;
  const archiveDir = mkdtempSync(join(tmpdir(), 'audit-archive-'));

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    for (let i = 0; i < 5; i++)
      await appendAudit(db.pool, {
        actor: 'operator',
        actorRole: 'operator',
        action: 'warning.acknowledged',
        target: `old-${i}`,
        outcome: 'ok',
        at: new Date(Date.now() - 400 * DAY + i * 1000),
      });
    await seedUsers(db.pool);
    hub = await startTestHub({
      db,
      kafka,
      env: { AUDIT_RETENTION_DAYS: '365', AUDIT_ARCHIVE_DIR: archiveDir },
    });
  });
  afterAll(async () => {
    await hub?.close();
    await kafka?.close();
    await db?.close();
  });

  it('archives entries older than the period, anchors the chain, and verify stays intact', async () => {
    await hub.hub.retention.runOnce();
    const { rows } = await db.pool.query<{
      archive_location: string;
      archive_sha256: string;
      first_kept_seq: string;
    }>('SELECT * FROM audit_anchors');
    expect(rows).toHaveLength(1);
    const anchor = rows[0] as (typeof rows)[0];
    expect(Number(anchor.first_kept_seq)).toBe(6);
    const file = readFileSync(anchor.archive_location);
    expect(createHash('sha256').update(file).digest('hex')).toBe(anchor.archive_sha256);
    const archived = gunzipSync(file)
      .toString()
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { target: string });
    expect(archived.map((e) => e.target)).toEqual(['old-0', 'old-1', 'old-2', 'old-3', 'old-4']);
    const analyst = await login(hub.url, 'analyst');
    const verify = (await (await analyst.request('GET', '/api/v1/audit/verify')).json()) as Record<
      string,
      unknown
    >;
    expect(verify).toMatchObject({
      ok: true,
      firstSeq: 6,
      anchor: { firstKeptSeq: 6, archivedEntries: 5 },
      brokenAt: null,
    });
    // A second run has nothing to do.
    await hub.hub.retention.runOnce();
    expect((await db.pool.query('SELECT count(*)::int AS n FROM audit_anchors')).rows[0]).toEqual({ n: 1 });
  });
});
