/**
 * Fault: one broker of a three-broker KRaft cluster SIGKILLed in the middle of a stream, and
 * started again.
 *
 * Given a cluster of three started by the launcher on this machine (every topic on three brokers,
 * `min.insync.replicas` 2), the police ingest service in its own process, the correlator and the
 * hub on it; when departments push FAULTS_CLUSTER_EVENTS records (30,000 in CI, 100,000 in the full form; some crowd
 * reports that raise and revise warnings) and, half-way, the broker leading the police topic's
 * first partition is killed and comes back 10 s later; then nothing answered 202 is missing from
 * the topic, the hub's store holds each event once, and no warning revision is on warnings.v1
 * twice.
 */
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Kafka, logLevel } from 'kafkajs';
import {
  eventsTopic,
  namespacedTopic,
  TOPICS,
  TOPIC_SPECS,
  type IngestResponse,
  type NormalizedEvent,
  type Warning,
} from '@liandong/contracts';
import { createCorrelator, loadCorrelatorConfig, type Correlator } from '@liandong/correlator';
import { createHub, loadHubConfig, type Hub } from '@liandong/hub';
import { startKafkaCluster, type KafkaCluster } from '@liandong/infra';
import { eventIdFor } from '@liandong/ingest-kit';
import { ensureTopics } from '@liandong/kafka';
import { testDatabase, testLogger, uniqueName, type TestDatabase } from '@liandong/testkit';
import { push, startIngest, type IngestProcess } from '../hostile/ingest-process.ts';
import { readToEnd } from './read-to-end.ts';
import { reportScenario } from './report.ts';

/**
 * 30,000 in the short form that runs with `pnpm test` (about 1 min of load beside the other
 * tests); the 100,000 with FAULTS_CLUSTER_EVENTS=100000 (155 s alone on 2 cores).
 */
const EVENTS = Number(process.env['FAULTS_CLUSTER_EVENTS'] ?? 30_000);
const BATCH = 500;
const SENDERS = 4;
const DOWN_MS = 10_000;
/** Places where crowd reports pile up (every 40th record), so that warnings are raised and revised. */
const CROWDS = [
  { address: '桂城街道千灯湖', lon: 113.152, lat: 23.036 },
  { address: '大沥镇广佛路', lon: 113.118, lat: 23.108 },
  { address: '狮山镇博爱路', lon: 113.005, lat: 23.132 },
];

/** A base port with this many free ports after it (the cluster's brokers and controllers). */
async function freePortRun(count: number): Promise<number> {
  const free = (port: number) =>
    new Promise<boolean>((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    // Below Linux's ephemeral range (32768–60999), where an outgoing connection may take a port
    // between this check and the broker's bind.
    const base = 21_000 + Math.floor(Math.random() * 1100) * 10;
    let ok = true;
    for (let p = base; p < base + count && ok; p++) ok = await free(p);
    if (ok) return base;
  }
  throw new Error('no run of free ports for the cluster');
}

/**
 * Waits until every broker of the cluster answers metadata for every topic with a leader for each
 * partition: a topic just created is known to the controller first, and a client that asks
 * another broker a moment later hears "This server does not host this topic-partition".
 */
async function knownToEveryBroker(brokers: string[], topics: string[]): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (const broker of brokers) {
    const admin = new Kafka({
      clientId: 'cluster-metadata',
      brokers: [broker],
      logLevel: logLevel.NOTHING,
      retry: { retries: 0 },
    }).admin();
    await admin.connect();
    try {
      for (;;) {
        const known = await admin.fetchTopicMetadata({ topics }).then(
          (m) => m.topics.every((t) => t.partitions.length > 0 && t.partitions.every((p) => p.leader >= 0)),
          () => false,
        );
        if (known) break;
        if (Date.now() > deadline)
          throw new Error(`broker ${broker} did not learn the test's topics in 60 s`);
        await new Promise((r) => setTimeout(r, 250));
      }
    } finally {
      await admin.disconnect();
    }
  }
}

function record(n: number): Record<string, unknown> {
  const at = new Date().toISOString();
  const crowd = n % 40 === 0 ? CROWDS[(n / 40) % CROWDS.length] : undefined;
  return crowd
    ? {
        recordId: `CL-${n}`,
        recordType: 'incident',
        type: 'crowd_gathering',
        occurredAt: at,
        address: crowd.address,
        peopleInvolved: 30 + (n % 50),
        location: { lon: crowd.lon, lat: crowd.lat, crs: 'WGS84' },
      }
    : {
        recordId: `CL-${n}`,
        recordType: 'incident',
        type: 'theft',
        occurredAt: at,
        address: '桂城街道',
        location: { lon: 113.1 + (n % 1000) / 10_000, lat: 23.0 + (n % 700) / 10_000, crs: 'WGS84' },
      };
}

