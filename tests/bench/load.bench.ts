/**
 * pnpm bench:load — the whole system under steady load: LOAD_RATE (default 1,000) 110 records a
 * second POSTed to ingest-police in batches, through Kafka, the correlator and the hub's store,
 * for LOAD_MINUTES (default 5; the issue's full run is 60), each service its own process. Beside
 * it, PROBE_RATE water readings a second over the warning level, each raising a warning whose
 * Socket.IO push is timed from the POST. Every SAMPLE_SECONDS it prints what was sent and
 * accepted, the probes' latency, each service's resident memory, the correlator's consumer lag
 * and how far the hub's event store is behind; at the end it drains and counts what was lost
 * (answered 202, not in the hub's store) and doubled (more records on the topic than accepted).
 *
 * Exit status 1 when anything was lost or doubled, or no probe came through.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import {
  eventsTopic,
  NANHAI_TOWNS,
  namespacedTopic,
  SOCKET_EVENTS,
  type LivePush,
} from '@liandong/contracts';
import { createKeyRepository } from '@liandong/keys';
import { createUserRepository } from '@liandong/users';
import {
  BENCH_RULE,
  benchEnvironment,
  benchRules,
  fmt,
  latencySummary,
  sessionCookie,
  startService,
} from './support.ts';

const MINUTES = Number(process.env['LOAD_MINUTES'] ?? 5);
const RATE = Number(process.env['LOAD_RATE'] ?? 1000);
const PROBE_RATE = Number(process.env['PROBE_RATE'] ?? 2);
const SAMPLE_SECONDS = Number(process.env['SAMPLE_SECONDS'] ?? 30);
const BATCH = 100;
const PORTS = { police: 18191, water: 18192, correlator: 18193, hub: 18194 };
const PASSWORD = 'load password 2026';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- set-up ---------------------------------------------------------------------------------
const env = await benchEnvironment();
await createUserRepository(env.pool).create(
  { username: 'operator', role: 'operator', password: PASSWORD },
  { username: 'load', role: 'admin' },
);
const keys = createKeyRepository(env.pool);
const policeKey = (await keys.create('police', 'load')).key;
const waterKey = (await keys.create('water', 'load')).key;
const common = {
  KAFKA_BROKERS: env.brokers,
  DATABASE_URL: env.databaseUrl,
  DATABASE_SCHEMA: env.schema,
  KAFKA_TOPIC_PREFIX: env.prefix,
  RATE_LIMIT_PER_MINUTE: '100000000',
};
const correlatorGroup = `load-correlator-${Date.now()}`;
const services = {
  police: await startService('services/ingest-police', common, PORTS.police),
  water: await startService('services/ingest-water', common, PORTS.water),
  correlator: await startService(
    'services/correlator',
    { ...common, CORRELATOR_RULES_DIR: benchRules(), CORRELATOR_GROUP: correlatorGroup },
    PORTS.correlator,
  ),
  hub: await startService(
    'services/hub',
    {
      ...common,
      HUB_GROUP_PREFIX: 'load-hub',
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      LIANDONG_DATA_DIR: mkdtempSync(join(tmpdir(), 'load-bench-hub-')),
    },
    PORTS.hub,
  ),
};

const hubUrl = `http://127.0.0.1:${PORTS.hub}`;
const cookie = await sessionCookie(hubUrl, 'operator', PASSWORD);
const client: Socket = await new Promise((resolve, reject) => {
  const socket = io(hubUrl, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: true });
  socket.once(SOCKET_EVENTS.hello, () => resolve(socket));
  socket.once('connect_error', reject);
});
/** Probe event id → when the push of the warning naming it arrived. */
const pushed = new Map<string, number>();
client.on(SOCKET_EVENTS.push, (push: LivePush) => {
  if (push.type !== 'warning' || push.data.ruleId !== BENCH_RULE) return;
  const now = Date.now();
  for (const id of push.data.evidence) if (!pushed.has(id)) pushed.set(id, now);
});

