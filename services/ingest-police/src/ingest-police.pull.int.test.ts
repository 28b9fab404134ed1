import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapFeedConnector, normalizeCapDocument } from '@liandong/ingest-kit';
import { createIngestHarness, readEvents, readFixture } from '@liandong/ingest-kit/testing';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { policeDefinition } from './definition.ts';

const inline = readFixture('cap/oasis-a4-amber-alert-bilingual-geocode.xml').replace(
  /^<\?xml[^>]*\?>\s*/,
  '',
);

describe('ingest-police pulls a CAP Atom feed', () => {
  let kafka: TestKafka;
  let db: TestDatabase;
  const app = Fastify();
  let base = '';
  const entries: string[] = [];

  beforeAll(async () => {
    kafka = await testKafka();
    db = await testDatabase();
    app.get('/cap/feed.atom', async (_request, reply) =>
      reply
        .type('application/atom+xml')
        .send(
          `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"><title>Alerts</title><id>urn:feed</id><updated>2026-06-01T00:00:00Z</updated>${entries.join('')}</feed>`,
        ),
    );
    app.get('/cap/:name', async (request, reply) =>
      reply.type('application/cap+xml').send(readFixture(`cap/${(request.params as { name: string }).name}`)),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
    entries.push(
      `<entry><id>urn:a2</id><updated>2026-06-01T01:00:00Z</updated><title>T</title><link rel="alternate" type="application/cap+xml" href="/cap/oasis-a2-severe-thunderstorm-polygon.xml"/></entry>`,
      `<entry><id>urn:a4</id><updated>2026-06-01T01:00:00Z</updated><title>A</title><content type="application/xml">${inline}</content></entry>`,
    );
  });
  afterAll(async () => {
    await app.close();
    await kafka?.close();
    await db?.close();
  });

  it('takes linked and inline alerts once, and later entries only after a restart', async () => {
    const connector = () =>
      createCapFeedConnector('police:cap-feed', {
        feedUrl: `${base}/cap/feed.atom`,
        intervalMs: 200,
        normalizeCap: normalizeCapDocument,
      });
    const first = await createIngestHarness(policeDefinition, { kafka, db, pull: [connector()] });
    await expect.poll(() => first.connectors.status()[0]?.recordsAccepted, { timeout: 20_000 }).toBe(2);
    await new Promise((r) => setTimeout(r, 600));
    await first.close();

    entries.push(
      `<entry><id>urn:a3</id><updated>2026-06-01T02:00:00Z</updated><title>E</title><link href="/cap/oasis-a3-earthquake-update-circle.xml" type="application/cap+xml"/></entry>`,
    );
    const second = await createIngestHarness(policeDefinition, { kafka, db, pull: [connector()] });
    await expect.poll(() => second.connectors.status()[0]?.recordsAccepted, { timeout: 20_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 600));
    await second.close();

    const events = await readEvents(second, 3);
    expect(events.map((e) => e.msgType).sort()).toEqual(['Alert', 'Alert', 'Update']);
    expect(events.every((e) => e.department === 'police' && e.source.format === 'cap-1.2')).toBe(true);
  });
});
