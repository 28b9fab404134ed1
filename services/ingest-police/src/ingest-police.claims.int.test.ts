/**
 * The ledger's claim is never held open while a record is produced: a stalled broker holds no
 * PostgreSQL transaction of the service, and a claim left pending by a request that died between
 * its produce and its publish-mark is taken over by the sender's retry after its lease — the event
 * on the topic again under the same event id. Against the real broker and PostgreSQL; the broker
 * is "stalled" by holding the produce call of a real producer.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsTopic, type IngestResponse } from '@liandong/contracts';
import { createPool, type Pool } from '@liandong/db';
import { createKafka, type JsonProducer } from '@liandong/kafka';
import { createEventProducer, createRecordRepository, eventIdFor } from '@liandong/ingest-kit';
import { createIngestHarness, push } from '@liandong/ingest-kit/testing';
import {
  testDatabase,
  testKafka,
  testLogger,
  uniqueName,
  type TestDatabase,
  type TestKafka,
} from '@liandong/testkit';
import { policeDefinition } from './definition.ts';

const record = (recordId: string, extra: Record<string, unknown> = {}) => ({
  recordId,
  recordType: 'incident',
  type: 'gas_leak',
  occurredAt: '2026-06-01T10:15:00+08:00',
  address: '大沥镇黄岐',
  priority: 1,
  ...extra,
});

/** A real producer whose sends wait at a gate while it is closed: a broker that does not answer. */
function gatedProducer(kafka: TestKafka) {
  const real = createEventProducer(
    createKafka({ brokers: kafka.brokers, clientId: 'gated', logger: testLogger() }),
    {
      logger: testLogger(),
    },
  );
  let open = true;
  let opened: () => void = () => undefined;
  let gate = Promise.resolve();
  let entered: () => void = () => undefined;
  let waiting = new Promise<void>((r) => (entered = r));
  /** After the real send: hold the answer for good (the process "died" before its publish-mark). */
  let dieAfterSend = false;
  const producer: JsonProducer = {
    get raw() {
      return real.raw;
    },
    connect: () => real.connect(),
    disconnect: () => real.disconnect(),
    async send(batches) {
      entered();
      if (!open) await gate;
      const result = await real.send(batches);
      if (dieAfterSend) await new Promise(() => undefined);
      return result;
    },
  };
  return {
    producer,
    close() {
      open = false;
      gate = new Promise<void>((r) => (opened = r));
      waiting = new Promise<void>((r) => (entered = r));
    },
    open() {
      open = true;
      opened();
    },
    entered: () => waiting,
    dieAfterSend() {
      dieAfterSend = true;
    },
  };
}

