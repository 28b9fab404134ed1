import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Writable } from 'node:stream';
import {
  createCursorRepository,
  createIngestMetrics,
  createIngestPipeline,
  createRecordRepository,
  createSensorThingsConnector,
  createSensorThingsNormalizer,
  startConnectors,
} from '@liandong/ingest-kit';
import { createLogger } from '@liandong/logger';
import { createIngestHarness, readEvents } from '@liandong/ingest-kit/testing';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { NANHAI_GAUGES } from '@liandong/contracts';
import { waterDefinition } from './definition.ts';

interface Observation {
  '@iot.id': string;
  phenomenonTime: string;
  result: number;
  Datastream: { '@iot.id': number };
}

/** A SensorThings server: $filter=phenomenonTime ge …, $orderby, $top, $skip and @iot.nextLink, as the spec has them. */
async function sensorThingsServer(observations: Observation[], failing: { now: boolean }) {
  const app: FastifyInstance = Fastify();
  app.get('/v1.1/Observations', async (request, reply) => {
    if (failing.now) return reply.status(500).send({ message: 'database offline' });
    const query = request.query as Record<string, string>;
    const since = /phenomenonTime ge (\S+)/.exec(query['$filter'] ?? '')?.[1];
    const top = Number(query['$top'] ?? 100);
    const skip = Number(query['$skip'] ?? 0);
    const matching = observations
      .filter((o) => !since || o.phenomenonTime >= since)
      .sort((a, b) => a.phenomenonTime.localeCompare(b.phenomenonTime));
    const page = matching.slice(skip, skip + top);
    const next = new URL(`http://${request.headers.host ?? ''}${request.url}`);
    next.searchParams.set('$skip', String(skip + top));
    return {
      value: page,
      ...(skip + top < matching.length ? { '@iot.nextLink': next.toString() } : {}),
    };
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address() as { port: number };
  return { app, base: `http://127.0.0.1:${address.port}/v1.1` };
}

describe('ingest-water pulls SensorThings Observations', () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  const observations: Observation[] = [];
  const failing = { now: false };
  let server: Awaited<ReturnType<typeof sensorThingsServer>>;
  const start = Date.now() - 3600_000;
  const add = (n: number, datastream: number, minutes: number, result: number) =>
    observations.push({
      '@iot.id': `o${n}`,
      phenomenonTime: new Date(start + minutes * 60_000).toISOString(),
      result,
      Datastream: { '@iot.id': datastream },
    });
  const connector = () =>
    createSensorThingsConnector('water:sensorthings', {
      baseUrl: server.base,
      intervalMs: 200,
      pageSize: 3,
      normalize: createSensorThingsNormalizer({ stations: NANHAI_GAUGES }).normalize,
    });

  beforeAll(async () => {
    kafka = await testKafka();
    db = await testDatabase();
    for (let i = 0; i < 7; i += 1) add(i, i % 2 ? 21 : 19, i * 5, i % 2 ? 12 + i : 2.1 + i / 10);
    server = await sensorThingsServer(observations, failing);
  });
  afterAll(async () => {
    await server?.app.close();
    await kafka?.close();
    await db?.close();
  });

  it('follows @iot.nextLink to the end, and after a restart takes only what is new', async () => {
    const first = await createIngestHarness(waterDefinition, { kafka, db, pull: [connector()] });
    await expect.poll(() => first.connectors.status()[0]?.recordsAccepted, { timeout: 20_000 }).toBe(7);
    await first.close();

    add(7, 19, 40, 2.9);
    add(8, 21, 45, 55);
    const second = await createIngestHarness(waterDefinition, { kafka, db, pull: [connector()] });
    await expect.poll(() => second.connectors.status()[0]?.recordsAccepted, { timeout: 20_000 }).toBe(2);
    await second.close();

    const events = await readEvents(second, 9);
    await new Promise((r) => setTimeout(r, 500));
    const again = await readEvents(second, 9);
    expect(new Set(again.map((e) => e.id)).size).toBe(9);
    expect(again).toHaveLength(9);
    expect(events.find((e) => e.source.id === '19:o7')).toMatchObject({
      severity: 'Severe',
      type: 'water.river_level',
    });
  });

  it('backs off when the upstream fails and shows it on /readyz and /metrics, without becoming unready', async () => {
    failing.now = true;
    const h = await createIngestHarness(waterDefinition, {
      kafka,
      db,
      pull: [connector()],
      backoff: { baseMs: 100, maxMs: 400 },
    });
    try {
      await expect
        .poll(() => h.connectors.status()[0]?.consecutiveFailures ?? 0, { timeout: 10_000 })
        .toBeGreaterThan(1);
      const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      const body = ready.json<{ connectors: { ok: boolean; lastError: string }[] }>();
      expect(body.connectors[0]).toMatchObject({ ok: false });
      expect(body.connectors[0]?.lastError).toMatch(/answered 500/);
      const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
      expect(metrics.body).toMatch(
        /ingest_connector_up\{connector="water:sensorthings",department="water"\} 0/,
      );

      failing.now = false;
      await expect.poll(() => h.connectors.status()[0]?.ok, { timeout: 10_000 }).toBe(true);
    } finally {
      await h.close();
    }
  });

  it('never shows a token of an upstream URL on /readyz, in /metrics or in the log', async () => {
    const secret = 's3cr3t-t0ken';
    const upstream = Fastify();
    upstream.get('/v1.1/Observations', async (request, reply) => {
      const query = request.query as Record<string, string>;
      if (query['access_token']) return reply.type('text/html').send('<html>down for maintenance</html>');
      return {
        value: [
          {
            '@iot.id': 'tok-1',
            phenomenonTime: new Date(start).toISOString(),
            result: 2.2,
            Datastream: { '@iot.id': 19 },
          },
        ],
        '@iot.nextLink': `http://${request.headers.host ?? ''}/v1.1/Observations?$skip=1&access_token=${secret}`,
      };
    });
    await upstream.listen({ host: '127.0.0.1', port: 0 });
    const tokened = (id: string) =>
      createSensorThingsConnector(id, {
        baseUrl: `http://127.0.0.1:${(upstream.server.address() as { port: number }).port}/v1.1`,
        intervalMs: 200,
        normalize: createSensorThingsNormalizer({ stations: NANHAI_GAUGES }).normalize,
      });
    const h = await createIngestHarness(waterDefinition, {
      kafka,
      db,
      pull: [tokened('water:tokened')],
      backoff: { baseMs: 100, maxMs: 200 },
    });
    const lines: string[] = [];
    const logger = createLogger({
      service: 'ingest-water',
      level: 'warn',
      destination: new Writable({
        write(chunk: Buffer, _encoding, callback) {
          lines.push(chunk.toString());
          callback();
        },
      }),
    });
    const metrics = createIngestMetrics('water');
    const common = { department: 'water' as const, metrics, logger, now: () => new Date() };
    // A runner of its own, whose log this test reads.
    const logged = startConnectors([tokened('water:tokened-log')], {
      ...common,
      pipeline: createIngestPipeline({
        ...common,
        service: 'ingest-water',
        topicPrefix: kafka.prefix,
        producer: h.producer,
        records: createRecordRepository(db.pool),
      }),
      cursors: createCursorRepository(db.pool),
      sourceSystem: 'water-test',
      defaultCrs: 'WGS84',
      backoff: { baseMs: 100, maxMs: 200 },
    });
    try {
      await expect
        .poll(() => h.connectors.status()[0]?.consecutiveFailures ?? 0, { timeout: 10_000 })
        .toBeGreaterThan(0);
      await expect.poll(() => lines.join(''), { timeout: 10_000 }).toMatch(/poll failed/);
      const ready = await h.app.inject({ method: 'GET', url: '/readyz' });
      expect(ready.json<{ connectors: { lastError: string }[] }>().connectors[0]?.lastError).toMatch(
        /\$skip=1&access_token=\*\*\* did not answer JSON/,
      );
      expect(ready.body).not.toContain(secret);
      expect((await h.app.inject({ method: 'GET', url: '/metrics' })).body).not.toContain(secret);
      expect(await metrics.registry.metrics()).not.toContain(secret);
      expect(lines.join('')).not.toContain(secret);
    } finally {
      await logged.stop();
      await h.close();
      await upstream.close();
    }
  });
});
