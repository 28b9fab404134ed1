import { randomBytes } from 'node:crypto';
import type { Kafka, KafkaMessage } from 'kafkajs';
import { fetchEndOffsets } from '@liandong/kafka';

/**
 * Everything on `topic` up to its end offsets at the time of the call (testkit's readToEnd, for a
 * broker that is not the run's: these tests start brokers of their own).
 */
export async function readToEnd(kafka: Kafka, topic: string, timeoutMs = 30_000): Promise<KafkaMessage[]> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = new Map(
    (await fetchEndOffsets(admin, topic)).map((p) => [p.partition, BigInt(p.high)] as const),
  );
  await admin.disconnect();
  const waiting = new Set([...ends].filter(([, high]) => high > 0n).map(([partition]) => partition));
  if (waiting.size === 0) return [];
  const consumer = kafka.consumer({ groupId: `reader-${randomBytes(6).toString('hex')}` });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const read: KafkaMessage[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${topic} was not read to its end offsets in ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const end = ends.get(partition) ?? 0n;
          if (BigInt(message.offset) < end) read.push(message);
          if (BigInt(message.offset) + 1n >= end) waiting.delete(partition);
          if (waiting.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return read;
}
