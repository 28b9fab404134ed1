/**
 * A burst of warnings against the real broker and database: revisions waiting on warnings.v1 when
 * the hub starts reach it in runs, which it records in one transaction per run. Each revision is
 * recorded once (redelivered copies too), in order, deadlines armed for every routed unit, one
 * audit entry per raise, and the audit chain verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type Warning } from '@liandong/contracts';
import { createJsonProducer, createKafka } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { login, seedUsers, startTestHub, testWarning, type TestHub } from './hub.testing.ts';

const WARNINGS = 60;

describe('hub: a burst of warnings waiting on warnings.v1', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let hub: TestHub | undefined;

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    await seedUsers(db.pool);
  });
  afterAll(async () => {
    await hub?.close();
    await kafka?.close();
    await db?.close();
  });

  it('records every revision once, in order, in runs of one transaction, and the audit verifies', async () => {
    // Revision 1 of each warning, revision 2 (orange, police added) of every other one, and a
    // redelivered copy of each revision 1 — all on the topic before the hub starts.
    const messages: Warning[] = [];
    for (let i = 0; i < WARNINGS; i++) {
      const id = `cooccurrence-generic:burst-${String(i).padStart(3, '0')}`;
      const first = testWarning({ id, level: 'yellow', departments: ['water', 'emergency'] });
      messages.push(first);
      if (i % 2 === 0)
        messages.push({
          ...first,
          revision: 2,
          level: 'orange',
          departments: ['water', 'police', 'emergency'],
        });
      messages.push(first);
    }
    const producer = createJsonProducer(
      createKafka({ brokers: kafka.brokers, clientId: 't', logger: testLogger() }),
    );
    await producer.connect();
    await producer.send([
      {
        topic: kafka.topic(TOPICS.warnings),
        messages: messages.map((w) => ({ key: w.id, value: w })),
      },
    ]);
    await producer.disconnect();

    hub = await startTestHub({ db, kafka });
    const revisions = WARNINGS + WARNINGS / 2;
    await expect
      .poll(
        async () =>
          Number(
            (await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM warning_revisions')).rows[0]?.n,
          ),
        { timeout: 60_000, interval: 250 },
      )
      .toBe(revisions);

    // Runs, not one transaction per revision: the command histogram counts transactions.
    const metrics = await (await fetch(`${hub.url}/metrics`)).text();
    const transactions = Number(
      /hub_command_duration_seconds_count\{command="receive"\} (\d+)/.exec(metrics)?.[1],
    );
    expect(transactions).toBeGreaterThan(0);
    expect(transactions).toBeLessThan(messages.length / 4);

    const { rows: current } = await db.pool.query<{ id: string; revision: number; level: string }>(
      'SELECT id, revision, level FROM warnings ORDER BY id',
    );
    expect(current).toHaveLength(WARNINGS);
    current.forEach((w, i) =>
      expect([w.revision, w.level]).toEqual(i % 2 === 0 ? [2, 'orange'] : [1, 'yellow']),
    );
    const { rows: units } = await db.pool.query<{ warning_id: string; units: string[] }>(
      `SELECT warning_id, array_agg(DISTINCT unit ORDER BY unit) AS units FROM acknowledgements
       GROUP BY warning_id ORDER BY warning_id`,
    );
    units.forEach((u, i) =>
      expect(u.units).toEqual(i % 2 === 0 ? ['emergency', 'police', 'water'] : ['emergency', 'water']),
    );

    const analyst = await login(hub.url, 'analyst');
    const audit = (await (
      await analyst.request('GET', '/api/v1/audit?action=warning.raised&limit=500')
    ).json()) as { items: unknown[] };
    expect(audit.items).toHaveLength(WARNINGS);
    const revised = (await (
      await analyst.request('GET', '/api/v1/audit?action=warning.revised&limit=500')
    ).json()) as { items: unknown[] };
    expect(revised.items).toHaveLength(WARNINGS / 2);
    const verify = await analyst.request('GET', '/api/v1/audit/verify');
    expect(await verify.json()).toMatchObject({ ok: true, brokenAt: null });
  }, 120_000);
});
