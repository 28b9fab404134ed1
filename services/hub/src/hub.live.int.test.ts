/**
 * Live push: a console away while warnings flow gets, on reconnecting with its last sequence,
 * everything it missed, in order, nothing twice; one too far behind is told to reload. Two hub
 * instances side by side (one database, one broker, one consumer group): pushes reach the clients
 * of both with the same gap-free sequence, and concurrent writes stay single.
 *
 * The away time is 30 s (the figure); LIVE_AWAY_MS shortens it where time is short — the
 * mechanism (disconnect, warnings flow, reconnect with afterSeq) is the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { io, type Socket } from 'socket.io-client';
import {
  SOCKET_EVENTS,
  TOPICS,
  type LiveHello,
  type LivePush,
  type LiveReload,
  type Warning,
} from '@liandong/contracts';
import { createJsonProducer, createKafka, type JsonProducer } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { login, seedUsers, startTestHub, testWarning, type Client, type TestHub } from './hub.testing.ts';

const AWAY_MS = Number(process.env['LIVE_AWAY_MS'] ?? 30_000);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Recorder {
  socket: Socket;
  pushes: LivePush[];
  hellos: LiveHello[];
  reloads: LiveReload[];
  last(): number;
}

function record(url: string, cookie: string, afterSeq?: number): Recorder {
  const r: Recorder = {
    pushes: [],
    hellos: [],
    reloads: [],
    last: () => r.pushes.at(-1)?.seq ?? r.hellos.at(-1)?.seq ?? 0,
    socket: io(url, {
      transports: ['websocket'],
      extraHeaders: { cookie },
      reconnection: false,
      ...(afterSeq === undefined ? {} : { auth: { afterSeq } }),
    }),
  };
  r.socket.on(SOCKET_EVENTS.push, (p: LivePush) => r.pushes.push(p));
  r.socket.on(SOCKET_EVENTS.hello, (h: LiveHello) => r.hellos.push(h));
  r.socket.on(SOCKET_EVENTS.reload, (m: LiveReload) => r.reloads.push(m));
  return r;
}

const hello = (r: Recorder) =>
  new Promise<LiveHello>((resolve) => r.socket.once(SOCKET_EVENTS.hello, resolve));

/** A sequence without gap or repeat, starting after `from`. */
function expectContiguous(pushes: LivePush[], from: number) {
  expect(pushes.map((p) => p.seq)).toEqual(pushes.map((_, i) => from + i + 1));
}

const key = (p: LivePush) => (p.type === 'warning' ? `w:${p.data.id}:${p.data.revision}` : `a:${p.data.id}`);

async function send(producer: JsonProducer, kafka: TestKafka, warnings: Warning[]) {
  await producer.send([
    { topic: kafka.topic(TOPICS.warnings), messages: warnings.map((w) => ({ key: w.id, value: w })) },
  ]);
}

