/**
 * pnpm bench:correlator — the correlator alone (its own process): a river reading over its
 * warning level produced to events.water.v1 → the warning it raises consumed from warnings.v1 by
 * a plain kafkajs consumer of this process, p50/p99/max, under BACKGROUND events/s on the six
 * events topics (which the correlator copies and correlates as well). Split by Kafka timestamps
 * into the correlator's two hops: the router (event → its copy on the sequence topic) and the
 * engine (copy → warning). Beside it, in the same run and process, the floor: one message
 * produced → consumed by raw kafkajs, and the ratio of the two.
 *
 * The correlator runs the bench rule set of support.ts (benchRules: every reading over the warning
 * level opens a new warning) with its default snapshot interval.
 *
 * Environment: SAMPLES (default 200), RATE (readings/s, default 5), BACKGROUND (events/s, 1000).
 */
import { randomUUID } from 'node:crypto';
import {
  eventsTopic,
  namespacedTopic,
  TOPICS,
  type NormalizedEvent,
  type Warning,
} from '@liandong/contracts';
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
const CORRELATOR_PORT = 18183;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A reading of the Foshan waterway at Guicheng over its warning level (2.6 m), as ingest-water normalizes it. */
function reading(tag: string): NormalizedEvent {
  const at = new Date().toISOString();
  const id = randomUUID();
  return {
    id,
    department: 'water',
    source: { system: 'bench', format: 'sensorthings-1.1', id: `19:bench-${tag}-${id}` },
    kind: 'observation',
    category: 'natural_disaster',
    type: 'water.river_level',
    severity: 'Minor',
    status: 'Exercise',
    msgType: 'Alert',
    references: [],
    occurredAt: at,
    receivedAt: at,
    location: { type: 'Point', coordinates: [113.1466, 23.0392] },
    adminCode: '440605',
    place: { id: '19', name: '佛山水道桂城水位站', kind: 'station' },
    texts: [],
    measurements: [{ name: 'water_level', value: 2.7, unit: 'm', thresholds: { warning: 2.6 } }],
    attributes: { river: 'foshan-waterway' },
    geocodes: [],
    raw: { contentType: 'application/json', body: '{"bench":true}' },
  };
}

// --- set-up ---------------------------------------------------------------------------------
const env = await benchEnvironment();
const topic = (name: string) => namespacedTopic(name, env.prefix);
const correlator = await startService(
  'services/correlator',
  {
    KAFKA_BROKERS: env.brokers,
    DATABASE_URL: env.databaseUrl,
    DATABASE_SCHEMA: env.schema,
    KAFKA_TOPIC_PREFIX: env.prefix,
    CORRELATOR_RULES_DIR: benchRules(),
    CORRELATOR_GROUP: `bench-correlator-${Date.now()}`,
  },
  CORRELATOR_PORT,
);
const producer = env.kafka.producer({ allowAutoTopicCreation: false });
await producer.connect();

// Raw floor: one message produced → a plain kafkajs consumer, on a topic of this namespace that
// no service reads (env.close deletes it with the rest of the namespace).
const rawTopic = topic('bench.raw');
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

// The measure: warnings as a consumer of warnings.v1 alone receives them (as raw's consumer, so
// that both floors are alike). The split: the Kafka timestamps of the reading, of its copy on the
// sequence topic and of its warning, read by a second consumer (which may lag: they are stamps).
const waterTopic = topic(eventsTopic('water'));
const sequenceTopic = topic(CORRELATOR_SEQUENCE_TOPIC);
const warningsTopic = topic(TOPICS.warnings);
const evidenceOf = (value: Buffer | null): string[] => {
  const w = JSON.parse(value?.toString() ?? '{}') as Partial<Warning>;
  return w.ruleId === BENCH_RULE ? (w.evidence ?? []) : [];
};
const received = new Map<string, number>();
const warnings = env.kafka.consumer({ groupId: `bench-warnings-${Date.now()}` });
await warnings.connect();
await warnings.subscribe({ topic: warningsTopic, fromBeginning: false });
await warnings.run({
  eachMessage: async ({ message }) => {
    const now = Date.now();
    for (const id of evidenceOf(message.value)) if (!received.has(id)) received.set(id, now);
  },
});
const eventProduced = new Map<string, number>();
const sequenceProduced = new Map<string, number>();
const warningProduced = new Map<string, number>();
const stages = env.kafka.consumer({ groupId: `bench-stages-${Date.now()}` });
await stages.connect();
await stages.subscribe({ topics: [waterTopic, sequenceTopic, warningsTopic], fromBeginning: false });
await stages.run({
  eachMessage: async ({ topic: from, message }) => {
    const at = Number(message.timestamp);
    if (from === warningsTopic) {
      for (const id of evidenceOf(message.value)) if (!warningProduced.has(id)) warningProduced.set(id, at);
      return;
    }
    const key = message.key?.toString();
    const seen = from === sequenceTopic ? sequenceProduced : eventProduced;
    if (key && !seen.has(key)) seen.set(key, at);
  },
});

