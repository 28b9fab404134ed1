/**
 * The whole system under steady load, as a function: `pnpm bench:load` (the full hour) and the
 * fault suite's short form in CI (`tests/faults/load.int.test.ts`, 5 minutes) both run it.
 *
 * `rate` police records a second POSTed to ingest-police in batches of 100, through Kafka, the
 * correlator and the hub's store, for `minutes`, each service its own process. Beside it, `probeRate`
 * water readings a second over the warning level, each raising a warning whose Socket.IO push is
 * timed from the POST. Every `sampleSeconds` it records (and logs) what was sent and accepted, the
 * probes' latency, each service's resident memory, the correlator's consumer lag and how far the
 * hub's event store is behind; at the end it drains and counts what was lost (answered 202, not in
 * the hub's store) and doubled (more records on the topic, or in the store, than were accepted).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { io, type Socket } from 'socket.io-client';
import {
  BEIJING_OFFSET_MS,
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
  benchRules,
  fmt,
  latencySummary,
  sessionCookie,
  startService,
  type BenchEnvironment,
  type LatencySummary,
} from './support.ts';

/**
 * A benchmark's environment, or a test's: `databaseUrl` is what the services connect with, `pool`
 * (on the schema) makes the users and keys and counts the store.
 */
export type LoadEnvironment = Omit<BenchEnvironment, 'close'>;

export interface LoadOptions {
  minutes: number;
  /** Police records a second (default 1,000). */
  rate?: number;
  /** Water readings a second that each raise a warning (default 2). */
  probeRate?: number;
  /** Seconds between samples (default 30). */
  sampleSeconds?: number;
  log?: (line: string) => void;
}

type ServiceName = 'police' | 'water' | 'correlator' | 'hub';

export interface LoadSample {
  minute: number;
  sent: number;
  accepted: number;
  refused: number;
  probes: LatencySummary;
  rssMb: Record<ServiceName, number>;
  correlatorLag: number;
  /** The correlator's last snapshot (its whole state as JSON), MB. */
  correlatorStateMb: number;
  hubBehind: number;
}

export interface LoadResult {
  minutes: number;
  /** Records a second offered over the run. */
  offeredPerSecond: number;
  sent: number;
  accepted: number;
  /** Records refused (status ≠ 202) or whose POST failed, with the statuses seen. */
  refused: number;
  refusals: Map<number, number>;
  lost: number;
  doubled: number;
  /** Seconds from the load's end until the store held everything accepted. */
  drainSeconds: number;
  probesSent: number;
  probeFailures: number;
  /** Times the operator's socket was disconnected (and its reasons). */
  socketDisconnects: string[];
  /** Probes whose push arrived, from the POST to the push. */
  probes: LatencySummary;
  samples: LoadSample[];
}

