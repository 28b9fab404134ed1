import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Type } from '@sinclair/typebox';
import { TOPICS, type DeadLetter } from '@liandong/contracts';
import { AppError } from '@liandong/errors';
import { testKafka, testLogger, type TestKafka } from '@liandong/testkit';
import {
  createJsonProducer,
  createKafka,
  ensureTopics,
  runConsumer,
  type ConsumerRunner,
  type JsonProducer,
} from './index.ts';

const Ping = Type.Object(
  { n: Type.Integer(), fail: Type.Optional(Type.String()) },
  { additionalProperties: false },
);

describe('Kafka adapter against the real broker', () => {
  let t: TestKafka;
  let producer: JsonProducer;
  const runners: ConsumerRunner[] = [];
  const logger = testLogger('kafka-test');

  beforeAll(async () => {
    t = await testKafka({ specs: [] });
    await ensureTopics(t.kafka, [
      { name: t.topic('pings.v1'), partitions: 3, config: { 'cleanup.policy': 'delete' } },
      { name: t.topic(TOPICS.deadLetters), partitions: 1, config: {} },
    ]);
    producer = createJsonProducer(createKafka({ brokers: t.brokers, clientId: 'test', logger }));
    await producer.connect();
  });
  afterAll(async () => {
    await Promise.all(runners.map((r) => r.stop()));
    await producer?.disconnect();
    await t?.close();
  });

  it('creates topics once with their partitions and settings', async () => {
    const name = t.topic('made.v1');
    const spec = { name, partitions: 4, config: { 'retention.ms': '3600000', 'cleanup.policy': 'delete' } };
    expect(await ensureTopics(t.kafka, [spec])).toEqual([name]);
    expect(await ensureTopics(t.kafka, [spec])).toEqual([]);
    const admin = t.kafka.admin();
    await admin.connect();
    const metadata = await admin.fetchTopicMetadata({ topics: [name] });
    expect(metadata.topics[0]?.partitions).toHaveLength(4);
    const configs = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name, configNames: ['retention.ms'] }],
    });
    expect(configs.resources[0]?.configEntries[0]?.configValue).toBe('3600000');
    await admin.disconnect();
  });

  it('runs a consumer group: delivers valid messages, retries retriable failures, holds a message while its dependency is away, dead-letters the rest', async () => {
    const seen: number[] = [];
    const attempts = new Map<number, number>();
    const runner = await runConsumer({
      kafka: t.kafka,
      groupId: t.groupId(),
      topics: [t.topic('pings.v1')],
      schema: Ping,
      logger,
      deadLetter: { producer, topic: t.topic(TOPICS.deadLetters), service: 'kafka-test' },
      retryPolicy: { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
      handler: async (message) => {
        attempts.set(message.n, (attempts.get(message.n) ?? 0) + 1);
        if (message.fail === 'once' && attempts.get(message.n) === 1) {
          throw new AppError('dependency_unavailable', 'database blinked');
        }
        // The database away for longer than maxAttempts tries: held, never dead-lettered.
        if (message.fail === 'away' && (attempts.get(message.n) ?? 0) <= 6)
          throw new AppError('dependency_unavailable', 'database away');
        if (message.fail === 'always') throw new AppError('upstream_failed', 'upstream keeps failing');
        if (message.fail === 'bad') throw new AppError('validation_failed', 'cannot ever work');
        seen.push(message.n);
      },
    });
    runners.push(runner);
    await producer.send([
      {
        topic: t.topic('pings.v1'),
        messages: [
          { key: 'a', value: { n: 1 } },
          { key: 'a', value: { n: 2, fail: 'once' } },
          { key: 'a', value: { n: 3, fail: 'always' } },
          { key: 'a', value: { n: 7, fail: 'away' } },
          { key: 'a', value: { n: 4, fail: 'bad' } },
          { key: 'a', value: { n: 'five' } },
          { key: 'a', value: { n: 6 } },
        ],
      },
    ]);
    // A message that is not JSON at all.
    await producer.raw.send({
      topic: t.topic('pings.v1'),
      acks: -1,
      messages: [{ key: 'a', value: '{not json' }],
    });

    // Wait for the fourth letter (the last message's), then read the topic to its end offsets:
    // reading exactly four could not see a fifth, a letter written twice.
    await t.readMessages(t.topic(TOPICS.deadLetters), 4);
    const dead = await t.readToEnd(t.topic(TOPICS.deadLetters));
    const letters = dead.map((m) => JSON.parse(m.value?.toString() ?? '{}') as DeadLetter);
    expect(letters.map((l) => l.reason.code)).toEqual([
      'upstream_failed',
      'validation_failed',
      'contract_violation',
      'decode_failed',
    ]);
    expect(letters[0]?.reason.attempts).toBe(3);
    expect(letters[2]?.reason.errors[0]?.pointer).toBe('/n');
    expect(letters[3]?.origin).toMatchObject({ topic: t.topic('pings.v1'), key: 'a' });
    expect(seen).toEqual([1, 2, 7, 6]);
    expect(attempts.get(2)).toBe(2);
    expect(attempts.get(7)).toBe(7);
  });

  it('hands runs of valid messages to a batch handler; a run with a bad message goes message by message', async () => {
    const topic = t.topic('batched.v1');
    await ensureTopics(t.kafka, [{ name: topic, partitions: 1, config: {} }]);
    const batches: number[][] = [];
    const single: number[] = [];
    runners.push(
      await runConsumer({
        kafka: t.kafka,
        groupId: t.groupId(),
        topics: [topic],
        schema: Ping,
        logger,
        deadLetter: { producer, topic: t.topic(TOPICS.deadLetters), service: 'kafka-test' },
        batchHandler: async (values) => void batches.push(values.map((v) => v.n)),
        handler: async (message) => void single.push(message.n),
      }),
    );
    const ns = Array.from({ length: 20 }, (_, i) => i + 1);
    await producer.send([{ topic, messages: ns.map((n) => ({ key: 'k', value: { n } })) }]);
    await expect.poll(() => batches.flat(), { timeout: 20_000 }).toEqual(ns);
    expect(single).toEqual([]);
    await producer.send([
      {
        topic,
        messages: [
          { key: 'k', value: { n: 21 } },
          { key: 'k', value: { n: 'bad' } },
          { key: 'k', value: { n: 22 } },
        ],
      },
    ]);
    await expect.poll(() => single, { timeout: 20_000 }).toEqual([21, 22]);
    expect(batches.flat()).toEqual(ns);
  });

  it('commits offsets so that a restarted group does not see messages again', async () => {
    const groupId = t.groupId();
    const topic = t.topic('pings.v1');
    const first: number[] = [];
    const config = {
      kafka: t.kafka,
      groupId,
      topics: [topic],
      schema: Ping,
      logger,
      deadLetter: { producer, topic: t.topic(TOPICS.deadLetters), service: 'kafka-test' },
    };
    const before = await runConsumer({
      ...config,
      handler: async (m) => {
        if (!m.fail) first.push(m.n);
      },
    });
    await expect.poll(() => first, { timeout: 20_000 }).toEqual([1, 6]);
    await before.stop();
    const after: number[] = [];
    const restarted = await runConsumer({ ...config, handler: async (m) => void after.push(m.n) });
    runners.push(restarted);
    await producer.send([{ topic, messages: [{ key: 'b', value: { n: 100 } }] }]);
    await expect.poll(() => after, { timeout: 20_000 }).toEqual([100]);
  });

  it('hands a crash the client will not recover from to onFatal (the process exits for its supervisor)', async () => {
    const fatal: Error[] = [];
    const runner = await runConsumer({
      kafka: t.kafka,
      groupId: t.groupId(),
      topics: [t.topic('pings.v1')],
      schema: Ping,
      logger,
      // The dead-letter topic does not exist and the write is not held: dead-lettering fails, the
      // batch fails, the client gives up.
      deadLetter: { producer, topic: t.topic('no-such-dlq'), service: 'kafka-test' },
      deadLetterWaitMs: 0,
      clientRetry: { retries: 0, restartOnFailure: async () => false },
      handler: async (message) => {
        if (message.fail) throw new AppError('validation_failed', 'goes to the dead-letter topic');
      },
      onFatal: (error) => void fatal.push(error),
    });
    runners.push(runner);
    await expect.poll(() => fatal.length, { timeout: 30_000 }).toBe(1);
  });

  it('holds a message whose dead letter cannot be written: the handler is not run again, only the write is retried, and once the topic is there the dead letter lands once and the next message is handled', async () => {
    const topic = t.topic('held.v1');
    const deadLetters = t.topic('late-dead-letters');
    await ensureTopics(t.kafka, [{ name: topic, partitions: 1, config: {} }]);
    await producer.send([
      {
        topic,
        messages: [
          { key: 'a', value: { n: 1, fail: 'permanent' } },
          { key: 'b', value: { n: 2 } },
        ],
      },
    ]);
    const calls = new Map<number, number>();
    runners.push(
      await runConsumer({
        kafka: t.kafka,
        groupId: t.groupId(),
        topics: [topic],
        schema: Ping,
        logger,
        deadLetter: { producer, topic: deadLetters, service: 'kafka-test' },
        // Shorter than the wait below: the batch also fails to the client and comes back once.
        deadLetterWaitMs: 4000,
        handler: async (message) => {
          calls.set(message.n, (calls.get(message.n) ?? 0) + 1);
          if (message.fail) throw new AppError('validation_failed', 'goes to the dead-letter topic');
        },
      }),
    );
    await expect.poll(() => calls.get(1), { timeout: 20_000 }).toBe(1);
    await new Promise((r) => setTimeout(r, 10_000));
    // Held in order, not spun on: one run of the handler, the next message still waiting.
    expect(Object.fromEntries(calls)).toEqual({ 1: 1 });

    await ensureTopics(t.kafka, [{ name: deadLetters, partitions: 1, config: {} }]);
    await expect.poll(() => calls.get(2), { timeout: 30_000 }).toBe(1);
    const letters = (await t.readToEnd(deadLetters)).map(
      (m) => JSON.parse(m.value?.toString() ?? '') as DeadLetter,
    );
    expect(letters.map((l) => [l.origin?.offset, l.reason.code, l.reason.attempts])).toEqual([
      ['0', 'validation_failed', 1],
    ]);
    expect(calls.get(1)).toBe(1);
  });

  it('answers a retriable error, not a hang, when the broker cannot be reached', async () => {
    const unreachable = createJsonProducer(
      createKafka({ brokers: ['127.0.0.1:1'], clientId: 'nowhere', logger, connectionTimeoutMs: 200 }),
      { retries: 1, maxRetryTimeMs: 200 },
    );
    const error = await unreachable.connect().then(
      () => unreachable.send([{ topic: 'x', messages: [{ key: 'k', value: {} }] }]),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Error);
    const sent = await unreachable
      .send([{ topic: 'x', messages: [{ key: 'k', value: {} }] }])
      .catch((e: unknown) => e);
    expect(sent).toBeInstanceOf(AppError);
    expect((sent as AppError).code).toBe('dependency_unavailable');
    expect((sent as AppError).retriable).toBe(true);
    expect((sent as AppError).retryAfterSeconds).toBeGreaterThan(0);
  });
});
