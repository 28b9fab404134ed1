/**
 * The fan-out: copies the sequence (its one partition) onto every partition of the shards topic,
 * in its order, each copy stamped with its offset in the sequence. One writer at a time (the one
 * partition has one owner in the consumer group), and the sequence offset is committed only once
 * every shard has the copies; a crash repeats a run of the sequence from the committed offset, in
 * order, which each shard's state recognises by the stamp and skips. So the first copy of every
 * record comes in the sequence's order on every shard, whoever writes and however often it fails:
 * every shard takes the same input in the same order, as one engine would.
 */
import type { Consumer, IHeaders, Kafka } from 'kafkajs';
import type { JsonProducer, OutgoingMessage } from '@liandong/kafka';
import type { Logger } from '@liandong/logger';
import { cutByBytes, recordBytes, MAX_REQUEST_BYTES } from './sequence.router.ts';
import { groupTiming, HEADER, toEveryPartition } from './sequence.topic.ts';

/** Bytes of the sequence one fetch brings: each fetch costs a produce and an offset commit. */
const FETCH_BYTES = 8 * 1024 * 1024;

export interface FanoutDeps {
  kafka: Kafka;
  producer: JsonProducer;
  groupId: string;
  sequenceTopic: string;
  shardsTopic: string;
  /** Partitions of the shards topic. */
  partitions: number;
  logger: Logger;
  onCopied?: (count: number) => void;
  onFatal: (error: Error) => void;
  /** The group session timeout (ms; kafkajs's default when absent). */
  sessionTimeoutMs?: number;
}

export interface Fanout {
  readonly consumer: Consumer;
  stop(): Promise<void>;
}

function headersOf(headers: IHeaders | undefined, offset: string): Record<string, string | Buffer> {
  const out: Record<string, string | Buffer> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const first = Array.isArray(value) ? value[0] : value;
    if (first !== undefined) out[name] = first;
  }
  out[HEADER.log] = offset;
  return out;
}

export async function startFanout(deps: FanoutDeps): Promise<Fanout> {
  const consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    allowAutoTopicCreation: false,
    // The one partition is all it reads: fetch more of it at a time (the default is 1 MB).
    maxBytesPerPartition: FETCH_BYTES,
    maxBytes: FETCH_BYTES,
    ...groupTiming(deps.sessionTimeoutMs),
  });
  let stopping = false;
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart || stopping) return;
    deps.logger.fatal({ err: event.payload.error }, 'fan-out consumer crashed and will not restart');
    deps.onFatal(event.payload.error);
  });
  await consumer.connect();
  await consumer.subscribe({ topic: deps.sequenceTopic, fromBeginning: true });
  await consumer.run({
    // Offsets resolved only once every shard has the copies; committed at most once a second (a
    // crash repeats at most that, which the shards skip).
    autoCommit: true,
    autoCommitInterval: 1000,
    eachBatchAutoResolve: false,
    eachBatch: async (payload) => {
      const { batch } = payload;
      if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
      const copies: { message: OutgoingMessage; bytes: number }[] = batch.messages.map((m) => {
        const message: OutgoingMessage = {
          key: m.key?.toString('utf8') ?? '',
          value: m.value ?? Buffer.from('null'),
          headers: headersOf(m.headers, m.offset),
        };
        return { message, bytes: recordBytes(message) };
      });
      for (const request of cutByBytes(copies, MAX_REQUEST_BYTES))
        await deps.producer.send([
          {
            topic: deps.shardsTopic,
            messages: toEveryPartition(
              request.map((r) => r.message),
              deps.partitions,
            ),
          },
        ]);
      deps.onCopied?.(copies.length);
      // Only now is the sequence offset done with.
      payload.resolveOffset(batch.lastOffset());
      await payload.heartbeat();
    },
  });
  return {
    consumer,
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}
