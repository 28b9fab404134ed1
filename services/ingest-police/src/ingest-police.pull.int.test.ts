import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCapFeedConnector, normalizeCapDocument } from '@liandong/ingest-kit';
import { TOPICS, type DeadLetter, type NormalizedEvent } from '@liandong/contracts';
import { createIngestHarness, readEvents, readFixture } from '@liandong/ingest-kit/testing';
import { testDatabase, testKafka, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { policeDefinition } from './definition.ts';

/** A CAP fixture written with the `cap:` prefix, which only the feed's root declares. */
const prefixed = readFixture('cap/oasis-a1-homeland-security-resource.xml')
  .replace(/^<\?xml[^>]*\?>\s*/, '')
  .replace(/<!--[\s\S]*?-->/g, '')
  .replace(/\s+xmlns\s*=\s*"[^"]*"/, '')
  .replace(/<(\/?)([A-Za-z][\w]*)/g, '<$1cap:$2');

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
  const troubled: string[] = [];

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
    app.get('/troubled/feed.atom', async (_request, reply) =>
      reply
        .type('application/atom+xml')
        .send(
          `<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xmlns:cap="urn:oasis:names:tc:emergency:cap:1.2"><title>Alerts</title><id>urn:troubled</id><updated>2026-06-01T00:00:00Z</updated>${troubled.join('')}</feed>`,
        ),
    );
    app.get('/busy/:name', async (_request, reply) => reply.status(503).send('try later'));
    app.get('/gone/:name', async (_request, reply) => reply.status(404).send('no such alert'));
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

  it('dead-letters bad entries one by one and moves on; an entry dated in the future does not hide later ones', async () => {
    const entry = (id: string, updated: string, body: string) =>
      `<entry><id>${id}</id><updated>${updated}</updated><title>${id}</title>${body}</entry>`;
    const linked = (href: string) => `<link rel="alternate" type="application/cap+xml" href="${href}"/>`;
    const elsewhere = base.replace('127.0.0.1', 'localhost');
    troubled.push(
      entry('urn:missing', '2026-06-02T01:00:00Z', linked('/gone/alert.xml')),
      entry('urn:prefixed', '2026-06-02T01:00:00Z', `<content type="application/xml">${prefixed}</content>`),
      entry('urn:busy', '2026-06-02T02:00:00Z', linked('/busy/alert.xml')),
      entry(
        'urn:elsewhere',
        '2026-06-02T02:00:00Z',
        linked(`${elsewhere}/cap/oasis-a2-severe-thunderstorm-polygon.xml`),
      ),
      entry(
        'urn:tornado',
        '2026-06-02T03:00:00Z',
        linked('/cap/nws-tornado-warning-update-ipaws-bilingual.xml'),
      ),
      entry('urn:far-ahead', '2099-01-01T00:00:00Z', linked('/cap/nws-fire-weather-watch-cancel.xml')),
    );
    const connector = () =>
      createCapFeedConnector('police:cap-feed-troubled', {
        feedUrl: `${base}/troubled/feed.atom`,
        intervalMs: 200,
        maxEntryAttempts: 2,
        normalizeCap: normalizeCapDocument,
      });
    const first = await createIngestHarness(policeDefinition, { kafka, db, pull: [connector()] });
    await expect.poll(() => first.connectors.status()[0]?.recordsAccepted, { timeout: 20_000 }).toBe(3);
    // An entry published after the one dated 2099, stamped now: still taken.
    troubled.push(
      entry(
        'urn:later',
        new Date().toISOString(),
        linked('/cap/capcp-eccc-air-quality-update-bilingual-signed.xml'),
      ),
    );
    await expect.poll(() => first.connectors.status()[0]?.recordsAccepted, { timeout: 20_000 }).toBe(4);
    await new Promise((r) => setTimeout(r, 1000));
    expect(first.connectors.status()[0]).toMatchObject({ ok: true, recordsAccepted: 4 });
    await first.close();

    const events = (await kafka.readToEnd(kafka.topic('events.police.v1'))).map(
      (m) => JSON.parse(m.value?.toString() ?? '{}') as NormalizedEvent,
    );
    // Three from the test before, four from this one: nothing doubled.
    expect(events).toHaveLength(7);
    const identifiers = events.map((e) => e.source.id);
    expect(identifiers.some((id) => id.includes('43b080713727'))).toBe(true); // the prefixed inline alert

    const letters = (await kafka.readToEnd(kafka.topic(TOPICS.deadLetters))).map(
      (m) => JSON.parse(m.value?.toString() ?? '{}') as DeadLetter,
    );
    const bySource = new Map(letters.map((l) => [l.sourceId, l]));
    expect(letters.map((l) => l.sourceId).sort()).toEqual(['urn:busy', 'urn:elsewhere', 'urn:missing']);
    expect(bySource.get('urn:missing')?.reason.message).toMatch(/answered 404/);
    expect(bySource.get('urn:busy')?.reason.message).toMatch(/answered 503 \(gave up after 2 attempts\)/);
    expect(bySource.get('urn:elsewhere')?.reason.message).toMatch(
      /is refused: fetches go to http:\/\/127\.0\.0\.1/,
    );
    expect(bySource.get('urn:missing')?.payload).toContain('/gone/alert.xml');
  });
});
