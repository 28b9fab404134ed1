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
  const producer = kafka.producer({
    idempotent: true,
    allowAutoTopicCreation: false,
    // Murmur2 on the key, as the Java client: the same event id always lands on the same partition.
    createPartitioner: HashedPartitioner,
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
      try {
        const metadata = await producer.sendBatch({
          acks: -1,
          compression: CompressionTypes.None,
          topicMessages: batches.map(({ topic, messages }) => ({
            topic,
            messages: messages.map((m) => ({
              key: m.key,
              value: Buffer.isBuffer(m.value) ? m.value : JSON.stringify(m.value),
              ...(m.headers ? { headers: m.headers } : {}),
              ...(m.timestamp !== undefined ? { timestamp: String(m.timestamp) } : {}),
              ...(m.partitionHash !== undefined ? { partitionHash: m.partitionHash } : {}),
            })),
          })),
        });
        return metadata.map((m) => ({
          topic: m.topicName,
          partition: m.partition,
          baseOffset: m.baseOffset ?? '-1',
        }));
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
    },
  };
}