describe('hub: live push, reconnecting', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let hub: TestHub;
  let producer: JsonProducer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    await seedUsers(db.pool);
    hub = await startTestHub({ db, kafka, env: { PUSH_REPLAY_LIMIT: '100' }, sessionCheckMs: 300 });
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

  it(
    `a console away ${AWAY_MS / 1000} s while warnings flow misses nothing and gets nothing twice`,
    async () => {
      const operator = await login(hub.url, 'operator');
      const water = await login(hub.url, 'liaison-water');
      const watcher = record(hub.url, operator.cookie); // stays connected: the reference
      const away = record(hub.url, operator.cookie);
      const awayLiaison = record(hub.url, water.cookie);
      sockets.push(watcher.socket, away.socket, awayLiaison.socket);
      await Promise.all([hello(watcher), hello(away), hello(awayLiaison)]);

      let n = 0;
      const next = () => {
        n += 1;
        return testWarning({
          id: `live-${n}`,
          departments: n % 2 ? ['water', 'emergency'] : ['police', 'emergency'],
        });
      };
      await send(producer, kafka, [next(), next()]);
      await expect.poll(() => away.pushes.length, { timeout: 20_000 }).toBe(2);

      away.socket.disconnect();
      awayLiaison.socket.disconnect();
      const awayFrom = away.last();
      const liaisonFrom = awayLiaison.last();
      // Warnings (and revisions raising the level, which re-arm) flow while they are away.
      const until = Date.now() + AWAY_MS;
      while (Date.now() < until) {
        const w = next();
        await send(producer, kafka, [
          w,
          { ...w, revision: 2, level: 'orange', updatedAt: new Date().toISOString() },
        ]);
        await sleep(Math.max(200, AWAY_MS / 20));
      }
      const back = record(hub.url, operator.cookie, awayFrom);
      const backLiaison = record(hub.url, water.cookie, liaisonFrom);
      sockets.push(back.socket, backLiaison.socket);
      const [h] = await Promise.all([hello(back), hello(backLiaison)]);
      expect(h?.replayed).toBeGreaterThan(0);
      // And live again after the replay.
      await send(producer, kafka, [next(), next()]);
      const total = 2 + (n - 4) * 2 + 2;
      await expect.poll(() => watcher.pushes.length, { timeout: 30_000 }).toBe(total);
      await expect.poll(() => back.pushes.length, { timeout: 30_000 }).toBe(total - awayFrom);
      await sleep(1000); // nothing more arrives

      expectContiguous(watcher.pushes, 0);
      expectContiguous(back.pushes, awayFrom);
      expect([...away.pushes, ...back.pushes].map(key)).toEqual(watcher.pushes.map(key));
      expect(back.reloads).toEqual([]);
      // The liaison's own audience: only water's warnings, its own gap-free sequence.
      const liaisonAll = [...awayLiaison.pushes, ...backLiaison.pushes];
      expectContiguous(liaisonAll, 0);
      expect(liaisonAll.every((p) => p.type === 'warning' && p.data.departments.includes('water'))).toBe(
        true,
      );
      expect(liaisonAll.length).toBe(
        watcher.pushes.filter((p) => p.type === 'warning' && p.data.departments.includes('water')).length,
      );
    },
    AWAY_MS + 120_000,
  );

  it('a console too far behind, or with a sequence the hub never gave, is told to reload and goes on live', async () => {
    const operator = await login(hub.url, 'operator');
    // More pushes than the replay limit (100).
    const watcher = record(hub.url, operator.cookie);
    sockets.push(watcher.socket);
    await hello(watcher);
    await send(
      producer,
      kafka,
      Array.from({ length: 110 }, (_, i) => testWarning({ id: `many-${i}` })),
    );
    await expect.poll(() => watcher.pushes.length, { timeout: 30_000 }).toBe(110);
    const latest = (
      await db.pool.query<{ seq: string }>("SELECT seq FROM push_audiences WHERE audience = 'all'")
    ).rows[0]?.seq;
    const far = record(hub.url, operator.cookie, Number(latest) - 101);
    const future = record(hub.url, operator.cookie, Number(latest) + 1000);
    sockets.push(far.socket, future.socket);
    const [hf, hu] = await Promise.all([hello(far), hello(future)]);
    expect(far.reloads).toEqual([{ reason: 'too_far_behind', latestSeq: Number(latest) }]);
    expect(future.reloads).toEqual([{ reason: 'unknown_sequence', latestSeq: Number(latest) }]);
    expect(hf).toMatchObject({ seq: Number(latest), replayed: 0 });
    expect(hu).toMatchObject({ seq: Number(latest), replayed: 0 });
    expect(far.pushes).toEqual([]);
    await send(producer, kafka, [testWarning({ id: 'after-reload' })]);
    await expect.poll(() => far.pushes.map((p) => p.seq), { timeout: 20_000 }).toEqual([Number(latest) + 1]);
  }, 60_000);

  it('refuses a socket without a valid session, and closes one whose session ends', async () => {
    const anonymous = io(hub.url, { transports: ['websocket'], reconnection: false });
    sockets.push(anonymous);
    const refused = await new Promise<string>((resolve) =>
      anonymous.once('connect_error', (e) => resolve(e.message)),
    );
    expect(refused).toMatch(/unauthorized/);
    const analyst = await login(hub.url, 'analyst');
    const r = record(hub.url, analyst.cookie);
    sockets.push(r.socket);
    await hello(r);
    const closed = new Promise((resolve) => r.socket.once('disconnect', resolve));
    expect((await analyst.request('POST', '/api/v1/auth/logout')).status).toBe(204);
    await closed;
    // A user disabled by an admin (on any hub) loses its live sockets within the check interval.
    const liaison = await login(hub.url, 'liaison-traffic');
    const l = record(hub.url, liaison.cookie);
    sockets.push(l.socket);
    await hello(l);
    const gone = new Promise((resolve) => l.socket.once('disconnect', resolve));
    const admin = await login(hub.url, 'admin');
    expect((await admin.request('PATCH', '/api/v1/users/liaison-traffic', { disabled: true })).status).toBe(
      200,
    );
    await gone;
  }, 30_000);
});

