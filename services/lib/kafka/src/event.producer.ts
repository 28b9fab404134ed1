import { AppError, isAppError } from '@liandong/errors';
import type { Kafka } from 'kafkajs';
import {
  createJsonProducer,
  type JsonProducer,
  type OutgoingMessage,
  type ProduceResult,
  type ProducerOptions,
} from './producer.ts';
import type { Logger } from '@liandong/logger';

/**
 * Kafka's default `message.max.bytes` (1,048,588) less room for the record batch's own header:
 * the most one record — and one produce request's records of one partition — may take.
 */
export const DEFAULT_MAX_MESSAGE_BYTES = 1_000_000;

/** Bytes a record adds to a record batch besides key, value and headers (varints, attributes, deltas). */
const RECORD_OVERHEAD_BYTES = 64;

/** The bytes one message takes in a record batch, as the broker counts them against its limit. */
export function messageBytes(message: OutgoingMessage): number {
  let bytes = RECORD_OVERHEAD_BYTES + Buffer.byteLength(message.key);
  bytes += Buffer.isBuffer(message.value)
    ? message.value.length
    : Buffer.byteLength(JSON.stringify(message.value) ?? '');
  for (const [name, value] of Object.entries(message.headers ?? {})) {
    bytes += Buffer.byteLength(name) + (Buffer.isBuffer(value) ? value.length : Buffer.byteLength(value)) + 8;
  }
  return bytes;
}

export interface EventProducerOptions extends ProducerOptions {
  logger: Logger;
  /** The broker's `message.max.bytes` less its batch header (default 1,000,000). */
  maxMessageBytes?: number;
  /**
   * Makes each producer in turn (default: createJsonProducer with the retries above). Tests use it
   * to make a send fail; nothing else should.
   */
  create?: () => JsonProducer;
}

// Broker answers that no retry can change: the records themselves are at fault.
const TOO_LARGE = new Set(['MESSAGE_TOO_LARGE', 'RECORD_LIST_TOO_LARGE']);
const INVALID_RECORD = new Set([
  'INVALID_TIMESTAMP',
  'INVALID_RECORD',
  'CORRUPT_MESSAGE',
  'INVALID_REQUIRED_ACKS',
]);

/** Maps a failed produce to the one error table: a refusal of the records is a client error, not a 503. */
export function toProduceError(error: unknown, maxMessageBytes: number): AppError {
  const cause = (isAppError(error) ? error.cause : error) as
    { type?: string; retriable?: boolean } | undefined;
  const type = cause?.type;
  if (type && TOO_LARGE.has(type)) {
    return new AppError(
      'payload_too_large',
      `Kafka refused the records as too large (${type}); one record may take at most ${maxMessageBytes} bytes`,
      { cause: error },
    );
  }
  if (type && INVALID_RECORD.has(type)) {
    return new AppError(
      'validation_failed',
      `Kafka refused the records (${type}); they will not be taken as they are`,
      {
        cause: error,
      },
    );
  }
  return isAppError(error)
    ? error
    : new AppError('dependency_unavailable', `Kafka did not accept the write: ${String(error)}`, {
        cause: error,
        retryAfterSeconds: 5,
      });
}

/**
 * The producer of every long-lived writer (the ingest services, the correlator), around the
 * idempotent JSON producer:
 *
 * - After any failed send the producer is replaced by a fresh one (a new producer id). When one
 *   partition of a request fails, kafkajs rejects the whole request and rolls back the sequence
 *   numbers of every partition, also of those the broker already wrote; the next record sent to
 *   such a partition carries a sequence number the broker has seen and is dropped as a duplicate
 *   while the send resolves — a record answered 202 that is not on the topic. A new producer id
 *   starts new sequences.
 * - A message larger than the broker takes is refused before anything is sent.
 * - A request whose records take more than `maxMessageBytes` is sent in several produce requests
 *   one after the other, so that no partition's record batch exceeds the broker's limit.
 * - A broker refusal of the records themselves (too large, invalid timestamp) is a client error.
 */