const background = startBackground(producer, env.prefix, BACKGROUND);

async function send(tag: string): Promise<{ id: string; sentAt: number }> {
  const e = reading(tag);
  const sentAt = Date.now();
  await producer.send({ topic: waterTopic, acks: -1, messages: [{ key: e.id, value: JSON.stringify(e) }] });
  return { id: e.id, sentAt };
}

// Warm-up with background running: the first reading must come through before timing starts.
const warm = await send('warm');
for (let waited = 0; !received.has(warm.id) && waited < 30_000; waited += 200) await sleep(200);
if (!received.has(warm.id))
  throw new Error('the warm-up reading raised no warning within 30 s: the correlator is not wired');
await sleep(2000);

// --- measurement ------------------------------------------------------------------------------
const sent = new Map<string, number>();
const rawSent = new Map<string, number>();
const backgroundStart = background.sent();
const phaseStart = Date.now();
for (let i = 0; i < SAMPLES; i++) {
  const { id, sentAt } = await send(String(i));
  sent.set(id, sentAt);
  const rawKey = `raw-${i}-${randomUUID()}`;
  rawSent.set(rawKey, Date.now());
  await producer.send({ topic: rawTopic, acks: -1, messages: [{ key: rawKey, value: '{}' }] });
  await sleep(1000 / RATE);
}
for (let waited = 0; waited < 10_000; waited += 200) {
  if ([...sent.keys()].every((id) => received.has(id))) break;
  await sleep(200);
}
const backgroundRate = ((background.sent() - backgroundStart) / (Date.now() - phaseStart)) * 1000;
await background.stop();

const latencies = (to: Map<string, number>, from: Map<string, number>) =>
  [...from].flatMap(([id, t]) => (to.has(id) ? [(to.get(id) as number) - t] : []));
const between = (to: Map<string, number>, from: Map<string, number>) =>
  summary(
    [...sent.keys()].flatMap((id) =>
      to.has(id) && from.has(id) ? [(to.get(id) as number) - (from.get(id) as number)] : [],
    ),
  );
const whole = summary(latencies(received, sent));
const floor = summary(latencies(rawReceived, rawSent));
const router = between(sequenceProduced, eventProduced);
const engine = between(warningProduced, sequenceProduced);
const snapshots = histogramTotals(
  await (await fetch(`http://127.0.0.1:${CORRELATOR_PORT}/metrics`)).text(),
  'correlator_snapshot_duration_seconds',
);

// --- report ------------------------------------------------------------------------------------
const row = (what: string, s: LatencySummary, note = '') =>
  `| ${what} | ${s.n} | ${fmt(s.p50)} ms | ${fmt(s.p99)} ms | ${fmt(s.max)} ms | ${note} |`;
console.log(`
Correlator benchmark (${new Date().toISOString()}), background ${fmt(backgroundRate)} events/s, ${RATE} readings/s

| what | n | p50 | p99 | max | note |
| --- | --- | --- | --- | --- | --- |
${row('reading produced to events.water.v1 → its warning consumed from warnings.v1', whole, `${sent.size - whole.n} without a warning`)}
${row('  router: reading produced → its copy produced to the sequence topic', router, 'Kafka message timestamps')}
${row('  engine: copy produced → warning produced', engine, 'Kafka message timestamps')}
${row('raw kafkajs: produce one message → consume it (floor)', floor, 'same broker, same run, same process')}
| ratio correlator / raw | | ${fmt(whole.p50 / floor.p50, 1)}× | ${fmt(whole.p99 / floor.p99, 1)}× | | |

correlator snapshots: ${snapshots ? `${snapshots.count}, ${fmt((snapshots.sum / Math.max(1, snapshots.count)) * 1000)} ms each on average` : 'no metric'}
`);

await raw.disconnect();
await warnings.disconnect();
await stages.disconnect();
await producer.disconnect();
await correlator.stop();
await env.close();
process.exit(whole.n > 0 ? 0 : 1);
