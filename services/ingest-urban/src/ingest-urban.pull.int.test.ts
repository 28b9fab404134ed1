import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type DeadLetter } from '@liandong/contracts';
import { createOpen311Connector } from '@liandong/ingest-kit';
import { createIngestHarness, readEvents } from '@liandong/ingest-kit/testing';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { urbanDefinition } from './definition.ts';

interface Request {
  service_request_id: string;
  status: string;
  service_code: string;
  requested_datetime: string;
  lat: number;
  long: number;
}

describe('ingest-urban pulls Open311 requests.json', () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  const requests: Request[] = [];
  const capped: Request[] = [];
  const loose: Request[] = [];
  const seenQueries: Record<string, string>[] = [];
  let base = '';
  const app = Fastify();
  const start = Date.now() - 3600_000;
  const add = (id: string, minutes: number, code = '001') =>
    requests.push({
      service_request_id: id,
      status: 'open',
      service_code: code,
      requested_datetime: new Date(start + minutes * 60_000).toISOString(),
      lat: 23.03,
      long: 113.15,
    });

  beforeAll(async () => {
    kafka = await testKafka();
    db = await testDatabase();
    // GeoReport v2 filters on requested_datetime between start_date and end_date (inclusive).
    app.get('/open311/v2/requests.json', async (request) => {
      const query = request.query as Record<string, string>;
      seenQueries.push(query);
      return requests.filter(
        (r) =>
          (!query['start_date'] || r.requested_datetime >= query['start_date']) &&
          (!query['end_date'] || r.requested_datetime <= query['end_date']),
      );
    });
    // A server that answers the newest first, two a page, with `page=` (as many 12345 platforms do).
    app.get('/newest-first/requests.json', async (request) => {
      const query = request.query as Record<string, string>;
      const page = Number(query['page'] ?? 1);
      return capped
        .filter((r) => !query['start_date'] || r.requested_datetime >= query['start_date'])
        .sort((a, b) => (a.requested_datetime < b.requested_datetime ? 1 : -1))
        .slice((page - 1) * 2, page * 2);
    });
    // A server that ignores end_date (many do): a request dated in the future comes with every answer.
    app.get('/no-end-date/requests.json', async (request) => {
      const query = request.query as Record<string, string>;
      return loose.filter((r) => !query['start_date'] || r.requested_datetime >= query['start_date']);
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}/open311/v2/requests.json`;
    for (let i = 0; i < 4; i += 1) add(`R${i}`, i * 10, i % 2 ? '011' : '001');
  });
  afterAll(async () => {
    await app.close();
    await kafka?.close();
    await db?.close();
  });

  it('takes requests from the cursor on, with the API key, and neither skips nor repeats across a restart', async () => {
    const connector = () =>
      createOpen311Connector('urban:open311', {
        requestsUrl: base,
        apiKey: 'k-123',
        intervalMs: 200,
        parse: urbanDefinition.pull?.open311?.parse ?? JSON.parse,
        normalize:
          urbanDefinition.pull?.open311?.normalize ??
          (() => {
            throw new Error('no normalizer');
          }),
      });
    const first = await createIngestHarness(urbanDefinition, { kafka, db, pull: [connector()] });
    await expect.poll(() => first.connectors.status()[0]?.recordsAccepted, { timeout: 20_000 }).toBe(4);
    await first.close();
    expect(seenQueries[0]?.['api_key']).toBe('k-123');

    add('R4', 45, '013');
    const queriesBefore = seenQueries.length;
    const second = await createIngestHarness(urbanDefinition, { kafka, db, pull: [connector()] });
    await expect.poll(() => second.connectors.status()[0]?.recordsAccepted, { timeout: 20_000 }).toBe(1);
    // The second run started at the newest request the first one took (R3), not earlier, not later.
    expect(seenQueries[queriesBefore]?.['start_date']).toBe(new Date(start + 30 * 60_000).toISOString());
    await second.close();

    const events = await readEvents(second, 5);
    expect(new Set(events.map((e) => e.source.id))).toEqual(new Set(['R0', 'R1', 'R2', 'R3', 'R4']));
    expect(events.find((e) => e.source.id === 'R4')?.type).toBe('urban.petition');
  });
  it('reads a newest-first server page by page before moving its cursor, so no request is skipped', async () => {
    for (let i = 0; i < 5; i += 1)
      capped.push({
        service_request_id: `N${i}`,
        status: 'open',
        service_code: '001',
        requested_datetime: new Date(start + i * 5 * 60_000).toISOString(),
        lat: 23.03,
        long: 113.15,
      });
    const harness = await createIngestHarness(urbanDefinition, {
      kafka,
      db,
      pull: [
        createOpen311Connector('urban:open311-newest-first', {
          requestsUrl: base.replace('/open311/v2/', '/newest-first/'),
          intervalMs: 200,
          pageSize: 2,
          parse: JSON.parse,
          normalize:
            urbanDefinition.pull?.open311?.normalize ??
            (() => {
              throw new Error('no normalizer');
            }),
        }),
      ],
    });
    await expect.poll(() => harness.connectors.status()[0]?.recordsAccepted, { timeout: 20_000 }).toBe(5);
    await harness.close();
  });

  it('does not let a request dated 2099 move the cursor past later requests, and dead-letters it once', async () => {
    const request = (id: string, time: string): Request => ({
      service_request_id: id,
      status: 'open',
      service_code: '001',
      requested_datetime: time,
      lat: 23.03,
      long: 113.15,
    });
    loose.push(
      request('F0', new Date(start + 5 * 60_000).toISOString()),
      request('F1', '2099-06-01T08:00:00+08:00'),
    );
    const connector = createOpen311Connector('urban:open311-loose', {
      requestsUrl: base.replace('/open311/v2/', '/no-end-date/'),
      intervalMs: 200,
      parse: JSON.parse,
      normalize:
        urbanDefinition.pull?.open311?.normalize ??
        (() => {
          throw new Error('no normalizer');
        }),
    });
    const h = await createIngestHarness(urbanDefinition, { kafka, db, pull: [connector] });
    try {
      await expect.poll(() => h.connectors.status()[0]?.recordsAccepted, { timeout: 20_000 }).toBe(1);
      // Filed after the first poll, dated a little before now: later than F0, long before 2099.
      loose.push(request('F2', new Date(Date.now() - 60_000).toISOString()));
      await expect.poll(() => h.connectors.status()[0]?.recordsAccepted, { timeout: 20_000 }).toBe(2);
      await new Promise((r) => setTimeout(r, 1000)); // several more polls, each answered with F1 again
    } finally {
      await h.close();
    }
    const letters = (await kafka.readToEnd(kafka.topic(TOPICS.deadLetters)))
      .map((m) => JSON.parse(m.value?.toString() ?? '{}') as DeadLetter)
      .filter((l) => l.sourceId === 'F1');
    expect(letters).toHaveLength(1);
    expect(letters[0]?.reason.errors?.[0]).toMatchObject({
      pointer: '/requested_datetime',
      code: 'in_future',
    });
  });
});