export function createEventProducer(kafka: Kafka, options: EventProducerOptions): JsonProducer {
  const maxMessageBytes = options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES;
  const create =
    options.create ??
    (() =>
      createJsonProducer(kafka, {
        ...(options.retries !== undefined ? { retries: options.retries } : {}),
        ...(options.maxRetryTimeMs !== undefined ? { maxRetryTimeMs: options.maxRetryTimeMs } : {}),
      }));

  interface Generation {
    producer: JsonProducer;
    connecting: Promise<void> | undefined;
    inFlight: number;
    retired: boolean;
  }
  let current: Generation = { producer: create(), connecting: undefined, inFlight: 0, retired: false };
  let closed = false;

  function connect(generation: Generation): Promise<void> {
    generation.connecting ??= generation.producer.connect().catch((error: unknown) => {
      generation.connecting = undefined;
      throw error;
    });
    return generation.connecting;
  }

  function retire(generation: Generation): void {
    if (generation.retired) return;
    generation.retired = true;
    if (generation === current && !closed) {
      current = { producer: create(), connecting: undefined, inFlight: 0, retired: false };
      options.logger.warn(
        'a produce request failed: sending with a fresh producer (new producer id) from now on',
      );
    }
    if (generation.inFlight === 0) void generation.producer.disconnect().catch(() => undefined);
  }

  async function sendOnce(
    batches: { topic: string; messages: OutgoingMessage[] }[],
  ): Promise<ProduceResult[]> {
    const generation = current;
    generation.inFlight += 1;
    try {
      await connect(generation);
      const results = await generation.producer.send(batches);
      // A send beside this one failed while it was in flight: kafkajs rolled the sequence numbers
      // back under it, and its retries may have been "duplicates" the broker dropped. Its success
      // cannot be trusted; the sender's retry goes through the fresh producer (at worst a copy of
      // the same event under its id, never a 202 for a record that is not on the topic).
      if (generation.retired)
        throw new AppError(
          'dependency_unavailable',
          'a produce request beside this one failed while it was in flight; send it again',
          { retryAfterSeconds: 1 },
        );
      return results;
    } catch (error) {
      retire(generation);
      throw toProduceError(error, maxMessageBytes);
    } finally {
      generation.inFlight -= 1;
      if (generation.retired && generation.inFlight === 0) {
        void generation.producer.disconnect().catch(() => undefined);
      }
    }
  }

  return {
    get raw() {
      return current.producer.raw;
    },
    connect: () => connect(current),
    async disconnect() {
      closed = true;
      await current.producer.disconnect();
    },
    async send(batches) {
      // Checked before producing: a record the broker would refuse fails alone, not its request.
      const chunks: { topic: string; messages: OutgoingMessage[] }[][] = [];
      let chunk = new Map<string, OutgoingMessage[]>();
      let chunkBytes = 0;
      const flush = () => {
        if (chunk.size > 0) chunks.push([...chunk].map(([topic, messages]) => ({ topic, messages })));
        chunk = new Map();
        chunkBytes = 0;
      };
      for (const { topic, messages } of batches) {
        for (const message of messages) {
          const bytes = messageBytes(message);
          if (bytes > maxMessageBytes) {
            throw new AppError(
              'payload_too_large',
              `the record ${message.key} takes ${bytes} bytes; Kafka takes at most ${maxMessageBytes} bytes per record`,
            );
          }
          if (chunkBytes + bytes > maxMessageBytes) flush();
          let list = chunk.get(topic);
          if (!list) chunk.set(topic, (list = []));
          list.push(message);
          chunkBytes += bytes;
        }
      }
      flush();
      const results: ProduceResult[] = [];
      for (const part of chunks) results.push(...(await sendOnce(part)));
      return results;
    },
  };
}
