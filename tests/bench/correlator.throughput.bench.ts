/**
 * pnpm bench:correlator:throughput — the correlator through Kafka, against a bare kafkajs consumer
 * of the same topics in the same run:
 *
 * 1. EVENTS everyday events (100 districts' worth, load.generator.ts) are put on the six events
 *    topics of a fresh namespace;
 * 2. the floor: a bare kafkajs consumer (a group of its own) reads them all — events/s from its
 *    first batch to the last record;
 * 3. the correlator (its own process, the default Nanhai rules, a group of its own) takes them all:
 *    events/s from its first input to the last (its /metrics), and the ratio to the floor;
 * 4. recovery: RECOVERY_EVENTS more are produced, the correlator is SIGKILLed half-way through
 *    them and started again once they are all on the topics: from the restart until it is caught
 *    up (the router's offsets at the events topics' ends, the engine at the sequence's end with
 *    its warnings produced).
 *
 * RUNS (default 3) namespaces, one after the other; medians printed. Environment: EVENTS (200,000),
 * RECOVERY_EVENTS (50,000), RUNS (3), SHARDS (1: the correlator's CORRELATOR_SHARDS; each shard
 * takes every event, behind the fan-out's extra hop), INSTANCES (1: correlator processes in the
 * group; the first is the one SIGKILLed), TRACE (print each stage's progress every second).
 */
import {
  DEPARTMENT_CODES,
  eventsTopic,
  namespacedTopic,
  TOPIC_SPECS,
  type NormalizedEvent,
} from '@liandong/contracts';
import { ensureTopics } from '@liandong/kafka';
import type { Admin, Kafka } from 'kafkajs';
import { backgroundStream } from './load.generator.ts';
import {
  benchEnvironment,
  CORRELATOR_SEQUENCE_TOPIC,
  CORRELATOR_SHARDS_TOPIC,
  fmt,
  median,
  startService,
} from './support.ts';

const EVENTS = Number(process.env['EVENTS'] ?? 200_000);
const RECOVERY_EVENTS = Number(process.env['RECOVERY_EVENTS'] ?? 50_000);
const RUNS = Number(process.env['RUNS'] ?? 3);
const SHARDS = Number(process.env['SHARDS'] ?? 1);
const INSTANCES = Number(process.env['INSTANCES'] ?? 1);
const PORT = 18195;
const ports = Array.from({ length: INSTANCES }, (_, i) => PORT + i);
const DAY_START = Date.parse('2026-06-01T00:00:00+08:00');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `count` everyday events of 100 districts from `from`, in topic order, as JSON values. */
function everyday(count: number, seed: number, from: number): NormalizedEvent[] {
  const out: NormalizedEvent[] = [];
  for (const slice of backgroundStream(from, 1000, { seed, tiles: 100 }, 60)) {
    for (const event of slice) {
      out.push(event);
      if (out.length >= count) return out;
    }
  }
  return out;
}

