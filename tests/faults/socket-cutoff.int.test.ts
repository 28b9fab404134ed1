/**
 * Fault: Socket.IO clients cut off from the hub while warnings flow, then back.
 *
 * Given a hub (in this process) on the run's broker and database, and 200 live clients connected
 * as the console connects (socket.io-client over WebSocket, the session cookie, reconnection with
 * back-off, `auth.afterSeq` = the last sequence it holds) — operators, who see every push, and a
 * few liaisons of three units, who see only their unit's — each group through a TCP proxy of its
 * own; when warnings (and level-raising revisions) are produced to warnings.v1 at a steady rate and
 * each group's line is cut (every connection reset, every reconnection refused) for 5 s and for
 * 30 s, both at once; then, once the line is back and the warnings have stopped, every client
 * holds every push of its audience from where it started, exactly once, in sequence order, the
 * same pushes as the push log, and the push log holds each warning revision sent once in `all`
 * and once in each routed unit's audience.
 *
 * FAULTS_SOCKET_LONG=1 adds a third group cut for 3 min (the issue's long figure; about 4 min).
 * FAULTS_SOCKET_CLIENTS (default 200) and FAULTS_SOCKET_RATE (warnings per second, default 10).
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
import { createHub, loadHubConfig, type Hub } from '@liandong/hub';
import type { JsonProducer } from '@liandong/kafka';
import { testDatabase, testKafka, testLogger, type TestDatabase, type TestKafka } from '@liandong/testkit';
import { PASSWORD, producer as startProducer, seedUsers, warning } from '../browser/browser.ts';
import { startCutProxy, type CutProxy } from './cut-proxy.ts';
import { reportScenario } from './report.ts';

const LONG = process.env['FAULTS_SOCKET_LONG'] === '1';
const CUTS_MS = LONG ? [5_000, 30_000, 180_000] : [5_000, 30_000];
const CLIENTS = Number(process.env['FAULTS_SOCKET_CLIENTS'] ?? 200);
const RATE = Number(process.env['FAULTS_SOCKET_RATE'] ?? 10);
/** Liaison units of each group (two clients each); they are routed to in turn with others. */
const LIAISON_UNITS = ['water', 'police', 'traffic'] as const;
/** Units a warning is routed to, in turn: each liaison unit gets some of the warnings, not all. */
const ROUTES: Warning['departments'][] = [
  ['water', 'emergency'],
  ['police', 'emergency'],
  ['traffic', 'petitions'],
  ['health', 'emergency'],
];
const OPERATOR_SESSIONS = 8;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface LiveClient {
  group: number;
  audience: string;
  socket: Socket;
  /** Every push as it arrived (a double would stay here). */
  pushes: LivePush[];
  /** The sequence a resume asks after: the last hello's or push's, as the console keeps it. */
  lastSeq: number;
  /** The first hello's sequence: the client is due every push after it. */
  startSeq: number | undefined;
  hellos: { at: number; hello: LiveHello }[];
  connects: number[];
  disconnects: number[];
  /** Reconnection attempts (each after the back-off). */
  attempts: number[];
  reloads: LiveReload[];
  connectErrors: number;
}

async function signIn(url: string, username: string): Promise<string> {
  const response = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password: PASSWORD }),
  });
  if (response.status !== 200) throw new Error(`login of ${username}: ${response.status}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}

/** A client as the console connects (web/src/live/live.ts): back-off 0.5–5 s, resume from lastSeq. */
function connectClient(port: number, cookie: string, audience: string, group: number): LiveClient {
  const c: LiveClient = {
    group,
    audience,
    pushes: [],
    lastSeq: 0,
    startSeq: undefined,
    hellos: [],
    connects: [],
    disconnects: [],
    attempts: [],
    reloads: [],
    connectErrors: 0,
    socket: io(`http://127.0.0.1:${port}`, {
      path: '/socket.io/',
      transports: ['websocket'],
      extraHeaders: { cookie },
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      auth: (cb) => cb(c.lastSeq > 0 ? { afterSeq: c.lastSeq } : {}),
    }),
  };
  c.socket.on('connect', () => c.connects.push(Date.now()));
  c.socket.on('disconnect', () => c.disconnects.push(Date.now()));
  c.socket.on('connect_error', () => (c.connectErrors += 1));
  c.socket.io.on('reconnect_attempt', () => c.attempts.push(Date.now()));
  c.socket.on(SOCKET_EVENTS.reload, (r: LiveReload) => c.reloads.push(r));
  c.socket.on(SOCKET_EVENTS.hello, (hello: LiveHello) => {
    c.hellos.push({ at: Date.now(), hello });
    c.startSeq ??= hello.seq;
    c.lastSeq = hello.seq;
  });
  c.socket.on(SOCKET_EVENTS.push, (push: LivePush) => {
    c.pushes.push(push);
    c.lastSeq = Math.max(c.lastSeq, push.seq);
  });
  return c;
}

