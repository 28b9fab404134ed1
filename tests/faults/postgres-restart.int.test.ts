/**
 * Fault: PostgreSQL stopped as a crash would (immediate shutdown) under load, and started again.
 *
 * Given an ingest service (its own process) on the run's broker and on a PostgreSQL server of this
 * test's own (the shared one is never touched), and senders pushing one record per request,
 * retrying after a 503 as a department system would; when the server goes down for a few seconds
 * and comes back; then while it is down every push is answered (503 with Retry-After, never a
 * hang and never a 500), the service accepts again by itself — no restart — and, read to its end
 * offsets, the events topic holds every record answered 202, and any copy is the same event.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsTopic, TOPICS, type DeadLetter } from '@liandong/contracts';
import { createHub, loadHubConfig } from '@liandong/hub';
import { createJsonProducer, createKafka } from '@liandong/kafka';
import { testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { freePort, startIngest, type IngestProcess } from '../hostile/ingest-process.ts';
import { readToEnd } from './read-to-end.ts';
import { warning as testWarning } from '../browser/browser.ts';
import { reportScenario } from './report.ts';
import { setAgainstTopic, startSenders } from './senders.ts';
import { startPrivatePostgres, type PrivatePostgres } from './private-postgres.ts';

const DOWN_MS = Number(process.env['FAULTS_POSTGRES_DOWN_MS'] ?? 6000);
/** Longer than a consumer's retries of 8 attempts used to last (about 20 s) before dead-lettering. */
const HUB_DOWN_MS = Number(process.env['FAULTS_POSTGRES_HUB_DOWN_MS'] ?? 30_000);
const SENDERS = 4;

