import type { Admin, Kafka } from 'kafkajs';
import type { TopicSpec } from '@liandong/contracts';
import { backoffDelayMs } from '@liandong/errors';

export interface EnsureTopicsOptions {
  /** Replication factor for new topics; a single local broker needs 1, a site cluster 3. */
  replicationFactor?: number;
  /** Overrides `min.insync.replicas`; defaults to 1 below a replication factor of 3, else 2. */
  minInsyncReplicas?: number;
  /** How long to wait for every new partition to have a leader (default 30 s). */
  leaderTimeoutMs?: number;
}

/** Creates each topic that does not exist yet, with its partitions and settings; returns the names created. */
export async function ensureTopics(
  kafka: Kafka,
  specs: readonly Pick<TopicSpec, 'name' | 'partitions' | 'config'>[],
  options: EnsureTopicsOptions = {},
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const cluster = await admin.describeCluster();
    const replicationFactor = options.replicationFactor ?? Math.min(3, cluster.brokers.length);
    const minIsr = options.minInsyncReplicas ?? (replicationFactor >= 3 ? 2 : 1);
    const missing = specs.filter((s) => !existing.has(s.name));
    if (missing.length === 0) return [];
    await admin.createTopics({
      // kafkajs' own wait gives up when a KRaft broker does not know a topic it has just created
      // (UNKNOWN_TOPIC_OR_PARTITION for a moment, under load): wait here instead.
      waitForLeaders: false,
      topics: missing.map((s) => ({
        topic: s.name,
        numPartitions: s.partitions,
        replicationFactor,
        configEntries: Object.entries({ ...s.config, 'min.insync.replicas': String(minIsr) }).map(
          ([name, value]) => ({ name, value }),
        ),
      })),
    });
    await waitForLeaders(
      admin,
      new Map(missing.map((s) => [s.name, s.partitions])),
      options.leaderTimeoutMs ?? 30_000,
    );
    return missing.map((s) => s.name);
  } finally {
    await admin.disconnect();
  }
}

const NOT_YET = new Set(['UNKNOWN_TOPIC_OR_PARTITION', 'LEADER_NOT_AVAILABLE']);
/** Metadata polls while leaders are elected: 50 ms doubling to 1 s. */
const LEADER_POLL = { initialDelayMs: 50, maxDelayMs: 1000 };

/** Waits until every partition of the topics has a leader, as the broker's metadata says. */
async function waitForLeaders(
  admin: Admin,
  partitions: Map<string, number>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no metadata yet';
  let attempt = 0;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [...partitions.keys()] });
      const waiting = topics.filter(
        (t) =>
          t.partitions.length < (partitions.get(t.name) ?? 0) ||
          t.partitions.some((p) => p.leader < 0 || p.partitionErrorCode !== 0),
      );
      if (waiting.length === 0) return;
      last = `no leader yet for ${waiting.map((t) => t.name).join(', ')}`;
    } catch (error) {
      const type = (error as { type?: string }).type;
      if (type === undefined || !NOT_YET.has(type)) throw error;
      last = type;
    }
    if (Date.now() > deadline) throw new Error(`topics had no leaders within ${timeoutMs} ms: ${last}`);
    attempt += 1;
    await new Promise((resolve) => setTimeout(resolve, backoffDelayMs(attempt, LEADER_POLL)));
  }
}

/** A cheap reachability check for /readyz: the cluster answers metadata within the timeout. */
export function createKafkaProbe(kafka: Kafka, timeoutMs = 2000) {
  const admin = kafka.admin();
  let connected: Promise<void> | undefined;
  return {
    async check(): Promise<{ ok: boolean; detail?: string }> {
      let timer: NodeJS.Timeout | undefined;
      try {
        connected ??= admin.connect();
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
        });
        await Promise.race([connected.then(() => admin.describeCluster()), timeout]);
        return { ok: true };
      } catch (error) {
        connected = undefined;
        return { ok: false, detail: (error as Error).message };
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => admin.disconnect(),
  };
}

/**
 * A topic's offsets per partition, retried while a partition's leadership settles: a broker just
 * started (or restarted) answers "not the leader" to listOffsets for a moment, and kafkajs' admin
 * does not retry it. Errors kafkajs marks as not retriable are thrown at once.
 */
export async function fetchEndOffsets(
  admin: Admin,
  topic: string,
  attempts = 8,
): Promise<{ partition: number; offset: string; high: string; low: string }[]> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await admin.fetchTopicOffsets(topic);
    } catch (error) {
      if ((error as { retriable?: boolean }).retriable !== true || attempt >= attempts) throw error;
      const delay = backoffDelayMs(attempt, { initialDelayMs: 100, maxDelayMs: 2000 });
      await new Promise((r) => setTimeout(r, delay));
    }
  }
}