describe('ingest-police: the claim is never held open across the produce', () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  const pools: Pool[] = [];
  /** A ledger on a pool of its own, named so that pg_stat_activity tells its sessions apart. */
  const ledger = (applicationName: string, leaseMs?: number) => {
    const pool = createPool({ url: db.appUrl, schema: db.schema, applicationName, max: 4 });
    pools.push(pool);
    return createRecordRepository(pool, leaseMs !== undefined ? { leaseMs } : {});
  };
  beforeAll(async () => {
    kafka = await testKafka();
    db = await testDatabase();
  });
  afterAll(async () => {
    await Promise.allSettled(pools.map((p) => p.end()));
    await kafka?.close();
    await db?.close();
  });

  const eventKeys = async () =>
    (await kafka.readToEnd(kafka.topic(eventsTopic('police')))).map((m) => m.key?.toString());

  it('given a produce stalled at the broker, then no session of the service is idle in a transaction; a repeat meanwhile waits and is a duplicate', async () => {
    const applicationName = uniqueName('ingest_claim_a_').toLowerCase();
    const gated = gatedProducer(kafka);
    const h = await createIngestHarness(policeDefinition, {
      kafka,
      db,
      producer: gated.producer,
      records: ledger(applicationName),
      claimWaitMs: 10_000,
    });
    try {
      gated.close();
      const first = push(h, [record('STALL-1'), record('STALL-2')]);
      await gated.entered();
      // A resend of one of them while the first is being produced.
      const repeat = push(h, [record('STALL-2')]);
      await new Promise((r) => setTimeout(r, 500));
      const { rows } = await db.adminPool.query<{ state: string; query: string }>(
        `SELECT state, query FROM pg_stat_activity
         WHERE application_name = $1 AND state LIKE 'idle in transaction%'`,
        [applicationName],
      );
      expect(rows, 'sessions of the ingest service inside a transaction while Kafka stalls').toEqual([]);
      const pending = await db.adminPool.query<{ source_id: string; state: string }>(
        `SELECT source_id, state FROM ${db.schema}.ingest_records WHERE source_id LIKE 'STALL-%' ORDER BY source_id`,
      );
      expect(pending.rows).toEqual([
        { source_id: 'STALL-1', state: 'pending' },
        { source_id: 'STALL-2', state: 'pending' },
      ]);

      gated.open();
      const answered = await first;
      expect(answered.statusCode, answered.body).toBe(202);
      expect(answered.json<IngestResponse>().accepted).toBe(2);
      const again = await repeat;
      expect(again.statusCode, again.body).toBe(202);
      expect(again.json<IngestResponse>().results[0]).toMatchObject({
        status: 'duplicate',
        sameContent: true,
      });

      const published = await db.adminPool.query<{ state: string }>(
        `SELECT DISTINCT state FROM ${db.schema}.ingest_records WHERE source_id LIKE 'STALL-%'`,
      );
      expect(published.rows).toEqual([{ state: 'published' }]);
      const keys = await eventKeys();
      for (const id of ['STALL-1', 'STALL-2'])
        expect(keys.filter((k) => k === eventIdFor('police', id))).toHaveLength(1);
    } finally {
      gated.open();
      await h.close();
    }
  });

  it('given a request that died after its produce, before its publish-mark, then the retry is answered 503 within the lease and taken over after it: the same event again under the same id', async () => {
    const leaseMs = 60_000;
    const dying = gatedProducer(kafka);
    dying.dieAfterSend();
    const crashed = await createIngestHarness(policeDefinition, {
      kafka,
      db,
      producer: dying.producer,
      records: ledger(uniqueName('ingest_claim_b1_').toLowerCase(), leaseMs),
    });
    // Never answered: as if the process had been killed once Kafka acknowledged.
    void push(crashed, [record('CRASH-1'), record('CRASH-2')]);
    await dying.entered();
    const eventId = eventIdFor('police', 'CRASH-1');
    const deadline = Date.now() + 20_000;
    while (!(await eventKeys()).includes(eventId)) {
      if (Date.now() > deadline) throw new Error('the dying request never produced');
      await new Promise((r) => setTimeout(r, 100));
    }

    const retrying = await createIngestHarness(policeDefinition, {
      kafka,
      db,
      records: ledger(uniqueName('ingest_claim_b2_').toLowerCase(), leaseMs),
      claimWaitMs: 200,
    });
    try {
      const early = await push(retrying, [record('CRASH-1')]);
      expect(early.statusCode, early.body).toBe(503);
      expect(Number(early.headers['retry-after'])).toBeGreaterThan(0);

      // The lease runs out (moved back rather than waited for: a minute).
      await db.adminPool.query(
        `UPDATE ${db.schema}.ingest_records SET accepted_at = now() - interval '61 seconds'
         WHERE source_id LIKE 'CRASH-%' AND state = 'pending'`,
      );
      const retried = await push(retrying, [record('CRASH-1')]);
      expect(retried.statusCode, retried.body).toBe(202);
      expect(retried.json<IngestResponse>().results[0]).toMatchObject({ status: 'accepted', eventId });
      // A resend of other content against a claim left pending is a conflict: the first state stands.
      const changed = await push(retrying, [record('CRASH-2', { priority: 3 })]);
      expect(changed.statusCode, changed.body).toBe(409);
      expect(changed.json<IngestResponse>().results[0]).toMatchObject({ status: 'conflict' });
      // Now published: a further resend is a duplicate, produced no more.
      const later = await push(retrying, [record('CRASH-1')]);
      expect(later.json<IngestResponse>().results[0]).toMatchObject({ status: 'duplicate' });

      const messages = (await kafka.readToEnd(kafka.topic(eventsTopic('police')))).filter(
        (m) => m.key?.toString() === eventId,
      );
      expect(messages).toHaveLength(2);
      const [a, b] = messages.map(
        (m) => JSON.parse(m.value?.toString() ?? '{}') as { id: string; source: unknown },
      );
      expect(a?.id).toBe(eventId);
      expect(b?.id).toBe(eventId);
      expect(b?.source).toEqual(a?.source);
    } finally {
      await retrying.close();
      await Promise.race([crashed.close(), new Promise((r) => setTimeout(r, 5000))]).catch(() => undefined);
      await dying.producer.disconnect().catch(() => undefined);
    }
  });
});
