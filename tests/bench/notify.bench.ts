/**
 * pnpm bench:notify — the hub (its own process) turning warnings into signed webhooks:
 * time from a warning produced to warnings.v1 until a local webhook receiver has the POST
 * (signature checked), p50/p99, at RATE warnings/s (default 100) for SECONDS (default 20) after
 * a warm-up; beside it, in the same run, a raw kafkajs consumer of the same topic in this process
 * (the floor: produce → consume), and the ratio.
 *
 * Environment: RATE (warnings/s, 100), SECONDS (20), WARMUP_SECONDS (3), NOTIFY_CONCURRENCY (4).
 */
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { namespacedTopic, TOPICS, type NotificationMessage, type Warning } from '@liandong/contracts';
import { benchEnvironment, fmt, percentile, startService } from './support.ts';

const RATE = Number(process.env['RATE'] ?? 100);
const SECONDS = Number(process.env['SECONDS'] ?? 20);
const WARMUP = Number(process.env['WARMUP_SECONDS'] ?? 3);
const PORT = 18082;
const SECRET = `whsec_${Buffer.from('liandong bench secret, 32 bytes!').toString('base64')}`;
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
    departments: ['water'],
    evidence: [randomUUID()],
    raisedAt: at,
    updatedAt: at,
    firstEvidenceAt: at,
    lastEvidenceAt: at,
    title: { zh: '桂城街道：暴雨内涝风险', en: 'Guicheng: rainstorm waterlogging risk' },
    summary: { zh: '河道水位超警戒。', en: 'River over its warning level.' },
    area: {
      type: 'Polygon',
      coordinates: [
        [
          [113.14, 23.03],
          [113.16, 23.03],
          [113.16, 23.04],
          [113.14, 23.03],
        ],
      ],
    },
    centroid: { type: 'Point', coordinates: [113.152, 23.036] },
    thresholds: [{ name: 'events', value: 4, threshold: 3 }],
  };
}

// --- a local receiver that checks each signature ------------------------------------------------
const key = Buffer.from(SECRET.slice(6), 'base64');
const received = new Map<string, number>();
let badSignatures = 0;
let duplicates = 0;
const receiver = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (c: Buffer) => chunks.push(c));
  request.on('end', () => {
    const now = Date.now();
    const body = Buffer.concat(chunks).toString('utf8');
    const id = String(request.headers['webhook-id']);
    const ts = String(request.headers['webhook-timestamp']);
    const expected = `v1,${createHmac('sha256', key).update(`${id}.${ts}.${body}`).digest('base64')}`;
    if (request.headers['webhook-signature'] !== expected) badSignatures++;
    const m = JSON.parse(body) as NotificationMessage;
    if (received.has(m.warning.id)) duplicates++;
    else received.set(m.warning.id, now);
    response.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  });
});
await new Promise<void>((resolve) => {
  receiver.listen(0, '127.0.0.1', () => resolve());
});
const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

// --- the hub, with one webhook channel for the water unit --------------------------------------
const env = await benchEnvironment();
await env.pool.query(
  `INSERT INTO notification_channels (kind, recipient, levels, target, secret, created_by)
   VALUES ('webhook', 'unit:water', '{blue,yellow,orange,red}', $1, $2, 'bench')`,
  [{ url: receiverUrl }, SECRET],
);
const hub = await startService(
  'services/hub',
  {
    KAFKA_BROKERS: env.brokers,
    DATABASE_URL: env.databaseUrl,
    DATABASE_SCHEMA: env.schema,
    KAFKA_TOPIC_PREFIX: env.prefix,
    HUB_GROUP_PREFIX: 'bench-notify',
    LIANDONG_DATA_DIR: mkdtempSync(join(tmpdir(), 'notify-bench-')),
    ...(process.env['NOTIFY_CONCURRENCY'] ? { NOTIFY_CONCURRENCY: process.env['NOTIFY_CONCURRENCY'] } : {}),
  },
  PORT,
);

