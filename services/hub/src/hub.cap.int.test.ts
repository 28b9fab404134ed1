/**
 * CAP out against the real broker and database: warnings on warnings.v1 (an alert revised and
 * then resolved as a false alarm, a drill resolved as confirmed, a warning cancelled by its
 * rule) → every CAP message the hub produces validates against the OASIS CAP 1.2 schema with
 * xmllint and is taken by the project's own CAP ingest; the Atom feed validates; identifiers are
 * issued once; liaisons see their unit's only; every read is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOPICS, type Warning } from '@liandong/contracts';
import { ATOM_RNG, CAP_XSD, xmllint } from '@liandong/cap-publish/testing';
import { normalizeCapDocument, readFeedEntries } from '@liandong/ingest-kit';
import { createJsonProducer, createKafka } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { login, seedUsers, startTestHub, testWarning, type Client, type TestHub } from './hub.testing.ts';

const ISSUER = '44060541000099';

function ingest(xml: string) {
  const [outcome] = normalizeCapDocument(xml, {
    department: 'water',
    receivedAt: new Date(Date.now() + 60_000),
    sourceSystem: 'liandong-hub',
    defaultCrs: 'WGS84',
  });
  if (!outcome?.ok) throw new Error(`the CAP ingest refused it: ${JSON.stringify(outcome)}\n${xml}`);
  return outcome.event;
}

describe('hub: CAP 1.2 out and its Atom feed', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let hub: TestHub;
  let operator: Client;
  const t0 = Date.now() - 3600_000;
  const at = (minutes: number) => new Date(t0 + minutes * 60_000).toISOString();

  async function send(warnings: Warning[]) {
    const producer = createJsonProducer(
      createKafka({ brokers: kafka.brokers, clientId: 't', logger: testLogger() }),
    );
    await producer.connect();
    for (const w of warnings)
      await producer.send([{ topic: kafka.topic(TOPICS.warnings), messages: [{ key: w.id, value: w }] }]);
    await producer.disconnect();
  }

  async function revisionsIn(id: string, n: number) {
    for (let i = 0; i < 300; i++) {
      const { rows } = await db.pool.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM warning_revisions WHERE warning_id = $1',
        [id],
      );
      if (rows[0]?.n === n) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`warning ${id} did not reach ${n} revisions`);
  }

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    await seedUsers(db.pool);
    hub = await startTestHub({ db, kafka, env: { CAP_ISSUER_CODE: ISSUER } });
    const base = { raisedAt: at(0), firstEvidenceAt: at(-4), lastEvidenceAt: at(0), updatedAt: at(0) };
    await send([
      testWarning({ id: 'cap-rain', ...base, exercise: false, departments: ['water', 'emergency'] }),
      testWarning({
        id: 'cap-drill',
        ...base,
        exercise: true,
        departments: ['police'],
        level: 'blue',
        category: 'social_security',
      }),
      testWarning({ id: 'cap-cancel', ...base, exercise: false, departments: ['water'] }),
      testWarning({
        id: 'cap-rain',
        ...base,
        revision: 2,
        level: 'orange',
        exercise: false,
        updatedAt: at(5),
        departments: ['water', 'emergency'],
      }),
      testWarning({
        id: 'cap-cancel',
        ...base,
        revision: 2,
        status: 'cancelled',
        exercise: false,
        updatedAt: at(7),
        departments: ['water'],
      }),
    ]);
    await Promise.all([
      revisionsIn('cap-rain', 2),
      revisionsIn('cap-drill', 1),
      revisionsIn('cap-cancel', 2),
    ]);
    operator = await login(hub.url, 'operator');
    for (const [id, disposition] of [
      ['cap-rain', 'false_alarm'],
      ['cap-drill', 'confirmed'],
    ] as const) {
      const r = await operator.request('POST', `/api/v1/warnings/${id}/resolve`, { disposition });
      expect(r.status, await r.text()).toBe(200);
    }
  }, 120_000);
  afterAll(async () => {
    await hub?.close();
    await kafka?.close();
    await db?.close();
  });

  async function cap(client: Client, path: string) {
    const response = await client.request('GET', path);
    const body = await response.text();
    expect(response.status, body).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/cap+xml; charset=utf-8');
    return body;
  }

  it('every message of every warning validates against the CAP 1.2 schema and the CAP ingest takes it', async () => {
    const paths = [
      '/api/v1/warnings/cap-rain/cap?revision=1',
      '/api/v1/warnings/cap-rain/cap?revision=2',
      '/api/v1/warnings/cap-rain/cap?closing=true',
      '/api/v1/warnings/cap-drill/cap?revision=1',
      '/api/v1/warnings/cap-drill/cap?closing=true',
      '/api/v1/warnings/cap-cancel/cap?revision=1',
      '/api/v1/warnings/cap-cancel/cap?revision=2',
    ];
    const events = [];
    for (const path of paths) {
      const xml = await cap(operator, path);
      expect(xmllint(xml, { xsd: CAP_XSD }), path).toBe('');
      events.push(ingest(xml));
    }
    expect(events.map((e) => `${e.msgType}/${e.status}/${e.references.length}`)).toEqual([
      'Alert/Actual/0',
      'Update/Actual/1',
      'Cancel/Actual/2', // the false alarm
      'Alert/Exercise/0',
      'Update/Exercise/1', // confirmed: all clear
      'Alert/Actual/0',
      'Cancel/Actual/1', // cancelled by its rule
    ]);
    expect(events[1]?.references).toEqual([events[0]?.id]);
    expect(events[2]?.references).toEqual([events[0]?.id, events[1]?.id]);
    expect(events[4]?.attributes['responseTypes']).toBe('AllClear');
    expect(events[0]?.severity).toBe('Moderate');
    expect(events[1]?.severity).toBe('Severe');
    expect(events[0]?.adminCode).toBe('440605011'); // testWarning's centroid lies in 桂城街道
    // Without a query: the latest message; a cancelled warning has no closing one.
    expect(await cap(operator, '/api/v1/warnings/cap-rain/cap')).toBe(
      await cap(operator, '/api/v1/warnings/cap-rain/cap?closing=true'),
    );
    const none = await operator.request('GET', '/api/v1/warnings/cap-cancel/cap?closing=true');
    expect(none.status).toBe(404);
    expect((await operator.request('GET', '/api/v1/warnings/cap-rain/cap?revision=3')).status).toBe(404);
    expect((await operator.request('GET', '/api/v1/warnings/nothing/cap')).status).toBe(404);
    const both = await operator.request('GET', '/api/v1/warnings/cap-rain/cap?revision=1&closing=true');
    expect(both.status).toBe(400);
  });

  it('issues each identifier once, in the GB/T 35965.1 form, and the ledger refuses changes', async () => {
    const first = await cap(operator, '/api/v1/warnings/cap-rain/cap?revision=1');
    const again = await cap(operator, '/api/v1/warnings/cap-rain/cap?revision=1');
    expect(again).toBe(first);
    const { rows } = await db.pool.query<{
      identifier: string;
      sent: Date;
      warning_id: string;
      part: string;
    }>('SELECT identifier, sent, warning_id, part FROM cap_identifiers ORDER BY identifier');
    expect(rows).toHaveLength(7);
    expect(new Set(rows.map((r) => r.identifier)).size).toBe(7);
    for (const r of rows) expect(r.identifier).toMatch(new RegExp(`^${ISSUER}\\d{14}\\d{3}$`));
    // Three revisions were made in the same second (at(0)): the sequence tells them apart.
    const sameSecond = rows.filter(
      (r) => r.sent.getTime() === Math.floor(new Date(at(0)).getTime() / 1000) * 1000,
    );
    expect(sameSecond.map((r) => r.identifier.slice(-3)).sort()).toEqual(['001', '002', '003']);
    expect(first).toContain(
      `<identifier>${rows.find((r) => r.warning_id === 'cap-rain' && r.part === 'r1')?.identifier}</identifier>`,
    );
    expect(first).toContain(`<sender>${ISSUER}</sender>`);
    await expect(db.pool.query("UPDATE cap_identifiers SET part = 'x'")).rejects.toThrow(
      /permission denied|append-only/,
    );
    await expect(db.pool.query('DELETE FROM cap_identifiers')).rejects.toThrow(
      /permission denied|append-only/,
    );
    await expect(db.adminPool.query('DELETE FROM cap_identifiers')).rejects.toThrow(/append-only/);
  });

  it('serves a valid Atom feed whose inline alerts are every message, exercises marked', async () => {
    const response = await operator.request('GET', '/api/v1/cap/feed.atom');
    const xml = await response.text();
    expect(response.status, xml).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/atom+xml; charset=utf-8');
    expect(xmllint(xml, { rng: ATOM_RNG })).toBe('');
    const entries = readFeedEntries(xml);
    expect(entries).toHaveLength(7);
    for (const entry of entries) {
      expect(xmllint(entry.inline as string, { xsd: CAP_XSD })).toBe('');
      ingest(entry.inline as string);
      expect(entry.link).toMatch(
        /^http:\/\/127\.0\.0\.1:\d+\/api\/v1\/warnings\/cap-[a-z]+\/cap\?(revision=\d|closing=true)$/,
      );
    }
    expect(xml.match(/<category term="Exercise"\/>/g)).toHaveLength(2);
    const drills = await (await operator.request('GET', '/api/v1/cap/feed.atom?exercise=true')).text();
    expect(readFeedEntries(drills)).toHaveLength(2);
    // A linked message is fetched again as it is inline.
    const link = new URL(entries[0]?.link as string);
    const identifier = (xml: string) => /<identifier>(\d+)<\/identifier>/.exec(xml)?.[1];
    expect(identifier(await cap(operator, `${link.pathname}${link.search}`))).toBe(
      identifier(entries[0]?.inline as string),
    );
  });

  it('a liaison reads its unit’s warnings only, and every read is audited', async () => {
    const police = await login(hub.url, 'liaison-police');
    expect((await police.request('GET', '/api/v1/warnings/cap-rain/cap')).status).toBe(403);
    expect((await police.request('GET', '/api/v1/warnings/cap-drill/cap')).status).toBe(200);
    const feed = await (await police.request('GET', '/api/v1/cap/feed.atom')).text();
    expect(readFeedEntries(feed).map((e) => e.link?.includes('cap-drill'))).toEqual([true, true]);
    const { rows } = await db.pool.query<{ action: string; actor: string; outcome: string }>(
      "SELECT action, actor, outcome FROM audit_log WHERE action LIKE 'cap.%' OR (action = 'access.refused' AND target LIKE '%/cap%')",
    );
    expect(rows.filter((r) => r.action === 'cap.read' && r.actor === 'liaison-police')).toHaveLength(1);
    expect(rows.filter((r) => r.action === 'cap.feed_read').length).toBeGreaterThanOrEqual(3);
    expect(rows.filter((r) => r.action === 'access.refused' && r.actor === 'liaison-police')).toHaveLength(1);
  });
});
