/**
 * pnpm bench:ingest — throughput and latency of one ingest service (the real police service as
 * its own process, over HTTP) against a raw kafkajs sendBatch of the same messages to the same
 * broker in the same run.
 *
 *   events/s accepted in batches of 500 JSON records (median of RUNS runs) and its ratio to raw;
 *   p50/p99 from POST to 202 at 1,000 single records/s.
 */
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Partitioners } from 'kafkajs';
import { Pool as HttpPool } from 'undici';
import { eventsTopic, namespacedTopic } from '@liandong/contracts';
import { eventMessage, prepare } from '@liandong/ingest-kit';
import { createKeyRepository } from '@liandong/keys';
import { normalizePoliceRecord } from '@liandong/ingest-police';
import { benchEnvironment, fmt, median, percentile, startService } from './support.ts';

const RUNS = Number(process.env['RUNS'] ?? 3);
const RECORDS_PER_RUN = Number(process.env['RECORDS'] ?? 50_000);
const BATCH = 500;
const CONCURRENCY = Number(process.env['CONCURRENCY'] ?? 4);
const LATENCY_RATE = 1000;
const LATENCY_SECONDS = Number(process.env['LATENCY_SECONDS'] ?? 15);
const WARMUP_SECONDS = Number(process.env['WARMUP_SECONDS'] ?? 3);
const PORT = 18101;

const TYPES = ['fight', 'theft', 'traffic_accident', 'crowd_gathering', 'noise', 'gas_leak', 'flooding'];

function record(i: number, run: string) {
  return {
    recordId: `B-${run}-${i}`,
    recordType: i % 3 === 0 ? 'incident' : 'call',
    type: TYPES[i % TYPES.length],
    occurredAt: new Date(Date.now() - (i % 600) * 1000).toISOString(),
    priority: (i % 4) + 1,
    summary: '南海大道与海八路交界处有群众报警，称有人员纠纷，请派员处置。',
    peopleInvolved: i % 20,
    location: { lon: 113.1 + (i % 1000) / 10_000, lat: 23.0 + (i % 700) / 10_000, crs: 'GCJ02' },
    address: '桂城街道南海大道北',
    adminCode: '440605',
  };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function runConcurrently<T>(jobs: T[], concurrency: number, work: (job: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++] as T;
        await work(job);
      }
    }),
  );
}

const env = await benchEnvironment();
const keys = createKeyRepository(env.pool);
const { key } = await keys.create('police', 'bench');
const service = await startService(
  'services/ingest-police',
  {
    KAFKA_BROKERS: env.brokers,
    DATABASE_URL: env.databaseUrl,
    DATABASE_SCHEMA: env.schema,
    KAFKA_TOPIC_PREFIX: env.prefix,
    RATE_LIMIT_PER_MINUTE: '10000000',
    ...(process.env['COMMITS_IN_FLIGHT'] ? { COMMITS_IN_FLIGHT: process.env['COMMITS_IN_FLIGHT'] } : {}),
    ...(process.env['NORMALIZE_THREADS'] ? { NORMALIZE_THREADS: process.env['NORMALIZE_THREADS'] } : {}),
    ...(process.env['NORMALIZE_OFFLOAD_BYTES']
      ? { NORMALIZE_OFFLOAD_BYTES: process.env['NORMALIZE_OFFLOAD_BYTES'] }
      : {}),
  },
  PORT,
  (process.env['SERVICE_NODE_ARGS'] ?? '').split(' ').filter(Boolean),
);
const http = new HttpPool(`http://127.0.0.1:${PORT}`, { connections: CONCURRENCY * 2, pipelining: 1 });
// The open-loop latency test needs as many connections as requests may be in flight at once.
const latencyHttp = new HttpPool(`http://127.0.0.1:${PORT}`, { connections: 256, pipelining: 1 });
const topic = namespacedTopic(eventsTopic('police'), env.prefix);
const raw = env.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, idempotent: true });
await raw.connect();

/** The service's own view: its request-duration histogram and event-loop lag (prom-client). */
async function serviceMetrics(): Promise<string> {
  const response = await http.request({ path: '/metrics', method: 'GET' });
  return response.body.text();
}

function metricValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}

/** p50/p99 of a Prometheus histogram between two scrapes, from its cumulative buckets. */
function histogramQuantiles(after: string, name: string, before: string): string {
  const buckets = (text: string) =>
    new Map(
      text
        .split('\n')
        .filter((l) => l.startsWith(`${name}_bucket`))
        .map((l) => [/le="([^"]+)"/.exec(l)?.[1] ?? '', Number(l.split(' ').at(-1))] as const),
    );
  const a = buckets(after);
  const b = buckets(before);
  const counts = [...a].map(([le, n]) => [le, n - (b.get(le) ?? 0)] as const);
  const total = counts.at(-1)?.[1] ?? 0;
  const q = (p: number) => counts.find(([, n]) => n >= p * total)?.[0] ?? '?';
  return `n ${total}, p50 ≤ ${q(0.5)}, p99 ≤ ${q(0.99)}`;
}

async function post(body: string, pool: HttpPool = http): Promise<number> {
  const response = await pool.request({
    path: '/v1/events',
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body,
  });
  await response.body.text();
  return response.statusCode;
}

