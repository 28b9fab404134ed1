import type { Kafka } from 'kafkajs';
import { AuditHead, validator } from '@liandong/contracts';
import { fetchEndOffsets } from './admin.ts';
import type { JsonProducer } from './producer.ts';

const checkHead = validator(AuditHead);

/** Publishes one head of an audit log, keyed by the log's id. */
export async function publishAuditHead(
  producer: JsonProducer,
  topic: string,
  head: AuditHead,
): Promise<void> {
  await producer.send([{ topic, messages: [{ key: head.log, value: head }] }]);
}

/**
 * The newest head published for `log`: the one with the highest sequence number among the last
 * `tail` messages of the topic (several processes publish; one may publish a head a moment
 * older than another's). Undefined when none was published.
 */
export async function readPublishedAuditHead(
  kafka: Kafka,
  topic: string,
  log: string,
  options: { tail?: number; timeoutMs?: number } = {},
): Promise<AuditHead | undefined> {
  const tail = options.tail ?? 200;
  const admin = kafka.admin();
  await admin.connect();
  let ends: { partition: number; high: bigint }[];
  try {
    if (!(await admin.listTopics()).includes(topic)) {
      throw new Error(
        `the topic ${topic} does not exist: create the topics (pnpm start does, or the ensure-topics command)`,
      );
    }
    ends = (await fetchEndOffsets(admin, topic)).map((p) => ({
      partition: p.partition,
      high: BigInt(p.high),
    }));
  } finally {
    await admin.disconnect();
  }
  const starts = new Map(
    ends
      .filter((p) => p.high > 0n)
      .map((p) => [p.partition, p.high > BigInt(tail) ? p.high - BigInt(tail) : 0n]),
  );
  if (starts.size === 0) return undefined;
  const endOf = new Map(ends.map((p) => [p.partition, p.high]));
  const waiting = new Set(starts.keys());
  let best: AuditHead | undefined;
  const consumer = kafka.consumer({
    groupId: `audit-head-reader-${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timeoutMs = options.timeoutMs ?? 30_000;
      const timer = setTimeout(
        () => reject(new Error(`${topic} was not read to its end within ${timeoutMs} ms`)),
        timeoutMs,
      );
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          const offset = BigInt(message.offset);
          if (offset >= (starts.get(partition) ?? 0n) && message.key?.toString() === log && message.value) {
            let value: unknown;
            try {
              value = JSON.parse(message.value.toString('utf8'));
            } catch {
              value = undefined;
            }
            if (checkHead.check(value) && value.log === log && (!best || value.seq > best.seq)) best = value;
          }
          if (offset + 1n >= (endOf.get(partition) ?? 0n)) waiting.delete(partition);
          if (waiting.size === 0) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
      for (const [partition, offset] of starts)
        consumer.seek({ topic, partition, offset: offset.toString() });
    });
  } finally {
    await consumer.disconnect();
  }
  return best;
}
