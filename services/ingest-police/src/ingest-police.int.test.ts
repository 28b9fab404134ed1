import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsTopic, NormalizedEvent, TOPICS, validator, type DeadLetter } from '@liandong/contracts';
import { verifyAudit } from '@liandong/db';
import { eventIdFor } from '@liandong/ingest-kit';
import {
  createIngestHarness,
  itAcceptsEveryCapFixture,
  type IngestHarness,
} from '@liandong/ingest-kit/testing';
import { policeDefinition } from './definition.ts';

const record = (recordId: string, extra: Record<string, unknown> = {}) => ({
  recordId,
  recordType: 'call',
  type: 'fight',
  occurredAt: '2026-06-01T10:15:00+08:00',
  location: { lon: 113.1512, lat: 23.0441 },
  summary: '两伙人在南海大道口发生冲突',
  ...extra,
});

describe('ingest-police against the real broker and database', () => {
  let h: IngestHarness;
  beforeAll(async () => {
    h = await createIngestHarness(policeDefinition);
  });
  afterAll(async () => {
    await h?.close();
  });

  const post = (body: unknown, key: string | null = h.key, contentType = 'application/json') =>
    h.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': contentType, ...(key ? { authorization: `Bearer ${key}` } : {}) },
      payload: typeof body === 'string' ? body : JSON.stringify(body),
    });

  it('answers 202 only after Kafka has the event, which reads back from events.police.v1', async () => {
    const response = await post(record('JJ-1'));
    expect(response.statusCode).toBe(202);
    const body = response.json<{ accepted: number; results: { eventId: string; status: string }[] }>();
    expect(body.accepted).toBe(1);
    expect(body.results[0]).toMatchObject({ status: 'accepted', eventId: eventIdFor('police', 'JJ-1') });

    const [message] = await h.kafka.readMessages(h.kafka.topic(eventsTopic('police')), 1);
    expect(message?.key?.toString()).toBe(eventIdFor('police', 'JJ-1'));
    const event = JSON.parse(message?.value?.toString() ?? '{}') as unknown;
    expect(validator(NormalizedEvent).issues(event)).toEqual([]);
    expect(event).toMatchObject({ type: 'police.fight', occurredAt: '2026-06-01T02:15:00.000Z' });
  });

  it('reports a repeat as a duplicate (a changed one as a conflict) and never produces it twice', async () => {
    const first = await post([record('JJ-2'), record('JJ-3')]);
    expect(first.statusCode).toBe(202);
    const again = await post([record('JJ-2'), record('JJ-2', { summary: 'changed' }), record('JJ-4')]);
    // The changed repeat is no silent duplicate (ingest-police.corrections.int.test.ts).
    expect(again.statusCode).toBe(409);
    const body = again.json<{
      accepted: number;
      duplicates: number;
      conflicts: number;
      results: { status: string; sameContent?: boolean }[];
    }>();
    expect(body).toMatchObject({ accepted: 1, duplicates: 1, conflicts: 1 });
    expect(body.results.map((r) => r.status)).toEqual(['duplicate', 'conflict', 'accepted']);
    expect(body.results[0]?.sameContent).toBe(true);

    // JJ-1 from the first test, then JJ-2, JJ-3, JJ-4: exactly four events, no second JJ-2.
    const messages = await h.kafka.readMessages(h.kafka.topic(eventsTopic('police')), 4);
    await new Promise((r) => setTimeout(r, 500));
    const ids = messages.map((m) => m.key?.toString());
    expect(new Set(ids).size).toBe(4);
    const all = await h.kafka.readMessages(h.kafka.topic(eventsTopic('police')), 4);
    expect(all).toHaveLength(4);
  });

  it('refuses bad records with problem+json naming record and field, and dead-letters them', async () => {
    const response = await post([record('JJ-5'), record('JJ-6', { occurredAt: 'soon', type: 'ufo' })]);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json<{
      code: string;
      accepted: number;
      errors: { index: number; sourceId: string; pointer: string }[];
    }>();
    expect(problem.code).toBe('validation_failed');
    expect(problem.accepted).toBe(1);
    expect(problem.errors.map((e) => `${e.index}:${e.sourceId}:${e.pointer}`).sort()).toEqual([
      '1:JJ-6:/occurredAt',
      '1:JJ-6:/type',
    ]);
    // The earlier test's changed repeat of JJ-2 (a conflict) is dead-lettered too.
    const letters = (await h.kafka.readToEnd(h.kafka.topic(TOPICS.deadLetters))).map(
      (m) => JSON.parse(m.value?.toString() ?? '{}') as DeadLetter,
    );
    // Keyed by source id, so on different partitions: read back in no fixed order.
    expect(letters.map((l) => [l.sourceId, l.reason.code]).sort()).toEqual([
      ['JJ-2', 'conflict'],
      ['JJ-6', 'invalid_field'],
    ]);
    const letter = letters.find((l) => l.sourceId === 'JJ-6') as DeadLetter;
    expect(letter).toMatchObject({ stage: 'ingest', department: 'police', sourceId: 'JJ-6' });
    expect(letter.reason.errors.length).toBe(2);
  });

  it('dead-letters a refused record even when every valid record beside it is a duplicate', async () => {
    expect((await post(record('JJ-DL-1'))).statusCode).toBe(202);
    const response = await post([record('JJ-DL-1'), record('JJ-DL-2', { type: 'ufo' })]);
    expect(response.statusCode).toBe(400);
    expect(response.json<{ results: { status: string }[] }>().results.map((r) => r.status)).toEqual([
      'duplicate',
      'rejected',
    ]);
    const letters = await h.kafka.readToEnd(h.kafka.topic(TOPICS.deadLetters));
    const sourceIds = letters.map((m) => (JSON.parse(m.value?.toString() ?? '{}') as DeadLetter).sourceId);
    expect(sourceIds).toContain('JJ-DL-2');
  });

  it('says where JSON is broken', async () => {
    const response = await post('[{"recordId": "x",\n  "type": }]');
    expect(response.statusCode).toBe(400);
    expect(response.json<{ detail: string }>().detail).toMatch(/line 2, column/);
  });

  it('refuses requests without a key (401), with another department key (403), and records the refusal', async () => {
    expect((await post(record('JJ-7'), null)).statusCode).toBe(401);
    expect((await post(record('JJ-7'), 'ld_police_not-a-key')).statusCode).toBe(401);
    const { key: waterKey } = await h.keys.create('water', 'test');
    const forbidden = await post(record('JJ-7'), waterKey);
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json<{ detail: string }>().detail).toMatch(/belongs to department "water"/);
    const { rows } = await h.db.pool.query<{ outcome: string; detail: { reason: string } }>(
      "SELECT outcome, detail FROM audit_log WHERE action = 'ingest.push' ORDER BY seq",
    );
    expect(rows.map((r) => r.detail.reason)).toEqual(['unknown or revoked key', 'key of another department']);
    expect(await verifyAudit(h.db.pool)).toMatchObject({ ok: true, entries: 2 });
  });

  it('answers 415 for other media types and 413 for oversized batches', async () => {
    expect((await post('a,b,c', h.key, 'text/csv')).statusCode).toBe(415);
    const big = Array.from({ length: 1001 }, (_, i) => record(`big-${i}`));
    const tooMany = await post(big);
    expect(tooMany.statusCode).toBe(413);
    expect(tooMany.json<{ detail: string }>().detail).toMatch(/1001 records/);
    const huge = await post(JSON.stringify([record('huge', { summary: 'x'.repeat(6 * 1024 * 1024) })]));
    expect(huge.statusCode).toBe(413);
  });

  it('refuses hostile XML (entity expansion, external entities) with a problem naming why', async () => {
    const laughs =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><alert>&lol2;</alert>';
    const xxe =
      '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><alert>&x;</alert>';
    for (const body of [laughs, xxe]) {
      const response = await post(body, h.key, 'application/cap+xml');
      expect(response.statusCode).toBe(400);
      expect(response.json<{ code: string; detail: string }>()).toMatchObject({ code: 'unsafe_xml' });
      expect(response.body).not.toContain('root:');
    }
  });

  itAcceptsEveryCapFixture(policeDefinition);

  it('serves readiness, metrics, schema and docs', async () => {
    const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({
      status: 'ready',
      checks: { kafka: { ok: true }, database: { ok: true } },
    });
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(
      /ingest_records_total\{outcome="accepted",format="json",department="police"\} \d+/,
    );
    expect(metrics.body).toContain('ingest_produce_duration_seconds_bucket');
    const schema = await h.app.inject({ method: 'GET', url: '/v1/schema' });
    expect(schema.json<{ schemas: Record<string, unknown> }>().schemas).toHaveProperty('PoliceRecord');
    const docs = await h.app.inject({ method: 'GET', url: '/docs/json' });
    expect(docs.json<{ paths: Record<string, unknown> }>().paths).toHaveProperty('/v1/events');
  });
});
