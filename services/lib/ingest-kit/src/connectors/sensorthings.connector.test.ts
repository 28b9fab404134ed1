import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NANHAI_GAUGES } from '@liandong/contracts';
import { contextFor } from '../normalize-testing.ts';
import { createSensorThingsNormalizer } from '../formats/sensorthings.normalizer.ts';
import { createSensorThingsConnector } from './sensorthings.connector.ts';

const RECEIVED = '2026-09-23T10:05:00.000Z';
const context = contextFor('water', RECEIVED);
const datastream = NANHAI_GAUGES[0]?.datastreamId ?? 19;
const observation = (id: string, time: string) => ({
  '@iot.id': id,
  phenomenonTime: time,
  result: 2.5,
  Datastream: { '@iot.id': datastream },
});

/**
 * What the server answers is set per test: `pages[url path + query]`. It is reached as 127.0.0.1
 * (the configured origin) and also as localhost (another origin), and it counts requests.
 */
describe('SensorThings connector: next links and cursors', () => {
  let server: Server;
  let base = '';
  let answer: (url: URL) => unknown = () => ({ value: [] });
  const requests: string[] = [];
  const connector = () =>
    createSensorThingsConnector(
      'water:sensorthings',
      {
        baseUrl: base,
        intervalMs: 1000,
        pageSize: 2,
        normalize: createSensorThingsNormalizer({ stations: NANHAI_GAUGES }).normalize,
      },
      () => new Date(RECEIVED),
    );

  beforeAll(async () => {
    server = createServer((request, response) => {
      requests.push(`${request.headers.host ?? ''}${request.url ?? ''}`);
      const url = new URL(request.url ?? '/', `http://${request.headers.host ?? 'x'}`);
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer(url)));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}/v1.1`;
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  it('given a next link that leads back to the page just read, then the query ends there with a notice', async () => {
    answer = (url) => ({
      value: [observation('a', '2026-09-23T09:00:00Z'), observation('b', '2026-09-23T09:10:00Z')],
      '@iot.nextLink': url.toString(),
    });
    const page = await connector().fetchPage(undefined, context, new AbortController().signal);
    expect(page.more).toBe(false);
    expect(page.cursor).toEqual({ since: '2026-09-23T09:10:00.000Z' });
    expect(page.notices?.[0]).toMatch(/leads back to a page already read/);
  });

  it('given next links that go round in a circle, then the query ends when one comes back', async () => {
    answer = (url) => {
      const skip = Number(url.searchParams.get('$skip') ?? 0);
      const next = new URL(url);
      next.searchParams.set('$skip', String((skip + 2) % 6));
      return {
        value: [
          observation(`o${skip}`, '2026-09-23T09:00:00Z'),
          observation(`p${skip}`, '2026-09-23T09:01:00Z'),
        ],
        '@iot.nextLink': next.toString(),
      };
    };
    const source = connector();
    let cursor: unknown;
    let pages = 0;
    for (; pages < 20; pages += 1) {
      const page = await source.fetchPage(cursor, context, new AbortController().signal);
      cursor = page.cursor;
      if (!page.more) break;
    }
    // Read: the query, $skip=2, $skip=4, $skip=0; then $skip=2 again is a page already read.
    expect(pages).toBe(3);
  });

  it('given a next link to another origin, then it is not followed, and the next query starts at the latest time taken', async () => {
    requests.length = 0;
    answer = (url) => ({
      value: [observation('c', '2026-09-23T09:20:00Z'), observation('d', '2026-09-23T09:30:00Z')],
      '@iot.nextLink': url.toString().replace('127.0.0.1', 'localhost'),
    });
    const page = await connector().fetchPage(undefined, context, new AbortController().signal);
    expect(page.more).toBe(false);
    expect(page.cursor).toEqual({ since: '2026-09-23T09:30:00.000Z' });
    expect(page.notices?.[0]).toMatch(/is not followed: fetches go to http:\/\/127\.0\.0\.1:\d+ only/);
    expect(requests.every((r) => r.startsWith('127.0.0.1'))).toBe(true);
  });

  it('given an observation dated 2099, then it is refused once and the cursor stays at the latest accepted time', async () => {
    answer = () => ({
      value: [observation('e', '2026-09-23T09:40:00Z'), observation('f', '2099-01-01T00:00:00Z')],
    });
    const source = connector();
    const first = await source.fetchPage(undefined, context, new AbortController().signal);
    expect(first.cursor).toMatchObject({ since: '2026-09-23T09:40:00.000Z' });
    expect(first.outcomes.map((o) => o.ok)).toEqual([true, false]);
    // The server sends it again with every poll (phenomenonTime ge …): it is not dead-lettered again.
    const second = await source.fetchPage(first.cursor, context, new AbortController().signal);
    expect(second.outcomes.map((o) => o.ok)).toEqual([true]);
    expect(second.cursor).toMatchObject({ since: '2026-09-23T09:40:00.000Z' });
  });
});
