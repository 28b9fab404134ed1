/**
 * Reads the warnings topic from the offsets recorded in PostgreSQL to its end offsets: what a
 * crash between a produce and its record left unrecorded. Only ids and revisions are taken.
 */
import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import { fetchEndOffsets } from '@liandong/kafka';

export interface TailResult {
  /** Highest revision per warning id found in the tail. */
  produced: Map<string, number>;
  /** The end offsets read to, per partition. */
  ends: Map<number, string>;
  read: number;
}

export async function readOutputTail(
  kafka: Kafka,
  topic: string,
  from: ReadonlyMap<number, string>,
  timeoutMs = 60_000,
): Promise<TailResult> {
  const admin = kafka.admin();
  await admin.connect();
  let offsets: { partition: number; high: string; low: string }[];
  try {
    offsets = await fetchEndOffsets(admin, topic);
  } finally {
    await admin.disconnect();
  }
  const ends = new Map(offsets.map((o) => [o.partition, o.high]));
  const produced = new Map<string, number>();
  const start = (p: number, low: string) => {
    const recorded = BigInt(from.get(p) ?? '0');
    return recorded > BigInt(low) ? recorded : BigInt(low);
  };
  const waiting = new Map(
    offsets
      .filter((o) => start(o.partition, o.low) < BigInt(o.high))
      .map((o) => [o.partition, BigInt(o.high)]),
  );
  if (waiting.size === 0) return { produced, ends, read: 0 };
  let read = 0;
  const consumer = kafka.consumer({
    groupId: `correlator-tail-${randomUUID()}`,
    allowAutoTopicCreation: false,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${topic} was not read to its end offsets in ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer
        .run({
          eachBatch: async ({ batch }) => {
            for (const message of batch.messages) {
              if (BigInt(message.offset) >= BigInt(ends.get(batch.partition) ?? '0')) continue;
              read++;
              // Any warning on the topic was produced, read before or after the recorded offset.
              try {
                const { id, revision } = JSON.parse(message.value?.toString('utf8') ?? '{}') as {
                  id?: unknown;
                  revision?: unknown;
                };
                if (
                  typeof id === 'string' &&
                  typeof revision === 'number' &&
                  revision > (produced.get(id) ?? 0)
                )
                  produced.set(id, revision);
              } catch {
                // Not a warning: nothing of ours.
              }
            }
            const end = waiting.get(batch.partition);
            if (end !== undefined && BigInt(batch.lastOffset()) + 1n >= end) waiting.delete(batch.partition);
            if (waiting.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .then(() => {
          for (const [partition] of waiting)
            consumer.seek({ topic, partition, offset: start(partition, '0').toString() });
        }, reject);
    });
  } finally {
    await consumer.disconnect();
  }
  return { produced, ends, read };
}