describe('hub: two instances side by side', () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let hubs: TestHub[];
  let producer: JsonProducer;
  const sockets: Socket[] = [];

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    await seedUsers(db.pool);
    const env = { ACK_DEADLINE_YELLOW_SECONDS: '2', ESCALATION_STEPS: '2', ESCALATION_SCAN_MS: '50' };
    hubs = await Promise.all([startTestHub({ db, kafka, env }), startTestHub({ db, kafka, env })]);
    producer = createJsonProducer(
      createKafka({ brokers: kafka.brokers, clientId: 't', logger: testLogger() }),
    );
    await producer.connect();
  });
  afterAll(async () => {
    for (const s of sockets) s.disconnect();
    await producer?.disconnect();
    await Promise.all(hubs?.map((h) => h.close()) ?? []);
    await kafka?.close();
    await db?.close();
  });

  it('clients of both hubs get every push with the same gap-free sequence; writes and escalations happen once', async () => {
    const [a, b] = hubs as [TestHub, TestHub];
    const opA = await login(a.url, 'operator');
    const opB = await login(b.url, 'operator');
    const onA = record(a.url, opA.cookie);
    const onB = record(b.url, opB.cookie);
    sockets.push(onA.socket, onB.socket);
    await Promise.all([hello(onA), hello(onB)]);

    // 12 warnings over the six partitions: each hub's consumer handles some of them.
    const warnings = Array.from({ length: 12 }, (_, i) =>
      testWarning({ id: `pair-${i}`, departments: ['traffic', 'emergency'] }),
    );
    await send(producer, kafka, warnings);
    // The same messages again (a redelivery): nothing changes.
    await send(producer, kafka, warnings);
    await expect
      .poll(() => onA.pushes.filter((p) => p.type === 'warning').length, { timeout: 30_000 })
      .toBe(12);

    // Both hubs acknowledge the same unit of the same warning at once: one wins, one is told.
    const ack = (client: Client, k: string) =>
      client.request(
        'POST',
        '/api/v1/warnings/pair-0/acknowledge',
        { department: 'traffic' },
        { 'idempotency-key': k },
      );
    const statuses = (await Promise.all([ack(opA, 'race-a-0001'), ack(opB, 'race-b-0001')]))
      .map((r) => r.status)
      .sort();
    expect(statuses).toEqual([200, 409]);

    // Deadlines of 2 s pass with both hubs scanning every 50 ms: two steps per pending unit, once each.
    const pending = 12 * 2 - 1;
    await expect
      .poll(
        async () =>
          (
            await db.pool.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM escalations WHERE NOT (warning_id = 'pair-0' AND unit = 'traffic')",
            )
          ).rows[0]?.n,
        {
          timeout: 30_000,
        },
      )
      .toBe(pending * 2);
    await sleep(2500);
    // The unit acknowledged in the race escalated only if its acknowledgement came after its
    // deadline (a loaded machine may take longer than 2 s to get there), and then only for the
    // steps that fell due before it.
    const raced = await db.pool.query<{ late: boolean; steps: number; due_before_ack: number }>(
      `SELECT a.late,
              (SELECT count(*)::int FROM escalations e WHERE e.warning_id = a.warning_id AND e.unit = a.unit) AS steps,
              (SELECT count(*)::int FROM escalations e WHERE e.warning_id = a.warning_id AND e.unit = a.unit
                 AND e.escalated_at <= a.acknowledged_at) AS due_before_ack
         FROM acknowledgements a WHERE a.warning_id = 'pair-0' AND a.unit = 'traffic'`,
    );
    const racedSteps = raced.rows[0]?.steps ?? -1;
    expect(racedSteps).toBe(raced.rows[0]?.due_before_ack);
    if (!raced.rows[0]?.late) expect(racedSteps).toBe(0);
    expect(racedSteps).toBeLessThanOrEqual(2);
    const { rows } = await db.pool.query<{ n: number; distinct_steps: number }>(
      `SELECT count(*)::int AS n, count(DISTINCT (warning_id, unit, step))::int AS distinct_steps FROM escalations`,
    );
    expect(rows[0]).toEqual({ n: pending * 2 + racedSteps, distinct_steps: pending * 2 + racedSteps });
    const escalatedBy = await Promise.all(
      hubs.map(async (h) => (await h.hub.metrics.escalations.get()).values[0]?.value ?? 0),
    );
    expect(escalatedBy.reduce((x, y) => x + y, 0)).toBe(pending * 2 + racedSteps);

    const total = 12 + 1 + pending * 2 + racedSteps;
    await expect.poll(() => onA.pushes.length, { timeout: 30_000 }).toBe(total);
    await expect.poll(() => onB.pushes.length, { timeout: 30_000 }).toBe(total);
    await sleep(500);
    expectContiguous(onA.pushes, 0);
    expect(onB.pushes).toEqual(onA.pushes);
    const revisions = await db.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM warning_revisions');
    expect(revisions.rows[0]?.n).toBe(12);
    console.log(`two hubs: escalation steps taken by each: ${escalatedBy.join(' + ')}`);
  }, 120_000);
});
