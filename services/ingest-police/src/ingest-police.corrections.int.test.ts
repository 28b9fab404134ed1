/**
 * A correction is never a silent duplicate: a record resent under an accepted source id with
 * other content is refused 409 naming the JSON pointers that changed, and nothing new reaches
 * the topic; the same content again is a 202 duplicate as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsTopic } from '@liandong/contracts';
import { createIngestHarness, type IngestHarness } from '@liandong/ingest-kit/testing';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { policeDefinition } from './definition.ts';

const record = (recordId: string, extra: Record<string, unknown> = {}) => ({
  recordId,
  recordType: 'incident',
  type: 'gas_leak',
  occurredAt: '2026-06-01T10:15:00+08:00',
  address: '大沥镇黄岐',
  priority: 1,
  summary: '黄岐市场燃气泄漏',
  ...extra,
});

function push(h: IngestHarness, body: unknown) {
  return h.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${h.key}` },
    payload: JSON.stringify(body),
  });
}

interface Answer {
  status?: number;
  code?: string;
  detail?: string;
  accepted?: number;
  duplicates?: number;
  rejected?: number;
  errors?: { sourceId?: string; pointer: string; code: string; message: string }[];
  results?: { status: string; eventId?: string; sameContent?: boolean; errors?: { pointer: string }[] }[];
}

describe('ingest-police corrections: never a silent duplicate', () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  let h: IngestHarness;
  beforeAll(async () => {
    kafka = await testKafka();
    db = await testDatabase();
    h = await createIngestHarness(policeDefinition, { kafka, db });
  });
  afterAll(async () => {
    await h?.close();
    await kafka?.close();
    await db?.close();
  });

  const topicKeys = async () =>
    (await h.kafka.readToEnd(h.kafka.topic(eventsTopic('police')))).map((m) => m.key?.toString());

  it('refuses a resend with a changed summary 409 naming /summary, and writes nothing new to the topic', async () => {
    const first = await push(h, record('COR-1'));
    expect(first.statusCode).toBe(202);
    const eventId = first.json<Answer>().results?.[0]?.eventId as string;
    const before = await topicKeys();
    expect(before.filter((k) => k === eventId)).toHaveLength(1);

    const changed = await push(h, record('COR-1', { summary: '黄岐市场燃气泄漏，已疏散' }));
    expect(changed.statusCode).toBe(409);
    expect(changed.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = changed.json<Answer>();
    expect(body).toMatchObject({ status: 409, code: 'conflict', accepted: 0, duplicates: 0, rejected: 1 });
    expect(body.errors?.map((e) => [e.sourceId, e.pointer, e.code])).toEqual([
      ['COR-1', '/summary', 'changed_duplicate'],
    ]);
    expect(body.errors?.[0]?.message).toMatch(/COR-1@<time of the correction>/);
    expect(body.results?.[0]?.status).toBe('rejected');

    // Nothing new on the topic (read to the end offsets).
    expect(await topicKeys()).toEqual(before);
  });

  it('names every changed pointer, nested ones too, and a field added or removed', async () => {
    expect((await push(h, record('COR-2', { caller: { name: '李', phone: '1' } }))).statusCode).toBe(202);
    const { summary: _, ...withoutSummary } = record('COR-2', { caller: { name: '李', phone: '2' }, priority: 2 });
    const changed = await push(h, withoutSummary);
    expect(changed.json<Answer>().errors?.map((e) => e.pointer)).toEqual(['/caller/phone', '/priority', '/summary']);
    expect(changed.statusCode).toBe(409);
  });

  it('answers the same content again 202 duplicate, as before', async () => {
    expect((await push(h, record('COR-3'))).statusCode).toBe(202);
    const again = await push(h, record('COR-3'));
    expect(again.statusCode).toBe(202);
    expect(again.json<Answer>().results?.[0]).toMatchObject({ status: 'duplicate', sameContent: true });
  });

  it('in a batch: the changed repeat is refused 409 while the new record is accepted', async () => {
    expect((await push(h, record('COR-4'))).statusCode).toBe(202);
    const batch = await push(h, [record('COR-5'), record('COR-4', { priority: 2 }), record('COR-5', { priority: 3 })]);
    expect(batch.statusCode).toBe(409);
    const body = batch.json<Answer>();
    expect(body.results?.map((r) => r.status)).toEqual(['accepted', 'rejected', 'rejected']);
    expect(body.errors?.map((e) => `${e.sourceId}${e.pointer}`)).toEqual(['COR-4/priority', 'COR-5/priority']);
    const keys = await topicKeys();
    expect(keys.filter((k) => k === body.results?.[0]?.eventId)).toHaveLength(1);
  });

  it('a batch with a changed repeat and an invalid record is a 400 naming both', async () => {
    const batch = await push(h, [record('COR-4', { priority: 3 }), { recordId: 'COR-6' }]);
    const codes = batch.json<Answer>().errors?.map((e) => e.code);
    expect(batch.statusCode).toBe(400);
    expect(codes).toContain('changed_duplicate');
  });
});
