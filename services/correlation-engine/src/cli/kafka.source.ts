/**
 * The back-test's other input: the six events topics as they are, for a range of event time. Each
 * partition is read from the first record stamped at `from` minus the allowed lateness (records
 * carry their event time) up to the end offsets it had when the read began, with a group of its
 * own that commits nothing; events outside [from, to) are left out, the rest given in the order
 * they were received. Nothing is produced.
 */
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import {
  DEPARTMENT_CODES,
  eventsTopic,
  namespacedTopic,
  NormalizedEvent,
  validator,
} from '@liandong/contracts';
import { fetchEndOffsets } from '@liandong/kafka';
import { byArrival } from '../domain/arrival.order.ts';

export interface KafkaRange {
  from: Date;
  to: Date;
  /** How much earlier than `from` a record may be stamped and still be read (event time ≠ arrival). */
  latenessMinutes: number;
  topicPrefix: string;
  /** Records to read in all, then each record read (for a progress bar). */
  onTotal?: (records: number) => void;
  onRecord?: () => void;
  timeoutMs?: number;
}

export interface KafkaEvents {
  events: NormalizedEvent[];
  /** Records read that are not normalized events (each with where it was). */
  invalid: string[];
  records: number;
}

const isEvent = validator(NormalizedEvent);

export async function readEventsFromKafka(kafka: Kafka, range: KafkaRange): Promise<KafkaEvents> {
  const topics = DEPARTMENT_CODES.map((d) => namespacedTopic(eventsTopic(d), range.topicPrefix));
  const startAt = range.from.getTime() - range.latenessMinutes * 60_000;
  const admin = kafka.admin();
  await admin.connect();
  /** Per topic/partition: first offset to read, and the end offset (exclusive). */
  const plan = new Map<string, { topic: string; partition: number; start: bigint; end: bigint }>();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length > 0)
      throw new Error(
        `the events topic${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
          `${missing.length > 1 ? 'do' : 'does'} not exist on this broker: check KAFKA_BROKERS and KAFKA_TOPIC_PREFIX`,
      );
    for (const topic of topics) {
      const ends = await fetchEndOffsets(admin, topic);
      const starts = await admin.fetchTopicOffsetsByTimestamp(topic, startAt);
      for (const { partition, high } of ends) {
        const at = starts.find((s) => s.partition === partition)?.offset ?? '-1';
        const end = BigInt(high);
        // -1: no record stamped that late; nothing of the range is in this partition.
        const start = at === '-1' ? end : BigInt(at);
        plan.set(`${topic}/${partition}`, { topic, partition, start, end });
      }
    }
  } finally {
    await admin.disconnect();
  }
  const total = [...plan.values()].reduce((n, p) => n + Number(p.end - p.start), 0);
  range.onTotal?.(total);
  const waiting = new Set([...plan].filter(([, p]) => p.end > p.start).map(([key]) => key));
  const events: NormalizedEvent[] = [];
  const invalid: string[] = [];
  let records = 0;
  if (waiting.size > 0) {
    const consumer = kafka.consumer({ groupId: `backtest-${randomBytes(6).toString('hex')}` });
    await consumer.connect();
    try {
      for (const topic of topics) await consumer.subscribe({ topic, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(
          () =>
            reject(
              new Error(
                `the events topics were not read to their end offsets in ${range.timeoutMs ?? 300_000} ms`,
              ),
            ),
          range.timeoutMs ?? 300_000,
        );
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ topic, partition, message }) => {
              const key = `${topic}/${partition}`;
              const part = plan.get(key);
              const offset = BigInt(message.offset);
              if (!part || offset < part.start || offset >= part.end) return;
              records += 1;
              range.onRecord?.();
              try {
                const value: unknown = JSON.parse(message.value?.toString('utf8') ?? '');
                if (!isEvent.check(value)) invalid.push(`${key}@${message.offset}: not a normalized event`);
                else {
                  const at = Date.parse(value.occurredAt);
                  if (at >= range.from.getTime() && at < range.to.getTime()) events.push(value);
                }
              } catch (error) {
                invalid.push(`${key}@${message.offset}: not JSON (${(error as Error).message})`);
              }
              if (offset + 1n >= part.end) waiting.delete(key);
              if (waiting.size === 0) {
                clearTimeout(timer);
                resolve();
              }
            },
          })
          .then(() => {
            for (const p of plan.values())
              if (p.end > p.start)
                consumer.seek({ topic: p.topic, partition: p.partition, offset: p.start.toString() });
          }, reject);
      });
    } finally {
      await consumer.disconnect();
    }
  }
  // As the correlator takes them: in the order they reached Liandong.
  events.sort(byArrival);
  return { events, invalid, records };
}