describe('PostgreSQL stopped hard under load and started again', () => {
  let server: PrivatePostgres;
  let db: TestDatabase;
  let kafka: TestKafka;
  let service: IngestProcess;

  beforeAll(async () => {
    server = startPrivatePostgres(await freePort());
    [db, kafka] = await Promise.all([server.database(), testKafka()]);
    service = await startIngest({
      department: 'police',
      brokers: kafka.brokers,
      prefix: kafka.prefix,
      db,
      waitReady: true,
    });
  }, 180_000);

  afterAll(async () => {
    await service?.stop();
    await db?.close();
    await kafka?.close();
    server?.remove();
  });

  it('answers 503 with Retry-After while it is down, accepts again without a restart, loses nothing; a copy on the topic is the same event', async () => {
    const record = (id: string) =>
      JSON.stringify({
        recordId: id,
        recordType: 'incident',
        type: 'theft',
        occurredAt: '2026-06-01T10:15:00+08:00',
        address: '桂城街道',
      });
    const senders = startSenders(service, { senders: SENDERS, prefix: 'PG', record });
    const { stats } = senders;

    await new Promise((r) => setTimeout(r, 2000));
    const acceptedBefore = stats.acked.size;
    const downAt = Date.now();
    server.crash();
    await new Promise((r) => setTimeout(r, DOWN_MS));
    const unavailableWhileDown = stats.unavailable;
    server.start();
    const backAt = senders.markBack();
    await senders.finish(Date.now() + 90_000);

    const messages = await readToEnd(kafka.kafka, kafka.topic(eventsTopic('police')), 60_000);
    const { onTopic, lost, doubled, differing } = setAgainstTopic(messages, stats.acked);
    const recoveryMs = stats.firstAcceptAfterBack ? stats.firstAcceptAfterBack - backAt : undefined;
    reportScenario({
      scenario: 'PostgreSQL immediate stop + start',
      sent: stats.sent,
      accepted: stats.acked.size,
      lost: lost.length,
      doubled,
      errors: stats.otherAnswers.length + stats.withoutRetryAfter,
      ...(recoveryMs !== undefined ? { recoveryMs } : {}),
      note: `down ${((backAt - downAt) / 1000).toFixed(1)} s; ${stats.unavailable} answered 503 (slowest ${stats.slowest503Ms} ms); ${stats.pending.length} never taken`,
    });
    expect(service.alive(), `the service process kept running:\n${service.output().slice(-4000)}`).toBe(true);
    expect(acceptedBefore, 'accepted before the stop').toBeGreaterThan(0);
    expect(unavailableWhileDown, 'pushes answered 503 while the server was down').toBeGreaterThan(0);
    expect(stats.withoutRetryAfter, '503 answers without Retry-After').toBe(0);
    expect(stats.otherAnswers, 'answers other than 202 and 503, or none').toEqual([]);
    expect(stats.slowest503Ms, 'a 503 answered promptly, not after a hang').toBeLessThan(15_000);
    expect(stats.firstAcceptAfterBack, 'accepted again after the start, without a restart').toBeGreaterThan(
      0,
    );
    expect(stats.pending, 'records never taken').toEqual([]);
    expect(lost, 'answered 202 but not on the topic').toEqual([]);
    // At least once, as with the broker killed: a record produced when the server died before its
    // claim was marked is answered 503 and resent under the same event id. A copy must be that very
    // event (same event id, same source id), so that consumers keyed on the event id count it once.
    expect(differing, 'two different events under one event id').toEqual([]);
    expect(onTopic.size).toBe(stats.acked.size);
  }, 240_000);
  it('the hub holds a warning while its database is away and records it after, without a restart; nothing dead-lettered', async () => {
    const hubDb = await server.database();
    const config = loadHubConfig({
      DATABASE_URL: hubDb.url,
      DATABASE_SCHEMA: hubDb.schema,
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC_PREFIX: kafka.prefix,
      PORT: '0',
      LOG_LEVEL: 'silent',
    });
    const hub = await createHub(config, { logger: testLogger('hub') });
    await hub.start();
    const producer = createJsonProducer(
      createKafka({ brokers: kafka.brokers, clientId: 'faults', logger: testLogger() }),
    );
    await producer.connect();
    try {
      const warning = testWarning({
        id: 'cooccurrence-generic:pg-away',
        level: 'orange',
        exercise: true,
      });
      server.crash();
      const downAt = Date.now();
      await producer.send([
        { topic: kafka.topic(TOPICS.warnings), messages: [{ key: warning.id, value: warning }] },
      ]);
      await new Promise((r) => setTimeout(r, HUB_DOWN_MS));
      server.start();
      const backAt = Date.now();
      let recordedAt = 0;
      await expect
        .poll(
          async () => {
            const { rows } = await hubDb.pool.query<{ revision: number }>(
              'SELECT revision FROM warnings WHERE id = $1',
              [warning.id],
            );
            if (rows[0] && !recordedAt) recordedAt = Date.now();
            return rows[0]?.revision;
          },
          { timeout: 60_000, interval: 250 },
        )
        .toBe(1);
      const letters = (await kafka.readToEnd(kafka.topic(TOPICS.deadLetters), 30_000))
        .map((m) => JSON.parse(m.value?.toString() ?? '{}') as DeadLetter)
        .filter((l) => l.service === 'hub');
      reportScenario({
        scenario: 'PostgreSQL away under the hub',
        sent: 1,
        accepted: recordedAt ? 1 : 0,
        lost: recordedAt ? 0 : 1,
        doubled: 0,
        errors: letters.length,
        recoveryMs: recordedAt - backAt,
        note: `down ${((backAt - downAt) / 1000).toFixed(1)} s; the warning recorded ${((recordedAt - backAt) / 1000).toFixed(1)} s after the server was back`,
      });
      expect(letters, 'warnings dead-lettered by the hub').toEqual([]);
      // Live pushes wake on NOTIFY again (not only on the 1 s poll): the LISTEN connection is back.
      await expect.poll(() => hub.tailer.listening(), { timeout: 20_000 }).toBe(true);
    } finally {
      await producer.disconnect();
      await hub.close();
      await hubDb.close();
    }
  }, 180_000);
});