try {
  const serviceRates: number[] = [];
  const rawRates: number[] = [];
  for (let run = 0; run < RUNS; run += 1) {
    const runId = randomUUID().slice(0, 8);
    const records = Array.from({ length: RECORDS_PER_RUN }, (_, i) => record(i, runId));
    // The raw baseline sends exactly the messages the service produces (key, JSON value,
    // headers, produce-time timestamp), prepared beforehand: only kafkajs' own work is timed.
    const context = {
      department: 'police' as const,
      receivedAt: new Date(),
      sourceSystem: '110-jiejing',
      defaultCrs: 'WGS84' as const,
    };
    const events = prepare(
      records.map((r, i) => normalizePoliceRecord({ ...r, recordId: `${r.recordId}-raw` }, i, context)),
    ).map((prepared) => {
      if (!prepared.ok) throw new Error('bench record invalid');
      const message = eventMessage(prepared, Date.now());
      return {
        key: message.key,
        value: prepared.value,
        headers: { ...message.headers },
        timestamp: String(message.timestamp),
      };
    });

    const bodies = chunks(records, BATCH).map((batch) => JSON.stringify(batch));
    let started = performance.now();
    await runConcurrently(bodies, CONCURRENCY, async (body) => {
      const status = await post(body);
      if (status !== 202) throw new Error(`service answered ${status}`);
    });
    serviceRates.push(RECORDS_PER_RUN / ((performance.now() - started) / 1000));

    started = performance.now();
    await runConcurrently(chunks(events, BATCH), CONCURRENCY, async (messages) => {
      await raw.sendBatch({ acks: -1, topicMessages: [{ topic, messages }] });
    });
    rawRates.push(RECORDS_PER_RUN / ((performance.now() - started) / 1000));
    console.error(
      `run ${run + 1}/${RUNS}: service ${fmt(serviceRates.at(-1) ?? 0)} events/s, raw ${fmt(rawRates.at(-1) ?? 0)} events/s`,
    );
  }

  // Latency: an open-loop 1,000 single records/s for LATENCY_SECONDS (requests are sent on schedule,
  // whether or not earlier ones have been answered).
  const metricsBefore = await serviceMetrics();
  const latencies: number[] = [];
  // LATENCY_TRACE=<file>: one line per measured request, "<ms since start> <latency ms>", to tell
  // periodic stalls from steady queueing.
  const trace: string[] = [];
  // The first WARMUP_SECONDS open the connections and warm the JIT; they are not measured.
  const warmup = LATENCY_RATE * WARMUP_SECONDS;
  const total = LATENCY_RATE * LATENCY_SECONDS + warmup;
  const runId = randomUUID().slice(0, 8);
  const start = performance.now();
  const pending: Promise<void>[] = [];
  for (let i = 0; i < total; i += 1) {
    const due = start + (i * 1000) / LATENCY_RATE;
    const wait = due - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    const body = JSON.stringify(record(i, `lat-${runId}`));
    const sent = performance.now();
    pending.push(
      post(body, latencyHttp).then((status) => {
        if (status !== 202) throw new Error(`service answered ${status}`);
        if (i >= warmup) {
          latencies.push(performance.now() - sent);
          trace.push(`${(sent - start).toFixed(1)} ${(performance.now() - sent).toFixed(1)}`);
        }
      }),
    );
  }
  await Promise.all(pending);
  const achieved = total / ((performance.now() - start) / 1000);
  if (process.env['LATENCY_TRACE']) writeFileSync(process.env['LATENCY_TRACE'], `${trace.join('\n')}\n`);

  const metricsAfter = await serviceMetrics();
  const lagP99 = metricValue(metricsAfter, 'nodejs_eventloop_lag_p99_seconds');
  const lagMax = metricValue(metricsAfter, 'nodejs_eventloop_lag_max_seconds');
  const serviceMedian = median(serviceRates);
  const rawMedian = median(rawRates);
  console.log('Ingest benchmark (ingest-police as its own process, HTTP keep-alive, same broker and run)');
  console.log(
    `  batches of ${BATCH} JSON records, ${CONCURRENCY} in flight, ${fmt(RECORDS_PER_RUN)} records x ${RUNS} runs`,
  );
  console.log(
    `  service   median ${fmt(serviceMedian)} events/s   (runs: ${serviceRates.map((r) => fmt(r)).join(', ')})`,
  );
  console.log(
    `  raw kafkajs sendBatch  median ${fmt(rawMedian)} events/s   (runs: ${rawRates.map((r) => fmt(r)).join(', ')})`,
  );
  console.log(
    `  ratio service/raw  ${fmt((serviceMedian / rawMedian) * 100, 1)} %   (target ≥ 50 %; ≥ 20,000 events/s)`,
  );
  console.log(
    `  single records at ${fmt(achieved)} req/s for ${LATENCY_SECONDS} s: p50 ${fmt(percentile(latencies, 50), 1)} ms, p99 ${fmt(percentile(latencies, 99), 1)} ms, max ${fmt(Math.max(...latencies), 1)} ms   (target p99 ≤ 50 ms)`,
  );
  for (const name of [
    'ingest_commit_duration_seconds',
    'ingest_produce_duration_seconds',
    'ingest_commit_records',
  ]) {
    console.log(`  ${name}: ${histogramQuantiles(metricsAfter, name, metricsBefore)}`);
  }
  console.log(
    `  service event-loop lag over the run: p99 ${fmt(lagP99 * 1000, 1)} ms, max ${fmt(lagMax * 1000, 1)} ms`,
  );
} finally {
  await raw.disconnect();
  await http.close();
  await latencyHttp.close();
  await service.stop();
  await env.close();
}