const topic = namespacedTopic(TOPICS.warnings, env.prefix);
const producer = env.kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();
const rawReceived = new Map<string, number>();
const raw = env.kafka.consumer({ groupId: `bench-notify-raw-${Date.now()}` });
await raw.connect();
await raw.subscribe({ topic, fromBeginning: false });
await raw.run({
  eachMessage: async ({ message }) => {
    const k = message.key?.toString();
    if (k && !rawReceived.has(k)) rawReceived.set(k, Date.now());
  },
});
await sleep(3000); // the consumer group settles

/** Open loop: one warning every 1000/RATE ms, not waiting for the previous one. */
async function run(label: string, seconds: number): Promise<Map<string, number>> {
  const sent = new Map<string, number>();
  const total = Math.round(RATE * seconds);
  const start = performance.now();
  const sends: Promise<unknown>[] = [];
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    const w = warning(`${label}-${i}-${randomUUID()}`);
    sent.set(w.id, Date.now());
    sends.push(producer.send({ topic, acks: -1, messages: [{ key: w.id, value: JSON.stringify(w) }] }));
  }
  await Promise.all(sends);
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline && [...sent.keys()].some((id) => !received.has(id) || !rawReceived.has(id)))
    await sleep(200);
  return sent;
}

await run('warmup', WARMUP);
const sent = await run('bench', SECONDS);
const latencies = (arrived: Map<string, number>) =>
  [...sent].flatMap(([id, t]) => (arrived.has(id) ? [(arrived.get(id) as number) - t] : []));
const hubMs = latencies(received);
// Where the time goes: the outbox row commits with the lifecycle change (created_at), then the
// dispatcher sends it (delivered_at).
const { rows: outboxRows } = await env.pool.query<{
  warning_id: string;
  created_at: Date;
  delivered_at: Date | null;
}>(
  `SELECT warning_id, created_at, delivered_at FROM notification_outbox WHERE warning_id = ANY($1::text[])`,
  [[...sent.keys()]],
);
const committedMs = latencies(new Map(outboxRows.map((r) => [r.warning_id, r.created_at.getTime()])));
const dispatchMs = outboxRows.flatMap((r) =>
  r.delivered_at ? [r.delivered_at.getTime() - r.created_at.getTime()] : [],
);
const rawMs = latencies(rawReceived);
const p = (v: number[], q: number) => (v.length ? percentile(v, q) : NaN);

const row = (what: string, v: number[]) =>
  `| ${what} | ${fmt(v.length)} / ${fmt(sent.size)} | ${fmt(p(v, 50))} ms | ${fmt(p(v, 99))} ms | ${fmt(Math.max(...v))} ms |`;
console.log(`
notify bench: ${RATE} warnings/s for ${SECONDS} s (after ${WARMUP} s warm-up), one webhook channel, hub in its own process
| path | arrived | p50 | p99 | max |
| --- | --- | --- | --- | --- |
${row('warning on warnings.v1 → signed webhook received (hub: consume, lifecycle + outbox commit, dispatch, POST)', hubMs)}
${row('… of which: warning on warnings.v1 → outbox row committed with the lifecycle change', committedMs)}
${row('… of which: outbox row committed → delivered (dispatcher claim, POST, record, audit)', dispatchMs)}
${row('warning on warnings.v1 → raw kafkajs consumer, same process (floor)', rawMs)}
| ratio hub / raw | | ${fmt(p(hubMs, 50) / p(rawMs, 50), 1)}× | ${fmt(p(hubMs, 99) / p(rawMs, 99), 1)}× | |
bad signatures: ${badSignatures}, duplicate deliveries: ${duplicates}
`);

await raw.disconnect();
await producer.disconnect();
await hub.stop();
receiver.close();
await env.close();
process.exit(hubMs.length === sent.size && badSignatures === 0 && duplicates === 0 ? 0 : 1);