const BATCH = 100;
const PORTS = { police: 18191, water: 18192, correlator: 18193, hub: 18194 };
const PASSWORD = 'load password 2026';
const TYPES = ['theft', 'noise', 'disturbance', 'other', 'traffic_accident', 'fight'] as const;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const shanghai = (ms: number) => `${new Date(ms + BEIJING_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;

export async function runLoad(env: LoadEnvironment, options: LoadOptions): Promise<LoadResult> {
  const rate = options.rate ?? 1000;
  const probeRate = options.probeRate ?? 2;
  const sampleSeconds = options.sampleSeconds ?? 30;
  const log = options.log ?? ((line: string) => console.log(line));

  // --- set-up -------------------------------------------------------------------------------
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
  const started: { name: ServiceName; service: Awaited<ReturnType<typeof startService>> }[] = [];
  const start = async (name: ServiceName, dir: string, extra: Record<string, string> = {}) => {
    const service = await startService(dir, { ...common, ...extra }, PORTS[name]);
    started.push({ name, service });
    return service;
  };
  let client: Socket | undefined;
  const stops: (() => void)[] = [];
  const admin = env.kafka.admin();
  try {
    await start('police', 'services/ingest-police');
    await start('water', 'services/ingest-water');
    await start('correlator', 'services/correlator', {
      CORRELATOR_RULES_DIR: benchRules(),
      CORRELATOR_GROUP: correlatorGroup,
    });
    await start('hub', 'services/hub', {
      HUB_GROUP_PREFIX: 'load-hub',
      API_RATE_LIMIT_PER_MINUTE: '1000000',
      LIANDONG_DATA_DIR: mkdtempSync(join(tmpdir(), 'load-hub-')),
    });

    const hubUrl = `http://127.0.0.1:${PORTS.hub}`;
    const cookie = await sessionCookie(hubUrl, 'operator', PASSWORD);
    client = await new Promise<Socket>((resolve, reject) => {
      const socket = io(hubUrl, { transports: ['websocket'], extraHeaders: { cookie }, reconnection: true });
      socket.once(SOCKET_EVENTS.hello, () => resolve(socket));
      socket.once('connect_error', reject);
    });
    // The session's idle timeout (30 min) counts requests, not pushes: the console keeps its
    // session with its polls (feed health every 15 s); this client with one a minute. Without it
    // the hub ended the socket after 30 minutes, as it should, and no probe came through after.
    const keepalive = setInterval(() => {
      fetch(`${hubUrl}/api/v1/auth/session`, { headers: { cookie } })
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
    }, 60_000);
    stops.push(() => clearInterval(keepalive));
    const disconnects: string[] = [];
    client.on('disconnect', (reason) => disconnects.push(`${new Date().toISOString()} ${reason}`));
    /** Probe event id → when the push of the warning naming it arrived. */
    const pushed = new Map<string, number>();
    client.on(SOCKET_EVENTS.push, (push: LivePush) => {
      if (push.type !== 'warning' || push.data.ruleId !== BENCH_RULE) return;
      const now = Date.now();
      for (const id of push.data.evidence) if (!pushed.has(id)) pushed.set(id, now);
    });

    // --- load ---------------------------------------------------------------------------------
    let serial = 0;
    const policeBatch = (): unknown[] => {
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
    };

    const counts = { sent: 0, accepted: 0, refused: 0, errors: 0 };
    const refusals = new Map<number, number>();
    const sendBatch = async (): Promise<void> => {
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
    };

    /** One probe: a reading at the Foshan waterway gauge (Datastream 19, warning level 2.6 m), over it. */
    const probes = new Map<string, number>();
    let probeFailures = 0;
    const probe = async (): Promise<void> => {
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
    };

    // --- observation --------------------------------------------------------------------------
    await admin.connect();
    const eventsTopics = (['police', 'water'] as const).map((d) =>
      namespacedTopic(eventsTopic(d), env.prefix),
    );
    const correlatorLag = async (): Promise<number> => {
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
    };
    const projected = async (): Promise<number> => {
      const { rows } = await env.pool.query<{ n: string }>(
        `SELECT count(*) AS n FROM events WHERE department = 'police'`,
      );
      return Number(rows[0]?.n ?? 0);
    };
    const stateMb = async (): Promise<number> => {
      const { rows } = await env.pool.query<{ n: string | null }>(
        'SELECT sum(length(snapshot)) AS n FROM correlator_checkpoints',
      );
      return Number(rows[0]?.n ?? 0) / 1e6;
    };
    const latencies = (from: number, to: number): number[] => {
      const out: number[] = [];
      for (const [id, sentAt] of probes) {
        const at = pushed.get(id);
        if (sentAt >= from && sentAt < to && at !== undefined) out.push(at - sentAt);
      }
      return out;
    };

    const samples: LoadSample[] = [];
    let windowStart = Date.now();
    const sample = async (startedAt: number): Promise<void> => {
      const now = Date.now();
      // Probes of the window before this one: they had a whole window to arrive.
      const lat = latencySummary(latencies(windowStart - sampleSeconds * 1000, windowStart));
      windowStart = now;
      // The store first, then what was accepted: what the store lacks is never under-counted.
      const stored = await projected();
      const accepted = counts.accepted;
      const s: LoadSample = {
        minute: (now - startedAt) / 60_000,
        sent: counts.sent,
        accepted,
        refused: counts.refused + counts.errors,
        probes: lat,
        rssMb: Object.fromEntries(
          started.map(({ name, service }) => [name, rssMb(service.child.pid)]),
        ) as Record<ServiceName, number>,
        correlatorLag: await correlatorLag(),
        correlatorStateMb: await stateMb(),
        hubBehind: accepted - stored,
      };
      samples.push(s);
      log(
        `${fmt(s.minute, 1).padStart(5)} min  sent ${fmt(s.sent).padStart(9)}  accepted ${fmt(s.accepted).padStart(9)}  refused ${fmt(s.refused)}  probes p50 ${fmt(lat.p50)} ms p99 ${fmt(lat.p99)} ms (n ${lat.n})  RSS MB ${started.map(({ name }) => `${name} ${fmt(s.rssMb[name])}`).join(' ')}  correlator lag ${fmt(s.correlatorLag)} state ${fmt(s.correlatorStateMb, 1)} MB  hub behind ${fmt(s.hubBehind)}`,
      );
    };

    // --- run ----------------------------------------------------------------------------------
    log(
      `Load: ${fmt(rate)} police records/s in batches of ${BATCH} for ${options.minutes} min, ${probeRate} probes/s (${new Date().toISOString()})`,
    );
    const startedAt = Date.now();
    const load = every(rate / BATCH, sendBatch);
    const probing = every(probeRate, probe);
    const sampler = setInterval(() => {
      sample(startedAt).catch((error: unknown) => log(`sample failed: ${String(error)}`));
    }, sampleSeconds * 1000);
    await sleep(options.minutes * 60_000);
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
    return {
      minutes: options.minutes,
      offeredPerSecond: (counts.sent / (loadEnded - startedAt)) * 1000,
      sent: counts.sent,
      accepted: counts.accepted,
      refused: counts.refused + counts.errors,
      refusals,
      lost: Math.max(0, counts.accepted - stored),
      doubled: Math.max(0, onTopic - counts.accepted) + Math.max(0, stored - counts.accepted),
      drainSeconds,
      probesSent: probes.size,
      probeFailures,
      socketDisconnects: [...disconnects],
      probes: latencySummary(latencies(startedAt, loadEnded)),
      samples,
    };
  } finally {
    for (const stop of stops) stop();
    client?.disconnect();
    await admin.disconnect();
    for (const { service } of started.reverse()) await service.stop();
  }
}