async function produce(kafka: Kafka, prefix: string, events: readonly NormalizedEvent[]): Promise<void> {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  for (let i = 0; i < events.length; i += 5000) {
    const byTopic = new Map<string, { key: string; value: string }[]>();
    for (const e of events.slice(i, i + 5000)) {
      const topic = namespacedTopic(eventsTopic(e.department), prefix);
      let list = byTopic.get(topic);
      if (!list) byTopic.set(topic, (list = []));
      list.push({ key: e.id, value: JSON.stringify(e) });
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
  }
  await producer.disconnect();
}

/** The bare floor: a plain consumer reads `count` records of the six topics; records/s. */
async function rawRead(kafka: Kafka, prefix: string, count: number): Promise<number> {
  const consumer = kafka.consumer({ groupId: `${prefix}raw-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({
    topics: DEPARTMENT_CODES.map((d) => namespacedTopic(eventsTopic(d), prefix)),
    fromBeginning: true,
  });
  let first = 0;
  let read = 0;
  const done = new Promise<number>((resolve) => {
    void consumer.run({
      eachBatch: async ({ batch }) => {
        if (first === 0) first = performance.now();
        read += batch.messages.length;
        if (read >= count) resolve(performance.now());
      },
    });
  });
  const last = await done;
  await consumer.disconnect();
  return count / ((last - first) / 1000);
}

/** The correlators' metrics, one text. */
async function metricsText(): Promise<string> {
  const texts = await Promise.all(
    ports.map(async (port) => (await fetch(`http://127.0.0.1:${port}/metrics`)).text()),
  );
  return texts.join('\n');
}

async function metric(name: string): Promise<number> {
  const text = await metricsText();
  let sum = 0;
  for (const line of text.split('\n'))
    if (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) sum += Number(line.split(' ').pop());
  return sum;
}

/** Inputs the engine took that were events (correlated, late or a repeat copy), per shard. */
async function eventsTaken(): Promise<number> {
  const text = await metricsText();
  let sum = 0;
  for (const line of text.split('\n'))
    if (/^correlator_inputs_total\{outcome="(correlated|late|repeat)"\}/.test(line))
      sum += Number(line.split(' ').pop());
  return sum / SHARDS;
}

async function caughtUp(admin: Admin, prefix: string, group: string): Promise<boolean> {
  for (const d of DEPARTMENT_CODES) {
    const topic = namespacedTopic(eventsTopic(d), prefix);
    const [ends, committed] = await Promise.all([
      admin.fetchTopicOffsets(topic),
      admin.fetchOffsets({ groupId: `${prefix}${group}-router`, topics: [topic] }),
    ]);
    const done = new Map((committed[0]?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]));
    if (ends.some((e) => Number(e.offset) > (done.get(e.partition) ?? 0))) return false;
  }
  const input = SHARDS > 1 ? CORRELATOR_SHARDS_TOPIC : CORRELATOR_SEQUENCE_TOPIC;
  const ends = await admin.fetchTopicOffsets(namespacedTopic(input, prefix));
  const end = ends.reduce((sum, p) => sum + Number(p.offset), 0);
  return ends.length > 0 && (await metric('correlator_engine_position')) >= end;
}

const env = await benchEnvironment();
const admin = env.kafka.admin();
await admin.connect();
const common = {
  KAFKA_BROKERS: env.brokers,
  DATABASE_URL: env.databaseUrl,
  DATABASE_SCHEMA: env.schema,
  LOG_LEVEL: 'warn',
};
const rows: { raw: number; correlator: number; recoveryS: number; replayed: number }[] = [];
console.log(
  `Correlator throughput (${new Date().toISOString()}): ${fmt(EVENTS)} everyday events of 100 districts, then ${fmt(RECOVERY_EVENTS)} with a SIGKILL; ${RUNS} runs; ${SHARDS} shard${SHARDS > 1 ? 's' : ''}, ${INSTANCES} correlator process${INSTANCES > 1 ? 'es' : ''}`,
);
for (let run = 0; run < RUNS; run++) {
  const prefix = `${env.prefix}r${run}.`;
  await ensureTopics(
    env.kafka,
    TOPIC_SPECS.map((s) => ({ ...s, name: namespacedTopic(s.name, prefix) })),
  );
  const events = everyday(EVENTS + RECOVERY_EVENTS, 31 + run, DAY_START);
  await produce(env.kafka, prefix, events.slice(0, EVENTS));
  const raw = await rawRead(env.kafka, prefix, EVENTS);

  const group = `throughput-${run}`;
  const serviceEnv = {
    ...common,
    KAFKA_TOPIC_PREFIX: prefix,
    CORRELATOR_GROUP: group,
    CORRELATOR_SHARDS: String(SHARDS),
  };
  const correlators = await Promise.all(
    ports.map((port) => startService('services/correlator', serviceEnv, port)),
  );
  let first = 0;
  let traced = 0;
  for (;;) {
    if (process.env['TRACE'] && performance.now() - traced >= 1000) {
      traced = performance.now();
      const ends = async (name: string) =>
        (await admin.fetchTopicOffsets(namespacedTopic(name, prefix))).map((p) => p.offset).join('+');
      console.log(
        `    routed ${await metric('correlator_events_routed_total')}, sequence ${await ends(CORRELATOR_SEQUENCE_TOPIC)}, shards ${SHARDS > 1 ? await ends(CORRELATOR_SHARDS_TOPIC) : '-'}, engine ${await metric('correlator_engine_position')}`,
      );
    }
    const taken = await eventsTaken();
    if (taken > 0 && first === 0) first = performance.now();
    if (taken >= EVENTS) break;
    await sleep(50);
  }
  const rate = EVENTS / ((performance.now() - first) / 1000);
  while (!(await caughtUp(admin, prefix, group))) await sleep(100);

  // Recovery: killed half-way through the next events, started again once they are all there.
  const more = produce(env.kafka, prefix, events.slice(EVENTS));
  await sleep(1000);
  const killed = correlators[0] as (typeof correlators)[number];
  killed.child.kill('SIGKILL');
  await new Promise((r) => killed.child.once('exit', r));
  await more;
  const restarted = performance.now();
  correlators[0] = await startService('services/correlator', serviceEnv, PORT);
  while (!(await caughtUp(admin, prefix, group))) await sleep(50);
  const recoveryS = (performance.now() - restarted) / 1000;
  const replayed = await eventsTaken();
  await Promise.all(correlators.map((c) => c.stop()));
  rows.push({ raw, correlator: rate, recoveryS, replayed });
  console.log(
    `  run ${run + 1}: raw ${fmt(raw)} events/s, correlator ${fmt(rate)} events/s (${fmt((rate / raw) * 100, 1)} %), recovery ${fmt(recoveryS, 1)} s (${fmt(replayed)} events taken after the restart)`,
  );
}

const m = (f: (r: (typeof rows)[number]) => number) => median(rows.map(f));
console.log(`
| what | events/s or s (median of ${RUNS}) | target |
| --- | --- | --- |
| bare kafkajs consumer of the six events topics (floor) | ${fmt(m((r) => r.raw))} events/s | — |
| correlator through Kafka (router → sequence → ${SHARDS > 1 ? `fan-out → ${SHARDS} shards` : 'engine'}, default rules) | ${fmt(m((r) => r.correlator))} events/s | ≥ 20,000 |
| ratio correlator / floor | ${fmt(
  m((r) => (r.correlator / r.raw) * 100),
  1,
)} % | ≥ 50 % |
| recovery after SIGKILL: restart → caught up (${fmt(RECOVERY_EVENTS)} events arriving, killed after 1 s) | ${fmt(
  m((r) => r.recoveryS),
  1,
)} s | — |
`);
await admin.disconnect();
await env.close();
process.exit(0);
