/**
 * What a 202 promises: every record answered 202 is on the topic, once — also after a batch
 * that Kafka could not take, and for forecasts whose event time is far ahead.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsTopic, TOPICS, type DeadLetter, type NormalizedEvent } from '@liandong/contracts';
import { createIngestHarness, readFixture, type IngestHarness } from '@liandong/ingest-kit/testing';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
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

function push(h: IngestHarness, body: unknown, contentType = 'application/json') {
  return h.app.inject({
    method: 'POST',
    url: '/v1/events',
    headers: { 'content-type': contentType, authorization: `Bearer ${h.key}` },
    payload: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

interface Answer {
  status?: number;
  code?: string;
  results?: { status: string; eventId?: string; errors?: { code: string; message: string }[] }[];
}

/** Every event id answered 202/accepted is on the topic exactly once (read to the end offsets). */
async function expectAcceptedOnTopicOnce(h: IngestHarness, accepted: string[]): Promise<void> {
  const keys = (await h.kafka.readToEnd(h.kafka.topic(eventsTopic('police')))).map((m) => m.key?.toString());
  for (const id of accepted) expect(keys.filter((k) => k === id), `event ${id}`).toHaveLength(1);
}

describe('ingest-police delivery: nothing acknowledged is lost', () => {
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

  it('refuses an oversized record alone (4xx naming the limit); every record answered 202 after it is on the topic', async () => {
    const h = await createIngestHarness(policeDefinition, { kafka, db });
    try {
      const batch = await push(h, [record('OV-small'), record('OV-big', { caller: { name: 'x'.repeat(3_000_000) } })]);
      expect(batch.statusCode).toBe(400);
      const body = batch.json<Answer>();
      expect(body.results?.map((r) => r.status)).toEqual(['accepted', 'rejected']);
      expect(body.results?.[1]?.errors?.[0]).toMatchObject({ code: 'record_too_large' });
      expect(body.results?.[1]?.errors?.[0]?.message).toMatch(/at most 1000000 bytes/);

      const accepted = [body.results?.[0]?.eventId as string];
      for (let i = 0; i < 20; i += 1) {
        const one = await push(h, [record(`OV-${i}`)]);
        expect(one.statusCode).toBe(202);
        accepted.push(one.json<Answer>().results?.[0]?.eventId as string);
      }
      await expectAcceptedOnTopicOnce(h, accepted);

      // Dead-lettered, its payload cut by bytes so that the dead letter itself fits one Kafka record.
      const letters = (await h.kafka.readToEnd(h.kafka.topic(TOPICS.deadLetters))).map(
        (m) => JSON.parse(m.value?.toString() ?? '{}') as DeadLetter,
      );
      const letter = letters.find((l) => l.sourceId === 'OV-big');
      expect(letter).toMatchObject({ truncated: true, reason: { code: 'record_too_large' } });
      expect(Buffer.byteLength(JSON.stringify(letter))).toBeLessThanOrEqual(1_000_000);
    } finally {
      await h.close();
    }
  });

  it('answers 413 (not 503) when the broker itself refuses a record, and loses nothing answered 202 after it', async () => {
    // Checked against a limit above the broker's: the broker's refusal is what is tested.
    const h = await createIngestHarness(policeDefinition, { kafka, db, maxMessageBytes: 20_000_000 });
    try {
      const batch = await push(h, [record('BR-small'), record('BR-big', { caller: { name: 'x'.repeat(3_000_000) } })]);
      expect(batch.statusCode).toBe(413);
      expect(batch.headers['retry-after']).toBeUndefined();
      expect(batch.json<Answer>().code).toBe('payload_too_large');

      const accepted: string[] = [];
      for (let i = 0; i < 20; i += 1) {
        const one = await push(h, [record(`BR-${i}`)]);
        expect(one.statusCode).toBe(202);
        accepted.push(one.json<Answer>().results?.[0]?.eventId as string);
      }
      // The small record of the refused batch was not claimed: its retry is accepted, not a duplicate.
      const retried = await push(h, [record('BR-small')]);
      expect(retried.json<Answer>().results?.[0]?.status).toBe('accepted');
      await expectAcceptedOnTopicOnce(h, accepted);
    } finally {
      await h.close();
    }
  });

  it('accepts a CAP forecast whose onset is 30 hours ahead, with the event time kept in the event', async () => {
    const h = await createIngestHarness(policeDefinition, { kafka, db });
    try {
      const cap = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
      const now = Date.now();
      const xml = readFixture('cap/oasis-a2-severe-thunderstorm-polygon.xml')
        .replace('KSTO1055887203', `FORECAST-${now}`)
        .replace('<sent>2003-06-17T14:57:00-07:00</sent>', `<sent>${cap(now)}</sent>`)
        .replace(
          '<expires>2003-06-17T16:00:00-07:00</expires>',
          `<onset>${cap(now + 30 * 3600_000)}</onset><expires>${cap(now + 40 * 3600_000)}</expires>`,
        );
      const response = await push(h, xml, 'application/cap+xml');
      expect(response.statusCode, response.body).toBe(202);
      const eventId = response.json<Answer>().results?.[0]?.eventId as string;
      const messages = await h.kafka.readToEnd(h.kafka.topic(eventsTopic('police')));
      const mine = messages.filter((m) => m.key?.toString() === eventId);
      expect(mine).toHaveLength(1);
      const event = JSON.parse(mine[0]?.value?.toString() ?? '{}') as NormalizedEvent;
      expect(Date.parse(event.occurredAt)).toBe(Math.floor((now + 30 * 3600_000) / 1000) * 1000);
      // The Kafka timestamp is when it was produced, which the broker takes.
      expect(Math.abs(Number(mine[0]?.timestamp) - now)).toBeLessThan(60_000);
    } finally {
      await h.close();
    }
  });
});