/** The run as the fault suite's table row and the lines under it. */
export function loadReport(result: LoadResult): string {
  const first = result.samples[1] ?? result.samples[0];
  const last = result.samples[result.samples.length - 1];
  const names = first ? (Object.keys(first.rssMb) as ServiceName[]) : [];
  const refusals = [...result.refusals].map(([status, n]) => `${n}× ${status}`).join(', ');
  return `Load benchmark (${new Date().toISOString()}): ${result.minutes} min at ${fmt(result.offeredPerSecond)} records/s offered

| scenario | events sent | accepted | lost | doubled | errors | recovery |
| --- | --- | --- | --- | --- | --- | --- |
| ${result.minutes} min at ${fmt(result.offeredPerSecond)}/s through ingest → correlator → hub | ${fmt(result.sent)} | ${fmt(result.accepted)} | ${fmt(result.lost)} | ${fmt(result.doubled)} | ${fmt(result.refused)} refused or failed${refusals ? ` (${refusals})` : ''} | hub store caught up ${fmt(result.drainSeconds, 1)} s after the load stopped |

probes (POST reading → warning pushed on the socket): n ${result.probes.n} of ${result.probesSent} (${result.probeFailures} POSTs failed; the socket disconnected ${result.socketDisconnects.length} times${result.socketDisconnects.length > 0 ? `: ${result.socketDisconnects.slice(0, 3).join('; ')}` : ''}), p50 ${fmt(result.probes.p50)} ms, p99 ${fmt(result.probes.p99)} ms, max ${fmt(result.probes.max)} ms
steady? RSS MB ${
    first && last ? names.map((k) => `${k} ${fmt(first.rssMb[k])} → ${fmt(last.rssMb[k])}`).join(', ') : 'n/a'
  }; correlator state ${fmt(first?.correlatorStateMb ?? NaN, 1)} → ${fmt(last?.correlatorStateMb ?? NaN, 1)} MB; probe p99 first window ${fmt(first?.probes.p99 ?? NaN)} ms, last ${fmt(last?.probes.p99 ?? NaN)} ms; correlator lag last ${fmt(last?.correlatorLag ?? NaN)}; hub behind last ${fmt(last?.hubBehind ?? NaN)}
`;
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

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8')
      .split('\n')
      .find((l) => l.startsWith('VmRSS:'));
    return Number(line?.replace(/\D+/g, '') ?? Number.NaN) / 1024;
  } catch {
    return Number.NaN; // the process has gone
  }
}
