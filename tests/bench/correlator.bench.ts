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
import { eventsTopic, namespacedTopic, TOPICS, type NormalizedEvent } from '@liandong/contracts';
import {
  benchEnvironment,
  benchEvidence,
  benchRules,
  between,
  fmt,
  startBackground,
  startRawFloor,
  startService,
  tableRow,
  watchCorrelator,
  watchCorrelatorStages,
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

const floorProbe = await startRawFloor(env, producer);
const stages = await watchCorrelatorStages(env);
// The measure: warnings as a consumer of warnings.v1 alone receives them (as the floor's consumer
// does its topic, so that both are alike).
const received = new Map<string, number>();
const warnings = env.kafka.consumer({ groupId: `bench-warnings-${Date.now()}` });
await warnings.connect();
await warnings.subscribe({ topic: topic(TOPICS.warnings), fromBeginning: false });
await warnings.run({
  eachMessage: async ({ message }) => {
    const now = Date.now();
    for (const id of benchEvidence(message.value)) if (!received.has(id)) received.set(id, now);
  },
});

const background = startBackground(producer, env.prefix, BACKGROUND);

async function send(tag: string): Promise<{ id: string; sentAt: number }> {
  const e = reading(tag);
  const sentAt = Date.now();
  await producer.send({
    topic: topic(eventsTopic('water')),
    acks: -1,
    messages: [{ key: e.id, value: JSON.stringify(e) }],
  });
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
const backgroundStart = background.sent();
const phaseStart = Date.now();
const watched = await watchCorrelator(CORRELATOR_PORT);
for (let i = 0; i < SAMPLES; i++) {
  const { id, sentAt } = await send(String(i));
  sent.set(id, sentAt);
  await floorProbe.send();
  await sleep(1000 / RATE);
}
for (let waited = 0; waited < 10_000; waited += 200) {
  if ([...sent.keys()].every((id) => received.has(id))) break;
  await sleep(200);
}
const backgroundRate = ((background.sent() - backgroundStart) / (Date.now() - phaseStart)) * 1000;
await background.stop();

const whole = between(sent.keys(), received, sent);
const floor = floorProbe.summary();
const router = between(sent.keys(), stages.sequence, stages.event);
const engine = between(sent.keys(), stages.warning, stages.sequence);
const correlatorFigures = await watched.report();

// --- report ------------------------------------------------------------------------------------
const row = tableRow;
console.log(`
Correlator benchmark (${new Date().toISOString()}), background ${fmt(backgroundRate)} events/s, ${RATE} readings/s

| what | n | p50 | p99 | max | note |
| --- | --- | --- | --- | --- | --- |
${row('reading produced to events.water.v1 → its warning consumed from warnings.v1', whole, `${sent.size - whole.n} without a warning`)}
${row('  router: reading produced → its copy produced to the sequence topic', router, 'Kafka message timestamps')}
${row('  engine: copy produced → warning produced', engine, 'Kafka message timestamps')}
${row('raw kafkajs: produce one message → consume it (floor)', floor, 'same broker, same run, same process')}
| ratio correlator / raw | | ${fmt(whole.p50 / floor.p50, 1)}× | ${fmt(whole.p99 / floor.p99, 1)}× | | |

${correlatorFigures}
`);

await floorProbe.stop();
await warnings.disconnect();
await stages.stop();
await producer.disconnect();
await correlator.stop();
await env.close();
process.exit(whole.n > 0 ? 0 : 1);
