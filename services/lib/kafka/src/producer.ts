import { CompressionTypes, type Kafka, type Producer } from 'kafkajs';
import { HashedPartitioner } from './partitioner.ts';
import { AppError } from '@liandong/errors';

export interface OutgoingMessage {
  key: string;
  /** Encoded as JSON; a Buffer is taken as already-encoded JSON. */
  value: unknown;
  headers?: Readonly<Record<string, string | Buffer>>;
  /** Event time in epoch ms; becomes the Kafka record timestamp. */
  timestamp?: number;
  /** partitionHash(key), when computed beforehand. */
  partitionHash?: number;
  /** The partition to write to, whatever the key (a copy for every partition of a topic). */
  partition?: number;
}

export interface ProduceResult {
  topic: string;
  partition: number;
  baseOffset: string;
}

export interface JsonProducer {
  connect(): Promise<void>;
  /** Sends to one or more topics in one request; resolves once every in-sync replica has the records. */
  send(batches: { topic: string; messages: OutgoingMessage[] }[]): Promise<ProduceResult[]>;
  disconnect(): Promise<void>;
  readonly raw: Producer;
}

export interface ProducerOptions {
  /** How many times a failing produce request is retried before the caller hears of it. */
  retries?: number;
  maxRetryTimeMs?: number;
}

/** Seconds a client should wait after a 503 because Kafka could not take a write. */
export const KAFKA_RETRY_AFTER_SECONDS = 5;

/**
 * An idempotent producer (acks from all in-sync replicas; the broker drops the producer's own
 * retried duplicates) that encodes values as JSON. Its retries are bounded so that an outage
 * surfaces as a retriable `dependency_unavailable` error instead of an endless wait.
 */
export function createJsonProducer(kafka: Kafka, options: ProducerOptions = {}): JsonProducer {
  /** The partition each message of a send was given (the partitioner sees the very objects sent). */
  const placed = new WeakMap<object, number>();
  const producer = kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    // Murmur2 on the key, as the Java client: the same event id always lands on the same partition.
    createPartitioner: () => {
      const partition = HashedPartitioner();
      return (args) => {
        const chosen = partition(args);
        placed.set(args.message, chosen);
        return chosen;
      };
    },
    retry: {
      retries: options.retries ?? 4,
      initialRetryTime: 100,
      maxRetryTime: options.maxRetryTimeMs ?? 2000,
    },
  });
  return {
    raw: producer,
    connect: () => producer.connect(),
    disconnect: () => producer.disconnect(),
    async send(batches) {
      const topicMessages = batches.map(({ topic, messages }) => ({
        topic,
        messages: messages.map((m) => ({
          key: m.key,
          value: Buffer.isBuffer(m.value) ? m.value : JSON.stringify(m.value),
          ...(m.headers ? { headers: m.headers } : {}),
          ...(m.timestamp !== undefined ? { timestamp: String(m.timestamp) } : {}),
          ...(m.partitionHash !== undefined ? { partitionHash: m.partitionHash } : {}),
          ...(m.partition !== undefined ? { partition: m.partition } : {}),
        })),
      }));
      let metadata: Awaited<ReturnType<Producer['sendBatch']>>;
      try {
        metadata = await producer.sendBatch({
          acks: -1,
          compression: CompressionTypes.None,
          topicMessages,
        });
      } catch (error) {
        throw new AppError(
          'dependency_unavailable',
          `Kafka did not accept the write: ${(error as Error).message}`,
          {
            cause: error,
            retryAfterSeconds: KAFKA_RETRY_AFTER_SECONDS,
          },
        );
      }
      const unanswered = unansweredPartitions(topicMessages, metadata, placed);
      if (unanswered.length > 0) {
        throw new AppError(
          'dependency_unavailable',
          `Kafka answered the write without acknowledging partition${unanswered.length > 1 ? 's' : ''} ` +
            `${unanswered.join(', ')}: their records may not be written (a leader moved during the send)`,
          { retryAfterSeconds: KAFKA_RETRY_AFTER_SECONDS },
        );
      }
      return metadata.map((m) => ({
        topic: m.topicName,
        partition: m.partition,
        baseOffset: m.baseOffset ?? '-1',
      }));
    },
  };
}

/**
 * The topic/partitions a send put records on that no broker's answer acknowledged. kafkajs 2.2.4
 * resolves such a send: when a request to one broker fails (the broker died) and the retry finds
 * those partitions led by a broker that had already answered for others, it skips that broker —
 * its records are never sent again, and the send succeeds without them. Seen in the three-broker
 * fault test: 175 records of one batch answered 202 and missing from the topic.
 */
export function unansweredPartitions(
  sent: readonly { topic: string; messages: readonly object[] }[],
  answered: readonly { topicName: string; partition: number }[],
  placed: WeakMap<object, number>,
): string[] {
  const acknowledged = new Set(answered.map((a) => `${a.topicName}/${a.partition}`));
  const missing = new Set<string>();
  for (const { topic, messages } of sent)
    for (const message of messages) {
      const partition = placed.get(message);
      const at = `${topic}/${partition ?? '?'}`;
      if (partition === undefined || !acknowledged.has(at)) missing.add(at);
    }
  return [...missing].sort();
}
