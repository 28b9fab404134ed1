/**
 * The warning lifecycle against the real broker and database: a warning on warnings.v1 → the
 * water liaison acknowledges → the emergency office misses its (short) deadline → escalation,
 * published to warning-activity.v1 and pushed live → the operator resolves → the audit verifies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import {
  SOCKET_EVENTS,
  TOPICS,
  type LivePush,
  type WarningActivity,
  type WarningDetail,
  type WarningView,
} from '@liandong/contracts';
import { createJsonProducer, createKafka, type JsonProducer } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { login, seedUsers, startTestHub, testWarning, type TestHub } from './hub.testing.ts';

describe('hub: warning lifecycle against the real broker and database', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let hub: TestHub;
  let producer: JsonProducer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    await seedUsers(db.pool);
    // Deadlines of a few seconds, so that one is missed within the test.
    hub = await startTestHub({
      db,
      kafka,
      env: { ACK_DEADLINE_RED_SECONDS: '3', ESCALATION_STEPS: '1' },
    });
    producer = createJsonProducer(
      createKafka({ brokers: kafka.brokers, clientId: 't', logger: testLogger() }),
    );
    await producer.connect();
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await producer?.disconnect();
    await hub?.close();
    await kafka?.close();
    await db?.close();
  });

  function live(cookie: string): { socket: Socket; pushes: LivePush[] } {
    const pushes: LivePush[] = [];
    const socket = io(hub.url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
    socket.on(SOCKET_EVENTS.push, (p: LivePush) => pushes.push(p));
    sockets.push(socket);
    return { socket, pushes };
  }

  it('raises, acknowledges, escalates a missed deadline once, resolves, and the audit verifies', async () => {
    const operator = await login(hub.url, 'operator');
    const water = await login(hub.url, 'liaison-water');
    const police = await login(hub.url, 'liaison-police');
    const analyst = await login(hub.url, 'analyst');
    const opLive = live(operator.cookie);
    const waterLive = live(water.cookie);
    const policeLive = live(police.cookie);
    await Promise.all(
      [opLive, waterLive, policeLive].map(
        (l) => new Promise((resolve) => l.socket.once(SOCKET_EVENTS.hello, resolve)),
      ),
    );

    const warning = testWarning({
      id: 'cooccurrence-generic:life1',
      level: 'red',
      departments: ['water', 'emergency'],
    });
    await producer.send([
      { topic: kafka.topic(TOPICS.warnings), messages: [{ key: warning.id, value: warning }] },
    ]);
    await expect.poll(() => waterLive.pushes.length, { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
    expect(waterLive.pushes[0]).toMatchObject({
      type: 'warning',
      seq: 1,
      data: { id: warning.id, status: 'active' },
    });

    // The liaison acknowledges with a note; a retry with the same key gets the same reply.
    const key = { 'idempotency-key': 'ack-life1-0001' };
    const first = await water.request(
      'POST',
      `/api/v1/warnings/${warning.id}/acknowledge`,
      { note: '收到，已派员' },
      key,
    );
    expect(first.status).toBe(200);
    const view = (await first.json()) as WarningView;
    expect(view.acknowledgements.find((a) => a.department === 'water')).toMatchObject({
      state: 'acknowledged',
      late: false,
      note: '收到，已派员',
      acknowledgedBy: { username: 'liaison-water', role: 'liaison' },
    });
    const retry = await water.request(
      'POST',
      `/api/v1/warnings/${warning.id}/acknowledge`,
      { note: '收到，已派员' },
      key,
    );
    expect(retry.status).toBe(200);
    expect(await retry.json()).toEqual(view);
    const again = await water.request(
      'POST',
      `/api/v1/warnings/${warning.id}/acknowledge`,
      {},
      { 'idempotency-key': 'ack-life1-0002' },
    );
    expect(again.status).toBe(409);

    // The emergency office does not acknowledge: after its 3 s deadline, one escalation.
    await expect
      .poll(
        async () => {
          const detail = (await (
            await operator.request('GET', `/api/v1/warnings/${warning.id}`)
          ).json()) as WarningDetail;
          return detail.escalations.length;
        },
        { timeout: 20_000 },
      )
      .toBe(1);
    await new Promise((r) => setTimeout(r, 1500)); // further scans take no second step
    const detail = (await (
      await operator.request('GET', `/api/v1/warnings/${warning.id}`)
    ).json()) as WarningDetail;
    expect(detail.escalations).toEqual([
      expect.objectContaining({
        department: 'emergency',
        step: 1,
        level: 'red',
        notified: ['operators', 'supervisor:emergency'],
      }),
    ]);
    expect(detail.warning.acknowledgements.find((a) => a.department === 'emergency')).toMatchObject({
      state: 'pending',
      escalations: 1,
    });

    // The operator resolves; the open deadline closes.
    const resolved = await operator.request('POST', `/api/v1/warnings/${warning.id}/resolve`, {
      disposition: 'confirmed',
      note: '现场确认内涝',
    });
    expect(resolved.status).toBe(200);
    const after = (await resolved.json()) as WarningView;
    expect(after.status).toBe('resolved');
    expect(after.resolution).toMatchObject({ disposition: 'confirmed', by: { username: 'operator' } });
    expect(after.acknowledgements.find((a) => a.department === 'emergency')).toMatchObject({
      state: 'closed',
      closedReason: 'resolved',
    });

    // Live: the operator and the water liaison saw everything in sequence; police saw nothing.
    const expected = ['warning', 'warning.acknowledged', 'warning.escalated', 'warning.resolved'];
    const kinds = (pushes: LivePush[]) => pushes.map((p) => (p.type === 'warning' ? 'warning' : p.data.type));
    await expect.poll(() => kinds(opLive.pushes), { timeout: 10_000 }).toEqual(expected);
    await expect.poll(() => kinds(waterLive.pushes), { timeout: 10_000 }).toEqual(expected);
    expect(opLive.pushes.map((p) => p.seq)).toEqual([1, 2, 3, 4]);
    expect(policeLive.pushes).toEqual([]);

    // warning-activity.v1 has the three activities, once each (read to the end of the topic).
    const activity = await kafka.readMessages(kafka.topic(TOPICS.warningActivity), 3, 20_000);
    const published = activity.map((m) => JSON.parse(m.value?.toString() ?? '{}') as WarningActivity);
    expect(published.map((a) => a.type).sort()).toEqual([
      'warning.acknowledged',
      'warning.escalated',
      'warning.resolved',
    ]);
    await new Promise((r) => setTimeout(r, 1500));
    expect(
      await kafka
        .readMessages(kafka.topic(TOPICS.warningActivity), Infinity, 3000)
        .catch((e: Error) => e.message),
    ).toMatch(/got 3 in/);

    // A redelivered warning changes nothing.
    await producer.send([
      { topic: kafka.topic(TOPICS.warnings), messages: [{ key: warning.id, value: warning }] },
    ]);
    await new Promise((r) => setTimeout(r, 2000));
    const { rows } = await db.pool.query('SELECT count(*)::int AS n FROM warning_revisions');
    expect(rows[0]).toEqual({ n: 1 });
    expect(kinds(opLive.pushes)).toEqual(expected);

    // The audit log has each step, and verifies.
    const audit = (await (await analyst.request('GET', '/api/v1/audit?action=warning.&limit=50')).json()) as {
      items: { action: string; actor: string }[];
    };
    expect(audit.items.map((e) => `${e.action} ${e.actor}`).reverse()).toEqual([
      'warning.raised correlator',
      'warning.acknowledged liaison-water',
      'warning.escalated hub',
      'warning.resolved operator',
    ]);
    const verify = await analyst.request('GET', '/api/v1/audit/verify');
    expect(await verify.json()).toMatchObject({ ok: true, brokenAt: null });
  }, 120_000);
});
