/** Shared set-up of the benchmarks: a real broker and database, a fresh namespace, a service process. */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import {
  DEPARTMENT_CODES,
  eventsTopic,
  TOPIC_SPECS,
  namespacedTopic,
  TOPICS,
  type NormalizedEvent,
  type Warning,
} from '@liandong/contracts';
import { createPool, migrate, type Pool } from '@liandong/db';
import { ensureDatabase, REPO_ROOT, startKafka, stopKafka } from '@liandong/infra';
import { ensureTopics } from '@liandong/kafka';

export interface BenchEnvironment {
  brokers: string;
  databaseUrl: string;
  schema: string;
  prefix: string;
  pool: Pool;
  kafka: Kafka;
  close(): Promise<void>;
}

export async function benchEnvironment(): Promise<BenchEnvironment> {
  // A broker this benchmark started, it stops when it closes (one already running is left alone).
  const local = process.env['KAFKA_BROKERS'] ? undefined : await startKafka({ log: () => undefined });
  const brokers = process.env['KAFKA_BROKERS'] ?? (local as { brokers: string }).brokers;
  const databaseUrl = process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/liandong_bench';
  await ensureDatabase(databaseUrl);
  const stamp = Date.now().toString(36);
  const schema = `bench_${stamp}`;
  const prefix = `bench${stamp}.`;
  const pool = createPool({ url: databaseUrl, schema, max: 4 });
  await migrate(pool, { schema });
  const kafka = new Kafka({ clientId: 'bench', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  await ensureTopics(
    kafka,
    TOPIC_SPECS.map((s) => ({ ...s, name: namespacedTopic(s.name, prefix) })),
  );
  return {
    brokers,
    databaseUrl,
    schema,
    prefix,
    pool,
    kafka,
    async close() {
      const admin = kafka.admin();
      await admin.connect();
      const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
      await admin.deleteTopics({ topics });
      await admin.disconnect();
      await pool.query(`DROP SCHEMA ${schema} CASCADE`);
      await pool.end();
      if (local?.started) await stopKafka({ log: () => undefined });
    },
  };
}

/** Starts a service's real entry point as its own process and waits for /healthz. */
export async function startService(
  dir: string,
  env: Record<string, string>,
  port: number,
  nodeArgs: string[] = [],
): Promise<{ child: ChildProcess; stop(): Promise<void> }> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', 'src/main.ts'], {
    cwd: join(REPO_ROOT, dir),
    env: { ...process.env, ...env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  // A benchmark that fails takes its services with it (else the next run finds their ports taken).
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (ready.ok) break;
    } catch {
      // starting
    }
    if (Date.now() > deadline || child.exitCode !== null) {
      child.kill('SIGKILL');
      throw new Error(`${dir} did not become ready`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        process.off('exit', orphaned);
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export interface LatencySummary {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function latencySummary(values: number[]): LatencySummary {
  return values.length
    ? { n: values.length, p50: percentile(values, 50), p99: percentile(values, 99), max: Math.max(...values) }
    : { n: 0, p50: NaN, p99: NaN, max: NaN };
}

export function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

/** Background load for the benchmarks: the i-th event of a department, of a type no shipped rule matches. */
export function backgroundEvent(i: number): NormalizedEvent {
  const department = DEPARTMENT_CODES[i % DEPARTMENT_CODES.length] ?? 'police';
  const now = new Date().toISOString();
  return {
    id: randomUUID(),
    department,
    source: { system: 'bench', format: 'police-json', id: `bench-${i}` },
    kind: 'incident',
    category: 'social_security',
    type: `${department}.bench`,
    severity: 'Moderate',
    status: 'Exercise',
    msgType: 'Alert',
    references: [],
    occurredAt: now,
    receivedAt: now,
    location: { type: 'Point', coordinates: [113.1 + (i % 1000) / 10_000, 23.0 + (i % 700) / 10_000] },
    texts: [],
    measurements: [],
    attributes: {},
    geocodes: [],
    raw: { contentType: 'application/json', body: '{"bench":true}' },
  };
}

/**
 * The correlator's sequence topic (services/correlator/src/adapters/sequence.topic.ts): the
 * benchmarks read its Kafka timestamps to split the correlator's time into its two hops, and import
 * nothing from the service itself.
 */
export const CORRELATOR_SEQUENCE_TOPIC = 'correlator.sequence.v1';
/** Its shards topic (CORRELATOR_SHARDS > 1). */
export const CORRELATOR_SHARDS_TOPIC = 'correlator.shards.v1';

/** The rule of benchRules(): one warning per river reading at or over its warning level. */
export const BENCH_RULE = 'bench-river-over-level';

/**
 * A rule folder for the correlator (CORRELATOR_RULES_DIR) under benchmark: the Nanhai geography
 * and one copy of river-over-level with `groupBy: event`, so that every reading over the warning
 * level opens a NEW warning (the Nanhai rule groups by place: one warning per gauge for 180 quiet
 * minutes).
 */
export function benchRules(): string {
  const dir = mkdtempSync(join(tmpdir(), 'bench-rules-'));
  copyFileSync(
    join(REPO_ROOT, 'services/correlation-engine/rules/00-nanhai.yaml'),
    join(dir, '00-nanhai.yaml'),
  );
  writeFileSync(
    join(dir, 'bench.yaml'),
    `rules:
  - id: ${BENCH_RULE}
    version: 1
    family: threshold
    category: natural_disaster
    description: river-over-level, one warning per reading (bench)
    match:
      - types: [water.river_level]
        measurement: { name: water_level, reaches: warning }
    groupBy: event
    quietMinutes: 1
    level:
      base: yellow
    routeTo: [water, emergency]
    title:
      zh: '{station}：水位超警戒'
      en: '{station}: {river} over its warning level'
    summary:
      zh: '{station}实测{measurement}{value}{unit}，达到或超过警戒水位{threshold}{unit}。'
      en: 'The {measurement} at {station} was {value} {unit}, at or over the warning level of {threshold} {unit}.'
`,
  );
  return dir;
}

/** A sample of a service's /metrics (prom-client): the value of a metric line by name. */
async function metricsOf(port: number): Promise<(name: string) => number> {
  const lines = (await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).split('\n');
  return (name) => Number(lines.find((l) => l.startsWith(`${name} `))?.split(' ')[1]);
}

/**
 * Watches the correlator's own figures over a measurement: its CPU (share of one core, from
 * process_cpu_seconds_total) and its snapshots (how many and their mean time).
 */
export async function watchCorrelator(port: number): Promise<{ report(): Promise<string> }> {
  const cpuSeconds = async () => (await metricsOf(port))('process_cpu_seconds_total');
  const startCpu = await cpuSeconds();
  const started = Date.now();
  return {
    async report() {
      const cpu = (await cpuSeconds()) - startCpu;
      const seconds = (Date.now() - started) / 1000;
      const metric = await metricsOf(port);
      const count = metric('correlator_snapshot_duration_seconds_count');
      const sum = metric('correlator_snapshot_duration_seconds_sum');
      const snapshots =
        Number.isFinite(count) && Number.isFinite(sum)
          ? `${count}, ${fmt((sum / Math.max(1, count)) * 1000)} ms each on average`
          : 'no metric';
      return `correlator: ${fmt((cpu / seconds) * 100)} % of a core over the measurement (${fmt(cpu, 1)} s CPU in ${fmt(seconds, 1)} s); snapshots so far: ${snapshots}`;
    },
  };
}

/** Per id present in both: `to` − `from`. */
export function between(
  ids: Iterable<string>,
  to: ReadonlyMap<string, number>,
  from: ReadonlyMap<string, number>,
): LatencySummary {
  return latencySummary(
    [...ids].flatMap((id) => {
      const end = to.get(id);
      const start = from.get(id);
      return end !== undefined && start !== undefined ? [end - start] : [];
    }),
  );
}

/** One row of a benchmark's Markdown table. */
export function tableRow(what: string, s: LatencySummary, note = ''): string {
  return `| ${what} | ${s.n} | ${fmt(s.p50)} ms | ${fmt(s.p99)} ms | ${fmt(s.max)} ms | ${note} |`;
}

/** The event ids a warning of the bench rule names (none for any other message). */
export function benchEvidence(value: Buffer | null): string[] {
  const w = JSON.parse(value?.toString() ?? '{}') as Partial<Warning>;
  return w.ruleId === BENCH_RULE ? (w.evidence ?? []) : [];
}

/**
 * The floor: one message produced → consumed by a plain kafkajs consumer of this process, on a
 * topic of the namespace that no service reads (env.close deletes it with the rest).
 */
export async function startRawFloor(env: BenchEnvironment, producer: Producer) {
  const topic = `${env.prefix}bench.raw`;
  // ensureTopics waits for the leader itself (a busy broker answers "unknown topic" for a while).
  await ensureTopics(env.kafka, [{ name: topic, partitions: 1, config: {} }]);
  const sent = new Map<string, number>();
  const received = new Map<string, number>();
  const consumer = env.kafka.consumer({ groupId: `bench-raw-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      const key = message.key?.toString();
      if (key) received.set(key, Date.now());
    },
  });
  return {
    async send(): Promise<void> {
      const key = `raw-${randomUUID()}`;
      sent.set(key, Date.now());
      await producer.send({ topic, acks: -1, messages: [{ key, value: '{}' }] });
    },
    summary: () => between(sent.keys(), received, sent),
    stop: () => consumer.disconnect(),
  };
}

/**
 * Where the time goes: the Kafka timestamps (produce times) of a water event (key: its id), of the
 * correlator's copy of it on its sequence topic (its value is the event) and of the bench-rule
 * warning naming it,
 * per event id, read by a consumer of this process (which may lag: these are stamps, not arrivals).
 */
export async function watchCorrelatorStages(env: BenchEnvironment) {
  const topic = (name: string) => namespacedTopic(name, env.prefix);
  const waterTopic = topic(eventsTopic('water'));
  const sequenceTopic = topic(CORRELATOR_SEQUENCE_TOPIC);
  const warningsTopic = topic(TOPICS.warnings);
  const stamps = {
    event: new Map<string, number>(),
    sequence: new Map<string, number>(),
    warning: new Map<string, number>(),
  };
  const consumer = env.kafka.consumer({ groupId: `bench-stages-${Date.now()}` });
  await consumer.connect();
  await consumer.subscribe({ topics: [waterTopic, sequenceTopic, warningsTopic], fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ topic: from, message }) => {
      const at = Number(message.timestamp);
      const key = message.key?.toString();
      const ids =
        from === warningsTopic
          ? benchEvidence(message.value)
          : from === sequenceTopic
            ? [String((JSON.parse(message.value?.toString() ?? '{}') as { id?: unknown }).id)]
            : key
              ? [key]
              : [];
      const seen =
        from === warningsTopic ? stamps.warning : from === sequenceTopic ? stamps.sequence : stamps.event;
      for (const id of ids) if (!seen.has(id)) seen.set(id, at);
    },
  });
  return { ...stamps, stop: () => consumer.disconnect() };
}

export interface Background {
  /** Events sent so far. */
  sent(): number;
  stop(): Promise<void>;
}

/** Sends `rate` background events/s (backgroundEvent) to the six events topics of `prefix`, every 50 ms, until stopped. */
export function startBackground(producer: Producer, prefix: string, rate: number): Background {
  let sent = 0;
  let running = true;
  const tick = 50;
  const perTick = Math.round((rate * tick) / 1000);
  const loop = (async () => {
    const started = Date.now();
    let i = 0;
    while (running && perTick > 0) {
      const batch = Array.from({ length: perTick }, () => backgroundEvent(i++));
      const byTopic = new Map<string, { key: string; value: string }[]>();
      for (const e of batch) {
        const t = namespacedTopic(eventsTopic(e.department), prefix);
        byTopic.set(t, [...(byTopic.get(t) ?? []), { key: e.id, value: JSON.stringify(e) }]);
      }
      await producer.sendBatch({
        acks: -1,
        topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
      });
      sent += batch.length;
      const due = started + (sent / rate) * 1000;
      await new Promise((r) => setTimeout(r, Math.max(0, due - Date.now())));
    }
  })();
  return {
    sent: () => sent,
    async stop() {
      running = false;
      await loop;
    },
  };
}

/** Logs in to a hub and returns the session cookie its API and Socket.IO handshake take. */
export async function sessionCookie(hubUrl: string, username: string, password: string): Promise<string> {
  const response = await fetch(`${hubUrl}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (response.status !== 200) throw new Error(`login as ${username} answered ${response.status}`);
  return response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
}
