/**
 * pnpm bench:pipeline — the whole path, each service its own process: an Observation POSTed to
 * ingest-water → events.water.v1 → the correlator (a threshold warning) → warnings.v1 → the hub →
 * a Socket.IO client. p50/p99/max from the POST sent to the push received for the warning it
 * raised, under BACKGROUND events/s produced directly to the events topics (which the correlator
 * reads as well); beside it, in the same run, the raw floor: one kafkajs message produced →
 * consumed by a plain consumer in this process.
 *
 * The correlator runs a bench rule set (CORRELATOR_RULES_DIR): the Nanhai geography and one copy
 * of river-over-level with `groupBy: event`, so that every reading over the warning level opens a
 * NEW warning (the Nanhai rule groups by place: one warning per gauge for 180 quiet minutes).
 *
 * Environment: SAMPLES (default 200), RATE (POSTs/s, default 5), BACKGROUND (events/s, 1000).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
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
import { createKeyRepository } from '@liandong/keys';
import { createUserRepository } from '@liandong/users';
import {
  BENCH_RULE,
  benchEnvironment,
  benchRules,
  CORRELATOR_SEQUENCE_TOPIC,
  fmt,
  histogramTotals,
  latencySummary as summary,
  startBackground,
  startService,
  type LatencySummary,
} from './support.ts';

const SAMPLES = Number(process.env['SAMPLES'] ?? 200);
const RATE = Number(process.env['RATE'] ?? 5);
const BACKGROUND = Number(process.env['BACKGROUND'] ?? 1000);
const HUB_PORT = 18180;
const WATER_PORT = 18181;
const CORRELATOR_PORT = 18182;
const PASSWORD = 'bench password 2026';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- set-up ---------------------------------------------------------------------------------
const rulesDir = benchRules();
const env = await benchEnvironment();
const users = createUserRepository(env.pool);
await users.create(
  { username: 'operator', role: 'operator', password: PASSWORD },
  { username: 'bench', role: 'admin' },
);
const { key } = await createKeyRepository(env.pool).create('water', 'bench');
const common = {
  KAFKA_BROKERS: env.brokers,
  DATABASE_URL: env.databaseUrl,
  DATABASE_SCHEMA: env.schema,
  KAFKA_TOPIC_PREFIX: env.prefix,
};
const water = await startService(
  'services/ingest-water',
  { ...common, RATE_LIMIT_PER_MINUTE: '10000000' },
  WATER_PORT,
);
const correlator = await startService(
  'services/correlator',
  { ...common, CORRELATOR_RULES_DIR: rulesDir, CORRELATOR_GROUP: `bench-correlator-${Date.now()}` },
  CORRELATOR_PORT,
);
const hub = await startService(
  'services/hub',
  {
    ...common,
    HUB_GROUP_PREFIX: 'bench-hub',
    API_RATE_LIMIT_PER_MINUTE: '1000000',
    LIANDONG_DATA_DIR: mkdtempSync(join(tmpdir(), 'pipeline-bench-hub-')),
  },
  HUB_PORT,
);
const hubUrl = `http://127.0.0.1:${HUB_PORT}`;
const loginResponse = await fetch(`${hubUrl}/api/v1/auth/login`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ username: 'operator', password: PASSWORD }),
});
const cookie = loginResponse.headers
  .getSetCookie()
  .map((c) => c.split(';')[0])
  .join('; ');

function connect(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(hubUrl, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
    socket.once(SOCKET_EVENTS.hello, () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const producer = env.kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();

// Raw floor: one message produced → a plain kafkajs consumer, on a topic of this namespace that
// no service reads (env.close deletes it with the rest of the namespace).
const rawTopic = `${env.prefix}bench.raw`;
const admin = env.kafka.admin();
await admin.connect();
await admin.createTopics({ topics: [{ topic: rawTopic, numPartitions: 1 }], waitForLeaders: true });
await admin.disconnect();
const rawReceived = new Map<string, number>();
const raw = env.kafka.consumer({ groupId: `bench-raw-${Date.now()}` });
await raw.connect();
await raw.subscribe({ topic: rawTopic, fromBeginning: false });
await raw.run({
  eachMessage: async ({ message }) => {
    const key = message.key?.toString();
    if (key) rawReceived.set(key, Date.now());
  },
});

// Stages: the produce times (message timestamps) of the event the ingest service wrote, of the
// correlator's copy of it on its sequence topic (key: the event id) and of the warning the
// correlator wrote, read by a consumer of this process: where the time goes.
const eventProduced = new Map<string, number>();
const sequenceProduced = new Map<string, number>();
const warningProduced = new Map<string, number>();
const sequenceTopic = namespacedTopic(CORRELATOR_SEQUENCE_TOPIC, env.prefix);
const stages = env.kafka.consumer({ groupId: `bench-stages-${Date.now()}` });
await stages.connect();
await stages.subscribe({
  topics: [
    namespacedTopic(eventsTopic('water'), env.prefix),
    sequenceTopic,
    namespacedTopic(TOPICS.warnings, env.prefix),
  ],
  fromBeginning: false,
});
await stages.run({
  eachMessage: async ({ topic, message }) => {
    const at = Number(message.timestamp);
    if (topic.endsWith(eventsTopic('water')) || topic === sequenceTopic) {
      const key = message.key?.toString();
      const seen = topic === sequenceTopic ? sequenceProduced : eventProduced;
      if (key && !seen.has(key)) seen.set(key, at);
      return;
    }
    const w = JSON.parse(message.value?.toString() ?? '{}') as Partial<Warning>;
    if (w.ruleId !== BENCH_RULE) return;
    for (const id of w.evidence ?? []) if (!warningProduced.has(id)) warningProduced.set(id, at);
  },
});

const background = startBackground(producer, env.prefix, BACKGROUND);

const client = await connect();
/** Event id (evidence) → when the push of a warning of the bench rule naming it arrived. */
const socketReceived = new Map<string, number>();
client.on(SOCKET_EVENTS.push, (push: LivePush) => {
  if (push.type !== 'warning' || push.data.ruleId !== BENCH_RULE) return;
  const now = Date.now();
  for (const id of push.data.evidence) if (!socketReceived.has(id)) socketReceived.set(id, now);
});

