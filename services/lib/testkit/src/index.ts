import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { TOPIC_SPECS, namespacedTopic, type TopicSpec } from '@liandong/contracts';
import { createPool, migrate, type Pool } from '@liandong/db';
import { userOf } from '@liandong/config';
import { ensureTopics, fetchEndOffsets } from '@liandong/kafka';
import { createLogger, type Logger } from '@liandong/logger';

export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${randomBytes(4).toString('hex')}`;
}

/** A logger that writes nothing unless TEST_LOG_LEVEL is set. */
export function testLogger(service = 'test'): Logger {
  return createLogger({ service, level: process.env['TEST_LOG_LEVEL'] ?? 'silent' });
}

export interface TestKafka {
  brokers: string[];
  kafka: Kafka;
  /** This test's namespace prefix; every topic of the test carries it. */
  prefix: string;
  topic(name: string): string;
  groupId(): string;
  /** Reads `count` messages from the beginning of `topic` (or fails after `timeoutMs`). */
  /** Reads from the start until `count` messages, or until one meets `until`; fails after the timeout. */
  readMessages(
    topic: string,
    count: number,
    timeoutMs?: number,
    until?: (message: KafkaMessage) => boolean,
  ): Promise<KafkaMessage[]>;
  /**
   * Everything on `topic` up to its end offsets at the time of the call: a check that reads
   * exactly N messages cannot see an N+1st, this one can. Each message names its partition; a
   * partition's messages are in its order.
   */
  readToEnd(topic: string, timeoutMs?: number): Promise<(KafkaMessage & { partition: number })[]>;
  close(): Promise<void>;
}

/** The run's broker with this test's own topics (every Liandong topic, created under a fresh prefix). */
export async function testKafka(options: { specs?: readonly TopicSpec[] } = {}): Promise<TestKafka> {
  const brokers = inject('kafkaBrokers').split(',');
  const prefix = `${uniqueName('t')}.`;
  const kafka = new Kafka({ clientId: 'liandong-test', brokers, logLevel: logLevel.NOTHING });
  await ensureTopics(
    kafka,
    (options.specs ?? TOPIC_SPECS).map((s) => ({ ...s, name: namespacedTopic(s.name, prefix) })),
  );
  const consumers: Consumer[] = [];

  /** Reads `topic` from its beginning with a group of its own until `done`, or fails after the timeout. */
  async function consume(
    topic: string,
    timeoutMs: number,
    done: (message: KafkaMessage, received: number, partition: number) => boolean,
    failure: (received: number) => string,
  ): Promise<{ partition: number; message: KafkaMessage }[]> {
    const consumer = kafka.consumer({ groupId: uniqueName('reader-') });
    consumers.push(consumer);
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const received: { partition: number; message: KafkaMessage }[] = [];
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(failure(received.length))), timeoutMs);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          received.push({ partition, message });
          if (done(message, received.length, partition)) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
    await consumer.disconnect();
    return received;
  }

  return {
    brokers,
    kafka,
    prefix,
    topic: (name) => namespacedTopic(name, prefix),
    groupId: () => uniqueName('g-'),
    async readMessages(topic, count, timeoutMs = 20_000, until) {
      const read = await consume(
        topic,
        timeoutMs,
        (message, received) => received >= count || until?.(message) === true,
        (received) =>
          `expected ${until ? 'a matching message' : `${count} messages`} on ${topic}, got ${received} in ${timeoutMs} ms`,
      );
      return read.map((r) => r.message);
    },
    async readToEnd(topic, timeoutMs = 20_000) {
      const admin = kafka.admin();
      await admin.connect();
      const ends = new Map(
        (await fetchEndOffsets(admin, topic)).map((p) => [p.partition, BigInt(p.high)] as const),
      );
      await admin.disconnect();
      const endOf = (partition: number) => ends.get(partition) ?? 0n;
      const waiting = new Set([...ends].filter(([, high]) => high > 0n).map(([partition]) => partition));
      if (waiting.size === 0) return [];
      const read = await consume(
        topic,
        timeoutMs,
        (message, _received, partition) => {
          if (BigInt(message.offset) + 1n >= endOf(partition)) waiting.delete(partition);
          return waiting.size === 0;
        },
        () => `${topic} was not read to its end offsets in ${timeoutMs} ms`,
      );
      // Messages written after the end offsets were taken are not this read's.
      return read
        .filter((r) => BigInt(r.message.offset) < endOf(r.partition))
        .map((r) => Object.assign(r.message, { partition: r.partition }));
    },
    async close() {
      await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
      await deleteTopicsOf(kafka, prefix);
    },
  };
}

/**
 * Deletes the topics under a test's prefix. A developer's broker carries every run of the day:
 * left behind, test topics reached 20,000 partition folders and the broker, out of open files,
 * stopped with "all log dirs have failed". Best effort: a broker already gone is not the test's
 * failure.
 */
async function deleteTopicsOf(kafka: Kafka, prefix: string): Promise<void> {
  const admin = kafka.admin({ retry: { retries: 1 } });
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 10_000 });
  } catch {
    // Left behind; `pnpm kafka stop && rm -rf .data/kafka` starts a developer's broker afresh.
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** The run's database URL, as the owner (each test still takes its own schema through testDatabase()). */
export function testDatabaseUrl(): string {
  return inject('databaseUrl');
}

/** The run's database URL as the services connect: the app role. */
export function testDatabaseAppUrl(): string {
  return inject('databaseAppUrl');
}

export interface TestDatabase {
  /** The owner's URL (migrations). */
  url: string;
  /** The URL the services connect with: the app role, which may only insert into and read the audit log. */
  appUrl: string;
  schema: string;
  /** Connected as the services connect: the app role. */
  pool: Pool;
  /** Connected as the owner of the tables (what the migrations run as). */
  adminPool: Pool;
  close(): Promise<void>;
}

/** A fresh, migrated schema of the run's database, dropped by close(). */
export async function testDatabase(): Promise<TestDatabase> {
  const url = inject('databaseUrl');
  const appUrl = inject('databaseAppUrl');
  const schema = uniqueName('t_').toLowerCase();
  const adminPool = createPool({ url, schema, max: 2, applicationName: 'liandong-test-admin' });
  await migrate(adminPool, { schema, appRole: userOf(appUrl) });
  const pool = createPool({ url: appUrl, schema, max: 5, applicationName: 'liandong-test' });
  return {
    url,
    appUrl,
    schema,
    pool,
    adminPool,
    async close() {
      await pool.end();
      await adminPool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await adminPool.end();
    },
  };
}
