/**
 * pnpm bench:hub — the hub (its own process) delivering warnings live, against raw baselines in
 * the same run:
 *
 *   1. a warning produced to warnings.v1 → received by a Socket.IO client, p50/p99, under 1,000
 *      events/s of background on the events topics; beside it a raw kafkajs consumer of the same
 *      topic (the floor), and Prometheus Alertmanager (Debian's prometheus-alertmanager,
 *      group_wait 0s, group_interval at its minimum) fed the same alerts: POST → its webhook;
 *   2. 1,000 connected clients all receive a warning (p99 of the time until the last of them
 *      has it), and the hub's memory per connected client.
 *
 * Environment: WARNINGS (default 200), RATE (warnings/s, default 5), CLIENTS (1000),
 * FANOUT_WARNINGS (20), BACKGROUND (events/s, 1000).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import {
  eventsTopic,
  namespacedTopic,
  SOCKET_EVENTS,
  TOPICS,
  type LivePush,
  type Warning,
} from '@liandong/contracts';
import { createUserRepository } from '@liandong/users';
import {
  backgroundEvent as event,
  benchEnvironment,
  fmt,
  percentile,
  sessionCookie,
  startService,
} from './support.ts';

const WARNINGS = Number(process.env['WARNINGS'] ?? 200);
const RATE = Number(process.env['RATE'] ?? 5);
const CLIENTS = Number(process.env['CLIENTS'] ?? 1000);
const FANOUT_WARNINGS = Number(process.env['FANOUT_WARNINGS'] ?? 20);
const BACKGROUND = Number(process.env['BACKGROUND'] ?? 1000);
const PORT = 18080;
const PASSWORD = 'bench password 2026';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function warning(id: string): Warning {
  const at = new Date().toISOString();
  return {
    id,
    ruleId: 'cooccurrence-generic',
    ruleVersion: 1,
    revision: 1,
    level: 'orange',
    category: 'natural_disaster',
    status: 'active',
    exercise: true,
    departments: ['water', 'traffic', 'emergency'],
    evidence: [randomUUID(), randomUUID(), randomUUID()],
    raisedAt: at,
    updatedAt: at,
    firstEvidenceAt: at,
    lastEvidenceAt: at,
    title: {
      zh: '桂城街道：暴雨内涝风险（3个部门）',
      en: 'Guicheng: rainstorm waterlogging risk (3 departments)',
    },
    summary: {
      zh: '河道水位超警戒，周边道路水浸。',
      en: 'River over its warning level, flooded roads nearby.',
    },
    area: {
      type: 'Polygon',
      coordinates: [
        [
          [113.14, 23.04],
          [113.16, 23.04],
          [113.16, 23.06],
          [113.14, 23.04],
        ],
      ],
    },
    centroid: { type: 'Point', coordinates: [113.15, 23.05] },
    thresholds: [{ name: 'events', value: 7, threshold: 3 }],
  };
}

function summary(values: number[]) {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p99: percentile(values, 99),
    max: Math.max(...values),
  };
}

// --- set-up ---------------------------------------------------------------------------------
const env = await benchEnvironment();
const users = createUserRepository(env.pool);
await users.create(
  { username: 'operator', role: 'operator', password: PASSWORD },
  { username: 'bench', role: 'admin' },
);
const hub = await startService(
  'services/hub',
  {
    KAFKA_BROKERS: env.brokers,
    DATABASE_URL: env.databaseUrl,
    DATABASE_SCHEMA: env.schema,
    KAFKA_TOPIC_PREFIX: env.prefix,
    HUB_GROUP_PREFIX: 'bench-hub',
    API_RATE_LIMIT_PER_MINUTE: '1000000',
    LIANDONG_DATA_DIR: mkdtempSync(join(tmpdir(), 'hub-bench-')),
  },
  PORT,
);
const url = `http://127.0.0.1:${PORT}`;
const cookie = await sessionCookie(url, 'operator', PASSWORD);

/** The smallest of 5 readings 1 s apart: the live size, with as little garbage as the hub's GC left. */
async function hubMemory(): Promise<{ rss: number; heap: number }> {
  const readings: { rss: number; heap: number }[] = [];
  for (let i = 0; i < 5; i++) {
    const text = await (await fetch(`${url}/metrics`)).text();
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
    readings.push({
      rss: value('process_resident_memory_bytes'),
      heap: value('nodejs_heap_size_used_bytes'),
    });
    await sleep(1000);
  }
  return {
    rss: Math.min(...readings.map((r) => r.rss)),
    heap: Math.min(...readings.map((r) => r.heap)),
  };
}