// --- load ------------------------------------------------------------------------------------
const shanghai = (ms: number) => `${new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;
const TYPES = ['theft', 'noise', 'disturbance', 'other', 'traffic_accident', 'fight'] as const;
let serial = 0;
function policeBatch(): unknown[] {
  const now = Date.now();
  return Array.from({ length: BATCH }, () => {
    serial += 1;
    const town = NANHAI_TOWNS[serial % NANHAI_TOWNS.length] as (typeof NANHAI_TOWNS)[number];
    return {
      recordId: `LOAD-${serial}`,
      recordType: 'call',
      type: TYPES[serial % TYPES.length],
      occurredAt: shanghai(now),
      priority: 4,
      summary: '负载测试',
      location: {
        lon: town.center.lon + ((serial * 7919) % 2000) / 100_000 - 0.01,
        lat: town.center.lat + ((serial * 104_729) % 2000) / 100_000 - 0.01,
        crs: 'WGS84',
      },
      adminCode: town.adminCode,
    };
  });
}

const counts = { sent: 0, accepted: 0, refused: 0, errors: 0 };
const refusals = new Map<number, number>();
async function sendBatch(): Promise<void> {
  const records = policeBatch();
  counts.sent += records.length;
  try {
    const response = await fetch(`http://127.0.0.1:${PORTS.police}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${policeKey}` },
      body: JSON.stringify(records),
    });
    await response.arrayBuffer();
    if (response.status === 202) counts.accepted += records.length;
    else {
      counts.refused += records.length;
      refusals.set(response.status, (refusals.get(response.status) ?? 0) + 1);
    }
  } catch {
    counts.errors += records.length;
  }
}

/** One probe: a reading at the Foshan waterway gauge (Datastream 19, warning level 2.6 m), over it. */
const probes = new Map<string, number>();
let probeFailures = 0;
async function probe(): Promise<void> {
  const sentAt = Date.now();
  try {
    const response = await fetch(`http://127.0.0.1:${PORTS.water}/v1/events`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${waterKey}`,
        'x-datastream-id': '19',
      },
      body: JSON.stringify({
        '@iot.id': `load-${randomUUID()}`,
        phenomenonTime: new Date().toISOString(),
        result: 2.7,
      }),
    });
    const reply = (await response.json()) as { results?: { eventId?: string }[] };
    const id = reply.results?.[0]?.eventId;
    if (response.status === 202 && id) probes.set(id, sentAt);
    else probeFailures += 1;
  } catch {
    probeFailures += 1;
  }
}

/** Open loop: each tick sends what is due by the clock, whether or not the last answer came. */
function every(perSecond: number, run: () => Promise<void>): { stop(): Promise<void> } {
  const started = Date.now();
  let done = 0;
  const pending = new Set<Promise<void>>();
  const timer = setInterval(() => {
    const due = Math.floor(((Date.now() - started) / 1000) * perSecond);
    for (; done < due; done++) {
      const p = run().finally(() => pending.delete(p));
      pending.add(p);
    }
  }, 20);
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
    },
  };
}

// --- observation ---------------------------------------------------------------------------------
const admin = env.kafka.admin();
await admin.connect();
const eventsTopics = (['police', 'water'] as const).map((d) => namespacedTopic(eventsTopic(d), env.prefix));

async function correlatorLag(): Promise<number> {
  let lag = 0;
  for (const topic of eventsTopics) {
    // Committed offsets first, then the ends: an end read later is never behind its commit.
    const committed = await admin
      .fetchOffsets({ groupId: `${env.prefix}${correlatorGroup}-router`, topics: [topic] })
      .catch(() => []);
    const ends = await admin.fetchTopicOffsets(topic);
    const done = new Map(
      (committed[0]?.partitions ?? []).map((p) => [p.partition, Math.max(0, Number(p.offset))]),
    );
    for (const end of ends) lag += Math.max(0, Number(end.offset) - (done.get(end.partition) ?? 0));
  }
  return lag;
}

async function projected(): Promise<number> {
  const { rows } = await env.pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM events WHERE department = 'police'`,
  );
  return Number(rows[0]?.n ?? 0);
}

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? Number.NaN) / 1024;
}

interface Sample {
  minute: number;
  sent: number;
  accepted: number;
  refused: number;
  probeP50: number;
  probeP99: number;
  probes: number;
  rss: Record<keyof typeof services, number>;
  correlatorLag: number;
  hubBehind: number;
}
const samples: Sample[] = [];
let windowStart = Date.now();
function latencies(from: number, to: number): number[] {
  const out: number[] = [];
  for (const [id, sentAt] of probes) {
    const at = pushed.get(id);
    if (sentAt >= from && sentAt < to && at !== undefined) out.push(at - sentAt);
  }
  return out;
}

