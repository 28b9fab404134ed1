/**
 * The console map's endpoints: `GET /api/v1/events/points` (located events as points, a liaison
 * its own department's) and `GET /api/v1/events/{id}` (the full record behind a point).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsTopic, type EventPointPage, type EventView, type NormalizedEvent } from '@liandong/contracts';
import { createJsonProducer, createKafka, type JsonProducer } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { login, seedUsers, startTestHub, type TestHub } from './hub.testing.ts';

function event(department: 'water' | 'police', id: string, located: boolean): NormalizedEvent {
  const at = new Date().toISOString();
  return {
    id,
    department,
    source: { system: 'test', format: 'cap-1.2', id },
    kind: 'incident',
    category: 'natural_disaster',
    type: department === 'water' ? 'water.rainfall' : 'police.fight',
    severity: 'Moderate',
    status: 'Exercise',
    msgType: 'Alert',
    references: [],
    occurredAt: at,
    receivedAt: at,
    ...(located
      ? { location: { type: 'Point' as const, coordinates: [113.15, 23.04] as [number, number] } }
      : {}),
    texts: [{ language: 'zh-CN', description: '测试' }],
    measurements: [],
    attributes: {},
    geocodes: [],
    raw: { contentType: 'application/json', body: '{}' },
  };
}

describe('hub: map points and one event', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let hub: TestHub;
  let producer: JsonProducer;
  const WATER = '11111111-1111-5111-8111-111111111111';
  const WATER_NOWHERE = '22222222-2222-5222-8222-222222222222';
  const POLICE = '33333333-3333-5333-8333-333333333333';

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    await seedUsers(db.pool);
    hub = await startTestHub({ db, kafka });
    producer = createJsonProducer(
      createKafka({ brokers: kafka.brokers, clientId: 't', logger: testLogger() }),
    );
    await producer.connect();
    await producer.send([
      {
        topic: kafka.topic(eventsTopic('water')),
        messages: [event('water', WATER, true), event('water', WATER_NOWHERE, false)].map((e) => ({
          key: e.id,
          value: e,
        })),
      },
      {
        topic: kafka.topic(eventsTopic('police')),
        messages: [{ key: POLICE, value: event('police', POLICE, true) }],
      },
    ]);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await hub?.close();
    await kafka?.close();
    await db?.close();
  });

  it('an operator gets every located event as a point; a liaison its own department’s; the record behind a point', async () => {
    const operator = await login(hub.url, 'operator');
    let page: EventPointPage = { items: [], nextCursor: null };
    for (let i = 0; i < 60 && page.items.length < 2; i++) {
      page = (await (await operator.request('GET', '/api/v1/events/points')).json()) as EventPointPage;
      if (page.items.length < 2) await new Promise((r) => setTimeout(r, 500));
    }
    expect(page.items.map((p) => p.id).sort()).toEqual([WATER, POLICE].sort());
    expect(page.items.find((p) => p.id === WATER)).toMatchObject({
      department: 'water',
      type: 'water.rainfall',
      status: 'Exercise',
      lon: 113.15,
      lat: 23.04,
    });

    const water = await login(hub.url, 'liaison-water');
    const own = (await (await water.request('GET', '/api/v1/events/points')).json()) as EventPointPage;
    expect(own.items.map((p) => p.id)).toEqual([WATER]);
    expect((await water.request('GET', '/api/v1/events/points?department=police')).status).toBe(403);

    const record = await water.request('GET', `/api/v1/events/${WATER_NOWHERE}`);
    expect(record.status).toBe(200);
    expect(((await record.json()) as EventView).id).toBe(WATER_NOWHERE);
    expect((await water.request('GET', `/api/v1/events/${POLICE}`)).status).toBe(403);
    expect(
      (await operator.request('GET', '/api/v1/events/44444444-4444-5444-8444-444444444444')).status,
    ).toBe(404);
    expect((await operator.request('GET', '/api/v1/events/not-a-uuid')).status).toBe(400);
    expect((await fetch(`${hub.url}/api/v1/events/points`)).status).toBe(401);
  });
});
