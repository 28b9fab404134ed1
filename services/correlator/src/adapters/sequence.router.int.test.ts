/**
 * The router against the real broker: the batches of one fetch — one per partition of the six
 * events topics — are copied together, in one produce, not one produce (and one offset commit)
 * each; every copy once, each source partition in its order, the source offsets committed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPARTMENT_CODES, eventsTopic } from '@liandong/contracts';
import { createEventProducer, createJsonProducer, ensureTopics, type JsonProducer } from '@liandong/kafka';
import { testKafka, testLogger, type TestKafka } from '@liandong/testkit';
import { startRouter, type Router } from './sequence.router.ts';
import { SEQUENCE_TOPIC, SEQUENCE_TOPIC_SPEC, sourceOfCopy } from './sequence.topic.ts';

const PER_PARTITION = 3;

describe('router: events topics → sequence topic', () => {
  let kafka: TestKafka;
  let router: Router | undefined;

  beforeAll(async () => {
    kafka = await testKafka();
    await ensureTopics(kafka.kafka, [{ ...SEQUENCE_TOPIC_SPEC, name: kafka.topic(SEQUENCE_TOPIC) }]);
  });
  /** Six events topics (6 partitions each) and a sequence topic of their own, named `<name>.…`. */
  async function topicsOf(name: string): Promise<{ topics: string[]; sequenceTopic: string }> {
    const topics = DEPARTMENT_CODES.map((d) => kafka.topic(`${name}.${eventsTopic(d)}`));
    const sequenceTopic = kafka.topic(`${name}.${SEQUENCE_TOPIC}`);
    await ensureTopics(kafka.kafka, [
      ...topics.map((topic) => ({ name: topic, partitions: 6, config: {} })),
      { ...SEQUENCE_TOPIC_SPEC, name: sequenceTopic },
    ]);
    return { topics, sequenceTopic };
  }
  afterAll(async () => {
    await router?.stop();
    await kafka?.close();
  });

  it('given a message waiting on every partition of the six events topics, then the router copies them in a few produce requests, not one per partition, each once and in its partition order, and commits the source offsets', async () => {
    const topics = DEPARTMENT_CODES.map((d) => kafka.topic(eventsTopic(d)));
    const admin = kafka.kafka.admin();
    await admin.connect();
    const partitions = (await admin.fetchTopicMetadata({ topics })).topics.flatMap((t) =>
      t.partitions.map((p) => ({ topic: t.name, partition: p.partitionId })),
    );
    expect(partitions).toHaveLength(36);
    // Idempotent: a retried request (topics just created) does not write the records twice.
    const seed = kafka.kafka.producer({ idempotent: true });
    await seed.connect();
    await seed.sendBatch({
      acks: -1,
      topicMessages: topics.map((topic) => ({
        topic,
        messages: partitions
          .filter((p) => p.topic === topic)
          .flatMap(({ partition }) =>
            Array.from({ length: PER_PARTITION }, (_, i) => ({
              partition,
              key: `${topic}-${partition}-${i}`,
              value: JSON.stringify({ i }),
            })),
          ),
      })),
    });
    await seed.disconnect();

    let sends = 0;
    const counting = (): JsonProducer => {
      const real = createJsonProducer(kafka.kafka);
      return { ...real, send: (batches) => ((sends += 1), real.send(batches)) };
    };
    const groupId = kafka.groupId();
    router = await startRouter({
      kafka: kafka.kafka,
      producer: createEventProducer(kafka.kafka, { logger: testLogger('producer'), create: counting }),
      groupId,
      topics,
      sequenceTopic: kafka.topic(SEQUENCE_TOPIC),
      tickMs: 0,
      logger: testLogger('router'),
      onFatal: (error) => {
        throw error;
      },
    });
    const total = partitions.length * PER_PARTITION;
    const copies = await kafka.readMessages(kafka.topic(SEQUENCE_TOPIC), total, 30_000);

    // One produce per partition was 36 here (and as many offset commits): 0.5-1.5 s a fetch.
    expect(sends).toBeLessThanOrEqual(6);
    const sources = copies.map((m) => sourceOfCopy(m) as { partition: string; offset: bigint });
    expect(new Set(sources.map((s) => `${s.partition}/${s.offset}`)).size).toBe(total);
    for (const { topic, partition } of partitions) {
      const offsets = sources
        .filter((s) => s.partition === `${topic}/${partition}`)
        .map((s) => Number(s.offset));
      expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
      expect(offsets).toHaveLength(PER_PARTITION);
    }
    expect((await kafka.readToEnd(kafka.topic(SEQUENCE_TOPIC))).length).toBe(total);

    const committed = async () =>
      (await admin.fetchOffsets({ groupId, topics })).flatMap((t) => t.partitions.map((p) => p.offset));
    const deadline = Date.now() + 10_000;
    let offsets = await committed();
    while (offsets.some((o) => o !== String(PER_PARTITION)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 200));
      offsets = await committed();
    }
    await admin.disconnect();
    expect(offsets).toEqual(partitions.map(() => String(PER_PARTITION)));
  });

  it('given a copy whose answer was lost after Kafka wrote it, and one Kafka never got, then every source record is on the sequence in its partition order with no gap, each once after the repeats, and the offsets are committed', async () => {
    const { topics, sequenceTopic } = await topicsOf('failing');
    // Idempotent: a retried request (topics just created) does not write the records twice.
    const seed = kafka.kafka.producer({ idempotent: true });
    await seed.connect();
    const PER_TOPIC = 120;
    await seed.sendBatch({
      acks: -1,
      topicMessages: topics.map((topic) => ({
        topic,
        messages: Array.from({ length: PER_TOPIC }, (_, i) => ({
          key: `${topic}-${i}`,
          value: JSON.stringify({ i }),
        })),
      })),
    });
    await seed.disconnect();

    // The first producer's send reaches Kafka and then fails (its answer lost); the second's
    // fails before Kafka has anything; the third works.
    let made = 0;
    const failures: string[] = [];
    const flaky = (): JsonProducer => {
      const real = createJsonProducer(kafka.kafka);
      const which = (made += 1);
      return {
        ...real,
        send: async (batches) => {
          if (which === 1) {
            await real.send(batches);
            failures.push('answer lost');
            throw new Error('the answer to this produce request was lost');
          }
          if (which === 2) {
            failures.push('not sent');
            throw new Error('the broker could not be reached');
          }
          return real.send(batches);
        },
      };
    };
    const groupId = kafka.groupId();
    const failing = await startRouter({
      kafka: kafka.kafka,
      producer: createEventProducer(kafka.kafka, { logger: testLogger('producer'), create: flaky }),
      groupId,
      topics,
      sequenceTopic,
      tickMs: 0,
      logger: testLogger('router'),
      onFatal: (error) => {
        throw error;
      },
    });
    const admin = kafka.kafka.admin();
    await admin.connect();
    const total = topics.length * PER_TOPIC;
    const committedTotal = async () =>
      (await admin.fetchOffsets({ groupId, topics }))
        .flatMap((t) => t.partitions)
        .reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
    const deadline = Date.now() + 30_000;
    while ((await committedTotal()) < total && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    await failing.stop();
    expect(failures).toEqual(['answer lost', 'not sent']);
    expect(await committedTotal()).toBe(total);

    // What the engine takes: per source partition, a copy not above the highest taken is a repeat.
    const taken = new Map<string, number[]>();
    let repeats = 0;
    for (const m of await kafka.readToEnd(sequenceTopic)) {
      const { partition, offset: at } = sourceOfCopy(m) as { partition: string; offset: bigint };
      const offset = Number(at);
      const list = taken.get(partition) ?? [];
      if (list.length > 0 && offset <= (list[list.length - 1] as number)) {
        repeats += 1;
        continue;
      }
      list.push(offset);
      taken.set(partition, list);
    }
    expect(repeats).toBeGreaterThan(0);
    const ends = (await Promise.all(topics.map((t) => admin.fetchTopicOffsets(t).then((o) => ({ t, o })))))
      .flatMap(({ t, o }) => o.map((p) => ({ key: `${t}/${p.partition}`, end: Number(p.offset) })))
      .filter((p) => p.end > 0);
    await admin.disconnect();
    for (const { key, end } of ends)
      expect(taken.get(key), key).toEqual(Array.from({ length: end }, (_, i) => i));
  });

  it('given a clock tick whose send fails, then the producer is replaced before the next copy (a failed request leaves its sequence numbers unreliable), and the next event is on the sequence', async () => {
    const { topics, sequenceTopic } = await topicsOf('ticking');
    let made = 0;
    const kinds: string[] = [];
    const flaky = (): JsonProducer => {
      const real = createJsonProducer(kafka.kafka);
      const which = (made += 1);
      let sends = 0;
      return {
        ...real,
        send: async (batches) => {
          kinds.push(...batches.flatMap((b) => b.messages.map((m) => (m.key === 'tick' ? 'tick' : 'event'))));
          sends += 1;
          const result = await real.send(batches);
          if (which === 1 && sends === 1) throw new Error('the answer to this produce request was lost');
          return result;
        },
      };
    };
    const ticking = await startRouter({
      kafka: kafka.kafka,
      producer: createEventProducer(kafka.kafka, { logger: testLogger('producer'), create: flaky }),
      groupId: kafka.groupId(),
      topics,
      sequenceTopic,
      tickMs: 100,
      logger: testLogger('router'),
      onFatal: (error) => {
        throw error;
      },
    });
    const deadline = Date.now() + 10_000;
    while (made < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(kinds[0]).toBe('tick');
    expect(made).toBe(2);

    // Idempotent: a retried request (topics just created) does not write the records twice.
    const seed = kafka.kafka.producer({ idempotent: true });
    await seed.connect();
    await seed.send({ topic: topics[0] as string, acks: -1, messages: [{ key: 'one', value: '{"i":1}' }] });
    await seed.disconnect();
    const until = Date.now() + 20_000;
    let copies: string[] = [];
    while (copies.length === 0 && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 200));
      copies = (await kafka.readToEnd(sequenceTopic))
        .map((m) => sourceOfCopy(m)?.partition ?? '')
        .filter((partition) => partition.startsWith(`${topics[0]}/`));
    }
    await ticking.stop();
    expect(copies).toHaveLength(1);
  });
});
