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
import { SOCKET_EVENTS, type LivePush } from '@liandong/contracts';
import { createKeyRepository } from '@liandong/keys';
import { createUserRepository } from '@liandong/users';
import {
  BENCH_RULE,
  benchEnvironment,
  benchRules,
  between,
  fmt,
  startBackground,
  startRawFloor,
  startService,
  tableRow,
  watchCorrelator,
  watchCorrelatorStages,
  sessionCookie,
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
const cookie = await sessionCookie(hubUrl, 'operator', PASSWORD);

function connect(): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = io(hubUrl, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: false });
    socket.once(SOCKET_EVENTS.hello, () => resolve(socket));
    socket.once('connect_error', reject);
  });
}

const producer = env.kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();

const floorProbe = await startRawFloor(env, producer);
const stages = await watchCorrelatorStages(env);

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
let refused = 0;
const backgroundStart = background.sent();
const phaseStart = Date.now();
const watched = await watchCorrelator(CORRELATOR_PORT);
const inFlight: Promise<void>[] = [];
for (let i = 0; i < SAMPLES; i++) {
  inFlight.push(
    post(String(i)).then((r) => {
      if (r.ok && r.eventId) posted.set(r.eventId, r.sentAt);
      else refused += 1;
    }),
  );
  await floorProbe.send();
  await sleep(1000 / RATE);
}
await Promise.all(inFlight);
for (let waited = 0; waited < 10_000; waited += 200) {
  if ([...posted.keys()].every((id) => socketReceived.has(id))) break;
  await sleep(200);
}
const backgroundRate = ((background.sent() - backgroundStart) / (Date.now() - phaseStart)) * 1000;
await background.stop();

const pipe = between(posted.keys(), socketReceived, posted);
const floor = floorProbe.summary();
const missing = posted.size - pipe.n;
const stage = (to: Map<string, number>, from: Map<string, number>) => between(posted.keys(), to, from);
const ingestStage = stage(stages.event, posted);
const toWarning = stage(stages.warning, posted);
const correlatorStage = stage(stages.warning, stages.event);
const routerStage = stage(stages.sequence, stages.event);
const engineStage = stage(stages.warning, stages.sequence);
const hubStage = stage(socketReceived, stages.warning);
const correlatorFigures = await watched.report();

// --- report ------------------------------------------------------------------------------------
const row = tableRow;
console.log(`
Pipeline benchmark (${new Date().toISOString()}), background ${fmt(backgroundRate)} events/s, ${RATE} POSTs/s

| what | n | p50 | p99 | max | note |
| --- | --- | --- | --- | --- | --- |
${row('POST ingest-water → correlator → hub → Socket.IO push', pipe, `${missing} never pushed, ${refused} POSTs refused; target p50 ≤ 150, p99 ≤ 500`)}
${row('POST sent → its warning produced on warnings.v1', toWarning, 'Kafka message timestamp; target p99 ≤ 200 (issue 10)')}
${row('  of which: POST sent → event produced (ingest-water)', ingestStage, 'Kafka message timestamp')}
${row('  of which: event produced → warning produced (correlator)', correlatorStage, 'Kafka message timestamps')}
${row('    router: event produced → its copy produced to the sequence topic', routerStage, 'Kafka message timestamps')}
${row('    engine: copy produced → warning produced', engineStage, 'Kafka message timestamps')}
${row('  of which: warning produced → push received (hub)', hubStage, 'Kafka message timestamp')}
${row('raw kafkajs: produce one message → consume it (floor)', floor, 'same broker, same run')}
| ratio pipeline / raw | | ${fmt(pipe.p50 / floor.p50, 1)}× | ${fmt(pipe.p99 / floor.p99, 1)}× | | |

${correlatorFigures}
`);

client.disconnect();
await floorProbe.stop();
await stages.stop();
await producer.disconnect();
await hub.stop();
await correlator.stop();
await water.stop();
await env.close();
process.exit(pipe.n > 0 ? 0 : 1);
