import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsTopic } from '@liandong/contracts';
import { isAppError } from '@liandong/errors';
import { createKafka } from './client.ts';
import { partitionHash } from './partitioner.ts';
import { testKafka, testLogger, type TestKafka } from '@liandong/testkit';
import { createEventProducer } from './event.producer.ts';

/** Two keys that land on different partitions of a six-partition topic. */
function keysOnTwoPartitions(): [string, string] {
  const keys: string[] = [];
  for (let i = 0; keys.length < 2; i += 1) {
    const k = `k-${i}`;
    if (keys.every((o) => partitionHash(o) % 6 !== partitionHash(k) % 6)) keys.push(k);
  }
  return keys as [string, string];
}

describe('the ingest event producer against the real broker', () => {
  let kafka: TestKafka;
  beforeAll(async () => {
    kafka = await testKafka();
  });
  afterAll(async () => {
    await kafka?.close();
  });

  const client = () =>
    createKafka({ brokers: kafka.brokers, clientId: 'event-producer-test', logger: testLogger() });

  it('given a send the broker refused for one partition, every record sent after it is on the topic', async () => {
    const topic = kafka.topic(eventsTopic('police'));
    // The pre-check is set above the broker's limit, so that the broker itself refuses the record.
    const producer = createEventProducer(client(), { logger: testLogger(), maxMessageBytes: 10_000_000 });
    await producer.connect();
    const [small, big] = keysOnTwoPartitions();
    const refused = await producer
      .send([
        {
          topic,
          messages: [
            { key: small, value: { n: 'before' } },
            { key: big, value: { big: 'x'.repeat(3_000_000) } },
          ],
        },
      ])
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    // A permanent refusal is a client error (413), not a 503 to retry forever.
    expect(isAppError(refused) && refused.code).toBe('payload_too_large');

    for (let n = 0; n < 20; n += 1)
      await producer.send([{ topic, messages: [{ key: small, value: { n } }] }]);
    const values = (await kafka.readToEnd(topic)).map(
      (m) => JSON.parse(m.value?.toString() ?? '{}') as { n: unknown },
    );
    // kafkajs rolled the sequence numbers of `small`'s partition back although the broker wrote
    // 'before': a reused producer id makes the broker drop the next record as its duplicate.
    expect(values.map((v) => v.n).filter((n) => n !== 'before')).toEqual(
      Array.from({ length: 20 }, (_, n) => n),
    );
    await producer.disconnect();
  });

  it('given a send in flight when another on the same producer fails, then it is not answered as done: its sender sends it again', async () => {
    // The failure retires the producer; kafkajs rolls back the sequence numbers the send beside it
    // was made with, so the broker may have dropped that one as a "duplicate". Its success cannot
    // be trusted: it is a 503 (send again), and the retry goes through the fresh producer.
    const topic = kafka.topic(eventsTopic('traffic'));
    const producer = createEventProducer(client(), { logger: testLogger() });
    await producer.connect();
    const settle = (p: Promise<unknown>) =>
      p.then(
        () => 'sent',
        (error: unknown) => (isAppError(error) ? error.code : String(error)),
      );
    const beside = settle(producer.send([{ topic, messages: [{ key: 'k', value: { n: 'beside' } }] }]));
    // Fails before any round trip, while the first is still on its way.
    const failed = settle(producer.send([{ topic: '', messages: [{ key: 'k', value: { n: 'x' } }] }]));
    expect(await failed).not.toBe('sent');
    expect(await beside).toBe('dependency_unavailable');
    await producer.send([{ topic, messages: [{ key: 'k', value: { n: 'again' } }] }]);
    const values = (await kafka.readToEnd(topic)).map(
      (m) => (JSON.parse(m.value?.toString() ?? '{}') as { n?: unknown }).n,
    );
    expect(values).toContain('again');
    await producer.disconnect();
  });

  it('refuses a record over the limit before producing, naming the limit', async () => {
    const topic = kafka.topic(eventsTopic('water'));
    const producer = createEventProducer(client(), { logger: testLogger(), maxMessageBytes: 1_000_000 });
    await producer.connect();
    const error = await producer
      .send([
        {
          topic,
          messages: [
            { key: 'ok', value: { a: 1 } },
            { key: 'huge', value: 'x'.repeat(1_100_000) },
          ],
        },
      ])
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isAppError(error) && error.code).toBe('payload_too_large');
    expect((error as Error).message).toMatch(/huge.*at most 1000000 bytes/);
    expect(await kafka.readToEnd(topic)).toEqual([]);
    await producer.disconnect();
  });

  it('sends records that together exceed the broker limit for one partition in several requests', async () => {
    const topic = kafka.topic(eventsTopic('health'));
    const producer = createEventProducer(client(), { logger: testLogger() });
    await producer.connect();
    // Five records of 300 KB with one key: one record batch of 1.5 MB would be refused.
    const messages = Array.from({ length: 5 }, (_, i) => ({
      key: 'same',
      value: { i, pad: 'y'.repeat(300_000) },
    }));
    await producer.send([{ topic, messages }]);
    const read = await kafka.readToEnd(topic);
    expect(read.map((m) => (JSON.parse(m.value?.toString() ?? '{}') as { i: number }).i)).toEqual([
      0, 1, 2, 3, 4,
    ]);
    await producer.disconnect();
  });
});
