/**
 * The router: consumes the six events topics (one consumer group for every instance) and copies
 * each batch, in partition order, onto the sequence topic; the source offsets are committed only
 * once Kafka has the copies, so a crash repeats a tail that the engine recognises and skips (see
 * CorrelatorState). It also writes a tick of the wall clock every `tickMs`.
 *
 * One fetch brings a batch for each of the 36 partitions (six topics of six). Copied one after the
 * other, each with its own produce and its own offset commit, they took 0.5-1.5 s per fetch on the
 * 2-core machine, and an event waited one to two such rounds. So the batches of a fetch are taken
 * at once (`partitionsConsumedConcurrently`) and copied together: one produce (cut by bytes) and
 * one offset commit for all of them.
 */
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import type { JsonProducer, OutgoingMessage } from '@liandong/kafka';
import type { Logger } from '@liandong/logger';
import { groupTiming, HEADER } from './sequence.topic.ts';

/** Batches copied at once: more than the partitions of the six events topics (6 × 6). */
const CONCURRENT_BATCHES = 64;
/**
 * Bytes of copies in one produce request, which is one record batch of the sequence topic's one
 * partition: below the broker's default `message.max.bytes` (1,048,588) with room for headers.
 */
export const MAX_REQUEST_BYTES = 900_000;

export interface RouterDeps {
  kafka: Kafka;
  producer: JsonProducer;
  groupId: string;
  topics: readonly string[];
  sequenceTopic: string;
  tickMs: number;
  logger: Logger;
  onCopied?: (count: number) => void;
  onFatal: (error: Error) => void;
  /** The group session timeout (ms; kafkajs's default when absent). */
  sessionTimeoutMs?: number;
}

export interface Router {
  readonly consumer: Consumer;
  stop(): Promise<void>;
}

interface PendingCopy {
  payload: EachBatchPayload;
  messages: OutgoingMessage[];
  resolve(): void;
  reject(error: unknown): void;
}

/** About the bytes a copy takes in a record batch: key, value, headers and the record's own fields. */
export function recordBytes(m: OutgoingMessage): number {
  let bytes = 32 + Buffer.byteLength(m.key) + Buffer.byteLength(m.value as Buffer);
  for (const [name, value] of Object.entries(m.headers ?? {}))
    bytes += 8 + Buffer.byteLength(name) + Buffer.byteLength(value);
  return bytes;
}

/** Requests of at most `maxBytes` (a larger message goes alone), in order. */
export function cutByBytes<T extends { bytes: number }>(items: readonly T[], maxBytes: number): T[][] {
  const requests: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (current.length > 0 && bytes + item.bytes > maxBytes) {
      requests.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += item.bytes;
  }
  if (current.length > 0) requests.push(current);
  return requests;
}

export async function startRouter(deps: RouterDeps): Promise<Router> {
  const consumer = deps.kafka.consumer({
    groupId: deps.groupId,
    allowAutoTopicCreation: false,
    ...groupTiming(deps.sessionTimeoutMs),
  });
  let stopping = false;
  consumer.on(consumer.events.CRASH, (event) => {
    if (event.payload.restart || stopping) return;
    deps.logger.fatal({ err: event.payload.error }, 'router consumer crashed and will not restart');
    deps.onFatal(event.payload.error);
  });

  // Group copy: batches that arrive while a copy is under way wait for the next one.
  let pending: PendingCopy[] = [];
  let copying = false;
  async function copy(group: PendingCopy[]): Promise<void> {
    const messages = group.flatMap((p) =>
      p.messages.map((message) => ({ message, bytes: recordBytes(message) })),
    );
    // In order: a partition's copies stay in its order across the requests.
    for (const request of cutByBytes(messages, MAX_REQUEST_BYTES))
      await deps.producer.send([{ topic: deps.sequenceTopic, messages: request.map((r) => r.message) }]);
    deps.onCopied?.(messages.length);
    // Only now are the source offsets done with; one commit covers every partition of the group.
    for (const p of group) p.payload.resolveOffset(p.payload.batch.lastOffset());
    const last = group[group.length - 1] as PendingCopy;
    await last.payload.commitOffsetsIfNecessary(last.payload.uncommittedOffsets());
  }
  function schedule(): void {
    if (copying) return;
    copying = true;
    // setImmediate: every batch of the fetch reaches eachBatch in this turn and joins the group.
    setImmediate(() => {
      void (async () => {
        while (pending.length > 0) {
          const group = pending;
          pending = [];
          try {
            await copy(group);
            for (const p of group) p.resolve();
          } catch (error) {
            for (const p of group) p.reject(error);
          }
        }
        copying = false;
      })();
    });
  }

  await consumer.connect();
  for (const topic of deps.topics) await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    // Offsets resolved and committed only after the copies are on the sequence topic (copy()).
    autoCommit: false,
    eachBatchAutoResolve: false,
    partitionsConsumedConcurrently: CONCURRENT_BATCHES,
    eachBatch: async (payload) => {
      const { batch } = payload;
      if (!payload.isRunning() || payload.isStale() || batch.messages.length === 0) return;
      const source = `${batch.topic}/${batch.partition}`;
      const messages = batch.messages.map((m) => ({
        key: m.key?.toString('utf8') ?? source,
        value: m.value ?? Buffer.from('null'),
        headers: { [HEADER.kind]: 'event', [HEADER.source]: `${source}/${m.offset}` },
      }));
      await new Promise<void>((resolve, reject) => {
        pending.push({ payload, messages, resolve, reject });
        schedule();
      });
      await payload.heartbeat();
    },
  });
  const ticker =
    deps.tickMs > 0
      ? setInterval(() => {
          const at = Date.now();
          deps.producer
            .send([
              {
                topic: deps.sequenceTopic,
                messages: [
                  { key: 'tick', value: { at }, headers: { [HEADER.kind]: 'tick', [HEADER.at]: String(at) } },
                ],
              },
            ])
            .catch((error: unknown) => deps.logger.warn({ err: error }, 'could not write a clock tick'));
        }, deps.tickMs)
      : undefined;
  return {
    consumer,
    async stop() {
      stopping = true;
      if (ticker) clearInterval(ticker);
      await consumer.disconnect();
    },
  };
}