describe('a three-broker cluster with one broker killed mid-stream', () => {
  let cluster: KafkaCluster;
  let db: TestDatabase;
  let ingest: IngestProcess;
  let correlator: Correlator;
  let hub: Hub;
  const prefix = `${uniqueName('cl')}.`;
  const topic = (name: string) => namespacedTopic(name, prefix);

  beforeAll(async () => {
    [cluster, db] = await Promise.all([
      startKafkaCluster({ basePort: await freePortRun(6), heap: '512m', log: () => undefined }),
      testDatabase(),
    ]);
    const kafka = new Kafka({
      clientId: 'cluster-test',
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
    });
    await ensureTopics(
      kafka,
      TOPIC_SPECS.map((s) => ({ ...s, name: topic(s.name) })),
    );
    await knownToEveryBroker(
      cluster.brokers,
      TOPIC_SPECS.map((s) => topic(s.name)),
    );
    const common = {
      KAFKA_BROKERS: cluster.brokers.join(','),
      KAFKA_TOPIC_PREFIX: prefix,
      DATABASE_URL: db.appUrl,
      DATABASE_SCHEMA: db.schema,
      PORT: '0',
      LOG_LEVEL: 'silent',
    };
    correlator = await createCorrelator(loadCorrelatorConfig({ ...common, CORRELATOR_TICK_MS: '1000' }), {
      logger: testLogger('correlator'),
      onFatal: (error) => {
        throw error;
      },
    });
    await correlator.start();
    hub = await createHub(loadHubConfig(common), { logger: testLogger('hub') });
    await hub.start();
    ingest = await startIngest({
      department: 'police',
      brokers: cluster.brokers,
      prefix,
      db,
      waitReady: true,
    });
  }, 300_000);

  afterAll(async () => {
    await ingest?.stop();
    await hub?.close();
    await correlator?.close();
    await cluster?.remove();
    await db?.close();
  }, 120_000);

  it('loses nothing answered 202, stores each event once, and produces no warning revision twice', async () => {
    const kafka = new Kafka({
      clientId: 'cluster-test',
      brokers: cluster.brokers,
      logLevel: logLevel.NOTHING,
    });
    const admin = kafka.admin();
    await admin.connect();
    const leader = (
      await admin.fetchTopicMetadata({ topics: [topic(eventsTopic('police'))] })
    ).topics[0]?.partitions.find((p) => p.partitionId === 0)?.leader;
    await admin.disconnect();
    expect(leader, 'the police topic has a leader').toBeDefined();

    const acked = new Set<string>();
    const answers = new Map<string, number>();
    let unavailable = 0;
    let next = 0;
    let killedAt = 0;
    let backAt = 0;
    /** The first batch taken after the kill once every batch refused meanwhile was taken. */
    let lastRefusedAt = 0;
    let recoveredAt = 0;
    const started = Date.now();
    const note = (status: string) => answers.set(status, (answers.get(status) ?? 0) + 1);
    const sender = async () => {
      for (;;) {
        const from = next;
        if (from >= EVENTS) return;
        next += BATCH;
        const batch = JSON.stringify(
          Array.from({ length: Math.min(BATCH, EVENTS - from) }, (_, i) => record(from + i)),
        );
        // A department system sends the same batch again until it is taken.
        for (;;) {
          const answer = await push(ingest, batch).catch((error: unknown) => ({
            status: 0,
            body: String(error),
            retryAfter: null,
            contentType: '',
          }));
          note(String(answer.status));
          if (answer.status === 202) {
            for (const r of (JSON.parse(answer.body) as IngestResponse).results)
              if (r.eventId && (r.status === 'accepted' || r.status === 'duplicate')) acked.add(r.eventId);
            if (killedAt && (!recoveredAt || recoveredAt < lastRefusedAt)) recoveredAt = Date.now();
            break;
          }
          if (answer.status !== 503 && answer.status !== 0)
            throw new Error(`a batch was answered ${answer.status}: ${answer.body.slice(0, 500)}`);
          unavailable += 1;
          lastRefusedAt = Date.now();
          await new Promise((r) => setTimeout(r, Number(answer.retryAfter ?? 1) * 1000));
        }
        if (!killedAt && next >= EVENTS / 2) {
          killedAt = Date.now();
          cluster.kill(leader as number);
          setTimeout(() => {
            void cluster.restart(leader as number).then(() => (backAt = Date.now()));
          }, DOWN_MS);
        }
      }
    };
    await Promise.all(Array.from({ length: SENDERS }, sender));
    const sentMs = Date.now() - started;
    await expect.poll(() => backAt, { timeout: 120_000 }).toBeGreaterThan(0);

    // Nothing answered 202 is missing from the topic (read to its end offsets).
    const onTopic = new Map<string, number>();
    for (const m of await readToEnd(kafka, topic(eventsTopic('police')), 120_000)) {
      const id = (JSON.parse(m.value?.toString() ?? '{}') as NormalizedEvent).id;
      onTopic.set(id, (onTopic.get(id) ?? 0) + 1);
    }
    const expected = Array.from({ length: EVENTS }, (_, n) => eventIdFor('police', `CL-${n}`));
    const lost = [...acked].filter((id) => !onTopic.has(id));
    const copies = [...onTopic.values()].filter((n) => n > 1).length;

    // The hub's store: each event once.
    const stored = async () =>
      Number(
        (
          await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM events WHERE id = ANY($1::uuid[])', [
            expected,
          ])
        ).rows[0]?.n,
      );
    const storedBy = Date.now() + 180_000;
    while ((await stored()) < acked.size && Date.now() < storedBy)
      await new Promise((r) => setTimeout(r, 1000));
    console.log(
      `[cluster] sent in ${sentMs} ms; acked ${acked.size}; on topic ${onTopic.size}; lost ${lost.length}; ` +
        `stored ${await stored()}; answers ${JSON.stringify(Object.fromEntries(answers))}`,
    );
    if (lost.length > 0) {
      const index = new Map(expected.map((id, n) => [id, n] as const));
      const ns = lost.map((id) => index.get(id) ?? -1).sort((a, b) => a - b);
      console.log(`[cluster] lost records: ${ns.length}, CL-${ns[0]} … CL-${ns.at(-1)}: ${ns.join(',')}`);
      console.log(`[cluster] killed at +${killedAt - started} ms, back at +${backAt - started} ms`);
      console.log(`[cluster] ingest output:\n${ingest.output().slice(-6000)}`);
    }
    if ((await stored()) < acked.size) {
      const admin2 = kafka.admin();
      await admin2.connect();
      const groups = (await admin2.listGroups()).groups.map((g) => g.groupId);
      for (const groupId of groups) {
        const offsets = await admin2.fetchOffsets({ groupId, topics: [topic(eventsTopic('police'))] });
        console.log(`[cluster] group ${groupId}: ${JSON.stringify(offsets[0]?.partitions)}`);
      }
      const ends = await admin2.fetchTopicOffsets(topic(eventsTopic('police')));
      console.log(`[cluster] ends: ${JSON.stringify(ends.map((e) => [e.partition, e.high]))}`);
      await admin2.disconnect();
    }
    expect(await stored()).toBe(acked.size);

    // warnings.v1: no (warning, revision) twice.
    const revisions = new Map<string, number>();
    for (const m of await readToEnd(kafka, topic(TOPICS.warnings), 60_000)) {
      const w = JSON.parse(m.value?.toString() ?? '{}') as Warning;
      const key = `${w.id}#${w.revision}`;
      revisions.set(key, (revisions.get(key) ?? 0) + 1);
    }
    const doubledWarnings = [...revisions].filter(([, n]) => n > 1).map(([k]) => k);
    const { rows: hubWarnings } = await db.pool.query<{ n: string; d: string }>(
      'SELECT count(*) AS n, count(DISTINCT id) AS d FROM warnings',
    );

    reportScenario({
      scenario: `3-broker cluster: broker ${leader} SIGKILLed mid-stream, back after ${DOWN_MS / 1000} s`,
      sent: EVENTS,
      accepted: acked.size,
      lost: lost.length,
      doubled: doubledWarnings.length,
      errors: 0,
      recoveryMs: recoveredAt ? Math.max(0, recoveredAt - killedAt) : 0,
      note:
        `sent in ${(sentMs / 1000).toFixed(0)} s; answers ${JSON.stringify(Object.fromEntries(answers))}; ` +
        `${copies} events on the topic twice (same id); hub stored ${acked.size}; ` +
        `${revisions.size} warning revisions (${hubWarnings[0]?.d ?? 0} warnings), none twice`,
    });
    expect(acked.size, 'every record was taken in the end').toBe(EVENTS);
    expect(lost).toEqual([]);
    expect(doubledWarnings).toEqual([]);
    expect(revisions.size, 'the crowd reports raised warnings').toBeGreaterThan(0);
    expect(unavailable + (answers.get('202') ?? 0)).toBeGreaterThan(0);
  }, 900_000);
});
