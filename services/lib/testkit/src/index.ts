import { randomBytes } from 'node:crypto';
import { inject } from 'vitest';
import { Kafka, logLevel, type Consumer, type KafkaMessage } from 'kafkajs';
import { TOPIC_SPECS, namespacedTopic, type TopicSpec } from '@liandong/contracts';
import { createPool, migrate, type Pool } from '@liandong/db';
import { ensureTopics } from '@liandong/kafka';
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
  return {
    brokers,
    kafka,
    prefix,
    topic: (name) => namespacedTopic(name, prefix),
    groupId: () => uniqueName('g-'),
    async readMessages(topic, count, timeoutMs = 20_000, until) {
      const consumer = kafka.consumer({ groupId: uniqueName('reader-') });
      consumers.push(consumer);
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received: KafkaMessage[] = [];
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `expected ${until ? 'a matching message' : `${count} messages`} on ${topic}, got ${received.length} in ${timeoutMs} ms`,
              ),
            ),
          timeoutMs,
        );
        void consumer.run({
          eachMessage: async ({ message }) => {
            received.push(message);
            if (received.length >= count || until?.(message)) {
              clearTimeout(timer);
              resolve();
            }
          },
        });
      });
      await consumer.disconnect();
      return received;
    },
    async close() {
      await Promise.all(consumers.map((c) => c.disconnect().catch(() => undefined)));
    },
  };
}

/** The run's database URL (each test still takes its own schema through testDatabase()). */
export function testDatabaseUrl(): string {
  return inject('databaseUrl');
}

export interface TestDatabase {
  url: string;
  schema: string;
  pool: Pool;
  close(): Promise<void>;
}

/** A fresh, migrated schema of the run's database, dropped by close(). */
export async function testDatabase(): Promise<TestDatabase> {
  const url = inject('databaseUrl');
  const schema = uniqueName('t_').toLowerCase();
  const pool = createPool({ url, schema, max: 5, applicationName: 'liandong-test' });
  await migrate(pool, { schema });
  return {
    url,
    schema,
    pool,
    async close() {
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await pool.end();
    },
  };
}