/** One reading at the Foshan waterway gauge (Datastream 19, warning level 2.6 m), over it. */
async function post(tag: string): Promise<{ sentAt: number; eventId: string | undefined; ok: boolean }> {
  const body = JSON.stringify({
    '@iot.id': `bench-${tag}-${randomUUID()}`,
    phenomenonTime: new Date().toISOString(),
    result: 2.7,
  });
  const sentAt = Date.now();
  const response = await fetch(`http://127.0.0.1:${WATER_PORT}/v1/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, 'x-datastream-id': '19' },
    body,
  });
  const reply = (await response.json()) as { results?: { eventId?: string }[] };
  return { sentAt, eventId: reply.results?.[0]?.eventId, ok: response.status === 202 };
}

// Warm-up with background running: the first reading must come through before timing starts.
const warm = await post('warm');
for (let waited = 0; warm.eventId && !socketReceived.has(warm.eventId) && waited < 30_000; waited += 200)
  await sleep(200);
if (!warm.ok || !warm.eventId || !socketReceived.has(warm.eventId))
  throw new Error(
    'the warm-up reading raised no warning at the socket within 30 s: the pipeline is not wired',
  );
await sleep(2000);

// --- measurement ------------------------------------------------------------------------------
const posted = new Map<string, number>();
const rawSent = new Map<string, number>();
let refused = 0;
const backgroundStart = background.sent();
const phaseStart = Date.now();
const inFlight: Promise<void>[] = [];
for (let i = 0; i < SAMPLES; i++) {
  inFlight.push(
    post(String(i)).then((r) => {
      if (r.ok && r.eventId) posted.set(r.eventId, r.sentAt);
      else refused += 1;
    }),
  );
  const rawKey = `raw-${i}-${randomUUID()}`;
  rawSent.set(rawKey, Date.now());
  await producer.send({ topic: rawTopic, acks: -1, messages: [{ key: rawKey, value: '{}' }] });
  await sleep(1000 / RATE);
}
await Promise.all(inFlight);
for (let waited = 0; waited < 10_000; waited += 200) {
  if ([...posted.keys()].every((id) => socketReceived.has(id))) break;
  await sleep(200);
}
const backgroundRate = ((background.sent() - backgroundStart) / (Date.now() - phaseStart)) * 1000;
await background.stop();

const latencies = (received: Map<string, number>, from: Map<string, number>) =>
  [...from].flatMap(([id, t]) => (received.has(id) ? [(received.get(id) as number) - t] : []));
const pipe = summary(latencies(socketReceived, posted));
const floor = summary(latencies(rawReceived, rawSent));
const missing = posted.size - pipe.n;
const between = (to: Map<string, number>, from: Map<string, number>) =>
  summary(
    [...posted.keys()].flatMap((id) =>
      to.has(id) && from.has(id) ? [(to.get(id) as number) - (from.get(id) as number)] : [],
    ),
  );
const ingestStage = between(eventProduced, posted);
const correlatorStage = between(warningProduced, eventProduced);
const routerStage = between(sequenceProduced, eventProduced);
const engineStage = between(warningProduced, sequenceProduced);
const snapshots = histogramTotals(
  await (await fetch(`http://127.0.0.1:${CORRELATOR_PORT}/metrics`)).text(),
  'correlator_snapshot_duration_seconds',
);
const hubStage = between(socketReceived, warningProduced);

// --- report ------------------------------------------------------------------------------------
const row = (what: string, s: LatencySummary, note = '') =>
  `| ${what} | ${s.n} | ${fmt(s.p50)} ms | ${fmt(s.p99)} ms | ${fmt(s.max)} ms | ${note} |`;
console.log(`
Pipeline benchmark (${new Date().toISOString()}), background ${fmt(backgroundRate)} events/s, ${RATE} POSTs/s

| what | n | p50 | p99 | max | note |
| --- | --- | --- | --- | --- | --- |
${row('POST ingest-water → correlator → hub → Socket.IO push', pipe, `${missing} never pushed, ${refused} POSTs refused; target p50 ≤ 150, p99 ≤ 500`)}
${row('  of which: POST sent → event produced (ingest-water)', ingestStage, 'Kafka message timestamp')}
${row('  of which: event produced → warning produced (correlator)', correlatorStage, 'Kafka message timestamps')}
${row('    router: event produced → its copy produced to the sequence topic', routerStage, 'Kafka message timestamps')}
${row('    engine: copy produced → warning produced', engineStage, 'Kafka message timestamps')}
${row('  of which: warning produced → push received (hub)', hubStage, 'Kafka message timestamp')}
${row('raw kafkajs: produce one message → consume it (floor)', floor, 'same broker, same run')}
| ratio pipeline / raw | | ${fmt(pipe.p50 / floor.p50, 1)}× | ${fmt(pipe.p99 / floor.p99, 1)}× | | |

correlator snapshots: ${snapshots ? `${snapshots.count}, ${fmt((snapshots.sum / Math.max(1, snapshots.count)) * 1000)} ms each on average` : 'no metric'}
`);

client.disconnect();
await raw.disconnect();
await stages.disconnect();
await producer.disconnect();
await hub.stop();
await correlator.stop();
await water.stop();
await env.close();
process.exit(pipe.n > 0 ? 0 : 1);
