/**
 * Fault: an ingest service SIGKILLed between Kafka's acknowledgement and the PostgreSQL mark that
 * makes its claims final (the fault hook FAULT_KILL_AFTER_PRODUCE, off unless a test turns it on).
 *
 * Given the police service in its own process with the hook on, and the hub taking the events
 * topics into its store; when a batch is pushed, the process dies once Kafka has the records —
 * the sender gets no answer — and it is started again without the hook; then the sender's retry
 * of the same batch is accepted (503 with Retry-After while the dead request's claims are still
 * leased, 202 after), the retry yields the same event ids, the topic holds each event at least
 * once and every copy is the same event, and the hub's store counts each once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsTopic, type IngestResponse, type NormalizedEvent } from '@liandong/contracts';
import { createHub, loadHubConfig, type Hub } from '@liandong/hub';
import { eventIdFor } from '@liandong/ingest-kit';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { push, startIngest, type IngestProcess } from '../hostile/ingest-process.ts';
import { reportScenario } from './report.ts';

const RECORDS = 25;
const LEASE_MS = 2000;

describe('an ingest service killed between Kafka’s acknowledgement and the PostgreSQL mark', () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  let hub: Hub;
  const services: IngestProcess[] = [];

  beforeAll(async () => {
    [kafka, db] = await Promise.all([testKafka(), testDatabase()]);
    hub = await createHub(
      loadHubConfig({
        DATABASE_URL: db.appUrl,
        DATABASE_SCHEMA: db.schema,
        KAFKA_BROKERS: kafka.brokers.join(','),
        KAFKA_TOPIC_PREFIX: kafka.prefix,
        PORT: '0',
        LOG_LEVEL: 'silent',
      }),
      { logger: testLogger('hub') },
    );
    await hub.start();
  }, 180_000);

  afterAll(async () => {
    await Promise.allSettled(services.map((s) => s.stop()));
    await hub?.close();
    await kafka?.close();
    await db?.close();
  });

  it('the retry yields the same event ids, every copy on the topic is the same event, and the hub stores each once', async () => {
    const ids = Array.from({ length: RECORDS }, (_, i) => `KILL-${String(i + 1).padStart(3, '0')}`);
    const batch = JSON.stringify(
      ids.map((recordId) => ({
        recordId,
        recordType: 'incident',
        type: 'theft',
        occurredAt: '2026-06-01T10:15:00+08:00',
        address: '桂城街道',
      })),
    );
    const env = { CLAIM_LEASE_MS: String(LEASE_MS), CLAIM_WAIT_MS: '200' };
    const dying = await startIngest({
      department: 'police',
      brokers: kafka.brokers,
      prefix: kafka.prefix,
      db,
      waitReady: true,
      env: { ...env, FAULT_KILL_AFTER_PRODUCE: 'true' },
    });
    services.push(dying);

    // No answer: the process is gone once Kafka has the records.
    const answer = await push(dying, batch).catch((error: unknown) => error);
    expect(answer, 'the sender got no answer').toBeInstanceOf(Error);
    await expect.poll(() => dying.child.signalCode, { timeout: 10_000 }).toBe('SIGKILL');
    const killedAt = Date.now();

    const restarted = await startIngest({
      department: 'police',
      brokers: kafka.brokers,
      prefix: kafka.prefix,
      db,
      key: dying.key,
      waitReady: true,
      env,
    });
    services.push(restarted);

    // The sender retries as a department system does: after a 503, when Retry-After says.
    const answers: number[] = [];
    let accepted: IngestResponse | undefined;
    for (let attempt = 0; attempt < 20 && !accepted; attempt++) {
      const retry = await push(restarted, batch);
      answers.push(retry.status);
      if (retry.status === 202) accepted = JSON.parse(retry.body) as IngestResponse;
      else {
        expect(retry.status, retry.body).toBe(503);
        expect(Number(retry.retryAfter)).toBeGreaterThan(0);
        await new Promise((r) => setTimeout(r, Number(retry.retryAfter) * 1000));
      }
    }
    const recoveredAt = Date.now();
    expect(accepted, `answers: ${answers.join(', ')}`).toBeDefined();
    const expected = ids.map((id) => eventIdFor('police', id));
    expect(accepted?.results.map((r) => r.eventId)).toEqual(expected);

    // On the topic: each event at least once (the dead request's copy and the retry's), all alike.
    const copies = new Map<string, NormalizedEvent[]>();
    for (const m of await kafka.readToEnd(kafka.topic(eventsTopic('police')))) {
      const event = JSON.parse(m.value?.toString() ?? '{}') as NormalizedEvent;
      copies.set(event.id, [...(copies.get(event.id) ?? []), event]);
    }
    const missing = expected.filter((id) => !copies.has(id));
    expect(missing, 'event ids never produced').toEqual([]);
    const strangers = [...copies.keys()].filter((id) => !expected.includes(id));
    expect(strangers).toEqual([]);
    for (const [id, events] of copies) {
      const [first, ...rest] = events.map(({ receivedAt: _r, ...e }) => e);
      for (const other of rest) expect(other, `copies of ${id}`).toEqual(first);
    }

    // Downstream: the hub's store counts each event once.
    const stored = async () =>
      (
        await db.pool.query<{ id: string; n: string }>(
          'SELECT id, count(*) AS n FROM events WHERE id = ANY($1::uuid[]) GROUP BY id',
          [expected],
        )
      ).rows;
    await expect.poll(async () => (await stored()).length, { timeout: 30_000 }).toBe(RECORDS);
    const doubled = (await stored()).filter((r) => Number(r.n) > 1);
    const onTopic = [...copies.values()].reduce((n, e) => n + e.length, 0);
    reportScenario({
      scenario: 'ingest SIGKILLed after Kafka’s ack, before the PostgreSQL mark',
      sent: RECORDS,
      accepted: accepted?.accepted ?? 0,
      lost: missing.length,
      doubled: doubled.length,
      errors: 0,
      recoveryMs: recoveredAt - killedAt,
      note: `answers to the retry: ${answers.join(', ')}; ${onTopic} copies on the topic, ${RECORDS} events in the hub's store`,
    });
    expect(doubled).toEqual([]);
  });
});
