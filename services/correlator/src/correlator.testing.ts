/** Test support for the correlator's integration tests: one correlator on a test's own topics and schema. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { eventsTopic, type NormalizedEvent, type Warning } from '@liandong/contracts';
import type { TestDatabase, TestKafka } from '@liandong/testkit';
import { testLogger } from '@liandong/testkit';
import { correlatorConfigSchema, type CorrelatorConfig } from './correlator.config.ts';
import { createCorrelator } from './correlator.ts';
import { loadConfig } from '@liandong/config';

export const SCENARIOS_DIR = fileURLToPath(
  new URL('../../correlation-engine/test/scenarios/', import.meta.url),
);

export function scenarioEvents(name: string): NormalizedEvent[] {
  return readFileSync(`${SCENARIOS_DIR}${name}.ndjson`, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as NormalizedEvent);
}

/** The correlator's configuration for a test: its topics, its schema, an ephemeral port, no clock ticks. */
export function testCorrelatorConfig(
  kafka: TestKafka,
  db: TestDatabase,
  env: Record<string, string> = {},
): CorrelatorConfig {
  return loadConfig(correlatorConfigSchema, {
    KAFKA_BROKERS: kafka.brokers.join(','),
    KAFKA_TOPIC_PREFIX: kafka.prefix,
    DATABASE_URL: db.appUrl,
    DATABASE_SCHEMA: db.schema,
    PORT: '0',
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'silent',
    CORRELATOR_TICK_MS: '0',
    CORRELATOR_SNAPSHOT_MS: '0',
    ...env,
  });
}

export async function startTestCorrelator(
  kafka: TestKafka,
  db: TestDatabase,
  env: Record<string, string> = {},
) {
  const correlator = await createCorrelator(testCorrelatorConfig(kafka, db, env), {
    logger: testLogger('correlator'),
    onFatal: (error) => {
      throw error;
    },
  });
  await correlator.start();
  return correlator;
}

/** Produces events onto their departments' topics (key: event id), `chunk` at a time, in order. */
export async function playEvents(
  kafka: Kafka,
  topic: (name: string) => string,
  events: readonly NormalizedEvent[],
  options: { chunk?: number; pauseMs?: number; onChunk?: (done: number) => Promise<void> | void } = {},
): Promise<void> {
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  try {
    const chunk = options.chunk ?? 100;
    for (let i = 0; i < events.length; i += chunk) {
      const part = events.slice(i, i + chunk);
      const byTopic = new Map<string, NormalizedEvent[]>();
      for (const e of part) {
        const name = topic(eventsTopic(e.department));
        byTopic.set(name, [...(byTopic.get(name) ?? []), e]);
      }
      const send = () =>
        producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([name, list]) => ({
            topic: name,
            messages: list.map((e) => ({ key: e.id, value: JSON.stringify(e) })),
          })),
        });
      // A busy KRaft broker may not know a just-created topic for a moment: a few more tries.
      for (let attempt = 1; ; attempt++) {
        try {
          await send();
          break;
        } catch (error) {
          if (attempt >= 5 || (error as { retriable?: boolean }).retriable !== true) throw error;
          await new Promise((r) => setTimeout(r, 1000));
        }
      }
      await options.onChunk?.(i + part.length);
      if (options.pauseMs) await new Promise((r) => setTimeout(r, options.pauseMs));
    }
  } finally {
    await producer.disconnect();
  }
}

export function warningsOf(messages: readonly KafkaMessage[]): Warning[] {
  return messages.map((m) => JSON.parse(m.value?.toString('utf8') ?? '') as Warning);
}

/** Polls until `done` holds (or fails after the timeout, naming `what`). */
export async function eventually<T>(
  probe: () => Promise<T> | T,
  done: (value: T) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

const SERVICE_DIR = fileURLToPath(new URL('..', import.meta.url));

/** A correlator as its own process (main.ts) on a test's topics and schema; stderr shown. */
export function spawnCorrelator(
  kafka: TestKafka,
  db: TestDatabase,
  env: Record<string, string> = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVICE_DIR,
    env: {
      ...process.env,
      KAFKA_BROKERS: kafka.brokers.join(','),
      KAFKA_TOPIC_PREFIX: kafka.prefix,
      DATABASE_URL: db.appUrl,
      DATABASE_SCHEMA: db.schema,
      PORT: '0',
      LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
      CORRELATOR_TICK_MS: '0',
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Resolves once the process has exited (at once if it has). */
export function exited(child: ChildProcess): Promise<void> {
  return new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}
