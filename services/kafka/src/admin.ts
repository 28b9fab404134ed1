import type { Kafka } from 'kafkajs';
import type { TopicSpec } from '@liandong/contracts';

export interface EnsureTopicsOptions {
  /** Replication factor for new topics; a single local broker needs 1, a site cluster 3. */
  replicationFactor?: number;
  /** Overrides `min.insync.replicas`; defaults to 1 below a replication factor of 3, else 2. */
  minInsyncReplicas?: number;
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
      waitForLeaders: true,
      topics: missing.map((s) => ({
        topic: s.name,
        numPartitions: s.partitions,
        replicationFactor,
        configEntries: Object.entries({ ...s.config, 'min.insync.replicas': String(minIsr) }).map(
          ([name, value]) => ({ name, value }),
        ),
      })),
    });
    return missing.map((s) => s.name);
  } finally {
    await admin.disconnect();
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
