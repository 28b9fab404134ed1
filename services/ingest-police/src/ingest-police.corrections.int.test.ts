/**
 * A record resent under an accepted source id with other content is never a silent duplicate:
 * 409 problem+json naming each changed field by JSON Pointer, the first accepted state kept
 * (nothing new on the topic; the change goes to the dead-letter topic with the reason). The
 * same content again stays a 202 duplicate. Against the real broker and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsTopic, TOPICS, type DeadLetter, type IngestResponse } from '@liandong/contracts';
import { eventIdFor } from '@liandong/ingest-kit';
import { createIngestHarness, type IngestHarness } from '@liandong/ingest-kit/testing';
import { policeDefinition } from './definition.ts';

const record = (recordId: string, extra: Record<string, unknown> = {}) => ({
  recordId,
  recordType: 'incident',
  type: 'gas_leak',
  occurredAt: '2026-06-01T10:15:00+08:00',
  address: '大沥镇黄岐',
  location: { lon: 113.1512, lat: 23.0441 },
  priority: 1,
  summary: '黄岐市场燃气泄漏',
  ...extra,
});

type Answer = IngestResponse & {
  status?: number;
  code?: string;
  detail?: string;
  errors?: { index?: number; sourceId?: string; pointer: string; code: string; message: string }[];
};

describe('ingest-police: a changed resend is a conflict, never a silent duplicate', () => {
  let h: IngestHarness;
  beforeAll(async () => {
    h = await createIngestHarness(policeDefinition);
  });
  afterAll(async () => {
    await h?.close();
  });

  const push = (body: unknown) =>
    h.app.inject({
      method: 'POST',
      url: '/v1/events',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${h.key}` },
      payload: JSON.stringify(body),
    });
  const eventKeys = async () =>
    (await h.kafka.readToEnd(h.kafka.topic(eventsTopic('police')))).map((m) => m.key?.toString());
  const deadLetters = async () =>
    (await h.kafka.readToEnd(h.kafka.topic(TOPICS.deadLetters))).map(
      (m) => JSON.parse(m.value?.toString() ?? '{}') as DeadLetter,
    );

  it('given a resend with another time and latitude, then 409 naming /location/lat and /occurredAt, the first state kept', async () => {
    expect((await push(record('COR-1'))).statusCode).toBe(202);
    const before = await eventKeys();

    const changed = record('COR-1', {
      occurredAt: '2026-06-01T10:20:00+08:00',
      location: { lon: 113.1512, lat: 23.0512 },
    });
    const response = await push(changed);
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const body = response.json<Answer>();
    expect(body).toMatchObject({
      status: 409,
      code: 'conflict',
      accepted: 0,
      duplicates: 0,
      conflicts: 1,
      rejected: 0,
    });
    expect(body.detail).toMatch(/"COR-1" at \/location\/lat, \/occurredAt/);
    expect(body.errors?.map((e) => [e.index, e.sourceId, e.pointer, e.code])).toEqual([
      [0, 'COR-1', '/location/lat', 'conflict'],
      [0, 'COR-1', '/occurredAt', 'conflict'],
    ]);
    expect(body.errors?.[0]?.message).toMatch(
      /differs from the record first accepted under source id "COR-1"; that first state is kept/,
    );
    expect(body.results[0]).toMatchObject({
      status: 'conflict',
      sourceId: 'COR-1',
      eventId: eventIdFor('police', 'COR-1'),
    });

    // Nothing new on the topic; the change is on the dead-letter topic with its reason.
    expect(await eventKeys()).toEqual(before);
    const letter = (await deadLetters()).find((l) => l.sourceId === 'COR-1');
    expect(letter?.reason.code).toBe('conflict');
    expect(letter?.reason.errors.map((e) => e.pointer)).toEqual(['/location/lat', '/occurredAt']);
    expect(JSON.parse(letter?.payload ?? '{}')).toEqual(changed);

    // The first state is the one kept: sent again, it is a duplicate of the same content.
    const original = await push(record('COR-1'));
    expect(original.statusCode).toBe(202);
    expect(original.json<Answer>().results[0]).toMatchObject({ status: 'duplicate', sameContent: true });
  });

  it('names fields added and removed, and says which', async () => {
    expect((await push(record('COR-2', { caller: { name: '李', phone: '1' } }))).statusCode).toBe(202);
    const { summary: _summary, ...withoutSummary } = record('COR-2', {
      caller: { name: '李', phone: '2' },
      peopleInvolved: 3,
    });
    const body = (await push(withoutSummary)).json<Answer>();
    expect(body.errors?.map((e) => e.pointer)).toEqual(['/caller/phone', '/peopleInvolved', '/summary']);
    expect(body.errors?.[1]?.message).toMatch(/^was not in the record first accepted/);
    expect(body.errors?.[2]?.message).toMatch(
      /^was in the record first accepted under source id "COR-2" and is missing now/,
    );
  });

  it('given the same content again, also with its keys in another order, then 202 duplicate as before', async () => {
    expect((await push(record('COR-3'))).statusCode).toBe(202);
    const reordered = Object.fromEntries(Object.entries(record('COR-3')).reverse());
    for (const again of [record('COR-3'), reordered]) {
      const response = await push(again);
      expect(response.statusCode).toBe(202);
      expect(response.json<Answer>().results[0]).toMatchObject({ status: 'duplicate', sameContent: true });
    }
  });

  it('in a batch: the conflict is named per record, and the others go through as usual (409)', async () => {
    expect((await push(record('COR-4'))).statusCode).toBe(202);
    const response = await push([
      record('COR-5'),
      record('COR-4', { priority: 2 }),
      record('COR-4'),
      record('COR-5', { priority: 3 }),
    ]);
    expect(response.statusCode).toBe(409);
    const body = response.json<Answer>();
    expect(body).toMatchObject({ accepted: 1, duplicates: 1, conflicts: 2, rejected: 0 });
    expect(body.results.map((r) => r.status)).toEqual(['accepted', 'conflict', 'duplicate', 'conflict']);
    expect(body.errors?.map((e) => `${e.index}:${e.sourceId}${e.pointer}`)).toEqual([
      '1:COR-4/priority',
      '3:COR-5/priority',
    ]);
    // COR-5 is on the topic once, with the first state of the batch.
    const events = (await h.kafka.readToEnd(h.kafka.topic(eventsTopic('police')))).filter(
      (m) => m.key?.toString() === eventIdFor('police', 'COR-5'),
    );
    expect(events).toHaveLength(1);
    expect(JSON.parse(events[0]?.value?.toString() ?? '{}')).toMatchObject({ attributes: { priority: 1 } });
  });

  it('a batch with a conflict and an invalid record is a 400 naming both', async () => {
    const response = await push([record('COR-4', { priority: 3 }), { recordId: 'COR-6' }, record('COR-7')]);
    expect(response.statusCode).toBe(400);
    const body = response.json<Answer>();
    expect(body.code).toBe('validation_failed');
    expect(body.results.map((r) => r.status)).toEqual(['conflict', 'rejected', 'accepted']);
    expect(body.detail).toMatch(/1 of 3 records were refused and 1 conflicted with what was accepted before/);
    expect(new Set(body.errors?.map((e) => e.code))).toEqual(new Set(['conflict', 'invalid_field']));
  });

  it('two pushes of one new source id with different content at once: one is accepted, the other a conflict', async () => {
    const [a, b] = await Promise.all([
      push(record('COR-8', { priority: 1 })),
      push(record('COR-8', { priority: 4 })),
    ]);
    expect([a?.statusCode, b?.statusCode].sort()).toEqual([202, 409]);
    const events = (await eventKeys()).filter((k) => k === eventIdFor('police', 'COR-8'));
    expect(events).toHaveLength(1);
  });
});