const keyOf = (p: { type: string; data: LivePush['data'] }) =>
  p.type === 'warning' && 'revision' in p.data ? `w:${p.data.id}:${p.data.revision}` : `a:${p.data.id}`;

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
};

const spread = (values: number[]) =>
  `p50 ${quantile(values, 0.5)} ms, max ${values.length ? Math.max(...values) : 0} ms`;

describe(`${CLIENTS} Socket.IO clients cut off while warnings flow`, () => {
  let db: TestDatabase;
  let kafka: TestKafka;
  let hub: Hub;
  let kafkaOut: JsonProducer;
  const proxies: CutProxy[] = [];
  const clients: LiveClient[] = [];

  beforeAll(async () => {
    [db, kafka] = await Promise.all([testDatabase(), testKafka()]);
    await seedUsers(db);
    const config = loadHubConfig({
      DATABASE_URL: db.url,
      DATABASE_SCHEMA: db.schema,
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC_PREFIX: kafka.prefix,
      PORT: '0',
      LOG_LEVEL: 'silent',
      PUSH_POLL_MS: '250',
      API_RATE_LIMIT_PER_MINUTE: '100000',
    });
    hub = await createHub(config, { logger: testLogger('hub') });
    await hub.start();
    kafkaOut = await startProducer(kafka);
  }, 180_000);

  afterAll(async () => {
    for (const c of clients) c.socket.disconnect();
    for (const p of proxies) await p.close();
    await kafkaOut?.disconnect();
    await hub?.close();
    await kafka?.close();
    await db?.close();
  });

  it(
    `cut for ${CUTS_MS.map((ms) => `${ms / 1000} s`).join(' and ')} at once: after reconnecting, every client has every push of its audience once, in order`,
    async () => {
      const url = `http://127.0.0.1:${hub.port()}`;
      for (let g = 0; g < CUTS_MS.length; g++) proxies.push(await startCutProxy(hub.port()));
      // Consoles share sessions as tabs of one browser do (a sign-in is an argon2id hash).
      const operatorCookies: string[] = [];
      for (let i = 0; i < OPERATOR_SESSIONS; i++) operatorCookies.push(await signIn(url, 'operator'));
      const liaisonCookies = new Map<string, string>();
      for (const unit of LIAISON_UNITS) liaisonCookies.set(unit, await signIn(url, `liaison-${unit}`));

      const perGroup = Math.floor(CLIENTS / CUTS_MS.length);
      for (let g = 0; g < CUTS_MS.length; g++) {
        const port = (proxies[g] as CutProxy).port;
        const size = g === CUTS_MS.length - 1 ? CLIENTS - perGroup * g : perGroup;
        for (let i = 0; i < size; i++) {
          const unit = i < LIAISON_UNITS.length * 2 ? LIAISON_UNITS[i % LIAISON_UNITS.length] : undefined;
          clients.push(
            unit
              ? connectClient(port, liaisonCookies.get(unit) as string, `unit:${unit}`, g)
              : connectClient(port, operatorCookies[i % OPERATOR_SESSIONS] as string, 'all', g),
          );
        }
      }
      await expect
        .poll(() => clients.filter((c) => c.startSeq !== undefined).length, { timeout: 60_000 })
        .toBe(CLIENTS);

      // Warnings at a steady rate; every fourth message a revision raising an earlier one.
      const sent: Warning[] = [];
      let producing = true;
      let produceErrors = 0;
      const producerLoop = (async () => {
        const t0 = Date.now();
        for (let n = 0; producing; n++) {
          const w =
            n % 4 === 3 && sent.length > 2
              ? {
                  ...(sent[sent.length - 2] as Warning),
                  revision: 2,
                  level: 'red' as const,
                  updatedAt: new Date().toISOString(),
                }
              : warning({
                  id: `cutoff-${n}`,
                  level: 'orange',
                  exercise: true,
                  departments: ROUTES[n % ROUTES.length],
                });
          if (w.revision === 2 && sent.some((s) => s.id === w.id && s.revision === 2)) continue;
          try {
            await kafkaOut.send([
              { topic: kafka.topic(TOPICS.warnings), messages: [{ key: w.id, value: w }] },
            ]);
            sent.push(w);
          } catch {
            produceErrors += 1;
          }
          await sleep(Math.max(0, t0 + ((n + 1) * 1000) / RATE - Date.now()));
        }
      })();

      await sleep(2000);
      const cutAt = Date.now();
      for (const p of proxies) p.cut();
      const restoredAt: number[] = [];
      await Promise.all(
        CUTS_MS.map(async (ms, g) => {
          await sleep(ms);
          (proxies[g] as CutProxy).restore();
          restoredAt[g] = Date.now();
        }),
      );
      // Warnings go on flowing while the groups come back, then stop.
      await sleep(5000);
      producing = false;
      await producerLoop;

      // The push log is the reference: each audience's newest sequence once the hub has it all.
      const expectedAll = new Set(sent.map((w) => keyOf({ type: 'warning', data: w })));
      const audiences = ['all', ...LIAISON_UNITS.map((u) => `unit:${u}`)];
      const log = new Map<string, { seq: number; key: string }[]>();
      await expect
        .poll(
          async () => {
            const { rows } = await db.pool.query<{ n: number }>(
              "SELECT count(*)::int AS n FROM push_log WHERE audience = 'all' AND type = 'warning'",
            );
            return rows[0]?.n;
          },
          { timeout: 60_000, interval: 250 },
        )
        .toBe(expectedAll.size);
      for (const audience of audiences) {
        const { rows } = await db.pool.query<{ seq: string; type: string; data: LivePush['data'] }>(
          'SELECT seq, type, data FROM push_log WHERE audience = $1 ORDER BY seq',
          [audience],
        );
        log.set(
          audience,
          rows.map((r) => ({ seq: Number(r.seq), key: keyOf({ type: r.type, data: r.data }) })),
        );
      }
      const finalSeq = (audience: string) => log.get(audience)?.at(-1)?.seq ?? 0;
      await expect
        .poll(() => clients.filter((c) => c.lastSeq < finalSeq(c.audience)).length, {
          timeout: 90_000,
          interval: 250,
        })
        .toBe(0);
      await sleep(1000); // nothing more arrives

      // The push log against what was sent: each revision once in `all`, once per routed unit.
      const logAll = (log.get('all') ?? []).map((p) => p.key);
      expect(new Set(logAll).size, 'a revision pushed twice to operators').toBe(logAll.length);
      expect(new Set(logAll)).toEqual(expectedAll);
      for (const unit of LIAISON_UNITS) {
        const due = new Set(
          sent.filter((w) => w.departments.includes(unit)).map((w) => keyOf({ type: 'warning', data: w })),
        );
        expect(due.size, `warnings routed to ${unit}`).toBeGreaterThan(0);
        expect((log.get(`unit:${unit}`) ?? []).map((p) => p.key).sort()).toEqual([...due].sort());
      }

      // Each client against its audience's log, from where it started.
      const problems: string[] = [];
      const groups = CUTS_MS.map(() => ({
        due: 0,
        delivered: 0,
        lost: 0,
        doubled: 0,
        errors: 0,
        recoveryMs: 0,
        reconnectToCaughtUp: [] as number[],
        restoreToAttempt: [] as number[],
        attemptToConnected: [] as number[],
        replayed: 0,
      }));
      clients.forEach((c, i) => {
        const g = groups[c.group] as (typeof groups)[number];
        const dueLog = (log.get(c.audience) ?? []).filter((p) => p.seq > (c.startSeq ?? 0));
        const got = c.pushes.map((p) => p.seq);
        const seen = new Map<number, number>();
        for (const s of got) seen.set(s, (seen.get(s) ?? 0) + 1);
        const lost = dueLog.filter((p) => !seen.has(p.seq)).length;
        const doubled = [...seen.values()].reduce((sum, n) => sum + n - 1, 0);
        const outOfOrder = got.filter((s, k) => k > 0 && s <= (got[k - 1] as number)).length;
        const keyBySeq = new Map(dueLog.map((p) => [p.seq, p.key]));
        const wrong = c.pushes.filter((p) => keyBySeq.get(p.seq) !== keyOf(p)).length;
        g.due += dueLog.length;
        g.delivered += seen.size - wrong;
        g.lost += lost;
        g.doubled += doubled;
        g.errors += outOfOrder + wrong + c.reloads.length;
        if (lost || doubled || outOfOrder || wrong || c.reloads.length)
          problems.push(
            `client ${i} (${c.audience}, cut ${CUTS_MS[c.group]} ms): ${lost} lost, ${doubled} doubled, ${outOfOrder} out of order, ${wrong} not the log's push, ${c.reloads.length} reloads`,
          );
        // Back: the first connection after the line was restored, and its hello (sent after the replay).
        const restored = restoredAt[c.group] ?? 0;
        const back = c.hellos.find((h) => h.at >= restored);
        const connectedAt = c.connects.find((t) => t >= restored);
        if (c.disconnects.length === 0 || !back || connectedAt === undefined) {
          problems.push(
            `client ${i} (${c.audience}, cut ${CUTS_MS[c.group]} ms): ${c.disconnects.length} disconnects, back ${back ? 'yes' : 'no'}`,
          );
          g.errors += 1;
          return;
        }
        g.replayed += back.hello.replayed;
        g.recoveryMs = Math.max(g.recoveryMs, back.at - restored);
        g.reconnectToCaughtUp.push(back.at - connectedAt);
        const attempt = c.attempts.filter((t) => t <= connectedAt).at(-1) ?? connectedAt;
        g.restoreToAttempt.push(Math.max(0, attempt - restored));
        g.attemptToConnected.push(connectedAt - attempt);
      });

      CUTS_MS.forEach((ms, gi) => {
        const g = groups[gi] as (typeof groups)[number];
        const members = clients.filter((c) => c.group === gi);
        const liaisons = members.filter((c) => c.audience !== 'all').length;
        const away = members.map((c) => (c.connects.find((t) => t >= (restoredAt[gi] ?? 0)) ?? 0) - cutAt);
        reportScenario({
          scenario: `Socket.IO clients cut off (${ms / 1000} s)`,
          sent: g.due,
          accepted: g.delivered,
          lost: g.lost,
          doubled: g.doubled,
          errors: g.errors,
          recoveryMs: g.recoveryMs,
          note: `${members.length} clients (${liaisons} liaisons) through a TCP proxy reset for ${ms / 1000} s; ${sent.length} warning revisions at ${RATE}/s; away p50 ${(quantile(away, 0.5) / 1000).toFixed(1)} s, max ${(Math.max(...away) / 1000).toFixed(1)} s; ${g.replayed} pushes replayed; after the line was back: last back-off ${spread(g.restoreToAttempt)}, handshake ${spread(g.attemptToConnected)}, reconnect → caught up ${spread(g.reconnectToCaughtUp)}`,
        });
      });
      console.log(
        `[socket-cutoff] ${clients.reduce((n, c) => n + c.connectErrors, 0)} refused reconnection attempts; ${produceErrors} produce errors`,
      );
      expect(problems, 'clients that lost, doubled, reordered or did not come back').toEqual([]);
      expect(produceErrors).toBe(0);
      for (const g of groups) {
        expect(g.lost).toBe(0);
        expect(g.doubled).toBe(0);
        expect(g.delivered).toBe(g.due);
        expect(g.replayed, 'pushes replayed on the resumes').toBeGreaterThan(0);
      }
    },
    Math.max(...CUTS_MS) + 240_000,
  );
});
