import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsTopic } from '@liandong/contracts';
import { createJsonProducer, createKafka } from '@liandong/kafka';
import { createIngestHarness, type IngestHarness } from '@liandong/ingest-kit/testing';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { policeDefinition } from './definition.ts';

const record = (recordId: string) => ({
  recordId,
  recordType: 'incident',
  type: 'gas_leak',
  occurredAt: '2026-06-01T10:15:00+08:00',
  address: '大沥镇黄岐',
  priority: 1,
});

function push(h: IngestHarness, body: unknown) {
  return h.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${h.key}` },
    payload: JSON.stringify(body),
  });
}

describe('ingest-police when things go wrong', () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  beforeAll(async () => {
    kafka = await testKafka();
    db = await testDatabase();
  });
  afterAll(async () => {
    await kafka?.close();
    await db?.close();
  });

  it('keeps a duplicate a duplicate across a service restart: one event on the topic', async () => {
    const first = await createIngestHarness(policeDefinition, { kafka, db });
    expect((await push(first, [record('R-1'), record('R-2')])).statusCode).toBe(202);
    await first.close();

    const restarted = await createIngestHarness(policeDefinition, { kafka, db });
    const again = await push(restarted, [record('R-2'), record('R-3')]);
    expect(again.json<{ results: { status: string }[] }>().results.map((r) => r.status)).toEqual([
      'duplicate',
      'accepted',
    ]);
    await restarted.close();

    const messages = await kafka.readMessages(kafka.topic(eventsTopic('police')), 3);
    await new Promise((r) => setTimeout(r, 1000));
    const all = await kafka.readMessages(kafka.topic(eventsTopic('police')), 3);
    expect(all.map((m) => m.key?.toString()).sort()).toEqual(messages.map((m) => m.key?.toString()).sort());
    expect(new Set(all.map((m) => m.key?.toString())).size).toBe(3);
  });

  it('answers 503 with Retry-After when Kafka cannot take the write, and claims nothing', async () => {
    const deadKafka = createKafka({
      brokers: ['127.0.0.1:1'],
      clientId: 'dead',
      logger: testLogger(),
      connectionTimeoutMs: 200,
    });
    const down = await createIngestHarness(policeDefinition, {
      kafka,
      db,
      producer: createJsonProducer(deadKafka, { retries: 1, maxRetryTimeMs: 200 }),
    });
    const response = await push(down, [record('R-9')]);
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(response.json<{ code: string; retriable: boolean }>()).toMatchObject({
      code: 'dependency_unavailable',
      retriable: true,
    });
    await down.close();

    // The sender retries once Kafka is back: accepted, not a duplicate.
    const up = await createIngestHarness(policeDefinition, { kafka, db });
    const retried = await push(up, [record('R-9')]);
    expect(retried.statusCode).toBe(202);
    expect(retried.json<{ accepted: number }>().accepted).toBe(1);
    await up.close();
  });

  it('limits the rate per key with 429 and Retry-After', async () => {
    const h = await createIngestHarness(policeDefinition, { kafka, db, rateLimitPerMinute: 2 });
    const statuses = [];
    for (let i = 0; i < 3; i += 1) statuses.push((await push(h, [record(`RL-${i}`)])).statusCode);
    expect(statuses).toEqual([202, 202, 429]);
    const limited = await push(h, [record('RL-9')]);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    await h.close();
  });

  it('handles the same records pushed concurrently: each accepted exactly once', async () => {
    const h = await createIngestHarness(policeDefinition, { kafka, db });
    const batch = Array.from({ length: 50 }, (_, i) => record(`C-${i}`));
    const replies = await Promise.all([push(h, batch), push(h, batch), push(h, batch)]);
    const accepted = replies.map((r) => r.json<{ accepted: number }>().accepted);
    expect(accepted.reduce((a, b) => a + b, 0)).toBe(50);
    await h.close();
  });
});