function connect(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(url, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
    socket.once(SOCKET_EVENTS.hello, () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const producer = env.kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();
const warningsTopic = namespacedTopic(TOPICS.warnings, env.prefix);

// Raw baseline: a plain kafkajs consumer of the same topic, in this process.
const rawReceived = new Map<string, number>();
const raw = env.kafka.consumer({ groupId: `bench-raw-${Date.now()}` });
await raw.connect();
await raw.subscribe({ topic: warningsTopic, fromBeginning: false });
await raw.run({
  eachMessage: async ({ message }) => {
    const key = message.key?.toString();
    if (key) rawReceived.set(key, Date.now());
  },
});

// Alertmanager, with a webhook receiver here.
const amPort = 19093;
const webhookReceived = new Map<string, number>();
const webhook: Server = createServer((request, response) => {
  let body = '';
  request.on('data', (d: Buffer) => (body += d.toString()));
  request.on('end', () => {
    const now = Date.now();
    const payload = JSON.parse(body) as { alerts: { labels: Record<string, string> }[] };
    for (const alert of payload.alerts) {
      const id = alert.labels['warning'];
      if (id && !webhookReceived.has(id)) webhookReceived.set(id, now);
    }
    response.end('ok');
  });
});
await new Promise<void>((r) => webhook.listen(0, '127.0.0.1', r));
const amDir = mkdtempSync(join(tmpdir(), 'am-bench-'));
writeFileSync(
  join(amDir, 'alertmanager.yml'),
  `route:
  receiver: bench
  group_by: ['warning']
  group_wait: 0s
  group_interval: 1ms
  repeat_interval: 1h
receivers:
  - name: bench
    webhook_configs:
      - url: http://127.0.0.1:${(webhook.address() as AddressInfo).port}/
        send_resolved: false
`,
);
let alertmanager: ChildProcess | undefined;
try {
  alertmanager = spawn(
    'prometheus-alertmanager',
    [
      `--config.file=${join(amDir, 'alertmanager.yml')}`,
      `--storage.path=${amDir}`,
      `--web.listen-address=127.0.0.1:${amPort}`,
      '--cluster.listen-address=',
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  for (let i = 0; i < 100; i++) {
    if ((await fetch(`http://127.0.0.1:${amPort}/-/ready`).catch(() => undefined))?.ok) break;
    await sleep(100);
  }
} catch {
  alertmanager = undefined;
}
const amReady = (await fetch(`http://127.0.0.1:${amPort}/-/ready`).catch(() => undefined))?.ok === true;
if (!amReady)
  console.warn('prometheus-alertmanager is not available (apt-get install -y prometheus-alertmanager)');

// --- 1. latency under background --------------------------------------------------------------
let backgroundSent = 0;
let background = true;
const backgroundLoop = (async () => {
  const tick = 50;
  const perTick = Math.round((BACKGROUND * tick) / 1000);
  const started = Date.now();
  let i = 0;
  while (background) {
    const batch = Array.from({ length: perTick }, () => event(i++));
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const e of batch) {
      const t = namespacedTopic(eventsTopic(e.department), env.prefix);
      byTopic.set(t, [...(byTopic.get(t) ?? []), { key: e.id, value: JSON.stringify(e) }]);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    backgroundSent += batch.length;
    const due = started + (backgroundSent / BACKGROUND) * 1000;
    await sleep(Math.max(0, due - Date.now()));
  }
})();
await sleep(3000); // warm-up with background running

const client = await connect();
const socketReceived = new Map<string, number>();
client.on(SOCKET_EVENTS.push, (push: LivePush) => {
  if (push.type === 'warning' && !socketReceived.has(push.data.id))
    socketReceived.set(push.data.id, Date.now());
});
const sentAt = new Map<string, number>();
const postedAt = new Map<string, number>();
const backgroundStart = backgroundSent;
const phaseStart = Date.now();
for (let i = 0; i < WARNINGS; i++) {
  const w = warning(`bench-${i}-${randomUUID().slice(0, 8)}`);
  const value = JSON.stringify(w);
  sentAt.set(w.id, Date.now());
  const sending = producer.send({ topic: warningsTopic, acks: -1, messages: [{ key: w.id, value }] });
  if (amReady) {
    postedAt.set(w.id, Date.now());
    void fetch(`http://127.0.0.1:${amPort}/api/v2/alerts`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([
        {
          labels: { alertname: 'LiandongWarning', warning: w.id, level: w.level },
          annotations: { title: w.title.zh },
        },
      ]),
    });
  }
  await sending;
  await sleep(1000 / RATE);
}
await sleep(5000);
const backgroundRate = ((backgroundSent - backgroundStart) / (Date.now() - phaseStart)) * 1000;
background = false;
await backgroundLoop;
const projectedAtEnd = Number(
  (await env.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n,
);
const projectedSeconds = Date.now();
let projected = projectedAtEnd;
while (projected < backgroundSent && Date.now() - projectedSeconds < 60_000) {
  await sleep(500);
  projected = Number((await env.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0]?.n);
}
const catchUpSeconds = (Date.now() - projectedSeconds) / 1000;

const latencies = (received: Map<string, number>, from: Map<string, number>) =>
  [...from].flatMap(([id, t]) => (received.has(id) ? [(received.get(id) as number) - t] : []));
const hubLatency = summary(latencies(socketReceived, sentAt));
const rawLatency = summary(latencies(rawReceived, sentAt));
const amLatency = amReady ? summary(latencies(webhookReceived, postedAt)) : undefined;
client.disconnect();

// --- 2. 1,000 clients --------------------------------------------------------------------------
await sleep(2000);
const before = await hubMemory();
const clients: Socket[] = [];
for (let i = 0; i < CLIENTS; i += 50)
  clients.push(...(await Promise.all(Array.from({ length: Math.min(50, CLIENTS - i) }, connect))));
await sleep(3000);
const after = await hubMemory();
const fanout = new Map<string, number[]>();
for (const socket of clients)
  socket.on(SOCKET_EVENTS.push, (push: LivePush) => {
    if (push.type !== 'warning') return;
    const list = fanout.get(push.data.id) ?? [];
    list.push(Date.now());
    fanout.set(push.data.id, list);
  });
const fanoutSent = new Map<string, number>();
for (let i = 0; i < FANOUT_WARNINGS; i++) {
  const w = warning(`fanout-${i}-${randomUUID().slice(0, 8)}`);
  fanoutSent.set(w.id, Date.now());
  await producer.send({
    topic: warningsTopic,
    acks: -1,
    messages: [{ key: w.id, value: JSON.stringify(w) }],
  });
  await sleep(1000);
}
await sleep(5000);
const allReceived: number[] = [];
const eachReceived: number[] = [];
let incomplete = 0;
for (const [id, t] of fanoutSent) {
  const times = fanout.get(id) ?? [];
  if (times.length < CLIENTS) incomplete += 1;
  else allReceived.push(Math.max(...times) - t);
  eachReceived.push(...times.map((x) => x - t));
}
for (const socket of clients) socket.disconnect();

// --- report ------------------------------------------------------------------------------------
const row = (what: string, s: { n: number; p50: number; p99: number; max: number } | undefined, note = '') =>
  s
    ? `| ${what} | ${s.n} | ${fmt(s.p50)} ms | ${fmt(s.p99)} ms | ${fmt(s.max)} ms | ${note} |`
    : `| ${what} | — | — | — | — | ${note} |`;
const each = summary(eachReceived);
console.log(`
Hub benchmark (${new Date().toISOString()}), background ${fmt(backgroundRate)} events/s during phase 1

| what | n | p50 | p99 | max | note |
| --- | --- | --- | --- | --- | --- |
${row('warning on warnings.v1 → Socket.IO client (hub)', hubLatency, `${RATE} warnings/s, ${fmt(backgroundRate)} events/s background`)}
${row('warning on warnings.v1 → raw kafkajs consumer (floor)', rawLatency, 'same messages, same run')}
${row('Alertmanager: POST /api/v2/alerts → webhook', amLatency, amReady ? 'group_wait 0s, group_interval 1ms; same alerts, same run' : 'not installed')}
${row(`${CLIENTS} clients: warning → the last client has it`, summary(allReceived.length ? allReceived : [NaN]), `${FANOUT_WARNINGS} warnings, ${incomplete} not received by all`)}
${row(`${CLIENTS} clients: warning → each client (all deliveries)`, each)}

events projected into PostgreSQL: ${fmt(projectedAtEnd)} of ${fmt(backgroundSent)} when the background stopped; all ${fmt(projected)} ${catchUpSeconds.toFixed(1)} s later
hub memory: before ${fmt(before.rss / 2 ** 20)} MB RSS, ${fmt(before.heap / 2 ** 20)} MB heap; with ${CLIENTS} clients ${fmt(after.rss / 2 ** 20)} MB RSS, ${fmt(after.heap / 2 ** 20)} MB heap → ${fmt((after.rss - before.rss) / CLIENTS / 1024, 1)} KB RSS and ${fmt((after.heap - before.heap) / CLIENTS / 1024, 1)} KB heap per client
`);

if (process.env['SHOW_METRICS']) {
  const text = await (await fetch(`${url}/metrics`)).text();
  console.log(
    text
      .split('\n')
      .filter(
        (l) =>
          l.startsWith('hub_push_emit_lag_seconds') ||
          l.startsWith('hub_messages') ||
          l.startsWith('hub_command_duration_seconds'),
      )
      .join('\n'),
  );
}
await raw.disconnect();
await producer.disconnect();
alertmanager?.kill('SIGTERM');
webhook.close();
await hub.stop();
await env.close();
process.exit(0);