async function sample(startedAt: number): Promise<void> {
  const now = Date.now();
  // Probes of the window before this one: they had a whole window to arrive.
  const lat = latencySummary(latencies(windowStart - SAMPLE_SECONDS * 1000, windowStart));
  windowStart = now;
  // The store first, then what was accepted: what the store lacks is never under-counted.
  const stored = await projected();
  const accepted = counts.accepted;
  const s: Sample = {
    minute: (now - startedAt) / 60_000,
    sent: counts.sent,
    accepted,
    refused: counts.refused + counts.errors,
    probeP50: lat.p50,
    probeP99: lat.p99,
    probes: lat.n,
    rss: Object.fromEntries(
      Object.entries(services).map(([name, s]) => [name, rssMb(s.child.pid)]),
    ) as Sample['rss'],
    correlatorLag: await correlatorLag(),
    hubBehind: accepted - stored,
  };
  samples.push(s);
  console.log(
    `${fmt(s.minute, 1).padStart(5)} min  sent ${fmt(s.sent).padStart(9)}  accepted ${fmt(s.accepted).padStart(9)}  refused ${fmt(s.refused)}  probes p50 ${fmt(s.probeP50)} ms p99 ${fmt(s.probeP99)} ms (n ${s.probes})  RSS MB police ${fmt(s.rss.police)} water ${fmt(s.rss.water)} correlator ${fmt(s.rss.correlator)} hub ${fmt(s.rss.hub)}  correlator lag ${fmt(s.correlatorLag)}  hub behind ${fmt(s.hubBehind)}`,
  );
}

// --- run ------------------------------------------------------------------------------------------
console.log(
  `Load: ${fmt(RATE)} police records/s in batches of ${BATCH} for ${MINUTES} min, ${PROBE_RATE} probes/s (${new Date().toISOString()})`,
);
const startedAt = Date.now();
const load = every(RATE / BATCH, sendBatch);
const probing = every(PROBE_RATE, probe);
const sampler = setInterval(() => void sample(startedAt), SAMPLE_SECONDS * 1000);
await sleep(MINUTES * 60_000);
clearInterval(sampler);
await load.stop();
await probing.stop();
const loadEnded = Date.now();

// Drain: everything accepted reaches the hub's store, every probe its push.
let stored = await projected();
while (Date.now() - loadEnded < 120_000 && (stored < counts.accepted || pushed.size < probes.size)) {
  await sleep(500);
  stored = await projected();
}
const drainSeconds = (Date.now() - loadEnded) / 1000;
const onTopic = (await admin.fetchTopicOffsets(eventsTopics[0] as string)).reduce(
  (sum, p) => sum + Number(p.offset),
  0,
);
const lost = Math.max(0, counts.accepted - stored);
const doubled = Math.max(0, onTopic - counts.accepted) + Math.max(0, stored - counts.accepted);
const all = latencySummary(latencies(startedAt, loadEnded));
const first = samples[1] ?? samples[0];
const last = samples[samples.length - 1];

console.log(`
Load benchmark (${new Date().toISOString()}): ${MINUTES} min at ${fmt((counts.sent / (loadEnded - startedAt)) * 1000)} records/s offered

| scenario | events sent | accepted | lost | doubled | errors | recovery |
| --- | --- | --- | --- | --- | --- | --- |
| ${MINUTES} min at ${fmt(RATE)}/s through ingest → correlator → hub | ${fmt(counts.sent)} | ${fmt(counts.accepted)} | ${fmt(lost)} | ${fmt(doubled)} | ${fmt(counts.refused + counts.errors)} refused or failed${refusals.size > 0 ? ` (${[...refusals].map(([s, n]) => `${n}× ${s}`).join(', ')})` : ''} | hub store caught up ${fmt(drainSeconds, 1)} s after the load stopped |

probes (POST reading → warning pushed on the socket): n ${all.n} of ${probes.size} (${probeFailures} POSTs failed), p50 ${fmt(all.p50)} ms, p99 ${fmt(all.p99)} ms, max ${fmt(all.max)} ms
steady? RSS MB ${
  first && last
    ? Object.keys(services)
        .map(
          (k) =>
            `${k} ${fmt(first.rss[k as keyof typeof services])} → ${fmt(last.rss[k as keyof typeof services])}`,
        )
        .join(', ')
    : 'n/a'
}; probe p99 first window ${fmt(first?.probeP99 ?? NaN)} ms, last ${fmt(last?.probeP99 ?? NaN)} ms; correlator lag last ${fmt(last?.correlatorLag ?? NaN)}; hub behind last ${fmt(last?.hubBehind ?? NaN)}
`);

client.disconnect();
await admin.disconnect();
await services.hub.stop();
await services.correlator.stop();
await services.water.stop();
await services.police.stop();
await env.close();
process.exit(lost === 0 && doubled === 0 && all.n > 0 ? 0 : 1);
